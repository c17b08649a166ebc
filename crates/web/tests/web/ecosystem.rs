//! The ecosystem directory as a coordinator uses it, by page and by API: registering an
//! organisation (with per-field errors for a wrong CIF, a duplicate tax id, inconsistent social
//! audit figures and a relation to itself), the audited read of its contacts, the pole's
//! activities and projects, the HSDS export; and every other role refused.

use crate::common::{Browser, Reply, TestApp};
use axum::http::{Method, StatusCode};
use elkarlan_domain::ecosystem::organisation::{
    OrganisationInput, PoleActivityInput, ProfileInput, VentureInput,
};
use elkarlan_domain::policy::{Action, Grant, SystemTask};
use elkarlan_domain::{OrganisationId, PoleActivityId, TenantId, VentureId};
use elkarlan_store::Store;
use elkarlan_store::audit::{AuditFilter, RequestMeta};
use elkarlan_store::{organisations, pole};
use serde_json::json;

/// An organisation, a pole activity and a project the matrix's paths point at.
pub struct Fixture {
    pub organisation: OrganisationId,
    pub activity: PoleActivityId,
    pub venture: VentureId,
}

pub async fn fixture(store: &Store, tenant: TenantId) -> Fixture {
    let grant = Grant::system(tenant, SystemTask::Bootstrap, Action::ManageEcosystem);
    let meta = RequestMeta::default();
    let d = OrganisationInput {
        name: "Auzolan Garbiketak Koop. Elk.".into(),
        tax_id: "F95000014".into(),
        legal_form: "cooperative".into(),
        sector: "n".into(),
        activities: vec!["90910000".into()],
        contacts: "Ainhoa Fixture; gerentea; ainhoa@auzolan.example; 944000001".into(),
        pole_member: true,
        ..OrganisationInput::default()
    }
    .parse()
    .expect("fixture organisation");
    let organisation = organisations::create(store, &grant, &meta, &d)
        .await
        .expect("create organisation");
    let p = ProfileInput {
        workforce: "12".into(),
        women: "7".into(),
        women_in_responsibility: "2".into(),
        people_in_responsibility: "3".into(),
        hired_from_exclusion: "5".into(),
        permanent_contracts: "9".into(),
        ..ProfileInput::default()
    }
    .parse(2025)
    .expect("profile");
    organisations::save_profile(store, &grant, &meta, organisation, &p)
        .await
        .expect("save profile");
    let a = PoleActivityInput {
        kind: "event".into(),
        title_eu: "Ekonopolo topaketa".into(),
        title_es: "Encuentro Ekonopolo".into(),
        held_on: "2026-02-10".into(),
        ..PoleActivityInput::default()
    }
    .parse()
    .expect("activity");
    let activity = pole::create_activity(store, &grant, &meta, &a, &[(organisation, 2)])
        .await
        .expect("create activity");
    let v = VentureInput {
        name: "Josteta".into(),
        started_on: "2026-01-15".into(),
        ..VentureInput::default()
    }
    .parse()
    .expect("venture");
    let venture = pole::create_venture(store, &grant, &meta, &v)
        .await
        .expect("create venture");
    Fixture {
        organisation,
        activity,
        venture,
    }
}

fn location(r: &Reply) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.header("location").to_owned()
}

fn refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn organisation_form(name: &str, tax_id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_owned()),
        ("tax_id", tax_id.to_owned()),
        ("legal_form", "special_employment_centre".to_owned()),
        (
            "legal_label",
            "Centro Especial de Empleo de iniciativa social".to_owned(),
        ),
        ("sector", "n".to_owned()),
        ("activities", "90910000\n77310000".to_owned()),
        ("registers", "Registro CEE Euskadi; CEE-48/0210".to_owned()),
        (
            "contacts",
            "Irati Probaketa; zuzendaria; irati@lanberri.example; 944 111 222".to_owned(),
        ),
        ("pole_member", "yes".to_owned()),
    ]
}

async fn coordinator(app: &TestApp) -> Browser {
    let mut b = app.sign_in("coordinator").await;
    b.lang = Some("en");
    b
}

#[tokio::test]
async fn a_coordinator_registers_an_organisation_and_fixes_a_wrong_cif() {
    let app = TestApp::spawn().await;
    let b = coordinator(&app).await;
    // A wrong check character is an error on the tax id, and nothing is saved.
    let before = organisations::list_full(&app.store, app.tenant)
        .await
        .unwrap()
        .len();
    let r = app
        .page(
            &b,
            Method::POST,
            "/organisations/new",
            &refs(&organisation_form("Lanberri CEE", "B48000021")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#tax_id\""), "{}", r.body);
    assert!(r.body.contains("check character"), "{}", r.body);
    let listed = organisations::list_full(&app.store, app.tenant)
        .await
        .unwrap();
    assert_eq!(listed.len(), before, "nothing saved");
    // Fixed, it is saved and shown with its legal wording, activities and contact.
    let r = app
        .page(
            &b,
            Method::POST,
            "/organisations/new",
            &refs(&organisation_form("Lanberri CEE", "B48000020")),
        )
        .await;
    let to = location(&r);
    assert!(to.ends_with("?notice=organisation-saved"), "{to}");
    let page = app.page(&b, Method::GET, &to, &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Centro Especial de Empleo de iniciativa social")
    );
    assert!(page.body.contains("Cleaning services"));
    assert!(page.body.contains("Irati Probaketa"));
    assert!(page.body.contains("CEE-48/0210"));
    let id = to
        .trim_start_matches("/organisations/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    // Reading the contacts left an audit row.
    let trail = elkarlan_store::audit::list(
        &app.store,
        app.tenant,
        &AuditFilter {
            entity_type: "organisation_contacts".into(),
            entity_id: id.clone(),
            ..AuditFilter::default()
        },
        10,
    )
    .await
    .unwrap();
    assert_eq!(trail.len(), 1, "one audited read of the contacts");
    assert_eq!(trail[0].actor_name, "coordinator");
    // It is in the list, also with the CPV filter, and not with another one.
    let list = app
        .page(&b, Method::GET, "/organisations?cpv=909", &[])
        .await;
    assert!(list.body.contains("Lanberri CEE"), "{}", list.body);
    let list = app
        .page(&b, Method::GET, "/organisations?cpv=85312000", &[])
        .await;
    assert!(!list.body.contains("Lanberri CEE"));
    // Not eligible for reserved contracts until a register entry is recorded.
    let list = app
        .page(&b, Method::GET, "/organisations?eligible=yes", &[])
        .await;
    assert!(!list.body.contains("Lanberri CEE"));
    let today = chrono::Utc::now().date_naive();
    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/organisations/{id}/qualifications/new"),
            &[
                ("kind", "special_employment_centre_register"),
                ("register_number", "CEE-48/0210"),
                ("granted_on-day", "1"),
                ("granted_on-month", "1"),
                ("granted_on-year", "2024"),
                ("expires_on-day", "1"),
                ("expires_on-month", "1"),
                (
                    "expires_on-year",
                    &(chrono::Datelike::year(&today) + 2).to_string(),
                ),
                ("evidence", "Resolución BOPV 2024/112"),
            ],
        )
        .await;
    location(&r);
    let list = app
        .page(&b, Method::GET, "/organisations?eligible=yes", &[])
        .await;
    assert!(list.body.contains("Lanberri CEE"), "{}", list.body);
    app.cleanup().await;
}

#[tokio::test]
async fn a_duplicate_tax_id_is_a_field_error_by_page_and_by_api() {
    let app = TestApp::spawn().await;
    let b = coordinator(&app).await;
    let r = app
        .page(
            &b,
            Method::POST,
            "/organisations/new",
            &refs(&organisation_form("Copia", "F95000014")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("already in the directory"), "{}", r.body);
    let token = app.token("coordinator").await;
    let r = app
        .api(
            Some(&token),
            Method::POST,
            "/api/v1/organisations",
            Some(json!({"name": "Copia", "tax_id": "f-95000014", "legal_form": "cooperative", "sector": "n"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "tax_id");
    assert_eq!(r.json()["errors"][0]["code"], "error-tax-id-taken");
    app.cleanup().await;
}

#[tokio::test]
async fn the_api_creates_reads_and_updates_with_if_match() {
    let app = TestApp::spawn().await;
    let token = app.token("coordinator").await;
    let r = app
        .api(
            Some(&token),
            Method::POST,
            "/api/v1/organisations",
            Some(json!({"name": "Txoko Denda", "tax_id": "B95000055", "legal_form": "company", "sector": "g",
                "activities": ["55300000"], "contacts": "Jon Saltzaile; jabea; ; 944222333"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .api(
            Some(&token),
            Method::GET,
            &format!("/api/v1/organisations/{id}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("etag"), "\"v1\"");
    assert_eq!(r.json()["contacts"][0]["name"], "Jon Saltzaile");
    assert_eq!(r.json()["activities"][0], "55300000");
    let body = json!({"name": "Txoko Denda SL", "tax_id": "B95000055", "legal_form": "company", "sector": "g"});
    let r = app
        .api(
            Some(&token),
            Method::PUT,
            &format!("/api/v1/organisations/{id}"),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    let req = axum::http::Request::builder()
        .method(Method::PUT)
        .uri(format!("/api/v1/organisations/{id}"))
        .header("host", "127.0.0.1:8080")
        .header("content-type", "application/json")
        .header("if-match", "\"v1\"")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let o = organisations::get(&app.store, app.tenant, id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(o.name, "Txoko Denda SL");
    assert_eq!(o.version, 2);
    // Invalid CIF by API: a per-field problem.
    let r = app
        .api(
            Some(&token),
            Method::POST,
            "/api/v1/organisations",
            Some(
                json!({"name": "X", "tax_id": "B95000056", "legal_form": "company", "sector": "g"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["code"], "error-tax-id-check");
    app.cleanup().await;
}

#[tokio::test]
async fn profile_figures_and_relations_are_checked_per_field() {
    let app = TestApp::spawn().await;
    let token = app.token("coordinator").await;
    let org = app.ecosystem.organisation;
    let r = app
        .api(
            Some(&token),
            Method::PUT,
            &format!("/api/v1/organisations/{org}/profiles/2026"),
            Some(json!({"workforce": "10", "women": "11", "women_in_responsibility": "1",
                "people_in_responsibility": "2", "hired_from_exclusion": "1", "permanent_contracts": "3"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "women");
    assert_eq!(r.json()["errors"][0]["code"], "error-women-over-workforce");
    let r = app
        .api(
            Some(&token),
            Method::GET,
            &format!("/api/v1/organisations/{org}/profiles/2026"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "nothing half-saved");
    let r = app
        .api(
            Some(&token),
            Method::PUT,
            &format!("/api/v1/organisations/{org}/profiles/2026"),
            Some(json!({"workforce": "10", "women": "6", "women_in_responsibility": "1",
                "people_in_responsibility": "2", "hired_from_exclusion": "1", "permanent_contracts": "3",
                "salary_ratio": "2,5", "ethical_finance": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = app
        .api(
            Some(&token),
            Method::GET,
            &format!("/api/v1/organisations/{org}/profiles/2026"),
            None,
        )
        .await;
    assert_eq!(r.json()["salary_ratio_centi"], 250);
    // A relation to itself is refused on the "to" field.
    let b = coordinator(&app).await;
    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/organisations/{org}/relations/new"),
            &[
                ("kind", "partner_of"),
                ("to", &org.to_string()),
                ("starts_on-day", "1"),
                ("starts_on-month", "1"),
                ("starts_on-year", "2025"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#to\""), "{}", r.body);
    assert!(r.body.contains("cannot be related to itself"));
    app.cleanup().await;
}

#[tokio::test]
async fn pole_activities_ventures_and_the_hsds_export() {
    let app = TestApp::spawn().await;
    let b = coordinator(&app).await;
    let r = app
        .page(
            &b,
            Method::POST,
            "/pole/activities/new",
            &[
                ("kind", "training"),
                ("title_eu", "Kooperatibak sortzen"),
                ("title_es", "Creando cooperativas"),
                ("held_on-day", "3"),
                ("held_on-month", "3"),
                ("held_on-year", "2026"),
                ("hours", "2,5"),
                ("attendees", "18"),
                ("participants", "F95000014; 4"),
            ],
        )
        .await;
    let to = location(&r);
    let page = app.page(&b, Method::GET, &to, &[]).await;
    assert!(page.body.contains("Auzolan Garbiketak"), "{}", page.body);
    // A project moves forward only.
    let v = app.ecosystem.venture;
    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/pole/ventures/{v}/stage"),
            &[
                ("stage", "constituted"),
                ("organisation_tax_id", "F95000014"),
            ],
        )
        .await;
    location(&r);
    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/pole/ventures/{v}/stage"),
            &[("stage", "incubation")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("only moves forward"));
    let venture = pole::venture(&app.store, app.tenant, v).await.unwrap();
    assert_eq!(venture.organisation, Some(app.ecosystem.organisation));
    // HSDS: the structure the standard requires, and no contact person.
    let r = app.page(&b, Method::GET, "/exports/hsds.json", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        !r.body.contains("Ainhoa Fixture"),
        "contacts are never exported"
    );
    let doc = r.json();
    check_hsds(&doc);
    assert_eq!(
        doc["organizations"][0]["services"][0]["attributes"][0]["taxonomy_term"]["code"],
        "90910000"
    );
    let csv = app
        .page(&b, Method::GET, "/exports/organisations/csv", &[])
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("F95000014") && !csv.body.contains("Ainhoa"));
    app.cleanup().await;
}

/// The required fields of HSDS 3.0's organization, service, taxonomy_term, attribute,
/// location, address, phone and organization_identifier schemas.
fn check_hsds(doc: &serde_json::Value) {
    let has = |v: &serde_json::Value, fields: &[&str], what: &str| {
        for f in fields {
            assert!(
                v.get(*f).is_some_and(|x| !x.is_null()),
                "{what} lacks required {f}: {v}"
            );
        }
    };
    let orgs = doc["organizations"].as_array().expect("organizations");
    assert!(!orgs.is_empty());
    for o in orgs {
        has(o, &["id", "name", "description"], "organization");
        for i in o["organization_identifiers"]
            .as_array()
            .expect("identifiers")
        {
            has(
                i,
                &["id", "identifier_type", "identifier"],
                "organization_identifier",
            );
        }
        for s in o["services"].as_array().expect("services") {
            has(s, &["id", "name", "status"], "service");
            assert_eq!(s["organization_id"], o["id"]);
            for a in s["attributes"].as_array().expect("attributes") {
                has(a, &["id", "taxonomy_term_id"], "attribute");
                has(
                    &a["taxonomy_term"],
                    &["id", "name", "description"],
                    "taxonomy_term",
                );
            }
        }
        for l in o["locations"].as_array().expect("locations") {
            has(l, &["id", "location_type"], "location");
            for a in l["addresses"].as_array().expect("addresses") {
                has(
                    a,
                    &[
                        "id",
                        "address_1",
                        "city",
                        "state_province",
                        "postal_code",
                        "country",
                        "address_type",
                    ],
                    "address",
                );
            }
        }
        for p in o["phones"].as_array().expect("phones") {
            has(p, &["id", "number"], "phone");
        }
    }
}

#[tokio::test]
async fn other_roles_are_refused_and_the_refusal_is_audited() {
    let app = TestApp::spawn().await;
    let org = app.ecosystem.organisation;
    for user in ["analyst", "social", "admin"] {
        let b = app.sign_in(user).await;
        let r = app
            .page(&b, Method::GET, &format!("/organisations/{org}"), &[])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        assert!(!r.body.contains("Ainhoa Fixture"));
        let token = app.token(user).await;
        let r = app
            .api(Some(&token), Method::GET, "/api/v1/organisations", None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
    }
    let denied = elkarlan_store::audit::list(
        &app.store,
        app.tenant,
        &AuditFilter {
            action: "ecosystem.view".into(),
            entity_type: "authorization".into(),
            ..AuditFilter::default()
        },
        50,
    )
    .await
    .unwrap();
    assert!(denied.iter().all(|e| e.outcome == "denied"));
    assert!(denied.len() >= 6, "{} refusals recorded", denied.len());
    app.cleanup().await;
}

#[test]
fn every_ecosystem_label_and_page_message_is_translated() {
    use elkarlan_domain::Lang;
    use elkarlan_domain::ecosystem::codes::{
        LegalForm, PoleActivityKind, QualificationKind, RelationKind, VentureStage,
    };
    use elkarlan_templates::i18n::has;
    let mut keys: Vec<String> = LegalForm::ALL.iter().map(|x| x.label_key()).collect();
    keys.extend(RelationKind::ALL.iter().map(|x| x.label_key()));
    keys.extend(QualificationKind::ALL.iter().map(|x| x.label_key()));
    keys.extend(PoleActivityKind::ALL.iter().map(|x| x.label_key()));
    keys.extend(VentureStage::ALL.iter().map(|x| x.label_key()));
    // Every `eco-` message the pages use, including the notices they build.
    let page = [
        include_str!("../../src/html/ecosystem/mod.rs"),
        include_str!("../../src/html/ecosystem/cpv.rs"),
        include_str!("../../src/html/ecosystem/downloads.rs"),
        include_str!("../../src/html/ecosystem/organisations.rs"),
        include_str!("../../src/html/ecosystem/pole.rs"),
        include_str!("../../src/html/ecosystem/profiles.rs"),
        include_str!("../../src/html/ecosystem/relations.rs"),
        include_str!("../../src/html/ecosystem/ventures.rs"),
    ]
    .concat();
    for (i, _) in page.match_indices("\"eco-") {
        let key: String = page[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '-')
            .collect();
        if !key.ends_with('-') {
            keys.push(key);
        }
    }
    for n in [
        "organisation-saved",
        "relation-added",
        "qualification-added",
        "profile-saved",
        "activity-saved",
        "venture-saved",
        "stage-moved",
        "support-added",
    ] {
        keys.push(format!("eco-notice-{n}"));
    }
    assert!(keys.len() > 150, "the scan found only {} keys", keys.len());
    let missing: Vec<String> = keys
        .iter()
        .flat_map(|k| {
            Lang::ALL
                .into_iter()
                .filter(|l| !has(*l, k))
                .map(move |l| format!("{k} ({l})"))
        })
        .collect();
    assert!(missing.is_empty(), "untranslated: {missing:?}");
}

#[tokio::test]
async fn a_retried_create_with_the_same_idempotency_key_registers_once() {
    let app = TestApp::spawn().await;
    let token = app.token("coordinator").await;
    let body = json!({"name": "Behin Bakarrik SL", "tax_id": "B48000129", "legal_form": "company", "sector": "g"});
    let send = || {
        axum::http::Request::builder()
            .method(Method::POST)
            .uri("/api/v1/organisations")
            .header("host", "127.0.0.1:8080")
            .header("content-type", "application/json")
            .header("idempotency-key", "org-create-1")
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::from(body.to_string()))
            .unwrap()
    };
    let first = app.send(send()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = app.send(send()).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.header("idempotent-replayed"), "true");
    assert_eq!(first.json()["id"], again.json()["id"]);
    let all = organisations::list_full(&app.store, app.tenant)
        .await
        .unwrap();
    assert_eq!(all.iter().filter(|o| o.tax_id == "B48000129").count(), 1);
    app.cleanup().await;
}
