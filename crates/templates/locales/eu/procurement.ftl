## Kontratazio publiko arduratsua

nav-contracts = Kontratuak

error-procedure = Aukeratu zerrendako prozedura bat.
error-procurement-category = Aukeratu ondasunak, obrak edo zerbitzuak.
error-contract-status = Aukeratu zerrendako egoera bat.
error-reservation = Aukeratu zerrendako erreserba bat.
error-clause-stage = Aukeratu zerrendako fase bat.
error-clause-purpose = Aukeratu zerrendako helburu bat.
error-verdict = Aukeratu zerrendako ebazpen bat.
