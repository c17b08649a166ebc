//! The demo's employment plans: the Otxarkoaga neighbourhood employment plan and a city-wide
//! singular plan, their training actions (one in progress, run by the `trainer` account's
//! entity), itineraries, enrolments with attendance, a completion and a drop-out, and three
//! placements, one with its first follow-up overdue so `/follow-ups` shows work for `lanbide`.
//! Only the synthetic demo people in `lanbide`'s caseload take part. Written through the
//! store's functions with grants the policy gives the demo accounts, so the trail shows who did
//! what. Skipped when the tenant already has programmes.

use anyhow::Context;
use chrono::{Datelike, Days, Months, NaiveDate};
use elkarlan_domain::employment::codes::{AttendanceMark, DropOutReason, StepKind, StepStatus};
use elkarlan_domain::employment::itinerary::{EnrolmentOutcome, StepUpdate};
use elkarlan_domain::employment::placement::PlacementInput;
use elkarlan_domain::employment::programme::ProgrammeInput;
use elkarlan_domain::employment::training::TrainingActionInput;
use elkarlan_domain::inclusion::case::CaseStatus;
use elkarlan_domain::policy::{self, Action, Actor, Grant, Relationship, Target};
use elkarlan_domain::{AgencyId, PersonId, ProgrammeId, TenantId, TrainingActionId};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::{Store, cases, itineraries, programmes, territory, users};

async fn actor(store: &Store, tenant: TenantId, username: &str) -> anyhow::Result<Actor> {
    Ok(users::credentials(store, tenant, username)
        .await?
        .with_context(|| format!("demo account {username} is missing"))?
        .user
        .actor())
}

fn grant(actor: &Actor, action: Action, relationship: Relationship) -> anyhow::Result<Grant> {
    policy::decide(actor, action, Target::new(actor.tenant, relationship))
        .map_err(|d| anyhow::anyhow!("demo grant refused: {}", d.reason))
}

#[allow(clippy::needless_pass_by_value)] // shaped for `map_err`, which hands over the value
fn fail(e: elkarlan_domain::FieldErrors) -> anyhow::Error {
    anyhow::anyhow!("demo employment data does not parse: {e:?}")
}

/// A course's form values: title in Basque and Spanish, ESCO code, weekdays, first and last day.
struct Course {
    provider: AgencyId,
    title_eu: &'static str,
    title_es: &'static str,
    status: &'static str,
    occupation: &'static str,
    certificate: &'static str,
    weekdays: &'static [&'static str],
    starts: NaiveDate,
    ends: NaiveDate,
    /// The course's own eligibility rules (JSON), on top of the programme's; empty for none.
    eligibility: &'static str,
}

async fn add_course(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    programme: ProgrammeId,
    c: &Course,
    area: Option<String>,
) -> anyhow::Result<TrainingActionId> {
    let input = TrainingActionInput {
        provider: c.provider.to_string(),
        title_eu: c.title_eu.into(),
        title_es: c.title_es.into(),
        status: c.status.into(),
        hours: "120".into(),
        places: "15".into(),
        location: "Otxarkoagako Gizarte Etxea / Centro Cívico de Otxarkoaga".into(),
        neighbourhood: area.unwrap_or_default(),
        occupation: c.occupation.into(),
        skills: String::new(),
        certificate: c.certificate.into(),
        language: "eu_es".into(),
        starts_on: c.starts.to_string(),
        ends_on: c.ends.to_string(),
        weekdays: c.weekdays.iter().map(|d| (*d).to_owned()).collect(),
        time_from: "09:00".into(),
        time_to: "13:00".into(),
        eligibility: c.eligibility.into(),
    };
    let d = input.parse().map_err(fail)?;
    Ok(programmes::create_action(store, grant, meta, programme, &d).await?)
}

/// Loads the employment demo; returns the number of programmes added.
pub async fn load(
    store: &Store,
    tenant: TenantId,
    agencies: &[(&str, AgencyId)],
) -> anyhow::Result<usize> {
    if !programmes::list(store, tenant).await?.is_empty() {
        return Ok(0);
    }
    let meta = RequestMeta::default();
    let agency = |key: &str| {
        agencies
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, id)| *id)
            .with_context(|| format!("demo agency {key} is missing"))
    };
    let (council, employment, training, training2, social) = (
        agency("council")?,
        agency("employment")?,
        agency("training")?,
        agency("training2")?,
        agency("social")?,
    );
    let areas = territory::list(store, tenant).await?;
    let otxarkoaga = areas
        .iter()
        .find(|a| a.kind == "neighbourhood" && a.name_es == "Otxarkoaga");
    let today = chrono::Utc::now().date_naive();
    let year = today.year();
    let coordinator = actor(store, tenant, "coordinator").await?;
    let lanbide = actor(store, tenant, "lanbide").await?;
    let trainer = actor(store, tenant, "trainer").await?;

    // The plans.
    let manage = grant(&coordinator, Action::ManageProgrammes, Relationship::None)?;
    let rules = match otxarkoaga {
        Some(a) => format!(
            r#"{{"all_of":[{{"kind":"lives_in","neighbourhoods":["{}"]}},{{"kind":"any_of","criteria":[{{"kind":"age_between","max":29}},{{"kind":"unemployed_for_at_least","months":12}}]}}]}}"#,
            a.code
        ),
        None => String::new(),
    };
    let plan = ProgrammeInput {
        name_eu: format!("Otxarkoagako Auzo Enplegu Plana {year}"),
        name_es: format!("Plan de Empleo de Barrio de Otxarkoaga {year}"),
        year: year.to_string(),
        status: "running".into(),
        promoter: council.to_string(),
        partners: vec![training.to_string(), training2.to_string()],
        neighbourhoods: otxarkoaga.map(|a| a.id.to_string()).into_iter().collect(),
        target_groups: vec![
            "under_30".into(),
            "long_term_unemployed".into(),
            "income_guarantee".into(),
        ],
        funding:
            "Bilbao Ekintza; 180.000\nLanbide; 120.000\nFSE+ (Fondo Social Europeo Plus); 95.000,00"
                .into(),
        places: "60".into(),
        starts_on: format!("{year}-01-01"),
        ends_on: format!("{year}-12-31"),
        eligibility: rules,
    }
    .parse()
    .map_err(fail)?;
    let otx = programmes::create(store, &manage, &meta, &plan).await?;
    let city = ProgrammeInput {
        name_eu: format!("Bilboko Enplegu Plan Berezia {year}"),
        name_es: format!("Plan Singular de Empleo de Bilbao {year}"),
        year: year.to_string(),
        status: "open".into(),
        promoter: council.to_string(),
        partners: vec![
            training.to_string(),
            training2.to_string(),
            employment.to_string(),
            social.to_string(),
        ],
        neighbourhoods: Vec::new(),
        target_groups: vec!["women".into(), "migrant".into(), "disability".into()],
        funding: "Bilbao Ekintza; 250.000\nFSE+ (Fondo Social Europeo Plus); 150.000".into(),
        places: "120".into(),
        starts_on: format!("{year}-02-01"),
        ends_on: format!("{year}-12-31"),
        eligibility: String::new(),
    }
    .parse()
    .map_err(fail)?;
    let city_id = programmes::create(store, &manage, &meta, &city).await?;
    let design = grant(
        &coordinator,
        Action::DesignItineraryTemplates,
        Relationship::None,
    )?;
    programmes::save_template(
        store,
        &design,
        &meta,
        otx,
        None,
        "Ostalaritza ibilbidea / Itinerario de hostelería",
        &[
            StepKind::Intake,
            StepKind::Orientation,
            StepKind::VocationalTraining,
            StepKind::WorkPlacement,
            StepKind::Insertion,
            StepKind::FollowUp,
        ],
    )
    .await?;

    // Courses: one in progress by the trainer's entity, one finished, the rest ahead.
    let courses = grant(
        &coordinator,
        Action::ManageTrainingActions,
        Relationship::None,
    )?;
    let area = otxarkoaga.map(|a| a.id.to_string());
    let warehouse = add_course(
        store,
        &courses,
        &meta,
        otx,
        &Course {
            provider: training,
            title_eu: "Biltegiko langilea eta eskaera-prestatzailea",
            title_es: "Mozo de almacén y preparación de pedidos",
            status: "in_progress",
            occupation: "9333.8",
            certificate: "Certificado de profesionalidad COML0110",
            weekdays: &["mon", "tue", "wed", "thu"],
            starts: today - Days::new(28),
            ends: today + Days::new(28),
            eligibility: "",
        },
        area.clone(),
    )
    .await?;
    let kitchen = add_course(
        store,
        &courses,
        &meta,
        otx,
        &Course {
            provider: training,
            title_eu: "Sukaldeko laguntzailea",
            title_es: "Ayudante de cocina",
            status: "finished",
            occupation: "9412.1",
            certificate: "Certificado de profesionalidad HOTR0108",
            weekdays: &["mon", "wed", "fri"],
            starts: today - Days::new(150),
            ends: today - Days::new(110),
            eligibility: "",
        },
        area.clone(),
    )
    .await?;
    add_course(
        store,
        &courses,
        &meta,
        otx,
        &Course {
            provider: training2,
            title_eu: "Eraikinen garbiketa",
            title_es: "Limpieza de edificios y locales",
            status: "open",
            occupation: "9112.2",
            certificate: "",
            weekdays: &["tue", "thu"],
            starts: today + Days::new(35),
            ends: today + Days::new(90),
            eligibility: "",
        },
        area,
    )
    .await?;
    add_course(
        store,
        &courses,
        &meta,
        city_id,
        &Course {
            provider: training2,
            title_eu: "Etxeko zaintzailea: mendekotasun-egoeran dauden pertsonen arreta",
            title_es: "Cuidador/a a domicilio: atención a personas dependientes",
            status: "open",
            occupation: "5322.1",
            certificate: "Certificado de profesionalidad SSCS0108",
            weekdays: &["mon", "wed"],
            starts: today + Days::new(40),
            ends: today + Days::new(120),
            eligibility: "",
        },
        None,
    )
    .await?;
    add_course(
        store,
        &courses,
        &meta,
        city_id,
        &Course {
            provider: training,
            title_eu: "Dendaria: bezeroarentzako arreta",
            title_es: "Dependiente/a de comercio: atención al cliente",
            status: "planned",
            occupation: "5223.6",
            certificate: "",
            weekdays: &["tue", "thu", "fri"],
            starts: today + Days::new(60),
            ends: today + Days::new(110),
            // For people without a higher education degree.
            eligibility: r#"{"all_of":[{"kind":"education_at_most","isced":4}]}"#,
        },
        None,
    )
    .await?;

    // People in lanbide's caseload, with open cases.
    let people: Vec<PersonId> = cases::caseload(store, tenant, lanbide.user, 200)
        .await?
        .into_iter()
        .filter(|c| c.status != CaseStatus::Closed)
        .map(|c| c.person_id)
        .take(5)
        .collect();
    if people.len() < 5 {
        return Ok(2);
    }
    let manage_it = grant(&lanbide, Action::ManageItinerary, Relationship::Lead)?;
    let templates = programmes::templates(store, otx).await?;
    let usual = templates
        .iter()
        .find(|t| t.name == programmes::USUAL_TEMPLATE)
        .map(|t| t.steps.clone())
        .unwrap_or_else(|| StepKind::USUAL_PATH.to_vec());
    let mut its = Vec::new();
    for (i, person) in people.iter().enumerate() {
        let it = itineraries::open_itinerary(
            store,
            &manage_it,
            &meta,
            *person,
            Some(otx),
            &usual,
            employment,
        )
        .await?;
        // Intake and orientation done for everyone, more for those further along.
        let done = [3, 2, 2, 4, 4][i];
        let current = itineraries::get_itinerary(store, tenant, it).await?;
        for (k, step) in current.steps.iter().enumerate().take(done + 1) {
            let started = today - Days::new(120 - 15 * k as u64);
            let u = if k < done {
                StepUpdate {
                    status: StepStatus::Done,
                    started_on: Some(started),
                    completed_on: Some(started + Days::new(10)),
                }
            } else {
                StepUpdate {
                    status: StepStatus::InProgress,
                    started_on: Some(started),
                    completed_on: None,
                }
            };
            let fresh = itineraries::get_itinerary(store, tenant, it).await?;
            itineraries::update_step(store, &manage_it, &meta, &fresh, step.id, step.version, &u)
                .await?;
        }
        its.push(it);
    }

    // Three on the warehouse course, two on the finished kitchen course.
    let w = programmes::get_action(store, tenant, warehouse).await?;
    let k = programmes::get_action(store, tenant, kitchen).await?;
    let mut on_warehouse = Vec::new();
    for i in 0..3 {
        if let Ok(e) = itineraries::enrol(
            store,
            &manage_it,
            &meta,
            w.id,
            w.places,
            people[i],
            Some(its[i]),
            today - Days::new(35),
        )
        .await?
        {
            on_warehouse.push(e);
        }
    }
    let mut on_kitchen = Vec::new();
    for i in 3..5 {
        if let Ok(e) = itineraries::enrol(
            store,
            &manage_it,
            &meta,
            k.id,
            k.places,
            people[i],
            Some(its[i]),
            today - Days::new(155),
        )
        .await?
        {
            on_kitchen.push(e);
        }
    }

    // Attendance of the sessions already held, recorded by the trainer.
    let attend = grant(&trainer, Action::RecordAttendance, Relationship::Provider)?;
    let today_s = today.to_string();
    for (action, enrolled) in [(w.id, &on_warehouse), (k.id, &on_kitchen)] {
        let mut list = Vec::new();
        for e in enrolled.iter() {
            list.push(itineraries::get_enrolment(store, tenant, *e).await?);
        }
        for s in programmes::sessions(store, action)
            .await?
            .iter()
            .filter(|s| s.held_on < today_s)
        {
            let marks: Vec<_> = list
                .iter()
                .enumerate()
                .map(|(j, e)| {
                    let m = match (s.number + j as i64) % 9 {
                        0 => AttendanceMark::Absent,
                        4 => AttendanceMark::Excused,
                        _ => AttendanceMark::Present,
                    };
                    (e, m)
                })
                .collect();
            itineraries::record_attendance(store, &attend, &meta, s.id, &marks).await?;
        }
    }
    // The kitchen course ended: one completed with the certificate, one left for a job.
    if let [done, left] = on_kitchen.as_slice() {
        let e = itineraries::get_enrolment(store, tenant, *done).await?;
        itineraries::close_enrolment(
            store,
            &attend,
            &meta,
            &e,
            e.version,
            &EnrolmentOutcome::Completed {
                on: today - Days::new(110),
                certificate: Some("Certificado de profesionalidad HOTR0108".into()),
            },
        )
        .await?;
        let e = itineraries::get_enrolment(store, tenant, *left).await?;
        itineraries::close_enrolment(
            store,
            &attend,
            &meta,
            &e,
            e.version,
            &EnrolmentOutcome::DroppedOut {
                on: today - Days::new(125),
                reason: DropOutReason::FoundJob,
            },
        )
        .await?;
    }

    // Placements: an insertion company's transition contract with its first follow-up
    // overdue, a special employment centre, and one whose first follow-up is due within days.
    let placements = [
        (
            4usize,
            "Berriztu Gizarteratze Enpresa SL",
            "insertion_transition",
            today - Months::new(4),
            Some(today - Months::new(4) + Months::new(12)),
            "30",
            "9112.2",
            "n",
        ),
        (
            3,
            "Lanberri CEE",
            "special_employment_centre",
            today - Months::new(1),
            None,
            "35",
            "9412.1",
            "i",
        ),
        (
            0,
            "Biltegi Logistika SL",
            "temporary",
            today - Months::new(3) + Days::new(10),
            Some(today + Months::new(6)),
            "37,5",
            "9333.8",
            "h",
        ),
    ];
    for (i, employer, contract, starts, ends, hours, occupation, sector) in placements {
        let d = PlacementInput {
            employer: employer.into(),
            contract_type: contract.into(),
            starts_on: starts.to_string(),
            ends_on: ends.map(|e| e.to_string()).unwrap_or_default(),
            weekly_hours: hours.into(),
            occupation: occupation.into(),
            sector: sector.into(),
            ..PlacementInput::default()
        }
        .parse(today)
        .map_err(fail)?;
        itineraries::record_placement(
            store,
            &manage_it,
            &meta,
            people[i],
            Some(its[i]),
            employment,
            &d,
        )
        .await?;
    }
    tracing::info!(
        programmes = 2,
        courses = 5,
        people = people.len(),
        "demo employment loaded"
    );
    Ok(2)
}
