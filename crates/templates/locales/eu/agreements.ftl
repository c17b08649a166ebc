## Hitzarmenak eta konpromisoak

nav-agreements = Hitzarmenak

error-agreement-kind = Aukeratu zerrendako hitzarmen mota bat.
error-agreement-status = Aukeratu zerrendako egoera bat.
error-agreement-target = Aukeratu zerrendako xede-talde bat.
error-party-role = Aukeratu zerrendako parte-hartze mota bat.
error-commitment-kind = Aukeratu zerrendako konpromiso mota bat.
error-commitment-status = Aukeratu zerrendako egoera bat.
