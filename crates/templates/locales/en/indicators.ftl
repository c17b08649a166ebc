## Indicators: definitions, periods and values

error-period-date-format = Enter a real date as YYYY-MM-DD
error-period-end-before-start = The period ends before it starts: choose an end on or after the start
error-disaggregation-unknown = Choose a breakdown from the list: district, neighbourhood, sex, age band or origin
error-disaggregation-unavailable = This indicator cannot be broken down that way: its records have no person or area for it
error-indicator-definition-format = The definition is not well-formed JSON with the expected fields
error-indicator-code = Write the code in capital letters, digits and hyphens (for example PL-03)
error-indicator-code-duplicate = Another indicator already has this code
error-indicator-name-required = Write the name in Basque, Spanish and English
error-indicator-unit-unknown = Choose a unit from the list: count, percent, per thousand, ratio, days or euros
error-indicator-source-unknown = Choose a record source from the list
error-indicator-field-unknown = This field does not exist in the chosen records
error-indicator-field-not-date = Choose a date field
error-indicator-field-not-numeric = Choose a numeric field to add up or take the median of
error-indicator-field-required = Choose the field to add up or take the median of
error-indicator-field-not-allowed = A count takes no field: remove it or choose sum or median
error-indicator-aggregate-unknown = Choose how to aggregate: count, count of distinct people, sum or median
error-indicator-person-unavailable = These records are not about a person: count them instead of counting people
error-indicator-filter-op-unknown = Choose a condition from the list: equals, one of, is empty, is not empty or within the period
error-indicator-filter-value-missing = Give the value to compare with
error-indicator-filter-value-type = The value does not match the field: use a value of its type, or one of its codes
error-indicator-numerator-always-zero = The numerator's conditions contradict each other, so it would always be zero
error-indicator-denominator-always-zero = The denominator's conditions contradict each other, so it would always divide by zero
error-indicator-denominator-required = A percentage, per thousand or ratio needs a denominator
error-indicator-denominator-not-allowed = Counts, days, euros and medians take no denominator
error-indicator-period-rule = Say which date places a record in the period: one date, or a start and an optional end
error-indicator-sensitivity-unknown = Choose ordinary or sensitive
error-indicator-direction-unknown = Say whether higher or lower is better
error-indicator-figure-range = Enter a number between 0 and the unit's maximum (100 for a percentage, 1000 per thousand)
error-indicator-plan-required = Write the plan this indicator serves
error-indicator-plan-version = The plan version is a whole number from 1
indicator-no-data = No data
indicator-division-by-zero = Cannot be calculated: nothing to divide by

error-indicator-disclosure = The results could not be protected for publication; nothing was published. Tell the administrator
error-period-choice = Choose a year (2026) or a quarter (2026-Q2), or give a start and an end day
error-indicator-target-year = Give each yearly target a different year within the indicator's effective period
