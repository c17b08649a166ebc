## Neighbourhood employment plans and training itineraries.

## Ocupaciones y capacidades de ESCO
error-esco-format = Introduce un código de ocupación ESCO, como 5131.2, o su dirección ESCO
error-esco-unknown = No hay ninguna ocupación ESCO con este código
error-esco-skill-format = Introduce la dirección ESCO de una capacidad, como http://data.europa.eu/esco/skill/ seguida de su identificador

## Condiciones de acceso de programas y acciones formativas
error-eligibility-json = Las condiciones de acceso no tienen el formato esperado
error-eligibility-too-many = Un programa puede tener como máximo 20 condiciones de acceso
error-eligibility-age-range = Introduce una edad mínima, una máxima o ambas; la mínima no puede ser mayor que la máxima
error-eligibility-neighbourhoods = Elige al menos un barrio de la lista
error-eligibility-months = Introduce un número de meses entre 1 y 600
error-eligibility-percent = Introduce un porcentaje de discapacidad entre 1 y 100
error-eligibility-sex = Elige al menos un sexo de la lista
error-eligibility-isced = Introduce un nivel educativo CINE entre 0 y 8
error-eligibility-any-of-empty = Añade al menos una alternativa a «cualquiera de»
error-eligibility-nested = Las alternativas no pueden contener otras alternativas

## Una sugerencia para la persona profesional, con sus motivos
eligibility-outcome-eligible = Cumple los requisitos porque:
eligibility-outcome-not-eligible = No cumple los requisitos porque:
eligibility-outcome-unknown = Aún no se puede saber: falta información:
eligibility-open-to-all = Abierto a todas las personas: el programa no tiene condiciones
eligibility-age-within = Edad: { $age } años, entre { $min } y { $max }
eligibility-age-at-least = Edad: { $age } años, { $min } o más
eligibility-age-at-most = Edad: { $age } años, { $max } o menos
eligibility-age-below = Edad: { $age } años, menos de { $min }
eligibility-age-above = Edad: { $age } años, más de { $max }
eligibility-age-unknown = Edad: fecha de nacimiento no registrada
eligibility-lives-in-met = Vive en { $neighbourhood }, uno de los barrios del plan
eligibility-lives-in-not-met = Vive en { $neighbourhood }, fuera de los barrios del plan ({ $neighbourhoods })
eligibility-lives-in-unknown = Barrio: no registrado
eligibility-unemployed-met = Meses en desempleo: { $months } (se requieren al menos { $min })
eligibility-unemployed-not-met = Meses en desempleo: { $months }, menos de los { $min } requeridos
eligibility-unemployed-unknown = Desempleo: fecha de inicio no registrada (se requieren { $min } meses)
eligibility-income-guarantee-met = Percibe una prestación de garantía de ingresos (RGI o IMV)
eligibility-income-guarantee-not-met = No percibe una prestación de garantía de ingresos (RGI o IMV)
eligibility-income-guarantee-unknown = Garantía de ingresos: no registrada
eligibility-migrant-met = Nacionalidad distinta de la española ({ $nationality })
eligibility-migrant-not-met = Nacionalidad española
eligibility-migrant-unknown = Nacionalidad: no registrada
eligibility-disability-met = Discapacidad reconocida del { $percent } % (se requiere al menos el { $min } %)
eligibility-disability-not-met = Discapacidad reconocida del { $percent } %, menos del { $min } % requerido
eligibility-disability-unknown = Discapacidad: no registrada (se requiere el { $min } % o más)
eligibility-sex-met = Sexo: { $sex }, uno de: { $sexes }
eligibility-sex-not-met = Sexo: { $sex }, no es ninguno de: { $sexes }
eligibility-sex-unknown = Sexo: no registrado
eligibility-education-at-most-met = Estudios: nivel CINE { $isced }, como máximo { $max }
eligibility-education-at-most-not-met = Estudios: nivel CINE { $isced }, superior a { $max }
eligibility-education-at-least-met = Estudios: nivel CINE { $isced }, al menos { $min }
eligibility-education-at-least-not-met = Estudios: nivel CINE { $isced }, inferior a { $min }
eligibility-education-unknown = Estudios: nivel no registrado
eligibility-any-of-met = Cumple al menos una de estas { $count } alternativas:
eligibility-any-of-not-met = No cumple ninguna de estas { $count } alternativas:
eligibility-any-of-unknown = Aún no se puede saber si cumple alguna de estas { $count } alternativas:

## Las condiciones tal como se muestran en la página de un programa
eligibility-rule-open-to-all = Abierto a todas las personas
eligibility-rule-age-between = De { $min } a { $max } años
eligibility-rule-age-at-least = De { $min } años o más
eligibility-rule-age-at-most = De { $max } años o menos
eligibility-rule-lives-in = Residencia en: { $neighbourhoods }
eligibility-rule-unemployed = En desempleo durante al menos { $min } meses
eligibility-rule-income-guarantee = Percibir una prestación de garantía de ingresos (RGI o IMV)
eligibility-rule-migrant = Nacionalidad distinta de la española
eligibility-rule-disability = Discapacidad reconocida del { $min } % o más
eligibility-rule-sex = Sexo: { $sexes }
eligibility-rule-education-at-most = Estudios hasta el nivel CINE { $max }
eligibility-rule-education-at-least = Estudios de nivel CINE { $min } o superior
eligibility-rule-any-of = Al menos una de las siguientes:
email-follow-ups-due-subject = Hay seguimientos de inserciones pendientes en Elkarlan
email-follow-ups-due-body = Esta semana vencen seguimientos de inserciones laborales que registraste. Inicia sesión en Elkarlan y abre Seguimientos para registrarlos. Este mensaje no contiene datos personales.
## Importación de hojas de cálculo (listados de derivaciones y otros listados).
import-error-too-large = El archivo es demasiado grande. Divídalo en archivos más pequeños y súbalos uno a uno
import-error-too-many-rows = El archivo tiene demasiadas filas (se superó el límite en la fila { $row }). Divídalo en archivos más pequeños
import-error-too-many-columns = La fila { $row } tiene demasiadas columnas. Quite las columnas que no hacen falta
import-error-cell-too-long = Una celda de la fila { $row } tiene demasiado texto. Acórtelo y vuelva a subir el archivo
import-error-not-a-spreadsheet = El archivo no es una hoja de cálculo. Suba un archivo CSV o XLSX
import-error-no-header = La hoja está vacía. La primera fila debe tener los nombres de las columnas
import-error-malformed = El archivo está dañado y no se puede leer. Guárdelo de nuevo desde la hoja de cálculo y vuelva a subirlo
import-error-malformed-row = El archivo no se puede leer a partir de la fila { $row }. Revise esa fila, guarde el archivo de nuevo y vuelva a subirlo
import-error-column-missing = La hoja no tiene una columna para este dato. Añádala con su nombre en la primera fila
import-error-column-repeated = La hoja tiene esta columna dos veces. Deje solo una
import-error-reference-format = La referencia de la derivación puede tener hasta 40 letras, cifras y los signos - _ /
import-error-date-future = La fecha no puede ser futura
import-error-yes-no = Escriba sí o no
import-error-isced = Escriba el nivel ISCED como un número del 0 al 8
import-error-document-kind = Escriba el tipo de documento: DNI, NIE, pasaporte u otro
import-error-reference-repeated = Esta referencia ya aparece en una fila anterior del mismo archivo
