## Neighbourhood employment plans and training itineraries.

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
