//! Agreements with private actors and public agents: parties, scope, neighbourhoods, target
//! groups, dates, budget, and the rule for signing.

use super::codes::{AgreementKind, AgreementTarget, PartyRole};
use crate::employment::programme::{date, optional_date, required_text, whole_number};
use crate::{AreaId, FieldErrors, OrganisationId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One party as typed: the organisation's id and its role.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartyInput {
    pub organisation: String,
    /// `promoter`, `signatory` or `collaborator`.
    pub role: String,
}

/// An agreement as typed on the form or sent to the API, before parsing.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgreementInput {
    /// `private_partnership` or `public_collaboration`.
    pub kind: String,
    pub title_eu: String,
    pub title_es: String,
    pub scope: String,
    pub parties: Vec<PartyInput>,
    pub neighbourhoods: Vec<String>,
    pub target_groups: Vec<String>,
    pub starts_on: String,
    pub ends_on: String,
    /// Empty until signed.
    pub signed_on: String,
    /// Euros as typed (`12.000,50`); empty when the agreement moves no money.
    pub budget: String,
    /// Days before the end when the coordinator is reminded to renew; 60 when empty.
    pub renewal_notice_days: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    pub organisation: OrganisationId,
    pub role: PartyRole,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgreementDraft {
    pub kind: AgreementKind,
    pub title_eu: String,
    pub title_es: String,
    pub scope: String,
    pub parties: Vec<Party>,
    pub neighbourhoods: Vec<AreaId>,
    pub target_groups: Vec<AgreementTarget>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub signed_on: Option<NaiveDate>,
    pub budget_cents: Option<i64>,
    pub renewal_notice_days: i64,
}

/// A budget in euros, optional: the same reading and the same keys as a contract's amount
/// (`error-amount-negative`, `error-amount-too-large`).
pub fn parse_budget(s: &str) -> Result<Option<i64>, &'static str> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    crate::ecosystem::procurement::amount(s).map(Some)
}

fn parse_parties(v: &[PartyInput]) -> Result<Vec<Party>, &'static str> {
    let mut out: Vec<Party> = Vec::new();
    for p in v {
        if p.organisation.trim().is_empty() && p.role.trim().is_empty() {
            continue;
        }
        let organisation = p
            .organisation
            .trim()
            .parse::<OrganisationId>()
            .map_err(|_| "error-directory-organisation-unknown")?;
        let role = PartyRole::parse(&p.role)?;
        if out.iter().any(|q| q.organisation == organisation) {
            return Err("error-party-twice");
        }
        out.push(Party { organisation, role });
    }
    if out.is_empty() {
        return Err("error-parties-required");
    }
    if out.len() > 30 {
        return Err("error-parties-too-many");
    }
    Ok(out)
}

impl AgreementInput {
    /// Parses every field, collecting every error. Organisations and neighbourhoods are checked
    /// to exist by the caller (it needs the store).
    pub fn parse(&self) -> Result<AgreementDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = e.take("kind", AgreementKind::parse(&self.kind));
        let title_eu = e.take(
            "title_eu",
            required_text(&self.title_eu, 300, "error-agreement-title-required"),
        );
        let title_es = e.take(
            "title_es",
            required_text(&self.title_es, 300, "error-agreement-title-required"),
        );
        let scope = e.take(
            "scope",
            required_text(&self.scope, 4_000, "error-agreement-scope-required"),
        );
        let parties = e.take("parties", parse_parties(&self.parties));
        let mut neighbourhoods = Vec::new();
        for s in self.neighbourhoods.iter().map(|s| s.trim()) {
            if s.is_empty() {
                continue;
            }
            match s.parse::<AreaId>() {
                Ok(a) if !neighbourhoods.contains(&a) => neighbourhoods.push(a),
                Ok(_) => {}
                Err(_) => e.add("neighbourhoods", "error-area-unknown"),
            }
        }
        let mut target_groups = Vec::new();
        for s in self.target_groups.iter().filter(|s| !s.trim().is_empty()) {
            match AgreementTarget::parse(s) {
                Ok(t) if !target_groups.contains(&t) => target_groups.push(t),
                Ok(_) => {}
                Err(k) => e.add("target_groups", k),
            }
        }
        if target_groups.is_empty() && !e.has("target_groups") {
            e.add("target_groups", "error-agreement-targets-required");
        }
        let starts_on = e.take("starts_on", date(&self.starts_on, "error-date-required"));
        let ends_on = e.take("ends_on", date(&self.ends_on, "error-date-required"));
        if let (Some(s), Some(end)) = (starts_on, ends_on)
            && end < s
        {
            e.add("ends_on", "error-end-before-start");
        }
        let signed_on = e.take("signed_on", optional_date(&self.signed_on));
        if let (Some(Some(signed)), Some(end)) = (signed_on, ends_on)
            && signed > end
        {
            e.add("signed_on", "error-signed-after-end");
        }
        let budget_cents = e.take("budget", parse_budget(&self.budget));
        let renewal_notice_days = if self.renewal_notice_days.trim().is_empty() {
            Some(60)
        } else {
            e.take(
                "renewal_notice_days",
                whole_number(
                    &self.renewal_notice_days,
                    0..=365,
                    "error-renewal-notice-days",
                ),
            )
        };
        match (
            kind,
            title_eu,
            title_es,
            scope,
            parties,
            starts_on,
            ends_on,
            signed_on,
            budget_cents,
            renewal_notice_days,
        ) {
            (
                Some(kind),
                Some(title_eu),
                Some(title_es),
                Some(scope),
                Some(parties),
                Some(starts_on),
                Some(ends_on),
                Some(signed_on),
                Some(budget_cents),
                Some(renewal_notice_days),
            ) if e.is_empty() => Ok(AgreementDraft {
                kind,
                title_eu,
                title_es,
                scope,
                parties,
                neighbourhoods,
                target_groups,
                starts_on,
                ends_on,
                signed_on,
                budget_cents,
                renewal_notice_days,
            }),
            _ => Err(e),
        }
    }
}

/// Whether an agreement with these parties and signed date may be marked signed. The council
/// keeps the agreement and is always one side of it, so one organisation signing (role
/// `signatory` or `promoter`) makes the two sides; a collaborator alone does not sign. The date
/// must be known and not in the future.
pub fn check_signing(
    parties: &[Party],
    signed_on: Option<NaiveDate>,
    ends_on: NaiveDate,
    today: NaiveDate,
) -> Result<NaiveDate, FieldErrors> {
    let mut e = FieldErrors::new();
    if !parties
        .iter()
        .any(|p| matches!(p.role, PartyRole::Signatory | PartyRole::Promoter))
    {
        e.add("parties", "error-agreement-signatory-required");
    }
    match signed_on {
        None => e.add("signed_on", "error-signed-on-required"),
        Some(d) if d > today => e.add("signed_on", "error-date-future"),
        Some(d) if d > ends_on => e.add("signed_on", "error-signed-after-end"),
        Some(_) => {}
    }
    match signed_on {
        Some(d) if e.is_empty() => Ok(d),
        _ => Err(e),
    }
}

/// A referenced document: where the signed original is kept.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentInput {
    pub title: String,
    pub dated_on: String,
    /// Where the signed original is kept (file number, registry entry, shelf).
    pub reference: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentDraft {
    pub title: String,
    pub dated_on: NaiveDate,
    pub reference: String,
}

impl DocumentInput {
    pub fn parse(&self) -> Result<DocumentDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.take(
            "title",
            required_text(&self.title, 300, "error-agreement-title-required"),
        );
        let dated_on = e.take("dated_on", date(&self.dated_on, "error-date-required"));
        let reference = e.take(
            "reference",
            required_text(&self.reference, 500, "error-document-reference-required"),
        );
        match (title, dated_on, reference) {
            (Some(title), Some(dated_on), Some(reference)) if e.is_empty() => Ok(DocumentDraft {
                title,
                dated_on,
                reference,
            }),
            _ => Err(e),
        }
    }
}

/// Every message key this module and `commitment` may return, for the translation test.
pub const MESSAGE_KEYS: &[&str] = &[
    "error-amount-negative",
    "error-amount-too-large",
    "error-amount-format",
    "error-directory-organisation-unknown",
    "error-party-twice",
    "error-parties-required",
    "error-parties-too-many",
    "error-agreement-title-required",
    "error-agreement-scope-required",
    "error-agreement-targets-required",
    "error-signed-after-end",
    "error-renewal-notice-days",
    "error-agreement-signatory-required",
    "error-signed-on-required",
    "error-document-reference-required",
    "error-commitment-due-before-start",
    "error-commitment-due-after-end",
    "error-commitment-target",
    "error-commitment-organisation-required",
    "error-commitment-action-required",
    "error-description-required",
    "error-commitment-unit-required",
    "error-commitment-progress",
    "error-agreement-move",
    "error-agreement-closed",
    "error-clause-link-consent",
    "error-social-clause-unknown",
    "error-commitment-action-unknown",
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn input() -> AgreementInput {
        AgreementInput {
            kind: "private_partnership".into(),
            title_eu: "Otxarkoagako merkatariekin hitzarmena".into(),
            title_es: "Convenio con el comercio de Otxarkoaga".into(),
            scope: "Contratar vecinas y vecinos del barrio".into(),
            parties: vec![PartyInput {
                organisation: OrganisationId::new().to_string(),
                role: "signatory".into(),
            }],
            neighbourhoods: vec![],
            target_groups: vec!["job_seekers".into(), "shops_and_businesses".into()],
            starts_on: "2026-01-01".into(),
            ends_on: "2026-12-31".into(),
            signed_on: String::new(),
            budget: "12.000,50".into(),
            renewal_notice_days: String::new(),
        }
    }

    #[test]
    fn parses_a_valid_agreement() {
        let d = input().parse().unwrap();
        assert_eq!(d.budget_cents, Some(1_200_050));
        assert_eq!(d.renewal_notice_days, 60);
        assert_eq!(d.target_groups.len(), 2);
    }

    #[test]
    fn budget_errors_share_the_amount_keys() {
        let mut i = input();
        i.budget = "-5".into();
        assert_eq!(
            i.parse().unwrap_err().get("budget"),
            Some("error-amount-negative")
        );
        i.budget = "99999999999999999999999".into();
        assert_eq!(
            i.parse().unwrap_err().get("budget"),
            Some("error-amount-too-large")
        );
        i.budget = "10.000.000.001".into();
        assert_eq!(
            i.parse().unwrap_err().get("budget"),
            Some("error-amount-too-large")
        );
        i.budget = "doce".into();
        assert_eq!(
            i.parse().unwrap_err().get("budget"),
            Some("error-amount-format")
        );
    }

    #[test]
    fn parties_and_dates_are_checked() {
        let mut i = input();
        i.parties.clear();
        i.ends_on = "2025-01-01".into();
        let e = i.parse().unwrap_err();
        assert_eq!(e.get("parties"), Some("error-parties-required"));
        assert_eq!(e.get("ends_on"), Some("error-end-before-start"));
        let mut i = input();
        i.parties.push(i.parties[0].clone());
        assert_eq!(
            i.parse().unwrap_err().get("parties"),
            Some("error-party-twice")
        );
    }

    #[test]
    fn signing_needs_a_signatory_and_a_past_date() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let end = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let collab = vec![Party {
            organisation: OrganisationId::new(),
            role: PartyRole::Collaborator,
        }];
        let e = check_signing(&collab, None, end, today).unwrap_err();
        assert_eq!(e.get("parties"), Some("error-agreement-signatory-required"));
        assert_eq!(e.get("signed_on"), Some("error-signed-on-required"));
        let signer = vec![Party {
            organisation: OrganisationId::new(),
            role: PartyRole::Signatory,
        }];
        let later = NaiveDate::from_ymd_opt(2026, 4, 1);
        assert!(check_signing(&signer, later, end, today).is_err());
        assert!(check_signing(&signer, Some(today), end, today).is_ok());
    }
}
