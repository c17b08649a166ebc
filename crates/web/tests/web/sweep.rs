//! The sentinel sweep: one person with a distinct marker in every personal field, a reader in
//! every relationship to them, every route requested as each reader, and what each reader saw
//! compared with the declared table `tests/who-sees-what.txt` (rendered as docs/who-sees-what.md).
//! The same sweep checks the person's access log: each read that showed the person is in it,
//! and each refused attempt is there for the DPO.

use crate::common::{ACCOUNTS, Browser, PASSWORD, TestApp, create_user, encode_form};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use elkarlan_domain::account::Role;
use elkarlan_domain::employment::placement::{FollowUpInput, PlacementInput};
use elkarlan_domain::inclusion::person::PersonInput;
use elkarlan_domain::organisation::{BilingualName, PublicSystem};
use elkarlan_domain::policy::{Action, Actor, Grant, Relationship, SystemTask, Target, decide};
use elkarlan_domain::{AgencyId, CaseId, ConsentId, PersonId, ReferralId, Timestamp, UserId};
use elkarlan_store::audit::{AuditFilter, RequestMeta};
use elkarlan_store::{Store, agencies};
use elkarlan_web::services::{casework, employment, inclusion};
use http_body_util::BodyExt;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use tower::ServiceExt;

/// The markers planted in each field group: upper-case ASCII letters, digits and hyphens, so
/// they survive name normalisation; compared case-insensitively.
const GROUPS: &[(&str, &[&str])] = &[
    (
        "names",
        &["ZQ-GIVEN-KX", "ZQ-SURNAMEA-KX", "ZQ-SURNAMEB-KX"],
    ),
    // The document is shown masked (`*****917E`) wherever it appears.
    ("document", &["*****917E"]),
    ("contact", &["688271593", "ZQ-EMAIL-KX@EXAMPLE.ORG"]),
    (
        "consents",
        &[
            "ZQ-CONSENT-PURPOSE-KX",
            "ZQ-CONSENT-EVIDENCE-KX",
            "ZQ-EXPIRED-PURPOSE-KX",
            "ZQ-EXPIRED-EVIDENCE-KX",
            "ZQ-WITHDRAWN-PURPOSE-KX",
            "ZQ-WITHDRAWN-EVIDENCE-KX",
        ],
    ),
    ("assessment", &["ZQ-ASSESSMENT-KX"]),
    ("housing-goal", &["ZQ-GOAL-KX", "ZQ-ACTION-KX"]),
    ("note-team", &["ZQ-NOTE-TEAM-KX"]),
    ("note-agency", &["ZQ-NOTE-AGENCY-KX"]),
    ("note-author", &["ZQ-NOTE-AUTHOR-KX"]),
    ("clinical-note", &["ZQ-CLINICAL-KX"]),
    ("minutes", &["ZQ-MINUTES-KX"]),
    ("referral-housing", &["ZQ-REF-HOUSING-KX"]),
    ("referral-education", &["ZQ-REF-EDUCATION-KX"]),
    ("referral-employment", &["ZQ-REF-EMPLOYMENT-KX"]),
    ("referral-mental", &["ZQ-REF-MENTAL-KX"]),
    ("referral-primary", &["ZQ-REF-PRIMARY-KX"]),
    ("employment", &["ZQ-EMPLOYER-KX", "ZQ-FOLLOWUP-KX"]),
    ("break-glass-reason", &["ZQ-GLASS-REASON-KX"]),
];

/// Departures from the table that the code is known to still have, one line each with the
/// work that fixes it; empty today. Remove a line when its fix lands: the test fails while a
/// listed departure no longer occurs, so the list only shrinks. Anything not listed fails.
/// (item, route or "*" for any, column or "*" for any, what: a field group seen though the
/// table hides it, "missing:<group>" for a group the table shows but the reader never saw,
/// "access-log" for a read that showed the person without a row in their access log,
/// "access-log-categories" for a row that names categories but not all those shown,
/// "trail:<group>" for an audit row holding a marker, or
/// "denied-row" for a refused attempt on the person the DPO cannot find in that log)
#[rustfmt::skip] // one line per departure, so that removing a fixed one is one line
const KNOWN_UNTIL_FIXED: &[(&str, &str, &str, &str)] = &[];

/// The readers of one column of the table.
struct Reader {
    name: &'static str,
    column: &'static str,
    /// `None`: an anonymous visitor.
    role: Option<Role>,
}

/// The sweep's own professionals, each in one relationship to the person (their agencies are
/// the sweep's own, so the rest of the test city has no tie to the person).
const SWEEP_ACCOUNTS: [(&str, &str, Role, &str); 9] = [
    ("nklead", "lead", Role::SocialWorker, "social"),
    (
        "nkteam",
        "team-member",
        Role::HousingProfessional,
        "housing",
    ),
    (
        "nkagency",
        "team-agency",
        Role::HousingProfessional,
        "housing",
    ),
    (
        "nkpending",
        "pending-recipient",
        Role::PrimaryCareProfessional,
        "primary",
    ),
    (
        "nkaccepted",
        "accepted-recipient",
        Role::MentalHealthProfessional,
        "mental",
    ),
    (
        "nkglass",
        "break-glass",
        Role::HousingProfessional,
        "housing2",
    ),
    ("nknone", "none", Role::HousingProfessional, "housing2"),
    (
        "nkexpired",
        "consent-expired",
        Role::EducationProfessional,
        "education",
    ),
    (
        "nkwithdrawn",
        "consent-withdrawn",
        Role::EmploymentProfessional,
        "employment",
    ),
];

/// The sweep's agencies: key, system, e-mail address (so referral e-mails reach the outbox).
const SWEEP_AGENCIES: [(&str, PublicSystem); 7] = [
    ("social", PublicSystem::SocialServices),
    ("housing", PublicSystem::Housing),
    ("housing2", PublicSystem::Housing),
    ("primary", PublicSystem::PrimaryCare),
    ("mental", PublicSystem::MentalHealth),
    ("education", PublicSystem::Education),
    ("employment", PublicSystem::EmploymentIncome),
];

struct Table {
    columns: Vec<String>,
    /// (group, column) → visible.
    cells: BTreeMap<(String, String), bool>,
    groups: Vec<String>,
}

fn table() -> Table {
    let mut columns = Vec::new();
    let mut cells = BTreeMap::new();
    let mut groups = Vec::new();
    for line in include_str!("../who-sees-what.txt").lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if line.starts_with("# group") {
            columns = cols[2..].iter().map(|c| (*c).to_owned()).collect();
            continue;
        }
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        assert_eq!(cols.len(), columns.len() + 1, "bad table line: {line}");
        for (c, v) in columns.iter().zip(&cols[1..]) {
            let visible = match *v {
                "yes" => true,
                "-" => false,
                other => panic!("unknown cell {other} in: {line}"),
            };
            cells.insert((cols[0].to_owned(), c.clone()), visible);
        }
        groups.push(cols[0].to_owned());
    }
    Table {
        columns,
        cells,
        groups,
    }
}

#[test]
fn the_table_names_every_group_and_column_once() {
    let t = table();
    let declared: Vec<&str> = GROUPS.iter().map(|(g, _)| *g).collect();
    assert_eq!(t.groups, declared, "table rows and marker groups differ");
    let mut columns: BTreeSet<&str> = SWEEP_ACCOUNTS.iter().map(|a| a.1).collect();
    columns.extend(["course-provider", "dpo", "other-roles", "e-mail"]);
    let in_table: BTreeSet<&str> = t.columns.iter().map(String::as_str).collect();
    assert_eq!(in_table, columns);
    let markers: Vec<&str> = GROUPS.iter().flat_map(|(_, m)| m.iter().copied()).collect();
    for (i, m) in markers.iter().enumerate() {
        for (j, n) in markers.iter().enumerate() {
            assert!(
                i == j || !n.to_lowercase().contains(&m.to_lowercase()),
                "marker {m} is part of {n}"
            );
        }
    }
}

/// The table rendered for people: committed as docs/who-sees-what.md and kept in step.
#[test]
fn the_published_table_is_current() {
    let t = table();
    let source = include_str!("../who-sees-what.txt");
    let mut md = String::from(
        "# Who sees what of a person\n\nGenerated from `crates/web/tests/who-sees-what.txt` by `cargo test` (set `UPDATE_WHO_SEES_WHAT=1` to rewrite).\n\
         The test `sweep::every_route_shows_each_reader_what_the_table_says` plants a distinct marker in every field of one person, \
         requests every route (pages, API, downloads, CSV and unzipped XLSX, e-mails in the outbox) as a reader in each column, \
         and fails when a reader sees a field group marked `—` or never sees a field of a group marked `yes`. \
         It also checks that each read that showed the person is in the person's access log, and that each refused attempt is there for the DPO.\n\n",
    );
    // The legend is the comment block of the source, without its leading `# `.
    md.push_str("```text\n");
    for line in source.lines().take_while(|l| l.starts_with('#')) {
        if line.starts_with("# group") {
            break;
        }
        md.push_str(
            line.strip_prefix("# ")
                .unwrap_or(line.trim_start_matches('#')),
        );
        md.push('\n');
    }
    md.push_str("```\n\n| Field group |");
    for c in &t.columns {
        md.push_str(&format!(" {c} |"));
    }
    md.push_str("\n|---|");
    for _ in &t.columns {
        md.push_str("---|");
    }
    md.push('\n');
    for g in &t.groups {
        md.push_str(&format!("| {g} |"));
        for c in &t.columns {
            md.push_str(if t.cells[&(g.clone(), c.clone())] {
                " yes |"
            } else {
                " — |"
            });
        }
        md.push('\n');
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/who-sees-what.md");
    if std::env::var("UPDATE_WHO_SEES_WHAT").is_ok() {
        std::fs::write(&path, &md).expect("write who-sees-what");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed, md,
        "docs/who-sees-what.md is stale: run UPDATE_WHO_SEES_WHAT=1 cargo test -p elkarlan-web --test web sweep"
    );
}

/// What the seeding made: the ids routes are requested with.
struct Seeded {
    person: PersonId,
    case: CaseId,
    pending_referral: ReferralId,
    withdrawn_consent: ConsentId,
    plan_action: uuid::Uuid,
    itinerary: elkarlan_domain::ItineraryId,
    placement: elkarlan_domain::PlacementId,
    enrolment: elkarlan_domain::EnrolmentId,
    /// The DPO's subject access request for the person, in progress: its copy is swept.
    subject_access_request: String,
    /// A step of the person's itinerary.
    step: elkarlan_domain::ItineraryStepId,
    /// Sweep account name → (user, agency, system).
    accounts: BTreeMap<&'static str, (UserId, AgencyId, PublicSystem)>,
}

fn actor(app: &TestApp, s: &Seeded, name: &'static str) -> Actor {
    let (user, agency, system) = s.accounts[name];
    let role = SWEEP_ACCOUNTS
        .iter()
        .find(|a| a.0 == name)
        .map(|a| a.2)
        .expect("sweep account");
    Actor {
        tenant: app.tenant,
        user,
        username: name.to_owned(),
        role,
        agency: Some(agency),
        agency_system: Some(system),
    }
}

/// Seeds the person through the services, as the professionals would.
async fn seed(app: &TestApp) -> Seeded {
    let store = &app.store;
    let meta = RequestMeta::default();
    let grant = Grant::system(app.tenant, SystemTask::Bootstrap, Action::CreateAgency);
    let mut agency_ids = BTreeMap::new();
    for (key, system) in SWEEP_AGENCIES {
        let name = format!("Sweep {key}");
        let id = agencies::create(
            store,
            &grant,
            &meta,
            &agencies::NewAgency {
                name: BilingualName::parse(&name, &name).expect("name"),
                system,
                area_id: None,
                email: Some(format!("sweep-{key}@test.elkarlan.invalid")),
            },
        )
        .await
        .expect("agency")
        .id;
        agency_ids.insert(key, (id, system));
    }
    let hash = app.state.hasher.hash(PASSWORD).await.expect("hash");
    let mut accounts = BTreeMap::new();
    for (name, _, role, agency) in SWEEP_ACCOUNTS {
        let (agency, system) = agency_ids[agency];
        let user = create_user(
            store,
            app.tenant,
            name,
            &format!("{name} sweep"),
            role,
            Some(agency),
            &hash,
            false,
        )
        .await;
        accounts.insert(name, (user, agency, system));
    }
    let mut s = Seeded {
        person: PersonId::new(),
        case: CaseId::new(),
        pending_referral: ReferralId::new(),
        withdrawn_consent: ConsentId::new(),
        plan_action: uuid::Uuid::nil(),
        itinerary: elkarlan_domain::ItineraryId::new(),
        placement: elkarlan_domain::PlacementId::new(),
        enrolment: elkarlan_domain::EnrolmentId::new(),
        subject_access_request: String::new(),
        step: elkarlan_domain::ItineraryStepId::new(),
        accounts,
    };
    let lead = actor(app, &s, "nklead");
    let input = PersonInput {
        given_name: "ZQ-GIVEN-KX".into(),
        surname1: "ZQ-SURNAMEA-KX".into(),
        surname2: "ZQ-SURNAMEB-KX".into(),
        document_kind: "dni".into(),
        document_number: "39740917E".into(),
        birth_date: "1979-03-08".into(),
        sex: "woman".into(),
        languages: "eu,es".into(),
        preferred_lang: "eu".into(),
        phone: "688271593".into(),
        email: "zq-email-kx@example.org".into(),
        ..PersonInput::default()
    };
    match inclusion::register(&app.state, &lead, &meta, &input, true, None)
        .await
        .expect("register")
    {
        inclusion::Registered::Done { person, case } => {
            s.person = person;
            s.case = case;
        }
        inclusion::Registered::PossibleDuplicates(_) => panic!("the sweep person is new"),
    }
    // Referrals from the lead: four accepted (housing, education, employment, mental health)
    // and one pending (primary care).
    let case = s.case;
    let referral_to = |key: &'static str, reason: &'static str| {
        let to = agency_ids[key].0;
        let (lead, meta) = (&lead, &meta);
        async move {
            inclusion::send_referral(
                &app.state,
                lead,
                meta,
                case,
                &inclusion::ReferralInput {
                    to_agency: to.to_string(),
                    reason: reason.into(),
                    urgency: "routine".into(),
                    categories: Vec::new(),
                    due_on: String::new(),
                },
                None,
            )
            .await
            .expect("referral")
        }
    };
    let accepted = [
        ("housing", "ZQ-REF-HOUSING-KX", "nkteam"),
        ("education", "ZQ-REF-EDUCATION-KX", "nkexpired"),
        ("employment", "ZQ-REF-EMPLOYMENT-KX", "nkwithdrawn"),
        ("mental", "ZQ-REF-MENTAL-KX", "nkaccepted"),
    ];
    let mut sent = Vec::new();
    for (key, reason, by) in accepted {
        sent.push((referral_to(key, reason).await, by));
    }
    s.pending_referral = referral_to("primary", "ZQ-REF-PRIMARY-KX").await;
    for (referral, by) in sent {
        inclusion::move_referral(
            &app.state,
            &actor(app, &s, by),
            &meta,
            referral,
            &inclusion::ReferralMoveInput {
                status: "accepted".into(),
                version: 1,
                ..Default::default()
            },
        )
        .await
        .expect("accept");
    }
    // Consents: one in force (housing: employment), one withdrawn (employment: housing), one
    // expired (education: housing and employment). The service takes only future expiry dates,
    // so the expired one is written through the store with the lead's grant.
    inclusion::record_consent(
        &app.state,
        &lead,
        &meta,
        s.person,
        &inclusion::ConsentInput {
            purpose: "ZQ-CONSENT-PURPOSE-KX".into(),
            recipients: vec!["housing".into()],
            categories: vec!["employment".into()],
            evidence: "ZQ-CONSENT-EVIDENCE-KX".into(),
            expires_on: String::new(),
        },
    )
    .await
    .expect("consent");
    s.withdrawn_consent = inclusion::record_consent(
        &app.state,
        &lead,
        &meta,
        s.person,
        &inclusion::ConsentInput {
            purpose: "ZQ-WITHDRAWN-PURPOSE-KX".into(),
            recipients: vec!["employment_income".into()],
            categories: vec!["housing".into()],
            evidence: "ZQ-WITHDRAWN-EVIDENCE-KX".into(),
            expires_on: String::new(),
        },
    )
    .await
    .expect("consent to withdraw");
    inclusion::withdraw_consent(&app.state, &lead, &meta, s.person, s.withdrawn_consent)
        .await
        .expect("withdraw");
    {
        use elkarlan_domain::inclusion::consent::DataCategory;
        let grant = decide(
            &lead,
            Action::RecordConsent,
            Target::new(app.tenant, Relationship::Lead),
        )
        .expect("grant");
        elkarlan_store::consents::record(
            store,
            &grant,
            &meta,
            lead.user,
            &elkarlan_store::consents::NewConsent {
                person_id: s.person,
                purpose: "ZQ-EXPIRED-PURPOSE-KX".into(),
                recipients: vec![PublicSystem::Education],
                categories: vec![DataCategory::Housing, DataCategory::Employment],
                evidence: "ZQ-EXPIRED-EVIDENCE-KX".into(),
                expires_at: Some(Timestamp::now().plus_seconds(-86_400)),
            },
        )
        .await
        .expect("expired consent");
    }
    // Casework of the lead.
    casework::record_assessment(
        &app.state,
        &lead,
        &meta,
        s.case,
        &casework::AssessmentInput {
            summary: "ZQ-ASSESSMENT-KX".into(),
            domains: [("housing".to_owned(), "moderate".to_owned())].into(),
        },
    )
    .await
    .expect("assessment");
    let goal = casework::add_goal(
        &app.state,
        &lead,
        &meta,
        s.case,
        &casework::GoalInput {
            domain: "housing".into(),
            description: "ZQ-GOAL-KX".into(),
        },
    )
    .await
    .expect("goal");
    s.plan_action = casework::add_action(
        &app.state,
        &lead,
        &meta,
        s.case,
        &casework::ActionInput {
            goal: goal.to_string(),
            agency: lead.agency.expect("agency").to_string(),
            description: "ZQ-ACTION-KX".into(),
            due_on: String::new(),
        },
    )
    .await
    .expect("action");
    for (level, body) in [
        ("team", "ZQ-NOTE-TEAM-KX"),
        ("agency", "ZQ-NOTE-AGENCY-KX"),
        ("author", "ZQ-NOTE-AUTHOR-KX"),
    ] {
        casework::add_note(
            &app.state,
            &lead,
            &meta,
            s.case,
            &casework::NoteInput {
                body: body.into(),
                confidentiality: level.into(),
            },
        )
        .await
        .expect("note");
    }
    casework::add_note(
        &app.state,
        &actor(app, &s, "nkaccepted"),
        &meta,
        s.case,
        &casework::NoteInput {
            body: "ZQ-CLINICAL-KX".into(),
            confidentiality: "team".into(),
        },
    )
    .await
    .expect("clinical note");
    let today = employment::today();
    casework::record_meeting(
        &app.state,
        &lead,
        &meta,
        &casework::MeetingInput {
            held_on: today.to_string(),
            minutes: "ZQ-MINUTES-KX".into(),
            agencies: vec![
                agency_ids["social"].0.to_string(),
                agency_ids["housing"].0.to_string(),
            ],
            cases: vec![s.case.to_string()],
            actions: Vec::new(),
        },
    )
    .await
    .expect("meeting");
    // Employment records: an itinerary, an enrolment on the test city's course (run by the
    // training entity), a placement and its three-month follow-up.
    s.itinerary = employment::open_itinerary(
        &app.state,
        &lead,
        &meta,
        s.person,
        &elkarlan_domain::employment::itinerary::ItineraryInput::default(),
    )
    .await
    .expect("itinerary");
    // A step of the person's own itinerary: the step routes name it, so they name the person.
    s.step = employment::add_step(
        &app.state,
        &lead,
        &meta,
        s.itinerary,
        &elkarlan_domain::employment::itinerary::StepInput {
            kind: "orientation".into(),
            planned_on: String::new(),
        },
    )
    .await
    .expect("step");
    s.enrolment = employment::enrol(
        &app.state,
        &lead,
        &meta,
        s.person,
        &employment::EnrolInput {
            action: app.employment.action.to_string(),
            itinerary: s.itinerary.to_string(),
        },
    )
    .await
    .expect("enrolment");
    s.placement = employment::record_placement(
        &app.state,
        &lead,
        &meta,
        s.person,
        &PlacementInput {
            employer: "ZQ-EMPLOYER-KX".into(),
            contract_type: "insertion_transition".into(),
            starts_on: (today - chrono::Days::new(120)).to_string(),
            weekly_hours: "30".into(),
            occupation: "9112.1".into(),
            sector: "n".into(),
            itinerary: s.itinerary.to_string(),
            ..PlacementInput::default()
        },
    )
    .await
    .expect("placement");
    employment::record_follow_up(
        &app.state,
        &lead,
        &meta,
        s.placement,
        3,
        &FollowUpInput {
            checked_on: today.to_string(),
            still_employed: "yes".into(),
            same_employer: "yes".into(),
            evidence: "employer".into(),
            note: "ZQ-FOLLOWUP-KX".into(),
        },
    )
    .await
    .expect("follow-up");
    // The emergency access.
    inclusion::break_glass(
        &app.state,
        &actor(app, &s, "nkglass"),
        &meta,
        s.case,
        "ZQ-GLASS-REASON-KX: the person did not come to an agreed appointment",
    )
    .await
    .expect("break-glass");
    // The person asked for a copy of their data (GDPR art. 15): the DPO registered the request.
    let dpo = app.token("dpo").await;
    s.subject_access_request =
        crate::subject_access::request_in_progress(app, &dpo, s.person).await;
    s
}

/// Every reader of the sweep: the sweep's professionals, professionals of the test city with
/// no tie to the person, the course provider, the DPO, the other roles and an anonymous visitor.
fn readers() -> Vec<Reader> {
    let mut r: Vec<Reader> = SWEEP_ACCOUNTS
        .iter()
        .map(|(name, column, role, _)| Reader {
            name,
            column,
            role: Some(*role),
        })
        .collect();
    for (name, role) in ACCOUNTS {
        let column = match role {
            Role::SocialWorker | Role::PrimaryCareProfessional => "none",
            Role::TrainingEntityStaff => "course-provider",
            Role::DataProtectionOfficer => "dpo",
            Role::Administrator | Role::Coordinator | Role::Analyst => "other-roles",
            _ => continue,
        };
        r.push(Reader {
            name,
            column,
            role: Some(role),
        });
    }
    r.push(Reader {
        name: "anonymous",
        column: "other-roles",
        role: None,
    });
    r
}

/// A response with its raw bytes (XLSX downloads are zip archives).
struct Raw {
    status: StatusCode,
    headers: String,
    location: String,
    body: Vec<u8>,
}

impl Raw {
    /// Everything a reader receives as text: headers, body, and each entry of a zip archive.
    fn text(&self) -> String {
        let mut out = self.headers.clone();
        out.push_str(&String::from_utf8_lossy(&self.body));
        if self.body.starts_with(b"PK")
            && let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(&self.body))
        {
            for i in 0..z.len() {
                if let Ok(mut f) = z.by_index(i) {
                    let mut s = String::new();
                    if f.read_to_string(&mut s).is_ok() {
                        out.push_str(&s);
                    } else {
                        out.push_str("\u{0}unreadable zip entry\u{0}");
                    }
                }
            }
        }
        out.to_lowercase()
    }
}

async fn send_raw(router: &axum::Router, req: Request<Body>) -> Raw {
    let res = router.clone().oneshot(req).await.expect("infallible");
    let status = res.status();
    let mut headers = String::new();
    for (k, v) in res.headers() {
        headers.push_str(&format!("{k}: {}\n", String::from_utf8_lossy(v.as_bytes())));
    }
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = res
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    Raw {
        status,
        headers,
        location,
        body,
    }
}

/// One request of the inventory with its path ids replaced by the sweep's records.
struct Probe {
    method: Method,
    /// The route as registered, for reporting.
    route: String,
    path: String,
    /// The path names the person or one of their records.
    names_person: bool,
}

/// Routes whose request would end the reader's session or change what the sweep relies on.
const NOT_SWEPT: &[(&str, &str)] = &[
    ("POST", "/logout"),
    ("POST", "/lang"),
    ("DELETE", "/api/v1/auth/token"),
    ("POST", "/api/v1/auth/token"),
    ("POST", "/login"),
    ("POST", "/login/totp"),
    ("POST", "/dpo/retention"),
    ("PUT", "/api/v1/retention"),
];

fn probes(app: &TestApp, s: &Seeded) -> Vec<Probe> {
    let mut out = Vec::new();
    for (method, route) in elkarlan_web::routes::route_list() {
        if NOT_SWEPT.contains(&(method, route)) {
            continue;
        }
        let resource = route.strip_prefix("/api/v1").unwrap_or(route);
        let resource = resource.strip_prefix("/exports").unwrap_or(resource);
        let (id, names_person) = if resource.starts_with("/people/") {
            (s.person.to_string(), true)
        } else if resource.starts_with("/cases/") {
            (s.case.to_string(), true)
        } else if resource.starts_with("/referrals/") {
            (s.pending_referral.to_string(), true)
        } else if resource.starts_with("/itineraries/") {
            (s.itinerary.to_string(), true)
        } else if resource.starts_with("/placements/") {
            (s.placement.to_string(), true)
        } else if resource.starts_with("/enrolments/") {
            (s.enrolment.to_string(), true)
        } else if resource.starts_with("/subject-access-requests/") {
            (s.subject_access_request.clone(), true)
        } else if resource.starts_with("/programmes/") {
            (app.employment.programme.to_string(), false)
        } else if resource.starts_with("/training-actions/") {
            (app.employment.action.to_string(), false)
        } else if resource.starts_with("/agreements/") {
            (app.agreements.agreement.to_string(), false)
        } else if resource.starts_with("/projects/") {
            (app.projects.project.to_string(), false)
        } else if resource.starts_with("/commitments/") {
            (app.agreements.commitment.to_string(), false)
        } else {
            (app.sentinel_user.to_string(), false)
        };
        let names_person = names_person && route.contains("{id}");
        let base = route
            .replace("{id}", &id)
            .replace("{consent}", &s.withdrawn_consent.to_string())
            .replace("{action}", &s.plan_action.to_string())
            .replace("{step}", &s.step.to_string())
            .replace("{months}", "3")
            .replace("{organisation}", &app.ecosystem.organisation.to_string())
            .replace("{year}", "2025")
            .replace("{activity}", &app.ecosystem.activity.to_string())
            .replace("{venture}", &app.ecosystem.venture.to_string())
            .replace("{agreement}", &app.agreements.agreement.to_string())
            .replace("{commitment}", &app.agreements.commitment.to_string())
            .replace("{project}", &app.projects.project.to_string())
            .replace("{indicator}", "TR-01")
            .replace("{area}", "1.01")
            .replace("{code}", "PL-01")
            .replace("{contract}", &app.procurement.contract.to_string())
            .replace("{clause}", &app.procurement.clause.to_string())
            .replace("{file}", "elkarlan.css");
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let formats: &[&str] = if base.contains("{format}") {
            &["csv", "xlsx"]
        } else {
            &[""]
        };
        for f in formats {
            out.push(Probe {
                method: method.clone(),
                route: route.to_owned(),
                path: base.replace("{format}", f),
                names_person,
            });
        }
    }
    // Searching for the person by name, on the page and through the API.
    for path in ["/people", "/api/v1/people"] {
        out.push(Probe {
            method: Method::GET,
            route: format!("{path}?q="),
            path: format!("{path}?q=ZQ-SURNAMEA-KX"),
            names_person: false,
        });
    }
    out
}

/// The reader's credentials: a signed-in browser and an API token, or none.
struct Credentials {
    browser: Browser,
    token: Option<String>,
}

async fn request(router: &axum::Router, c: &Credentials, p: &Probe) -> Raw {
    let mut req = Request::builder()
        .method(p.method.clone())
        .uri(&p.path)
        .header(header::HOST, "127.0.0.1:8080");
    if p.path.starts_with("/api/") {
        if let Some(t) = &c.token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if p.method == Method::GET {
            return send_raw(router, req.body(Body::empty()).expect("request")).await;
        }
        // A shaped, empty body: authorization answers, or validation re-states the fields.
        let body = match p.route.as_str() {
            "/api/v1/people" | "/api/v1/people/{id}" => serde_json::json!({"person": {}}),
            _ => serde_json::json!({}),
        };
        req = req.header(header::CONTENT_TYPE, "application/json");
        if p.method == Method::PATCH {
            req = req.header(header::IF_MATCH, "\"v999\"");
        }
        return send_raw(
            router,
            req.body(Body::from(body.to_string())).expect("request"),
        )
        .await;
    }
    if !c.browser.cookies.is_empty() {
        req = req.header(header::COOKIE, c.browser.cookie_header());
    }
    if p.method == Method::GET {
        return send_raw(router, req.body(Body::empty()).expect("request")).await;
    }
    let mut pairs = vec![("csrf".to_owned(), c.browser.csrf.clone())];
    if p.route == "/admin/users/{id}" {
        pairs.push(("version".into(), "999".into()));
    }
    req = req
        .header(header::ORIGIN, "http://127.0.0.1:8080")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    send_raw(
        router,
        req.body(Body::from(encode_form(&pairs))).expect("request"),
    )
    .await
}

/// The newest access-log row of the person by this reader, if any: (sequence, outcome, detail).
async fn newest_row(app: &TestApp, person: PersonId, actor: &str) -> Option<(i64, String, String)> {
    let filter = AuditFilter {
        actor: actor.to_owned(),
        subject_id: person.to_string(),
        ..Default::default()
    };
    elkarlan_store::audit::list(&app.store, app.tenant, &filter, 1)
        .await
        .expect("audit")
        .into_iter()
        .next()
        .map(|e| (e.seq, e.outcome, e.detail))
}

/// Every row of the tenant's audit trail: its action, and its text fields in lower case.
async fn trail(app: &TestApp) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut filter = AuditFilter::default();
    loop {
        let rows = elkarlan_store::audit::list(&app.store, app.tenant, &filter, 500)
            .await
            .expect("audit");
        let Some(last) = rows.last() else { break };
        filter.before_seq = Some(last.seq);
        for e in rows {
            let text = format!(
                "{} {} {}",
                e.entity_id.unwrap_or_default(),
                e.subject_id.unwrap_or_default(),
                e.detail
            );
            out.push((e.action, text.to_lowercase()));
        }
    }
    out
}

/// The e-mails in the outbox (to, subject and body), read as the SMTP server would get them.
async fn outbox(store: &Store) -> Vec<String> {
    const SQL: &str = "SELECT to_addr, subject, body_text FROM email_outbox";
    let rows: Vec<(String, String, String)> = match store {
        Store::Sqlite(p) => sqlx::query_as(SQL).fetch_all(p).await,
        Store::Postgres(p) => sqlx::query_as(SQL).fetch_all(p).await,
    }
    .expect("outbox");
    rows.into_iter()
        .map(|(to, subject, body)| format!("{to}\n{subject}\n{body}").to_lowercase())
        .collect()
}

/// One way the code departs from the table.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Departure {
    route: String,
    column: String,
    what: String,
    detail: String,
}

fn groups_in(text: &str) -> BTreeSet<(&'static str, &'static str)> {
    let mut seen = BTreeSet::new();
    for (g, markers) in GROUPS {
        for m in *markers {
            if text.contains(&m.to_lowercase()) {
                seen.insert((*g, *m));
            }
        }
    }
    seen
}

/// The data categories whose fields a group holds, as the access log names them. The lead
/// wrote the housing goal: an author sees their own writing whatever their categories, so
/// their reads of it disclose no category.
fn categories_of(group: &str, column: &str) -> &'static [&'static str] {
    match group {
        "names" | "document" => &["identification"],
        "contact" => &["contact"],
        "housing-goal" if column != "lead" => &["housing"],
        "employment" => &["employment"],
        _ => &[],
    }
}

/// Requests every probe as one reader: the markers they saw, and the departures found.
async fn sweep_reader(
    app: &TestApp,
    router: &axum::Router,
    s: &Seeded,
    t: &Table,
    probes: &[Probe],
    reader: &Reader,
) -> (&'static str, BTreeSet<&'static str>, Vec<Departure>, usize) {
    let mut departures = Vec::new();
    let mut seen = BTreeSet::new();
    let creds = match reader.role {
        Some(_) => Credentials {
            browser: app.sign_in(reader.name).await,
            token: Some(app.token(reader.name).await),
        },
        None => {
            let mut b = Browser::default();
            let r = app.page(&b, Method::GET, "/login", &[]).await;
            b.absorb(&r);
            Credentials {
                browser: b,
                token: None,
            }
        }
    };
    let mut before = match reader.role {
        Some(_) => newest_row(app, s.person, reader.name).await.map(|r| r.0),
        None => None,
    };
    for p in probes {
        let r = request(router, &creds, p).await;
        let found = groups_in(&r.text());
        let route = format!("{} {}", p.method, p.route);
        for (g, m) in &found {
            seen.insert(*m);
            if !t.cells[&((*g).to_owned(), reader.column.to_owned())] {
                departures.push(Departure {
                    route: route.clone(),
                    column: reader.column.into(),
                    what: (*g).into(),
                    detail: format!("{} saw {m} ({})", reader.name, r.status),
                });
            }
        }
        if reader.role.is_none() {
            continue;
        }
        let after = newest_row(app, s.person, reader.name).await;
        let new_row = after.clone().filter(|a| Some(a.0) != before);
        before = after.map(|a| a.0);
        let shown: BTreeSet<&str> = found.iter().map(|(g, _)| *g).collect();
        // The audit trail itself is not a read of the person; it is checked whole below.
        let trail = matches!(p.route.as_str(), "/audit" | "/api/v1/audit-events");
        if r.status.is_success() && !shown.is_empty() && !trail {
            match &new_row {
                Some((_, outcome, detail)) if outcome == "ok" => {
                    // The row says which categories were shown, when it names categories.
                    let unnamed: Vec<&str> = shown
                        .iter()
                        .flat_map(|g| categories_of(g, reader.column).iter().copied())
                        .filter(|c| detail.contains("categories") && !detail.contains(c))
                        .collect();
                    if !unnamed.is_empty() {
                        departures.push(Departure {
                            route: route.clone(),
                            column: reader.column.into(),
                            what: "access-log-categories".into(),
                            detail: format!(
                                "{} was shown {unnamed:?}, the row says {detail}",
                                reader.name
                            ),
                        });
                    }
                }
                _ => departures.push(Departure {
                    route: route.clone(),
                    column: reader.column.into(),
                    what: "access-log".into(),
                    detail: format!("{} was shown {shown:?} with no access-log row", reader.name),
                }),
            }
        }
        let refused = matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
            || (r.status == StatusCode::SEE_OTHER && r.location.ends_with("/login"));
        if p.names_person
            && refused
            && new_row
                .as_ref()
                .is_none_or(|(_, outcome, _)| outcome != "denied")
        {
            departures.push(Departure {
                route,
                column: reader.column.into(),
                what: "denied-row".into(),
                detail: format!(
                    "{} refused ({}) with no denied row on the person",
                    reader.name, r.status
                ),
            });
        }
    }
    (reader.name, seen, departures, probes.len())
}

#[tokio::test]
async fn every_route_shows_each_reader_what_the_table_says() {
    let app = TestApp::spawn().await;
    crate::employment::load_territory(&app).await;
    let s = Box::pin(seed(&app)).await;
    let t = table();
    let probes = probes(&app, &s);
    let mut departures: BTreeSet<Departure> = BTreeSet::new();
    // Reader → markers seen anywhere by that reader.
    let mut seen_by: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut requests = 0;
    // One router for the whole sweep: building it per request would dominate the run time.
    let router = elkarlan_web::app(app.state.clone());
    // Three lanes of readers at a time: their reads share the audit's group commits.
    let all = readers();
    let lane = |n: usize| {
        let mine: Vec<&Reader> = all.iter().skip(n).step_by(3).collect();
        let (app, router, s, t, probes) = (&app, &router, &s, &t, &probes);
        async move {
            let mut out = Vec::new();
            for reader in mine {
                out.push(sweep_reader(app, router, s, t, probes, reader).await);
            }
            out
        }
    };
    let (a, b, c) = tokio::join!(lane(0), lane(1), lane(2));
    for (name, seen, found, n) in a.into_iter().chain(b).chain(c) {
        seen_by.insert(name, seen);
        departures.extend(found);
        requests += n;
    }
    // E-mails leave Elkarlan: checked against the `e-mail` column.
    let emails = outbox(&app.store).await;
    let mut email_seen = BTreeSet::new();
    for e in &emails {
        for (g, m) in groups_in(e) {
            email_seen.insert(m);
            if !t.cells[&(g.to_owned(), "e-mail".to_owned())] {
                departures.insert(Departure {
                    route: "e-mail".into(),
                    column: "e-mail".into(),
                    what: g.into(),
                    detail: format!("an e-mail carries {m}"),
                });
            }
        }
    }
    seen_by.insert("e-mail", email_seen);
    // The append-only trail outlives retention: no row may hold a marker (free text about
    // the person), whoever reads it.
    for (action, text) in trail(&app).await {
        for (g, m) in groups_in(&text) {
            departures.insert(Departure {
                route: "audit trail".into(),
                column: "dpo".into(),
                what: format!("trail:{g}"),
                detail: format!("a {action} row holds {m}"),
            });
        }
    }
    // Every marker of a visible group must have reached every reader of the column.
    let mut column_of: BTreeMap<&str, &str> =
        readers().iter().map(|r| (r.name, r.column)).collect();
    column_of.insert("e-mail", "e-mail");
    for (reader, seen) in &seen_by {
        let column = column_of[reader];
        for (g, markers) in GROUPS {
            if !t.cells[&((*g).to_owned(), column.to_owned())] {
                continue;
            }
            let missing: Vec<&str> = markers
                .iter()
                .copied()
                .filter(|m| !seen.contains(m))
                .collect();
            if !missing.is_empty() {
                departures.insert(Departure {
                    route: "*".into(),
                    column: column.into(),
                    what: format!("missing:{g}"),
                    detail: format!("{reader} never saw {missing:?}"),
                });
            }
        }
    }
    // Known departures are reported; any other fails, and so does a known one that is gone.
    let known = |d: &Departure| {
        KNOWN_UNTIL_FIXED.iter().find(|(_, route, column, what)| {
            (*route == "*" || *route == d.route)
                && (*column == "*" || *column == d.column)
                && *what == d.what
        })
    };
    let mut unknown = Vec::new();
    let mut used = BTreeSet::new();
    for d in &departures {
        match known(d) {
            Some(k) => {
                used.insert(*k);
                eprintln!(
                    "known departure ({}): {} as {}: {} - {}",
                    k.0, d.route, d.column, d.what, d.detail
                );
            }
            None => unknown.push(format!(
                "(\"?\", \"{}\", \"{}\", \"{}\"), // {}",
                d.route, d.column, d.what, d.detail
            )),
        }
    }
    let gone: Vec<_> = KNOWN_UNTIL_FIXED
        .iter()
        .filter(|k| !used.contains(*k))
        .collect();
    eprintln!(
        "sweep: {requests} requests, {} e-mails, {} departures ({} known)",
        emails.len(),
        departures.len(),
        departures.len() - unknown.len()
    );
    assert!(
        unknown.is_empty(),
        "{} departures from tests/who-sees-what.txt:\n{}",
        unknown.len(),
        unknown.join("\n")
    );
    assert!(
        gone.is_empty(),
        "fixed departures still listed in KNOWN_UNTIL_FIXED (remove them): {gone:?}"
    );
    app.cleanup().await;
}
