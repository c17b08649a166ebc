//! Setting up a database: schema, the tenant and its territory, the first administrator, and
//! the demo city.

use anyhow::Context;
use elkarlan_domain::account::{DisplayName, Email, Role, Username};
use elkarlan_domain::inclusion::case::{CaseStatus, ClosureReason};
use elkarlan_domain::inclusion::consent::{ConsentScope, DataCategory, basis_for};
use elkarlan_domain::inclusion::person::{PersonDraft, PersonInput};
use elkarlan_domain::inclusion::referral::{DeclineReason, ReferralStatus, Side, Urgency};
use elkarlan_domain::organisation::{BilingualName, PublicSystem};
use elkarlan_domain::policy::{Action, Grant, SystemTask};
use elkarlan_domain::synthetic::{SyntheticPeople, SyntheticPerson};
use elkarlan_domain::territory::{IneCode, parse_territory_csv};
use elkarlan_domain::{AgencyId, AreaId, CaseId, TenantId, Timestamp, UserId};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::consents::NewConsent;
use elkarlan_store::people::{PersonRecord, StoredDocument};
use elkarlan_store::referrals::{Move, NewReferral};
use elkarlan_store::users::NewUser;
use elkarlan_store::{
    Store, agencies, cases, consents, migrate, people, referrals, tenants, territory, users,
};
use elkarlan_web::auth::PasswordHasher;

const TERRITORY: &str = include_str!("../data/bilbao-territory.csv");

/// Opens the database and applies migrations.
pub async fn open(url: &str) -> anyhow::Result<Store> {
    let store = Store::open(url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(url)))?;
    migrate::run(&store).await.context("migrations failed")?;
    Ok(store)
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Makes sure the tenant exists; the Bilbao tenant also gets its districts and neighbourhoods.
pub async fn ensure_tenant(store: &Store, ine: &str) -> anyhow::Result<TenantId> {
    let tenant = match tenants::by_ine_code(store, ine).await? {
        Some(t) => t,
        None => {
            let code = IneCode::parse(ine).map_err(|_| anyhow::anyhow!("bad INE code {ine}"))?;
            let (eu, es) = if ine == "48020" {
                ("Bilbo", "Bilbao")
            } else {
                (ine, ine)
            };
            tenants::create(store, &code, eu, es).await?
        }
    };
    if ine == "48020" && territory::list(store, tenant.id).await?.is_empty() {
        let rows = parse_territory_csv(TERRITORY).map_err(anyhow::Error::msg)?;
        territory::load(
            store,
            &Grant::system(tenant.id, SystemTask::Bootstrap, Action::ViewTerritory),
            &rows,
        )
        .await?;
    }
    Ok(tenant.id)
}

/// Creates an account from the command line.
/// An account as an operator types it on the command line.
#[derive(Clone, Copy)]
pub struct AccountRequest<'a> {
    pub username: &'a str,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub role: Role,
    pub password: &'a str,
    pub mfa_required: bool,
}

pub async fn add_user(
    store: &Store,
    hasher: &PasswordHasher,
    tenant: TenantId,
    req: &AccountRequest<'_>,
) -> anyhow::Result<()> {
    let AccountRequest {
        username,
        name,
        email,
        role,
        password,
        mfa_required,
    } = *req;
    let username =
        Username::parse(username).map_err(|k| anyhow::anyhow!("username: {}", cli_message(k)))?;
    let display_name = DisplayName::parse(name)
        .map_err(|k| anyhow::anyhow!("display name: {}", cli_message(k)))?;
    let email = email
        .map(Email::parse)
        .transpose()
        .map_err(|k| anyhow::anyhow!("email: {}", cli_message(k)))?;
    elkarlan_domain::password::check_new_password(password, username.as_str(), false)
        .map_err(|k| anyhow::anyhow!("password: {}", cli_message(k)))?;
    let hash = hasher.hash(password).await?;
    let grant = Grant::system(tenant, SystemTask::Operator, Action::CreateUser);
    let new = NewUser {
        username,
        display_name,
        email,
        role,
        agency: None,
        password_hash: hash,
        mfa_required,
    };
    match users::create(store, &grant, &RequestMeta::default(), &new).await {
        Ok(_) => Ok(()),
        Err(elkarlan_store::StoreError::Conflict(_)) => {
            anyhow::bail!("username {} is already in use", new.username)
        }
        Err(e) => Err(e.into()),
    }
}

/// The English text of a message key, for the command line.
fn cli_message(key: &str) -> String {
    match key {
        "error-password-too-short-15" => "must be at least 15 characters".into(),
        "error-password-common" => "too common or easy to guess".into(),
        "error-password-too-long" => "must be 128 characters or fewer".into(),
        "error-username-format" => {
            "only lowercase letters, numbers, dots, dashes and underscores".into()
        }
        "error-username-length" => "between 3 and 64 characters".into(),
        "error-email-format" => "not a valid e-mail address".into(),
        other => other.to_owned(),
    }
}

/// The demo accounts: username, full name, role, agency key.
pub const DEMO_ACCOUNTS: [(&str, &str, Role, &str); 11] = [
    (
        "admin",
        "Aitor Administratzailea",
        Role::Administrator,
        "council",
    ),
    (
        "coordinator",
        "Nerea Koordinatzailea",
        Role::Coordinator,
        "council",
    ),
    (
        "lanbide",
        "Iker Lanbide",
        Role::EmploymentProfessional,
        "employment",
    ),
    ("social", "Miren Gizarte", Role::SocialWorker, "social"),
    (
        "education",
        "Jon Hezkuntza",
        Role::EducationProfessional,
        "education",
    ),
    (
        "housing",
        "Leire Etxebizitza",
        Role::HousingProfessional,
        "housing",
    ),
    (
        "health",
        "Ane Osasun",
        Role::PrimaryCareProfessional,
        "health",
    ),
    (
        "mentalhealth",
        "Unai Osasun Mentala",
        Role::MentalHealthProfessional,
        "mentalhealth",
    ),
    (
        "trainer",
        "Maialen Prestakuntza",
        Role::TrainingEntityStaff,
        "training",
    ),
    ("analyst", "Asier Analista", Role::Analyst, "council"),
    (
        "dpo",
        "Itziar Datu Babesa",
        Role::DataProtectionOfficer,
        "council",
    ),
];

/// The demo agencies: key, Basque name, Spanish name, system, in Otxarkoaga (else city-wide).
const DEMO_AGENCIES: [(&str, &str, &str, PublicSystem, bool); 9] = [
    (
        "employment",
        "Lanbide – Otxarkoagako erreferentziako bulegoa",
        "Lanbide – Oficina de referencia de Otxarkoaga",
        PublicSystem::EmploymentIncome,
        true,
    ),
    (
        "social",
        "Otxarkoagako Gizarte Zerbitzuen Oinarrizko Unitatea",
        "Unidad de Base de Servicios Sociales de Otxarkoaga",
        PublicSystem::SocialServices,
        true,
    ),
    (
        "education",
        "Otxarkoagako Herri Ikastetxea",
        "Colegio Público de Otxarkoaga",
        PublicSystem::Education,
        true,
    ),
    (
        "housing",
        "Bilboko Udal Etxebizitzak – Otxarkoagako bulegoa",
        "Viviendas Municipales de Bilbao – Oficina de Otxarkoaga",
        PublicSystem::Housing,
        true,
    ),
    (
        "health",
        "Otxarkoagako Osasun Zentroa",
        "Centro de Salud de Otxarkoaga",
        PublicSystem::PrimaryCare,
        true,
    ),
    (
        "mentalhealth",
        "Otxarkoaga-Txurdinagako Osasun Mentaleko Zentroa",
        "Centro de Salud Mental de Otxarkoaga-Txurdinaga",
        PublicSystem::MentalHealth,
        true,
    ),
    (
        "training",
        "Otxarkoagako Prestakuntza Elkartea",
        "Asociación Formativa de Otxarkoaga",
        PublicSystem::TrainingEntity,
        true,
    ),
    (
        "training2",
        "Bilboko Gizarte eta Lan Laneratzeko Fundazioa",
        "Fundación Bilbaína de Inserción Sociolaboral",
        PublicSystem::TrainingEntity,
        false,
    ),
    (
        "council",
        "Bilbao Ekintza – Proiektu Estrategikoak",
        "Bilbao Ekintza – Proyectos Estratégicos",
        PublicSystem::Council,
        false,
    ),
];

/// Loads the demo city: agencies in Otxarkoaga with their published capacity, one account per
/// role, and a few hundred synthetic people with cases, consents and referrals in every state
/// (see [`load_demo_people`]). Accounts that exist get `password` again, so the printed password
/// always works; agencies, capacity and people are only added when missing, so loading twice
/// duplicates nothing. `key` is the installation key that seals identity documents.
pub async fn load_demo(
    store: &Store,
    hasher: &PasswordHasher,
    tenant: TenantId,
    password: &str,
    key: &[u8; 32],
) -> anyhow::Result<DemoCity> {
    let meta = RequestMeta::default();
    let areas = territory::list(store, tenant).await?;
    let otxarkoaga = areas
        .iter()
        .find(|a| a.kind == "neighbourhood" && a.name_es == "Otxarkoaga")
        .map(|a| a.id);
    let existing = agencies::list(store, tenant).await?;
    let mut ids: Vec<(&str, AgencyId)> = Vec::new();
    for (key, eu, es, system, local) in DEMO_AGENCIES {
        let id = match existing.iter().find(|a| a.name_es == es) {
            Some(a) => a.id,
            None => {
                let grant = Grant::system(tenant, SystemTask::Bootstrap, Action::CreateAgency);
                let name = BilingualName::parse(eu, es)
                    .map_err(|_| anyhow::anyhow!("bad demo agency name"))?;
                agencies::create(
                    store,
                    &grant,
                    &meta,
                    &agencies::NewAgency {
                        name,
                        system,
                        area_id: if local { otxarkoaga } else { None },
                        email: None,
                    },
                )
                .await?
                .id
            }
        };
        ids.push((key, id));
    }
    let hash = hasher.hash(password).await?;
    for (username, name, role, agency_key) in DEMO_ACCOUNTS {
        let agency = ids
            .iter()
            .find(|(k, _)| *k == agency_key)
            .map(|(_, id)| *id);
        match users::credentials(store, tenant, username).await? {
            Some(c) => {
                let grant = Grant::system(tenant, SystemTask::Bootstrap, Action::UpdateUser);
                users::set_password(store, &grant, &meta, c.user.id, &hash, None).await?;
                // A demo start also lifts any lock, an administrator's or one left by earlier
                // failed sign-ins (those are not on the account row, so always).
                {
                    let fresh = users::get(store, tenant, c.user.id).await?;
                    let changes = users::UserChanges {
                        unlock: true,
                        active: Some(true),
                        ..users::UserChanges::default()
                    };
                    users::update(
                        store,
                        &Grant::system(tenant, SystemTask::Bootstrap, Action::UpdateUser),
                        &meta,
                        fresh.id,
                        fresh.version,
                        &changes,
                    )
                    .await?;
                }
            }
            None => {
                let grant = Grant::system(tenant, SystemTask::Bootstrap, Action::CreateUser);
                let new = NewUser {
                    username: Username::parse(username).map_err(anyhow::Error::msg)?,
                    display_name: DisplayName::parse(name).map_err(anyhow::Error::msg)?,
                    email: Some(
                        Email::parse(&format!("{username}@demo.elkarlan.invalid"))
                            .map_err(anyhow::Error::msg)?,
                    ),
                    role,
                    agency,
                    password_hash: hash.clone(),
                    // Demo accounts need no second factor until one is enrolled.
                    mfa_required: false,
                };
                users::create(store, &grant, &meta, &new).await?;
            }
        }
    }
    publish_capacity(store, tenant, &ids).await?;
    let pros = demo_professionals(store, tenant, &ids).await?;
    load_demo_people(store, tenant, key, &areas, &pros).await?;
    crate::demo_employment::load(store, tenant, &ids).await?;
    let orgs = crate::demo_ecosystem::seed(store, tenant).await?;
    crate::demo_procurement::seed(store, tenant, &orgs).await?;
    crate::demo_agreements::seed(store, tenant, &orgs).await?;
    crate::demo_portfolio::seed(store, tenant, &orgs).await?;
    // The dashboards read published results only: compute them now rather than at the worker's
    // first pass, so the demo opens with them.
    let today = Timestamp::now().to_datetime().date_naive();
    elkarlan_store::indicator_results::refresh_due(
        store,
        tenant,
        elkarlan_domain::indicators::catalogue::all(),
        today,
    )
    .await?;
    Ok(DemoCity { areas, pros })
}

/// The loaded demo city, as [`load_population`] needs it: its neighbourhoods and the demo
/// professionals who lead cases.
pub struct DemoCity {
    areas: Vec<territory::Area>,
    pros: Pros,
}

// ---------------------------------------------------------------------------------------------
// The demo city's people: synthetic, reproducible from the seed, never real.
// ---------------------------------------------------------------------------------------------

/// How many synthetic people the demo holds, and the seed they are drawn from.
const DEMO_PEOPLE: u64 = 300;
const DEMO_SEED: u64 = 2026;

/// What the receiving agencies publish: agency key, open places, waiting list, expected wait in
/// days. Municipal housing is full and has a waiting list.
const DEMO_CAPACITY: [(&str, i64, i64, i64); 7] = [
    ("employment", 24, 0, 7),
    ("social", 6, 3, 12),
    ("education", 11, 0, 5),
    ("housing", 0, 14, 60),
    ("health", 30, 0, 2),
    ("mentalhealth", 2, 9, 35),
    ("training", 16, 4, 21),
];

/// The professionals who lead cases, with their share of cases in per cent (the total is 100).
const LEAD_SHARES: [(&str, u64); 6] = [
    ("social", 45),
    ("lanbide", 30),
    ("education", 7),
    ("housing", 7),
    ("health", 6),
    ("mentalhealth", 5),
];

/// A referral a lead typically sends: the receiving agency's demo account, the reason, and the
/// categories shared besides identification and contact. Only case professionals answer
/// referrals, so none goes to the training entity.
struct Route {
    to: &'static str,
    reason: &'static str,
    extra: &'static [DataCategory],
}

const SOCIAL_ROUTES: &[Route] = &[
    Route {
        to: "lanbide",
        reason: "Orientación laboral e inscripción como demandante de empleo",
        extra: &[DataCategory::SocialServicesNotes],
    },
    Route {
        to: "housing",
        reason: "Riesgo de pérdida de la vivienda: solicitud de vivienda municipal",
        extra: &[DataCategory::Housing],
    },
    Route {
        to: "lanbide",
        reason: "Tramitación de la Renta de Garantía de Ingresos",
        extra: &[DataCategory::Income],
    },
    Route {
        to: "education",
        reason: "Absentismo escolar de una menor a cargo de la persona",
        extra: &[],
    },
    Route {
        to: "lanbide",
        reason: "Curso de competencias digitales básicas",
        extra: &[DataCategory::Employment],
    },
    Route {
        to: "mentalhealth",
        reason: "Valoración por salud mental a petición de la persona",
        extra: &[],
    },
    Route {
        to: "health",
        reason: "Sin médico de familia asignado tras el cambio de domicilio",
        extra: &[],
    },
];

const LANBIDE_ROUTES: &[Route] = &[
    Route {
        to: "social",
        reason: "Valoración de la exclusión para el convenio de inclusión",
        extra: &[DataCategory::Employment, DataCategory::Income],
    },
    Route {
        to: "housing",
        reason: "Alojamiento temporal para incorporarse a un empleo",
        extra: &[DataCategory::Employment],
    },
    Route {
        to: "social",
        reason: "Apoyo social tras la suspensión de la prestación",
        extra: &[DataCategory::Income],
    },
    Route {
        to: "education",
        reason: "Graduado en ESO para personas adultas",
        extra: &[],
    },
];

const EDUCATION_ROUTES: &[Route] = &[Route {
    to: "social",
    reason: "Familia con necesidades básicas sin cubrir detectadas en el centro",
    extra: &[DataCategory::Education],
}];

const HOUSING_ROUTES: &[Route] = &[Route {
    to: "social",
    reason: "Impago del alquiler social: valoración de ayudas de emergencia",
    extra: &[DataCategory::Housing],
}];

const HEALTH_ROUTES: &[Route] = &[
    Route {
        to: "social",
        reason: "Persona mayor que vive sola con dependencia leve",
        extra: &[DataCategory::HealthFlags],
    },
    Route {
        to: "social",
        reason: "Cuidadora principal sobrecargada: apoyo en el domicilio",
        extra: &[],
    },
];

const MENTAL_HEALTH_ROUTES: &[Route] = &[
    Route {
        to: "social",
        reason: "Acompañamiento social tras el alta hospitalaria",
        extra: &[],
    },
    Route {
        to: "lanbide",
        reason: "Empleo con apoyo: itinerario adaptado",
        extra: &[],
    },
];

fn routes(lead: &str) -> &'static [Route] {
    match lead {
        "social" => SOCIAL_ROUTES,
        "lanbide" => LANBIDE_ROUTES,
        "education" => EDUCATION_ROUTES,
        "housing" => HOUSING_ROUTES,
        "health" => HEALTH_ROUTES,
        _ => MENTAL_HEALTH_ROUTES,
    }
}

/// Where the demo's referrals end, in turn: three in ten still waiting for an answer.
const REFERRAL_CYCLE: [ReferralStatus; 10] = [
    ReferralStatus::Sent,
    ReferralStatus::Accepted,
    ReferralStatus::Sent,
    ReferralStatus::Completed,
    ReferralStatus::InProgress,
    ReferralStatus::Declined,
    ReferralStatus::Sent,
    ReferralStatus::Completed,
    ReferralStatus::Withdrawn,
    ReferralStatus::InProgress,
];

const URGENCY_CYCLE: [Urgency; 4] = [
    Urgency::Routine,
    Urgency::Priority,
    Urgency::Routine,
    Urgency::Urgent,
];

const OUTCOMES: [&str; 4] = [
    "La persona terminó el itinerario previsto",
    "Se incorporó a un empleo con contrato de seis meses",
    "Ayuda concedida y plan de pagos acordado",
    "Atendida; seguimiento ordinario desde el servicio",
];

/// Recipients and categories of the general consents, in turn.
const CONSENT_TEMPLATES: [(&[PublicSystem], &[DataCategory]); 6] = [
    (
        &[PublicSystem::Housing],
        &[DataCategory::Income, DataCategory::SocialServicesNotes],
    ),
    (
        &[PublicSystem::Education, PublicSystem::SocialServices],
        &[DataCategory::Education],
    ),
    (
        &[PublicSystem::TrainingEntity],
        &[
            DataCategory::Identification,
            DataCategory::Contact,
            DataCategory::Employment,
        ],
    ),
    (
        &[PublicSystem::SocialServices],
        &[DataCategory::HealthFlags],
    ),
    (
        &[PublicSystem::Housing, PublicSystem::EmploymentIncome],
        &[DataCategory::Housing, DataCategory::Income],
    ),
    (
        &[PublicSystem::PrimaryCare, PublicSystem::MentalHealth],
        &[
            DataCategory::Identification,
            DataCategory::Contact,
            DataCategory::SocialServicesNotes,
        ],
    ),
];

const BREAK_GLASS_REASON: &str = "Acude a urgencias del centro de salud desorientada y sin acompañante: \
     hace falta el contacto de su referente social";

/// The lead of person `i`'s case; two people in fifteen have no case.
fn demo_lead(i: u64) -> Option<&'static str> {
    if matches!(i % 15, 4 | 11) {
        return None;
    }
    let mut k = (i * 37) % 100;
    for (lead, share) in LEAD_SHARES {
        if k < share {
            return Some(lead);
        }
        k -= share;
    }
    None
}

/// Where person `i`'s case stands: about 35% open, 35% active, 15% on hold, 15% closed.
fn demo_case_status(i: u64) -> CaseStatus {
    match (i * 53 + 7) % 20 {
        0..=6 => CaseStatus::Open,
        7..=13 => CaseStatus::Active,
        14..=16 => CaseStatus::OnHold,
        _ => CaseStatus::Closed,
    }
}

/// The moves that take a newly opened case to `target`; `n` picks between two ways of closing.
fn case_path(target: CaseStatus, n: usize) -> &'static [CaseStatus] {
    use CaseStatus::{Active, Closed, OnHold, Open};
    match target {
        Open => &[],
        Active => &[Active],
        OnHold => &[Active, OnHold],
        Closed if n.is_multiple_of(2) => &[Closed],
        Closed => &[Active, Closed],
    }
}

/// The moves, with who makes each, that take a sent referral to `target`.
fn referral_path(target: ReferralStatus, n: usize) -> &'static [(ReferralStatus, Side)] {
    use ReferralStatus::{Accepted, Completed, Declined, InProgress, Sent, Withdrawn};
    use Side::{Receiver, Sender};
    match target {
        Sent => &[],
        Accepted => &[(Accepted, Receiver)],
        Declined => &[(Declined, Receiver)],
        InProgress => &[(Accepted, Receiver), (InProgress, Receiver)],
        Completed if n.is_multiple_of(2) => &[
            (Accepted, Receiver),
            (InProgress, Receiver),
            (Completed, Receiver),
        ],
        Completed => &[(Accepted, Receiver), (Completed, Receiver)],
        Withdrawn if n.is_multiple_of(2) => &[(Withdrawn, Sender)],
        Withdrawn => &[(Accepted, Receiver), (Withdrawn, Sender)],
    }
}

/// A synthetic person as the registration form would receive them.
fn person_input(p: &SyntheticPerson, area: Option<AreaId>) -> PersonInput {
    PersonInput {
        given_name: p.given_name.clone(),
        surname1: p.first_surname.clone(),
        surname2: p.second_surname.clone(),
        document_kind: p.document.kind().to_owned(),
        document_number: p.document.number().to_owned(),
        document_country: p.document.country().unwrap_or_default().to_owned(),
        birth_date: p.birth_date.format("%Y-%m-%d").to_string(),
        sex: p.sex.clone(),
        nationality: p.nationality.clone(),
        languages: p.languages.join(","),
        preferred_lang: p.preferred_language.clone(),
        neighbourhood: area.map(|a| a.to_string()).unwrap_or_default(),
        phone: p.phone.clone(),
        email: p.email.clone(),
    }
}

fn agency_id(agencies: &[(&str, AgencyId)], key: &str) -> Option<AgencyId> {
    agencies.iter().find(|(k, _)| *k == key).map(|(_, id)| *id)
}

/// Publishes each receiving agency's capacity, unless it already has one.
async fn publish_capacity(
    store: &Store,
    tenant: TenantId,
    agencies: &[(&str, AgencyId)],
) -> anyhow::Result<()> {
    let grant = Grant::system(tenant, SystemTask::Bootstrap, Action::UpdateAgency);
    for (key, open, waiting, days) in DEMO_CAPACITY {
        let Some(id) = agency_id(agencies, key) else {
            continue;
        };
        if referrals::capacity(store, id).await?.is_none() {
            referrals::set_capacity(
                store,
                &grant,
                &RequestMeta::default(),
                id,
                open,
                waiting,
                days,
            )
            .await?;
        }
    }
    Ok(())
}

/// A demo professional: the account, its agency and the agency's public system.
#[derive(Clone, Copy)]
struct Pro {
    username: &'static str,
    user: UserId,
    agency: AgencyId,
    system: PublicSystem,
}

struct Pros(Vec<Pro>);

impl Pros {
    fn get(&self, username: &str) -> anyhow::Result<Pro> {
        self.0
            .iter()
            .find(|p| p.username == username)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("demo account {username} has no agency"))
    }
}

/// The demo accounts that belong to an agency other than the council's.
async fn demo_professionals(
    store: &Store,
    tenant: TenantId,
    agencies: &[(&str, AgencyId)],
) -> anyhow::Result<Pros> {
    let mut out = Vec::new();
    for (username, _, _, agency_key) in DEMO_ACCOUNTS {
        if agency_key == "council" || agency_id(agencies, agency_key).is_none() {
            continue;
        }
        let user = users::credentials(store, tenant, username)
            .await?
            .with_context(|| format!("demo account {username} is missing"))?
            .user;
        let (Some(agency), Some(system)) = (user.agency_id, user.agency_system) else {
            continue;
        };
        out.push(Pro {
            username,
            user: user.id,
            agency,
            system,
        });
    }
    Ok(Pros(out))
}

struct DemoCase {
    person: usize,
    case: CaseId,
    lead: Pro,
    status: CaseStatus,
}

struct PlannedConsent {
    person: usize,
    recipients: Vec<PublicSystem>,
    categories: Vec<DataCategory>,
    expires_at: Option<Timestamp>,
    withdraw: bool,
    recorded_by: UserId,
    purpose: String,
}

impl PlannedConsent {
    fn scope(&self, now: Timestamp) -> ConsentScope {
        ConsentScope {
            recipients: self.recipients.clone(),
            categories: self.categories.clone(),
            given_at: now,
            expires_at: self.expires_at,
            withdrawn_at: None,
        }
    }
}

struct PlannedReferral {
    case: usize,
    to: Pro,
    reason: &'static str,
    categories: Vec<DataCategory>,
    status: ReferralStatus,
    /// How many referrals ended in the same status before this one (varies the paths, the
    /// reasons for declining and the outcomes).
    nth: usize,
    urgency: Urgency,
    due_at: Timestamp,
}

/// The count so far for `key` (0 the first time), then one more.
fn bump(counts: &mut Vec<(&'static str, usize)>, key: &'static str) -> usize {
    match counts.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => {
            *n += 1;
            *n
        }
        None => {
            counts.push((key, 0));
            0
        }
    }
}

/// The demo's generator of synthetic people (Otxarkoaga as the focus neighbourhood), and the
/// area of each row of the territory file: synthetic people name their neighbourhood by its row
/// in the file, areas carry the code the file gives that row.
fn demo_generator(
    areas: &[territory::Area],
) -> anyhow::Result<(SyntheticPeople, Vec<Option<AreaId>>)> {
    let rows = parse_territory_csv(TERRITORY).map_err(anyhow::Error::msg)?;
    let row_areas: Vec<Option<AreaId>> = rows
        .iter()
        .map(|r| {
            areas
                .iter()
                .find(|a| a.kind == "neighbourhood" && a.code == r.neighbourhood_code)
                .map(|a| a.id)
        })
        .collect();
    let focus = rows.iter().position(|r| r.neighbourhood.es == "Otxarkoaga");
    Ok((SyntheticPeople::new(DEMO_SEED, focus), row_areas))
}

/// The demo's people: 300 synthetic people (about a third in Otxarkoaga), about 260 cases led
/// by the demo professionals in every status, consents for about 40% of people (some
/// withdrawn, some expiring), referrals between the Otxarkoaga agencies in every state (some
/// overdue), and one emergency access by `health` waiting for the DPO. Everything goes through
/// the store's functions, so each change has its audit row. Skipped when the demo
/// professionals already lead cases.
async fn load_demo_people(
    store: &Store,
    tenant: TenantId,
    key: &[u8; 32],
    areas: &[territory::Area],
    pros: &Pros,
) -> anyhow::Result<()> {
    for (lead, _) in LEAD_SHARES {
        if !cases::caseload(store, tenant, pros.get(lead)?.user, 1)
            .await?
            .is_empty()
        {
            return Ok(());
        }
    }
    let started = std::time::Instant::now();
    let meta = RequestMeta::default();
    let now = Timestamp::now();

    let (generator, row_areas) = demo_generator(areas)?;
    let mut records = Vec::new();
    for i in 0..DEMO_PEOPLE {
        records.push(synthetic_record(
            &generator, &row_areas, tenant, key, now, i,
        )?);
    }

    // People and their cases, in one transaction: all or nothing.
    let register = Grant::system(tenant, SystemTask::Bootstrap, Action::RegisterPerson);
    let open = Grant::system(tenant, SystemTask::Bootstrap, Action::OpenCase);
    let mut person_ids = Vec::new();
    let mut demo_cases = Vec::new();
    let mut tx = store.begin_write().await?;
    for (i, (draft, area, document)) in (0u64..).zip(&records) {
        let record = PersonRecord {
            draft,
            area: *area,
            document: document.as_ref(),
        };
        let person = people::create_in(&mut tx, &register, &meta, record).await?;
        if let Some(lead) = demo_lead(i) {
            let lead = pros.get(lead)?;
            let case =
                cases::open_in(&mut tx, &open, &meta, person, lead.user, lead.agency).await?;
            demo_cases.push(DemoCase {
                person: person_ids.len(),
                case,
                lead,
                status: demo_case_status(i),
            });
        }
        person_ids.push(person);
    }
    tx.commit().await?;

    // General consents for three people in ten, recorded by their lead (or social services);
    // the referrals below add the consents they need, to about 40% of people in all.
    let social = pros.get("social")?;
    let mut consents_plan: Vec<PlannedConsent> = Vec::new();
    for (i, _) in person_ids
        .iter()
        .enumerate()
        .filter(|(i, _)| matches!(i % 10, 0 | 3 | 7))
    {
        let n = consents_plan.len();
        let (recipients, categories) = CONSENT_TEMPLATES[n % CONSENT_TEMPLATES.len()];
        let recorder = demo_cases
            .iter()
            .find(|c| c.person == i)
            .map_or(social, |c| c.lead);
        consents_plan.push(PlannedConsent {
            person: i,
            recipients: recipients.to_vec(),
            categories: categories.to_vec(),
            expires_at: matches!(n % 7, 1 | 4)
                .then(|| now.plus_seconds((90 + (n as i64 * 17) % 300) * 86_400)),
            withdraw: n % 5 == 2,
            recorded_by: recorder.user,
            purpose: "Coordinación del plan personal de inclusión en Otxarkoaga".to_owned(),
        });
    }

    // Referrals from two cases in three that are not closed; where the law does not let the
    // categories go to the receiving system, the person consents to that referral first.
    let mut referrals_plan: Vec<PlannedReferral> = Vec::new();
    let (mut sent_by, mut received, mut ended) = (Vec::new(), Vec::new(), Vec::new());
    for (j, c) in demo_cases.iter().enumerate() {
        if c.status == CaseStatus::Closed || j % 3 == 2 {
            continue;
        }
        let turn = bump(&mut sent_by, c.lead.username);
        let lead_routes = routes(c.lead.username);
        let route = &lead_routes[turn % lead_routes.len()];
        let to = pros.get(route.to)?;
        let mut categories = vec![DataCategory::Identification, DataCategory::Contact];
        categories.extend_from_slice(route.extra);
        let in_force: Vec<ConsentScope> = consents_plan
            .iter()
            .filter(|p| p.person == c.person && !p.withdraw)
            .map(|p| p.scope(now))
            .collect();
        let missing: Vec<DataCategory> = categories
            .iter()
            .copied()
            .filter(|cat| {
                basis_for(
                    cat.owner().unwrap_or(c.lead.system),
                    to.system,
                    *cat,
                    &in_force,
                    now,
                )
                .is_none()
            })
            .collect();
        if !missing.is_empty() {
            consents_plan.push(PlannedConsent {
                person: c.person,
                recipients: vec![to.system],
                categories: missing,
                expires_at: None,
                withdraw: false,
                recorded_by: c.lead.user,
                purpose: format!("Derivación: {}", route.reason),
            });
        }
        // Each receiving agency's referrals go round the cycle, so every inbox holds every
        // state; the first of each ten, still unanswered, and the fifth are overdue.
        let k = bump(&mut received, route.to);
        let status = REFERRAL_CYCLE[k % REFERRAL_CYCLE.len()];
        let n = referrals_plan.len();
        let urgency = URGENCY_CYCLE[n % URGENCY_CYCLE.len()];
        let due_at = if matches!(k % REFERRAL_CYCLE.len(), 0 | 4) {
            now.minus_seconds((2 + (n as i64 % 9)) * 86_400)
        } else {
            now.plus_seconds(urgency.response_days() * 86_400)
        };
        referrals_plan.push(PlannedReferral {
            case: j,
            to,
            reason: route.reason,
            categories,
            status,
            nth: bump(&mut ended, status.code()),
            urgency,
            due_at,
        });
    }

    let consent_grant = Grant::system(tenant, SystemTask::Bootstrap, Action::RecordConsent);
    let mut withdrawals = Vec::new();
    for pc in &consents_plan {
        let new = NewConsent {
            person_id: person_ids[pc.person],
            purpose: pc.purpose.clone(),
            recipients: pc.recipients.clone(),
            categories: pc.categories.clone(),
            evidence: format!("Formulario firmado OTX-2026-{:04}", pc.person + 1),
            expires_at: pc.expires_at,
        };
        let id = consents::record(store, &consent_grant, &meta, pc.recorded_by, &new).await?;
        if pc.withdraw {
            withdrawals.push(id);
        }
    }

    let send = Grant::system(tenant, SystemTask::Bootstrap, Action::SendReferral);
    let answer = Grant::system(tenant, SystemTask::Bootstrap, Action::AnswerReferral);
    let withdraw = Grant::system(tenant, SystemTask::Bootstrap, Action::WithdrawReferral);
    for pr in &referrals_plan {
        let c = &demo_cases[pr.case];
        let case = cases::get(store, tenant, c.case).await?;
        let new = NewReferral {
            from_agency: c.lead.agency,
            from_user: c.lead.user,
            to_agency: pr.to.agency,
            reason: pr.reason.to_owned(),
            urgency: pr.urgency,
            categories: pr.categories.clone(),
            due_at: pr.due_at,
        };
        // Demo agencies have no e-mail address: nothing is queued for delivery.
        let id = referrals::send(store, &send, &meta, &case, &new, None).await?;
        let n = pr.nth;
        for &(next, side) in referral_path(pr.status, n) {
            let current = referrals::get(store, tenant, id).await?;
            let (grant, by) = match side {
                Side::Sender => (&withdraw, c.lead.user),
                Side::Receiver => (&answer, pr.to.user),
            };
            let mv = Move {
                version: current.version,
                next,
                side,
                by,
                decline_reason: (next == ReferralStatus::Declined)
                    .then(|| DeclineReason::ALL[n % DeclineReason::ALL.len()]),
                outcome: (next == ReferralStatus::Completed).then(|| OUTCOMES[n % OUTCOMES.len()]),
            };
            referrals::transition(store, grant, &meta, &current, mv).await?;
        }
    }

    let manage = Grant::system(tenant, SystemTask::Bootstrap, Action::ManageCase);
    for (j, c) in demo_cases.iter().enumerate() {
        for &next in case_path(c.status, j) {
            let case = cases::get(store, tenant, c.case).await?;
            let reason = (next == CaseStatus::Closed)
                .then(|| ClosureReason::ALL[j % ClosureReason::ALL.len()]);
            cases::set_status(store, &manage, &meta, &case, case.version, next, reason).await?;
        }
    }

    for id in withdrawals {
        consents::withdraw(store, &consent_grant, &meta, id).await?;
    }

    // An emergency access by primary care to a case it is not part of, for the DPO to review.
    let health = pros.get("health")?;
    let unreferred = demo_cases.iter().enumerate().find(|(j, c)| {
        c.lead.username == "social"
            && c.status != CaseStatus::Closed
            && !referrals_plan.iter().any(|r| r.case == *j)
    });
    if let Some((_, c)) = unreferred {
        let case = cases::get(store, tenant, c.case).await?;
        let grant = Grant::system(tenant, SystemTask::Bootstrap, Action::BreakGlass);
        cases::break_glass(
            store,
            &grant,
            &meta,
            &case,
            health.user,
            BREAK_GLASS_REASON,
            60,
            i64::from(elkarlan_web::config::BREAK_GLASS_PER_DAY),
        )
        .await?;
    }

    let seeds: Vec<crate::demo_casework::Seed> = demo_cases
        .iter()
        .map(|c| crate::demo_casework::Seed {
            case: c.case,
            lead_user: c.lead.user,
            lead_agency: c.lead.agency,
            lead_is_health: c.lead.system.is_health(),
            status: c.status,
        })
        .collect();
    let planned = crate::demo_casework::load(store, tenant, &seeds).await?;

    tracing::info!(
        people = person_ids.len(),
        cases = demo_cases.len(),
        plans = planned,
        consents = consents_plan.len(),
        referrals = referrals_plan.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo people loaded"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The synthetic population for scale tests and benchmarks.
// ---------------------------------------------------------------------------------------------

/// People written per transaction by [`load_population`].
pub const POPULATION_BATCH: usize = 5_000;

/// How far [`load_population`] has got.
#[derive(Clone, Copy, Debug)]
pub struct PopulationProgress {
    /// People of the population in the database, out of `target`.
    pub done: u64,
    pub target: u64,
    /// Of those, the ones this run added.
    pub added: u64,
    /// Cases this run opened.
    pub cases: u64,
    /// Employment records this run added (`demo_scale_employment`).
    pub employment: crate::demo_scale_employment::EmploymentCounts,
    pub elapsed: std::time::Duration,
}

impl PopulationProgress {
    /// People added per second by this run.
    pub fn rate(&self) -> f64 {
        self.added as f64 / self.elapsed.as_secs_f64().max(1e-6)
    }
}

/// Synthetic person `i` of the demo's generator as the registration form would parse them,
/// with their area and document in its stored forms.
fn synthetic_record(
    generator: &SyntheticPeople,
    row_areas: &[Option<AreaId>],
    tenant: TenantId,
    key: &[u8; 32],
    now: Timestamp,
    i: u64,
) -> anyhow::Result<(PersonDraft, Option<AreaId>, Option<StoredDocument>)> {
    let p = generator.person(i);
    let area = row_areas.get(p.neighbourhood).copied().flatten();
    let draft = person_input(&p, area)
        .parse(now.to_datetime().date_naive())
        .map_err(|e| anyhow::anyhow!("synthetic person {i} is not valid: {e:?}"))?;
    let document = draft
        .document
        .as_ref()
        .map(|d| elkarlan_web::auth::stored_document(key, tenant, d));
    Ok((draft, area, document))
}

/// Adds a large synthetic population to the demo city, for scale tests and benchmarks: the
/// demo generator's people `300..300 + target` (after the demo city's own 300), each with an
/// open case led by a demo professional for 13 people in 15 (the demo's shares of leads),
/// and no consents or referrals. People and cases go through the store's bulk functions, so
/// each gets its trigrams and its audit row in the same transaction as in production;
/// [`POPULATION_BATCH`] people are written per transaction and `progress` is called after each.
///
/// Running again adds only the people still missing: transactions commit in order, so the
/// people already present are the first ones, found by a binary search on their (unique)
/// e-mail addresses. An interrupted run resumes after its last committed batch; a smaller
/// `target` than a previous run's adds nothing.
pub async fn load_population(
    store: &Store,
    tenant: TenantId,
    key: &[u8; 32],
    city: &DemoCity,
    target: u64,
    mut progress: impl FnMut(&PopulationProgress),
) -> anyhow::Result<PopulationProgress> {
    let started = std::time::Instant::now();
    let meta = RequestMeta::default();
    let now = Timestamp::now();
    let (generator, row_areas) = demo_generator(&city.areas)?;
    let record =
        |k: u64| synthetic_record(&generator, &row_areas, tenant, key, now, DEMO_PEOPLE + k);

    // The people present are a prefix of the population: find its length.
    let (mut lo, mut hi) = (0u64, target);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (draft, _, _) = record(mid)?;
        let email = draft.email.as_deref().unwrap_or_default();
        if people::exists_with_email(store, tenant, &draft.name.search_key(), email).await? {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let mut report = PopulationProgress {
        done: lo,
        target,
        added: 0,
        cases: 0,
        employment: Default::default(),
        elapsed: started.elapsed(),
    };

    let register = Grant::system(tenant, SystemTask::Bootstrap, Action::RegisterPerson);
    let open = Grant::system(tenant, SystemTask::Bootstrap, Action::OpenCase);
    let lanbide = city.pros.get("lanbide")?;
    let employment = crate::demo_scale_employment::EmploymentContext::load(
        store,
        tenant,
        lanbide.user,
        lanbide.agency,
    )
    .await?;
    while report.done < target {
        let end = (report.done + POPULATION_BATCH as u64).min(target);
        let batch = (report.done..end)
            .map(record)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let records: Vec<PersonRecord<'_>> = batch
            .iter()
            .map(|(draft, area, document)| PersonRecord {
                draft,
                area: *area,
                document: document.as_ref(),
            })
            .collect();
        let mut tx = store.begin_bulk_write().await?;
        let ids = people::create_many_in(&mut tx, &register, &meta, &records).await?;
        let numbered: Vec<_> = ids.iter().copied().zip(report.done..end).collect();
        report.employment +=
            crate::demo_scale_employment::insert_batch(&mut tx, tenant, &employment, &numbered)
                .await?;
        let mut new_cases = Vec::with_capacity(ids.len());
        for (person, k) in ids.into_iter().zip(report.done..end) {
            if let Some(lead) = demo_lead(DEMO_PEOPLE + k) {
                let lead = city.pros.get(lead)?;
                new_cases.push(cases::NewCase {
                    person,
                    lead: lead.user,
                    lead_agency: lead.agency,
                });
            }
        }
        cases::open_many_in(&mut tx, &open, &meta, &new_cases).await?;
        tx.commit().await?;
        report.added += end - report.done;
        report.cases += new_cases.len() as u64;
        report.done = end;
        report.elapsed = started.elapsed();
        progress(&report);
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use elkarlan_domain::synthetic::NEIGHBOURHOODS;

    #[test]
    fn synthetic_neighbourhoods_are_rows_of_the_territory_file() {
        let rows = parse_territory_csv(TERRITORY).unwrap_or_default();
        assert_eq!(rows.len(), NEIGHBOURHOODS);
        // The synthetic generator documents Otxarkoaga as row 10.
        assert_eq!(
            rows.iter().position(|r| r.neighbourhood.es == "Otxarkoaga"),
            Some(10)
        );
        // Codes sort in file order, so the territory list (by code) follows the rows too.
        let codes: Vec<&str> = rows.iter().map(|r| r.neighbourhood_code.as_str()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn leads_statuses_and_paths_are_spread_as_documented() {
        let leads: Vec<&str> = (0..DEMO_PEOPLE).filter_map(demo_lead).collect();
        assert_eq!(leads.len(), 260);
        let share = |who: &str| leads.iter().filter(|l| **l == who).count() * 100 / leads.len();
        assert!((40..=50).contains(&share("social")), "{}", share("social"));
        assert!(
            (25..=35).contains(&share("lanbide")),
            "{}",
            share("lanbide")
        );
        for status in CaseStatus::ALL {
            assert!((0..DEMO_PEOPLE).any(|i| demo_case_status(i) == status));
            for n in 0..2 {
                let mut at = CaseStatus::Open;
                for &next in case_path(status, n) {
                    assert!(at.can_become(next), "{at:?} -> {next:?}");
                    at = next;
                }
                assert_eq!(at, status);
            }
        }
        for status in ReferralStatus::ALL {
            assert!(REFERRAL_CYCLE.contains(&status));
            for n in 0..2 {
                let mut at = ReferralStatus::Sent;
                for &(next, side) in referral_path(status, n) {
                    assert_eq!(at.transition(next, side), Ok(next));
                    at = next;
                }
                assert_eq!(at, status);
            }
        }
    }

    #[test]
    fn demo_routes_go_to_other_agencies_with_an_account() {
        for (lead, _) in LEAD_SHARES {
            for route in routes(lead) {
                assert_ne!(route.to, lead);
                // The receiving professional must be allowed to see the inbox and answer.
                assert!(
                    DEMO_ACCOUNTS
                        .iter()
                        .any(|a| a.0 == route.to && a.2.is_case_professional()),
                    "{}",
                    route.to
                );
            }
        }
        assert!(BREAK_GLASS_REASON.chars().count() >= 20);
    }
}
