## Neighbourhood employment plans and training itineraries.
