//! The demo's ecosystem: the organisations of Otxarkoaga's and Bilbao's economy (cooperatives,
//! insertion companies, special employment centres with their legal wording, associations,
//! foundations, a labour company, companies and neighbourhood shops, a university and public
//! bodies), their CPV activities, register entries for reserved contracts (one expiring soon,
//! one expired), two years of social audit figures, relationships, the pole's activities with
//! participation and entrepreneurship projects in every stage. All names and tax ids are
//! invented (the check characters are computed). Written by the `coordinator` account.
//! When the directory already has organisations nothing is added; [`seed`] still returns the
//! ids by key so other demo data can refer to them.

use anyhow::Context;
use chrono::{Datelike, Days, NaiveDate};
use elkarlan_domain::ecosystem::codes::VentureStage;
use elkarlan_domain::ecosystem::organisation::{
    OrganisationInput, PoleActivityInput, ProfileInput, QualificationInput, RelationInput,
    SupportInput, VentureInput,
};
use elkarlan_domain::policy::{self, Action, Grant, Target};
use elkarlan_domain::{OrganisationId, TenantId};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::{Store, organisations, pole, territory, users};
use std::collections::HashMap;

/// The demo organisations by a short key (`garbiker`, `lanberri`, `upv`, `aldundia`, ...).
#[derive(Clone, Debug, Default)]
pub struct DemoOrganisations {
    pub by_key: HashMap<&'static str, OrganisationId>,
}

impl DemoOrganisations {
    pub fn get(&self, key: &str) -> anyhow::Result<OrganisationId> {
        self.by_key
            .get(key)
            .copied()
            .with_context(|| format!("demo organisation {key} is missing"))
    }
}

struct Org {
    key: &'static str,
    name: &'static str,
    tax_id: &'static str,
    form: &'static str,
    label: &'static str,
    sector: &'static str,
    area: &'static str,
    activities: &'static [&'static str],
    pole: bool,
    registers: &'static str,
    contacts: &'static str,
    address: &'static str,
    website: &'static str,
}

const EEI: &str = "Empresa de inserción (Decreto 182/2008)";
const CEE: &str = "Centro Especial de Empleo de iniciativa social";

const ORGS: &[Org] = &[
    Org {
        key: "garbiker",
        name: "Garbiker Koop. Elk.",
        tax_id: "F48700017",
        form: "cooperative",
        label: "",
        sector: "n",
        area: "Otxarkoaga",
        activities: &["90910000", "90911200", "90919200"],
        pole: true,
        registers: "Registro de Cooperativas de Euskadi; 01-B-2714",
        contacts: "Nerea Urkiola; koordinatzailea; nerea@garbiker.example; 944 120 301",
        address: "Txotena kalea 12, Bilbao",
        website: "garbiker.example",
    },
    Org {
        key: "sukalde",
        name: "Sukalde Otxarkoaga Koop. Elk.",
        tax_id: "F48700025",
        form: "cooperative",
        label: "",
        sector: "i",
        area: "Otxarkoaga",
        activities: &["55520000", "55321000", "55521100"],
        pole: true,
        registers: "Registro de Cooperativas de Euskadi; 01-B-2890",
        contacts: "Aitor Goikoetxea; sukaldari burua; aitor@sukalde.example; 944 120 302",
        address: "Zizeruena kalea 4, Bilbao",
        website: "",
    },
    Org {
        key: "josketa",
        name: "Josketa Ehungintza Koop. Elk.",
        tax_id: "F48700033",
        form: "cooperative",
        label: "",
        sector: "c",
        area: "Santutxu",
        activities: &["18110000", "39520000", "98393000"],
        pole: true,
        registers: "Registro de Cooperativas de Euskadi; 01-B-3102",
        contacts: "Fatima Benali; bazkide langilea; fatima@josketa.example; 944 120 303",
        address: "Karmelo kalea 21, Bilbao",
        website: "josketa.example",
    },
    Org {
        key: "berriztu",
        name: "Berriztu Gizarteratze Enpresa SL",
        tax_id: "B48700041",
        form: "insertion_company",
        label: EEI,
        sector: "e",
        area: "Otxarkoaga",
        activities: &["90514000", "90511000", "39500000", "90910000"],
        pole: true,
        registers: "Registro Mercantil de Bizkaia; BI-61234",
        contacts: "Koldo Arrieta; gerentea; koldo@berriztu.example; 944 120 304",
        address: "Langaran industrialdea 3, Bilbao",
        website: "berriztu.example",
    },
    Org {
        key: "lorategi",
        name: "Lorategi Berdeak EI SL",
        tax_id: "B48700058",
        form: "insertion_company",
        label: EEI,
        sector: "n",
        area: "Txurdinaga",
        activities: &["77310000", "77313000", "77340000"],
        pole: true,
        registers: "",
        contacts: "Ane Zabala; harreman arduraduna; ane@lorategi.example; 944 120 305",
        address: "Txurdinaga errepidea 40, Bilbao",
        website: "",
    },
    Org {
        key: "lanberri",
        name: "Lanberri CEE",
        tax_id: "G48700066",
        form: "special_employment_centre",
        label: CEE,
        sector: "n",
        area: "Otxarkoaga",
        activities: &["90910000", "79810000", "98310000", "77310000"],
        pole: true,
        registers: "Registro de Asociaciones de Euskadi; AS/B/11452",
        contacts: "Itziar Mendibil; zuzendaria; itziar@lanberri.example; 944 120 306",
        address: "Otxarkoaga kalea 77, Bilbao",
        website: "lanberri.example",
    },
    Org {
        key: "inprimatu",
        name: "Inprimatu CEE",
        tax_id: "G48700074",
        form: "special_employment_centre",
        label: CEE,
        sector: "c",
        area: "Santutxu",
        activities: &["79800000", "79822500"],
        pole: false,
        registers: "",
        contacts: "Patxi Olabarria; ekoizpen burua; ; 944 120 307",
        address: "Santutxu kalea 9, Bilbao",
        website: "",
    },
    Org {
        key: "zaindu",
        name: "Zaindu Lan Sozietatea",
        tax_id: "B48700082",
        form: "labour_company",
        label: "Sociedad Laboral Limitada",
        sector: "q",
        area: "Txurdinaga",
        activities: &["85312000", "85311100"],
        pole: true,
        registers: "Registro de Sociedades Laborales; SLL-48/0934",
        contacts: "Mertxe Ibarra; administratzailea; mertxe@zaindu.example; 944 120 308",
        address: "",
        website: "",
    },
    Org {
        key: "auzo_elkartea",
        name: "Otxarkoagako Auzo Elkartea",
        tax_id: "G48700090",
        form: "association",
        label: "",
        sector: "s",
        area: "Otxarkoaga",
        activities: &["85322000", "92000000"],
        pole: true,
        registers: "Registro de Asociaciones de Euskadi; AS/B/02231",
        contacts: "Josu Larrea; lehendakaria; ; 944 120 309",
        address: "Irumineta kalea 1, Bilbao",
        website: "",
    },
    Org {
        key: "bizigune",
        name: "Bizigune Kooperatiba Mistoa",
        tax_id: "F48700108",
        form: "cooperative",
        label: "Cooperativa de iniciativa social",
        sector: "q",
        area: "Otxarkoaga",
        activities: &["85312300", "85312510"],
        pole: true,
        registers: "Registro de Cooperativas de Euskadi; 01-B-3377",
        contacts: "Oihana Etxebarria; orientatzailea; oihana@bizigune.example; 944 120 310",
        address: "",
        website: "",
    },
    Org {
        key: "elkarrekin",
        name: "Elkarrekin Fundazioa",
        tax_id: "G48700116",
        form: "foundation",
        label: "",
        sector: "q",
        area: "",
        activities: &["85312400", "80530000"],
        pole: true,
        registers: "Registro de Fundaciones del País Vasco; F-412",
        contacts: "Begoña Azkue; zuzendari nagusia; begona@elkarrekin.example; 944 120 311",
        address: "Gran Vía 50, Bilbao",
        website: "elkarrekin.example",
    },
    Org {
        key: "harrera",
        name: "Harrera Elkartea",
        tax_id: "G48700124",
        form: "association",
        label: "",
        sector: "q",
        area: "San Francisco",
        activities: &["85310000", "79530000"],
        pole: true,
        registers: "Registro de Asociaciones de Euskadi; AS/B/07788",
        contacts: "Moussa Diallo; bitartekaria; ; 944 120 312",
        address: "San Frantzisko kalea 30, Bilbao",
        website: "",
    },
    Org {
        key: "eraikuntza",
        name: "Eraikuntza Bizkaia SA",
        tax_id: "A48700132",
        form: "company",
        label: "",
        sector: "f",
        area: "",
        activities: &["45453000", "45442100", "50700000"],
        pole: false,
        registers: "Registro Mercantil de Bizkaia; BI-20417",
        contacts: "Iñaki Gorostiza; erosketa arduraduna; inaki@eraikuntza.example; 944 120 313",
        address: "Zorrotzaurre 8, Bilbao",
        website: "eraikuntza.example",
    },
    Org {
        key: "txoko_denda",
        name: "Txoko Denda SL",
        tax_id: "B48700140",
        form: "company",
        label: "",
        sector: "g",
        area: "Otxarkoaga",
        activities: &["15800000", "03221000"],
        pole: true,
        registers: "",
        contacts: "Rosa Ugarte; jabea; ; 944 120 314",
        address: "Txotena kalea 2, Bilbao",
        website: "",
    },
    Org {
        key: "okindegia",
        name: "Otxarkoagako Okindegia SL",
        tax_id: "B48700157",
        form: "company",
        label: "",
        sector: "c",
        area: "Otxarkoaga",
        activities: &["15800000"],
        pole: false,
        registers: "",
        contacts: "Andoni Bilbao; okina; ; 944 120 315",
        address: "Otxarkoaga kalea 15, Bilbao",
        website: "",
    },
    Org {
        key: "ileapaindegia",
        name: "Ile-apaindegia Lorea SL",
        tax_id: "B48700165",
        form: "company",
        label: "",
        sector: "s",
        area: "Otxarkoaga",
        activities: &["98300000"],
        pole: false,
        registers: "",
        contacts: "",
        address: "Zizeruena kalea 10, Bilbao",
        website: "",
    },
    Org {
        key: "upv",
        name: "Euskal Herriko Unibertsitatea (demo)",
        tax_id: "Q4870017C",
        form: "university",
        label: "",
        sector: "p",
        area: "",
        activities: &["80500000", "80530000"],
        pole: false,
        registers: "",
        contacts: "Amaia Etxeberria; GKE katedra; amaia@upv.example; 946 010 000",
        address: "Sarriena auzoa, Leioa",
        website: "upv.example",
    },
    Org {
        key: "lanbide",
        name: "Lanbide – Euskal Enplegu Zerbitzua (demo)",
        tax_id: "Q4870018A",
        form: "public_body",
        label: "",
        sector: "n",
        area: "",
        activities: &["79610000"],
        pole: false,
        registers: "",
        contacts: "",
        address: "Otxarkoaga kalea 40, Bilbao",
        website: "lanbide.example",
    },
    Org {
        key: "aldundia",
        name: "Bizkaiko Foru Aldundia (demo)",
        tax_id: "P4870019I",
        form: "public_body",
        label: "",
        sector: "o",
        area: "",
        activities: &["85320000"],
        pole: false,
        registers: "",
        contacts: "Gorka Uriarte; gizarte ekintza saila; gorka@bizkaia.example; 944 068 000",
        address: "Gran Vía 25, Bilbao",
        website: "bizkaia.example",
    },
    Org {
        key: "mahai",
        name: "Mahai Koop. Elk.",
        tax_id: "F48700207",
        form: "cooperative",
        label: "",
        sector: "i",
        area: "Txurdinaga",
        activities: &["55524000", "55520000"],
        pole: true,
        registers: "Registro de Cooperativas de Euskadi; 01-B-3561",
        contacts: "Leire Agirre; bazkidea; leire@mahai.example; 944 120 320",
        address: "",
        website: "",
    },
    Org {
        key: "garraio",
        name: "Garraio Soziala SL",
        tax_id: "B48700215",
        form: "company",
        label: "",
        sector: "h",
        area: "",
        activities: &["60130000"],
        pole: false,
        registers: "",
        contacts: "",
        address: "",
        website: "",
    },
    Org {
        key: "sarea",
        name: "Ekonomia Solidarioaren Sarea (demo)",
        tax_id: "G48700223",
        form: "association",
        label: "",
        sector: "s",
        area: "",
        activities: &["79952000"],
        pole: true,
        registers: "Registro de Asociaciones de Euskadi; AS/B/05510",
        contacts: "Unai Bengoetxea; dinamizatzailea; unai@sarea.example; 944 120 322",
        address: "",
        website: "sarea.example",
    },
    Org {
        key: "federazioa",
        name: "Bizkaiko Kooperatiben Federazioa (demo)",
        tax_id: "F48700231",
        form: "cooperative",
        label: "Cooperativa de segundo grado",
        sector: "s",
        area: "",
        activities: &["79952000", "80500000"],
        pole: false,
        registers: "",
        contacts: "",
        address: "",
        website: "",
    },
    Org {
        key: "berdea",
        name: "Energia Berdea SL",
        tax_id: "B48700249",
        form: "company",
        label: "",
        sector: "d",
        area: "",
        activities: &["50700000"],
        pole: false,
        registers: "",
        contacts: "",
        address: "",
        website: "",
    },
    Org {
        key: "auzolagun",
        name: "Auzolagun Gazte Elkartea",
        tax_id: "G48700256",
        form: "association",
        label: "",
        sector: "q",
        area: "Otxarkoaga",
        activities: &["85311300"],
        pole: true,
        registers: "",
        contacts: "Hodei Saez; hezitzailea; ; 944 120 325",
        address: "",
        website: "",
    },
    Org {
        key: "sukalde_irekia",
        name: "Sukalde Irekia Gizarteratze Enpresa SL",
        tax_id: "B48700264",
        form: "insertion_company",
        label: EEI,
        sector: "i",
        area: "Otxarkoaga",
        activities: &["55520000", "55321000", "55300000"],
        pole: true,
        registers: "Registro Mercantil de Bizkaia; BI-70551",
        contacts: "Aitor Zabala; kudeatzailea; aitor@sukaldeirekia.example; 944 120 377",
        address: "Zizeruena kalea 4, Bilbao",
        website: "sukaldeirekia.example",
    },
    Org {
        key: "zerbitzuak",
        name: "Zerbitzu Integralak Bizkaia SA",
        tax_id: "A48700272",
        form: "company",
        label: "",
        sector: "n",
        area: "",
        activities: &["79500000", "90910000", "77310000", "98341120"],
        pole: false,
        registers: "Registro Mercantil de Bizkaia; BI-15502",
        contacts: "",
        address: "Gran Vía 45, Bilbao",
        website: "zerbitzuak.example",
    },
    Org {
        key: "merkatariak",
        name: "Otxarkoagako Merkatarien Elkartea",
        tax_id: "G48700280",
        form: "association",
        label: "",
        sector: "s",
        area: "Otxarkoaga",
        activities: &["79952000"],
        pole: true,
        registers: "Registro de Asociaciones de Euskadi; AS/B/09914",
        contacts: "Miren Etxeberria; presidentea; miren@merkatariak.example; 944 120 388",
        address: "Otxarkoaga plaza 2, Bilbao",
        website: "",
    },
    Org {
        key: "super_bizkaia",
        name: "Super Bizkaia Supermerkatuak SA",
        tax_id: "A48700298",
        form: "company",
        label: "",
        sector: "g",
        area: "",
        activities: &["15800000"],
        pole: false,
        registers: "Registro Mercantil de Bizkaia; BI-08813",
        contacts: "",
        address: "Zorrotzaurre 21, Bilbao",
        website: "superbizkaia.example",
    },
    Org {
        key: "biltegi",
        name: "Biltegi Logistika SL",
        tax_id: "B48700306",
        form: "company",
        label: "",
        sector: "h",
        area: "",
        activities: &["63100000", "63120000"],
        pole: false,
        registers: "Registro Mercantil de Bizkaia; BI-33870",
        contacts: "",
        address: "Bolueta kalea 8, Bilbao",
        website: "",
    },
    Org {
        key: "irati",
        name: "Irati Zubiaurre Diseinua",
        tax_id: "71234567W",
        form: "self_employed",
        label: "",
        sector: "m",
        area: "Otxarkoaga",
        activities: &["79822500"],
        pole: true,
        registers: "",
        contacts: "",
        address: "",
        website: "",
    },
];

/// Organisation key, workforce, women, women and people in responsibility, hired from exclusion,
/// permanent contracts, salary ratio, renewable %, ethical finance.
type ProfileRow = (
    &'static str,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    &'static str,
    &'static str,
    bool,
);
/// Kind, title eu, title es, days ago, hours, attendees, (organisation key, people).
type ActivityRow = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static str,
    &'static str,
    &'static [(&'static str, i64)],
);
/// Name, stage, intended form, organisation key once constituted, (support, hours, euros).
type VentureRow = (
    &'static str,
    VentureStage,
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, &'static str, &'static str)],
);

#[allow(clippy::needless_pass_by_value)] // shaped for `map_err`, which hands over the value
fn fail(e: elkarlan_domain::FieldErrors) -> anyhow::Error {
    anyhow::anyhow!("demo ecosystem data does not parse: {e:?}")
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Creates the demo ecosystem unless the directory already has organisations; returns the ids
/// of the demo organisations by key.
pub async fn seed(store: &Store, tenant: TenantId) -> anyhow::Result<DemoOrganisations> {
    let mut out = DemoOrganisations::default();
    let existing = organisations::list_full(store, tenant).await?;
    if !existing.is_empty() {
        for o in ORGS {
            if let Some(id) = organisations::by_tax_id(store, tenant, o.tax_id).await? {
                out.by_key.insert(o.key, id);
            }
        }
        return Ok(out);
    }
    let coordinator = users::credentials(store, tenant, "coordinator")
        .await?
        .context("demo account coordinator is missing")?
        .user
        .actor();
    let grant: Grant = policy::decide(
        &coordinator,
        Action::ManageEcosystem,
        Target::tenant_wide(tenant),
    )
    .map_err(|d| anyhow::anyhow!("demo grant refused: {}", d.reason))?;
    let meta = RequestMeta::default();
    let areas = territory::list(store, tenant).await?;
    let area = |name: &str| {
        areas
            .iter()
            .find(|a| a.kind == "neighbourhood" && a.name_es == name)
            .map(|a| a.id.to_string())
            .unwrap_or_default()
    };
    let today = chrono::Utc::now().date_naive();
    let year = today.year();
    for o in ORGS {
        let since = if o.pole {
            format!("{}-03-15", year - 3)
        } else {
            String::new()
        };
        let d = OrganisationInput {
            name: o.name.into(),
            tax_id: o.tax_id.into(),
            legal_form: o.form.into(),
            legal_label: o.label.into(),
            sector: o.sector.into(),
            neighbourhood: if o.area.is_empty() {
                String::new()
            } else {
                area(o.area)
            },
            address: o.address.into(),
            website: o.website.into(),
            activities: o.activities.iter().map(|c| (*c).to_owned()).collect(),
            registers: o.registers.into(),
            contacts: o.contacts.into(),
            pole_member: o.pole,
            pole_member_since: since,
            ..OrganisationInput::default()
        }
        .parse()
        .map_err(fail)?;
        let id = organisations::create(store, &grant, &meta, &d).await?;
        out.by_key.insert(o.key, id);
    }
    let id = |k: &str| out.get(k);

    // Register entries: in force, expiring within weeks, open-ended and expired.
    let quals = [
        (
            "berriztu",
            "insertion_company_register",
            "EI-48/0031",
            today - Days::new(3 * 365),
            Some(today + Days::new(40)),
        ),
        (
            "lorategi",
            "insertion_company_register",
            "EI-48/0057",
            today - Days::new(400),
            Some(today + Days::new(2 * 365)),
        ),
        (
            "lanberri",
            "special_employment_centre_register",
            "CEE-48/0210",
            today - Days::new(6 * 365),
            None,
        ),
        (
            "sukalde_irekia",
            "insertion_company_register",
            "EI-48/0150",
            today - Days::new(3 * 365),
            None,
        ),
        (
            "inprimatu",
            "special_employment_centre_register",
            "CEE-48/0188",
            today - Days::new(5 * 365),
            Some(today - Days::new(90)),
        ),
    ];
    for (k, kind, number, granted, expires) in quals {
        let d = QualificationInput {
            kind: kind.into(),
            register_number: number.into(),
            granted_on: ymd(granted),
            expires_on: expires.map(ymd).unwrap_or_default(),
            evidence: format!("Resolución de inscripción {number} (BOPV)"),
        }
        .parse()
        .map_err(fail)?;
        organisations::add_qualification(store, &grant, &meta, id(k)?, &d).await?;
    }

    // Relationships.
    let relations = [
        ("garbiker", "federated_in", "federazioa", "2019-01-01", ""),
        ("sukalde", "federated_in", "federazioa", "2021-06-01", ""),
        ("garbiker", "member_of", "sarea", "2020-02-01", ""),
        ("berriztu", "promoted_by", "elkarrekin", "2016-09-01", ""),
        ("lanberri", "owned_by", "harrera", "2012-04-01", ""),
        ("mahai", "partner_of", "sukalde", "2024-01-01", ""),
        (
            "lorategi",
            "subcontractor_of",
            "eraikuntza",
            "2023-03-01",
            "2024-12-31",
        ),
    ];
    for (from, kind, to, starts, ends) in relations {
        let from = id(from)?;
        let d = RelationInput {
            kind: kind.into(),
            to: id(to)?.to_string(),
            starts_on: starts.into(),
            ends_on: ends.into(),
        }
        .parse(from)
        .map_err(fail)?;
        organisations::add_relation(store, &grant, &meta, from, &d).await?;
    }

    // Social audit figures for the last two years.
    let profiles: [ProfileRow; 10] = [
        ("garbiker", 34, 22, 3, 5, 9, 26, "1,8", "100", true),
        ("sukalde", 12, 8, 2, 3, 4, 9, "1,5", "60", true),
        ("josketa", 9, 8, 2, 2, 3, 7, "1,3", "100", true),
        ("berriztu", 41, 15, 2, 6, 28, 12, "2,1", "45", true),
        ("lorategi", 18, 5, 1, 3, 11, 6, "2", "30", false),
        ("lanberri", 63, 29, 4, 9, 40, 38, "2,4", "80", true),
        ("zaindu", 22, 19, 3, 4, 5, 17, "1,6", "50", false),
        ("bizigune", 15, 11, 3, 4, 6, 10, "1,4", "100", true),
        ("elkarrekin", 48, 35, 6, 8, 12, 40, "2,7", "70", true),
        ("mahai", 7, 4, 1, 2, 2, 5, "1,2", "100", true),
    ];
    for (k, workforce, women, wir, pir, excl, perm, ratio, renewable, ethical) in profiles {
        for (y, grow) in [(year - 2, 0i64), (year - 1, 1i64)] {
            let d = ProfileInput {
                workforce: (workforce + grow * 2).to_string(),
                women: (women + grow).to_string(),
                women_in_responsibility: (wir).to_string(),
                people_in_responsibility: pir.to_string(),
                hired_from_exclusion: (excl + grow).to_string(),
                permanent_contracts: (perm + grow).to_string(),
                salary_ratio: ratio.into(),
                renewable_energy_percent: renewable.into(),
                ethical_finance: ethical,
                turnover: (workforce * 38_000 + grow * 25_000).to_string(),
                volunteers: (if k == "elkarrekin" { 60 } else { 0 }).to_string(),
            }
            .parse(y)
            .map_err(fail)?;
            organisations::save_profile(store, &grant, &meta, id(k)?, &d).await?;
        }
    }

    // The pole's activities with participation.
    let activities: [ActivityRow; 5] = [
        (
            "event",
            "Ekonopolo urteko topaketa",
            "Encuentro anual de Ekonopolo",
            200,
            "4",
            "85",
            &[
                ("garbiker", 4),
                ("sukalde", 3),
                ("lanberri", 5),
                ("sarea", 2),
                ("txoko_denda", 1),
            ],
        ),
        (
            "training",
            "Kontratazio publiko arduratsua",
            "Contratación pública responsable",
            120,
            "6",
            "22",
            &[
                ("berriztu", 2),
                ("lorategi", 2),
                ("lanberri", 3),
                ("inprimatu", 1),
            ],
        ),
        (
            "co_creation",
            "Otxarkoagako merkataritza saioa",
            "Sesión de cocreación del comercio de Otxarkoaga",
            60,
            "2,5",
            "17",
            &[
                ("txoko_denda", 2),
                ("okindegia", 1),
                ("ileapaindegia", 1),
                ("auzo_elkartea", 3),
            ],
        ),
        (
            "training",
            "Kooperatiba bat sortzen",
            "Creando una cooperativa",
            30,
            "3",
            "14",
            &[("federazioa", 2), ("mahai", 3)],
        ),
        (
            "event",
            "Gizarte balantzearen aurkezpena",
            "Presentación del balance social",
            10,
            "2",
            "40",
            &[("sarea", 3), ("upv", 2), ("aldundia", 1), ("garbiker", 2)],
        ),
    ];
    for (kind, eu, es, days_ago, hours, attendees, parts) in activities {
        let participants = parts
            .iter()
            .map(|(k, n)| {
                ORGS.iter()
                    .find(|o| o.key == *k)
                    .map(|o| format!("{}; {n}", o.tax_id))
                    .with_context(|| format!("demo organisation {k} is missing"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?
            .join("\n");
        let d = PoleActivityInput {
            kind: kind.into(),
            title_eu: eu.into(),
            title_es: es.into(),
            held_on: ymd(today - Days::new(u64::try_from(days_ago).unwrap_or(0))),
            neighbourhood: area("Otxarkoaga"),
            hours: hours.into(),
            attendees: attendees.into(),
            participants: String::new(),
        }
        .parse()
        .map_err(fail)?;
        let mut resolved = Vec::new();
        for line in participants.lines() {
            let (tax, n) = line.split_once(';').context("participant line")?;
            let org = organisations::by_tax_id(store, tenant, tax.trim())
                .await?
                .context("participant")?;
            resolved.push((org, n.trim().parse::<i64>()?));
        }
        pole::create_activity(store, &grant, &meta, &d, &resolved).await?;
    }

    // Entrepreneurship projects in every stage, with the support given.
    let ventures: [VentureRow; 5] = [
        (
            "Auzo-kafetegia",
            VentureStage::Idea,
            "cooperative",
            None,
            &[("Lehen harrera eta orientazioa", "2", "")],
        ),
        (
            "Bizikleta konponketa tailerra",
            VentureStage::Incubation,
            "labour_company",
            None,
            &[
                ("Negozio planaren tutoretza", "12", ""),
                ("Lokal baten lagapena (3 hilabete)", "0", "1.800"),
            ],
        ),
        (
            "Mahai jantoki soziala",
            VentureStage::Constituted,
            "cooperative",
            Some("mahai"),
            &[
                ("Eraketa aholkularitza", "8", ""),
                ("Hasierako diru-laguntza", "0", "6.000"),
            ],
        ),
        (
            "Josketa tailerra",
            VentureStage::Operating,
            "cooperative",
            Some("josketa"),
            &[
                ("Makineria erosteko laguntza", "0", "12.500"),
                ("Merkaturatze mentoria", "16", ""),
            ],
        ),
        (
            "Etxez etxeko zaintza taldea",
            VentureStage::Incubation,
            "cooperative",
            None,
            &[("Prestakuntza kooperatibismoan", "20", "")],
        ),
    ];
    for (i, (name, stage, form, org, support)) in ventures.iter().enumerate() {
        let d = VentureInput {
            name: (*name).into(),
            stage: "idea".into(),
            neighbourhood: area("Otxarkoaga"),
            started_on: ymd(today - Days::new(500 - 60 * i as u64)),
            intended_form: (*form).into(),
            promoters: (2 + i).to_string(),
        }
        .parse()
        .map_err(fail)?;
        let v = pole::create_venture(store, &grant, &meta, &d).await?;
        for (j, (what, hours, amount)) in support.iter().enumerate() {
            let s = SupportInput {
                given_on: ymd(today - Days::new(400 - 60 * i as u64 - 30 * j as u64)),
                support: (*what).into(),
                hours: (*hours).into(),
                amount: (*amount).into(),
            }
            .parse()
            .map_err(fail)?;
            pole::add_support(store, &grant, &meta, v, &s).await?;
        }
        if *stage != VentureStage::Idea {
            let linked = match org {
                Some(k) => Some(id(k)?),
                None => None,
            };
            pole::move_stage(store, &grant, &meta, v, VentureStage::Idea, *stage, linked).await?;
        }
    }
    Ok(out)
}
