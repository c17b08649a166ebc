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
