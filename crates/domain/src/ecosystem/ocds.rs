//! Public contracts as Open Contracting Data Standard (OCDS 1.1) release packages: the export
//! the open-data route publishes and the import that reads packages from Elkarlan or from
//! another publisher using the same fields. Pure: bytes and values in, values and problems out.
//!
//! One release per contract describes its current state (tag by status). What the standard
//! and its Lots and Other Requirements extensions cannot say — which of the two Spanish
//! reservations applies, the exact Ley 9/2017 procedure, social clauses with stage, purpose and
//! weight — goes in an `elkarlan` object on `tender` and on each lot: Elkarlan's local
//! extension, described in `docs/ocds.md`. Readers that do not know it ignore it.
//!
//! The import checks the standard's required fields (the lists below, which a test compares
//! with the bundled schemas), the closed code lists, and what a [`ContractRecord`] needs. It
//! reports every problem it finds, each with the JSON pointer of the field, and returns no
//! record at all if there is one problem: an import is all or nothing.

use super::codes::{
    ClausePurpose, ClauseStage, ContractStatus, ProcurementCategory, ProcurementProcedure,
    Reservation,
};
use super::contract::{ClauseRecord, ContractRecord, LotRecord, PartyRef};
use super::cpv::Cpv;
use crate::identity::TaxId;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Number, Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Largest package accepted, in bytes.
pub const MAX_PACKAGE_BYTES: usize = 20 * 1024 * 1024;
/// Most releases accepted in one package.
pub const MAX_RELEASES: usize = 10_000;
/// Most problems reported; one more says there are more.
pub const MAX_PROBLEMS: usize = 1_000;
/// Largest amount accepted, in cents: the same cap as amounts typed in a form.
pub const MAX_CENTS: i64 = 1_000_000_000_000;

/// The fields the standard requires of a release package (`release-package-schema.json`).
/// OCDS 1.1.5 also required `uri`, `publishedDate` and `publisher`; the bundled schema (and
/// 1.2) no longer does, so they are read when present. The export always writes them.
pub const PACKAGE_REQUIRED: &[&str] = &["releases", "version"];
/// The fields the standard requires of a release (`release-schema.json`).
pub const RELEASE_REQUIRED: &[&str] = &["ocid", "id", "date", "tag", "initiationType"];
/// The standard's required fields of the objects the import reads.
pub const TENDER_REQUIRED: &[&str] = &["id"];
pub const AWARD_REQUIRED: &[&str] = &["id"];
pub const CONTRACT_REQUIRED: &[&str] = &["id", "awardID"];
pub const ITEM_REQUIRED: &[&str] = &["id"];

/// The identifier scheme of suppliers: the Spanish tax id (NIF). org-id.guide lists two Spanish
/// registers, ES-DIR3 (units of the public administrations) and ES-RMC (the central commercial
/// register); neither is keyed by NIF and neither covers associations, foundations or
/// cooperatives, which are most of the social economy. Elkarlan knows every party by NIF, so
/// it names the scheme `ES-NIF`, as org-id.guide advises for a list it does not hold yet
/// (`<country>-<register>`). The import also reads `ES-VAT` (`ES` + NIF, as on invoices).
pub const SUPPLIER_SCHEME: &str = "ES-NIF";
const VAT_SCHEME: &str = "ES-VAT";

/// The extensions the export uses, as the package's `extensions` list declares them.
pub const EXTENSIONS: &[&str] = &[
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_otherRequirements_extension/master/extension.json",
];

/// The code of the Other Requirements extension for reservations to organisations that
/// integrate disabled or disadvantaged people: both Spanish reservations of Ley 9/2017, DA 4ª
/// (special employment centres and insertion companies) fall under it.
const SHELTERED_WORKSHOP: &str = "shelteredWorkshop";

/// One thing wrong with a package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcdsProblem {
    /// JSON pointer of the field (`/releases/3/tender/value/amount`); `/` is the whole document.
    pub path: String,
    /// Fluent message key.
    pub key: &'static str,
    /// The offending value or what was expected, untranslated (a code, a line and column).
    pub detail: Option<String>,
}

/// Every message key the import can return, besides those of [`Cpv::parse`],
/// [`TaxId::parse`] and the domain's code lists.
pub const MESSAGE_KEYS: &[&str] = &[
    "error-ocds-too-large",
    "error-ocds-json",
    "error-ocds-required",
    "error-ocds-type",
    "error-ocds-too-long",
    "error-ocds-version",
    "error-ocds-too-many-releases",
    "error-ocds-too-many-problems",
    "error-ocds-ocid-format",
    "error-ocds-duplicate-ocid",
    "error-ocds-date",
    "error-ocds-period",
    "error-ocds-tag",
    "error-ocds-codelist",
    "error-ocds-currency",
    "error-ocds-amount-format",
    "error-ocds-amount-negative",
    "error-ocds-amount-range",
    "error-ocds-classification-scheme",
    "error-ocds-lot-id",
    "error-ocds-duplicate-lot",
    "error-ocds-unknown-lot",
    "error-ocds-unknown-party",
    "error-ocds-supplier-identifier",
    "error-ocds-several-suppliers",
    "error-ocds-several-awards",
    "error-ocds-unknown-award",
    "error-ocds-procedure-mismatch",
    "error-ocds-reservation-unsupported",
    "error-ocds-reservation-mismatch",
    "error-ocds-weight",
];

// ---------------------------------------------------------------------------------------------
// Code lists

struct Codelists {
    tag: HashSet<&'static str>,
    initiation_type: HashSet<&'static str>,
    method: HashSet<&'static str>,
    category: HashSet<&'static str>,
    tender_status: HashSet<&'static str>,
    award_status: HashSet<&'static str>,
    contract_status: HashSet<&'static str>,
    currency: HashSet<&'static str>,
    reserved_participation: HashSet<&'static str>,
}

/// The codes of a code list CSV: the first column, header skipped. No code is quoted.
fn codes(csv: &'static str) -> HashSet<&'static str> {
    csv.lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

static CODELISTS: LazyLock<Codelists> = LazyLock::new(|| Codelists {
    tag: codes(include_str!("../../data/ocds/releaseTag.csv")),
    initiation_type: codes(include_str!("../../data/ocds/initiationType.csv")),
    method: codes(include_str!("../../data/ocds/method.csv")),
    category: codes(include_str!("../../data/ocds/procurementCategory.csv")),
    tender_status: codes(include_str!("../../data/ocds/tenderStatus.csv")),
    award_status: codes(include_str!("../../data/ocds/awardStatus.csv")),
    contract_status: codes(include_str!("../../data/ocds/contractStatus.csv")),
    currency: codes(include_str!("../../data/ocds/currency.csv")),
    reserved_participation: codes(include_str!("../../data/ocds/reservedParticipation.csv")),
});

/// The bundled code lists by file name, for the conformance test.
pub fn codelist(file: &str) -> Option<Vec<&'static str>> {
    let c = &*CODELISTS;
    let set = match file {
        "releaseTag.csv" => &c.tag,
        "initiationType.csv" => &c.initiation_type,
        "method.csv" => &c.method,
        "procurementCategory.csv" => &c.category,
        "tenderStatus.csv" => &c.tender_status,
        "awardStatus.csv" => &c.award_status,
        "contractStatus.csv" => &c.contract_status,
        "currency.csv" => &c.currency,
        "reservedParticipation.csv" => &c.reserved_participation,
        _ => return None,
    };
    let mut v: Vec<&'static str> = set.iter().copied().collect();
    v.sort_unstable();
    Some(v)
}

// ---------------------------------------------------------------------------------------------
// Export

/// Cents as an exact decimal JSON number: the text is built from the integer, so 1234567
/// cents is written `12345.67`. Up to [`MAX_CENTS`] the number keeps exactly these digits
/// (serde_json holds it as the nearest double and prints the shortest text that reads back
/// to it, which for 15 significant digits or fewer is the text it was parsed from).
pub fn amount_number(cents: i64) -> Value {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let text = format!("{sign}{}.{:02}", abs / 100, abs % 100);
    serde_json::from_str::<Number>(&text).map_or(Value::Null, Value::Number)
}

fn value_json(cents: i64) -> Value {
    json!({ "amount": amount_number(cents), "currency": "EUR" })
}

fn date_time(d: NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

fn tag(status: ContractStatus) -> &'static str {
    match status {
        ContractStatus::Planned => "planning",
        ContractStatus::Tendering => "tender",
        ContractStatus::Awarded => "award",
        ContractStatus::InExecution => "contract",
        // "Providing information at the end of a contracting process."
        ContractStatus::Completed => "contractTermination",
        ContractStatus::Cancelled => "tenderCancellation",
    }
}

fn tender_status(status: ContractStatus) -> &'static str {
    match status {
        ContractStatus::Planned => "planned",
        ContractStatus::Tendering => "active",
        ContractStatus::Awarded | ContractStatus::InExecution | ContractStatus::Completed => {
            "complete"
        }
        ContractStatus::Cancelled => "cancelled",
    }
}

/// The contract's status once signed; `None` before the award.
fn contract_status(status: ContractStatus) -> Option<&'static str> {
    match status {
        ContractStatus::Awarded => Some("pending"),
        ContractStatus::InExecution => Some("active"),
        ContractStatus::Completed => Some("terminated"),
        ContractStatus::Planned | ContractStatus::Tendering | ContractStatus::Cancelled => None,
    }
}

/// The procedure's name in Spanish procurement notices, for `procurementMethodDetails`.
fn procedure_details(p: ProcurementProcedure) -> &'static str {
    match p {
        ProcurementProcedure::Open => "Procedimiento abierto",
        ProcurementProcedure::SimplifiedOpen => "Procedimiento abierto simplificado",
        ProcurementProcedure::Restricted => "Procedimiento restringido",
        ProcurementProcedure::Negotiated => "Procedimiento negociado",
        ProcurementProcedure::Minor => "Contrato menor",
        ProcurementProcedure::InnovationPartnership => "Asociación para la innovación",
    }
}

fn party_id(tax_id: &TaxId) -> String {
    format!("{SUPPLIER_SCHEME}-{}", tax_id.as_str())
}

const BUYER_ID: &str = "buyer";

fn reserved_participation(r: Reservation) -> Option<Value> {
    r.is_reserved()
        .then(|| json!({ "reservedParticipation": [SHELTERED_WORKSHOP] }))
}

fn supplier_party(p: &PartyRef) -> Value {
    json!({
        "id": party_id(&p.tax_id),
        "name": p.name,
        "identifier": { "scheme": SUPPLIER_SCHEME, "id": p.tax_id.as_str(), "legalName": p.name },
        "roles": ["supplier"],
    })
}

fn award_json(
    id: &str,
    r: &ContractRecord,
    awardee: Option<&PartyRef>,
    cents: Option<i64>,
    lot: Option<u32>,
) -> Value {
    let mut a = Map::new();
    a.insert("id".into(), id.into());
    let status = if r.status == ContractStatus::Cancelled {
        "cancelled"
    } else {
        "active"
    };
    a.insert("status".into(), status.into());
    if let Some(d) = r.awarded_on {
        a.insert("date".into(), date_time(d).into());
    }
    if let Some(c) = cents {
        a.insert("value".into(), value_json(c));
    }
    if let Some(p) = awardee {
        a.insert(
            "suppliers".into(),
            json!([{ "id": party_id(&p.tax_id), "name": p.name }]),
        );
    }
    if let Some(n) = lot {
        a.insert("relatedLots".into(), json!([n.to_string()]));
    }
    Value::Object(a)
}

fn period_json(starts: Option<NaiveDate>, ends: Option<NaiveDate>) -> Option<Value> {
    let mut p = Map::new();
    if let Some(s) = starts {
        p.insert("startDate".into(), date_time(s).into());
    }
    if let Some(e) = ends {
        p.insert("endDate".into(), date_time(e).into());
    }
    (!p.is_empty()).then_some(Value::Object(p))
}

fn release(r: &ContractRecord, published: DateTime<Utc>) -> Value {
    let date = published.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let lot_status = tender_status(r.status);

    // Parties: the buyer, then each awardee once.
    let mut parties =
        vec![json!({ "id": BUYER_ID, "name": r.contracting_body, "roles": ["buyer"] })];
    let mut seen = HashSet::new();
    for p in r
        .awardee
        .iter()
        .chain(r.lots.iter().filter_map(|l| l.awardee.as_ref()))
    {
        if seen.insert(p.tax_id.as_str().to_owned()) {
            parties.push(supplier_party(p));
        }
    }

    let mut items = vec![json!({
        "id": "main",
        "description": r.title,
        "classification": { "scheme": "CPV", "id": r.cpv.code(), "description": r.cpv.label(crate::Lang::En) },
    })];
    let mut lots = Vec::new();
    for l in &r.lots {
        let n = l.number.to_string();
        items.push(json!({
            "id": format!("lot-{n}"),
            "description": l.title,
            "classification": { "scheme": "CPV", "id": l.cpv.code(), "description": l.cpv.label(crate::Lang::En) },
            "relatedLot": n,
        }));
        let mut lot = Map::new();
        lot.insert("id".into(), n.into());
        lot.insert("title".into(), l.title.clone().into());
        lot.insert("status".into(), lot_status.into());
        lot.insert("value".into(), value_json(l.amount_cents));
        if let Some(o) = reserved_participation(l.reservation) {
            lot.insert("otherRequirements".into(), o);
        }
        lot.insert(
            "elkarlan".into(),
            json!({ "reservation": l.reservation.code() }),
        );
        lots.push(Value::Object(lot));
    }

    let mut tender = Map::new();
    tender.insert("id".into(), r.file_number.clone().into());
    tender.insert("title".into(), r.title.clone().into());
    if let Some(d) = &r.description {
        tender.insert("description".into(), d.clone().into());
    }
    tender.insert("status".into(), lot_status.into());
    tender.insert("procurementMethod".into(), r.procedure.ocds_method().into());
    tender.insert(
        "procurementMethodDetails".into(),
        procedure_details(r.procedure).into(),
    );
    tender.insert("mainProcurementCategory".into(), r.category.code().into());
    tender.insert("value".into(), value_json(r.amount_cents));
    tender.insert("items".into(), items.into());
    if !lots.is_empty() {
        tender.insert("lots".into(), lots.into());
    }
    if let Some(d) = r.published_on {
        tender.insert("tenderPeriod".into(), json!({ "startDate": date_time(d) }));
    }
    if let Some(p) = period_json(r.starts_on, r.ends_on) {
        tender.insert("contractPeriod".into(), p);
    }
    if let Some(o) = reserved_participation(r.reservation) {
        tender.insert("otherRequirements".into(), o);
    }
    let clauses: Vec<Value> = r
        .clauses
        .iter()
        .map(|c| {
            let mut m = Map::new();
            if let Some(n) = c.lot {
                m.insert("lot".into(), n.to_string().into());
            }
            m.insert("stage".into(), c.stage.code().into());
            m.insert("purpose".into(), c.purpose.code().into());
            m.insert("description".into(), c.description.clone().into());
            if let Some(w) = c.weight_percent {
                m.insert("weightPercent".into(), w.into());
            }
            Value::Object(m)
        })
        .collect();
    tender.insert(
        "elkarlan".into(),
        json!({
            "procedure": r.procedure.code(),
            "reservation": r.reservation.code(),
            "socialClauses": clauses,
        }),
    );

    // Awards: one for the whole contract when anything of its award is known, one per
    // awarded lot. A contract follows each award once it is awarded. A cancelled process keeps
    // its awards, marked cancelled.
    let mut awards = Vec::new();
    let lot_awarded = r
        .lots
        .iter()
        .any(|l| l.awardee.is_some() || l.awarded_cents.is_some());
    // The award date rides on the lot awards when there are some.
    if r.awardee.is_some() || r.awarded_cents.is_some() || (r.awarded_on.is_some() && !lot_awarded)
    {
        awards.push(award_json(
            &format!("{}-award", r.ocid),
            r,
            r.awardee.as_ref(),
            r.awarded_cents,
            None,
        ));
    }
    for l in &r.lots {
        if l.awardee.is_some() || l.awarded_cents.is_some() {
            awards.push(award_json(
                &format!("{}-award-lot-{}", r.ocid, l.number),
                r,
                l.awardee.as_ref(),
                l.awarded_cents,
                Some(l.number),
            ));
        }
    }
    let mut contracts = Vec::new();
    if let Some(status) = contract_status(r.status) {
        for a in &awards {
            let award_id = a.get("id").and_then(Value::as_str).unwrap_or_default();
            let mut c = Map::new();
            c.insert("id".into(), format!("{award_id}-contract").into());
            c.insert("awardID".into(), award_id.into());
            c.insert("status".into(), status.into());
            if let Some(v) = a.get("value") {
                c.insert("value".into(), v.clone());
            }
            if let Some(p) = period_json(r.starts_on, r.ends_on) {
                c.insert("period".into(), p);
            }
            contracts.push(Value::Object(c));
        }
    }

    let mut rel = Map::new();
    rel.insert("ocid".into(), r.ocid.clone().into());
    rel.insert(
        "id".into(),
        format!("{}-{}", r.ocid, published.format("%Y%m%dT%H%M%SZ")).into(),
    );
    rel.insert("date".into(), date.into());
    rel.insert("tag".into(), json!([tag(r.status)]));
    rel.insert("initiationType".into(), "tender".into());
    // The council publishes in Spanish; titles keep the language they were recorded in.
    rel.insert("language".into(), "es".into());
    rel.insert("parties".into(), parties.into());
    rel.insert(
        "buyer".into(),
        json!({ "id": BUYER_ID, "name": r.contracting_body }),
    );
    rel.insert("tender".into(), Value::Object(tender));
    if !awards.is_empty() {
        rel.insert("awards".into(), awards.into());
    }
    if !contracts.is_empty() {
        rel.insert("contracts".into(), contracts.into());
    }
    Value::Object(rel)
}

/// An OCDS 1.1 release package with one release per contract, describing its current state.
pub fn release_package(
    records: &[ContractRecord],
    published: DateTime<Utc>,
    uri: &str,
    publisher_name: &str,
) -> Value {
    let releases: Vec<Value> = records.iter().map(|r| release(r, published)).collect();
    json!({
        "uri": uri,
        "version": "1.1",
        "extensions": EXTENSIONS,
        "publishedDate": published.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "publisher": { "name": publisher_name },
        "releases": releases,
    })
}

// ---------------------------------------------------------------------------------------------
// Import

struct Problems(Vec<OcdsProblem>);

impl Problems {
    fn add(&mut self, path: &str, key: &'static str, detail: Option<String>) {
        // Past the cap one last problem says so; a page of 200,000 problems helps nobody.
        if self.0.len() > MAX_PROBLEMS {
            return;
        }
        let (path, key, detail) = if self.0.len() == MAX_PROBLEMS {
            (
                "/",
                "error-ocds-too-many-problems",
                Some(MAX_PROBLEMS.to_string()),
            )
        } else {
            (if path.is_empty() { "/" } else { path }, key, detail)
        };
        self.0.push(OcdsProblem {
            path: path.to_owned(),
            key,
            detail,
        });
    }
}

/// `path` + `/key`, escaped as JSON pointers require.
fn at(path: &str, key: &str) -> String {
    format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A field; `null` and a blank string count as absent (the standard allows `null` for most
/// fields, and a blank code or name says nothing).
fn field<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.get(key).filter(|v| match v {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        _ => true,
    })
}

fn wrong_type(p: &mut Problems, path: &str, expected: &str, got: &Value) {
    p.add(
        path,
        "error-ocds-type",
        Some(format!("expected {expected}, found {}", type_name(got))),
    );
}

fn opt_object<'a>(
    o: &'a Map<String, Value>,
    key: &str,
    path: &str,
    p: &mut Problems,
) -> Option<&'a Map<String, Value>> {
    let v = field(o, key)?;
    let obj = v.as_object();
    if obj.is_none() {
        wrong_type(p, &at(path, key), "object", v);
    }
    obj
}

fn req_object<'a>(
    o: &'a Map<String, Value>,
    key: &str,
    path: &str,
    p: &mut Problems,
) -> Option<&'a Map<String, Value>> {
    if field(o, key).is_none() {
        p.add(&at(path, key), "error-ocds-required", None);
    }
    opt_object(o, key, path, p)
}

fn opt_array<'a>(
    o: &'a Map<String, Value>,
    key: &str,
    path: &str,
    p: &mut Problems,
) -> &'a [Value] {
    match field(o, key) {
        None => &[],
        Some(Value::Array(a)) => a,
        Some(v) => {
            wrong_type(p, &at(path, key), "array", v);
            &[]
        }
    }
}

/// A string field, trimmed; blank counts as absent. Longer than `max` characters is a problem.
fn opt_str<'a>(
    o: &'a Map<String, Value>,
    key: &str,
    path: &str,
    max: usize,
    p: &mut Problems,
) -> Option<&'a str> {
    match field(o, key)? {
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() {
                return None;
            }
            if t.chars().count() > max {
                p.add(
                    &at(path, key),
                    "error-ocds-too-long",
                    Some(format!("max {max}")),
                );
                return None;
            }
            Some(t)
        }
        v => {
            wrong_type(p, &at(path, key), "string", v);
            None
        }
    }
}

fn req_str<'a>(
    o: &'a Map<String, Value>,
    key: &str,
    path: &str,
    max: usize,
    p: &mut Problems,
) -> Option<&'a str> {
    if field(o, key).is_none() {
        p.add(&at(path, key), "error-ocds-required", None);
    }
    opt_str(o, key, path, max, p)
}

/// A code of a closed code list (`None` when absent or not in the list).
fn opt_code<'a>(
    o: &'a Map<String, Value>,
    key: &str,
    path: &str,
    list: &HashSet<&'static str>,
    p: &mut Problems,
) -> Option<&'a str> {
    let code = opt_str(o, key, path, 100, p)?;
    if list.contains(code) {
        Some(code)
    } else {
        p.add(&at(path, key), "error-ocds-codelist", Some(code.to_owned()));
        None
    }
}

/// A date of a date-time field: the calendar date in the offset it was written in.
fn opt_date(o: &Map<String, Value>, key: &str, path: &str, p: &mut Problems) -> Option<NaiveDate> {
    let s = opt_str(o, key, path, 64, p)?;
    parse_date(s).or_else(|| {
        p.add(&at(path, key), "error-ocds-date", Some(s.to_owned()));
        None
    })
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(s).ok().map(|d| d.date_naive())
}

/// A JSON number in euros to cents, exactly: at most two decimals, not negative, at most
/// [`MAX_CENTS`]. The number's text is read, never its floating-point value.
pub fn cents_of(v: &Value) -> Result<i64, &'static str> {
    let Value::Number(n) = v else {
        return Err("error-ocds-type");
    };
    let text = n.to_string();
    if text.starts_with('-') {
        return Err("error-ocds-amount-negative");
    }
    if text.contains(['e', 'E']) {
        // Written with an exponent only when huge or tiny.
        return Err(if n.as_f64().is_some_and(|f| f >= 1.0) {
            "error-ocds-amount-range"
        } else {
            "error-ocds-amount-format"
        });
    }
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let frac = frac.trim_end_matches('0');
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err("error-ocds-amount-format");
    }
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err("error-ocds-amount-format");
    }
    let whole: i64 = whole.parse().map_err(|_| "error-ocds-amount-range")?;
    let frac_cents: i64 = match frac.len() {
        0 => 0,
        1 => {
            frac.parse::<i64>()
                .map_err(|_| "error-ocds-amount-format")?
                * 10
        }
        _ => frac.parse().map_err(|_| "error-ocds-amount-format")?,
    };
    whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(frac_cents))
        .filter(|c| *c <= MAX_CENTS)
        .ok_or("error-ocds-amount-range")
}

/// A `Value` object (`{amount, currency}`) in euros. `required` says whether Elkarlan needs it.
fn value_cents(
    o: &Map<String, Value>,
    key: &str,
    path: &str,
    required: bool,
    p: &mut Problems,
) -> Option<i64> {
    let v = if required {
        req_object(o, key, path, p)?
    } else {
        opt_object(o, key, path, p)?
    };
    let vpath = at(path, key);
    let amount = match field(v, "amount") {
        None => {
            p.add(&at(&vpath, "amount"), "error-ocds-required", None);
            None
        }
        Some(a) => match cents_of(a) {
            Ok(c) => Some(c),
            Err("error-ocds-type") => {
                wrong_type(p, &at(&vpath, "amount"), "number", a);
                None
            }
            Err(key) => {
                p.add(&at(&vpath, "amount"), key, Some(a.to_string()));
                None
            }
        },
    };
    let currency = if field(v, "currency").is_none() {
        p.add(&at(&vpath, "currency"), "error-ocds-required", None);
        None
    } else {
        opt_code(v, "currency", &vpath, &CODELISTS.currency, p)
    };
    match currency {
        Some("EUR") => amount,
        Some(other) => {
            p.add(
                &at(&vpath, "currency"),
                "error-ocds-currency",
                Some(other.to_owned()),
            );
            None
        }
        None => None,
    }
}

/// `ocds-` + a six-character prefix + `-` + the process identifier.
fn ocid_ok(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("ocds-") else {
        return false;
    };
    let mut parts = rest.splitn(2, '-');
    let prefix = parts.next().unwrap_or_default();
    let local = parts.next().unwrap_or_default();
    prefix.len() == 6 && prefix.bytes().all(|b| b.is_ascii_alphanumeric()) && !local.is_empty()
}

/// A lot number from a lot id: `3`, or the digits that end `LOT-0003`.
fn lot_number(id: &str) -> Option<u32> {
    let digits = id.trim_start_matches(|c: char| !c.is_ascii_digit());
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0)
}

/// A party known by id within the release: its name and, when it has one, its tax id.
struct Party {
    name: Option<String>,
    identifier: Option<(String, String)>,
}

fn read_parties(rel: &Map<String, Value>, path: &str, p: &mut Problems) -> HashMap<String, Party> {
    let mut out = HashMap::new();
    for (i, v) in opt_array(rel, "parties", path, p).iter().enumerate() {
        let ppath = format!("{path}/parties/{i}");
        let Some(o) = v.as_object() else {
            wrong_type(p, &ppath, "object", v);
            continue;
        };
        let Some(id) = opt_str(o, "id", &ppath, 300, p) else {
            continue;
        };
        let identifier = opt_object(o, "identifier", &ppath, p).and_then(|ident| {
            let ipath = at(&ppath, "identifier");
            let scheme = opt_str(ident, "scheme", &ipath, 100, p)?;
            // Identifiers are strings; some publishers write numbers.
            let id = match field(ident, "id")? {
                Value::String(s) => s.trim().to_owned(),
                Value::Number(n) => n.to_string(),
                other => {
                    wrong_type(p, &at(&ipath, "id"), "string", other);
                    return None;
                }
            };
            Some((scheme.to_owned(), id))
        });
        out.insert(
            id.to_owned(),
            Party {
                name: opt_str(o, "name", &ppath, 300, p).map(str::to_owned),
                identifier,
            },
        );
    }
    out
}

/// The supplier of an award as a [`PartyRef`]; the tax id comes from the party's identifier.
fn supplier(
    award: &Map<String, Value>,
    apath: &str,
    parties: &HashMap<String, Party>,
    p: &mut Problems,
) -> Option<PartyRef> {
    let suppliers = opt_array(award, "suppliers", apath, p);
    if suppliers.len() > 1 {
        p.add(
            &at(apath, "suppliers"),
            "error-ocds-several-suppliers",
            Some(suppliers.len().to_string()),
        );
        return None;
    }
    let v = suppliers.first()?;
    let spath = format!("{apath}/suppliers/0");
    let Some(s) = v.as_object() else {
        wrong_type(p, &spath, "object", v);
        return None;
    };
    let id = req_str(s, "id", &spath, 300, p)?;
    let Some(party) = parties.get(id) else {
        p.add(
            &at(&spath, "id"),
            "error-ocds-unknown-party",
            Some(id.to_owned()),
        );
        return None;
    };
    let Some(name) = opt_str(s, "name", &spath, 300, p)
        .map(str::to_owned)
        .or_else(|| party.name.clone())
    else {
        p.add(&at(&spath, "name"), "error-ocds-required", None);
        return None;
    };
    let tax = match &party.identifier {
        Some((scheme, tid)) if scheme == SUPPLIER_SCHEME => tid.clone(),
        Some((scheme, tid)) if scheme == VAT_SCHEME => {
            tid.strip_prefix("ES").unwrap_or(tid).to_owned()
        }
        other => {
            p.add(
                &at(&spath, "id"),
                "error-ocds-supplier-identifier",
                Some(
                    other
                        .as_ref()
                        .map_or_else(|| id.to_owned(), |(scheme, tid)| format!("{scheme} {tid}")),
                ),
            );
            return None;
        }
    };
    match TaxId::parse(&tax) {
        Ok(tax_id) => Some(PartyRef { name, tax_id }),
        Err(key) => {
            p.add(&at(&spath, "id"), key, Some(tax));
            None
        }
    }
}

/// The reservation of a tender or lot: Elkarlan's own code when present (checked against the
/// standard field), otherwise the standard field alone (`shelteredWorkshop` allows both kinds).
fn reservation(o: &Map<String, Value>, path: &str, p: &mut Problems) -> Option<Reservation> {
    let mut sheltered = false;
    let mut ok = true;
    if let Some(req) = opt_object(o, "otherRequirements", path, p) {
        let rpath = at(path, "otherRequirements");
        for (i, v) in opt_array(req, "reservedParticipation", &rpath, p)
            .iter()
            .enumerate()
        {
            let cpath = format!("{rpath}/reservedParticipation/{i}");
            match v.as_str() {
                Some(SHELTERED_WORKSHOP) => sheltered = true,
                Some(code) if CODELISTS.reserved_participation.contains(code) => {
                    // Reserved to public-service organisations (Ley 9/2017, DA 48ª): not a
                    // reservation Elkarlan records.
                    p.add(
                        &cpath,
                        "error-ocds-reservation-unsupported",
                        Some(code.to_owned()),
                    );
                    ok = false;
                }
                Some(code) => {
                    p.add(&cpath, "error-ocds-codelist", Some(code.to_owned()));
                    ok = false;
                }
                None => {
                    wrong_type(p, &cpath, "string", v);
                    ok = false;
                }
            }
        }
    }
    let local = opt_object(o, "elkarlan", path, p).and_then(|e| {
        let epath = at(path, "elkarlan");
        let code = opt_str(e, "reservation", &epath, 100, p)?;
        Reservation::parse(code)
            .map_err(|key| p.add(&at(&epath, "reservation"), key, Some(code.to_owned())))
            .ok()
    });
    if !ok {
        return None;
    }
    match local {
        Some(r) if r.is_reserved() != sheltered => {
            p.add(
                &at(&at(path, "elkarlan"), "reservation"),
                "error-ocds-reservation-mismatch",
                Some(r.code().to_owned()),
            );
            None
        }
        Some(r) => Some(r),
        None if sheltered => Some(Reservation::Both),
        None => Some(Reservation::NotReserved),
    }
}

/// The status from the release's tags (the most advanced stage wins), then `tender.status`.
fn status_of(tags: &[&str], tender_status: Option<&str>) -> Option<ContractStatus> {
    let has = |t: &[&str]| tags.iter().any(|x| t.contains(x));
    let by_tag = if has(&["tenderCancellation", "awardCancellation"]) {
        Some(ContractStatus::Cancelled)
    } else if has(&["contractTermination"]) {
        Some(ContractStatus::Completed)
    } else if has(&[
        "contract",
        "contractUpdate",
        "contractAmendment",
        "implementation",
        "implementationUpdate",
    ]) {
        Some(ContractStatus::InExecution)
    } else if has(&["award", "awardUpdate"]) {
        Some(ContractStatus::Awarded)
    } else if has(&["tender", "tenderUpdate", "tenderAmendment"]) {
        Some(ContractStatus::Tendering)
    } else if has(&["planning", "planningUpdate"]) {
        Some(ContractStatus::Planned)
    } else {
        None
    };
    match tender_status {
        Some("cancelled" | "unsuccessful" | "withdrawn") => Some(ContractStatus::Cancelled),
        _ => by_tag.or(match tender_status {
            Some("planning" | "planned") => Some(ContractStatus::Planned),
            Some("active") => Some(ContractStatus::Tendering),
            Some("complete") => Some(ContractStatus::Awarded),
            _ => None,
        }),
    }
}

/// The procedure: Elkarlan's own code, else the Spanish name in `procurementMethodDetails`,
/// else the closest for the standard method.
fn procedure(
    tender: &Map<String, Value>,
    tpath: &str,
    method: Option<&str>,
    p: &mut Problems,
) -> Option<ProcurementProcedure> {
    let local = opt_object(tender, "elkarlan", tpath, p).and_then(|e| {
        let epath = at(tpath, "elkarlan");
        let code = opt_str(e, "procedure", &epath, 100, p)?;
        ProcurementProcedure::parse(code)
            .map_err(|key| p.add(&at(&epath, "procedure"), key, Some(code.to_owned())))
            .ok()
    });
    let details = opt_str(tender, "procurementMethodDetails", tpath, 1000, p).and_then(|d| {
        ProcurementProcedure::ALL
            .iter()
            .copied()
            .find(|x| procedure_details(*x).eq_ignore_ascii_case(d))
    });
    let method = method?;
    let chosen = local.or(details).or(match method {
        "open" => Some(ProcurementProcedure::Open),
        "selective" => Some(ProcurementProcedure::Restricted),
        "limited" => Some(ProcurementProcedure::Negotiated),
        "direct" => Some(ProcurementProcedure::Minor),
        _ => None,
    })?;
    if chosen.ocds_method() != method {
        p.add(
            &at(tpath, "procurementMethod"),
            "error-ocds-procedure-mismatch",
            Some(format!("{method} / {}", chosen.code())),
        );
        return None;
    }
    Some(chosen)
}

/// The category by CPV division when a publisher leaves it out: 45 is works, 03–44 and 48
/// goods, the rest services (the CPV regulation's own split).
fn category_of(cpv: Cpv) -> ProcurementCategory {
    match cpv.code().get(..2).and_then(|d| d.parse::<u8>().ok()) {
        Some(45) => ProcurementCategory::Works,
        Some(3..=44 | 48) => ProcurementCategory::Goods,
        _ => ProcurementCategory::Services,
    }
}

struct Item {
    cpv: Option<Cpv>,
    related_lot: Option<String>,
}

fn read_items(tender: &Map<String, Value>, tpath: &str, p: &mut Problems) -> Vec<Item> {
    let mut out = Vec::new();
    for (i, v) in opt_array(tender, "items", tpath, p).iter().enumerate() {
        let ipath = format!("{tpath}/items/{i}");
        let Some(o) = v.as_object() else {
            wrong_type(p, &ipath, "object", v);
            continue;
        };
        for key in ITEM_REQUIRED {
            req_str(o, key, &ipath, 300, p);
        }
        let cpv = match req_object(o, "classification", &ipath, p) {
            None => None,
            Some(c) => {
                let cpath = at(&ipath, "classification");
                let scheme = req_str(c, "scheme", &cpath, 100, p);
                let id = req_str(c, "id", &cpath, 100, p);
                match (scheme, id) {
                    (Some("CPV"), Some(id)) => Cpv::parse(id)
                        .map_err(|key| p.add(&at(&cpath, "id"), key, Some(id.to_owned())))
                        .ok(),
                    (Some(other), _) if other != "CPV" => {
                        p.add(
                            &at(&cpath, "scheme"),
                            "error-ocds-classification-scheme",
                            Some(other.to_owned()),
                        );
                        None
                    }
                    _ => None,
                }
            }
        };
        let related_lot = opt_str(o, "relatedLot", &ipath, 100, p).map(str::to_owned);
        out.push(Item { cpv, related_lot });
    }
    out
}

struct Award {
    id: String,
    cancelled: bool,
    path: String,
    lots: Vec<String>,
    supplier: Option<PartyRef>,
    cents: Option<i64>,
    date: Option<NaiveDate>,
}

fn read_awards(
    rel: &Map<String, Value>,
    path: &str,
    parties: &HashMap<String, Party>,
    p: &mut Problems,
) -> Vec<Award> {
    let mut out = Vec::new();
    for (i, v) in opt_array(rel, "awards", path, p).iter().enumerate() {
        let apath = format!("{path}/awards/{i}");
        let Some(o) = v.as_object() else {
            wrong_type(p, &apath, "object", v);
            continue;
        };
        let mut id = None;
        for key in AWARD_REQUIRED {
            id = req_str(o, key, &apath, 300, p);
        }
        let status = opt_code(o, "status", &apath, &CODELISTS.award_status, p);
        let lots: Vec<String> = opt_array(o, "relatedLots", &apath, p)
            .iter()
            .enumerate()
            .filter_map(|(j, l)| match l {
                Value::String(s) => Some(s.trim().to_owned()),
                other => {
                    wrong_type(p, &format!("{apath}/relatedLots/{j}"), "string", other);
                    None
                }
            })
            .collect();
        out.push(Award {
            id: id.unwrap_or_default().to_owned(),
            cancelled: matches!(status, Some("cancelled" | "unsuccessful")),
            path: apath.clone(),
            lots,
            supplier: supplier(o, &apath, parties, p),
            cents: value_cents(o, "value", &apath, false, p),
            date: opt_date(o, "date", &apath, p),
        });
    }
    out
}

/// One release to a record; `None` when something is wrong (the problems say what).
fn read_release(
    v: &Value,
    path: &str,
    seen_ocids: &mut HashMap<String, String>,
    p: &mut Problems,
) -> Option<ContractRecord> {
    let before = p.0.len();
    let Some(rel) = v.as_object() else {
        wrong_type(p, path, "object", v);
        return None;
    };
    for key in RELEASE_REQUIRED {
        if field(rel, key).is_none() {
            p.add(&at(path, key), "error-ocds-required", None);
        }
    }
    let ocid = opt_str(rel, "ocid", path, 200, p);
    if let Some(o) = ocid {
        if !ocid_ok(o) {
            p.add(
                &at(path, "ocid"),
                "error-ocds-ocid-format",
                Some(o.to_owned()),
            );
        } else if let Some(first) = seen_ocids.get(o) {
            p.add(
                &at(path, "ocid"),
                "error-ocds-duplicate-ocid",
                Some(first.clone()),
            );
        } else {
            seen_ocids.insert(o.to_owned(), at(path, "ocid"));
        }
    }
    opt_str(rel, "id", path, 300, p);
    if let Some(d) = opt_str(rel, "date", path, 64, p)
        && parse_date(d).is_none()
    {
        p.add(&at(path, "date"), "error-ocds-date", Some(d.to_owned()));
    }
    let mut tags = Vec::new();
    match field(rel, "tag") {
        Some(Value::Array(a)) => {
            for (i, t) in a.iter().enumerate() {
                match t.as_str() {
                    // An open code list: codes outside it are allowed and ignored here.
                    Some(s) => tags.push(s),
                    None => wrong_type(p, &format!("{path}/tag/{i}"), "string", t),
                }
            }
            if a.is_empty() {
                p.add(&at(path, "tag"), "error-ocds-required", None);
            }
        }
        Some(other) => wrong_type(p, &at(path, "tag"), "array", other),
        None => {}
    }
    opt_code(rel, "initiationType", path, &CODELISTS.initiation_type, p);
    opt_str(rel, "language", path, 35, p);
    let parties = read_parties(rel, path, p);

    // The contracting body: the buyer's name, or the name of the party it points to.
    let buyer = opt_object(rel, "buyer", path, p);
    let contracting_body = buyer.and_then(|b| {
        let bpath = at(path, "buyer");
        opt_str(b, "name", &bpath, 300, p)
            .map(str::to_owned)
            .or_else(|| {
                let id = opt_str(b, "id", &bpath, 300, p)?;
                parties.get(id).and_then(|x| x.name.clone())
            })
    });
    if contracting_body.is_none() {
        p.add(&at(&at(path, "buyer"), "name"), "error-ocds-required", None);
    }

    let tpath = at(path, "tender");
    let tender = req_object(rel, "tender", path, p)?;
    let mut file_number = None;
    for key in TENDER_REQUIRED {
        file_number = req_str(tender, key, &tpath, 100, p);
    }
    let title = req_str(tender, "title", &tpath, 500, p);
    let description = opt_str(tender, "description", &tpath, 10_000, p).map(str::to_owned);
    let t_status = opt_code(tender, "status", &tpath, &CODELISTS.tender_status, p);
    let method = if field(tender, "procurementMethod").is_none() {
        p.add(
            &at(&tpath, "procurementMethod"),
            "error-ocds-required",
            None,
        );
        None
    } else {
        opt_code(tender, "procurementMethod", &tpath, &CODELISTS.method, p)
    };
    let procedure_read = procedure(tender, &tpath, method, p);
    let category = opt_code(
        tender,
        "mainProcurementCategory",
        &tpath,
        &CODELISTS.category,
        p,
    )
    .and_then(|c| ProcurementCategory::parse(c).ok());
    let amount = value_cents(tender, "value", &tpath, true, p);
    let items = read_items(tender, &tpath, p);
    let main = items
        .iter()
        .find(|i| i.related_lot.is_none())
        .or_else(|| items.first());
    let cpv = main.and_then(|i| i.cpv);
    if items.is_empty() {
        p.add(&at(&tpath, "items"), "error-ocds-required", None);
    }
    let published_on = opt_object(tender, "tenderPeriod", &tpath, p)
        .and_then(|tp| opt_date(tp, "startDate", &at(&tpath, "tenderPeriod"), p));
    let mut period = opt_object(tender, "contractPeriod", &tpath, p).map(|cp| {
        let cpath = at(&tpath, "contractPeriod");
        (
            opt_date(cp, "startDate", &cpath, p),
            opt_date(cp, "endDate", &cpath, p),
            cpath,
        )
    });
    let tender_reservation = reservation(tender, &tpath, p);

    // Lots.
    let mut lots = Vec::new();
    let mut lot_ids: HashMap<String, u32> = HashMap::new();
    for (i, lv) in opt_array(tender, "lots", &tpath, p).iter().enumerate() {
        let lpath = format!("{tpath}/lots/{i}");
        let Some(l) = lv.as_object() else {
            wrong_type(p, &lpath, "object", lv);
            continue;
        };
        let Some(id) = req_str(l, "id", &lpath, 100, p) else {
            continue;
        };
        let Some(number) = lot_number(id) else {
            p.add(&at(&lpath, "id"), "error-ocds-lot-id", Some(id.to_owned()));
            continue;
        };
        if lot_ids.values().any(|n| *n == number) || lot_ids.contains_key(id) {
            p.add(
                &at(&lpath, "id"),
                "error-ocds-duplicate-lot",
                Some(id.to_owned()),
            );
            continue;
        }
        lot_ids.insert(id.to_owned(), number);
        let title = req_str(l, "title", &lpath, 500, p);
        opt_code(l, "status", &lpath, &CODELISTS.tender_status, p);
        let amount = value_cents(l, "value", &lpath, true, p);
        let lot_reservation = reservation(l, &lpath, p);
        let lot_cpv = items
            .iter()
            .find(|it| it.related_lot.as_deref() == Some(id))
            .map_or(cpv, |it| it.cpv);
        if let (Some(title), Some(amount_cents), Some(reservation), Some(cpv)) =
            (title, amount, lot_reservation, lot_cpv)
        {
            lots.push((
                id.to_owned(),
                LotRecord {
                    number,
                    title: title.to_owned(),
                    cpv,
                    amount_cents,
                    reservation,
                    awardee: None,
                    awarded_cents: None,
                },
            ));
        }
    }
    for (i, it) in items.iter().enumerate() {
        if let Some(l) = &it.related_lot
            && !lot_ids.contains_key(l)
        {
            p.add(
                &format!("{tpath}/items/{i}/relatedLot"),
                "error-ocds-unknown-lot",
                Some(l.clone()),
            );
        }
    }

    // Social clauses of the local extension.
    let mut clauses = Vec::new();
    if let Some(e) = opt_object(tender, "elkarlan", &tpath, p) {
        let epath = at(&tpath, "elkarlan");
        for (i, cv) in opt_array(e, "socialClauses", &epath, p).iter().enumerate() {
            let cpath = format!("{epath}/socialClauses/{i}");
            let Some(c) = cv.as_object() else {
                wrong_type(p, &cpath, "object", cv);
                continue;
            };
            let lot = opt_str(c, "lot", &cpath, 100, p).and_then(|l| match lot_ids.get(l) {
                Some(n) => Some(Some(*n)),
                None => {
                    p.add(
                        &at(&cpath, "lot"),
                        "error-ocds-unknown-lot",
                        Some(l.to_owned()),
                    );
                    None
                }
            });
            let lot_given = field(c, "lot").is_some();
            let stage = req_str(c, "stage", &cpath, 100, p).and_then(|s| {
                ClauseStage::parse(s)
                    .map_err(|key| p.add(&at(&cpath, "stage"), key, Some(s.to_owned())))
                    .ok()
            });
            let purpose = req_str(c, "purpose", &cpath, 100, p).and_then(|s| {
                ClausePurpose::parse(s)
                    .map_err(|key| p.add(&at(&cpath, "purpose"), key, Some(s.to_owned())))
                    .ok()
            });
            let description = req_str(c, "description", &cpath, 2000, p);
            let weight = match field(c, "weightPercent") {
                None => Ok(None),
                Some(w) => match w.as_u64().and_then(|w| u8::try_from(w).ok()) {
                    Some(w) if w <= 100 => Ok(Some(w)),
                    _ => {
                        p.add(
                            &at(&cpath, "weightPercent"),
                            "error-ocds-weight",
                            Some(w.to_string()),
                        );
                        Err(())
                    }
                },
            };
            let lot = match (lot_given, lot) {
                (false, _) => Some(None),
                (true, l) => l,
            };
            if let (Some(lot), Some(stage), Some(purpose), Some(description), Ok(weight_percent)) =
                (lot, stage, purpose, description, weight)
            {
                clauses.push(ClauseRecord {
                    lot,
                    stage,
                    purpose,
                    description: description.to_owned(),
                    weight_percent,
                });
            }
        }
    }

    // Awards: at most one for the whole contract, at most one per lot. A cancelled or failed
    // award names no awardee, unless the whole process was cancelled after it.
    let status = status_of(&tags, t_status);
    let mut awards = read_awards(rel, path, &parties, p);
    let award_ids: Vec<String> = awards.iter().map(|a| a.id.clone()).collect();
    awards.retain(|a| !a.cancelled || status == Some(ContractStatus::Cancelled));
    let mut whole: Option<&Award> = None;
    let mut lot_awarded: HashSet<String> = HashSet::new();
    for a in &awards {
        if a.lots.is_empty() {
            if whole.is_some() {
                p.add(&a.path, "error-ocds-several-awards", None);
            }
            whole = whole.or(Some(a));
            continue;
        }
        for l in &a.lots {
            if !lot_ids.contains_key(l) {
                p.add(
                    &at(&a.path, "relatedLots"),
                    "error-ocds-unknown-lot",
                    Some(l.clone()),
                );
            } else if !lot_awarded.insert(l.clone()) {
                p.add(&a.path, "error-ocds-several-awards", Some(l.clone()));
            }
        }
        for (id, lot) in &mut lots {
            if a.lots.contains(id) {
                lot.awardee.clone_from(&a.supplier);
                // An award over several lots has one value for all of them: no share per lot.
                if a.lots.len() == 1 {
                    lot.awarded_cents = a.cents;
                }
            }
        }
    }
    let awarded_on = whole
        .and_then(|a| a.date)
        .or_else(|| awards.iter().find_map(|a| a.date));

    // Contracts: each points to an award; the period falls back to the first contract's.
    for (i, cv) in opt_array(rel, "contracts", path, p).iter().enumerate() {
        let cpath = format!("{path}/contracts/{i}");
        let Some(c) = cv.as_object() else {
            wrong_type(p, &cpath, "object", cv);
            continue;
        };
        for key in CONTRACT_REQUIRED {
            req_str(c, key, &cpath, 300, p);
        }
        if let Some(aid) = opt_str(c, "awardID", &cpath, 300, p)
            && !award_ids.iter().any(|a| a == aid)
        {
            p.add(
                &at(&cpath, "awardID"),
                "error-ocds-unknown-award",
                Some(aid.to_owned()),
            );
        }
        opt_code(c, "status", &cpath, &CODELISTS.contract_status, p);
        value_cents(c, "value", &cpath, false, p);
        if let Some(cp) = opt_object(c, "period", &cpath, p) {
            let ppath = at(&cpath, "period");
            let s = opt_date(cp, "startDate", &ppath, p);
            let e = opt_date(cp, "endDate", &ppath, p);
            if period.is_none() {
                period = Some((s, e, ppath));
            }
        }
    }
    let (starts_on, ends_on) = match period {
        Some((Some(s), Some(e), ppath)) if e < s => {
            p.add(
                &at(&ppath, "endDate"),
                "error-ocds-period",
                Some(format!("{s} > {e}")),
            );
            (Some(s), Some(e))
        }
        Some((s, e, _)) => (s, e),
        None => (None, None),
    };

    if status.is_none() && !tags.is_empty() {
        p.add(&at(path, "tag"), "error-ocds-tag", Some(tags.join(", ")));
    }
    let category = category.or(cpv.map(category_of));

    if p.0.len() > before {
        return None;
    }
    let record = (|| {
        Some(ContractRecord {
            ocid: ocid?.to_owned(),
            file_number: file_number?.to_owned(),
            contracting_body: contracting_body?,
            title: title?.to_owned(),
            description,
            cpv: cpv?,
            category: category?,
            procedure: procedure_read?,
            status: status?,
            amount_cents: amount?,
            published_on,
            awarded_on,
            starts_on,
            ends_on,
            reservation: tender_reservation?,
            awardee: whole.and_then(|a| a.supplier.clone()),
            awarded_cents: whole.and_then(|a| a.cents),
            lots: lots.into_iter().map(|(_, l)| l).collect(),
            clauses,
        })
    })();
    if record.is_none() {
        // Every missing piece should have been reported above; never drop a release silently.
        p.add(path, "error-ocds-required", None);
    }
    record
}

/// Reads a release package (or a single release) into contract records. Every problem found
/// is returned, each pointing at its field; no record is returned if there is any.
///
/// Limits: [`MAX_PACKAGE_BYTES`] and [`MAX_RELEASES`]; nesting deeper than serde_json's
/// recursion limit (128) is refused as malformed JSON, so a deeply nested document cannot
/// exhaust the stack.
pub fn parse_package(bytes: &[u8]) -> Result<Vec<ContractRecord>, Vec<OcdsProblem>> {
    let mut p = Problems(Vec::new());
    if bytes.len() > MAX_PACKAGE_BYTES {
        p.add(
            "/",
            "error-ocds-too-large",
            Some(format!("{} > {MAX_PACKAGE_BYTES} bytes", bytes.len())),
        );
        return Err(p.0);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let doc: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            p.add(
                "/",
                "error-ocds-json",
                Some(format!("line {}, column {}: {e}", e.line(), e.column())),
            );
            return Err(p.0);
        }
    };
    let Some(root) = doc.as_object() else {
        wrong_type(&mut p, "/", "object", &doc);
        return Err(p.0);
    };

    let mut seen = HashMap::new();
    // A single release, as some publishers serve one contracting process.
    if field(root, "releases").is_none() && field(root, "ocid").is_some() {
        return match read_release(&doc, "", &mut seen, &mut p) {
            Some(r) if p.0.is_empty() => Ok(vec![r]),
            _ => Err(p.0),
        };
    }

    for key in PACKAGE_REQUIRED {
        if field(root, key).is_none() {
            p.add(&at("", key), "error-ocds-required", None);
        }
    }
    match field(root, "version") {
        Some(Value::String(v)) if v == "1.1" => {}
        Some(v) => p.add(
            "/version",
            "error-ocds-version",
            Some(v.as_str().map_or_else(|| v.to_string(), str::to_owned)),
        ),
        None => {}
    }
    opt_str(root, "uri", "", 2000, &mut p);
    if let Some(d) = opt_str(root, "publishedDate", "", 64, &mut p)
        && parse_date(d).is_none()
    {
        p.add("/publishedDate", "error-ocds-date", Some(d.to_owned()));
    }
    if let Some(publisher) = opt_object(root, "publisher", "", &mut p) {
        opt_str(publisher, "name", "/publisher", 300, &mut p);
    }
    let releases = opt_array(root, "releases", "", &mut p);
    if releases.len() > MAX_RELEASES {
        p.add(
            "/releases",
            "error-ocds-too-many-releases",
            Some(format!("{} > {MAX_RELEASES}", releases.len())),
        );
        return Err(p.0);
    }
    let mut records = Vec::with_capacity(releases.len());
    for (i, r) in releases.iter().enumerate() {
        if let Some(rec) = read_release(r, &format!("/releases/{i}"), &mut seen, &mut p) {
            records.push(rec);
        }
    }
    if p.0.is_empty() {
        Ok(records)
    } else {
        Err(p.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_from_cents_exactly() {
        for (cents, text) in [
            (0, "0.0"),
            (5, "0.05"),
            (10, "0.1"),
            (123_456_789, "1234567.89"),
            (MAX_CENTS, "10000000000.0"),
            (MAX_CENTS - 1, "9999999999.99"),
        ] {
            assert_eq!(amount_number(cents).to_string(), text);
            assert_eq!(cents_of(&amount_number(cents)), Ok(cents));
        }
    }

    #[test]
    fn amounts_are_read_exactly_or_refused() {
        let read = |s: &str| serde_json::from_str::<Value>(s).map(|v| cents_of(&v));
        assert_eq!(read("1234.5").ok(), Some(Ok(123_450)));
        assert_eq!(read("0.07").ok(), Some(Ok(7)));
        assert_eq!(read("12").ok(), Some(Ok(1200)));
        assert_eq!(read("1.10").ok(), Some(Ok(110)));
        assert_eq!(read("1.005").ok(), Some(Err("error-ocds-amount-format")));
        assert_eq!(read("-1").ok(), Some(Err("error-ocds-amount-negative")));
        assert_eq!(read("-0.5").ok(), Some(Err("error-ocds-amount-negative")));
        assert_eq!(read("1e30").ok(), Some(Err("error-ocds-amount-range")));
        assert_eq!(read("1e-9").ok(), Some(Err("error-ocds-amount-format")));
        assert_eq!(
            read("18446744073709551615").ok(),
            Some(Err("error-ocds-amount-range"))
        );
        assert_eq!(
            read("10000000000.01").ok(),
            Some(Err("error-ocds-amount-range"))
        );
        assert_eq!(read("\"12\"").ok(), Some(Err("error-ocds-type")));
    }

    #[test]
    fn ocids_and_lot_ids() {
        assert!(ocid_ok("ocds-b5fd17-2026-0042"));
        assert!(!ocid_ok("ocds-b5fd1-2026"));
        assert!(!ocid_ok("ocds-b5fd17-"));
        assert!(!ocid_ok("2026-0042"));
        assert_eq!(lot_number("3"), Some(3));
        assert_eq!(lot_number("LOT-0003"), Some(3));
        assert_eq!(lot_number("0"), None);
        assert_eq!(lot_number("LOT-A"), None);
        assert_eq!(lot_number("99999999999"), None);
    }

    #[test]
    fn categories_follow_the_cpv_division() {
        let cat = |c: &str| Cpv::parse(c).map(category_of);
        assert_eq!(cat("45000000"), Ok(ProcurementCategory::Works));
        assert_eq!(cat("30192000"), Ok(ProcurementCategory::Goods));
        assert_eq!(cat("85312000"), Ok(ProcurementCategory::Services));
    }

    #[test]
    fn every_code_list_is_bundled_and_non_empty() {
        for f in [
            "releaseTag.csv",
            "initiationType.csv",
            "method.csv",
            "procurementCategory.csv",
            "tenderStatus.csv",
            "awardStatus.csv",
            "contractStatus.csv",
            "currency.csv",
            "reservedParticipation.csv",
        ] {
            assert!(codelist(f).is_some_and(|c| !c.is_empty()), "{f}");
        }
        assert!(CODELISTS.currency.contains("EUR"));
        assert!(
            CODELISTS
                .reserved_participation
                .contains(SHELTERED_WORKSHOP)
        );
    }
}
