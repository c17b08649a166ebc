## Indicadores: definiciones, periodos y valores

error-period-date-format = Escribe una fecha real como AAAA-MM-DD
error-period-end-before-start = El periodo termina antes de empezar: elige un final igual o posterior al inicio
error-disaggregation-unknown = Elige un desglose de la lista: distrito, barrio, sexo, tramo de edad u origen
error-disaggregation-unavailable = Este indicador no se puede desglosar así: sus registros no tienen persona ni zona para ello
error-indicator-definition-format = La definición no es un JSON bien formado con los campos esperados
error-indicator-code = Escribe el código con mayúsculas, cifras y guiones (por ejemplo PL-03)
error-indicator-code-duplicate = Otro indicador ya tiene este código
error-indicator-name-required = Escribe el nombre en euskera, castellano e inglés
error-indicator-unit-unknown = Elige una unidad de la lista: recuento, porcentaje, tanto por mil, razón, días o euros
error-indicator-source-unknown = Elige un origen de registros de la lista
error-indicator-field-unknown = Este campo no existe en los registros elegidos
error-indicator-field-not-date = Elige un campo de fecha
error-indicator-field-not-numeric = Elige un campo numérico para sumar o calcular la mediana
error-indicator-field-required = Elige el campo que se suma o del que se calcula la mediana
error-indicator-field-not-allowed = Un recuento no lleva campo: quítalo o elige suma o mediana
error-indicator-aggregate-unknown = Elige cómo agregar: recuento, recuento de personas distintas, suma o mediana
error-indicator-person-unavailable = Estos registros no son de una persona: cuenta registros en lugar de personas
error-indicator-filter-op-unknown = Elige una condición de la lista: igual a, uno de, está vacío, no está vacío o dentro del periodo
error-indicator-filter-value-missing = Indica el valor con el que comparar
error-indicator-filter-value-type = El valor no corresponde al campo: usa un valor de su tipo o uno de sus códigos
error-indicator-numerator-always-zero = Las condiciones del numerador se contradicen, así que siempre valdría cero
error-indicator-denominator-always-zero = Las condiciones del denominador se contradicen, así que siempre se dividiría entre cero
error-indicator-denominator-required = Un porcentaje, un tanto por mil o una razón necesitan denominador
error-indicator-denominator-not-allowed = Los recuentos, días, euros y medianas no llevan denominador
error-indicator-period-rule = Indica qué fecha sitúa un registro en el periodo: una fecha, o un inicio y un final opcional
error-indicator-sensitivity-unknown = Elige ordinario o sensible
error-indicator-direction-unknown = Indica si es mejor un valor más alto o más bajo
error-indicator-figure-range = Escribe un número entre 0 y el máximo de la unidad (100 en un porcentaje, 1000 en un tanto por mil)
error-indicator-plan-required = Escribe el plan al que sirve este indicador
error-indicator-plan-version = La versión del plan es un número entero a partir de 1
indicator-no-data = Sin datos
indicator-division-by-zero = No se puede calcular: no hay nada entre lo que dividir

error-indicator-disclosure = No se han podido proteger los resultados para publicarlos; no se ha publicado nada. Avisa a la persona administradora
error-period-choice = Elige un año (2026) o un trimestre (2026-Q2), o indica un día de inicio y otro de fin
error-indicator-target-year = Da a cada meta anual un año distinto dentro del periodo de vigencia del indicador
