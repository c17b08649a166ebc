//! Project indicators, the project dashboard, the annual reports and the indicators API: every
//! number shown is the stored, disclosure-controlled result; suppressed cells never carry a
//! value; bad periods, years, scopes and breakdowns are per-field errors (422); the coordinator
//! sets a project's indicators, the analyst reads, everyone else is refused.

use crate::common::TestApp;
use axum::http::{Method, StatusCode};
use elkarlan_domain::indicators::catalogue;
use elkarlan_domain::indicators::definition::{
    Disaggregation, IndicatorDefinition, IndicatorValue, Key, Unit,
};
use elkarlan_domain::indicators::publish::Published;
use elkarlan_domain::indicators::results::{self, Scope};
use elkarlan_domain::policy::{Action, Grant, SystemTask};
use elkarlan_domain::portfolio::ProjectInput;
use elkarlan_domain::{Lang, ProjectId};
use elkarlan_store::indicator_results;
use serde_json::{Value, json};

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn this_year() -> i32 {
    today().format("%Y").to_string().parse().expect("year")
}

async fn refresh(app: &TestApp) {
    indicator_results::refresh_due(&app.store, app.tenant, catalogue::all(), today())
        .await
        .expect("results computed");
}

fn field_errors(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_owned(),
                        e["code"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A project in the first neighbourhood of the tenant, judged by `codes`.
async fn project_in_a_neighbourhood(app: &TestApp, codes: &[&str]) -> (ProjectId, String) {
    crate::employment::load_territory(app).await;
    let area = elkarlan_store::territory::list(&app.store, app.tenant)
        .await
        .expect("areas")
        .into_iter()
        .find(|a| a.kind == "neighbourhood")
        .expect("a neighbourhood");
    let grant = Grant::system(app.tenant, SystemTask::Bootstrap, Action::ManagePortfolio);
    let meta = elkarlan_store::audit::RequestMeta::default();
    let d = ProjectInput {
        code: "AUZO-PLANA".into(),
        name_eu: "Auzoko plana".into(),
        name_es: "Plan de barrio".into(),
        objectives: "Empleo y economía social en el barrio".into(),
        status: "active".into(),
        starts_on: format!("{}-01-01", this_year()),
        ends_on: format!("{}-12-31", this_year() + 1),
        neighbourhoods: vec![area.id.to_string()],
        budget: format!("{}; 75.000; 12.345,67", this_year()),
        ..ProjectInput::default()
    }
    .parse()
    .expect("valid project");
    let id = elkarlan_store::projects::create(&app.store, &grant, &meta, &d)
        .await
        .expect("project");
    let codes: Vec<String> = codes.iter().map(|c| (*c).to_owned()).collect();
    indicator_results::set_project_indicators(&app.store, &grant, &meta, id, &codes)
        .await
        .expect("indicators");
    (id, area.code)
}

fn status_of(p: &Published) -> &'static str {
    match p {
        Published::Suppressed => "suppressed",
        Published::Value(IndicatorValue::NoData) => "no_data",
        Published::Value(IndicatorValue::DivisionByZero) => "division_by_zero",
        Published::Value(IndicatorValue::Value(_)) => "value",
    }
}

/// The API's cells against the stored ones, one by one; returns how many were suppressed.
fn same_cells(json: &Value, stored: &[(Key, Published)], what: &str) -> usize {
    let cells = json["cells"].as_array().expect("cells");
    assert_eq!(cells.len(), stored.len(), "{what}: {json}");
    let mut suppressed = 0;
    for (c, (key, p)) in cells.iter().zip(stored) {
        let group = match key {
            Key::Total => String::new(),
            Key::Group(g) => g.clone(),
        };
        assert_eq!(c["group"], group.as_str(), "{what}");
        assert_eq!(c["status"], status_of(p), "{what}: {c}");
        match p {
            Published::Value(IndicatorValue::Value(r)) => {
                assert_eq!(c["ratio"]["numerator"], r.numerator, "{what}");
                assert_eq!(c["ratio"]["denominator"], r.denominator, "{what}");
                assert!(c["value"].is_number(), "{what}: {c}");
            }
            _ => {
                // Never a number for a hidden or missing cell, not even a zero.
                assert!(
                    c.get("value").is_none() && c.get("ratio").is_none(),
                    "{what}: {c}"
                );
                if *p == Published::Suppressed {
                    suppressed += 1;
                }
            }
        }
    }
    suppressed
}

#[tokio::test]
async fn the_values_api_answers_the_stored_results_and_never_a_suppressed_value() {
    let app = TestApp::spawn().await;
    crate::employment::load_territory(&app).await;
    refresh(&app).await;
    let token = app.token("analyst").await;
    let year = this_year();
    let period = results::year_period(year).expect("year");

    // The catalogue, and one definition.
    let r = app
        .api(Some(&token), Method::GET, "/api/v1/indicators", None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let list = r.json();
    assert_eq!(list.as_array().map(Vec::len), Some(catalogue::all().len()));
    let r = app
        .api(Some(&token), Method::GET, "/api/v1/indicators/TR-01", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let tr = r.json();
    assert_eq!(tr["unit"], "percent");
    assert_eq!(tr["baseline"], 72.0);
    assert!(tr["denominator"].is_string(), "{tr}");
    for path in [
        "/api/v1/indicators/NOPE-99",
        "/api/v1/indicators/NOPE-99/values",
    ] {
        let r = app.api(Some(&token), Method::GET, path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }

    // Every indicator's city total, and the sensitive ones by sex, as stored.
    let mut suppressed = 0;
    let mut values = 0;
    for def in catalogue::all() {
        let r = app
            .api(
                Some(&token),
                Method::GET,
                &format!("/api/v1/indicators/{}/values?period={year}", def.code),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", def.code, r.body);
        let stored = indicator_results::result(
            &app.store,
            app.tenant,
            &def.code,
            period,
            &Scope::City,
            None,
        )
        .await
        .expect("read")
        .map(|x| x.cells)
        .unwrap_or_default();
        values += stored
            .iter()
            .filter(|(_, p)| matches!(p, Published::Value(IndicatorValue::Value(_))))
            .count();
        suppressed += same_cells(&r.json(), &stored, &def.code);
        if def.disaggregations.contains(&Disaggregation::Sex) {
            let r = app
                .api(
                    Some(&token),
                    Method::GET,
                    &format!(
                        "/api/v1/indicators/{}/values?period={year}&by=sex",
                        def.code
                    ),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let stored = indicator_results::result(
                &app.store,
                app.tenant,
                &def.code,
                period,
                &Scope::City,
                Some(Disaggregation::Sex),
            )
            .await
            .expect("read")
            .map(|x| x.cells)
            .unwrap_or_default();
            suppressed += same_cells(&r.json(), &stored, &format!("{} by sex", def.code));
        }
    }
    assert!(values > 0, "the fixtures publish some values");
    assert!(
        suppressed > 0,
        "the fixtures' few people make some cells suppressed"
    );

    // A neighbourhood, where the results have one.
    let hoods = indicator_results::neighbourhoods(&app.store, app.tenant, period)
        .await
        .expect("hoods");
    if let Some(code) = hoods.first() {
        let r = app
            .api(
                Some(&token),
                Method::GET,
                &format!(
                    "/api/v1/indicators/IT-01/values?period={year}&scope=neighbourhood:{code}"
                ),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let stored = indicator_results::result(
            &app.store,
            app.tenant,
            "IT-01",
            period,
            &Scope::Neighbourhood(code.clone()),
            None,
        )
        .await
        .expect("read")
        .map(|x| x.cells)
        .unwrap_or_default();
        same_cells(&r.json(), &stored, "IT-01 in a neighbourhood");
    }

    // A month, never computed, is computed on the spot.
    let custom = results::month_period(year, 2).expect("period");
    assert!(
        indicator_results::computed_at(&app.store, app.tenant, custom)
            .await
            .expect("read")
            .is_none()
    );
    let r = app
        .api(
            Some(&token),
            Method::GET,
            &format!("/api/v1/indicators/PL-01/values?period={year}-02"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["period_start"], format!("{year}-02-01"));
    assert!(
        indicator_results::computed_at(&app.store, app.tenant, custom)
            .await
            .expect("read")
            .is_some()
    );

    // Bad input: 422 naming the field.
    let cases: [(&str, &str, &str); 8] = [
        (
            "PL-01",
            "start=2026-04-01&end=2026-05-01",
            "error-period-custom",
        ),
        (
            "PL-01",
            "start=2026-13-01&end=2026-04-01",
            "error-period-custom",
        ),
        ("PL-01", "period=20x6", "error-period-choice"),
        ("PL-01", "by=colour", "error-disaggregation-unknown"),
        ("PL-01", "scope=mars", "error-indicator-scope-unknown"),
        (
            "PL-01",
            "scope=neighbourhood:NOWHERE",
            "error-indicator-scope-unknown",
        ),
        ("AG-01", "by=sex", "error-disaggregation-unavailable"),
        ("SSE-01", "by=sex", "error-disaggregation-unavailable"),
    ];
    for (code, q, key) in cases {
        let r = app
            .api(
                Some(&token),
                Method::GET,
                &format!("/api/v1/indicators/{code}/values?{q}"),
                None,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{q}: {}",
            r.body
        );
        let errors = field_errors(&r.json());
        assert!(errors.iter().any(|(_, k)| k == key), "{q}: {errors:?}");
        let field = errors.first().map(|e| e.0.clone()).unwrap_or_default();
        assert!(
            ["start", "end", "period", "by", "scope"].contains(&field.as_str()),
            "{q}: {field}"
        );
    }
    // A neighbourhood cannot be broken down by place; an indicator without neighbourhoods
    // has no neighbourhood scope.
    let areas = elkarlan_store::territory::list(&app.store, app.tenant)
        .await
        .expect("areas");
    let some_hood = areas
        .iter()
        .find(|a| a.kind == "neighbourhood")
        .map(|a| a.code.clone());
    assert!(some_hood.is_some());
    if let Some(code) = some_hood {
        for (ind, q, field) in [
            (
                "PL-01",
                format!("scope=neighbourhood:{code}&by=district"),
                "by",
            ),
            ("AG-01", format!("scope=neighbourhood:{code}"), "scope"),
        ] {
            let r = app
                .api(
                    Some(&token),
                    Method::GET,
                    &format!("/api/v1/indicators/{ind}/values?{q}"),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
            assert_eq!(
                field_errors(&r.json()),
                vec![(
                    field.to_owned(),
                    "error-disaggregation-unavailable".to_owned()
                )]
            );
        }
    }
    // Odd query strings never make it fail.
    for q in [
        "period=%FF%FE",
        "by[]=sex&by[]=age_band",
        "&&=&==&scope=neighbourhood:",
        "period=2026&period=2025&start=&end=",
        "start=%00&end=9999999999-01-01",
        "period=-2147483648-Q9",
        "scope=%E2%80%AEcity",
    ] {
        let r = app
            .api(
                Some(&token),
                Method::GET,
                &format!("/api/v1/indicators/PL-01/values?{q}"),
                None,
            )
            .await;
        assert!(
            matches!(
                r.status,
                StatusCode::OK | StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST
            ),
            "{q}: {} {}",
            r.status,
            r.body
        );
    }

    // Others are refused.
    let social = app.token("social").await;
    let r = app
        .api(
            Some(&social),
            Method::GET,
            "/api/v1/indicators/PL-01/values",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    app.cleanup().await;
}

#[tokio::test]
async fn the_coordinator_sets_a_projects_indicators_and_the_analyst_only_reads_them() {
    let app = TestApp::spawn().await;
    let id = app.projects.project;
    let coordinator = app.token("coordinator").await;
    let analyst = app.token("analyst").await;
    let social = app.token("social").await;
    let path = format!("/api/v1/projects/{id}/indicators");

    let r = app
        .api(
            Some(&coordinator),
            Method::PUT,
            &path,
            Some(json!({"indicators": ["TR-01", "PL-01", "PL-01"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = app.api(Some(&analyst), Method::GET, &path, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!({"indicators": ["PL-01", "TR-01"]}));

    let r = app
        .api(
            Some(&coordinator),
            Method::PUT,
            &path,
            Some(json!({"indicators": ["PL-01", "XX-99"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&r.json()),
        vec![(
            "indicators".to_owned(),
            "error-project-indicator-unknown".to_owned()
        )]
    );
    let r = app
        .api(
            Some(&analyst),
            Method::PUT,
            &path,
            Some(json!({"indicators": []})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.api(Some(&social), Method::GET, &path, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let stored = indicator_results::project_indicators(&app.store, id)
        .await
        .expect("read");
    assert_eq!(stored, vec!["PL-01".to_owned(), "TR-01".to_owned()]);

    // The page: checkboxes of the catalogue, an unknown code refused on its field, in Spanish.
    let mut b = app.sign_in("coordinator").await;
    b.lang = Some("es");
    let form_path = format!("/projects/{id}/indicators");
    let r = app.page(&b, Method::GET, &form_path, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body.matches("type=\"checkbox\"").count(),
        catalogue::all().len()
    );
    assert!(
        r.body.contains("value=\"PL-01\" checked") || r.body.contains("value=\"PL-01\"  checked"),
        "PL-01 checked"
    );
    let r = app
        .page(
            &b,
            Method::POST,
            &form_path,
            &[("indicators", "SSE-01"), ("indicators", "ZZ-01")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains(&elkarlan_templates::t(
            Lang::Es,
            "error-project-indicator-unknown"
        )),
        "{}",
        r.body
    );
    let r = app
        .page(
            &b,
            Method::POST,
            &form_path,
            &[("indicators", "SSE-01"), ("indicators", "SSE-02")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.page(&b, Method::GET, r.header("location"), &[]).await;
    assert!(page.body.contains("id=\"project-indicators\""));
    let sse = catalogue::find("SSE-02").expect("SSE-02");
    assert!(page.body.contains(&sse.name.es), "{}", page.body);
    assert!(
        !page
            .body
            .contains(&catalogue::find("TR-01").expect("TR-01").name.es)
    );

    let analyst_b = app.sign_in("analyst").await;
    let r = app.page(&analyst_b, Method::GET, &form_path, &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .page(
            &analyst_b,
            Method::POST,
            &form_path,
            &[("indicators", "PL-01")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    app.cleanup().await;
}

fn decimals(unit: Unit) -> u32 {
    match unit {
        Unit::Count => 0,
        Unit::Euros => 2,
        _ => 1,
    }
}

/// What the page shows for a stored cell, in English.
fn expected_text(def: &IndicatorDefinition, p: Published) -> String {
    match p {
        Published::Suppressed => "Hidden to protect privacy".to_owned(),
        Published::Value(IndicatorValue::NoData) => "No data".to_owned(),
        Published::Value(v @ IndicatorValue::DivisionByZero) => {
            elkarlan_templates::t(Lang::En, v.message_key().expect("key"))
        }
        Published::Value(v) => {
            let n = v.format(def.unit, decimals(def.unit));
            match def.unit {
                Unit::Percent => format!("{n} %"),
                Unit::Permille => format!("{n} ‰"),
                Unit::Euros => format!("{n} €"),
                _ => n,
            }
        }
    }
}

/// The part of a page between `id="<id>"` and the end of its table.
fn table<'a>(body: &'a str, id: &str) -> &'a str {
    let start = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("table {id} in page"));
    let rest = &body[start..];
    &rest[..rest.find("</table>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn the_dashboard_shows_the_stored_results_for_the_city_and_the_projects_neighbourhood() {
    let app = TestApp::spawn().await;
    let codes = ["IT-01", "PL-01", "TR-01", "SSE-01", "AG-01"];
    let (id, hood) = project_in_a_neighbourhood(&app, &codes).await;
    refresh(&app).await;
    let year = this_year();
    let period = results::year_period(year).expect("year");
    let mut b = app.sign_in("analyst").await;
    b.lang = Some("en");
    let r = app
        .page(
            &b,
            Method::GET,
            &format!("/projects/{id}/dashboard?period={year}"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let body = &r.body;
    for code in codes {
        let def = catalogue::find(code).expect("def");
        let t = table(body, &format!("table-{code}"));
        assert!(t.contains("<caption"), "{code} has a caption");
        assert!(t.contains("scope=\"row\""));
        assert!(
            body.contains(&format!("id=\"chart-{code}-title\"")),
            "chart {code}"
        );
        let city =
            indicator_results::result(&app.store, app.tenant, code, period, &Scope::City, None)
                .await
                .expect("read")
                .map_or(Published::Value(IndicatorValue::NoData), |x| x.total());
        let city_row = format!(
            "<th scope=\"row\" class=\"govuk-table__header\">City</th><td class=\"govuk-table__cell\">{}</td>",
            expected_text(def, city)
        );
        assert!(t.contains(&city_row), "{code}: {city_row} in {t}");
        if def.disaggregations.contains(&Disaggregation::Neighbourhood) {
            let here = indicator_results::result(
                &app.store,
                app.tenant,
                code,
                period,
                &Scope::Neighbourhood(hood.clone()),
                None,
            )
            .await
            .expect("read")
            .map_or(Published::Value(IndicatorValue::NoData), |x| x.total());
            assert!(
                t.contains(&format!(
                    "<td class=\"govuk-table__cell\">{}</td>",
                    expected_text(def, here)
                )),
                "{code} in the neighbourhood"
            );
        } else {
            assert!(t.contains("Not available by neighbourhood"), "{code}");
        }
        // The target is the year's own where the plan sets one.
        if let Some(target) = def.target_for(period) {
            let shown = format!("{target:.prec$}", prec = decimals(def.unit) as usize);
            assert!(
                t.contains(&format!(
                    "Target</th><td class=\"govuk-table__cell\">{shown}"
                )),
                "{code}: target {shown} in {t}"
            );
        }
        if let Some(b) = def.baseline {
            assert!(t.contains(&format!("{b:.prec$}", prec = decimals(def.unit) as usize)));
        }
    }
    // Budget as a chart and a table, in euros; the milestones.
    let budget = table(body, "project-budget");
    assert!(
        budget.contains("75.000,00 €") && budget.contains("12.345,67 €"),
        "{budget}"
    );
    assert!(body.contains("id=\"chart-budget-title\""));

    // The export has the same rows.
    let r = app
        .page(
            &b,
            Method::GET,
            &format!("/exports/projects/{id}/dashboard.csv?period={year}"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("text/csv"));
    for code in codes {
        assert!(r.body.contains(code), "{code} in the CSV");
    }
    assert!(r.body.contains("12.345,67"));
    let r = app
        .page(
            &b,
            Method::GET,
            &format!("/exports/projects/{id}/dashboard.xlsx"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // Bad periods: 422 with the message in the reader's language, on the field.
    let mut es = app.sign_in("coordinator").await;
    es.lang = Some("es");
    for (q, key) in [
        ("start=2026-04-01&end=2026-05-01", "error-period-custom"),
        ("start=2026-02-30&end=2026-04-01", "error-period-custom"),
        ("period=2026-Q7", "error-period-choice"),
        ("period=2026-13", "error-period-choice"),
    ] {
        let r = app
            .page(
                &es,
                Method::GET,
                &format!("/projects/{id}/dashboard?{q}"),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert!(
            r.body.contains(&elkarlan_templates::t(Lang::Es, key)),
            "{q}: {}",
            r.body
        );
        assert!(r.body.contains("govuk-error-summary"));
    }
    let social = app.sign_in("social").await;
    let r = app
        .page(
            &social,
            Method::GET,
            &format!("/projects/{id}/dashboard"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    app.cleanup().await;
}

#[tokio::test]
async fn the_annual_reports_list_every_project_with_the_years_budget() {
    let app = TestApp::spawn().await;
    let (own, _) = project_in_a_neighbourhood(&app, &["PL-01", "SSE-01"]).await;
    refresh(&app).await;
    let mut b = app.sign_in("analyst").await;
    b.lang = Some("en");
    let year = this_year();
    let r = app
        .page(
            &b,
            Method::GET,
            &format!("/reports/annual?year={year}"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let all = elkarlan_store::projects::list(&app.store, app.tenant)
        .await
        .expect("projects");
    assert!(all.len() >= 2);
    for p in &all {
        assert!(
            r.body.contains(&format!("id=\"report-{}\"", p.code)),
            "{}",
            p.code
        );
        if let Some(budget) = p.budget.iter().find(|x| x.year == year) {
            let planned = format!(
                "{} €",
                elkarlan_domain::employment::programme::format_euros(budget.planned_cents)
            );
            assert!(r.body.contains(&planned), "{}: {planned}", p.code);
        }
    }
    assert!(r.body.contains("75.000,00 €") && r.body.contains("12.345,67 €"));
    let totals = table(&r.body, "area-totals");
    for def in catalogue::all() {
        assert!(
            totals.contains(&def.code),
            "{} in the area totals",
            def.code
        );
    }
    assert!(r.body.contains("id=\"print-hint\""));

    // One project's report.
    let r = app
        .page(
            &b,
            Method::GET,
            &format!("/projects/{own}/report?year={year}"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Auzoko plana") || r.body.contains("Plan de barrio"));
    assert!(r.body.contains("id=\"indicators-AUZO-PLANA\""));
    assert!(!r.body.contains("id=\"area-totals\""));

    // A year out of range or not a number: 422, translated, on the field.
    let mut eu = app.sign_in("coordinator").await;
    eu.lang = Some("eu");
    for q in ["year=1999", "year=abc", "year=2101", "year=20266"] {
        for path in [
            "/reports/annual".to_owned(),
            format!("/projects/{own}/report"),
        ] {
            let r = app
                .page(&eu, Method::GET, &format!("{path}?{q}"), &[])
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}?{q}");
            assert!(
                r.body
                    .contains(&elkarlan_templates::t(Lang::Eu, "error-report-year")),
                "{q}"
            );
            assert!(r.body.contains("id=\"year-error\""));
        }
    }
    let social = app.sign_in("social").await;
    let r = app.page(&social, Method::GET, "/reports/annual", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    app.cleanup().await;
}
