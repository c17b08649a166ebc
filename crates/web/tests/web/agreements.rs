//! Agreements and commitments: the lifecycle with its forbidden moves, commitments inside the
//! agreement's dates, progress counted from placements and enrolments, renewal reminders and
//! expiry by the worker, the consent a hire under a social clause needs, and the analyst kept
//! out.

use crate::common::TestApp;
use axum::http::{Method, StatusCode, header};
use elkarlan_domain::{
    AgreementId, CommitmentId, OrganisationId, SocialClauseId, TenantId, Timestamp, UserId,
};
use elkarlan_store::{Store, on_pool};
use serde_json::json;
use uuid::Uuid;

/// Organisations (inserted with plain SQL: the directory has its own module), a draft agreement
/// with one commitment, and a contract with one social clause.
pub struct Agreements {
    pub shops: OrganisationId,
    pub university: OrganisationId,
    pub agreement: AgreementId,
    pub commitment: CommitmentId,
    pub clause: SocialClauseId,
}

/// A CIF with its control character computed.
pub fn cif(letter: char, number: u32) -> String {
    let mut sum = 0;
    let mut rest = number;
    for position in (1..=7).rev() {
        let d = rest % 10;
        rest /= 10;
        sum += if position % 2 == 1 {
            (2 * d) / 10 + (2 * d) % 10
        } else {
            d
        };
    }
    let control = (10 - sum % 10) % 10;
    let check = if "PQRSNW".contains(letter) {
        char::from(b"JABCDEFGHI"[control as usize])
    } else {
        char::from_digit(control, 10).unwrap_or('0')
    };
    format!("{letter}{number:07}{check}")
}

pub async fn insert_organisation(
    store: &Store,
    tenant: TenantId,
    name: &str,
    tax_id: &str,
    form: &str,
) -> OrganisationId {
    let id = Uuid::now_v7();
    let now = Timestamp::now().micros();
    on_pool!(store, p => {
        sqlx::query("INSERT INTO organisations (id, tenant_id, name, tax_id, legal_form, sector, version, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,'g',1,$6,$6)")
            .bind(id).bind(tenant.0).bind(name).bind(tax_id).bind(form).bind(now).execute(p).await.expect("organisation");
    });
    OrganisationId(id)
}

/// A contract (starting 2026-01-01) and its social clause, as the procurement pages will make.
pub async fn insert_clause(store: &Store, tenant: TenantId, file: &str) -> SocialClauseId {
    let contract = Uuid::now_v7();
    let clause = Uuid::now_v7();
    let now = Timestamp::now().micros();
    on_pool!(store, p => {
        sqlx::query("INSERT INTO contracts (id, tenant_id, ocid, file_number, contracting_body, title, cpv, category, procedure, status, amount_cents, starts_on, ends_on, reservation, version, created_at)
            VALUES ($1,$2,$3,$4,'Bilboko Udala','Limpieza de locales municipales','90910000-9','services','open','in_execution',12000000,'2026-01-01','2027-12-31','not_reserved',1,$5)")
            .bind(contract).bind(tenant.0).bind(format!("ocds-test-{file}")).bind(file).bind(now).execute(p).await.expect("contract");
        sqlx::query("INSERT INTO social_clauses (id, contract_id, stage, purpose, description, created_at) VALUES ($1,$2,'execution_condition','hiring_at_risk','Contratar dos personas en riesgo de exclusión',$3)")
            .bind(clause).bind(contract).bind(now).execute(p).await.expect("clause");
    });
    SocialClauseId(clause)
}

pub async fn fixture(store: &Store, tenant: TenantId, users: &[(String, UserId)]) -> Agreements {
    use elkarlan_domain::ecosystem::agreement::{AgreementInput, PartyInput};
    use elkarlan_domain::ecosystem::commitment::CommitmentInput;
    use elkarlan_domain::policy::{Action, Actor, Target, decide};
    let shops = insert_organisation(
        store,
        tenant,
        "Otxarkoagako Merkatarien Elkartea",
        &cif('G', 4_851_234),
        "association",
    )
    .await;
    let university = insert_organisation(
        store,
        tenant,
        "Bizkaiko Unibertsitate Publikoa (proba)",
        &cif('Q', 4_818_001),
        "university",
    )
    .await;
    let coordinator = users
        .iter()
        .find(|(u, _)| u == "coordinator")
        .map(|(_, id)| *id)
        .expect("coordinator");
    let actor = Actor {
        tenant,
        user: coordinator,
        username: "coordinator".into(),
        role: elkarlan_domain::account::Role::Coordinator,
        agency: None,
        agency_system: None,
    };
    let grant = decide(&actor, Action::ManageEcosystem, Target::tenant_wide(tenant))
        .expect("coordinator manages the ecosystem");
    let meta = elkarlan_store::audit::RequestMeta::default();
    let draft = AgreementInput {
        kind: "private_partnership".into(),
        title_eu: "Merkataritza eta enplegua Otxarkoagan".into(),
        title_es: "Comercio y empleo en Otxarkoaga".into(),
        scope: "Prácticas y contratación de vecinas y vecinos en los comercios del barrio".into(),
        parties: vec![PartyInput {
            organisation: shops.to_string(),
            role: "signatory".into(),
        }],
        target_groups: vec!["job_seekers".into(), "shops_and_businesses".into()],
        starts_on: "2026-01-01".into(),
        ends_on: "2027-12-31".into(),
        ..AgreementInput::default()
    }
    .parse()
    .expect("agreement parses");
    let agreement = elkarlan_store::agreements::create(store, &grant, &meta, &draft)
        .await
        .expect("agreement");
    let commitment = CommitmentInput {
        organisation: shops.to_string(),
        kind: "hire_participants".into(),
        description: "Contratar a participantes del programa".into(),
        target: "4".into(),
        unit: "personas".into(),
        due_on: "2027-06-30".into(),
        ..CommitmentInput::default()
    }
    .parse(elkarlan_domain::ecosystem::commitment::Window::default())
    .expect("commitment parses");
    let commitment = elkarlan_store::commitments::create(
        store,
        &grant,
        &meta,
        elkarlan_store::commitments::CommitmentOwner::Agreement(agreement),
        &commitment,
    )
    .await
    .expect("commitment");
    let clause = insert_clause(store, tenant, "2026/CON/0001").await;
    Agreements {
        shops,
        university,
        agreement,
        commitment,
        clause,
    }
}

fn agreement_body(app: &TestApp, role: &str) -> serde_json::Value {
    json!({
        "kind": "public_collaboration",
        "title_eu": "Enplegu zerbitzuarekin lankidetza",
        "title_es": "Colaboración con el servicio de empleo",
        "scope": "Derivación y seguimiento de personas demandantes",
        "parties": [{"organisation": app.agreements.university.to_string(), "role": role}],
        "target_groups": ["job_seekers"],
        "starts_on": "2026-02-01",
        "ends_on": "2026-12-31",
        "budget": "15.000"
    })
}

fn field_codes(r: &crate::common::Reply) -> Vec<String> {
    r.json()["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    format!(
                        "{}={}",
                        e["field"].as_str().unwrap_or(""),
                        e["code"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn version_of(app: &TestApp, token: &str, id: &str) -> String {
    let r = app
        .api(
            Some(token),
            Method::GET,
            &format!("/api/v1/agreements/{id}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.header("etag").to_owned()
}

async fn post_if_match(
    app: &TestApp,
    token: &str,
    path: &str,
    etag: &str,
    body: serde_json::Value,
) -> crate::common::Reply {
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::IF_MATCH, etag)
        .body(axum::body::Body::from(body.to_string()))
        .expect("request");
    app.send(req).await
}

#[tokio::test]
async fn the_lifecycle_refuses_forbidden_moves_and_renewal_copies_the_parties() {
    let app = TestApp::spawn().await;
    let token = app.token("coordinator").await;

    // Bad input: negative and overflowing budgets, no parties, each on its own field.
    let mut bad = agreement_body(&app, "signatory");
    bad["budget"] = json!("-10");
    bad["parties"] = json!([]);
    let r = app
        .api(
            Some(&token),
            Method::POST,
            "/api/v1/agreements",
            Some(bad.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let codes = field_codes(&r);
    assert!(
        codes.contains(&"budget=error-amount-negative".to_owned()),
        "{codes:?}"
    );
    assert!(
        codes.contains(&"parties=error-parties-required".to_owned()),
        "{codes:?}"
    );
    bad["budget"] = json!("123456789012345678901");
    let r = app
        .api(Some(&token), Method::POST, "/api/v1/agreements", Some(bad))
        .await;
    assert!(field_codes(&r).contains(&"budget=error-amount-too-large".to_owned()));

    // A collaborator alone cannot sign.
    let r = app
        .api(
            Some(&token),
            Method::POST,
            "/api/v1/agreements",
            Some(agreement_body(&app, "collaborator")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let weak = r.json()["id"].as_str().expect("id").to_owned();
    let etag = version_of(&app, &token, &weak).await;
    let r = post_if_match(
        &app,
        &token,
        &format!("/api/v1/agreements/{weak}/transitions"),
        &etag,
        json!({"to": "signed", "signed_on": "2026-01-20"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(field_codes(&r).contains(&"parties=error-agreement-signatory-required".to_owned()));

    let r = app
        .api(
            Some(&token),
            Method::POST,
            "/api/v1/agreements",
            Some(agreement_body(&app, "signatory")),
        )
        .await;
    let id = r.json()["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/agreements/{id}/transitions");
    let etag = version_of(&app, &token, &id).await;
    // Draft cannot become active without being signed; signing needs its date.
    let r = post_if_match(&app, &token, &path, &etag, json!({"to": "active"})).await;
    assert!(
        field_codes(&r).contains(&"to=error-agreement-move".to_owned()),
        "{}",
        r.body
    );
    let r = post_if_match(&app, &token, &path, &etag, json!({"to": "signed"})).await;
    assert!(
        field_codes(&r).contains(&"signed_on=error-signed-on-required".to_owned()),
        "{}",
        r.body
    );
    // Without If-Match: 428.
    let r = app
        .api(
            Some(&token),
            Method::POST,
            &path,
            Some(json!({"to": "signed"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    let r = post_if_match(
        &app,
        &token,
        &path,
        &etag,
        json!({"to": "signed", "signed_on": "2026-01-20"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // The old version is stale now.
    let r = post_if_match(&app, &token, &path, &etag, json!({"to": "active"})).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.body);
    let etag = version_of(&app, &token, &id).await;
    let r = post_if_match(&app, &token, &path, &etag, json!({"to": "active"})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let etag = version_of(&app, &token, &id).await;
    // Renewal is its own endpoint, never a plain move.
    let r = post_if_match(&app, &token, &path, &etag, json!({"to": "renewed"})).await;
    assert!(field_codes(&r).contains(&"to=error-agreement-move".to_owned()));
    let r = post_if_match(
        &app,
        &token,
        &format!("/api/v1/agreements/{id}/renewal"),
        &etag,
        json!({}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let new = r.json()["id"].as_str().expect("id").to_owned();
    let old = app
        .api(
            Some(&token),
            Method::GET,
            &format!("/api/v1/agreements/{id}"),
            None,
        )
        .await
        .json();
    assert_eq!(old["agreement"]["status"], "renewed");
    let renewed = app
        .api(
            Some(&token),
            Method::GET,
            &format!("/api/v1/agreements/{new}"),
            None,
        )
        .await
        .json();
    assert_eq!(renewed["agreement"]["status"], "draft");
    assert_eq!(renewed["agreement"]["renews"], json!(id));
    assert_eq!(renewed["agreement"]["starts_on"], "2027-01-01");
    assert_eq!(
        renewed["agreement"]["parties"][0]["organisation"],
        json!(app.agreements.university.to_string())
    );
    assert_eq!(
        renewed["agreement"]["target_groups"],
        json!(["job_seekers"])
    );
    // A renewed agreement is closed: no move, no edit.
    let etag = version_of(&app, &token, &id).await;
    let r = post_if_match(&app, &token, &path, &etag, json!({"to": "terminated"})).await;
    assert!(field_codes(&r).contains(&"to=error-agreement-move".to_owned()));
    // The moves are audited.
    let n: i64 = on_pool!(&app.store, p => sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE entity_type = 'agreement' AND entity_id = $1")
        .bind(&id).fetch_one(p).await.expect("count"));
    assert!(n >= 4, "create, sign, activate, renew audited: {n}");
    app.cleanup().await;
}

#[tokio::test]
async fn a_retried_create_with_the_same_idempotency_key_creates_one_agreement() {
    let app = TestApp::spawn().await;
    let token = app.token("coordinator").await;
    let send = |body: serde_json::Value| {
        let req = axum::http::Request::builder()
            .method(Method::POST)
            .uri("/api/v1/agreements")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", "agreement-retry-1")
            .body(axum::body::Body::from(body.to_string()))
            .expect("request");
        app.send(req)
    };
    let first = send(agreement_body(&app, "signatory")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = send(agreement_body(&app, "signatory")).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.header("idempotent-replayed"), "true");
    assert_eq!(again.json()["id"], first.json()["id"]);
    let other = send(agreement_body(&app, "promoter")).await;
    assert_eq!(
        other.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another body, same key"
    );
    let list = app
        .api(
            Some(&token),
            Method::GET,
            "/api/v1/agreements?kind=public_collaboration",
            None,
        )
        .await;
    assert_eq!(list.json().as_array().map(Vec::len), Some(1));
    app.cleanup().await;
}

#[tokio::test]
async fn commitments_stay_inside_the_agreement_and_count_placements_and_enrolments() {
    let app = TestApp::spawn().await;
    let token = app.token("coordinator").await;
    let social = app.token("social").await;
    let fx = &app.agreements;
    let path = format!("/api/v1/agreements/{}/commitments", fx.agreement);
    let body = |due: &str| {
        json!({"organisation": fx.shops.to_string(), "kind": "hire_participants", "description": "Contratar",
               "target": "2", "unit": "personas", "due_on": due})
    };
    let r = app
        .api(Some(&token), Method::POST, &path, Some(body("2025-12-31")))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        field_codes(&r),
        vec!["due_on=error-commitment-due-before-start"]
    );
    let r = app
        .api(Some(&token), Method::POST, &path, Some(body("2028-01-01")))
        .await;
    assert_eq!(
        field_codes(&r),
        vec!["due_on=error-commitment-due-after-end"]
    );
    let r = app
        .api(
            Some(&token),
            Method::POST,
            &path,
            Some(
                json!({"kind": "offer_practicum_places", "description": "Prácticas",
            "target": "3", "unit": "plazas", "due_on": "2027-12-31"}),
            ),
        )
        .await;
    assert_eq!(
        field_codes(&r),
        vec!["training_action=error-commitment-action-required"]
    );
    let r = app
        .api(Some(&token), Method::POST, &path, Some(json!({"kind": "offer_practicum_places", "description": "Prácticas",
            "target": "3", "unit": "plazas", "due_on": "2027-12-31", "training_action": app.employment.action.to_string()})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let practicum = r.json()["id"].as_str().expect("id").to_owned();

    // The fixture course has one enrolment: one place of three.
    let r = app
        .api(
            Some(&token),
            Method::GET,
            &format!("/api/v1/commitments/{practicum}"),
            None,
        )
        .await;
    assert_eq!(r.json()["progress"]["achieved"], 1, "{}", r.body);
    assert_eq!(r.json()["progress"]["percent"], 33);

    // A placement with the shops' association as employer counts; one with no directory
    // employer does not.
    let person = app.inclusion.person;
    let placement = |org: Option<String>| {
        let mut v = json!({"employer": "Otxarkoagako denda", "contract_type": "temporary", "starts_on": "2026-03-01",
            "weekly_hours": "20", "occupation": "5223.1", "sector": "G"});
        if let Some(o) = org {
            v["employer_organisation"] = json!(o);
        }
        v
    };
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/people/{person}/placements"),
            Some(placement(Some(fx.shops.to_string()))),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/people/{person}/placements"),
            Some(placement(None)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/people/{person}/placements"),
            Some(placement(Some(Uuid::now_v7().to_string()))),
        )
        .await;
    assert!(
        field_codes(&r)
            .contains(&"employer_organisation=error-directory-organisation-unknown".to_owned()),
        "{}",
        r.body
    );

    let list = app.api(Some(&token), Method::GET, &path, None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let hires = list
        .json()
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["id"] == json!(fx.commitment.to_string()))
        .cloned()
        .expect("fixture commitment");
    assert_eq!(hires["progress"]["achieved"], 1, "{hires}");
    assert_eq!(hires["progress"]["target"], 4);
    assert_eq!(hires["progress"]["percent"], 25);
    assert!(
        !list.body.contains(crate::common::PERSON_SENTINEL),
        "progress never names people"
    );

    // "Other" counts what was recorded by hand.
    let r = app
        .api(
            Some(&token),
            Method::GET,
            &format!("/api/v1/commitments/{}", fx.commitment),
            None,
        )
        .await;
    let etag = r.header("etag").to_owned();
    let req = axum::http::Request::builder()
        .method(Method::PUT)
        .uri(format!("/api/v1/commitments/{}", fx.commitment))
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::IF_MATCH, etag)
        .body(axum::body::Body::from(json!({"kind": "other", "description": "Campaña de comercio local", "target": "10",
            "unit": "comercios", "due_on": "2027-06-30", "recorded_progress": "7", "evidence": "Actas de las reuniones", "status": "open"}).to_string()))
        .expect("request");
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = app
        .api(
            Some(&token),
            Method::GET,
            &format!("/api/v1/commitments/{}", fx.commitment),
            None,
        )
        .await;
    assert_eq!(r.json()["progress"]["achieved"], 7);
    assert_eq!(r.json()["evidence"], "Actas de las reuniones");
    app.cleanup().await;
}

#[tokio::test]
async fn a_hire_under_a_social_clause_needs_the_persons_consent() {
    let app = TestApp::spawn().await;
    let social = app.token("social").await;
    let person = app.inclusion.person;
    let clause = app.agreements.clause;
    let count = || async {
        on_pool!(&app.store, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM placements WHERE person_id = $1")
            .bind(person.0).fetch_one(p).await.expect("count"))
    };
    let before = count().await;
    let body = json!({"employer": "Garbiker", "contract_type": "insertion_transition", "starts_on": "2026-04-01",
        "weekly_hours": "30", "occupation": "9112.1", "sector": "N", "social_clause": clause.to_string()});
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/people/{person}/placements"),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        field_codes(&r),
        vec!["social_clause=error-clause-link-consent"]
    );
    assert_eq!(count().await, before, "nothing saved");

    // A consent for another system does not do; one for the council and employment does.
    let r = app.api(Some(&social), Method::POST, &format!("/api/v1/people/{person}/consents"), Some(json!({
        "purpose": "Seguimiento de cláusulas sociales", "recipients": ["council"], "categories": ["employment"],
        "evidence": "Formulario firmado 2026-03-30", "expires_on": ""}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/people/{person}/placements"),
            Some(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(count().await, before + 1);

    // The clause's hiring commitment counts the hire, through the functions procurement uses.
    use elkarlan_domain::policy::{Action, Actor, Target, decide};
    let coordinator = app.user_id("coordinator");
    let actor = Actor {
        tenant: app.tenant,
        user: coordinator,
        username: "coordinator".into(),
        role: elkarlan_domain::account::Role::Coordinator,
        agency: None,
        agency_system: None,
    };
    let grant = decide(
        &actor,
        Action::ManageProcurement,
        Target::tenant_wide(app.tenant),
    )
    .expect("grant");
    let owner = elkarlan_store::commitments::CommitmentOwner::Clause(clause);
    let window = elkarlan_store::commitments::owner_window(&app.store, app.tenant, owner)
        .await
        .expect("window");
    let d = elkarlan_domain::ecosystem::commitment::CommitmentInput {
        kind: "hire_participants".into(),
        description: "Dos contrataciones".into(),
        target: "2".into(),
        unit: "personas".into(),
        due_on: "2026-12-31".into(),
        ..Default::default()
    }
    .parse(window)
    .expect("parses");
    elkarlan_store::commitments::create(
        &app.store,
        &grant,
        &elkarlan_store::audit::RequestMeta::default(),
        owner,
        &d,
    )
    .await
    .expect("create");
    let list = elkarlan_store::commitments::list_for_clause(&app.store, app.tenant, clause)
        .await
        .expect("list");
    assert_eq!(list.len(), 1);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
    let p = elkarlan_store::commitments::progress(&app.store, app.tenant, &list[0], today)
        .await
        .expect("progress");
    assert_eq!((p.achieved, p.target, p.percent), (1, 2, 50));
    app.cleanup().await;
}

#[tokio::test]
async fn the_worker_reminds_renewals_once_and_expires_ended_agreements() {
    let app = TestApp::spawn().await;
    let today = chrono::Utc::now().date_naive();
    let set = |id: AgreementId, status: &'static str, start: String, end: String| {
        let store = app.store.clone();
        async move {
            on_pool!(&store, p => {
                sqlx::query("UPDATE agreements SET status = $2, starts_on = $3, ends_on = $4 WHERE id = $1")
                    .bind(id.0).bind(status).bind(start).bind(end).execute(p).await.expect("update");
            });
        }
    };
    let fx = &app.agreements;
    // Ends in 30 days with 60 days' notice: reminded.
    set(
        fx.agreement,
        "active",
        (today - chrono::Days::new(300)).to_string(),
        (today + chrono::Days::new(30)).to_string(),
    )
    .await;
    // Another that ended yesterday: expired.
    let token = app.token("coordinator").await;
    let r = app
        .api(
            Some(&token),
            Method::POST,
            "/api/v1/agreements",
            Some(agreement_body(&app, "signatory")),
        )
        .await;
    let ended = AgreementId(r.json()["id"].as_str().expect("id").parse().expect("uuid"));
    set(
        ended,
        "active",
        (today - chrono::Days::new(400)).to_string(),
        (today - chrono::Days::new(1)).to_string(),
    )
    .await;

    let now = Timestamp::now();
    let (reminded, expired) = elkarlan_web::worker::agreements_daily(&app.state, now)
        .await
        .expect("worker");
    assert_eq!((reminded, expired), (1, 1));
    let coordinator = app.user_id("coordinator");
    let notes = elkarlan_store::agreements::user_notifications(&app.store, app.tenant, coordinator)
        .await
        .expect("notes");
    assert_eq!(
        notes,
        vec![("agreement.renewal".to_owned(), fx.agreement.to_string())]
    );
    let mails: i64 = on_pool!(&app.store, p => sqlx::query_scalar("SELECT COUNT(*) FROM email_outbox WHERE to_addr = 'coordinator@test.elkarlan.invalid'")
        .fetch_one(p).await.expect("count"));
    assert_eq!(mails, 1);
    let a = elkarlan_store::agreements::get(&app.store, app.tenant, fx.agreement)
        .await
        .expect("get");
    assert!(a.renewal_reminded_at.is_some());
    let e = elkarlan_store::agreements::get(&app.store, app.tenant, ended)
        .await
        .expect("get");
    assert_eq!(
        e.status,
        elkarlan_domain::ecosystem::codes::AgreementStatus::Expired
    );
    let by: String = on_pool!(&app.store, p => sqlx::query_scalar("SELECT actor_name FROM audit_events WHERE entity_type = 'agreement' AND entity_id = $1 ORDER BY seq DESC LIMIT 1")
        .bind(ended.to_string()).fetch_one(p).await.expect("audit"));
    assert_eq!(by, "system:worker");

    // The next day nothing is sent again.
    let (reminded, expired) = elkarlan_web::worker::agreements_daily(&app.state, now)
        .await
        .expect("worker");
    assert_eq!((reminded, expired), (0, 0));
    // The job is scheduled daily with the other periodic tasks.
    let ran = elkarlan_web::worker::run_periodic(&app.state, "test", Timestamp::now())
        .await
        .expect("periodic");
    assert!(ran.contains(&"agreements.remind"), "{ran:?}");
    app.cleanup().await;
}

#[tokio::test]
async fn coordinators_use_the_pages_in_basque_and_spanish_and_the_analyst_is_kept_out() {
    let app = TestApp::spawn().await;
    let fx = &app.agreements;
    let mut b = app.sign_in("coordinator").await;
    b.lang = Some("eu");
    let r = app.page(&b, Method::GET, "/agreements", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("Merkataritza eta enplegua Otxarkoagan"),
        "Basque title in Basque"
    );
    assert!(r.body.contains("Hitzarmenak"));
    b.lang = Some("es");
    let r = app
        .page(
            &b,
            Method::GET,
            &format!("/agreements/{}", fx.agreement),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Comercio y empleo en Otxarkoaga"));
    assert!(
        r.body.contains("0 de 4 personas (0 %)"),
        "progress has a text equivalent"
    );
    assert!(r.body.contains("<progress"));
    // A commitment due before the agreement starts is refused on its field, in Spanish.
    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/agreements/{}/commitments/new", fx.agreement),
            &[
                ("kind", "other"),
                ("description", "Campaña"),
                ("target", "3"),
                ("unit", "campañas"),
                ("due_on-day", "1"),
                ("due_on-month", "6"),
                ("due_on-year", "2025"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("La fecha límite no puede ser anterior al inicio del convenio"),
        "{}",
        r.body
    );
    assert!(r.body.contains("href=\"#due_on-day\""));
    // Signing from the page, then the filters.
    let page = app
        .page(
            &b,
            Method::GET,
            &format!("/agreements/{}", fx.agreement),
            &[],
        )
        .await;
    let version = page.hidden("version");
    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/agreements/{}/status", fx.agreement),
            &[
                ("version", &version),
                ("to", "signed"),
                ("signed_on", "2026-01-15"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .page(&b, Method::GET, "/agreements?status=signed", &[])
        .await;
    assert!(r.body.contains("Comercio y empleo en Otxarkoaga"));
    let r = app
        .page(&b, Method::GET, "/agreements?status=active", &[])
        .await;
    assert!(!r.body.contains("Comercio y empleo en Otxarkoaga"));
    let r = app
        .page(&b, Method::GET, "/exports/agreements.csv", &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Comercio y empleo en Otxarkoaga"));
    let r = app
        .page(&b, Method::GET, "/exports/commitments.csv", &[])
        .await;
    assert!(r.body.contains("Contratar a participantes del programa"));

    // The analyst sees aggregates elsewhere, never the agreements themselves.
    let analyst = app.sign_in("analyst").await;
    let r = app.page(&analyst, Method::GET, "/agreements", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let t = app.token("analyst").await;
    let r = app
        .api(
            Some(&t),
            Method::GET,
            &format!("/api/v1/agreements/{}", fx.agreement),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(
            Some(&t),
            Method::POST,
            "/api/v1/agreements",
            Some(json!({"kind": "nonsense"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "authorization before validation"
    );
    app.cleanup().await;
}
