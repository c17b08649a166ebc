//! People, cases, referrals, consents and emergency access through the pages, as a browser
//! drives them: forms, 303 after success, 422 with linked errors, and the policy's refusals.

use crate::common::{Browser, PERSON_SENTINEL, Reply, TestApp};
use axum::http::{Method, StatusCode};
use elkarlan_domain::organisation::PublicSystem;

/// The first value of `attr="prefix..."` in the page, without the prefix.
fn attr_after(r: &Reply, prefix: &str) -> String {
    r.body
        .split(prefix)
        .nth(1)
        .and_then(|rest| rest.split(['"', '?', '/']).next())
        .unwrap_or("")
        .to_owned()
}

async fn signed_in(app: &TestApp, user: &str, lang: &'static str) -> Browser {
    let mut b = app.sign_in(user).await;
    b.lang = Some(lang);
    b
}

fn person_form<'a>(dni: &'a str, day: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("given_name", "Miren"),
        ("surname1", "Goikoetxea"),
        ("surname2", ""),
        ("document_kind", "dni"),
        ("document_number", dni),
        ("document_country", ""),
        ("birth_date-day", day),
        ("birth_date-month", "4"),
        ("birth_date-year", "1990"),
        ("sex", "woman"),
        ("nationality", "ES"),
        ("languages", "eu, es"),
        ("preferred_lang", "eu"),
        ("neighbourhood", ""),
        ("phone", "600 123 456"),
        ("email", ""),
    ]
}

#[tokio::test]
async fn registering_a_person_through_the_form_opens_their_case() {
    let app = TestApp::spawn().await;
    let social = signed_in(&app, "social", "es").await;

    let home = app.page(&social, Method::GET, "/home", &[]).await;
    assert!(home.body.contains("href=\"/people\""));
    assert!(home.body.contains("href=\"/referrals\""));
    let admin = app.sign_in("admin").await;
    let home = app.page(&admin, Method::GET, "/home", &[]).await;
    assert!(!home.body.contains("href=\"/people\""));
    assert_eq!(
        app.page(&admin, Method::GET, "/people", &[]).await.status,
        StatusCode::FORBIDDEN
    );

    let search = app.page(&social, Method::GET, "/people", &[]).await;
    assert_eq!(search.status, StatusCode::OK);
    assert!(search.body.contains("id=\"person-search\""));
    assert!(search.body.contains("id=\"new-person\""));
    assert!(!search.body.contains("govuk-error-summary"));

    let form = app.page(&social, Method::GET, "/people/new", &[]).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("id=\"birth_date-day\""));
    assert!(form.body.contains(
        "<legend class=\"govuk-fieldset__legend govuk-fieldset__legend--s\">Sexo</legend>"
    ));

    // A DNI whose letter does not match, in Spanish, linked from the summary and inline.
    let r = app
        .page(
            &social,
            Method::POST,
            "/people/new",
            &person_form("12345678A", "3"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("<title>Error: "));
    assert!(
        r.body
            .contains("href=\"#document_number\">La letra del DNI no corresponde al número")
    );
    assert!(
        r.body
            .contains("aria-describedby=\"person-document-number-hint document_number-error\"")
            || r.body.contains("document_number-error\"")
    );
    // What was typed is kept.
    assert!(r.body.contains("value=\"Goikoetxea\""));

    // An impossible date of birth is reported on the day box.
    let r = app
        .page(
            &social,
            Method::POST,
            "/people/new",
            &person_form("12345678Z", "31"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#birth_date-day\""));
    assert!(r.body.contains("id=\"birth_date-error\""));

    let r = app
        .page(
            &social,
            Method::POST,
            "/people/new",
            &person_form("12345678Z", "3"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let case_path = r.header("location").to_owned();
    assert!(case_path.starts_with("/cases/"));

    let case = app.page(&social, Method::GET, &case_path, &[]).await;
    assert_eq!(case.status, StatusCode::OK);
    assert!(case.body.contains("Miren Goikoetxea"));
    assert!(case.body.contains("id=\"case-status-tag\">Abierto"));
    assert!(case.body.contains("id=\"case-status\""));
    assert!(case.body.contains("id=\"new-referral\""));
    let person = attr_after(&case, "href=\"/people/");

    // Found by name, accents aside, with the document masked.
    let found = app
        .page(&social, Method::GET, "/people?q=miren+goikoetxea", &[])
        .await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains(&format!("href=\"/people/{person}\"")));
    assert!(found.body.contains("DNI"));
    assert!(!found.body.contains("12345678Z"));
    let short = app.page(&social, Method::GET, "/people?q=m", &[]).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("href=\"#q\""));

    // The same person again: a warning with the candidate, then registered on confirmation.
    let again = app
        .page(
            &social,
            Method::POST,
            "/people/new",
            &person_form("12345678Z", "3"),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("id=\"duplicate-candidates\""));
    assert!(again.body.contains(&format!("href=\"/people/{person}\"")));
    assert!(again.body.contains("name=\"confirmed_new\""));
    let mut confirmed = person_form("12345678Z", "3");
    confirmed.push(("confirmed_new", "true"));
    let r = app
        .page(&social, Method::POST, "/people/new", &confirmed)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // The person's record: fields, categories with their basis, no consents yet.
    let record = app
        .page(&social, Method::GET, &format!("/people/{person}"), &[])
        .await;
    assert_eq!(record.status, StatusCode::OK);
    assert!(record.body.contains("1990-04-03"));
    assert!(record.body.contains("Tu trabajo con esta persona"));
    assert!(record.body.contains("id=\"consents-empty\""));
    assert!(record.body.contains("id=\"new-consent\""));
    assert!(record.body.contains(&format!("href=\"{case_path}\"")));

    // Another team cannot tell that the person exists.
    let housing = app.sign_in("housing").await;
    let hidden = app
        .page(&housing, Method::GET, &format!("/people/{person}"), &[])
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert!(!hidden.body.contains("Goikoetxea"));
    let hidden = app.page(&housing, Method::GET, &case_path, &[]).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    app.cleanup().await;
}

#[tokio::test]
async fn a_referral_sent_on_the_form_is_accepted_in_the_inbox_and_consent_is_withdrawn() {
    let app = TestApp::spawn().await;
    let fx = &app.inclusion;
    let social = signed_in(&app, "social", "en").await;
    let lanbide_agency = app.agency(PublicSystem::EmploymentIncome);

    let form = app
        .page(
            &social,
            Method::GET,
            &format!("/cases/{}/referrals/new", fx.case),
            &[],
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(&format!("value=\"{lanbide_agency}\"")));
    assert!(form.body.contains("No capacity published"));
    // One's own agency is not offered.
    assert!(!form.body.contains(&format!(
        "value=\"{}\"",
        app.agency(PublicSystem::SocialServices)
    )));

    let empty = app
        .page(
            &social,
            Method::POST,
            &format!("/cases/{}/referrals/new", fx.case),
            &[],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("href=\"#to_agency\""));
    assert!(empty.body.contains("href=\"#reason\""));
    assert!(empty.body.contains("href=\"#urgency\""));

    let agency = lanbide_agency.to_string();
    let sent = app
        .page(
            &social,
            Method::POST,
            &format!("/cases/{}/referrals/new", fx.case),
            &[
                ("to_agency", agency.as_str()),
                ("reason", "Training itinerary and job search"),
                ("urgency", "routine"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let case_path = format!("/cases/{}", fx.case);
    assert!(sent.header("location").starts_with(&case_path));
    let case = app
        .page(&social, Method::GET, sent.header("location"), &[])
        .await;
    assert!(case.body.contains("The referral has been sent"));
    assert!(case.body.contains("Not answered yet"));

    // The employment agency accepts it from its inbox.
    let lanbide = signed_in(&app, "lanbide", "en").await;
    let inbox = app.page(&lanbide, Method::GET, "/referrals", &[]).await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.body.contains(PERSON_SENTINEL));
    assert!(inbox.body.contains("Training itinerary and job search"));
    assert!(inbox.body.contains("accept-referral"));
    let referrals = elkarlan_store::referrals::for_case(&app.store, app.tenant, fx.case)
        .await
        .expect("referrals");
    let new = referrals
        .iter()
        .find(|r| r.id != fx.referral)
        .expect("the referral sent on the form");
    let version = new.version.to_string();
    // Before accepting, the recipient sees who the person is, not their consents' controls.
    let record_path = format!("/people/{}", fx.person);
    let seen = app.page(&lanbide, Method::GET, &record_path, &[]).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.body.contains(PERSON_SENTINEL));
    assert!(!seen.body.contains("withdraw-consent"));
    assert!(!seen.body.contains("id=\"new-consent\""));
    assert!(!seen.body.contains("id=\"person-case\""));
    let moves = format!("/referrals/{}/transitions", new.id);

    // Declining without a reason is refused and linked to that row's select.
    let r = app
        .page(
            &lanbide,
            Method::POST,
            &moves,
            &[("status", "declined"), ("version", version.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains(&format!("href=\"#decline_reason-{}\"", new.id))
    );
    assert!(
        r.body
            .contains(&format!("id=\"decline_reason-{}-error\"", new.id))
    );

    // Social services cannot answer for the receiving agency.
    let r = app
        .page(
            &social,
            Method::POST,
            &moves,
            &[("status", "accepted"), ("version", version.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = app
        .page(
            &lanbide,
            Method::POST,
            &moves,
            &[("status", "accepted"), ("version", version.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.header("location"), "/referrals?notice=referral-moved");
    let inbox = app
        .page(&lanbide, Method::GET, r.header("location"), &[])
        .await;
    assert!(inbox.body.contains("The referral has been updated"));
    assert!(inbox.body.contains("start-referral"));
    let case = app.page(&social, Method::GET, &case_path, &[]).await;
    assert!(
        case.body
            .contains("<strong class=\"govuk-tag\">Accepted</strong>")
    );

    // Consent: the fixture's housing consent is withdrawn from the person's page.
    let record = app.page(&social, Method::GET, &record_path, &[]).await;
    assert_eq!(record.status, StatusCode::OK);
    let withdraw = format!("{record_path}/consents/{}/withdraw", fx.consent);
    assert!(record.body.contains(&format!("action=\"{withdraw}\"")));
    assert!(record.body.contains("withdraw-consent"));
    // Having accepted, the employment agency is on the team: it may manage consent too.
    let seen = app.page(&lanbide, Method::GET, &record_path, &[]).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.body.contains("id=\"new-consent\""));
    // Housing is not on the team.
    let housing = app.sign_in("housing").await;
    assert_eq!(
        app.page(&housing, Method::POST, &withdraw, &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let r = app.page(&social, Method::POST, &withdraw, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location"),
        format!("{record_path}?notice=consent-withdrawn")
    );
    let record = app
        .page(&social, Method::GET, r.header("location"), &[])
        .await;
    assert!(record.body.contains("The consent has been withdrawn"));
    assert!(record.body.contains("Withdrawn"));
    assert!(!record.body.contains("withdraw-consent"));
    let again = app.page(&social, Method::POST, &withdraw, &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("This consent was already withdrawn"));

    // A new consent through the form: an expiry in the past is linked to its day box.
    let new_consent = format!("{record_path}/consents/new");
    let form = app.page(&social, Method::GET, &new_consent, &[]).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("id=\"expires_on-day\""));
    let past = app
        .page(
            &social,
            Method::POST,
            &new_consent,
            &[
                ("purpose", "Housing support"),
                ("recipients", "housing"),
                ("recipients", "education"),
                ("categories", "housing"),
                ("evidence", "Signed form 2026-3"),
                ("expires_on-day", "1"),
                ("expires_on-month", "1"),
                ("expires_on-year", "2020"),
            ],
        )
        .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(past.body.contains("href=\"#expires_on-day\""));
    // Both ticked recipients stay ticked.
    assert!(past.body.contains("value=\"education\" checked"));
    let ok = app
        .page(
            &social,
            Method::POST,
            &new_consent,
            &[
                ("purpose", "Housing support"),
                ("recipients", "housing"),
                ("recipients", "education"),
                ("categories", "housing"),
                ("evidence", "Signed form 2026-3"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let record = app
        .page(&social, Method::GET, ok.header("location"), &[])
        .await;
    assert!(record.body.contains("The consent has been recorded"));
    assert!(record.body.contains("Housing, Education"));
    app.cleanup().await;
}

#[tokio::test]
async fn emergency_access_through_the_pages_is_reviewed_by_the_dpo() {
    let app = TestApp::spawn().await;
    let fx = &app.inclusion;
    let education = signed_in(&app, "education", "en").await;
    let case_path = format!("/cases/{}", fx.case);
    assert_eq!(
        app.page(&education, Method::GET, &case_path, &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let glass = format!("{case_path}/break-glass");
    let form = app.page(&education, Method::GET, &glass, &[]).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("id=\"reason\""));
    assert!(form.body.contains("id=\"break-glass\""));
    let short = app
        .page(&education, Method::POST, &glass, &[("reason", "urgent")])
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("href=\"#reason\""));
    let reason = "The child did not come to school and the family cannot be reached";
    let r = app
        .page(&education, Method::POST, &glass, &[("reason", reason)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let case = app
        .page(&education, Method::GET, r.header("location"), &[])
        .await;
    assert_eq!(case.status, StatusCode::OK);
    assert!(case.body.contains("Emergency access is open for one hour"));
    assert!(!case.body.contains("id=\"case-status\""));

    let dpo = signed_in(&app, "dpo", "en").await;
    let home = app.page(&dpo, Method::GET, "/home", &[]).await;
    assert!(home.body.contains("href=\"/dpo/break-glass\""));
    let queue = app.page(&dpo, Method::GET, "/dpo/break-glass", &[]).await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains(reason));
    let id = attr_after(&queue, "action=\"/dpo/break-glass/");
    let review = format!("/dpo/break-glass/{id}");
    let r = app.page(&dpo, Method::POST, &review, &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains(&format!("href=\"#outcome-{id}\"")));
    let r = app
        .page(&dpo, Method::POST, &review, &[("outcome", "justified")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let queue = app.page(&dpo, Method::GET, r.header("location"), &[]).await;
    assert!(queue.body.contains("id=\"reviews-empty\""));
    let again = app
        .page(&dpo, Method::POST, &review, &[("outcome", "justified")])
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    let log = app
        .page(
            &dpo,
            Method::GET,
            &format!("/people/{}/access-log", fx.person),
            &[],
        )
        .await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.contains("education"));
    assert!(log.body.contains("break_glass"));
    app.cleanup().await;
}
