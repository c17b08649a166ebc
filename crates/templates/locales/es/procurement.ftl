## Contratación pública responsable

nav-contracts = Contratos

error-procedure = Elija un procedimiento de la lista.
error-procurement-category = Elija suministros, obras o servicios.
error-contract-status = Elija un estado de la lista.
error-reservation = Elija una reserva de la lista.
error-clause-stage = Elija una fase de la lista.
error-clause-purpose = Elija una finalidad de la lista.
error-verdict = Elija un dictamen de la lista.
