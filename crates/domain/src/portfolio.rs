//! The area's strategic projects: code, names, objectives, status, dates, neighbourhoods,
//! partners, budget planned and executed by year (integer cents), links to programmes,
//! agreements and contracts, and milestones.

use crate::ecosystem::procurement::amount;
use crate::employment::programme::{date, optional_date, required_text};
use crate::{AreaId, FieldErrors, OrganisationId};
use chrono::NaiveDate;
use serde::Deserialize;

code_list! {
    /// Where a project stands.
    ProjectStatus, "project-status", "error-project-status" {
        Planned => "planned",
        Active => "active",
        Closed => "closed",
    }
}

code_list! {
    /// What a project link points to.
    LinkKind, "project-link-kind", "error-project-link-kind" {
        Programme => "programme",
        Agreement => "agreement",
        Contract => "contract",
    }
}

/// A project as typed on the form or sent to the API, before parsing.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectInput {
    /// Short code, unique in the council (`EKONOPOLO`).
    pub code: String,
    pub name_eu: String,
    pub name_es: String,
    pub objectives: String,
    /// `planned`, `active` or `closed`.
    pub status: String,
    pub starts_on: String,
    pub ends_on: String,
    /// Neighbourhood (area) ids.
    pub neighbourhoods: Vec<String>,
    /// Organisation ids.
    pub partners: Vec<String>,
    /// One line per year: `year; planned; executed`, amounts in euros (`2025; 120.000; 80.000,50`).
    pub budget: String,
}

/// One year of a project's budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BudgetLine {
    pub year: i32,
    pub planned_cents: i64,
    pub executed_cents: i64,
}

impl BudgetLine {
    /// Executed above planned is allowed (overspending happens) but shown.
    pub fn overspent(&self) -> bool {
        self.executed_cents > self.planned_cents
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectDraft {
    pub code: String,
    pub name_eu: String,
    pub name_es: String,
    pub objectives: String,
    pub status: ProjectStatus,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub neighbourhoods: Vec<AreaId>,
    pub partners: Vec<OrganisationId>,
    pub budget: Vec<BudgetLine>,
}

fn parse_code(s: &str) -> Result<String, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Err("error-project-code-required");
    }
    if t.chars().count() > 40
        || !t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err("error-project-code-format");
    }
    Ok(t.to_uppercase())
}

/// Budget lines `year; planned; executed`, one year at most once, amounts never negative.
pub fn parse_budget_lines(s: &str) -> Result<Vec<BudgetLine>, &'static str> {
    let mut out: Vec<BudgetLine> = Vec::new();
    for line in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = line.split(';').collect();
        let [year, planned, executed] = parts[..] else {
            return Err("error-project-budget-format");
        };
        let year: i32 = year
            .trim()
            .parse()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or("error-project-budget-year")?;
        let planned_cents = amount(planned)?;
        let executed_cents = if executed.trim().is_empty() {
            0
        } else {
            amount(executed)?
        };
        if out.iter().any(|b| b.year == year) {
            return Err("error-project-budget-year-twice");
        }
        out.push(BudgetLine {
            year,
            planned_cents,
            executed_cents,
        });
    }
    if out.len() > 30 {
        return Err("error-project-budget-format");
    }
    out.sort_by_key(|b| b.year);
    Ok(out)
}

fn ids<T: std::str::FromStr + PartialEq>(
    e: &mut FieldErrors,
    field: &str,
    v: &[String],
    key: &'static str,
) -> Vec<T> {
    let mut out = Vec::new();
    for s in v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match s.parse::<T>() {
            Ok(x) if !out.contains(&x) => out.push(x),
            Ok(_) => {}
            Err(_) => {
                if !e.has(field) {
                    e.add(field, key);
                }
            }
        }
    }
    out
}

impl ProjectInput {
    /// Parses every field, collecting every error. Uniqueness of the code and existence of the
    /// neighbourhoods and partners are checked by the caller (it needs the store).
    pub fn parse(&self) -> Result<ProjectDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let code = e.take("code", parse_code(&self.code));
        let name_eu = e.take(
            "name_eu",
            required_text(&self.name_eu, 300, "error-project-name-required"),
        );
        let name_es = e.take(
            "name_es",
            required_text(&self.name_es, 300, "error-project-name-required"),
        );
        let objectives = self.objectives.trim().to_owned();
        if objectives.chars().count() > 8_000 {
            e.add("objectives", "error-project-objectives-too-long");
        }
        let status = e.take("status", ProjectStatus::parse(&self.status));
        let starts_on = e.take("starts_on", date(&self.starts_on, "error-date-required"));
        let ends_on = e.take("ends_on", date(&self.ends_on, "error-date-required"));
        if let (Some(s), Some(end)) = (starts_on, ends_on)
            && end < s
        {
            e.add("ends_on", "error-end-before-start");
        }
        let neighbourhoods = ids(
            &mut e,
            "neighbourhoods",
            &self.neighbourhoods,
            "error-area-unknown",
        );
        let partners = ids(
            &mut e,
            "partners",
            &self.partners,
            "error-directory-organisation-unknown",
        );
        let budget = e.take("budget", parse_budget_lines(&self.budget));
        match (code, name_eu, name_es, status, starts_on, ends_on, budget) {
            (
                Some(code),
                Some(name_eu),
                Some(name_es),
                Some(status),
                Some(starts_on),
                Some(ends_on),
                Some(budget),
            ) if e.is_empty() => Ok(ProjectDraft {
                code,
                name_eu,
                name_es,
                objectives,
                status,
                starts_on,
                ends_on,
                neighbourhoods,
                partners,
                budget,
            }),
            _ => Err(e),
        }
    }
}

/// A link as typed: its kind and the target's id.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkInput {
    /// `programme`, `agreement` or `contract`.
    pub kind: String,
    pub target: String,
}

impl LinkInput {
    /// The kind and the target's id; the caller checks the target exists in the tenant.
    pub fn parse(&self) -> Result<(LinkKind, uuid::Uuid), FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = e.take("kind", LinkKind::parse(&self.kind));
        let target = e.take(
            "target",
            self.target
                .trim()
                .parse::<uuid::Uuid>()
                .map_err(|_| "error-project-link-target"),
        );
        match (kind, target) {
            (Some(k), Some(t)) if e.is_empty() => Ok((k, t)),
            _ => Err(e),
        }
    }
}

/// A milestone as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MilestoneInput {
    pub title: String,
    pub due_on: String,
    /// Empty until done.
    pub done_on: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MilestoneDraft {
    pub title: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

impl MilestoneInput {
    pub fn parse(&self) -> Result<MilestoneDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.take(
            "title",
            required_text(&self.title, 300, "error-milestone-title-required"),
        );
        let due_on = e.take("due_on", date(&self.due_on, "error-date-required"));
        let done_on = e.take("done_on", optional_date(&self.done_on));
        match (title, due_on, done_on) {
            (Some(title), Some(due_on), Some(done_on)) if e.is_empty() => Ok(MilestoneDraft {
                title,
                due_on,
                done_on,
            }),
            _ => Err(e),
        }
    }
}

/// A milestone is overdue when it is not done and its date has passed.
pub fn overdue(due_on: NaiveDate, done_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    done_on.is_none() && due_on < today
}

/// Every message key of this module, for the translation check.
pub fn message_keys() -> Vec<String> {
    let mut out: Vec<String> = [
        "error-project-status",
        "error-project-link-kind",
        "error-project-code-required",
        "error-project-code-format",
        "error-project-budget-format",
        "error-project-budget-year",
        "error-project-budget-year-twice",
        "error-project-name-required",
        "error-project-objectives-too-long",
        "error-project-link-target",
        "error-milestone-title-required",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    out.extend(ProjectStatus::ALL.iter().map(|s| s.label_key()));
    out.extend(LinkKind::ALL.iter().map(|s| s.label_key()));
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn input() -> ProjectInput {
        ProjectInput {
            code: "ekonopolo".into(),
            name_eu: "Ekonopoloa".into(),
            name_es: "Ekonopolo".into(),
            objectives: "Polo".into(),
            status: "active".into(),
            starts_on: "2025-01-01".into(),
            ends_on: "2027-12-31".into(),
            budget: "2026; 1.000; 1.200\n2025; 100.000,50; ".into(),
            ..Default::default()
        }
    }

    #[test]
    fn parses_and_sorts_budget() {
        let d = input().parse().unwrap();
        assert_eq!(d.code, "EKONOPOLO");
        assert_eq!(d.budget[0].year, 2025);
        assert_eq!(d.budget[0].planned_cents, 10_000_050);
        assert_eq!(d.budget[0].executed_cents, 0);
        assert!(d.budget[1].overspent());
    }

    #[test]
    fn errors_per_field() {
        let mut i = input();
        i.name_es = " ".into();
        i.ends_on = "2024-12-31".into();
        i.budget = "2025; -5; 0".into();
        let e = i.parse().unwrap_err();
        assert_eq!(e.get("name_es"), Some("error-project-name-required"));
        assert_eq!(e.get("ends_on"), Some("error-end-before-start"));
        assert_eq!(e.get("budget"), Some("error-amount-negative"));
        i.budget = "2025; 1; 1\n2025; 2; 2".into();
        assert_eq!(
            i.parse().unwrap_err().get("budget"),
            Some("error-project-budget-year-twice")
        );
        i.budget = "2025; 99999999999999999999; 0".into();
        assert_eq!(
            i.parse().unwrap_err().get("budget"),
            Some("error-amount-too-large")
        );
    }

    #[test]
    fn overdue_milestones() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(overdue(d("2026-01-01"), None, d("2026-01-02")));
        assert!(!overdue(
            d("2026-01-01"),
            Some(d("2026-01-05")),
            d("2026-02-01")
        ));
        assert!(!overdue(d("2026-01-01"), None, d("2026-01-01")));
    }
}
