## Neighbourhood employment plans and training itineraries.

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
