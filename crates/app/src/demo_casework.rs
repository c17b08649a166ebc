//! The demo's casework: a needs assessment, a joint plan with goals and actions (some done,
//! some overdue), notes and a few coordination meetings on the open demo cases, so each case
//! page shows work in progress. Deterministic: the same cases get the same work every time.
//! Written through the store's functions, so each change has its audit row.

use elkarlan_domain::inclusion::case::{CaseStatus, Severity};
use elkarlan_domain::inclusion::instrument::default_instrument;
use elkarlan_domain::policy::{Action, Grant, SystemTask};
use elkarlan_domain::{AgencyId, CaseId, TenantId, Timestamp, UserId};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::casework::{self, NewAction, NewAssessment, NewMeeting, NewNote};
use elkarlan_store::{Store, cases};

/// A demo case and who leads it.
pub struct Seed {
    pub case: CaseId,
    pub lead_user: UserId,
    pub lead_agency: AgencyId,
    /// Health leads write clinical notes, which stay in their agency.
    pub lead_is_health: bool,
    pub status: CaseStatus,
}

/// A goal and its first action, per life domain (synthetic wording).
fn plan_for(domain: &str) -> (&'static str, &'static str) {
    match domain {
        "employment" => (
            "Acceder a un empleo estable",
            "Inscribirse en el itinerario de orientación laboral",
        ),
        "income" => (
            "Asegurar ingresos mínimos",
            "Tramitar la renta de garantía de ingresos",
        ),
        "housing" => (
            "Encontrar una vivienda adecuada",
            "Solicitar vivienda en alquiler social",
        ),
        "education_training" => (
            "Completar formación básica",
            "Matricularse en el curso de competencias básicas",
        ),
        "health" => (
            "Mantener el seguimiento de salud",
            "Acompañar a la cita del centro de salud",
        ),
        "social_relational" => (
            "Ampliar la red de apoyo",
            "Participar en el grupo del centro cívico",
        ),
        "family_care" => (
            "Organizar los cuidados familiares",
            "Solicitar plaza en el servicio de respiro",
        ),
        "legal_administrative" => (
            "Regularizar la situación administrativa",
            "Pedir cita en el servicio de asesoría jurídica",
        ),
        _ => (
            "Ganar autonomía digital",
            "Asistir al taller de alfabetización digital",
        ),
    }
}

const NOTES: [&str; 4] = [
    "Entrevista de seguimiento: mantiene la motivación y acude a las citas.",
    "Se revisa el plan con la persona; prefiere priorizar la vivienda.",
    "Llamada sin respuesta; se vuelve a intentar la semana próxima.",
    "Coordinación telefónica con la entidad de formación.",
];

const ACTION_STATUSES: [&str; 4] = ["pending", "in_progress", "done", "pending"];

fn date_in(days: i64) -> String {
    Timestamp::now()
        .plus_seconds(days * 86_400)
        .to_datetime()
        .format("%Y-%m-%d")
        .to_string()
}

/// Adds the casework; returns the number of cases that got some.
pub async fn load(store: &Store, tenant: TenantId, seeds: &[Seed]) -> anyhow::Result<usize> {
    let meta = RequestMeta::default();
    let contribute = Grant::system(tenant, SystemTask::Bootstrap, Action::ContributeToCase);
    let domains = default_instrument().domains;
    let mut worked = 0;
    let mut for_meetings = Vec::new();
    for (i, seed) in seeds.iter().enumerate() {
        if seed.status == CaseStatus::Closed || i % 5 == 4 {
            continue; // closed cases and one open case in five have no plan yet
        }
        let case = cases::get(store, tenant, seed.case).await?;
        // Four domains, rotating, with severities from mild to severe.
        let chosen: Vec<(String, Severity)> = [0, 2, 5, 7]
            .into_iter()
            .enumerate()
            .map(|(k, offset)| {
                let d = &domains[(i * 2 + offset) % domains.len()];
                (d.code.clone(), Severity::ALL[(i + k) % Severity::ALL.len()])
            })
            .collect();
        casework::record_assessment(
            store,
            &contribute,
            &meta,
            &case,
            &NewAssessment {
                by: seed.lead_user,
                agency: seed.lead_agency,
                version: 1,
                summary: "Valoración inicial con la persona en la entrevista de acogida.".into(),
                domains: chosen.clone(),
            },
        )
        .await?;
        let mut worst = chosen;
        worst.sort_by_key(|d| std::cmp::Reverse(d.1));
        for (k, (domain, _)) in worst.iter().take(2).enumerate() {
            let (goal_text, action_text) = plan_for(domain);
            let goal = casework::add_goal(
                store,
                &contribute,
                &meta,
                &case,
                seed.lead_user,
                domain,
                goal_text,
            )
            .await?;
            let due = (i as i64 * 7 + k as i64 * 11) % 90 - 30; // some already overdue
            let action = casework::add_action(
                store,
                &contribute,
                &meta,
                &case,
                &NewAction {
                    goal_id: Some(goal),
                    agency_id: seed.lead_agency,
                    user_id: Some(seed.lead_user),
                    description: action_text.into(),
                    due_on: Some(date_in(due)),
                },
            )
            .await?;
            let status = ACTION_STATUSES[(i + k) % ACTION_STATUSES.len()];
            if status != "pending" {
                casework::set_action_status(store, &contribute, &meta, &case, action, 1, status)
                    .await?;
            }
        }
        if i % 2 == 0 {
            casework::add_note(
                store,
                &contribute,
                &meta,
                &case,
                &NewNote {
                    author: seed.lead_user,
                    agency: seed.lead_agency,
                    // Health leads' notes are clinical: they stay in their agency.
                    confidentiality: if seed.lead_is_health {
                        "agency"
                    } else {
                        "team"
                    },
                    clinical: seed.lead_is_health,
                    body: NOTES[i % NOTES.len()].into(),
                },
            )
            .await?;
        }
        if for_meetings.len() < 12 && !seed.lead_is_health {
            for_meetings.push((case, seed.lead_user, seed.lead_agency));
        }
        worked += 1;
    }
    // Monthly coordination meetings of the Otxarkoaga table, four cases each.
    let record = Grant::system(tenant, SystemTask::Bootstrap, Action::RecordMeeting);
    for (m, group) in for_meetings.chunks(4).enumerate() {
        let Some((_, by, _)) = group.first() else {
            continue;
        };
        let mut agencies: Vec<AgencyId> = group.iter().map(|(_, _, a)| *a).collect();
        agencies.sort_by_key(|a| a.0);
        agencies.dedup();
        let meeting = NewMeeting {
            held_on: date_in(-(m as i64 + 1) * 30),
            minutes: "Mesa de coordinación de Otxarkoaga: se revisan los planes y se acuerdan los siguientes pasos.".into(),
            agencies,
            cases: group.iter().map(|(c, _, _)| c.clone()).collect(),
            actions: group
                .iter()
                .enumerate()
                .map(|(k, (_, _, agency))| {
                    (
                        k,
                        NewAction {
                            goal_id: None,
                            agency_id: *agency,
                            user_id: None,
                            description: "Revisar el plan con la persona antes de la próxima mesa".into(),
                            due_on: Some(date_in(14 - m as i64 * 10)),
                        },
                    )
                })
                .collect(),
        };
        casework::record_meeting(store, &record, &meta, *by, &meeting).await?;
    }
    Ok(worked)
}
