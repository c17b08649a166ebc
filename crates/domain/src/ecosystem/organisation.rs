//! Organisations of the ecosystem as typed on a form or sent to the API, their relationships,
//! register entries (qualifications), yearly social audit figures, the pole's activities and
//! the entrepreneurship projects it supports. Every parse collects one error per field.

use super::codes::{LegalForm, PoleActivityKind, QualificationKind, RelationKind, VentureStage};
use super::cpv::Cpv;
use crate::account::Email;
use crate::employment::codes::Sector;
use crate::employment::programme::{
    date, optional_date, optional_text, parse_euros, required_text, whole_number,
};
use crate::identity::TaxId;
use crate::{AreaId, FieldErrors, OrganisationId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Every message key this module can return.
pub const MESSAGE_KEYS: &[&str] = &[
    "error-org-name-required",
    "error-tax-id-organisation-expected",
    "error-tax-id-person-expected",
    "error-tax-id-taken",
    "error-area-unknown",
    "error-website-format",
    "error-phone-format",
    "error-registers-format",
    "error-contacts-format",
    "error-activities-too-many",
    "error-relation-self",
    "error-organisation-unknown",
    "error-end-before-start",
    "error-register-number-required",
    "error-evidence-required",
    "error-expiry-before-grant",
    "error-count",
    "error-women-over-workforce",
    "error-women-responsibility-over-people",
    "error-responsibility-over-workforce",
    "error-exclusion-over-workforce",
    "error-permanent-over-workforce",
    "error-salary-ratio",
    "error-renewable-percent",
    "error-amount-format",
    "error-title-required",
    "error-hours-format",
    "error-participants-format",
    "error-venture-name-required",
    "error-promoters",
    "error-stage-backwards",
    "error-support-required",
    "error-year",
];

fn is_yes(s: &str) -> bool {
    matches!(
        s.trim().to_lowercase().as_str(),
        "yes" | "true" | "on" | "1" | "bai" | "sí" | "si"
    )
}

/// Splits a list typed in a box: one per line, or separated by commas, semicolons or spaces.
pub fn split_list(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Hours or a ratio with up to two decimals (`2,5`, `3.25`), in hundredths.
pub fn parse_centi(s: &str, key: &'static str) -> Result<i64, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Err(key);
    }
    // A thousands separator makes no sense here: `1.500` is one and a half, not 1500.
    let t = t.replace(',', ".");
    let (whole, frac) = t.split_once('.').unwrap_or((t.as_str(), ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(key);
    }
    let w: i64 = whole.parse().map_err(|_| key)?;
    let f: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| key)? * 10,
        _ => frac.parse().map_err(|_| key)?,
    };
    w.checked_mul(100)
        .and_then(|x| x.checked_add(f))
        .filter(|x| *x <= 100_000_000)
        .ok_or(key)
}

/// Hundredths shown with a decimal comma: `250` is `2,5`, `300` is `3`.
pub fn format_centi(v: i64) -> String {
    let (w, f) = (v / 100, v % 100);
    if f == 0 {
        w.to_string()
    } else if f % 10 == 0 {
        format!("{w},{}", f / 10)
    } else {
        format!("{w},{f:02}")
    }
}

/// One entry in an official register (cooperatives, foundations, associations, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegisterEntry {
    pub register: String,
    pub number: String,
}

/// A contact person of the organisation: business contact data, personal data all the same.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub name: String,
    pub role: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// An organisation as typed on the form or sent to the API, before parsing.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganisationInput {
    pub name: String,
    /// NIF/CIF of the organisation (a DNI or NIE for the self-employed).
    pub tax_id: String,
    /// A legal form code: cooperative, insertion_company, special_employment_centre, ...
    pub legal_form: String,
    /// The exact legal wording, e.g. "Centro Especial de Empleo de iniciativa social".
    pub legal_label: String,
    /// CNAE section letter (a to u).
    pub sector: String,
    /// The neighbourhood (area id), optional.
    pub neighbourhood: String,
    pub address: String,
    pub email: String,
    pub phone: String,
    pub website: String,
    pub description: String,
    /// CPV codes of what the organisation does (`85312000`, `90910000-9`).
    pub activities: Vec<String>,
    /// One line per register entry: `register; number`.
    pub registers: String,
    /// One line per contact: `name; role; email; phone`.
    pub contacts: String,
    pub pole_member: bool,
    /// YYYY-MM-DD; when it joined the pole.
    pub pole_member_since: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrganisationDraft {
    pub name: String,
    pub tax_id: TaxId,
    pub legal_form: LegalForm,
    pub legal_label: Option<String>,
    pub sector: Sector,
    pub neighbourhood: Option<AreaId>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub description: Option<String>,
    pub activities: Vec<Cpv>,
    pub registers: Vec<RegisterEntry>,
    pub contacts: Vec<Contact>,
    pub pole_member: bool,
    pub pole_member_since: Option<NaiveDate>,
}

fn optional_email(s: &str) -> Result<Option<String>, &'static str> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        Email::parse(s).map(|e| Some(e.as_str().to_owned()))
    }
}

fn optional_phone(s: &str) -> Result<Option<String>, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let ok = (6..=15).contains(&digits)
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.'));
    if ok {
        Ok(Some(t.to_owned()))
    } else {
        Err("error-phone-format")
    }
}

fn optional_website(s: &str) -> Result<Option<String>, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let url = if t.starts_with("http://") || t.starts_with("https://") {
        t.to_owned()
    } else {
        format!("https://{t}")
    };
    let host = url.split("://").nth(1).unwrap_or_default();
    if url.len() > 300 || !host.contains('.') || url.chars().any(char::is_whitespace) {
        Err("error-website-format")
    } else {
        Ok(Some(url))
    }
}

/// Parses CPV codes, dropping repeats; at most 50.
pub fn parse_activities(v: &[String]) -> Result<Vec<Cpv>, &'static str> {
    let mut out: Vec<Cpv> = Vec::new();
    for raw in v.iter().flat_map(|s| split_list(s)) {
        let c = Cpv::parse(&raw)?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if out.len() > 50 {
        return Err("error-activities-too-many");
    }
    Ok(out)
}

fn parse_registers(s: &str) -> Result<Vec<RegisterEntry>, &'static str> {
    let mut out = Vec::new();
    for line in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (register, number) = line.split_once(';').ok_or("error-registers-format")?;
        out.push(RegisterEntry {
            register: required_text(register, 200, "error-registers-format")?,
            number: required_text(number, 60, "error-registers-format")?,
        });
    }
    if out.len() > 20 {
        return Err("error-registers-format");
    }
    Ok(out)
}

fn parse_contacts(s: &str) -> Result<Vec<Contact>, &'static str> {
    let mut out = Vec::new();
    for line in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = line.split(';').collect();
        if parts.len() > 4 {
            return Err("error-contacts-format");
        }
        let part = |i: usize| parts.get(i).copied().unwrap_or("");
        out.push(Contact {
            name: required_text(part(0), 200, "error-contacts-format")?,
            role: optional_text(part(1), 120).map_err(|_| "error-contacts-format")?,
            email: optional_email(part(2)).map_err(|_| "error-contacts-format")?,
            phone: optional_phone(part(3)).map_err(|_| "error-contacts-format")?,
        });
    }
    if out.len() > 20 {
        return Err("error-contacts-format");
    }
    Ok(out)
}

impl OrganisationInput {
    /// Parses every field. The neighbourhood's existence and the tax id's uniqueness are checked
    /// by the caller (they need the store).
    pub fn parse(&self) -> Result<OrganisationDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.take(
            "name",
            required_text(&self.name, 200, "error-org-name-required"),
        );
        let legal_form = e.take("legal_form", LegalForm::parse(&self.legal_form));
        let tax_id = e.take("tax_id", TaxId::parse(&self.tax_id));
        if let (Some(id), Some(form)) = (&tax_id, legal_form) {
            // The self-employed are people: their NIF is a DNI or NIE.
            if form == LegalForm::SelfEmployed && id.is_organisation() {
                e.add("tax_id", "error-tax-id-person-expected");
            } else if form != LegalForm::SelfEmployed && !id.is_organisation() {
                e.add("tax_id", "error-tax-id-organisation-expected");
            }
        }
        let legal_label = e.take("legal_label", optional_text(&self.legal_label, 200));
        let sector = e.take("sector", Sector::parse(&self.sector));
        let neighbourhood = if self.neighbourhood.trim().is_empty() {
            Some(None)
        } else {
            e.take(
                "neighbourhood",
                self.neighbourhood
                    .trim()
                    .parse::<AreaId>()
                    .map(Some)
                    .map_err(|_| "error-area-unknown"),
            )
        };
        let address = e.take("address", optional_text(&self.address, 300));
        let email = e.take("email", optional_email(&self.email));
        let phone = e.take("phone", optional_phone(&self.phone));
        let website = e.take("website", optional_website(&self.website));
        let description = e.take("description", optional_text(&self.description, 2000));
        let activities = e.take("activities", parse_activities(&self.activities));
        let registers = e.take("registers", parse_registers(&self.registers));
        let contacts = e.take("contacts", parse_contacts(&self.contacts));
        let since = e.take("pole_member_since", optional_date(&self.pole_member_since));
        e.into_result()?;
        match (
            name,
            tax_id,
            legal_form,
            legal_label,
            sector,
            neighbourhood,
            address,
            email,
            phone,
            website,
            description,
            activities,
            registers,
            contacts,
            since,
        ) {
            (
                Some(name),
                Some(tax_id),
                Some(legal_form),
                Some(legal_label),
                Some(sector),
                Some(neighbourhood),
                Some(address),
                Some(email),
                Some(phone),
                Some(website),
                Some(description),
                Some(activities),
                Some(registers),
                Some(contacts),
                Some(since),
            ) => Ok(OrganisationDraft {
                name,
                tax_id,
                legal_form,
                legal_label,
                sector,
                neighbourhood,
                address,
                email,
                phone,
                website,
                description,
                activities,
                registers,
                contacts,
                pole_member: self.pole_member,
                pole_member_since: if self.pole_member { since } else { None },
            }),
            _ => Err(FieldErrors::new()),
        }
    }
}

/// A relationship from one organisation to another, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RelationInput {
    /// member_of, federated_in, promoted_by, owned_by, subcontractor_of, partner_of.
    pub kind: String,
    /// The other organisation's id.
    pub to: String,
    pub starts_on: String,
    pub ends_on: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RelationDraft {
    pub kind: RelationKind,
    pub to: OrganisationId,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

impl RelationInput {
    pub fn parse(&self, from: OrganisationId) -> Result<RelationDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = e.take("kind", RelationKind::parse(&self.kind));
        let to = e.take(
            "to",
            self.to
                .trim()
                .parse::<OrganisationId>()
                .map_err(|_| "error-organisation-unknown"),
        );
        if to == Some(from) {
            e.add("to", "error-relation-self");
        }
        let starts_on = e.take("starts_on", date(&self.starts_on, "error-date-required"));
        let ends_on = e.take("ends_on", optional_date(&self.ends_on));
        if let (Some(s), Some(Some(end))) = (starts_on, ends_on)
            && end < s
        {
            e.add("ends_on", "error-end-before-start");
        }
        e.into_result()?;
        match (kind, to, starts_on, ends_on) {
            (Some(kind), Some(to), Some(starts_on), Some(ends_on)) => Ok(RelationDraft {
                kind,
                to,
                starts_on,
                ends_on,
            }),
            _ => Err(FieldErrors::new()),
        }
    }
}

/// An entry in a register that qualifies for reserved contracts, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QualificationInput {
    /// insertion_company_register or special_employment_centre_register.
    pub kind: String,
    pub register_number: String,
    pub granted_on: String,
    /// Empty when the entry does not expire.
    pub expires_on: String,
    /// Where it is proven (resolution, certificate, publication).
    pub evidence: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct QualificationDraft {
    pub kind: QualificationKind,
    pub register_number: String,
    pub granted_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub evidence: String,
}

impl QualificationInput {
    pub fn parse(&self) -> Result<QualificationDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = e.take("kind", QualificationKind::parse(&self.kind));
        let number = e.take(
            "register_number",
            required_text(&self.register_number, 60, "error-register-number-required"),
        );
        let granted_on = e.take("granted_on", date(&self.granted_on, "error-date-required"));
        let expires_on = e.take("expires_on", optional_date(&self.expires_on));
        if let (Some(g), Some(Some(x))) = (granted_on, expires_on)
            && x <= g
        {
            e.add("expires_on", "error-expiry-before-grant");
        }
        let evidence = e.take(
            "evidence",
            required_text(&self.evidence, 500, "error-evidence-required"),
        );
        e.into_result()?;
        match (kind, number, granted_on, expires_on, evidence) {
            (
                Some(kind),
                Some(register_number),
                Some(granted_on),
                Some(expires_on),
                Some(evidence),
            ) => Ok(QualificationDraft {
                kind,
                register_number,
                granted_on,
                expires_on,
                evidence,
            }),
            _ => Err(FieldErrors::new()),
        }
    }
}

/// The social audit figures of one year, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileInput {
    pub workforce: String,
    pub women: String,
    pub women_in_responsibility: String,
    pub people_in_responsibility: String,
    pub hired_from_exclusion: String,
    pub permanent_contracts: String,
    /// Highest to lowest salary, e.g. `2,5`; empty when unknown.
    pub salary_ratio: String,
    /// Share of electricity from renewable sources, 0 to 100; empty when unknown.
    pub renewable_energy_percent: String,
    pub ethical_finance: bool,
    /// Yearly turnover in euros; empty when unknown.
    pub turnover: String,
    pub volunteers: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProfileDraft {
    pub year: i32,
    pub workforce: i64,
    pub women: i64,
    pub women_in_responsibility: i64,
    pub people_in_responsibility: i64,
    pub hired_from_exclusion: i64,
    pub permanent_contracts: i64,
    pub salary_ratio_centi: Option<i64>,
    pub renewable_energy_percent: Option<i64>,
    pub ethical_finance: bool,
    pub turnover_cents: Option<i64>,
    pub volunteers: Option<i64>,
}

fn count(s: &str) -> Result<i64, &'static str> {
    whole_number(s, 0..=1_000_000, "error-count")
}

fn optional<T>(
    s: &str,
    f: impl Fn(&str) -> Result<T, &'static str>,
) -> Result<Option<T>, &'static str> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        f(s).map(Some)
    }
}

/// Checks a figure does not exceed another; the error goes on the smaller one's field.
fn not_over(
    e: &mut FieldErrors,
    field: &str,
    part: Option<i64>,
    whole: Option<i64>,
    key: &'static str,
) {
    if let (Some(p), Some(w)) = (part, whole)
        && p > w
    {
        e.add(field, key);
    }
}

impl ProfileInput {
    pub fn parse(&self, year: i32) -> Result<ProfileDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        if !(2000..=2100).contains(&year) {
            e.add("year", "error-year");
        }
        let workforce = e.take("workforce", count(&self.workforce));
        let women = e.take("women", count(&self.women));
        let wir = e.take(
            "women_in_responsibility",
            count(&self.women_in_responsibility),
        );
        let pir = e.take(
            "people_in_responsibility",
            count(&self.people_in_responsibility),
        );
        let excl = e.take("hired_from_exclusion", count(&self.hired_from_exclusion));
        let perm = e.take("permanent_contracts", count(&self.permanent_contracts));
        not_over(
            &mut e,
            "women",
            women,
            workforce,
            "error-women-over-workforce",
        );
        not_over(
            &mut e,
            "women_in_responsibility",
            wir,
            pir,
            "error-women-responsibility-over-people",
        );
        not_over(
            &mut e,
            "people_in_responsibility",
            pir,
            workforce,
            "error-responsibility-over-workforce",
        );
        not_over(
            &mut e,
            "hired_from_exclusion",
            excl,
            workforce,
            "error-exclusion-over-workforce",
        );
        not_over(
            &mut e,
            "permanent_contracts",
            perm,
            workforce,
            "error-permanent-over-workforce",
        );
        let ratio = e.take(
            "salary_ratio",
            optional(&self.salary_ratio, |s| {
                parse_centi(s, "error-salary-ratio").and_then(|v| {
                    if v >= 100 {
                        Ok(v)
                    } else {
                        Err("error-salary-ratio")
                    }
                })
            }),
        );
        let renewable = e.take(
            "renewable_energy_percent",
            optional(&self.renewable_energy_percent, |s| {
                whole_number(s, 0..=100, "error-renewable-percent")
            }),
        );
        let turnover = e.take("turnover", optional(&self.turnover, parse_euros));
        let volunteers = e.take("volunteers", optional(&self.volunteers, count));
        e.into_result()?;
        match (
            workforce, women, wir, pir, excl, perm, ratio, renewable, turnover, volunteers,
        ) {
            (
                Some(workforce),
                Some(women),
                Some(women_in_responsibility),
                Some(people_in_responsibility),
                Some(hired_from_exclusion),
                Some(permanent_contracts),
                Some(salary_ratio_centi),
                Some(renewable_energy_percent),
                Some(turnover_cents),
                Some(volunteers),
            ) => Ok(ProfileDraft {
                year,
                workforce,
                women,
                women_in_responsibility,
                people_in_responsibility,
                hired_from_exclusion,
                permanent_contracts,
                salary_ratio_centi,
                renewable_energy_percent,
                ethical_finance: self.ethical_finance,
                turnover_cents,
                volunteers,
            }),
            _ => Err(FieldErrors::new()),
        }
    }
}

/// An activity of the pole, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoleActivityInput {
    /// event, training or co_creation.
    pub kind: String,
    pub title_eu: String,
    pub title_es: String,
    pub held_on: String,
    pub neighbourhood: String,
    /// Duration, e.g. `2,5`.
    pub hours: String,
    pub attendees: String,
    /// One line per participating organisation: `tax id; people` (e.g. `F48123456; 3`).
    pub participants: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PoleActivityDraft {
    pub kind: PoleActivityKind,
    pub title_eu: String,
    pub title_es: String,
    pub held_on: NaiveDate,
    pub neighbourhood: Option<AreaId>,
    pub hours_centi: i64,
    pub attendees: i64,
    /// (tax id, people); the caller resolves the tax ids to organisations.
    pub participants: Vec<(TaxId, i64)>,
}

fn parse_participants(s: &str) -> Result<Vec<(TaxId, i64)>, &'static str> {
    let mut out: Vec<(TaxId, i64)> = Vec::new();
    for line in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (id, people) = line.split_once(';').ok_or("error-participants-format")?;
        let id = TaxId::parse(id).map_err(|_| "error-participants-format")?;
        let people = whole_number(people, 1..=10_000, "error-participants-format")?;
        if out.iter().any(|(t, _)| *t == id) {
            return Err("error-participants-format");
        }
        out.push((id, people));
    }
    if out.len() > 200 {
        return Err("error-participants-format");
    }
    Ok(out)
}

fn optional_area(e: &mut FieldErrors, field: &str, s: &str) -> Option<Option<AreaId>> {
    if s.trim().is_empty() {
        Some(None)
    } else {
        e.take(
            field,
            s.trim()
                .parse::<AreaId>()
                .map(Some)
                .map_err(|_| "error-area-unknown"),
        )
    }
}

impl PoleActivityInput {
    pub fn parse(&self) -> Result<PoleActivityDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = e.take("kind", PoleActivityKind::parse(&self.kind));
        let title_eu = e.take(
            "title_eu",
            required_text(&self.title_eu, 200, "error-title-required"),
        );
        let title_es = e.take(
            "title_es",
            required_text(&self.title_es, 200, "error-title-required"),
        );
        let held_on = e.take("held_on", date(&self.held_on, "error-date-required"));
        let neighbourhood = optional_area(&mut e, "neighbourhood", &self.neighbourhood);
        let hours = e.take(
            "hours",
            if self.hours.trim().is_empty() {
                Ok(0)
            } else {
                parse_centi(&self.hours, "error-hours-format")
            },
        );
        let attendees = e.take(
            "attendees",
            if self.attendees.trim().is_empty() {
                Ok(0)
            } else {
                count(&self.attendees)
            },
        );
        let participants = e.take("participants", parse_participants(&self.participants));
        e.into_result()?;
        match (
            kind,
            title_eu,
            title_es,
            held_on,
            neighbourhood,
            hours,
            attendees,
            participants,
        ) {
            (
                Some(kind),
                Some(title_eu),
                Some(title_es),
                Some(held_on),
                Some(neighbourhood),
                Some(hours_centi),
                Some(attendees),
                Some(participants),
            ) => Ok(PoleActivityDraft {
                kind,
                title_eu,
                title_es,
                held_on,
                neighbourhood,
                hours_centi,
                attendees,
                participants,
            }),
            _ => Err(FieldErrors::new()),
        }
    }
}

/// An entrepreneurship project, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VentureInput {
    pub name: String,
    /// idea (default), incubation, constituted or operating.
    pub stage: String,
    pub neighbourhood: String,
    pub started_on: String,
    /// The legal form the promoters intend, optional.
    pub intended_form: String,
    pub promoters: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VentureDraft {
    pub name: String,
    pub stage: VentureStage,
    pub neighbourhood: Option<AreaId>,
    pub started_on: NaiveDate,
    pub intended_form: Option<LegalForm>,
    pub promoters: i64,
}

impl VentureInput {
    pub fn parse(&self) -> Result<VentureDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.take(
            "name",
            required_text(&self.name, 200, "error-venture-name-required"),
        );
        let stage = if self.stage.trim().is_empty() {
            Some(VentureStage::Idea)
        } else {
            e.take("stage", VentureStage::parse(&self.stage))
        };
        let neighbourhood = optional_area(&mut e, "neighbourhood", &self.neighbourhood);
        let started_on = e.take("started_on", date(&self.started_on, "error-date-required"));
        let intended_form = if self.intended_form.trim().is_empty() {
            Some(None)
        } else {
            e.take(
                "intended_form",
                LegalForm::parse(&self.intended_form).map(Some),
            )
        };
        let promoters = e.take(
            "promoters",
            if self.promoters.trim().is_empty() {
                Ok(1)
            } else {
                whole_number(&self.promoters, 1..=1000, "error-promoters")
            },
        );
        e.into_result()?;
        match (
            name,
            stage,
            neighbourhood,
            started_on,
            intended_form,
            promoters,
        ) {
            (
                Some(name),
                Some(stage),
                Some(neighbourhood),
                Some(started_on),
                Some(intended_form),
                Some(promoters),
            ) => Ok(VentureDraft {
                name,
                stage,
                neighbourhood,
                started_on,
                intended_form,
                promoters,
            }),
            _ => Err(FieldErrors::new()),
        }
    }
}

/// Whether a project may move from one stage to another: forward only.
pub fn stage_moves_forward(from: VentureStage, to: VentureStage) -> bool {
    let pos = |s: VentureStage| VentureStage::ALL.iter().position(|x| *x == s);
    pos(to) > pos(from)
}

/// Support given to a project on a day, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportInput {
    pub given_on: String,
    /// What was given: mentoring, a training course, a grant, premises, ...
    pub support: String,
    pub hours: String,
    /// In euros, empty for none.
    pub amount: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SupportDraft {
    pub given_on: NaiveDate,
    pub support: String,
    pub hours_centi: i64,
    pub amount_cents: i64,
}

impl SupportInput {
    pub fn parse(&self) -> Result<SupportDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let given_on = e.take("given_on", date(&self.given_on, "error-date-required"));
        let support = e.take(
            "support",
            required_text(&self.support, 300, "error-support-required"),
        );
        let hours = e.take(
            "hours",
            if self.hours.trim().is_empty() {
                Ok(0)
            } else {
                parse_centi(&self.hours, "error-hours-format")
            },
        );
        let amount = e.take(
            "amount",
            if self.amount.trim().is_empty() {
                Ok(0)
            } else {
                parse_euros(&self.amount)
            },
        );
        e.into_result()?;
        match (given_on, support, hours, amount) {
            (Some(given_on), Some(support), Some(hours_centi), Some(amount_cents)) => {
                Ok(SupportDraft {
                    given_on,
                    support,
                    hours_centi,
                    amount_cents,
                })
            }
            _ => Err(FieldErrors::new()),
        }
    }
}

/// Whether `yes`, `bai`, `sí`, `on` ... was typed (checkboxes and CSV cells).
pub fn yes(s: &str) -> bool {
    is_yes(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> OrganisationInput {
        OrganisationInput {
            name: "Garbiker Koop".into(),
            tax_id: "F95000006".into(),
            legal_form: "cooperative".into(),
            sector: "n".into(),
            activities: vec!["90910000, 77310000".into()],
            registers: "Registro de Cooperativas de Euskadi; 01-B-0123".into(),
            contacts: "Miren Etxeberria; gerente; miren@garbiker.eus; 944 000 000".into(),
            ..OrganisationInput::default()
        }
    }

    #[test]
    fn a_cooperative_with_its_cif_parses() {
        let d = org().parse();
        assert!(d.is_ok(), "{d:?}");
        let d = d.unwrap_or_else(|_| unreachable!());
        assert_eq!(d.activities.len(), 2);
        assert_eq!(d.registers[0].number, "01-B-0123");
        assert_eq!(d.contacts[0].role.as_deref(), Some("gerente"));
    }

    #[test]
    fn a_wrong_check_character_and_a_person_id_are_field_errors() {
        let mut i = org();
        i.tax_id = "F95000007".into();
        assert_eq!(
            i.parse().err().and_then(|e| e.get("tax_id")),
            Some("error-tax-id-check")
        );
        i.tax_id = "12345678Z".into();
        assert_eq!(
            i.parse().err().and_then(|e| e.get("tax_id")),
            Some("error-tax-id-organisation-expected")
        );
        i.legal_form = "self_employed".into();
        assert!(i.parse().is_ok());
        i.tax_id = "F95000006".into();
        assert_eq!(
            i.parse().err().and_then(|e| e.get("tax_id")),
            Some("error-tax-id-person-expected")
        );
    }

    #[test]
    fn profile_figures_must_be_consistent() {
        let p = ProfileInput {
            workforce: "10".into(),
            women: "11".into(),
            women_in_responsibility: "3".into(),
            people_in_responsibility: "2".into(),
            hired_from_exclusion: "12".into(),
            permanent_contracts: "4".into(),
            salary_ratio: "0,9".into(),
            renewable_energy_percent: "101".into(),
            ..ProfileInput::default()
        };
        let e = p.parse(2025).err().unwrap_or_default();
        assert_eq!(e.get("women"), Some("error-women-over-workforce"));
        assert_eq!(
            e.get("women_in_responsibility"),
            Some("error-women-responsibility-over-people")
        );
        assert_eq!(
            e.get("hired_from_exclusion"),
            Some("error-exclusion-over-workforce")
        );
        assert_eq!(e.get("salary_ratio"), Some("error-salary-ratio"));
        assert_eq!(
            e.get("renewable_energy_percent"),
            Some("error-renewable-percent")
        );
        let ok = ProfileInput {
            workforce: "10".into(),
            women: "6".into(),
            women_in_responsibility: "2".into(),
            people_in_responsibility: "3".into(),
            hired_from_exclusion: "4".into(),
            permanent_contracts: "7".into(),
            salary_ratio: "2,5".into(),
            turnover: "350.000".into(),
            ..ProfileInput::default()
        }
        .parse(2025);
        assert_eq!(ok.as_ref().map(|p| p.salary_ratio_centi), Ok(Some(250)));
        assert_eq!(ok.map(|p| p.turnover_cents), Ok(Some(35_000_000)));
    }

    #[test]
    fn relations_need_another_organisation_and_ordered_dates() {
        let me = OrganisationId::new();
        let r = RelationInput {
            kind: "member_of".into(),
            to: me.to_string(),
            starts_on: "2025-01-01".into(),
            ends_on: "2024-01-01".into(),
        };
        let e = r.parse(me).err().unwrap_or_default();
        assert_eq!(e.get("to"), Some("error-relation-self"));
        assert_eq!(e.get("ends_on"), Some("error-end-before-start"));
    }

    #[test]
    fn stages_move_forward_only_and_hours_read_decimals() {
        assert!(stage_moves_forward(
            VentureStage::Idea,
            VentureStage::Constituted
        ));
        assert!(!stage_moves_forward(
            VentureStage::Operating,
            VentureStage::Incubation
        ));
        assert!(!stage_moves_forward(VentureStage::Idea, VentureStage::Idea));
        assert_eq!(parse_centi("2,5", "k"), Ok(250));
        assert_eq!(parse_centi("3", "k"), Ok(300));
        assert_eq!(parse_centi("-1", "k"), Err("k"));
        assert_eq!(format_centi(250), "2,5");
        assert_eq!(format_centi(325), "3,25");
    }
}
