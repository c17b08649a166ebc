## Agreements and commitments

nav-agreements = Agreements

error-agreement-kind = Choose a kind of agreement from the list.
error-agreement-status = Choose a status from the list.
error-agreement-target = Choose a target group from the list.
error-party-role = Choose a role from the list.
error-commitment-kind = Choose a kind of commitment from the list.
error-commitment-status = Choose a status from the list.
