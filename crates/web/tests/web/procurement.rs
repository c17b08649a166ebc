//! Responsible procurement through the pages and the API: a coordinator records a contract with
//! a lot, a social clause, a commitment and a failed compliance check; amounts that are negative
//! or overflow are refused per field; a reserved lot awarded to a company outside the register
//! is refused without a justification and saved and audited with one; the year's reserved share
//! is exact; the analyst sees the figures and none of the contracts.

use crate::common::{Browser, Reply, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::json;

fn location(r: &Reply) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.header("location").to_owned()
}

async fn signed_in(app: &TestApp, user: &str, lang: &'static str) -> Browser {
    let mut b = app.sign_in(user).await;
    b.lang = Some(lang);
    b
}

fn id_after<'a>(loc: &'a str, prefix: &str) -> &'a str {
    loc.strip_prefix(prefix)
        .and_then(|r| r.split('?').next())
        .expect("an id in the location")
}

#[tokio::test]
async fn a_coordinator_records_a_contract_with_lot_clause_commitment_and_check() {
    let app = TestApp::spawn().await;
    let b = signed_in(&app, "coordinator", "en").await;
    let r = app
        .page(
            &b,
            Method::POST,
            "/contracts/new",
            &[
                ("file_number", "2026/CON/0100"),
                ("contracting_body", "Bilboko Udala"),
                ("title", "Mantenimiento de zonas verdes de Otxarkoaga"),
                ("cpv", "77310000-6"),
                ("category", "services"),
                ("procedure", "open"),
                ("status", "tendering"),
                ("amount", "150.000,50"),
                ("reservation", "not_reserved"),
                ("starts_on-day", "1"),
                ("starts_on-month", "3"),
                ("starts_on-year", "2026"),
                ("ends_on-day", "28"),
                ("ends_on-month", "2"),
                ("ends_on-year", "2027"),
            ],
        )
        .await;
    let loc = location(&r);
    let contract = id_after(&loc, "/contracts/").to_owned();
    let page = app.page(&b, Method::GET, &loc, &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("ocds-elk001-2026/CON/0100"),
        "{}",
        page.body
    );
    assert!(page.body.contains("150.000,50 €"));

    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/contracts/{contract}/lots/new"),
            &[
                ("number", "1"),
                ("title", "Parques del barrio"),
                ("cpv", "77310000"),
                ("amount", "60.000"),
                ("reservation", "special_employment_centres"),
            ],
        )
        .await;
    location(&r);
    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/contracts/{contract}/clauses/new"),
            &[
                ("lot", ""),
                ("stage", "award_criterion"),
                ("purpose", "hiring_at_risk"),
                (
                    "description",
                    "Puntos por contratar personas en riesgo de exclusión",
                ),
                ("weight", "15"),
                ("penalty", "5 % del importe anual"),
            ],
        )
        .await;
    let loc = location(&r);
    let clause = id_after(&loc, "/clauses/").to_owned();
    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/clauses/{clause}/commitments/new"),
            &[
                ("kind", "hire_participants"),
                ("description", "Contratar a tres personas del itinerario"),
                ("target", "3"),
                ("unit", "people"),
                ("due_on-day", "31"),
                ("due_on-month", "12"),
                ("due_on-year", "2026"),
            ],
        )
        .await;
    location(&r);
    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/clauses/{clause}/checks/new"),
            &[
                ("checked_on-day", "30"),
                ("checked_on-month", "9"),
                ("checked_on-year", "2026"),
                ("verdict", "non_compliant"),
                ("evidence", "TC2 del tercer trimestre"),
                ("penalty", "2.500"),
                ("note", "Ninguna contratación en el trimestre"),
            ],
        )
        .await;
    let loc = location(&r);
    let page = app.page(&b, Method::GET, &loc, &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    // The failure with its penalty is shown prominently, and the progress is a count.
    assert!(
        page.body
            .contains("Non-compliant on 2026-09-30: penalty of 2.500,00 €"),
        "{}",
        page.body
    );
    assert!(page.body.contains("app-procurement-warning"));
    assert!(page.body.contains("0 of 3 people"));
    assert!(
        page.body
            .contains("Contratar a tres personas del itinerario")
    );
    // The contract lists its lot and its clause with the latest verdict.
    let detail = app
        .page(&b, Method::GET, &format!("/contracts/{contract}"), &[])
        .await;
    assert!(detail.body.contains("Parques del barrio"));
    assert!(detail.body.contains("Non-compliant"));

    // The same through the API.
    let token = app.token("coordinator").await;
    let r = app
        .api(
            Some(&token),
            Method::POST,
            "/api/v1/contracts",
            Some(json!({
                "file_number": "2026/CON/0101", "contracting_body": "Bilboko Udala",
                "title": "Catering social", "cpv": "55520000", "category": "services",
                "procedure": "simplified_open", "amount": "30000", "reservation": "both"
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let api_contract = r.json()["id"].as_str().expect("id").to_owned();
    let r = app
        .api(
            Some(&token),
            Method::POST,
            &format!("/api/v1/contracts/{api_contract}/lots"),
            Some(json!({"number": "1", "title": "Comedor", "cpv": "55520000", "amount": "30000", "reservation": "both"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .api(
            Some(&token),
            Method::POST,
            &format!("/api/v1/contracts/{api_contract}/clauses"),
            Some(json!({"stage": "execution_condition", "purpose": "gender_equality", "description": "Plan de igualdad"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let api_clause = r.json()["id"].as_str().expect("id").to_owned();
    let r = app
        .api(
            Some(&token),
            Method::POST,
            &format!("/api/v1/clauses/{api_clause}/checks"),
            Some(json!({"checked_on": "2026-10-01", "evidence": "Plan registrado", "verdict": "compliant"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .api(
            Some(&token),
            Method::GET,
            &format!("/api/v1/clauses/{api_clause}"),
            None,
        )
        .await;
    assert_eq!(r.json()["checks"][0]["verdict"], "compliant");
    let r = app
        .api(
            Some(&token),
            Method::GET,
            &format!("/api/v1/contracts/{api_contract}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["contract"]["amount_cents"], 3_000_000);
    assert_eq!(r.json()["lots"].as_array().map(Vec::len), Some(1));
    let etag = r.header("etag").to_owned();
    // An update needs If-Match: 428 without it, 204 with it, 412 with a stale one.
    let change = json!({
        "file_number": "2026/CON/0101", "contracting_body": "Bilboko Udala",
        "title": "Catering social de Otxarkoaga", "cpv": "55520000", "category": "services",
        "procedure": "simplified_open", "amount": "31000", "reservation": "both"
    });
    let r = app
        .api(
            Some(&token),
            Method::PUT,
            &format!("/api/v1/contracts/{api_contract}"),
            Some(change.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    let put = |tag: String| {
        axum::http::Request::builder()
            .method(Method::PUT)
            .uri(format!("/api/v1/contracts/{api_contract}"))
            .header("host", "127.0.0.1:8080")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .header("if-match", tag)
            .body(axum::body::Body::from(change.to_string()))
            .expect("request")
    };
    assert_eq!(
        app.send(put(etag.clone())).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.send(put(etag)).await.status,
        StatusCode::PRECONDITION_FAILED
    );

    // A form opened before someone else saved: refused with 409, and the form shown again holds
    // the current version, so saving it once more succeeds.
    let edit = format!("/contracts/{api_contract}/edit");
    let opened = app.page(&b, Method::GET, &edit, &[]).await;
    let read_at = opened.hidden("version");
    let r = app.send(put(format!("\"v{read_at}\""))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let mine = [
        ("file_number", "2026/CON/0101"),
        ("contracting_body", "Bilboko Udala"),
        ("title", "Catering social, segunda fase"),
        ("cpv", "55520000"),
        ("category", "services"),
        ("procedure", "simplified_open"),
        ("amount", "31000"),
        ("reservation", "both"),
    ];
    let mut form = mine.to_vec();
    form.push(("version", &read_at));
    let refused = app.page(&b, Method::POST, &edit, &form).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    let current = refused.hidden("version");
    assert_ne!(current, read_at, "the form shows the version saved since");
    assert!(
        refused.body.contains("segunda fase"),
        "what was typed is kept"
    );
    let mut form = mine.to_vec();
    form.push(("version", &current));
    let saved = app.page(&b, Method::POST, &edit, &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let r = app
        .api(
            Some(&token),
            Method::GET,
            &format!("/api/v1/contracts/{api_contract}"),
            None,
        )
        .await;
    assert_eq!(
        r.json()["contract"]["title"],
        "Catering social, segunda fase"
    );
    app.cleanup().await;
}

#[tokio::test]
async fn negative_and_overflowing_amounts_are_refused_per_field() {
    let app = TestApp::spawn().await;
    let b = signed_in(&app, "coordinator", "es").await;
    let base = [
        ("file_number", "2026/CON/0200"),
        ("contracting_body", "Bilboko Udala"),
        ("title", "Suministro"),
        ("cpv", "30190000"),
        ("category", "goods"),
        ("procedure", "minor"),
    ];
    for (amount, message) in [
        ("-1.000", "El importe no puede ser negativo"),
        ("99999999999999999999999", "El importe es demasiado grande"),
    ] {
        let mut form = base.to_vec();
        form.push(("amount", amount));
        let r = app.page(&b, Method::POST, "/contracts/new", &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{amount}");
        assert!(r.body.contains(message), "{amount}: {}", r.body);
        assert!(
            r.body.contains("href=\"#amount\""),
            "linked from the summary"
        );
    }
    let token = app.token("coordinator").await;
    let r = app
        .api(
            Some(&token),
            Method::POST,
            &format!("/api/v1/contracts/{}/lots", app.procurement.contract),
            Some(json!({"number": "2", "title": "X", "cpv": "90910000", "amount": "-5"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("error-amount-negative"), "{}", r.body);
    let r = app
        .api(
            Some(&token),
            Method::GET,
            &format!("/api/v1/contracts/{}/lots", app.procurement.contract),
            None,
        )
        .await;
    assert_eq!(
        r.json().as_array().map(Vec::len),
        Some(1),
        "nothing half-saved"
    );
    app.cleanup().await;
}

#[tokio::test]
async fn a_reserved_lot_awarded_outside_the_register_needs_a_justification_and_is_audited() {
    let app = TestApp::spawn().await;
    let fx = &app.procurement;
    let b = signed_in(&app, "coordinator", "en").await;
    let path = format!("/contracts/{}/award", fx.contract);
    let lot = fx.lot.to_string();
    let company = fx.company.to_string();
    let mut form = vec![
        ("lot", lot.as_str()),
        ("awardee", company.as_str()),
        ("awarded_amount", "75.000"),
        ("awarded_on-day", "15"),
        ("awarded_on-month", "4"),
        ("awarded_on-year", "2026"),
        ("justification", ""),
    ];
    let r = app.page(&b, Method::POST, &path, &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("is not in the matching register on the award date"),
        "{}",
        r.body
    );
    assert!(r.body.contains("href=\"#justification\""));
    let lots = elkarlan_store::contracts::lots(&app.store, fx.contract)
        .await
        .expect("lots");
    assert_eq!(lots[0].awardee, None, "refused: nothing saved");

    let why = "Ninguna empresa de inserción se presentó; adjudicación tras licitación desierta";
    form.pop();
    form.push(("justification", why));
    let r = app.page(&b, Method::POST, &path, &form).await;
    location(&r);
    let lots = elkarlan_store::contracts::lots(&app.store, fx.contract)
        .await
        .expect("lots");
    assert_eq!(lots[0].awardee, Some(fx.company));
    assert_eq!(lots[0].awarded_cents, Some(7_500_000));
    assert_eq!(lots[0].eligibility_justification.as_deref(), Some(why));
    let trail = elkarlan_store::audit::list(
        &app.store,
        app.tenant,
        &elkarlan_store::audit::AuditFilter {
            entity_type: "contract_award".into(),
            ..Default::default()
        },
        10,
    )
    .await
    .expect("trail");
    assert_eq!(trail.len(), 1, "{trail:?}");
    assert!(trail[0].detail.contains(why), "{}", trail[0].detail);
    assert!(trail[0].detail.contains("\"eligible\":false"));
    let page = app
        .page(&b, Method::GET, &format!("/contracts/{}", fx.contract), &[])
        .await;
    assert!(
        page.body
            .contains("Lot 1 was awarded to an organisation not shown eligible")
    );

    // The insertion company in its register needs no justification (API).
    let token = app.token("coordinator").await;
    let r = app
        .api(
            Some(&token),
            Method::POST,
            &format!("/api/v1/contracts/{}/award", fx.contract),
            Some(json!({"lot": fx.lot, "awardee": fx.insertion_company, "awarded_amount": "78000", "awarded_on": "2026-04-20"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // The special employment centre is outside this lot's reservation.
    let r = app
        .api(
            Some(&token),
            Method::POST,
            &format!("/api/v1/contracts/{}/award", fx.contract),
            Some(json!({"lot": fx.lot, "awardee": fx.employment_centre, "awarded_amount": "78000", "awarded_on": "2026-04-20"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("error-award-not-covered"));
    app.cleanup().await;
}

#[tokio::test]
async fn the_reserved_share_is_exact_and_shown_against_the_target() {
    let app = TestApp::spawn().await;
    let fx = &app.procurement;
    let token = app.token("coordinator").await;
    let b = signed_in(&app, "coordinator", "en").await;
    // The fixture contract: one lot of 80.000 reserved, awarded for 77.777,77; add a second,
    // unreserved lot awarded for 122.222,23. Share: 77.777,77 / 200.000,00 = 388,9 ‰ → 389.
    let r = app
        .api(
            Some(&token),
            Method::POST,
            &format!("/api/v1/contracts/{}/lots", fx.contract),
            Some(json!({"number": "2", "title": "Resto de centros", "cpv": "90910000", "amount": "120000"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let lot2 = r.json()["id"].as_str().expect("id").to_owned();
    for (lot, who, amount) in [
        (
            fx.lot.to_string(),
            fx.insertion_company.to_string(),
            "77.777,77",
        ),
        (lot2, fx.company.to_string(), "122.222,23"),
    ] {
        let r = app
            .api(
                Some(&token),
                Method::POST,
                &format!("/api/v1/contracts/{}/award", fx.contract),
                Some(json!({"lot": lot, "awardee": who, "awarded_amount": amount, "awarded_on": "2026-05-04"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }
    // A reserved contract without lots, awarded the same year, and one of another year.
    for (file, year, amount) in [
        ("2026/CON/0300", "2026", "50000"),
        ("2025/CON/0300", "2025", "999999"),
    ] {
        let r = app
            .api(
                Some(&token),
                Method::POST,
                "/api/v1/contracts",
                Some(json!({"file_number": file, "contracting_body": "Bilboko Udala", "title": "Lavandería",
                    "cpv": "98310000", "category": "services", "procedure": "open", "amount": amount,
                    "reservation": "special_employment_centres"})),
            )
            .await;
        let id = r.json()["id"].as_str().expect("id").to_owned();
        let r = app
            .api(
                Some(&token),
                Method::POST,
                &format!("/api/v1/contracts/{id}/award"),
                Some(json!({"awardee": fx.employment_centre, "awarded_amount": amount, "awarded_on": format!("{year}-06-01")})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }
    let share = elkarlan_store::contracts::reserved_share(&app.store, app.tenant, 2026)
        .await
        .expect("share");
    assert_eq!(share.total_cents, 25_000_000);
    assert_eq!(share.reserved_cents, 7_777_777 + 5_000_000);
    // 12.777.777 / 25.000.000 = 0,51111108 → 511 ‰
    assert_eq!(share.permille, Some(511));
    assert_eq!(share.contracts, 2);

    let r = app
        .page(
            &b,
            Method::POST,
            "/procurement/targets",
            &[("year", "2026"), ("target", "55")],
        )
        .await;
    location(&r);
    let page = app.page(&b, Method::GET, "/contracts?year=2026", &[]).await;
    assert!(page.body.contains("51,1 %"), "{}", page.body);
    assert!(page.body.contains("55,0 %"));
    assert!(page.body.contains("below the council"));
    let r = app
        .page(
            &b,
            Method::POST,
            "/procurement/targets",
            &[("year", "2026"), ("target", "8")],
        )
        .await;
    location(&r);
    let page = app.page(&b, Method::GET, "/contracts?year=2026", &[]).await;
    assert!(page.body.contains("8,0 %"));
    assert!(!page.body.contains("below the council"));
    // Filters: reserved contracts of 2025 only.
    let page = app
        .page(&b, Method::GET, "/contracts?year=2025&reserved=yes", &[])
        .await;
    assert!(page.body.contains("2025/CON/0300"));
    assert!(!page.body.contains("2026/CON/0001"));
    app.cleanup().await;
}

#[tokio::test]
async fn the_analyst_sees_the_figures_but_no_contract() {
    let app = TestApp::spawn().await;
    let analyst = signed_in(&app, "analyst", "eu").await;
    let r = app
        .page(&analyst, Method::GET, "/ecosystem/figures?year=2026", &[])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Ekosistemaren zifrak"));
    // Counts only: no organisation's name, no hires under 5 shown.
    assert!(!r.body.contains("Garbiker"));
    assert!(r.body.contains("5 baino gutxiago"));
    for path in [
        "/contracts".to_owned(),
        format!("/contracts/{}", app.procurement.contract),
        format!("/clauses/{}", app.procurement.clause),
    ] {
        let r = app.page(&analyst, Method::GET, &path, &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let token = app.token("analyst").await;
    let r = app
        .api(Some(&token), Method::GET, "/api/v1/contracts", None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    app.cleanup().await;
}

#[tokio::test]
async fn matching_lists_eligible_entities_and_a_bad_package_imports_nothing() {
    let app = TestApp::spawn().await;
    let b = signed_in(&app, "coordinator", "en").await;
    let page = app
        .page(
            &b,
            Method::GET,
            &format!("/contracts/{}", app.procurement.contract),
            &[],
        )
        .await;
    // Lot 1 is reserved to insertion companies: the one in its register is listed, the
    // special employment centre and the company are not.
    let matching = page
        .body
        .split("id=\"matching-1\"")
        .nth(1)
        .expect("matching table");
    assert!(matching.contains("Garbiker Otxarkoaga"));
    assert!(!matching.contains("Lantegi Berri"));
    assert!(!matching.contains("Garbiketak Bilbo"));
    // A clause on hiring people at risk lists the social economy entities whose activities fit.
    let page = app
        .page(
            &b,
            Method::GET,
            &format!("/clauses/{}", app.procurement.clause),
            &[],
        )
        .await;
    assert!(page.body.contains("id=\"matching\""));
    assert!(page.body.contains("Lantegi Berri Zentroa"));
    assert!(!page.body.contains("Garbiketak Bilbo"));

    let before = elkarlan_store::contracts::list(&app.store, app.tenant, &Default::default())
        .await
        .expect("list")
        .len();
    let boundary = "XPROCUREMENTX";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.json\"\r\nContent-Type: application/json\r\n\r\n{{not json\r\n--{boundary}--\r\n",
        b.csrf
    );
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/contracts/import")
        .header("host", "127.0.0.1:8080")
        .header("origin", "http://127.0.0.1:8080")
        .header("cookie", b.cookie_header())
        .header("accept-language", "en")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .expect("request");
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"problems\""));
    let after = elkarlan_store::contracts::list(&app.store, app.tenant, &Default::default())
        .await
        .expect("list")
        .len();
    assert_eq!(before, after);
    // The exports answer with the contracts.
    let r = app
        .page(&b, Method::GET, "/exports/contracts.ocds.json", &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("ocds-elk001-2026/CON/0001"));
    let r = app
        .page(&b, Method::GET, "/exports/contracts/csv", &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("2026/CON/0001"));
    app.cleanup().await;
}
