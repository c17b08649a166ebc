//! The test harness: a real store (SQLite file, or a fresh PostgreSQL database when
//! TEST_DATABASE_URL is set), the real router driven in-process, and signed-in clients per role.

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use elkarlan_domain::account::{DisplayName, Email, Role, Username};
use elkarlan_domain::organisation::{BilingualName, PublicSystem};
use elkarlan_domain::policy::{Action, Grant, SystemTask};
use elkarlan_domain::territory::IneCode;
use elkarlan_domain::{AgencyId, TenantId, UserId};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::{Store, agencies, migrate, tenants, users};
use elkarlan_web::config::{SecretKey, WebConfig};
use elkarlan_web::{AppState, app};
use http_body_util::BodyExt;
use std::time::Duration;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery staple";

/// One role's account in the test city.
pub const ACCOUNTS: [(&str, Role); 11] = [
    ("admin", Role::Administrator),
    ("coordinator", Role::Coordinator),
    ("lanbide", Role::EmploymentProfessional),
    ("social", Role::SocialWorker),
    ("education", Role::EducationProfessional),
    ("housing", Role::HousingProfessional),
    ("health", Role::PrimaryCareProfessional),
    ("mentalhealth", Role::MentalHealthProfessional),
    ("trainer", Role::TrainingEntityStaff),
    ("analyst", Role::Analyst),
    ("dpo", Role::DataProtectionOfficer),
];

/// A value planted in staff records: only administrators (and the DPO through the audit
/// trail's detail) may ever receive it.
pub const STAFF_SENTINEL: &str = "SENTINEL-STAFF-5b7e";

/// The surname of the fixture person: only their team, the agency a referral was sent to, and
/// the DPO (access log, audit trail) may ever receive it.
pub const PERSON_SENTINEL: &str = "Zentinelazubiri";

/// The agency of each demo role, by public system.
pub fn system_of(role: Role) -> PublicSystem {
    match role {
        Role::EmploymentProfessional => PublicSystem::EmploymentIncome,
        Role::SocialWorker => PublicSystem::SocialServices,
        Role::EducationProfessional => PublicSystem::Education,
        Role::HousingProfessional => PublicSystem::Housing,
        Role::PrimaryCareProfessional => PublicSystem::PrimaryCare,
        Role::MentalHealthProfessional => PublicSystem::MentalHealth,
        Role::TrainingEntityStaff => PublicSystem::TrainingEntity,
        _ => PublicSystem::Council,
    }
}

/// The inclusion fixture: a person whose case is led by `social`, a referral sent to the
/// employment agency and not yet answered, and a consent for housing.
pub struct Inclusion {
    pub person: elkarlan_domain::PersonId,
    pub case: elkarlan_domain::CaseId,
    pub referral: elkarlan_domain::ReferralId,
    pub consent: elkarlan_domain::ConsentId,
}

pub struct TestApp {
    pub state: AppState,
    pub store: Store,
    pub tenant: TenantId,
    pub other_tenant: TenantId,
    pub sentinel_user: UserId,
    pub users: Vec<(String, UserId)>,
    pub agencies: Vec<(PublicSystem, AgencyId)>,
    pub inclusion: Inclusion,
    pub employment: Employment,
    pub procurement: Procurement,
    pub ecosystem: crate::ecosystem::Fixture,
    pub agreements: crate::agreements::Agreements,
    pub projects: crate::projects::Projects,
    /// The database's URL: another pool (a second server) can open the same database.
    pub database_url: String,
    pg_cleanup: Option<(String, String)>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The value of a hidden form field in the page.
    pub fn hidden(&self, name: &str) -> String {
        let needle = format!("name=\"{name}\" value=\"");
        self.body
            .split(&needle)
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or("")
            .to_owned()
    }

    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| {
                let (kv, _) = c.split_once(';').unwrap_or((c, ""));
                let (k, v) = kv.split_once('=')?;
                (k == name).then(|| v.to_owned())
            })
    }

    pub fn set_cookie_line(&self, name: &str) -> String {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .unwrap_or("")
            .to_owned()
    }
}

/// A browser-like client: cookies and the page's CSRF token.
#[derive(Clone, Debug, Default)]
pub struct Browser {
    pub cookies: Vec<(String, String)>,
    pub csrf: String,
    pub lang: Option<&'static str>,
}

impl Browser {
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn absorb(&mut self, r: &Reply) {
        for v in r
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let kv = v.split(';').next().unwrap_or("");
            if let Some((k, val)) = kv.split_once('=') {
                self.cookies.retain(|(n, _)| n != k);
                if !val.is_empty() && !v.contains("Max-Age=0") {
                    self.cookies.push((k.to_owned(), val.to_owned()));
                }
            }
        }
        let token = r.hidden("csrf");
        if !token.is_empty() {
            self.csrf = token;
        }
    }
}

pub fn fast_config() -> WebConfig {
    let mut c = WebConfig::new(SecretKey([9; 32]));
    // Cheap hashes and tiny delays keep the suite fast; production values are tested in unit tests.
    c.argon_memory_kib = 64;
    c.argon_iterations = 1;
    c.throttle_step = Duration::from_millis(1);
    c.throttle_max_delay = Duration::from_millis(5);
    c.body_limit = 64 * 1024;
    c.tenant_hosts.insert("getxo.test".into(), "48044".into());
    c
}

async fn fresh_store() -> (Store, String, Option<(String, String)>) {
    if let Ok(base) = std::env::var("TEST_DATABASE_URL") {
        let name = format!(
            "elkweb_{}",
            &uuid::Uuid::now_v7().simple().to_string()[16..]
        );
        let admin = sqlx::PgPool::connect(&base)
            .await
            .expect("TEST_DATABASE_URL reachable");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&admin)
            .await
            .expect("create database");
        admin.close().await;
        let (prefix, _) = base.rsplit_once('/').expect("database URL has a path");
        let url = format!("{prefix}/{name}");
        (
            Store::open(&url).await.expect("open pg"),
            url,
            Some((base, name)),
        )
    } else {
        let path =
            std::env::temp_dir().join(format!("elkarlan-web-{}.db", uuid::Uuid::now_v7().simple()));
        let url = format!("sqlite://{}", path.display());
        (Store::open(&url).await.expect("open sqlite"), url, None)
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(fast_config()).await
    }

    pub async fn spawn_with(config: WebConfig) -> TestApp {
        let (store, database_url, pg_cleanup) = fresh_store().await;
        migrate::run(&store).await.expect("migrate");
        let tenant = tenants::create(
            &store,
            &IneCode::parse("48020").expect("ine"),
            "Bilbo",
            "Bilbao",
        )
        .await
        .expect("tenant")
        .id;
        let other_tenant = tenants::create(
            &store,
            &IneCode::parse("48044").expect("ine"),
            "Getxo",
            "Getxo",
        )
        .await
        .expect("tenant")
        .id;
        let state = AppState::new(store.clone(), config);
        let meta = RequestMeta::default();
        let grant = Grant::system(tenant, SystemTask::Bootstrap, Action::CreateAgency);
        let mut agency_ids = Vec::new();
        for system in PublicSystem::ALL {
            let name = format!("Test {}", system.code());
            let id = agencies::create(
                &store,
                &grant,
                &meta,
                &agencies::NewAgency {
                    name: BilingualName::parse(&name, &name).expect("name"),
                    system,
                    area_id: None,
                    email: None,
                },
            )
            .await
            .expect("agency")
            .id;
            agency_ids.push((system, id));
        }
        let agency_of = |role: Role| {
            agency_ids
                .iter()
                .find(|(s, _)| *s == system_of(role))
                .map(|(_, id)| *id)
                .expect("agency")
        };
        let agency = agency_of(Role::SocialWorker);
        let hash = state.hasher.hash(PASSWORD).await.expect("hash");
        let mut ids = Vec::new();
        for (name, role) in ACCOUNTS {
            let id = create_user(
                &store,
                tenant,
                name,
                &format!("{name} tester"),
                role,
                Some(agency_of(role)),
                &hash,
                false,
            )
            .await;
            ids.push((name.to_owned(), id));
        }
        let sentinel_user = create_user(
            &store,
            tenant,
            "sentinel",
            STAFF_SENTINEL,
            Role::SocialWorker,
            Some(agency),
            &hash,
            false,
        )
        .await;
        // The other municipality has its own administrator and its own sentinel.
        create_user(
            &store,
            other_tenant,
            "admin",
            "Getxo admin",
            Role::Administrator,
            None,
            &hash,
            false,
        )
        .await;
        create_user(
            &store,
            other_tenant,
            "getxo-staff",
            "SENTINEL-GETXO-9c1d",
            Role::SocialWorker,
            None,
            &hash,
            false,
        )
        .await;
        let inclusion = inclusion_fixture(&store, tenant, &ids, &agency_ids).await;
        // Boxed: the fixtures' futures are large, and test threads have small stacks.
        let employment = Box::pin(employment_fixture(
            &store,
            tenant,
            &ids,
            &agency_ids,
            &inclusion,
        ))
        .await;
        let procurement = Box::pin(procurement_fixture(&store, tenant, &ids, &agency_ids)).await;
        let ecosystem = Box::pin(crate::ecosystem::fixture(&store, tenant)).await;
        let agreements = Box::pin(crate::agreements::fixture(&store, tenant, &ids)).await;
        let projects = Box::pin(crate::projects::fixture(&store, tenant)).await;
        TestApp {
            state,
            store,
            tenant,
            other_tenant,
            sentinel_user,
            users: ids,
            agencies: agency_ids,
            inclusion,
            employment,
            procurement,
            ecosystem,
            agreements,
            projects,
            database_url,
            pg_cleanup,
        }
    }

    pub fn agency(&self, system: PublicSystem) -> AgencyId {
        self.agencies
            .iter()
            .find(|(s, _)| *s == system)
            .map(|(_, id)| *id)
            .expect("agency of every system")
    }

    pub fn user_id(&self, name: &str) -> UserId {
        self.users
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
            .expect("known user")
    }

    /// Sends one request through the real router.
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = app(self.state.clone())
            .oneshot(req)
            .await
            .expect("infallible");
        reply(res).await
    }
}

/// A response read whole.
pub async fn reply(res: axum::response::Response) -> Reply {
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

impl TestApp {
    /// A page request as a browser sends it.
    pub async fn page(
        &self,
        b: &Browser,
        method: Method,
        path: &str,
        form: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(header::HOST, "127.0.0.1:8080");
        if !b.cookies.is_empty() {
            req = req.header(header::COOKIE, b.cookie_header());
        }
        if let Some(l) = b.lang {
            req = req.header(header::ACCEPT_LANGUAGE, l);
        }
        let body = if method == Method::GET {
            Body::empty()
        } else {
            req = req
                .header(header::ORIGIN, "http://127.0.0.1:8080")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            let mut pairs: Vec<(String, String)> = form
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            if !form.iter().any(|(k, _)| *k == "csrf") {
                pairs.push(("csrf".into(), b.csrf.clone()));
            }
            Body::from(encode_form(&pairs))
        };
        self.send(req.body(body).expect("request")).await
    }

    /// Signs in through the login form and returns the signed-in browser.
    pub async fn sign_in(&self, username: &str) -> Browser {
        self.sign_in_with(username, PASSWORD)
            .await
            .expect("sign-in succeeds")
    }

    pub async fn sign_in_with(&self, username: &str, password: &str) -> Result<Browser, Reply> {
        let mut b = Browser::default();
        let r = self.page(&b, Method::GET, "/login", &[]).await;
        b.absorb(&r);
        let r = self
            .page(
                &b,
                Method::POST,
                "/login",
                &[("username", username), ("password", password)],
            )
            .await;
        if r.status != StatusCode::SEE_OTHER {
            return Err(r);
        }
        b.absorb(&r);
        let home = self.page(&b, Method::GET, "/home", &[]).await;
        b.absorb(&home);
        Ok(b)
    }

    /// A JSON API request.
    pub async fn api(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Reply {
        self.api_request(token, method, path, body, None).await
    }

    /// A JSON API request asking for answers in `lang` (`Accept-Language`).
    pub async fn api_lang(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        lang: &str,
    ) -> Reply {
        self.api_request(token, method, path, body, Some(lang))
            .await
    }

    async fn api_request(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        lang: Option<&str>,
    ) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "127.0.0.1:8080");
        if let Some(l) = lang {
            req = req.header(header::ACCEPT_LANGUAGE, l);
        }
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).expect("request")).await
    }

    pub async fn token(&self, username: &str) -> String {
        let r = self
            .api(
                None,
                Method::POST,
                "/api/v1/auth/token",
                Some(serde_json::json!({"username": username, "password": PASSWORD})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "token for {username}: {}", r.body);
        r.json()["access_token"].as_str().expect("token").to_owned()
    }

    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some((base, name)) = self.pg_cleanup
            && let Ok(admin) = sqlx::PgPool::connect(&base).await
        {
            {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .execute(&admin)
                .await;
                admin.close().await;
            }
        }
    }
}

/// A programme promoted by the council with the training entity as partner, a course the
/// entity runs, and the fixture person (led by `social`) with an itinerary, an enrolment in the
/// course and a placement.
pub struct Employment {
    pub programme: elkarlan_domain::ProgrammeId,
    pub action: elkarlan_domain::TrainingActionId,
    pub itinerary: elkarlan_domain::ItineraryId,
    pub step: elkarlan_domain::ItineraryStepId,
    pub enrolment: elkarlan_domain::EnrolmentId,
    pub placement: elkarlan_domain::PlacementId,
}

async fn employment_fixture(
    store: &Store,
    tenant: TenantId,
    users: &[(String, UserId)],
    agencies: &[(PublicSystem, AgencyId)],
    inclusion: &Inclusion,
) -> Employment {
    use elkarlan_domain::employment::codes::StepKind;
    use elkarlan_domain::employment::placement::PlacementInput;
    use elkarlan_domain::employment::programme::ProgrammeInput;
    use elkarlan_domain::employment::training::TrainingActionInput;
    use elkarlan_domain::policy::{Actor, Relationship, Target, decide};
    let agency = |s: PublicSystem| {
        agencies
            .iter()
            .find(|(x, _)| *x == s)
            .map(|(_, id)| *id)
            .expect("agency")
    };
    let actor = |name: &str, role: Role, system: PublicSystem| Actor {
        tenant,
        user: users
            .iter()
            .find(|(u, _)| u == name)
            .map(|(_, id)| *id)
            .expect("user"),
        username: name.to_owned(),
        role,
        agency: Some(agency(system)),
        agency_system: Some(system),
    };
    let meta = RequestMeta::default();
    let today = elkarlan_domain::Timestamp::now().to_datetime().date_naive();
    let coordinator = actor("coordinator", Role::Coordinator, PublicSystem::Council);
    let grant = decide(
        &coordinator,
        Action::ManageProgrammes,
        Target::tenant_wide(tenant),
    )
    .expect("grant");
    let programme = ProgrammeInput {
        name_eu: "Otxarkoagako enplegu plana".into(),
        name_es: "Plan de empleo de Otxarkoaga".into(),
        year: today.format("%Y").to_string(),
        status: "open".into(),
        promoter: agency(PublicSystem::Council).to_string(),
        partners: vec![agency(PublicSystem::TrainingEntity).to_string()],
        funding: "Bilbao Ekintza; 150.000\nLanbide; 50.000".into(),
        places: "40".into(),
        starts_on: today.to_string(),
        ends_on: (today + chrono::Days::new(300)).to_string(),
        ..ProgrammeInput::default()
    }
    .parse()
    .expect("programme parses");
    let programme = elkarlan_store::programmes::create(store, &grant, &meta, &programme)
        .await
        .expect("programme");
    let start = today + chrono::Days::new(7);
    let action = TrainingActionInput {
        provider: agency(PublicSystem::TrainingEntity).to_string(),
        title_eu: "Sukaldaritza laguntzailea".into(),
        title_es: "Ayudante de cocina".into(),
        status: "open".into(),
        hours: "60".into(),
        places: "12".into(),
        location: "Otxarkoaga".into(),
        occupation: "5120.1".into(),
        language: "eu_es".into(),
        starts_on: start.to_string(),
        ends_on: (start + chrono::Days::new(20)).to_string(),
        weekdays: vec![
            "mon".into(),
            "tue".into(),
            "wed".into(),
            "thu".into(),
            "fri".into(),
        ],
        time_from: "09:00".into(),
        time_to: "13:00".into(),
        ..TrainingActionInput::default()
    }
    .parse()
    .expect("action parses");
    let action =
        elkarlan_store::programmes::create_action(store, &grant, &meta, programme, &action)
            .await
            .expect("action");
    let social = actor("social", Role::SocialWorker, PublicSystem::SocialServices);
    let grant = decide(
        &social,
        Action::ManageItinerary,
        Target::new(tenant, Relationship::Lead),
    )
    .expect("grant");
    let itinerary = elkarlan_store::itineraries::open_itinerary(
        store,
        &grant,
        &meta,
        inclusion.person,
        Some(programme),
        &StepKind::USUAL_PATH,
        agency(PublicSystem::SocialServices),
    )
    .await
    .expect("itinerary");
    let step = elkarlan_store::itineraries::get_itinerary(store, tenant, itinerary)
        .await
        .expect("itinerary row")
        .steps[0]
        .id;
    let enrolment = elkarlan_store::itineraries::enrol(
        store,
        &grant,
        &meta,
        action,
        12,
        inclusion.person,
        Some(itinerary),
        today,
    )
    .await
    .expect("enrol")
    .expect("enrolled");
    let placement = PlacementInput {
        employer: "Garbiketak Otxarkoaga S. Coop.".into(),
        contract_type: "insertion_transition".into(),
        starts_on: (today - chrono::Days::new(100)).to_string(),
        weekly_hours: "30".into(),
        occupation: "9112.1".into(),
        sector: "n".into(),
        ..PlacementInput::default()
    }
    .parse(today)
    .expect("placement parses");
    let placement = elkarlan_store::itineraries::record_placement(
        store,
        &grant,
        &meta,
        inclusion.person,
        Some(itinerary),
        agency(PublicSystem::SocialServices),
        &placement,
    )
    .await
    .expect("placement");
    Employment {
        programme,
        action,
        itinerary,
        step,
        enrolment,
        placement,
    }
}

async fn inclusion_fixture(
    store: &Store,
    tenant: TenantId,
    users: &[(String, UserId)],
    agencies: &[(PublicSystem, AgencyId)],
) -> Inclusion {
    use elkarlan_domain::inclusion::consent::DataCategory;
    use elkarlan_domain::inclusion::person::PersonInput;
    use elkarlan_domain::inclusion::referral::Urgency;
    let user = |n: &str| {
        users
            .iter()
            .find(|(u, _)| u == n)
            .map(|(_, id)| *id)
            .expect("user")
    };
    let agency = |s: PublicSystem| {
        agencies
            .iter()
            .find(|(x, _)| *x == s)
            .map(|(_, id)| *id)
            .expect("agency")
    };
    let meta = RequestMeta::default();
    let grant = Grant::system(tenant, SystemTask::Bootstrap, Action::RegisterPerson);
    let input = PersonInput {
        given_name: "Amaia".into(),
        surname1: PERSON_SENTINEL.into(),
        surname2: "Etxeberria".into(),
        birth_date: "1988-05-17".into(),
        sex: "woman".into(),
        languages: "eu,es".into(),
        preferred_lang: "eu".into(),
        phone: "600 111 222".into(),
        ..PersonInput::default()
    };
    let today = elkarlan_domain::Timestamp::now().to_datetime().date_naive();
    let draft = input.parse(today).expect("fixture person parses");
    let record = elkarlan_store::people::PersonRecord {
        draft: &draft,
        area: None,
        document: None,
    };
    let person = elkarlan_store::people::create(store, &grant, &meta, record)
        .await
        .expect("person");
    let case = elkarlan_store::cases::open(
        store,
        &grant,
        &meta,
        person,
        user("social"),
        agency(PublicSystem::SocialServices),
    )
    .await
    .expect("case");
    let case_row = elkarlan_store::cases::get(store, tenant, case)
        .await
        .expect("case row");
    let referral = elkarlan_store::referrals::send(
        store,
        &grant,
        &meta,
        &case_row,
        &elkarlan_store::referrals::NewReferral {
            from_agency: agency(PublicSystem::SocialServices),
            from_user: user("social"),
            to_agency: agency(PublicSystem::EmploymentIncome),
            reason: "Orientación laboral".into(),
            urgency: Urgency::Priority,
            categories: vec![DataCategory::Identification, DataCategory::Contact],
            due_at: elkarlan_domain::Timestamp::now().plus_seconds(86_400 * 10),
        },
        None,
    )
    .await
    .expect("referral");
    let consent = elkarlan_store::consents::record(
        store,
        &grant,
        &meta,
        user("social"),
        &elkarlan_store::consents::NewConsent {
            person_id: person,
            purpose: "Coordinación con vivienda".into(),
            recipients: vec![PublicSystem::Housing],
            categories: vec![DataCategory::Housing, DataCategory::Income],
            evidence: "Formulario firmado".into(),
            expires_at: None,
        },
    )
    .await
    .expect("consent");
    Inclusion {
        person,
        case,
        referral,
        consent,
    }
}

#[allow(clippy::too_many_arguments)] // a test fixture: every column spelled out at the call site
pub async fn create_user(
    store: &Store,
    tenant: TenantId,
    username: &str,
    name: &str,
    role: Role,
    agency: Option<AgencyId>,
    hash: &str,
    mfa: bool,
) -> UserId {
    let grant = Grant::system(tenant, SystemTask::Bootstrap, Action::CreateUser);
    let new = users::NewUser {
        username: Username::parse(username).expect("username"),
        display_name: DisplayName::parse(name).expect("name"),
        email: Some(Email::parse(&format!("{username}@test.elkarlan.invalid")).expect("email")),
        role,
        agency,
        password_hash: hash.to_owned(),
        mfa_required: mfa,
    };
    users::create(store, &grant, &RequestMeta::default(), &new)
        .await
        .expect("create user")
        .id
}

pub fn encode_form(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Runs one statement with its binds on whichever database the store holds (the fixture's
/// organisations are written directly: the directory's own store is not this module's).
#[macro_export]
macro_rules! raw_sql {
    ($store:expr, $sql:expr $(, $b:expr)* $(,)?) => {
        match $store {
            elkarlan_store::Store::Sqlite(p) => {
                sqlx::query($sql)$(.bind($b))*.execute(p).await.map(|_| ())
            }
            elkarlan_store::Store::Postgres(p) => {
                sqlx::query($sql)$(.bind($b))*.execute(p).await.map(|_| ())
            }
        }
    };
}

/// The procurement fixture: an insertion company in its register, a special employment centre
/// in its register, an ordinary company (all doing cleaning, CPV 909), and a contract with one
/// lot reserved to insertion companies and one social clause.
pub struct Procurement {
    pub insertion_company: elkarlan_domain::OrganisationId,
    pub employment_centre: elkarlan_domain::OrganisationId,
    pub company: elkarlan_domain::OrganisationId,
    pub contract: elkarlan_domain::ContractId,
    pub lot: elkarlan_domain::LotId,
    pub clause: elkarlan_domain::SocialClauseId,
}

/// Inserts an organisation with one CPV activity and, if given, its register entry.
pub async fn insert_organisation(
    store: &Store,
    tenant: TenantId,
    name: &str,
    tax_id: &str,
    legal_form: &str,
    cpv: &str,
    register: Option<(&str, &str)>,
) -> elkarlan_domain::OrganisationId {
    let id = elkarlan_domain::OrganisationId::new();
    let now = elkarlan_domain::Timestamp::now().micros();
    // Only social economy forms join the pole here: a pole member counts as social economy in
    // the directory's matching, and the companies of these fixtures must not.
    let pole = i64::from(
        elkarlan_domain::ecosystem::codes::LegalForm::parse(legal_form)
            .is_ok_and(|f| f.is_social_economy()),
    );
    raw_sql!(store, "INSERT INTO organisations (id, tenant_id, name, tax_id, legal_form, sector, pole_member, version, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,'n',$7,1,$6,$6)",
        id.0, tenant.0, name.to_owned(), tax_id.to_owned(), legal_form.to_owned(), now, pole)
    .expect("organisation");
    raw_sql!(
        store,
        "INSERT INTO organisation_activities (organisation_id, cpv) VALUES ($1,$2)",
        id.0,
        cpv.to_owned()
    )
    .expect("activity");
    if let Some((kind, granted)) = register {
        raw_sql!(store, "INSERT INTO qualifications (id, organisation_id, kind, register_number, granted_on, expires_on, evidence, recorded_at) VALUES ($1,$2,$3,$4,$5,NULL,$6,$7)",
            uuid::Uuid::now_v7(), id.0, kind.to_owned(), format!("REG-{tax_id}"), granted.to_owned(), "Resolución de inscripción".to_owned(), now)
        .expect("qualification");
    }
    id
}

async fn procurement_fixture(
    store: &Store,
    tenant: TenantId,
    users: &[(String, UserId)],
    agencies: &[(PublicSystem, AgencyId)],
) -> Procurement {
    use elkarlan_domain::ecosystem::procurement::{ClauseInput, ContractInput, LotInput};
    use elkarlan_domain::policy::{Actor, Target, decide};
    use elkarlan_store::contracts;
    let insertion_company = insert_organisation(
        store,
        tenant,
        "Garbiker Otxarkoaga",
        "B48700017",
        "insertion_company",
        "90910000",
        Some(("insertion_company_register", "2024-01-15")),
    )
    .await;
    let employment_centre = insert_organisation(
        store,
        tenant,
        "Lantegi Berri Zentroa",
        "B48700025",
        "special_employment_centre",
        "90911000",
        Some(("special_employment_centre_register", "2023-05-02")),
    )
    .await;
    let company = insert_organisation(
        store,
        tenant,
        "Garbiketak Bilbo SL",
        "B48700033",
        "company",
        "90910000",
        None,
    )
    .await;
    let coordinator = Actor {
        tenant,
        user: users
            .iter()
            .find(|(u, _)| u == "coordinator")
            .map(|(_, id)| *id)
            .expect("coordinator"),
        username: "coordinator".into(),
        role: Role::Coordinator,
        agency: agencies
            .iter()
            .find(|(s, _)| *s == PublicSystem::Council)
            .map(|(_, id)| *id),
        agency_system: Some(PublicSystem::Council),
    };
    let grant = decide(
        &coordinator,
        Action::ManageProcurement,
        Target::tenant_wide(tenant),
    )
    .expect("grant");
    let meta = RequestMeta::default();
    let d = ContractInput {
        file_number: "2026/CON/0001".into(),
        contracting_body: "Bilboko Udala".into(),
        title: "Limpieza de centros cívicos de Otxarkoaga".into(),
        cpv: "90910000".into(),
        category: "services".into(),
        procedure: "open".into(),
        status: "tendering".into(),
        amount: "200.000".into(),
        ..Default::default()
    }
    .parse()
    .expect("contract");
    let contract = contracts::create(store, &grant, &meta, &d)
        .await
        .expect("contract");
    let lot = LotInput {
        number: "1".into(),
        title: "Centro cívico de Otxarkoaga".into(),
        cpv: "90910000".into(),
        amount: "80.000".into(),
        reservation: "insertion_companies".into(),
    }
    .parse()
    .expect("lot");
    let lot = contracts::add_lot(store, &grant, &meta, contract, &lot)
        .await
        .expect("lot");
    let clause = ClauseInput {
        stage: "execution_condition".into(),
        purpose: "hiring_at_risk".into(),
        description: "Contratar al menos a dos personas en riesgo de exclusión".into(),
        penalty: "1 % del precio por mes de incumplimiento".into(),
        ..Default::default()
    }
    .parse()
    .expect("clause");
    let clause = contracts::add_clause(store, &grant, &meta, contract, &clause)
        .await
        .expect("clause");
    Procurement {
        insertion_company,
        employment_centre,
        company,
        contract,
        lot,
        clause,
    }
}
