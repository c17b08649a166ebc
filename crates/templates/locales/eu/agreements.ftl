## Hitzarmenak eta konpromisoak

nav-agreements = Hitzarmenak

error-agreement-kind = Aukeratu hitzarmen mota bat zerrendatik.
error-agreement-status = Aukeratu egoera bat zerrendatik.
error-agreement-target = Aukeratu kolektibo hartzaile bat zerrendatik.
error-party-role = Aukeratu rol bat zerrendatik.
error-commitment-kind = Aukeratu konpromiso mota bat zerrendatik.
error-commitment-status = Aukeratu egoera bat zerrendatik.

## Kode zerrendak

agreement-kind-private-partnership = Eragile pribatu batekiko aliantza
agreement-kind-public-collaboration = Eragile publiko batekiko lankidetza
agreement-status-draft = Zirriborroa
agreement-status-signed = Sinatua
agreement-status-active = Indarrean
agreement-status-expired = Iraungia
agreement-status-renewed = Berritua
agreement-status-terminated = Suntsiarazia
agreement-target-shops-and-businesses = Dendak eta enpresak
agreement-target-entrepreneurs = Ekintzaileak
agreement-target-migrants = Migratzaileak
agreement-target-job-seekers = Lan-eskatzaileak
agreement-target-young-people = Gazteak
agreement-target-women = Emakumeak
agreement-target-social-economy-entities = Ekonomia sozialeko erakundeak
agreement-target-residents = Auzotarrak
party-role-promoter = Sustatzailea
party-role-signatory = Sinatzailea
party-role-collaborator = Laguntzailea
commitment-kind-hire-participants = Parte-hartzaileak kontratatu
commitment-kind-offer-practicum-places = Praktika-plazak eskaini
commitment-kind-other = Beste bat
commitment-status-open = Irekita
commitment-status-met = Beteta
commitment-status-missed = Bete gabe
commitment-status-waived = Salbuetsita
commitment-standing-on-track = Epean
commitment-standing-at-risk = Arriskuan
commitment-standing-late = Berandu

## Orriak

agreements-title = Hitzarmenak
agreements-intro = Eragile pribatuekiko aliantza-hitzarmenak eta eragile publikoekiko lankidetza-hitzarmenak, beren konpromisoekin.
agreements-none = Ez dago bat datorren hitzarmenik.
agreements-any = Edozein
agreements-filter = Iragazi
agreement-caption = Hitzarmena
agreement-new-title = Hitzarmen berria
agreement-edit-title = Hitzarmena aldatu
agreement-save = Hitzarmena gorde
agreement-title = Izenburua
agreement-title-eu = Izenburua euskaraz
agreement-title-es = Izenburua gaztelaniaz
agreement-title-other = Izenburua beste hizkuntzan
agreement-kind = Mota
agreement-status = Egoera
agreement-scope = Xedea
agreement-scope-hint = Aldeek elkarrekin egitea adosten dutena.
agreement-parties = Aldeak
agreement-parties-hint = Direktorioko erakundeak. Gutxienez bat; sinatzeko, batek sinatzailea edo sustatzailea izan behar du (Udalak hitzarmen guztiak sinatzen ditu).
agreement-party-n = { $n }. aldea
agreement-party-role-n = { $n }. aldearen rola
agreement-party-role = Rola
agreement-organisation = Erakundea
agreement-neighbourhood = Auzoa
agreement-neighbourhoods = Auzoak
agreement-target-groups = Kolektibo hartzaileak
agreement-starts-on = Hasiera-data
agreement-ends-on = Amaiera-data
agreement-signed-on = Sinadura-data
agreement-signed-on-hint = Aldeek sinatu zuten data, UUUU-HH-EE eran.
agreement-budget = Aurrekontua
agreement-budget-hint = Eurotan, adibidez 12.000,50. Utzi hutsik hitzarmenak dirurik mugitzen ez badu.
agreement-renewal-notice = Berritze-abisua
agreement-renewal-notice-hint = Amaiera baino zenbat egun lehenago gogoraraziko zaion koordinazioari berritzeko.
agreement-days = { $days } egun
agreement-renews = Berritzen du
agreement-expiring-soon = Laster amaituko da
agreement-lifecycle = Bizi-zikloa
agreement-move-signed = Sinatutzat jo
agreement-move-active = Indarrean jarri
agreement-move-expired = Iraungitzat jo
agreement-move-terminated = Suntsiarazi
agreement-move-draft = Zirriborrora itzuli
agreement-move-renewed = Berritu
agreement-renew = Berritu (zirriborro berria)
documents-title = Dokumentuak
documents-none = Ez dago erreferentziatutako dokumenturik.
document-new-title = Dokumentu bat erreferentziatu
document-title = Dokumentua
document-dated-on = Data
document-reference = Non gordetzen den jatorrizko sinatua
document-reference-hint = Espediente-zenbakia, erregistro-idazpena edo artxiboko kokapena.
document-save = Erreferentzia gorde
commitments-title = Konpromisoak
commitments-none = Oraindik ez dago konpromisorik.
commitment-new-title = Konpromiso bat gehitu
commitment-edit-title = Konpromisoa
commitment-save = Konpromisoa gorde
commitment-kind = Konpromiso mota
commitment-organisation = Betetzen duen erakundea
commitment-organisation-hint = Kontratazioak zenbatzeko beharrezkoa: enplegatzaile honekiko laneratzeak zenbatzen dira.
commitment-description = Deskribapena
commitment-target = Helburua
commitment-unit = Unitatea
commitment-unit-hint = Zer zenbatzen den, adibidez «kontratatutako pertsonak».
commitment-due-on = Muga-data
commitment-training-action = Prestakuntza-ekintza
commitment-training-action-hint = Praktika-plazak zenbatzeko beharrezkoa: bere matrikulak zenbatzen dira.
commitment-evidence = Ebidentziak
commitment-evidence-hint = Aurrerapena egiaztatzen duena: txostenak, zerrendak, ziurtagiriak.
commitment-recorded-progress = Eskuz idatzitako aurrerapena
commitment-recorded-progress-hint = «Beste bat» motako konpromisoetan bakarrik zenbatzen da.
commitment-status = Egoera
commitment-progress = Aurrerapena
commitment-progress-text = { $target }(e)tik { $achieved } { $unit } (% { $percent })
notice-agreement-saved = Hitzarmena gorde da.
notice-agreement-moved = Hitzarmenaren egoera aldatu da.
notice-agreement-renewed = Berritzea zirriborro gisa sortu da.
notice-document-saved = Dokumentuaren erreferentzia gorde da.
notice-commitment-saved = Konpromisoa gorde da.
export-col-id = Identifikatzailea
export-col-agreement = Hitzarmena
export-col-clause = Klausula soziala
export-col-achieved = Lortua
export-col-percent = Ehunekoa
export-col-standing = Egoera

## Direktorioari eta klausula sozialei lotutako laneratzeak

placement-employer-organisation = Enplegatzailea direktorioan
placement-employer-organisation-hint = Enplegatzailea direktorioko erakunde bat bada, haren kontratazioak bere konpromisoetan zenbatzen dira.
placement-clause-link = Klausula sozial baten bidez kontratatua
placement-clause-link-hint = Pertsonak Udalak bere enpleguaren berri izateko baimena eman badu bakarrik.

## Akatsak

error-directory-organisation-unknown = Aukeratu direktorioko erakunde bat.
error-party-twice = Erakunde bakoitza behin bakarrik izan daiteke alde.
error-parties-required = Gehitu gutxienez alde bat.
error-parties-too-many = Alde gehiegi dago.
error-agreement-title-required = Idatzi izenburua.
error-agreement-scope-required = Idatzi xedea.
error-agreement-targets-required = Aukeratu gutxienez kolektibo hartzaile bat.
error-signed-after-end = Sinadura-data ezin da hitzarmenaren amaiera baino geroagokoa izan.
error-renewal-notice-days = Idatzi 0 eta 365 arteko egun kopuru bat.
error-agreement-signatory-required = Sinatzeko, gutxienez alde batek sinatzailea edo sustatzailea izan behar du.
error-signed-on-required = Idatzi sinadura-data.
error-document-reference-required = Idatzi non gordetzen den jatorrizko sinatua.
error-commitment-due-before-start = Muga-data ezin da hitzarmenaren hasiera baino lehenagokoa izan.
error-commitment-due-after-end = Muga-data ezin da hitzarmenaren amaiera baino geroagokoa izan.
error-commitment-target = Idatzi zero baino handiagoa den zenbaki oso bat.
error-commitment-organisation-required = Aukeratu zein erakunderen kontratazioak zenbatzen diren.
error-commitment-action-required = Aukeratu zein prestakuntza-ekintzaren matrikulak zenbatzen diren.
error-commitment-action-unknown = Aukeratu prestakuntza-ekintza bat zerrendatik.
error-commitment-unit-required = Idatzi zer zenbatzen den.
error-commitment-progress = Idatzi zenbaki oso bat, zero edo handiagoa.
error-agreement-move = Hitzarmena ezin da egungo egoeratik egoera horretara igaro.
error-agreement-closed = Itxitako hitzarmen bat ezin da aldatu.
error-clause-link-consent = Kontratazioa klausula sozial bati lotu daiteke soilik pertsonak Udalak bere enpleguaren berri izateko baimena indarrean badu.
error-social-clause-unknown = Aukeratu klausula sozial bat zerrendatik.

## Posta elektronikoa

email-agreement-renewal-subject = Hitzarmen bat berritzeko zain dago
email-agreement-renewal-body = Indarrean dagoen hitzarmen bat bere berritze-abisuaren epean amaituko da. Sartu Elkarlanen eta berrikusi Hitzarmenak atalean.
