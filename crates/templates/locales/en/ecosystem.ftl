## Ecosystem: organisations, social economy and entrepreneurship

nav-organisations = Organisations
nav-ecosystem-figures = Ecosystem figures

error-legal-form = Choose a legal form from the list.
error-relation-kind = Choose a kind of relationship from the list.
error-qualification-kind = Choose a register from the list.
error-pole-activity-kind = Choose a kind of activity from the list.
error-venture-stage = Choose a stage from the list.
error-cpv-format = A CPV code has 8 digits, optionally followed by a dash and the check digit (85312000-9).
error-cpv-unknown = That code is not in the CPV 2008 vocabulary.
