## Contratación pública responsable

nav-contracts = Contratos

error-procedure = Elija un procedimiento de la lista.
error-procurement-category = Elija suministros, obras o servicios.
error-contract-status = Elija un estado de la lista.
error-reservation = Elija una reserva de la lista.
error-clause-stage = Elija una fase de la lista.
error-clause-purpose = Elija una finalidad de la lista.
error-verdict = Elija un dictamen de la lista.

## OCDS

error-ocds-too-large = El fichero supera los 20 MB; divida el paquete.
error-ocds-json = El fichero no es JSON válido.
error-ocds-required = Falta este campo, obligatorio en OCDS o en Elkarlan.
error-ocds-type = El campo tiene un tipo incorrecto (por ejemplo, texto donde se espera un número).
error-ocds-too-long = El texto es demasiado largo.
error-ocds-version = Solo se aceptan paquetes OCDS 1.1.
error-ocds-too-many-releases = El paquete tiene más de 10.000 entregas (releases); divídalo.
error-ocds-too-many-problems = Hay más de 1.000 problemas; corrija estos primero y vuelva a importar.
error-ocds-ocid-format = El ocid debe ser «ocds-», un prefijo de seis caracteres, un guion y el identificador del proceso.
error-ocds-duplicate-ocid = Otra entrega del paquete tiene el mismo ocid.
error-ocds-date = La fecha debe ser una fecha y hora ISO 8601 con su zona horaria (2026-03-01T00:00:00Z).
error-ocds-period = El periodo termina antes de empezar.
error-ocds-tag = Ninguna etiqueta de la entrega indica en qué fase está el contrato.
error-ocds-codelist = El valor no está en la lista de códigos del estándar.
error-ocds-currency = Solo se aceptan importes en euros (EUR).
error-ocds-amount-format = Un importe puede tener como máximo dos decimales.
error-ocds-amount-negative = El importe no puede ser negativo.
error-ocds-amount-range = El importe supera los 10.000 millones de euros.
error-ocds-classification-scheme = Los artículos deben clasificarse con códigos CPV.
error-ocds-lot-id = El identificador del lote debe terminar en su número (1, 2, LOT-0003).
error-ocds-duplicate-lot = Dos lotes tienen el mismo número.
error-ocds-unknown-lot = Hace referencia a un lote que la licitación no tiene.
error-ocds-unknown-party = El adjudicatario no figura entre las partes de la entrega.
error-ocds-supplier-identifier = El adjudicatario necesita un identificador con el esquema ES-NIF (o ES-VAT) y su NIF.
error-ocds-several-suppliers = Elkarlan registra un adjudicatario por adjudicación; las UTE aún no se admiten.
error-ocds-several-awards = El contrato o el lote tiene más de una adjudicación vigente.
error-ocds-unknown-award = El contrato apunta a una adjudicación que la entrega no tiene.
error-ocds-procedure-mismatch = El procedimiento no corresponde al método de contratación.
error-ocds-reservation-unsupported = Las reservas a organizaciones de servicio público no se registran en Elkarlan.
error-ocds-reservation-mismatch = La reserva de Elkarlan y el campo reservedParticipation del estándar no coinciden.
error-ocds-weight = La ponderación debe ser un número entero de 0 a 100.
