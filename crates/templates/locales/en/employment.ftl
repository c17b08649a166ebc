## Neighbourhood employment plans and training itineraries.

## ESCO occupations and skills
error-esco-format = Enter an ESCO occupation code, like 5131.2, or its ESCO address
error-esco-unknown = There is no ESCO occupation with this code
error-esco-skill-format = Enter the ESCO address of a skill, like http://data.europa.eu/esco/skill/ followed by its identifier

## Eligibility rules of programmes and training actions
error-eligibility-json = The eligibility rules are not in the expected format
error-eligibility-too-many = A programme can have at most 20 eligibility conditions
error-eligibility-age-range = Enter a minimum age, a maximum age or both; the minimum cannot be above the maximum
error-eligibility-neighbourhoods = Choose at least one neighbourhood from the list
error-eligibility-months = Enter a number of months from 1 to 600
error-eligibility-percent = Enter a disability percentage from 1 to 100
error-eligibility-sex = Choose at least one sex from the list
error-eligibility-isced = Enter an ISCED education level from 0 to 8
error-eligibility-any-of-empty = Add at least one alternative to “any of”
error-eligibility-nested = Alternatives cannot contain further alternatives

## A suggestion for the professional, with its reasons
eligibility-outcome-eligible = Eligible because:
eligibility-outcome-not-eligible = Not eligible because:
eligibility-outcome-unknown = Cannot tell yet: missing information:
eligibility-open-to-all = Open to everyone: the programme has no conditions
eligibility-age-within = Age { $age }, within { $min }–{ $max }
eligibility-age-at-least = Age { $age }, { $min } or over
eligibility-age-at-most = Age { $age }, { $max } or under
eligibility-age-below = Age { $age }, under { $min }
eligibility-age-above = Age { $age }, above { $max }
eligibility-age-unknown = Age: date of birth not recorded
eligibility-lives-in-met = Lives in { $neighbourhood }, one of the plan's neighbourhoods
eligibility-lives-in-not-met = Lives in { $neighbourhood }, outside the plan's neighbourhoods ({ $neighbourhoods })
eligibility-lives-in-unknown = Neighbourhood: not recorded
eligibility-unemployed-met = Months unemployed: { $months } (at least { $min } required)
eligibility-unemployed-not-met = Months unemployed: { $months }, fewer than the { $min } required
eligibility-unemployed-unknown = Unemployment: start date not recorded ({ $min } months required)
eligibility-income-guarantee-met = Receives an income guarantee (RGI or IMV)
eligibility-income-guarantee-not-met = Does not receive an income guarantee (RGI or IMV)
eligibility-income-guarantee-unknown = Income guarantee: not recorded
eligibility-migrant-met = Nationality other than Spanish ({ $nationality })
eligibility-migrant-not-met = Spanish nationality
eligibility-migrant-unknown = Nationality: not recorded
eligibility-disability-met = Recognised disability of { $percent }% (at least { $min }% required)
eligibility-disability-not-met = Recognised disability of { $percent }%, below the { $min }% required
eligibility-disability-unknown = Disability: not recorded ({ $min }% or more required)
eligibility-sex-met = Sex: { $sex }, one of: { $sexes }
eligibility-sex-not-met = Sex: { $sex }, not one of: { $sexes }
eligibility-sex-unknown = Sex: not recorded
eligibility-education-at-most-met = Education: ISCED level { $isced }, at most { $max }
eligibility-education-at-most-not-met = Education: ISCED level { $isced }, above { $max }
eligibility-education-at-least-met = Education: ISCED level { $isced }, at least { $min }
eligibility-education-at-least-not-met = Education: ISCED level { $isced }, below { $min }
eligibility-education-unknown = Education: level not recorded
eligibility-any-of-met = Meets at least one of these { $count } alternatives:
eligibility-any-of-not-met = Meets none of these { $count } alternatives:
eligibility-any-of-unknown = Cannot tell yet whether one of these { $count } alternatives is met:

## The rules as shown on a programme's page
eligibility-rule-open-to-all = Open to everyone
eligibility-rule-age-between = Aged { $min } to { $max }
eligibility-rule-age-at-least = Aged { $min } or over
eligibility-rule-age-at-most = Aged { $max } or under
eligibility-rule-lives-in = Living in: { $neighbourhoods }
eligibility-rule-unemployed = Unemployed for at least { $min } months
eligibility-rule-income-guarantee = Receiving an income guarantee (RGI or IMV)
eligibility-rule-migrant = Nationality other than Spanish
eligibility-rule-disability = Recognised disability of { $min }% or more
eligibility-rule-sex = Sex: { $sexes }
eligibility-rule-education-at-most = Education up to ISCED level { $max }
eligibility-rule-education-at-least = Education at ISCED level { $min } or higher
eligibility-rule-any-of = At least one of the following:
email-follow-ups-due-subject = Job placement follow-ups are due in Elkarlan
email-follow-ups-due-body = Follow-ups of job placements you recorded fall due this week. Sign in to Elkarlan and open Follow-ups to record them. This message contains no personal data.
## Importing spreadsheets (referral lists and other lists).
import-error-too-large = The file is too large. Split it into smaller files and upload them one by one
import-error-too-many-rows = The file has too many rows (the limit was passed at row { $row }). Split it into smaller files
import-error-too-many-columns = Row { $row } has too many columns. Remove the columns that are not needed
import-error-cell-too-long = A cell in row { $row } has too much text. Shorten it and upload the file again
import-error-not-a-spreadsheet = The file is not a spreadsheet. Upload a CSV or XLSX file
import-error-no-header = The sheet is empty. The first row must have the column names
import-error-malformed = The file is damaged and cannot be read. Save it again from the spreadsheet program and upload it
import-error-malformed-row = The file cannot be read from row { $row } on. Check that row, save the file again and upload it
import-error-column-missing = The sheet has no column for this. Add it with its name in the first row
import-error-column-repeated = The sheet has this column twice. Keep only one
import-error-reference-format = The referral reference can have up to 40 letters, digits and the signs - _ /
import-error-date-future = The date cannot be in the future
import-error-yes-no = Write yes or no
import-error-isced = Write the ISCED level as a number from 0 to 8
import-error-document-kind = Write the kind of document: DNI, NIE, passport or other
import-error-reference-repeated = This reference is on an earlier row of the same file
