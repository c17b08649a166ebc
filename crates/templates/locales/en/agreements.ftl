## Agreements and commitments

nav-agreements = Agreements

error-agreement-kind = Choose a kind of agreement from the list.
error-agreement-status = Choose a status from the list.
error-agreement-target = Choose a target group from the list.
error-party-role = Choose a role from the list.
error-commitment-kind = Choose a kind of commitment from the list.
error-commitment-status = Choose a status from the list.

## Code lists

agreement-kind-private-partnership = Partnership with a private actor
agreement-kind-public-collaboration = Collaboration with a public agent
agreement-status-draft = Draft
agreement-status-signed = Signed
agreement-status-active = Active
agreement-status-expired = Expired
agreement-status-renewed = Renewed
agreement-status-terminated = Terminated
agreement-target-shops-and-businesses = Shops and businesses
agreement-target-entrepreneurs = Entrepreneurs
agreement-target-migrants = Migrants
agreement-target-job-seekers = Job seekers
agreement-target-young-people = Young people
agreement-target-women = Women
agreement-target-social-economy-entities = Social economy entities
agreement-target-residents = Residents
party-role-promoter = Promoter
party-role-signatory = Signatory
party-role-collaborator = Collaborator
commitment-kind-hire-participants = Hire participants
commitment-kind-offer-practicum-places = Offer practicum places
commitment-kind-other = Other
commitment-status-open = Open
commitment-status-met = Met
commitment-status-missed = Missed
commitment-status-waived = Waived
commitment-standing-on-track = On track
commitment-standing-at-risk = At risk
commitment-standing-late = Late

## Pages

agreements-title = Agreements
agreements-intro = Partnership agreements with private actors and collaboration agreements with public agents, with their commitments.
agreements-none = No agreement matches.
agreements-any = Any
agreements-filter = Filter
agreement-caption = Agreement
agreement-new-title = New agreement
agreement-edit-title = Change the agreement
agreement-save = Save the agreement
agreement-title = Title
agreement-title-eu = Title in Basque
agreement-title-es = Title in Spanish
agreement-title-other = Title in the other language
agreement-kind = Kind
agreement-status = Status
agreement-scope = Scope
agreement-scope-hint = What the parties agree to do together.
agreement-parties = Parties
agreement-parties-hint = Organisations of the directory. At least one; to sign, one must be a signatory or promoter (the council signs every agreement).
agreement-party-n = Party { $n }
agreement-party-role-n = Role of party { $n }
agreement-party-role = Role
agreement-organisation = Organisation
agreement-neighbourhood = Neighbourhood
agreement-neighbourhoods = Neighbourhoods
agreement-target-groups = Target groups
agreement-starts-on = Starts on
agreement-ends-on = Ends on
agreement-signed-on = Signed on
agreement-signed-on-hint = The date the parties signed, as YYYY-MM-DD.
agreement-budget = Budget
agreement-budget-hint = In euros, for example 12.000,50. Leave empty if the agreement moves no money.
agreement-renewal-notice = Renewal notice
agreement-renewal-notice-hint = Days before the end when coordinators are reminded to renew it.
agreement-days = { $days } days
agreement-renews = Renews
agreement-expiring-soon = Ends soon
agreement-lifecycle = Lifecycle
agreement-move-signed = Mark as signed
agreement-move-active = Activate
agreement-move-expired = Mark as expired
agreement-move-terminated = Terminate
agreement-move-draft = Back to draft
agreement-move-renewed = Renew
agreement-renew = Renew (new draft)
documents-title = Documents
documents-none = No documents referenced.
document-new-title = Reference a document
document-title = Document
document-dated-on = Dated
document-reference = Where the signed original is kept
document-reference-hint = File number, registry entry or archive location.
document-save = Save the reference
commitments-title = Commitments
commitments-none = No commitments yet.
commitment-new-title = Add a commitment
commitment-edit-title = Commitment
commitment-save = Save the commitment
commitment-kind = Kind of commitment
commitment-organisation = Organisation that delivers it
commitment-organisation-hint = Required to count hires: placements with this employer count.
commitment-description = Description
commitment-target = Target
commitment-unit = Unit
commitment-unit-hint = What is counted, for example "people hired".
commitment-due-on = Due on
commitment-training-action = Training action
commitment-training-action-hint = Required to count practicum places: its enrolments count.
commitment-evidence = Evidence
commitment-evidence-hint = What shows progress: reports, lists, certificates.
commitment-recorded-progress = Progress recorded by hand
commitment-recorded-progress-hint = Counted only for commitments of kind "Other".
commitment-status = Status
commitment-progress = Progress
commitment-progress-text = { $achieved } of { $target } { $unit } ({ $percent } %)
notice-agreement-saved = The agreement was saved.
notice-agreement-moved = The agreement's status was changed.
notice-agreement-renewed = The renewal was created as a draft.
notice-document-saved = The document reference was saved.
notice-commitment-saved = The commitment was saved.
export-col-id = Identifier
export-col-agreement = Agreement
export-col-clause = Social clause
export-col-achieved = Achieved
export-col-percent = Percent
export-col-standing = Standing

## Placements linked to the directory and to social clauses

placement-employer-organisation = Employer in the directory
placement-employer-organisation-hint = If the employer is an organisation of the directory, its hires count towards its commitments.
placement-clause-link = Hired under a social clause
placement-clause-link-hint = Only with the person's consent for the council to know about their employment.

## Errors

error-directory-organisation-unknown = Choose an organisation of the directory.
error-party-twice = Each organisation can be a party only once.
error-parties-required = Add at least one party.
error-parties-too-many = Too many parties.
error-agreement-title-required = Enter the title.
error-agreement-scope-required = Enter the scope.
error-agreement-targets-required = Choose at least one target group.
error-signed-after-end = The signing date cannot be after the end of the agreement.
error-renewal-notice-days = Enter a number of days between 0 and 365.
error-agreement-signatory-required = To sign, at least one party must be a signatory or promoter.
error-signed-on-required = Enter the date it was signed.
error-document-reference-required = Enter where the signed original is kept.
error-commitment-due-before-start = The due date cannot be before the agreement starts.
error-commitment-due-after-end = The due date cannot be after the agreement ends.
error-commitment-target = Enter a whole number greater than zero.
error-commitment-organisation-required = Choose the organisation whose hires count.
error-commitment-action-required = Choose the training action whose enrolments count.
error-commitment-action-unknown = Choose a training action from the list.
error-commitment-unit-required = Enter what is counted.
error-commitment-progress = Enter a whole number, zero or more.
error-agreement-move = The agreement cannot move to that status from its current one.
error-agreement-closed = A closed agreement cannot be changed.
error-clause-link-consent = The hire can be linked to a social clause only with the person's consent in force for the council to know about their employment.
error-social-clause-unknown = Choose a social clause from the list.

## E-mail

email-agreement-renewal-subject = An agreement is due for renewal
email-agreement-renewal-body = An active agreement ends within its renewal notice. Sign in to Elkarlan to review it under Agreements.
