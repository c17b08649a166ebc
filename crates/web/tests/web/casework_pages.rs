//! The casework pages of a case, as a browser drives them: the needs assessment, plan goals and
//! actions, notes and coordination meetings; 303 after success, 422 with translated, linked
//! errors, 409 on a stale edit, and nothing saved from a refused form.

use crate::common::{Browser, PERSON_SENTINEL, Reply, TestApp};
use axum::http::{Method, StatusCode};
use elkarlan_domain::organisation::PublicSystem;

async fn signed_in(app: &TestApp, user: &str, lang: &'static str) -> Browser {
    let mut b = app.sign_in(user).await;
    b.lang = Some(lang);
    b
}

fn assert_redirect(r: &Reply, to: &str) {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.header("location"), to);
}

#[tokio::test]
async fn the_lead_assesses_plans_writes_and_meets_through_the_pages() {
    let app = TestApp::spawn().await;
    let social = signed_in(&app, "social", "en").await;
    let case = app.inclusion.case;
    let empty = app
        .page(&social, Method::GET, &format!("/cases/{case}"), &[])
        .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("No assessment yet."), "{}", empty.body);
    assert!(
        empty
            .body
            .contains(&format!("href=\"/cases/{case}/assessments/new\""))
    );

    // Assessment: nothing chosen is refused, linked from the summary to the first domain.
    let form = app
        .page(
            &social,
            Method::GET,
            &format!("/cases/{case}/assessments/new"),
            &[],
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains("<label class=\"govuk-label\" for=\"domain-housing\">Housing</label>")
    );
    let path = format!("/cases/{case}/assessments/new");
    let r = app
        .page(&social, Method::POST, &path, &[("summary", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#domain-employment\""), "{}", r.body);
    assert!(r.body.contains("Assess at least one life domain"));
    assert!(r.body.contains("Enter a summary"));
    let r = app
        .page(
            &social,
            Method::POST,
            &path,
            &[
                ("domain-housing", "severe"),
                ("domain-income", "low"),
                ("summary", "Needs a stable home first"),
            ],
        )
        .await;
    assert_redirect(
        &r,
        &format!("/cases/{case}?notice=assessment-recorded#assessment-heading"),
    );

    // Goal and action, with a date that does not exist refused on its day box.
    let r = app
        .page(
            &social,
            Method::POST,
            &format!("/cases/{case}/goals/new"),
            &[("domain", ""), ("description", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Select life domains from the assessment"));
    let r = app
        .page(
            &social,
            Method::POST,
            &format!("/cases/{case}/goals/new"),
            &[
                ("domain", "housing"),
                ("description", "Move to a social rent flat"),
            ],
        )
        .await;
    assert_redirect(&r, &format!("/cases/{case}?notice=goal-added#plan-heading"));
    let form = app
        .page(
            &social,
            Method::GET,
            &format!("/cases/{case}/actions/new"),
            &[],
        )
        .await;
    assert!(
        form.body.contains("Housing: Move to a social rent flat"),
        "{}",
        form.body
    );
    let goal = form
        .body
        .split("<option value=\"")
        .nth(2)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let housing = app.agency(PublicSystem::Housing).to_string();
    let action = |day: &'static str| {
        vec![
            ("goal", goal.clone()),
            ("agency", housing.clone()),
            ("description", "Apply for the social rent list".to_owned()),
            ("due_on-day", day.to_owned()),
            ("due_on-month", "2".to_owned()),
            ("due_on-year", "2027".to_owned()),
        ]
    };
    let bad = action("31");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app
        .page(
            &social,
            Method::POST,
            &format!("/cases/{case}/actions/new"),
            &bad,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#due_on-day\""), "{}", r.body);
    assert!(r.body.contains("Enter a real date"));
    let good = action("26");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app
        .page(
            &social,
            Method::POST,
            &format!("/cases/{case}/actions/new"),
            &good,
        )
        .await;
    assert_redirect(
        &r,
        &format!("/cases/{case}?notice=action-added#plan-heading"),
    );

    // The case page shows the assessment, the plan with its action, and the timeline.
    let shown = app
        .page(&social, Method::GET, &format!("/cases/{case}"), &[])
        .await;
    assert!(shown.body.contains("Joint plan"));
    assert!(shown.body.contains("Severe"), "{}", shown.body);
    assert!(shown.body.contains("Needs a stable home first"));
    assert!(shown.body.contains("Apply for the social rent list"));
    assert!(shown.body.contains("2027-02-26"));
    assert!(shown.body.contains("Plan goal"));
    let action_id = shown
        .body
        .split("<select class=\"govuk-select\" id=\"action-")
        .nth(1)
        .and_then(|s| s.get(..36))
        .unwrap_or_default()
        .to_owned();
    let status_path = format!("/cases/{case}/actions/{action_id}/status");
    let r = app
        .page(
            &social,
            Method::POST,
            &status_path,
            &[("status", "in_progress"), ("version", "1")],
        )
        .await;
    assert_redirect(
        &r,
        &format!("/cases/{case}?notice=action-status-saved#plan-heading"),
    );
    // The same version again: someone changed it since; nothing is overwritten.
    let r = app
        .page(
            &social,
            Method::POST,
            &status_path,
            &[("status", "cancelled"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Someone else changed this record"));
    assert!(
        r.body
            .contains(&format!("href=\"#action-{action_id}-status\""))
    );
    let shown = app
        .page(&social, Method::GET, &format!("/cases/{case}"), &[])
        .await;
    assert!(
        shown
            .body
            .contains("<option value=\"in_progress\" selected>"),
        "{}",
        shown.body
    );

    // Notes: an oversize note is refused whole; a team note is saved.
    let long = "a".repeat(5001);
    let path = format!("/cases/{case}/notes/new");
    let r = app
        .page(
            &social,
            Method::POST,
            &path,
            &[("body", long.as_str()), ("confidentiality", "team")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("The text is too long"));
    let r = app
        .page(
            &social,
            Method::POST,
            &path,
            &[
                ("body", "Agreed to visit the housing office"),
                ("confidentiality", "team"),
            ],
        )
        .await;
    assert_redirect(
        &r,
        &format!("/cases/{case}?notice=note-added#notes-heading"),
    );

    // A meeting: its agreed action joins the plan.
    let path = format!("/cases/{case}/meetings/new");
    let form = app.page(&social, Method::GET, &path, &[]).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("id=\"action-3-agency\""));
    let r = app
        .page(
            &social,
            Method::POST,
            &path,
            &[
                ("held_on-day", "30"),
                ("held_on-month", "2"),
                ("held_on-year", "2026"),
                ("minutes", ""),
                ("action-2-description", "Call the family"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#held_on-day\""), "{}", r.body);
    assert!(r.body.contains("href=\"#minutes\""));
    assert!(r.body.contains("href=\"#action-2-agency\""));
    let r = app
        .page(
            &social,
            Method::POST,
            &path,
            &[
                ("held_on-day", "20"),
                ("held_on-month", "11"),
                ("held_on-year", "2026"),
                ("agencies", housing.as_str()),
                ("minutes", "Reviewed the housing application"),
                ("action-2-agency", housing.as_str()),
                ("action-2-description", "Call the family"),
            ],
        )
        .await;
    assert_redirect(
        &r,
        &format!("/cases/{case}?notice=meeting-recorded#meetings-heading"),
    );
    let shown = app
        .page(&social, Method::GET, &format!("/cases/{case}"), &[])
        .await;
    assert!(shown.body.contains("Reviewed the housing application"));
    assert!(shown.body.contains("Agreed to visit the housing office"));
    assert!(shown.body.contains("Other actions"));
    assert!(shown.body.contains("Call the family"));
    app.cleanup().await;
}

#[tokio::test]
async fn pages_speak_basque_and_health_notes_stay_in_the_agency() {
    let app = TestApp::spawn().await;
    let social = signed_in(&app, "social", "eu").await;
    let case = app.inclusion.case;
    let form = app
        .page(
            &social,
            Method::GET,
            &format!("/cases/{case}/assessments/new"),
            &[],
        )
        .await;
    assert!(form.body.contains(">Etxebizitza</label>"), "{}", form.body);
    assert!(form.body.contains("Baloratu gabe"));
    // Someone outside the team may not open the forms.
    let housing = signed_in(&app, "housing", "es").await;
    let r = app
        .page(
            &housing,
            Method::GET,
            &format!("/cases/{case}/notes/new"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    app.cleanup().await;
}

#[tokio::test]
async fn my_cases_lists_only_the_cases_i_work_on() {
    let app = TestApp::spawn().await;
    let social = signed_in(&app, "social", "es").await;
    let case = app.inclusion.case;
    let mine = app.page(&social, Method::GET, "/cases", &[]).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains(PERSON_SENTINEL), "{}", mine.body);
    assert!(mine.body.contains(&format!("href=\"/cases/{case}\"")));
    assert!(mine.body.contains("Profesional de referencia"));
    // The employment agency has a referral but is not on the team yet: nothing to show.
    let lanbide = signed_in(&app, "lanbide", "en").await;
    let theirs = app.page(&lanbide, Method::GET, "/cases", &[]).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.body.contains(PERSON_SENTINEL));
    assert!(
        theirs
            .body
            .contains("You do not lead or work on any case yet.")
    );
    // The list itself is in the audit trail, in the access log of each person shown.
    let trail = elkarlan_store::audit::list(
        &app.store,
        app.tenant,
        &elkarlan_store::audit::AuditFilter {
            action: "person.search".into(),
            ..Default::default()
        },
        10,
    )
    .await
    .expect("trail");
    assert!(
        trail
            .iter()
            .any(|e| e.subject_id == Some(app.inclusion.person.to_string())),
        "{trail:?}"
    );
    app.cleanup().await;
}

#[tokio::test]
async fn outside_the_team_a_professional_finds_the_way_to_emergency_access() {
    let app = TestApp::spawn().await;
    let person = app.inclusion.person;
    let case = app.inclusion.case;
    let school = signed_in(&app, "education", "en").await;
    let r = app
        .page(&school, Method::GET, &format!("/people/{person}"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains(PERSON_SENTINEL));
    let link = format!("href=\"/people/{person}/break-glass\"");
    assert!(r.body.contains(&link), "{}", r.body);
    // The same page for a record that does not exist: nothing tells them apart.
    let nobody = uuid::Uuid::now_v7();
    let r = app
        .page(&school, Method::GET, &format!("/people/{nobody}"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.body
            .contains(&format!("href=\"/people/{nobody}/break-glass\""))
    );
    let r = app
        .page(
            &school,
            Method::GET,
            &format!("/people/{person}/break-glass"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), format!("/cases/{case}/break-glass"));
    let r = app
        .page(
            &school,
            Method::GET,
            &format!("/people/{nobody}/break-glass"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The lead needs no emergency access; the administrator is offered none.
    let social = signed_in(&app, "social", "en").await;
    let r = app
        .page(
            &social,
            Method::GET,
            &format!("/people/{person}/break-glass"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let admin = signed_in(&app, "admin", "en").await;
    let r = app
        .page(&admin, Method::GET, &format!("/cases/{case}"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains("emergency-access"));
    app.cleanup().await;
}

#[tokio::test]
async fn a_service_publishes_its_capacity_and_referrers_see_it() {
    let app = TestApp::spawn().await;
    let housing = signed_in(&app, "housing", "es").await;
    let form = app
        .page(&housing, Method::GET, "/referrals/capacity", &[])
        .await;
    assert_eq!(form.status, StatusCode::OK);
    let r = app
        .page(
            &housing,
            Method::POST,
            "/referrals/capacity",
            &[
                ("open_places", "-1"),
                ("waiting_list", "muchos"),
                ("expected_wait_days", "4000"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#open_places\""), "{}", r.body);
    assert!(r.body.contains("Escriba un número entero"));
    assert!(r.body.contains("href=\"#expected_wait_days\""));
    let token = app.token("housing").await;
    let before = app
        .api(Some(&token), Method::GET, "/api/v1/capacity", None)
        .await;
    assert!(
        before.json()["published_at"].is_null(),
        "nothing saved: {}",
        before.body
    );
    let r = app
        .page(
            &housing,
            Method::POST,
            "/referrals/capacity",
            &[
                ("open_places", "0"),
                ("waiting_list", "17"),
                ("expected_wait_days", "45"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let after = app
        .api(Some(&token), Method::GET, "/api/v1/capacity", None)
        .await;
    assert_eq!(after.json()["waiting_list"], 17);
    // The lead sees it when choosing where to refer.
    let social = signed_in(&app, "social", "es").await;
    let form = app
        .page(
            &social,
            Method::GET,
            &format!("/cases/{}/referrals/new", app.inclusion.case),
            &[],
        )
        .await;
    assert!(form.body.contains("17"), "{}", form.body);
    assert!(form.body.contains("45"));
    // Through the API, all or nothing.
    let r = app
        .api(
            Some(&token),
            Method::PUT,
            "/api/v1/capacity",
            Some(
                serde_json::json!({"open_places": 3, "waiting_list": -2, "expected_wait_days": 10}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let same = app
        .api(Some(&token), Method::GET, "/api/v1/capacity", None)
        .await;
    assert_eq!(same.json()["open_places"], 0);
    app.cleanup().await;
}

#[tokio::test]
async fn the_team_corrects_a_record_sees_its_history_and_merges_a_duplicate() {
    use elkarlan_domain::inclusion::person::PersonInput;
    use elkarlan_domain::policy::{Action, Grant, SystemTask};
    let app = TestApp::spawn().await;
    let person = app.inclusion.person;
    let social = signed_in(&app, "social", "en").await;
    let edit = format!("/people/{person}/edit");
    let form = app.page(&social, Method::GET, &edit, &[]).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("value=\"Amaia\""), "{}", form.body);
    assert_eq!(form.hidden("version"), "1");
    let fields = |day: &'static str, phone: &'static str, version: &'static str| {
        vec![
            ("version", version),
            ("given_name", "Amaia"),
            ("surname1", PERSON_SENTINEL),
            ("surname2", "Etxeberria"),
            ("document_kind", "none"),
            ("birth_date-day", day),
            ("birth_date-month", "5"),
            ("birth_date-year", "1988"),
            ("sex", "woman"),
            ("nationality", ""),
            ("languages", "eu, es"),
            ("preferred_lang", "eu"),
            ("neighbourhood", ""),
            ("phone", phone),
            ("email", ""),
        ]
    };
    // A date that does not exist: refused on its box, nothing saved.
    let r = app
        .page(
            &social,
            Method::POST,
            &edit,
            &fields("32", "600 999 888", "1")
                .iter()
                .map(|(k, v)| (*k, *v))
                .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#birth_date-day\""), "{}", r.body);
    let r = app
        .page(
            &social,
            Method::POST,
            &edit,
            &fields("17", "600 999 888", "1"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.header("location"),
        format!("/people/{person}?notice=person-saved")
    );
    // The same version again: someone changed it since; nothing is overwritten.
    let r = app
        .page(
            &social,
            Method::POST,
            &edit,
            &fields("17", "611 000 000", "1"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Someone else changed this record"));
    let history = app
        .page(
            &social,
            Method::GET,
            &format!("/people/{person}/history"),
            &[],
        )
        .await;
    assert_eq!(history.status, StatusCode::OK);
    assert!(
        history
            .body
            .contains("Phone (optional): 600 111 222 → 600 999 888"),
        "{}",
        history.body
    );
    assert!(!history.body.contains("611 000 000"));
    assert!(history.body.contains("Registered"));
    // The employment agency has a referral: it may read the history, not correct or merge.
    let lanbide = signed_in(&app, "lanbide", "en").await;
    for (path, status) in [
        (format!("/people/{person}/history"), StatusCode::OK),
        (edit.clone(), StatusCode::FORBIDDEN),
        (format!("/people/{person}/merge"), StatusCode::FORBIDDEN),
    ] {
        assert_eq!(
            app.page(&lanbide, Method::GET, &path, &[]).await.status,
            status,
            "{path}"
        );
    }

    // A duplicate registered by the same worker, its case closed: offered and merged.
    let grant = Grant::system(app.tenant, SystemTask::Bootstrap, Action::RegisterPerson);
    let today = elkarlan_domain::Timestamp::now().to_datetime().date_naive();
    let draft = PersonInput {
        given_name: "Amaia".into(),
        surname1: PERSON_SENTINEL.into(),
        birth_date: "1988-05-17".into(),
        sex: "woman".into(),
        languages: "eu".into(),
        preferred_lang: "eu".into(),
        ..PersonInput::default()
    }
    .parse(today)
    .expect("valid");
    let meta = elkarlan_store::audit::RequestMeta::default();
    let dup = elkarlan_store::people::create(
        &app.store,
        &grant,
        &meta,
        elkarlan_store::people::PersonRecord {
            draft: &draft,
            area: None,
            document: None,
        },
    )
    .await
    .expect("dup");
    let dup_case = elkarlan_store::cases::open(
        &app.store,
        &grant,
        &meta,
        dup,
        app.user_id("social"),
        app.agency(PublicSystem::SocialServices),
    )
    .await
    .expect("case");
    let token = app.token("social").await;
    let r = app
        .api(
            Some(&token),
            Method::POST,
            &format!("/api/v1/cases/{dup_case}/status"),
            Some(serde_json::json!({"status": "closed", "closure_reason": "transferred", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let merge = format!("/people/{person}/merge");
    let form = app.page(&social, Method::GET, &merge, &[]).await;
    assert!(
        form.body.contains(&format!("value=\"{dup}\"")),
        "{}",
        form.body
    );
    let r = app
        .page(&social, Method::POST, &merge, &[("duplicate", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#duplicate\""));
    let dup_id = dup.to_string();
    let r = app
        .page(
            &social,
            Method::POST,
            &merge,
            &[("duplicate", dup_id.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let history = app
        .page(
            &social,
            Method::GET,
            &format!("/people/{person}/history"),
            &[],
        )
        .await;
    assert!(history.body.contains("Duplicate merged in"));
    app.cleanup().await;
}

#[tokio::test]
async fn the_lead_withdraws_a_referral_from_the_case_page() {
    let app = TestApp::spawn().await;
    let case = app.inclusion.case;
    let referral = app.inclusion.referral;
    let social = signed_in(&app, "social", "en").await;
    let page = app
        .page(&social, Method::GET, &format!("/cases/{case}"), &[])
        .await;
    assert!(
        page.body
            .contains(&format!("action=\"/referrals/{referral}/withdraw\"")),
        "{}",
        page.body
    );
    let path = format!("/referrals/{referral}/withdraw");
    // A stale version: refused on the case page, nothing changed.
    let r = app
        .page(&social, Method::POST, &path, &[("version", "7")])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.body
            .contains(&format!("href=\"#referral-{referral}-withdraw\""))
    );
    // The receiving agency cannot withdraw what was sent to it.
    let lanbide = signed_in(&app, "lanbide", "en").await;
    let r = app
        .page(&lanbide, Method::POST, &path, &[("version", "1")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .page(&social, Method::POST, &path, &[("version", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.header("location"),
        format!("/cases/{case}?notice=referral-withdrawn")
    );
    let page = app
        .page(&social, Method::GET, &format!("/cases/{case}"), &[])
        .await;
    assert!(page.body.contains("Withdrawn"));
    assert!(
        !page
            .body
            .contains(&format!("action=\"/referrals/{referral}/withdraw\""))
    );
    // Out of order: withdrawing again is refused.
    let r = app
        .page(&social, Method::POST, &path, &[("version", "2")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.cleanup().await;
}
