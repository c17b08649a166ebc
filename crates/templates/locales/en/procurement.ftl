## Responsible public procurement

nav-contracts = Contracts

error-procedure = Choose a procedure from the list.
error-procurement-category = Choose goods, works or services.
error-contract-status = Choose a status from the list.
error-reservation = Choose a reservation from the list.
error-clause-stage = Choose a stage from the list.
error-clause-purpose = Choose a purpose from the list.
error-verdict = Choose a verdict from the list.

## OCDS

error-ocds-too-large = The file is larger than 20 MB; split the package.
error-ocds-json = The file is not valid JSON.
error-ocds-required = This field is required by OCDS or by Elkarlan and is missing.
error-ocds-type = This field has the wrong type (for example, text where a number is expected).
error-ocds-too-long = The text is too long.
error-ocds-version = Only OCDS 1.1 packages are accepted.
error-ocds-too-many-releases = The package has more than 10,000 releases; split it.
error-ocds-too-many-problems = There are more than 1,000 problems; fix these first and import again.
error-ocds-ocid-format = The ocid must be “ocds-”, a six-character prefix, a dash and the process identifier.
error-ocds-duplicate-ocid = Another release of the package has the same ocid.
error-ocds-date = The date must be an ISO 8601 date and time with its time zone (2026-03-01T00:00:00Z).
error-ocds-period = The period ends before it starts.
error-ocds-tag = None of the release's tags says at what stage the contract is.
error-ocds-codelist = The value is not in the standard's code list.
error-ocds-currency = Only amounts in euros (EUR) are accepted.
error-ocds-amount-format = An amount may have at most two decimals.
error-ocds-amount-negative = The amount cannot be negative.
error-ocds-amount-range = The amount is larger than 10,000 million euros.
error-ocds-classification-scheme = Items must be classified with CPV codes.
error-ocds-lot-id = The lot identifier must end in its number (1, 2, LOT-0003).
error-ocds-duplicate-lot = Two lots have the same number.
error-ocds-unknown-lot = It refers to a lot the tender does not have.
error-ocds-unknown-party = The supplier is not among the release's parties.
error-ocds-supplier-identifier = The supplier needs an identifier with the scheme ES-NIF (or ES-VAT) and its tax id.
error-ocds-several-suppliers = Elkarlan records one awardee per award; joint ventures (UTE) are not supported yet.
error-ocds-several-awards = The contract or lot has more than one valid award.
error-ocds-unknown-award = The contract points to an award the release does not have.
error-ocds-procedure-mismatch = The procedure does not match the procurement method.
error-ocds-reservation-unsupported = Reservations to public-service organisations are not recorded in Elkarlan.
error-ocds-reservation-mismatch = Elkarlan's reservation and the standard's reservedParticipation disagree.
error-ocds-weight = The weight must be a whole number from 0 to 100.
