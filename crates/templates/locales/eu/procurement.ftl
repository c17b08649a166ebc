## Kontratazio publiko arduratsua

nav-contracts = Kontratuak

error-procedure = Aukeratu zerrendako prozedura bat.
error-procurement-category = Aukeratu ondasunak, obrak edo zerbitzuak.
error-contract-status = Aukeratu zerrendako egoera bat.
error-reservation = Aukeratu zerrendako erreserba bat.
error-clause-stage = Aukeratu zerrendako fase bat.
error-clause-purpose = Aukeratu zerrendako helburu bat.
error-verdict = Aukeratu zerrendako ebazpen bat.

## OCDS

error-ocds-too-large = Fitxategiak 20 MB baino gehiago ditu; zatitu paketea.
error-ocds-json = Fitxategia ez da baliozko JSONa.
error-ocds-required = Eremu hau falta da, eta derrigorrezkoa da OCDSn edo Elkarlanen.
error-ocds-type = Eremuaren mota okerra da (adibidez, testua zenbaki bat espero den lekuan).
error-ocds-too-long = Testua luzeegia da.
error-ocds-version = OCDS 1.1 paketeak bakarrik onartzen dira.
error-ocds-too-many-releases = Paketeak 10.000 argitalpen (release) baino gehiago ditu; zatitu ezazu.
error-ocds-too-many-problems = 1.000 arazo baino gehiago daude; zuzendu hauek lehenik eta inportatu berriro.
error-ocds-ocid-format = ocid-ak «ocds-», sei karaktereko aurrizki bat, marratxo bat eta prozesuaren identifikatzailea izan behar ditu.
error-ocds-duplicate-ocid = Paketeko beste argitalpen batek ocid bera du.
error-ocds-date = Datak ISO 8601 data eta ordua izan behar du, ordu-eremuarekin (2026-03-01T00:00:00Z).
error-ocds-period = Aldia hasi baino lehen amaitzen da.
error-ocds-tag = Argitalpenaren etiketetako batek ere ez du adierazten kontratua zein fasetan dagoen.
error-ocds-codelist = Balioa ez dago estandarraren kode-zerrendan.
error-ocds-currency = Eurotan (EUR) emandako zenbatekoak bakarrik onartzen dira.
error-ocds-amount-format = Zenbateko batek gehienez bi hamartar izan ditzake.
error-ocds-amount-negative = Zenbatekoa ezin da negatiboa izan.
error-ocds-amount-range = Zenbatekoak 10.000 milioi euro gainditzen ditu.
error-ocds-classification-scheme = Elementuak CPV kodeekin sailkatu behar dira.
error-ocds-lot-id = Sortaren identifikatzailea bere zenbakiarekin amaitu behar da (1, 2, LOT-0003).
error-ocds-duplicate-lot = Bi sortak zenbaki bera dute.
error-ocds-unknown-lot = Lizitazioak ez duen sorta bati egiten dio erreferentzia.
error-ocds-unknown-party = Esleipenduna ez dago argitalpenaren alderdien artean.
error-ocds-supplier-identifier = Esleipendunak ES-NIF (edo ES-VAT) eskemako identifikatzaile bat behar du, bere IFZarekin.
error-ocds-several-suppliers = Elkarlanek esleipendun bakarra erregistratzen du esleipen bakoitzeko; aldi baterako enpresa-elkarteak (ABE) ez dira oraindik onartzen.
error-ocds-several-awards = Kontratuak edo sortak esleipen baliodun bat baino gehiago ditu.
error-ocds-unknown-award = Kontratuak argitalpenean ez dagoen esleipen bat aipatzen du.
error-ocds-procedure-mismatch = Prozedura ez dator bat kontratazio-metodoarekin.
error-ocds-reservation-unsupported = Zerbitzu publikoko erakundeentzako erreserbak ez dira Elkarlanen erregistratzen.
error-ocds-reservation-mismatch = Elkarlanen erreserba eta estandarraren reservedParticipation eremua ez datoz bat.
error-ocds-weight = Haztapenak 0tik 100era bitarteko zenbaki osoa izan behar du.
