## Neighbourhood employment plans and training itineraries.

## ESCO lanbideak eta gaitasunak
error-esco-format = Idatzi ESCO lanbide-kode bat, adibidez 5131.2, edo haren ESCO helbidea
error-esco-unknown = Ez dago kode hau duen ESCO lanbiderik
error-esco-skill-format = Idatzi gaitasun baten ESCO helbidea, adibidez http://data.europa.eu/esco/skill/ eta haren identifikatzailea

## Programen eta prestakuntza-ekintzen sarbide-baldintzak
error-eligibility-json = Sarbide-baldintzek ez dute espero zen formatua
error-eligibility-too-many = Programa batek gehienez 20 sarbide-baldintza izan ditzake
error-eligibility-age-range = Idatzi gutxieneko adina, gehienekoa edo biak; gutxienekoa ezin da gehienekoa baino handiagoa izan
error-eligibility-neighbourhoods = Aukeratu gutxienez auzo bat zerrendatik
error-eligibility-months = Idatzi 1 eta 600 arteko hilabete kopuru bat
error-eligibility-percent = Idatzi 1 eta 100 arteko desgaitasun-ehuneko bat
error-eligibility-sex = Aukeratu gutxienez sexu bat zerrendatik
error-eligibility-isced = Idatzi 0 eta 8 arteko ISCED hezkuntza-maila bat
error-eligibility-any-of-empty = Gehitu gutxienez aukera bat «hauetako edozein» baldintzari
error-eligibility-nested = Aukeren barruan ezin da beste aukerarik egon

## Profesionalarentzako iradokizuna, arrazoiekin
eligibility-outcome-eligible = Baldintzak betetzen ditu, arrazoi hauengatik:
eligibility-outcome-not-eligible = Ez ditu baldintzak betetzen, arrazoi hauengatik:
eligibility-outcome-unknown = Oraindik ezin da jakin: informazioa falta da:
eligibility-open-to-all = Guztientzat irekia: programak ez du baldintzarik
eligibility-age-within = Adina: { $age } urte, { $min } eta { $max } artean
eligibility-age-at-least = Adina: { $age } urte, { $min } edo gehiago
eligibility-age-at-most = Adina: { $age } urte, { $max } edo gutxiago
eligibility-age-below = Adina: { $age } urte, { $min } baino gutxiago
eligibility-age-above = Adina: { $age } urte, { $max } baino gehiago
eligibility-age-unknown = Adina: jaiotze-data ez dago erregistratuta
eligibility-lives-in-met = { $neighbourhood } auzoan bizi da, planaren auzoetako batean
eligibility-lives-in-not-met = { $neighbourhood } auzoan bizi da, planaren auzoetatik kanpo ({ $neighbourhoods })
eligibility-lives-in-unknown = Auzoa: ez dago erregistratuta
eligibility-unemployed-met = Langabezian emandako hilabeteak: { $months } (gutxienez { $min } behar dira)
eligibility-unemployed-not-met = Langabezian emandako hilabeteak: { $months }, behar diren { $min } baino gutxiago
eligibility-unemployed-unknown = Langabezia: hasiera-data ez dago erregistratuta ({ $min } hilabete behar dira)
eligibility-income-guarantee-met = Diru-sarrerak bermatzeko prestazio bat jasotzen du (DSBE edo IMV)
eligibility-income-guarantee-not-met = Ez du diru-sarrerak bermatzeko prestaziorik jasotzen (DSBE edo IMV)
eligibility-income-guarantee-unknown = Diru-sarreren bermea: ez dago erregistratuta
eligibility-migrant-met = Espainiakoa ez den nazionalitatea ({ $nationality })
eligibility-migrant-not-met = Espainiako nazionalitatea
eligibility-migrant-unknown = Nazionalitatea: ez dago erregistratuta
eligibility-disability-met = Aitortutako desgaitasuna: %{ $percent } (gutxienez %{ $min } behar da)
eligibility-disability-not-met = Aitortutako desgaitasuna: %{ $percent }, behar den %{ $min } baino gutxiago
eligibility-disability-unknown = Desgaitasuna: ez dago erregistratuta (%{ $min } edo gehiago behar da)
eligibility-sex-met = Sexua: { $sex }, hauetako bat: { $sexes }
eligibility-sex-not-met = Sexua: { $sex }, ez da hauetako bat: { $sexes }
eligibility-sex-unknown = Sexua: ez dago erregistratuta
eligibility-education-at-most-met = Ikasketak: { $isced } ISCED maila, gehienez { $max }
eligibility-education-at-most-not-met = Ikasketak: { $isced } ISCED maila, { $max } baino handiagoa
eligibility-education-at-least-met = Ikasketak: { $isced } ISCED maila, gutxienez { $min }
eligibility-education-at-least-not-met = Ikasketak: { $isced } ISCED maila, { $min } baino txikiagoa
eligibility-education-unknown = Ikasketak: maila ez dago erregistratuta
eligibility-any-of-met = { $count } aukera hauetako bat gutxienez betetzen du:
eligibility-any-of-not-met = Ez du { $count } aukera hauetako bat ere betetzen:
eligibility-any-of-unknown = Oraindik ezin da jakin { $count } aukera hauetako bat betetzen duen:

## Baldintzak, programaren orrian erakusten diren bezala
eligibility-rule-open-to-all = Guztientzat irekia
eligibility-rule-age-between = { $min } eta { $max } urte bitartean
eligibility-rule-age-at-least = { $min } urte edo gehiago
eligibility-rule-age-at-most = { $max } urte edo gutxiago
eligibility-rule-lives-in = Bizilekua: { $neighbourhoods }
eligibility-rule-unemployed = Gutxienez { $min } hilabete langabezian
eligibility-rule-income-guarantee = Diru-sarrerak bermatzeko prestazio bat jasotzea (DSBE edo IMV)
eligibility-rule-migrant = Espainiakoa ez den nazionalitatea
eligibility-rule-disability = %{ $min } edo gehiagoko desgaitasun aitortua
eligibility-rule-sex = Sexua: { $sexes }
eligibility-rule-education-at-most = Ikasketak: gehienez { $max } ISCED maila
eligibility-rule-education-at-least = Ikasketak: gutxienez { $min } ISCED maila
eligibility-rule-any-of = Hauetako bat gutxienez:
email-follow-ups-due-subject = Laneratzeen jarraipenak egiteko daude Elkarlanen
email-follow-ups-due-body = Erregistratu zenituen laneratzeen jarraipenak aste honetan amaitzen dira. Sartu Elkarlanen eta ireki Jarraipenak erregistratzeko. Mezu honek ez du datu pertsonalik.
## Kalkulu-orriak inportatzea (bideratze-zerrendak eta beste zerrenda batzuk).
import-error-too-large = Fitxategia handiegia da. Zatitu fitxategi txikiagotan eta igo banan-banan
import-error-too-many-rows = Fitxategiak errenkada gehiegi ditu ({ $row }. errenkadan gainditu da muga). Zatitu fitxategi txikiagotan
import-error-too-many-columns = { $row }. errenkadak zutabe gehiegi ditu. Kendu behar ez diren zutabeak
import-error-cell-too-long = { $row }. errenkadako gelaxka batek testu gehiegi du. Laburtu eta igo berriro fitxategia
import-error-not-a-spreadsheet = Fitxategia ez da kalkulu-orri bat. Igo CSV edo XLSX fitxategi bat
import-error-no-header = Orria hutsik dago. Lehen errenkadan zutabeen izenek egon behar dute
import-error-malformed = Fitxategia hondatuta dago eta ezin da irakurri. Gorde berriro kalkulu-orriaren programatik eta igo
import-error-malformed-row = Fitxategia ezin da irakurri { $row }. errenkadatik aurrera. Begiratu errenkada hori, gorde berriro fitxategia eta igo
import-error-column-missing = Orriak ez du datu honetarako zutaberik. Gehitu, bere izena lehen errenkadan duela
import-error-column-repeated = Orriak bi aldiz du zutabe hau. Utzi bakarra
import-error-reference-format = Bideratzearen erreferentziak 40 hizki, zenbaki eta - _ / ikur izan ditzake gehienez
import-error-date-future = Data ezin da etorkizunekoa izan
import-error-yes-no = Idatzi bai edo ez
import-error-isced = Idatzi ISCED maila 0tik 8rako zenbaki gisa
import-error-document-kind = Idatzi dokumentu mota: NAN, AIZ, pasaportea edo beste bat
import-error-reference-repeated = Erreferentzia hau fitxategi bereko aurreko errenkada batean dago
