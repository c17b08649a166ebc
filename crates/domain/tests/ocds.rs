//! The OCDS codec against the standard itself: the bundled schemas' required fields and code
//! lists, the export validated by the schema, round trips (hand-made and generated records),
//! the standard's worked examples, and damaged packages that must be refused without panics.

mod common;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::ocds_package;
use elkarlan_domain::ecosystem::codes::{
    ClausePurpose, ClauseStage, ContractStatus, ProcurementCategory, ProcurementProcedure,
    Reservation,
};
use elkarlan_domain::ecosystem::contract::{ClauseRecord, ContractRecord, LotRecord, PartyRef};
use elkarlan_domain::ecosystem::cpv::Cpv;
use elkarlan_domain::ecosystem::ocds::{self, OcdsProblem, parse_package, release_package};
use elkarlan_domain::identity::TaxId;
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ocds");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn schema(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------------------------
// Synthetic data

/// A valid organisation tax id with entity letter `letter` and seven digits `n`.
fn cif(letter: char, n: u32) -> TaxId {
    (0..10)
        .map(|d| format!("{letter}{n:07}{d}"))
        .chain("JABCDEFGHI".chars().map(|c| format!("{letter}{n:07}{c}")))
        .find_map(|s| TaxId::parse(&s).ok())
        .unwrap_or_else(|| panic!("no control character for {letter}{n}"))
}

fn cpv(code: &str) -> Cpv {
    Cpv::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("{y}-{m}-{d}"))
}

fn published() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0)
        .single()
        .unwrap_or_else(|| panic!("a valid instant"))
}

fn party(name: &str, letter: char, n: u32) -> PartyRef {
    PartyRef {
        name: name.to_owned(),
        tax_id: cif(letter, n),
    }
}

/// A year of Otxarkoaga-flavoured contracts, one in each state.
fn samples() -> Vec<ContractRecord> {
    let body = "Bilboko Udala / Ayuntamiento de Bilbao";
    let cleaning = ContractRecord {
        ocid: "ocds-e1k4r1-2026-0042".into(),
        file_number: "2026-0042".into(),
        contracting_body: body.into(),
        title: "Limpieza de equipamientos municipales de Otxarkoaga".into(),
        description: Some("Gizarte etxea, kiroldegia eta liburutegia garbitzea.".into()),
        cpv: cpv("90910000"),
        category: ProcurementCategory::Services,
        procedure: ProcurementProcedure::Open,
        status: ContractStatus::InExecution,
        amount_cents: 48_000_050,
        published_on: Some(date(2026, 2, 3)),
        awarded_on: Some(date(2026, 4, 20)),
        starts_on: Some(date(2026, 5, 1)),
        ends_on: Some(date(2028, 4, 30)),
        reservation: Reservation::NotReserved,
        awardee: None,
        awarded_cents: None,
        lots: vec![
            LotRecord {
                number: 1,
                title: "Gizarte etxea eta kiroldegia".into(),
                cpv: cpv("90911200"),
                amount_cents: 30_000_000,
                reservation: Reservation::NotReserved,
                awardee: Some(party("Garbiketa Txukun S.L.", 'B', 4_821_337)),
                awarded_cents: Some(28_950_000),
            },
            LotRecord {
                number: 2,
                title: "Liburutegia (reservado a centros especiales de empleo)".into(),
                cpv: cpv("90910000"),
                amount_cents: 18_000_050,
                reservation: Reservation::SpecialEmploymentCentres,
                awardee: Some(party("Otxar Lan Fundazioa CEE", 'G', 9_512_004)),
                awarded_cents: Some(17_500_025),
            },
        ],
        clauses: vec![
            ClauseRecord {
                lot: None,
                stage: ClauseStage::ExecutionCondition,
                purpose: ClausePurpose::HiringAtRisk,
                description: "30 % de la plantilla adscrita, personas en riesgo de exclusión."
                    .into(),
                weight_percent: None,
            },
            ClauseRecord {
                lot: Some(1),
                stage: ClauseStage::AwardCriterion,
                purpose: ClausePurpose::GenderEquality,
                description: "Plan de igualdad y mujeres en puestos de responsabilidad.".into(),
                weight_percent: Some(10),
            },
        ],
    };
    let catering = ContractRecord {
        ocid: "ocds-e1k4r1-2026-0107".into(),
        file_number: "2026-0107".into(),
        contracting_body: body.into(),
        title: "Servicio de catering para el programa de empleo juvenil".into(),
        description: None,
        cpv: cpv("55520000"),
        category: ProcurementCategory::Services,
        procedure: ProcurementProcedure::SimplifiedOpen,
        status: ContractStatus::Tendering,
        amount_cents: 9_900_000,
        published_on: Some(date(2026, 10, 1)),
        awarded_on: None,
        starts_on: Some(date(2027, 1, 1)),
        ends_on: None,
        reservation: Reservation::InsertionCompanies,
        awardee: None,
        awarded_cents: None,
        lots: vec![],
        clauses: vec![ClauseRecord {
            lot: None,
            stage: ClauseStage::Selection,
            purpose: ClausePurpose::LocalTraining,
            description: "Prácticas para dos personas del barrio.".into(),
            weight_percent: None,
        }],
    };
    let gardening = ContractRecord {
        ocid: "ocds-e1k4r1-2025-0311".into(),
        file_number: "2025-0311".into(),
        contracting_body: body.into(),
        title: "Mantenimiento de zonas verdes de Lezeaga".into(),
        description: None,
        cpv: cpv("77310000"),
        category: ProcurementCategory::Services,
        procedure: ProcurementProcedure::Restricted,
        status: ContractStatus::Completed,
        amount_cents: 12_000_000,
        published_on: Some(date(2025, 3, 3)),
        awarded_on: Some(date(2025, 5, 5)),
        starts_on: Some(date(2025, 6, 1)),
        ends_on: Some(date(2026, 5, 31)),
        reservation: Reservation::Both,
        awardee: Some(party("Berdegune Koop. Elk.", 'F', 1_204_567)),
        awarded_cents: Some(11_500_000),
        lots: vec![],
        clauses: vec![],
    };
    let minor = ContractRecord {
        ocid: "ocds-e1k4r1-2026-0500".into(),
        file_number: "2026-0500".into(),
        contracting_body: body.into(),
        title: "Impresión de folletos del polo de economía social".into(),
        description: None,
        cpv: cpv("79810000"),
        category: ProcurementCategory::Services,
        procedure: ProcurementProcedure::Minor,
        status: ContractStatus::Cancelled,
        amount_cents: 150_000,
        published_on: None,
        awarded_on: None,
        starts_on: None,
        ends_on: None,
        reservation: Reservation::NotReserved,
        awardee: None,
        awarded_cents: None,
        lots: vec![],
        clauses: vec![],
    };
    let planned = ContractRecord {
        ocid: "ocds-e1k4r1-2027-0001".into(),
        file_number: "2027-0001".into(),
        contracting_body: body.into(),
        title: "Plataforma de intermediación laboral".into(),
        description: None,
        cpv: cpv("72000000"),
        category: ProcurementCategory::Services,
        procedure: ProcurementProcedure::InnovationPartnership,
        status: ContractStatus::Planned,
        amount_cents: 0,
        published_on: None,
        awarded_on: None,
        starts_on: None,
        ends_on: None,
        reservation: Reservation::NotReserved,
        awardee: None,
        awarded_cents: None,
        lots: vec![],
        clauses: vec![],
    };
    let awarded_works = ContractRecord {
        ocid: "ocds-e1k4r1-2026-0201".into(),
        file_number: "2026-0201".into(),
        contracting_body: "Bilbao Kirolak".into(),
        title: "Reforma de vestuarios del polideportivo".into(),
        description: Some("Obra con cláusula de subcontratación a la economía social.".into()),
        cpv: cpv("45000000"),
        category: ProcurementCategory::Works,
        procedure: ProcurementProcedure::Negotiated,
        status: ContractStatus::Awarded,
        amount_cents: 25_000_000,
        published_on: Some(date(2026, 6, 1)),
        awarded_on: Some(date(2026, 9, 15)),
        starts_on: None,
        ends_on: None,
        reservation: Reservation::NotReserved,
        awardee: Some(party("Eraikuntzak Txorierri S.A.", 'A', 3_300_112)),
        awarded_cents: Some(24_199_999),
        lots: vec![],
        clauses: vec![ClauseRecord {
            lot: None,
            stage: ClauseStage::ExecutionCondition,
            purpose: ClausePurpose::SseSubcontracting,
            description: "Subcontratar al menos el 5 % con entidades de economía social.".into(),
            weight_percent: None,
        }],
    };
    vec![cleaning, catering, gardening, minor, planned, awarded_works]
}

fn export(records: &[ContractRecord]) -> Value {
    release_package(
        records,
        published(),
        "https://elkarlan.example.org/open-data/contracts.json",
        "Bilboko Udala",
    )
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_else(|e| panic!("{e}"))
}

fn problems(data: &[u8]) -> Vec<OcdsProblem> {
    match parse_package(data) {
        Ok(r) => panic!("expected problems, imported {} records", r.len()),
        Err(p) => p,
    }
}

fn has(problems: &[OcdsProblem], path: &str, key: &str) -> bool {
    problems.iter().any(|p| p.path == path && p.key == key)
}

// ---------------------------------------------------------------------------------------------
// A small JSON Schema walker: type, enum, required, properties, items, $ref, minItems and
// date-time, which is all the OCDS schemas use.

struct Schemas {
    package: Value,
    release: Value,
}

impl Schemas {
    fn load() -> Self {
        Schemas {
            package: schema("release-package-schema.json"),
            release: schema("release-schema.json"),
        }
    }

    fn resolve<'a>(&'a self, s: &'a Value) -> (&'a Value, bool) {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with("#/definitions/") => {
                let name = &r["#/definitions/".len()..];
                (&self.release["definitions"][name], false)
            }
            Some(r) if r.ends_with("release-schema.json") => (&self.release, true),
            _ => (s, false),
        }
    }

    fn validate(&self, s: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
        let (s, _) = self.resolve(s);
        if let Some(t) = s.get("type") {
            let types = match t {
                Value::String(t) => vec![t.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            let ok = types.iter().any(|t| match *t {
                "string" => v.is_string(),
                "number" => v.is_number(),
                "integer" => v.is_i64() || v.is_u64(),
                "boolean" => v.is_boolean(),
                "array" => v.is_array(),
                "object" => v.is_object(),
                "null" => v.is_null(),
                _ => false,
            });
            if !ok {
                errors.push(format!("{path}: type {types:?}, found {v}"));
                return;
            }
        }
        if let Some(e) = s.get("enum").and_then(Value::as_array)
            && !e.contains(v)
        {
            errors.push(format!("{path}: {v} not in enum"));
        }
        if s.get("format").and_then(Value::as_str) == Some("date-time")
            && let Some(text) = v.as_str()
            && DateTime::parse_from_rfc3339(text).is_err()
        {
            errors.push(format!("{path}: not a date-time: {text}"));
        }
        if let Value::Object(o) = v {
            for r in s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(k) = r.as_str()
                    && o.get(k).is_none_or(Value::is_null)
                {
                    errors.push(format!("{path}/{k}: required"));
                }
            }
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (k, sub) in props {
                    if let Some(x) = o.get(k) {
                        self.validate(sub, x, &format!("{path}/{k}"), errors);
                    }
                }
            }
        }
        if let Value::Array(a) = v {
            if let Some(min) = s.get("minItems").and_then(Value::as_u64)
                && (a.len() as u64) < min
            {
                errors.push(format!("{path}: fewer than {min} items"));
            }
            if let Some(items) = s.get("items") {
                for (i, x) in a.iter().enumerate() {
                    self.validate(items, x, &format!("{path}/{i}"), errors);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// (a) The validator follows the standard.

#[test]
fn required_fields_are_the_schemas_own() {
    let s = Schemas::load();
    assert_eq!(
        strings(&s.package["required"]),
        sorted(ocds::PACKAGE_REQUIRED)
    );
    assert_eq!(
        strings(&s.release["required"]),
        sorted(ocds::RELEASE_REQUIRED)
    );
    let defs = &s.release["definitions"];
    assert_eq!(
        strings(&defs["Tender"]["required"]),
        sorted(ocds::TENDER_REQUIRED)
    );
    assert_eq!(
        strings(&defs["Award"]["required"]),
        sorted(ocds::AWARD_REQUIRED)
    );
    assert_eq!(
        strings(&defs["Contract"]["required"]),
        sorted(ocds::CONTRACT_REQUIRED)
    );
    assert_eq!(
        strings(&defs["Item"]["required"]),
        sorted(ocds::ITEM_REQUIRED)
    );
}

#[test]
fn closed_code_lists_are_the_schemas_own() {
    let s = Schemas::load();
    let defs = &s.release["definitions"];
    for (field, file) in [
        (
            &s.release["properties"]["initiationType"],
            "initiationType.csv",
        ),
        (&defs["Tender"]["properties"]["status"], "tenderStatus.csv"),
        (
            &defs["Tender"]["properties"]["procurementMethod"],
            "method.csv",
        ),
        (
            &defs["Tender"]["properties"]["mainProcurementCategory"],
            "procurementCategory.csv",
        ),
        (&defs["Award"]["properties"]["status"], "awardStatus.csv"),
        (
            &defs["Contract"]["properties"]["status"],
            "contractStatus.csv",
        ),
        (&defs["Value"]["properties"]["currency"], "currency.csv"),
    ] {
        assert_eq!(field["codelist"], json!(file));
        assert_eq!(field["openCodelist"], json!(false), "{file} is closed");
        let bundled = ocds::codelist(file).unwrap_or_default();
        assert_eq!(strings(&field["enum"]), sorted(&bundled), "{file}");
    }
    assert_eq!(
        s.release["properties"]["tag"]["codelist"],
        json!("releaseTag.csv")
    );
}

// ---------------------------------------------------------------------------------------------
// (b) What we publish is valid.

#[test]
fn the_export_is_valid_against_the_schemas_and_code_lists() {
    let s = Schemas::load();
    let package = export(&samples());
    let mut errors = Vec::new();
    s.validate(&s.package, &package, "", &mut errors);
    // The release package schema only points at the release schema; walk each release too.
    let releases = package["releases"].as_array().cloned().unwrap_or_default();
    assert_eq!(releases.len(), samples().len());
    for (i, r) in releases.iter().enumerate() {
        s.validate(&s.release, r, &format!("/releases/{i}"), &mut errors);
        let tags = ocds::codelist("releaseTag.csv").unwrap_or_default();
        for t in r["tag"].as_array().into_iter().flatten() {
            assert!(tags.contains(&t.as_str().unwrap_or_default()), "{t}");
        }
        let reserved = ocds::codelist("reservedParticipation.csv").unwrap_or_default();
        let mut other_requirements = vec![&r["tender"]["otherRequirements"]];
        for lot in r["tender"]["lots"].as_array().into_iter().flatten() {
            other_requirements.push(&lot["otherRequirements"]);
            assert!(lot["id"].is_string() && lot["value"]["currency"] == "EUR");
        }
        for o in other_requirements {
            for code in o["reservedParticipation"].as_array().into_iter().flatten() {
                assert!(reserved.contains(&code.as_str().unwrap_or_default()));
            }
        }
    }
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    // What OCDS 1.1.5 still required of a package is written as well.
    for k in ["uri", "publishedDate", "publisher"] {
        assert!(package.get(k).is_some(), "{k}");
    }
    assert_eq!(package["publisher"]["name"], "Bilboko Udala");
}

#[test]
fn the_export_maps_fields_as_documented() {
    let package = export(&samples());
    let r = &package["releases"][0];
    assert_eq!(r["ocid"], "ocds-e1k4r1-2026-0042");
    assert_eq!(r["tag"], json!(["contract"]));
    assert_eq!(r["initiationType"], "tender");
    assert_eq!(r["buyer"]["name"], "Bilboko Udala / Ayuntamiento de Bilbao");
    let t = &r["tender"];
    assert_eq!(t["id"], "2026-0042");
    assert_eq!(t["procurementMethod"], "open");
    assert_eq!(t["mainProcurementCategory"], "services");
    // Exact decimals from cents.
    assert_eq!(t["value"]["amount"].to_string(), "480000.5");
    assert_eq!(t["lots"][1]["value"]["amount"].to_string(), "180000.5");
    assert_eq!(
        t["items"][0]["classification"],
        json!({
            "scheme": "CPV", "id": "90910000", "description": "Cleaning services"
        })
    );
    assert_eq!(t["items"][2]["relatedLot"], "2");
    assert_eq!(
        t["lots"][1]["otherRequirements"]["reservedParticipation"],
        json!(["shelteredWorkshop"])
    );
    assert_eq!(
        t["lots"][1]["elkarlan"]["reservation"],
        "special_employment_centres"
    );
    assert!(
        t.get("otherRequirements").is_none(),
        "the whole contract is not reserved"
    );
    assert_eq!(t["elkarlan"]["socialClauses"][1]["weightPercent"], 10);
    assert_eq!(t["elkarlan"]["socialClauses"][1]["lot"], "1");
    // Lot awards, with their supplier named by NIF and a contract each.
    let awards = r["awards"].as_array().cloned().unwrap_or_default();
    assert_eq!(awards.len(), 2, "one per lot; the award date rides on them");
    assert_eq!(awards[1]["relatedLots"], json!(["2"]));
    assert_eq!(awards[1]["date"], "2026-04-20T00:00:00Z");
    let supplier_id = awards[1]["suppliers"][0]["id"].as_str().unwrap_or_default();
    let party = r["parties"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["id"] == supplier_id)
        .cloned()
        .unwrap_or_default();
    assert_eq!(party["identifier"]["scheme"], "ES-NIF");
    assert_eq!(party["roles"], json!(["supplier"]));
    assert_eq!(r["contracts"][1]["awardID"], awards[1]["id"]);
    assert_eq!(r["contracts"][1]["status"], "active");
    // The other states' tags.
    let tags: Vec<&Value> = package["releases"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| &r["tag"][0])
        .collect();
    assert_eq!(
        tags,
        [
            "contract",
            "tender",
            "contractTermination",
            "tenderCancellation",
            "planning",
            "award"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// (c) Round trips.

#[test]
fn exported_records_import_unchanged() {
    let records = samples();
    let package = export(&records);
    let back = parse_package(&bytes(&package));
    assert_eq!(back.as_ref().map(Vec::len), Ok(records.len()), "{back:#?}");
    assert_eq!(back, Ok(records));
}

#[test]
fn a_single_release_is_read_too() {
    let package = export(&samples()[..1]);
    let release = &package["releases"][0];
    assert_eq!(parse_package(&bytes(release)), Ok(samples()[..1].to_vec()));
}

#[test]
fn an_empty_package_imports_nothing() {
    assert_eq!(parse_package(&bytes(&export(&[]))), Ok(vec![]));
}

/// A small deterministic generator, so failures replay.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    fn maybe<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> Option<T> {
        (self.below(2) == 0).then(|| f(self))
    }
    fn cents(&mut self) -> i64 {
        match self.below(4) {
            0 => 0,
            1 => ocds::MAX_CENTS - self.below(3) as i64,
            _ => (self.next() % 1_000_000_000) as i64,
        }
    }
    fn date(&mut self) -> NaiveDate {
        date(
            2020 + self.below(8) as i32,
            1 + self.below(12) as u32,
            1 + self.below(28) as u32,
        )
    }
    fn text(&mut self) -> String {
        let words = [
            "Otxarkoaga",
            "garbiketa",
            "limpieza",
            "mantenimiento",
            "Txurdinaga",
            "comedor",
            "\"comillas\"",
            "ñandú",
            "ekonomia sozial",
            "50 %",
            "a/b~c",
        ];
        let n = 1 + self.below(6);
        (0..n)
            .map(|_| *self.pick(&words))
            .collect::<Vec<_>>()
            .join(" ")
    }
    fn party(&mut self) -> PartyRef {
        PartyRef {
            name: self.text(),
            tax_id: cif(
                *self.pick(&['A', 'B', 'F', 'G', 'R', 'V']),
                self.below(9_999_999) as u32,
            ),
        }
    }
}

fn random_record(g: &mut Lcg, i: usize) -> ContractRecord {
    let codes = [
        "85312000", "90910000", "45000000", "77310000", "55520000", "30192000",
    ];
    let lot_count = g.below(4) as u32;
    let lots: Vec<LotRecord> = (1..=lot_count)
        .map(|n| LotRecord {
            number: n,
            title: g.text(),
            cpv: cpv(g.pick::<&str>(&codes)),
            amount_cents: g.cents(),
            reservation: *g.pick(Reservation::ALL),
            awardee: g.maybe(Lcg::party),
            awarded_cents: g.maybe(Lcg::cents),
        })
        .collect();
    let clauses = (0..g.below(4))
        .map(|_| ClauseRecord {
            lot: if lot_count > 0 {
                g.maybe(|g| 1 + g.below(u64::from(lot_count)) as u32)
            } else {
                None
            },
            stage: *g.pick(ClauseStage::ALL),
            purpose: *g.pick(ClausePurpose::ALL),
            description: g.text(),
            weight_percent: g.maybe(|g| g.below(101) as u8),
        })
        .collect();
    let starts_on = g.maybe(Lcg::date);
    let ends_on = g
        .maybe(Lcg::date)
        .filter(|e| starts_on.is_none_or(|s| s <= *e));
    ContractRecord {
        ocid: format!("ocds-e1k4r1-{i}"),
        file_number: format!("{}/{i}", 2020 + g.below(8)),
        contracting_body: g.text(),
        title: g.text(),
        description: g.maybe(Lcg::text),
        cpv: cpv(g.pick::<&str>(&codes)),
        category: *g.pick(ProcurementCategory::ALL),
        procedure: *g.pick(ProcurementProcedure::ALL),
        status: *g.pick(ContractStatus::ALL),
        amount_cents: g.cents(),
        published_on: g.maybe(Lcg::date),
        awarded_on: g.maybe(Lcg::date),
        starts_on,
        ends_on,
        reservation: *g.pick(Reservation::ALL),
        awardee: g.maybe(Lcg::party),
        awarded_cents: g.maybe(Lcg::cents),
        lots,
        clauses,
    }
}

#[test]
fn generated_records_round_trip() {
    let mut g = Lcg(0x0cd5_2026);
    for case in 0..300 {
        let records: Vec<ContractRecord> = (0..1 + g.below(3) as usize)
            .map(|i| random_record(&mut g, i))
            .collect();
        let back = parse_package(&bytes(&export(&records)));
        assert_eq!(back, Ok(records), "case {case}");
    }
}

// ---------------------------------------------------------------------------------------------
// (d) Other publishers.

#[test]
fn a_package_from_another_spanish_publisher_imports() {
    let nif = cif('F', 7_654_321);
    let package = json!({
        "version": "1.1",
        "releases": [{
            "ocid": "ocds-abc123-EXP-77",
            "id": "EXP-77-award",
            "date": "2026-03-01T10:00:00+01:00",
            "tag": ["tender", "award"],
            "initiationType": "tender",
            "parties": [
                { "id": "ES-DIR3-L01480209", "name": "Ayuntamiento de Ejemplo", "roles": ["buyer"],
                  "identifier": { "scheme": "ES-DIR3", "id": "L01480209" } },
                { "id": "S1", "name": "Koop Ejemplo", "roles": ["supplier"],
                  "identifier": { "scheme": "ES-VAT", "id": format!("ES{}", nif.as_str()) } }
            ],
            "buyer": { "id": "ES-DIR3-L01480209" },
            "tender": {
                "id": "EXP-77",
                "title": "  Limpieza viaria  ",
                "status": "complete",
                "procurementMethod": "open",
                "procurementMethodDetails": "Procedimiento abierto simplificado",
                "value": { "amount": 1000.1, "currency": "EUR" },
                "items": [{ "id": "1", "classification": { "scheme": "CPV", "id": "90610000-6" } }],
                "lots": [{ "id": "LOT-0001", "title": "Único", "value": { "amount": 1000.1, "currency": "EUR" },
                           "otherRequirements": { "reservedParticipation": ["shelteredWorkshop"] } }]
            },
            "awards": [{ "id": "A1", "status": "active", "date": "2026-02-27T23:30:00-01:00",
                         "suppliers": [{ "id": "S1" }], "relatedLots": ["LOT-0001"],
                         "value": { "amount": 990, "currency": "EUR" } }],
            "contracts": [{ "id": "C1", "awardID": "A1",
                            "period": { "startDate": "2026-04-01T00:00:00Z", "endDate": "2027-03-31T00:00:00Z" } }]
        }]
    });
    let records = parse_package(&bytes(&package)).unwrap_or_else(|p| panic!("{p:#?}"));
    let r = &records[0];
    assert_eq!(r.contracting_body, "Ayuntamiento de Ejemplo");
    assert_eq!(r.title, "Limpieza viaria");
    assert_eq!(r.procedure, ProcurementProcedure::SimplifiedOpen);
    assert_eq!(
        r.category,
        ProcurementCategory::Services,
        "inferred from CPV 906"
    );
    assert_eq!(r.status, ContractStatus::Awarded);
    assert_eq!(r.amount_cents, 100_010);
    assert_eq!(r.cpv.code(), "90610000");
    assert_eq!(
        r.awarded_on,
        Some(date(2026, 2, 27)),
        "the date as written, in its offset"
    );
    assert_eq!(
        (r.starts_on, r.ends_on),
        (Some(date(2026, 4, 1)), Some(date(2027, 3, 31)))
    );
    assert_eq!(r.reservation, Reservation::NotReserved);
    let lot = &r.lots[0];
    assert_eq!((lot.number, lot.reservation), (1, Reservation::Both));
    assert_eq!(lot.awardee.as_ref().map(|p| &p.tax_id), Some(&nif));
    assert_eq!(lot.awarded_cents, Some(99_000));
}

#[test]
fn the_standards_worked_examples_are_refused_with_pointed_problems() {
    // Paraguay: guaraníes, no CPV, a supplier named by RUC, and no initiationType.
    let p = problems(&fixture("easy_releases__worked_example2__award.json"));
    assert!(
        has(&p, "/releases/0/initiationType", "error-ocds-required"),
        "{p:#?}"
    );
    assert!(has(
        &p,
        "/releases/0/tender/value/currency",
        "error-ocds-currency"
    ));
    assert!(has(&p, "/releases/0/tender/items", "error-ocds-required"));
    assert!(has(
        &p,
        "/releases/0/awards/0/value/currency",
        "error-ocds-currency"
    ));
    assert!(has(
        &p,
        "/releases/0/awards/0/suppliers/0/id",
        "error-ocds-supplier-identifier"
    ));
    assert!(p.iter().all(ocds_package::problem_is_well_formed));

    // Barnet: an OCDS 1.2 package in pounds; its CPV items are fine.
    let p = problems(&fixture("change_history__tender.json"));
    assert!(has(&p, "/version", "error-ocds-version"), "{p:#?}");
    assert!(has(
        &p,
        "/releases/0/tender/value/currency",
        "error-ocds-currency"
    ));
    assert!(!p.iter().any(|x| x.path.contains("/items/")), "{p:#?}");

    // A framework call-off: no title or value in the tender, a supplier without identifier.
    let p = problems(&fixture("frameworks__closed_single_award.json"));
    assert!(
        has(&p, "/releases/0/tender/title", "error-ocds-required"),
        "{p:#?}"
    );
    assert!(has(&p, "/releases/0/tender/value", "error-ocds-required"));
    assert!(has(
        &p,
        "/releases/0/tender/procurementMethod",
        "error-ocds-required"
    ));
    assert!(has(
        &p,
        "/releases/0/awards/0/value/currency",
        "error-ocds-currency"
    ));
    assert!(has(
        &p,
        "/releases/0/awards/0/suppliers/0/id",
        "error-ocds-supplier-identifier"
    ));
}

// ---------------------------------------------------------------------------------------------
// Validation of what Elkarlan needs, every problem at once.

fn edit(f: impl FnOnce(&mut Value)) -> Vec<OcdsProblem> {
    let mut package = export(&samples());
    f(&mut package);
    problems(&bytes(&package))
}

#[test]
fn every_problem_is_reported_with_its_path() {
    let p = edit(|v| {
        let r = &mut v["releases"][0];
        r["tender"]["value"]["amount"] = json!(-3);
        r["tender"]["lots"][0]["value"]["amount"] = json!(12.345);
        r["tender"]["items"][0]["classification"]["id"] = json!("85312999");
        r["tender"]["items"][1]["classification"]["scheme"] = json!("UNSPSC");
        r["tender"]["procurementMethod"] = json!("auction");
        r["tender"]["mainProcurementCategory"] = json!("consultingServices");
        r["tender"]["status"] = json!("open");
        r["initiationType"] = json!("purchase");
        r["awards"][0]["status"] = json!("awarded");
        r["contracts"][0]["status"] = json!("signed");
        r["contracts"][1]["awardID"] = json!("nowhere");
        r["tender"]["elkarlan"]["socialClauses"][1]["weightPercent"] = json!(140);
        r["tender"]["elkarlan"]["socialClauses"][0]["stage"] = json!("tender");
        v["releases"][1]["ocid"] = json!("ocds-e1k4r1-2026-0042");
        v["releases"][2]["tender"]["value"]["amount"] = json!(1e20);
        v["releases"][3]["tender"]["value"]["currency"] = json!("USD");
        v["releases"][4]["date"] = json!("28/11/2026");
        v["releases"][5]["awards"][0]["suppliers"][0]["id"] = json!("ES-NIF-B00000000");
    });
    let expect = [
        (
            "/releases/0/tender/value/amount",
            "error-ocds-amount-negative",
        ),
        (
            "/releases/0/tender/lots/0/value/amount",
            "error-ocds-amount-format",
        ),
        (
            "/releases/0/tender/items/0/classification/id",
            "error-cpv-unknown",
        ),
        (
            "/releases/0/tender/items/1/classification/scheme",
            "error-ocds-classification-scheme",
        ),
        (
            "/releases/0/tender/procurementMethod",
            "error-ocds-codelist",
        ),
        (
            "/releases/0/tender/mainProcurementCategory",
            "error-ocds-codelist",
        ),
        ("/releases/0/tender/status", "error-ocds-codelist"),
        ("/releases/0/initiationType", "error-ocds-codelist"),
        ("/releases/0/awards/0/status", "error-ocds-codelist"),
        ("/releases/0/contracts/0/status", "error-ocds-codelist"),
        (
            "/releases/0/contracts/1/awardID",
            "error-ocds-unknown-award",
        ),
        (
            "/releases/0/tender/elkarlan/socialClauses/1/weightPercent",
            "error-ocds-weight",
        ),
        (
            "/releases/0/tender/elkarlan/socialClauses/0/stage",
            "error-clause-stage",
        ),
        ("/releases/1/ocid", "error-ocds-duplicate-ocid"),
        ("/releases/2/tender/value/amount", "error-ocds-amount-range"),
        ("/releases/3/tender/value/currency", "error-ocds-currency"),
        ("/releases/4/date", "error-ocds-date"),
        (
            "/releases/5/awards/0/suppliers/0/id",
            "error-ocds-unknown-party",
        ),
    ];
    for (path, key) in expect {
        assert!(has(&p, path, key), "missing {path} {key} in {p:#?}");
    }
    assert!(p.iter().all(ocds_package::problem_is_well_formed));
    let dup = p.iter().find(|x| x.key == "error-ocds-duplicate-ocid");
    assert_eq!(
        dup.and_then(|d| d.detail.as_deref()),
        Some("/releases/0/ocid"),
        "points back at the first"
    );
}

#[test]
fn required_fields_missing_are_each_reported() {
    let p = edit(|v| {
        let r = v["releases"][0].as_object_mut().unwrap_or_else(|| panic!());
        for k in ocds::RELEASE_REQUIRED {
            r.remove(*k);
        }
        let t = v["releases"][1]["tender"]
            .as_object_mut()
            .unwrap_or_else(|| panic!());
        t.remove("id");
        t.remove("title");
        t["value"] = json!({ "amount": 10 });
        v.as_object_mut()
            .unwrap_or_else(|| panic!())
            .remove("version");
    });
    for k in ocds::RELEASE_REQUIRED {
        assert!(
            has(&p, &format!("/releases/0/{k}"), "error-ocds-required"),
            "{k}: {p:#?}"
        );
    }
    assert!(has(&p, "/version", "error-ocds-required"));
    assert!(has(&p, "/releases/1/tender/id", "error-ocds-required"));
    assert!(has(&p, "/releases/1/tender/title", "error-ocds-required"));
    assert!(has(
        &p,
        "/releases/1/tender/value/currency",
        "error-ocds-required"
    ));
}

#[test]
fn reservations_the_standard_and_elkarlan_disagree_on_are_refused() {
    let p = edit(|v| {
        v["releases"][1]["tender"]["otherRequirements"] =
            json!({ "reservedParticipation": ["publicService"] });
        v["releases"][0]["tender"]["lots"][1]
            .as_object_mut()
            .unwrap_or_else(|| panic!())
            .remove("otherRequirements");
        v["releases"][2]["tender"]["otherRequirements"]["reservedParticipation"] =
            json!(["womenOwned"]);
    });
    assert!(has(
        &p,
        "/releases/1/tender/otherRequirements/reservedParticipation/0",
        "error-ocds-reservation-unsupported"
    ));
    assert!(has(
        &p,
        "/releases/0/tender/lots/1/elkarlan/reservation",
        "error-ocds-reservation-mismatch"
    ));
    assert!(has(
        &p,
        "/releases/2/tender/otherRequirements/reservedParticipation/0",
        "error-ocds-codelist"
    ));
}

#[test]
fn a_supplier_with_a_bad_tax_id_is_refused() {
    let p = edit(|v| {
        let parties = v["releases"][2]["parties"]
            .as_array_mut()
            .unwrap_or_else(|| panic!());
        parties[1]["identifier"]["id"] = json!("F12045679");
    });
    let supplier = "/releases/2/awards/0/suppliers/0/id";
    assert!(has(&p, supplier, "error-tax-id-check"), "{p:#?}");
}

#[test]
fn malformed_json_is_one_problem_with_line_and_column() {
    let p = problems(b"{\n  \"version\": \"1.1\",\n  \"releases\": [\n}");
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].path.as_str(), p[0].key), ("/", "error-ocds-json"));
    assert!(
        p[0].detail
            .as_deref()
            .is_some_and(|d| d.starts_with("line 4, column 1")),
        "{p:?}"
    );
    for bad in [&b""[..], b"[]", b"null", b"\"x\"", b"\xff\xfe{}"] {
        let p = problems(bad);
        assert_eq!(p.len(), 1, "{bad:?}");
    }
}

#[test]
fn limits_are_enforced() {
    let huge = vec![b' '; ocds::MAX_PACKAGE_BYTES + 1];
    assert_eq!(problems(&huge)[0].key, "error-ocds-too-large");
    let many = format!(
        "{{\"version\":\"1.1\",\"releases\":[{}]}}",
        vec!["{}"; ocds::MAX_RELEASES + 1].join(",")
    );
    let p = problems(many.as_bytes());
    assert_eq!((p.len(), p[0].key), (1, "error-ocds-too-many-releases"));
    // Problems stop at the cap, the last one saying so.
    let empty = format!(
        "{{\"version\":\"1.1\",\"releases\":[{}]}}",
        vec!["{}"; 500].join(",")
    );
    let p = problems(empty.as_bytes());
    assert_eq!(p.len(), ocds::MAX_PROBLEMS + 1);
    assert_eq!(p[ocds::MAX_PROBLEMS].key, "error-ocds-too-many-problems");
    // Nesting past serde_json's limit of 128 is malformed JSON, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(problems(deep.as_bytes())[0].key, "error-ocds-json");
    let deep_field = format!(
        "{{\"version\":\"1.1\",\"releases\":[{{\"tender\":{}1{}}}]}}",
        "{\"a\":".repeat(200),
        "}".repeat(200)
    );
    assert_eq!(problems(deep_field.as_bytes())[0].key, "error-ocds-json");
}

// ---------------------------------------------------------------------------------------------
// Fuzz corpus replay: damaged packages never panic and always come back as records or as
// problems with paths.

fn mutations(seed: &Value) -> Vec<Vec<u8>> {
    let base = bytes(seed);
    let mut out = Vec::new();
    let mut g = Lcg(7);
    // Byte flips and truncations.
    for _ in 0..150 {
        let mut b = base.clone();
        for _ in 0..1 + g.below(4) {
            let i = g.below(b.len() as u64) as usize;
            b[i] = *g.pick(b"{}[]\":,0-9eE.\\ \x00\xff");
        }
        out.push(b);
    }
    for _ in 0..50 {
        let cut = g.below(base.len() as u64) as usize;
        out.push(base[..cut].to_vec());
    }
    // Every field deleted in turn, and every leaf replaced by other types and extremes.
    let mut paths = Vec::new();
    leaf_paths(seed, "", &mut paths);
    let replacements = [
        json!(null),
        json!(true),
        json!(-1),
        json!(1e308),
        json!(18_446_744_073_709_551_615_u64),
        json!(0.001),
        json!(""),
        json!("x"),
        json!([]),
        json!({}),
        json!([[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]),
    ];
    for (i, p) in paths.iter().enumerate() {
        let mut v = seed.clone();
        if let Some((parent, key)) = p.rsplit_once('/')
            && let Some(obj) = v.pointer_mut(parent).and_then(Value::as_object_mut)
        {
            obj.remove(key);
            out.push(bytes(&v));
        }
        let mut v = seed.clone();
        if let Some(x) = v.pointer_mut(p) {
            *x = replacements[i % replacements.len()].clone();
            out.push(bytes(&v));
        }
    }
    out
}

fn leaf_paths(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                out.push(format!("{path}/{k}"));
                leaf_paths(x, &format!("{path}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                out.push(format!("{path}/{i}"));
                leaf_paths(x, &format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn damaged_packages_never_panic() {
    let seed = export(&samples());
    let cases = mutations(&seed);
    assert!(cases.len() > 500, "{} cases", cases.len());
    let mut refused = 0;
    for case in &cases {
        ocds_package::check(case);
        refused += usize::from(parse_package(case).is_err());
    }
    // Most damage must be noticed; deleting an optional field may legitimately import.
    assert!(refused * 2 > cases.len(), "{refused} of {}", cases.len());
    // The seed corpus of the fuzz target replays too, and a fuzzer's working corpus when
    // OCDS_REPLAY names its directory.
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/seeds/ocds_package");
    let extra = std::env::var("OCDS_REPLAY").ok();
    let mut replayed = 0;
    for corpus in std::iter::once(seeds).chain(extra.as_deref()) {
        for entry in std::fs::read_dir(corpus).into_iter().flatten().flatten() {
            if let Ok(data) = std::fs::read(entry.path()) {
                ocds_package::check(&data);
                replayed += 1;
            }
        }
    }
    assert!(replayed >= 5, "the seed corpus is missing");
}

/// The fuzz target's seeds: the sample export, one release alone and the standard's examples.
/// `UPDATE_OCDS_CORPUS=1 cargo test -p elkarlan-domain --test ocds seeds` rewrites them;
/// otherwise the test checks the sample export there is still what the code writes.
#[test]
fn fuzz_seeds_are_current() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/seeds/ocds_package");
    let package = export(&samples());
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_else(|e| panic!("{e}"));
    let seeds = [
        ("elkarlan-samples.json", pretty(&package)),
        (
            "elkarlan-single-release.json",
            pretty(&package["releases"][0]),
        ),
    ];
    if std::env::var_os("UPDATE_OCDS_CORPUS").is_some() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
        for (name, text) in &seeds {
            std::fs::write(format!("{dir}/{name}"), text).unwrap_or_else(|e| panic!("{e}"));
        }
        for name in [
            "easy_releases__worked_example2__award.json",
            "change_history__tender.json",
            "frameworks__closed_single_award.json",
        ] {
            std::fs::write(format!("{dir}/{name}"), fixture(name))
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    for (name, text) in &seeds {
        let on_disk = std::fs::read_to_string(format!("{dir}/{name}")).unwrap_or_default();
        assert_eq!(
            &on_disk, text,
            "{name} is stale: rerun with UPDATE_OCDS_CORPUS=1"
        );
    }
}
