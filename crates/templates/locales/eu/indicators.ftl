## Adierazleak: definizioak, aldiak eta balioak

error-period-date-format = Idatzi benetako data bat UUUU-HH-EE formatuan
error-period-end-before-start = Aldia hasi baino lehen amaitzen da: aukeratu hasierako egunaren berdina edo ondorengoa den amaiera bat
error-disaggregation-unknown = Aukeratu zerrendako banakapen bat: barrutia, auzoa, sexua, adin-tartea edo jatorria
error-disaggregation-unavailable = Adierazle hau ezin da horrela banakatu: bere erregistroek ez dute horretarako pertsonarik edo eremurik
error-indicator-definition-format = Definizioa ez da espero diren eremuak dituen JSON zuzena
error-indicator-code = Idatzi kodea letra larriekin, zifrekin eta marratxoekin (adibidez PL-03)
error-indicator-code-duplicate = Beste adierazle batek badu kode hori
error-indicator-name-required = Idatzi izena euskaraz, gaztelaniaz eta ingelesez
error-indicator-unit-unknown = Aukeratu zerrendako unitate bat: zenbaketa, ehunekoa, milakoa, ratioa, egunak edo euroak
error-indicator-source-unknown = Aukeratu zerrendako erregistro-iturri bat
error-indicator-field-unknown = Eremu hori ez dago aukeratutako erregistroetan
error-indicator-field-not-date = Aukeratu data-eremu bat
error-indicator-field-not-numeric = Aukeratu zenbakizko eremu bat batzeko edo mediana kalkulatzeko
error-indicator-field-required = Aukeratu batu edo mediana kalkulatu behar zaion eremua
error-indicator-field-not-allowed = Zenbaketak ez du eremurik behar: kendu edo aukeratu batura edo mediana
error-indicator-aggregate-unknown = Aukeratu nola batu: zenbaketa, pertsona desberdinen zenbaketa, batura edo mediana
error-indicator-person-unavailable = Erregistro hauek ez dira pertsona bati buruzkoak: zenbatu erregistroak, ez pertsonak
error-indicator-filter-op-unknown = Aukeratu zerrendako baldintza bat: berdin, hauetako bat, hutsik dago, ez dago hutsik edo aldiaren barruan
error-indicator-filter-value-missing = Adierazi zein baliorekin alderatu
error-indicator-filter-value-type = Balioa ez dator bat eremuarekin: erabili bere motako balio bat edo bere kodeetako bat
error-indicator-numerator-always-zero = Zenbakitzailearen baldintzak elkarren kontrakoak dira, eta beraz beti zero izango litzateke
error-indicator-denominator-always-zero = Izendatzailearen baldintzak elkarren kontrakoak dira, eta beraz beti zeroz zatituko litzateke
error-indicator-denominator-required = Ehuneko batek, milako batek edo ratio batek izendatzailea behar dute
error-indicator-denominator-not-allowed = Zenbaketek, egunek, euroek eta medianek ez dute izendatzailerik
error-indicator-period-rule = Adierazi zein datak kokatzen duen erregistro bat aldian: data bat, edo hasiera bat eta aukerako amaiera bat
error-indicator-sensitivity-unknown = Aukeratu arrunta edo sentikorra
error-indicator-direction-unknown = Adierazi hobea den balio handiagoa ala txikiagoa
error-indicator-figure-range = Idatzi 0 eta unitatearen gehienekoaren arteko zenbaki bat (100 ehunekoetan, 1000 milakoetan)
error-indicator-plan-required = Idatzi adierazle honek zein plani erantzuten dion
error-indicator-plan-version = Planaren bertsioa 1etik gorako zenbaki osoa da
indicator-no-data = Daturik ez
indicator-division-by-zero = Ezin da kalkulatu: ez dago zerez zatitu

error-indicator-disclosure = Ezin izan dira emaitzak argitaratzeko babestu; ez da ezer argitaratu. Jakinarazi administratzaileari
error-period-choice = Aukeratu urte bat (2026) edo hiruhileko bat (2026-Q2), edo eman hasiera- eta amaiera-egun bat
error-indicator-target-year = Urteko helburu bakoitzari urte desberdin bat eman, adierazlearen indarraldiaren barruan
