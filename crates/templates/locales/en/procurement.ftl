## Responsible public procurement

nav-contracts = Contracts

error-procedure = Choose a procedure from the list.
error-procurement-category = Choose goods, works or services.
error-contract-status = Choose a status from the list.
error-reservation = Choose a reservation from the list.
error-clause-stage = Choose a stage from the list.
error-clause-purpose = Choose a purpose from the list.
error-verdict = Choose a verdict from the list.
