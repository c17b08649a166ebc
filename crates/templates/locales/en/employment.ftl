## Neighbourhood employment plans and training itineraries.

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
