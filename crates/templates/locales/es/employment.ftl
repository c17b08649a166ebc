## Neighbourhood employment plans and training itineraries.

## Ocupaciones y capacidades de ESCO
error-esco-format = Introduce un código de ocupación ESCO, como 5131.2, o su dirección ESCO
error-esco-unknown = No hay ninguna ocupación ESCO con este código
error-esco-skill-format = Introduce la dirección ESCO de una capacidad, como http://data.europa.eu/esco/skill/ seguida de su identificador
