//! Setting up a database: schema, the tenant and its territory, the first administrator, and
//! the demo city.

use anyhow::Context;
use elkarlan_domain::account::{DisplayName, Email, Role, Username};
use elkarlan_domain::organisation::{BilingualName, PublicSystem};
use elkarlan_domain::policy::{Action, Grant, SystemTask};
use elkarlan_domain::territory::{IneCode, parse_territory_csv};
use elkarlan_domain::{AgencyId, TenantId};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::users::NewUser;
use elkarlan_store::{Store, agencies, migrate, tenants, territory, users};
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
const DEMO_AGENCIES: [(&str, &str, &str, PublicSystem, bool); 8] = [
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
        "council",
        "Bilbao Ekintza – Proiektu Estrategikoak",
        "Bilbao Ekintza – Proyectos Estratégicos",
        PublicSystem::Council,
        false,
    ),
];

/// Loads the demo city: agencies in Otxarkoaga and one account per role. Accounts that exist
/// get `password` again, so the printed password always works.
pub async fn load_demo(
    store: &Store,
    hasher: &PasswordHasher,
    tenant: TenantId,
    password: &str,
) -> anyhow::Result<()> {
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
                if c.user.locked || !c.user.active {
                    // A demo start also lifts any lock left by earlier failed sign-ins.
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
    Ok(())
}
