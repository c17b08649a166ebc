## Ekosistema: erakundeak, gizarte-ekonomia eta ekintzailetza

nav-organisations = Erakundeak
nav-ecosystem-figures = Ekosistemaren zifrak

error-legal-form = Aukeratu zerrendako forma juridiko bat.
error-relation-kind = Aukeratu zerrendako harreman mota bat.
error-qualification-kind = Aukeratu zerrendako erregistro bat.
error-pole-activity-kind = Aukeratu zerrendako jarduera mota bat.
error-venture-stage = Aukeratu zerrendako fase bat.
error-cpv-format = CPV kodeak 8 digitu ditu, eta nahi izanez gero marratxoa eta kontrol-digitua (85312000-9).
error-cpv-unknown = Kode hori ez dago CPV 2008 hiztegian.
