## Neighbourhood employment plans and training itineraries.

## ESCO lanbideak eta gaitasunak
error-esco-format = Idatzi ESCO lanbide-kode bat, adibidez 5131.2, edo haren ESCO helbidea
error-esco-unknown = Ez dago kode hau duen ESCO lanbiderik
error-esco-skill-format = Idatzi gaitasun baten ESCO helbidea, adibidez http://data.europa.eu/esco/skill/ eta haren identifikatzailea
