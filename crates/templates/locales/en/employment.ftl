## Neighbourhood employment plans and training itineraries.

## ESCO occupations and skills
error-esco-format = Enter an ESCO occupation code, like 5131.2, or its ESCO address
error-esco-unknown = There is no ESCO occupation with this code
error-esco-skill-format = Enter the ESCO address of a skill, like http://data.europa.eu/esco/skill/ followed by its identifier
