//! Indicator catalogue, city and neighbourhood dashboards, their exports and the public
//! neighbourhood pages: values shown are the stored (disclosure-controlled) results, hidden cells
//! say so, bad queries are refused per field, and the public page needs no session.

use crate::common::{Browser, PERSON_SENTINEL, TestApp};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::Datelike;
use elkarlan_domain::indicators::catalogue;
use elkarlan_domain::indicators::definition::{
    Disaggregation, IndicatorValue, Key, Sensitivity, Unit,
};
use elkarlan_domain::indicators::publish::Published;
use elkarlan_domain::indicators::results::{IndicatorResult, Scope, year_period};
use elkarlan_store::indicator_results;

/// The neighbourhood the fixture's records are placed in (the first of Bilbao's).
const AREA: &str = "1.01";

/// Loads the territory, places the fixture person and every organisation in `AREA`, and
/// computes the standard periods.
async fn seeded() -> TestApp {
    let app = TestApp::spawn().await;
    crate::employment::load_territory(&app).await;
    let areas = elkarlan_store::territory::list(&app.store, app.tenant)
        .await
        .expect("areas");
    let area = areas
        .iter()
        .find(|a| a.kind == "neighbourhood" && a.code == AREA)
        .expect("the neighbourhood");
    for sql in [
        "UPDATE people SET area_id = $1 WHERE tenant_id = $2",
        "UPDATE organisations SET area_id = $1 WHERE tenant_id = $2",
    ] {
        match &app.store {
            elkarlan_store::Store::Sqlite(p) => {
                sqlx::query(sql)
                    .bind(area.id.0)
                    .bind(app.tenant.0)
                    .execute(p)
                    .await
                    .expect("place records");
            }
            elkarlan_store::Store::Postgres(p) => {
                sqlx::query(sql)
                    .bind(area.id.0)
                    .bind(app.tenant.0)
                    .execute(p)
                    .await
                    .expect("place records");
            }
        }
    }
    indicator_results::refresh_due(&app.store, app.tenant, catalogue::all(), today())
        .await
        .expect("refresh");
    app
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

async fn browser(app: &TestApp, user: &str, lang: &'static str) -> Browser {
    let mut b = app.sign_in(user).await;
    b.lang = Some(lang);
    b
}

fn decimals(u: Unit) -> u32 {
    match u {
        Unit::Count => 0,
        Unit::Euros => 2,
        _ => 1,
    }
}

/// A cell as the English page writes it.
fn english(p: Published, u: Unit) -> String {
    match p {
        Published::Suppressed => "Hidden to protect privacy".into(),
        Published::Value(IndicatorValue::NoData) => "No data".into(),
        Published::Value(IndicatorValue::DivisionByZero) => {
            "Cannot be calculated: nothing to divide by".into()
        }
        Published::Value(v) => v.format(u, decimals(u)),
    }
}

/// The text of the cells of the table `id` in the page, in order.
fn table_cells(body: &str, id: &str) -> Vec<String> {
    let start = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("table {id} in the page"));
    let rest = &body[start..];
    let table = &rest[..rest.find("</table>").expect("table end")];
    table
        .split("<td class=\"govuk-table__cell")
        .skip(1)
        .map(|c| {
            let after = &c[c.find('>').expect("cell") + 1..];
            after[..after.find("</td>").expect("cell end")].to_owned()
        })
        .collect()
}

/// The actual (total) shown for one indicator.
fn actual(body: &str, code: &str) -> String {
    let needle = format!("id=\"actual-{code}\">");
    let at = body
        .find(&needle)
        .unwrap_or_else(|| panic!("actual of {code}"))
        + needle.len();
    body[at..at + body[at..].find("</dd>").expect("end")].to_owned()
}

fn check_page_against(body: &str, results: &[IndicatorResult], by: bool) {
    assert!(!results.is_empty(), "there are stored results to compare");
    for r in results {
        let def = catalogue::find(&r.code).expect("definition");
        assert_eq!(
            actual(body, &r.code),
            english(r.total(), def.unit),
            "total of {}",
            r.code
        );
        if by {
            let cells = table_cells(body, &format!("table-{}", r.code));
            let expected: Vec<String> =
                r.cells.iter().map(|(_, p)| english(*p, def.unit)).collect();
            assert_eq!(cells, expected, "cells of {}", r.code);
        }
    }
}

#[tokio::test]
async fn the_analyst_sees_the_stored_values_on_city_and_neighbourhood_dashboards() {
    let app = seeded().await;
    let b = browser(&app, "analyst", "en").await;
    let year = year_period(today().year()).expect("year");

    // The catalogue lists every indicator and links to its page.
    let r = app.page(&b, Method::GET, "/indicators", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for d in catalogue::all() {
        assert!(r.body.contains(&format!("href=\"/indicators/{}\"", d.code)));
    }
    let r = app.page(&b, Method::GET, "/indicators/TR-01", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Training completion rate"));
    assert!(r.body.contains("id=\"numerator-filters\""));
    assert!(r.body.contains("Computed on"));
    let r = app.page(&b, Method::GET, "/indicators/NOPE-99", &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The city: totals, then by sex.
    let r = app.page(&b, Method::GET, "/dashboards/city", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let stored = indicator_results::results(&app.store, app.tenant, year, &Scope::City, None)
        .await
        .expect("results");
    check_page_against(&r.body, &stored, false);
    let r = app
        .page(&b, Method::GET, "/dashboards/city?by=neighbourhood", &[])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let stored = indicator_results::results(
        &app.store,
        app.tenant,
        year,
        &Scope::City,
        Some(Disaggregation::Neighbourhood),
    )
    .await
    .expect("results");
    check_page_against(&r.body, &stored, true);
    assert!(r.body.contains("<svg class=\"chart\""), "charts are drawn");
    // Neighbourhood groups are named, not coded.
    assert!(r.body.contains("Arangoiti"), "{}", r.body);

    // The neighbourhood list links to each neighbourhood.
    let r = app
        .page(&b, Method::GET, "/dashboards/neighbourhoods", &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body
            .contains(&format!("href=\"/dashboards/neighbourhoods/{AREA}\""))
    );

    // The neighbourhood by sex: every cell equals the stored one; sensitive small groups hidden.
    let path = format!(
        "/dashboards/neighbourhoods/{AREA}?period={}&by=sex",
        today().year()
    );
    let r = app.page(&b, Method::GET, &path, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let scope = Scope::Neighbourhood(AREA.into());
    let stored = indicator_results::results(
        &app.store,
        app.tenant,
        year,
        &scope,
        Some(Disaggregation::Sex),
    )
    .await
    .expect("results");
    check_page_against(&r.body, &stored, true);
    let sensitive_hidden: Vec<&IndicatorResult> = stored
        .iter()
        .filter(|r| {
            catalogue::find(&r.code).is_some_and(|d| d.sensitivity == Sensitivity::Sensitive)
                && r.cells.iter().any(|(_, p)| *p == Published::Suppressed)
        })
        .collect();
    assert!(
        !sensitive_hidden.is_empty(),
        "the fixture's single person makes sensitive cells small enough to hide"
    );
    for res in sensitive_hidden {
        let cells = table_cells(&r.body, &format!("table-{}", res.code));
        for ((key, p), shown) in res.cells.iter().zip(&cells) {
            if *p == Published::Suppressed {
                assert_eq!(shown, "Hidden to protect privacy", "{} {key:?}", res.code);
            }
        }
        assert!(
            res.cells.iter().any(|(k, _)| matches!(k, Key::Group(_))),
            "groups are listed"
        );
    }
    assert!(!r.body.contains(PERSON_SENTINEL));
    assert!(r.body.contains("Woman"), "sex groups are translated");

    // A breakdown a neighbourhood does not have.
    let r = app
        .page(
            &b,
            Method::GET,
            &format!("/dashboards/neighbourhoods/{AREA}?by=district"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("This indicator cannot be broken down that way")
    );
    assert!(r.body.contains("href=\"#by\""));
    // An unknown neighbourhood.
    let r = app
        .page(&b, Method::GET, "/dashboards/neighbourhoods/99.99", &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // A grid period never computed is computed on demand.
    let custom = year_period(today().year() - 5).expect("period");
    assert!(
        indicator_results::computed_at(&app.store, app.tenant, custom)
            .await
            .expect("read")
            .is_none()
    );
    let r = app
        .page(
            &b,
            Method::GET,
            &format!("/dashboards/city?period={}", today().year() - 5),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        indicator_results::computed_at(&app.store, app.tenant, custom)
            .await
            .expect("read")
            .is_some()
    );
    app.cleanup().await;
}

#[tokio::test]
async fn bad_periods_and_breakdowns_are_refused_per_field_in_every_language() {
    let app = TestApp::spawn().await;
    for (lang, message) in [
        ("es", "No se publican fechas a medida"),
        ("eu", "Ez da neurrira egindako datarik argitaratzen"),
        ("en", "Custom dates are not published"),
    ] {
        let b = browser(&app, "analyst", lang).await;
        let r = app
            .page(
                &b,
                Method::GET,
                "/dashboards/city?start=2026-05-01&end=2026-04-01",
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{lang}");
        assert!(r.body.contains(message), "{lang}: {}", r.body);
        assert!(r.body.contains("href=\"#period\""), "in the error summary");
        assert!(r.body.contains("id=\"period-error\""), "next to the field");
    }
    let b = browser(&app, "coordinator", "en").await;
    let r = app
        .page(&b, Method::GET, "/dashboards/city?by=street", &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Choose a breakdown from the list"));
    assert!(r.body.contains("id=\"by-error\""));
    let r = app
        .page(
            &b,
            Method::GET,
            "/exports/dashboards/city/csv?by=street",
            &[],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an export refuses it too"
    );
    assert!(r.body.contains("Choose a breakdown from the list"));
    let r = app
        .page(
            &b,
            Method::GET,
            "/dashboards/city?start=2026-13-01&end=x",
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Custom dates are not published"));
    assert!(r.body.contains("href=\"#period\""));
    let r = app
        .page(&b, Method::GET, "/dashboards/city?period=soon", &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#period\""));

    // The navigation offers them to the analyst and the coordinator only.
    let home = app.page(&b, Method::GET, "/home", &[]).await;
    assert!(home.body.contains("href=\"/indicators\""));
    assert!(home.body.contains("href=\"/dashboards/city\""));
    // Other roles are refused.
    let social = browser(&app, "social", "en").await;
    let home = app.page(&social, Method::GET, "/home", &[]).await;
    assert!(!home.body.contains("href=\"/indicators\""));
    assert!(!home.body.contains("href=\"/dashboards/city\""));
    for path in [
        "/indicators",
        "/dashboards/city",
        "/dashboards/neighbourhoods",
        "/exports/dashboards/city/csv",
    ] {
        let r = app.page(&social, Method::GET, path, &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    app.cleanup().await;
}

#[tokio::test]
async fn exports_hold_one_row_per_indicator_and_cell() {
    let app = seeded().await;
    let b = browser(&app, "analyst", "en").await;
    let year = year_period(today().year()).expect("year");
    let r = app
        .page(
            &b,
            Method::GET,
            &format!("/exports/dashboards/neighbourhoods/{AREA}/csv?by=age_band"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.header("content-type").starts_with("text/csv"));
    assert!(
        r.header("content-disposition")
            .starts_with("attachment; filename=\"indicators-1-01-"),
        "{}",
        r.header("content-disposition")
    );
    let scope = Scope::Neighbourhood(AREA.into());
    let stored = indicator_results::results(
        &app.store,
        app.tenant,
        year,
        &scope,
        Some(Disaggregation::AgeBand),
    )
    .await
    .expect("results");
    let lines: Vec<&str> = r.body.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("Code,Name,Unit,Scope"), "{}", lines[0]);
    let cells: usize = stored.iter().map(|r| r.cells.len()).sum();
    assert_eq!(lines.len() - 1, cells, "one row per indicator and cell");
    for res in &stored {
        let def = catalogue::find(&res.code).expect("definition");
        let rows: Vec<&&str> = lines
            .iter()
            .filter(|l| l.starts_with(&format!("{},", res.code)))
            .collect();
        assert_eq!(rows.len(), res.cells.len(), "{}", res.code);
        for (row, (key, p)) in rows.iter().zip(&res.cells) {
            let status = match p {
                Published::Suppressed => "suppressed",
                Published::Value(IndicatorValue::Value(_)) => "value",
                Published::Value(IndicatorValue::NoData) => "no_data",
                Published::Value(IndicatorValue::DivisionByZero) => "division_by_zero",
            };
            assert!(row.ends_with(&format!(",{status}")), "{row}");
            assert!(
                row.contains(&format!(
                    ",neighbourhood:{AREA},{},{},age_band,",
                    year.start, year.end
                )),
                "{row}"
            );
            match key {
                Key::Total => assert!(row.contains(",age_band,total,"), "{row}"),
                Key::Group(g) => assert!(row.contains(&format!(",age_band,{g},")), "{row}"),
            }
            if let Published::Value(v @ IndicatorValue::Value(_)) = p {
                assert!(
                    row.contains(&format!(
                        ",{},{status}",
                        v.format(def.unit, decimals(def.unit))
                    )),
                    "{row}"
                );
            }
        }
    }
    let r = app
        .page(&b, Method::GET, "/exports/dashboards/city/xlsx", &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(r.body.starts_with("PK"), "a zip container");
    assert!(r.header("content-disposition").contains("indicators-city-"));
    let r = app
        .page(&b, Method::GET, "/exports/dashboards/city/pdf", &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.cleanup().await;
}

#[tokio::test]
async fn the_public_neighbourhood_page_needs_no_session_and_is_cacheable() {
    let app = seeded().await;
    // A project in the neighbourhood, for the public page to show.
    let coordinator = browser(&app, "coordinator", "en").await;
    let edit = app
        .page(
            &coordinator,
            Method::GET,
            &format!("/projects/{}/edit", app.projects.project),
            &[],
        )
        .await;
    let areas = elkarlan_store::territory::list(&app.store, app.tenant)
        .await
        .expect("areas");
    let area = areas
        .iter()
        .find(|a| a.kind == "neighbourhood" && a.code == AREA)
        .expect("area");
    let version = edit.hidden("version");
    let id = area.id.to_string();
    let r = app
        .page(
            &coordinator,
            Method::POST,
            &format!("/projects/{}/edit", app.projects.project),
            &[
                ("version", version.as_str()),
                ("code", "EKONOPOLO"),
                ("name_eu", "Ekonopoloa"),
                ("name_es", "Ekonopolo"),
                ("objectives", "Impulsar la economía social en el barrio"),
                ("status", "active"),
                ("starts_on-day", "1"),
                ("starts_on-month", "1"),
                ("starts_on-year", "2025"),
                ("ends_on-day", "31"),
                ("ends_on-month", "12"),
                ("ends_on-year", "2027"),
                ("neighbourhoods", id.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    indicator_results::refresh_due(&app.store, app.tenant, catalogue::all(), today())
        .await
        .expect("refresh");

    let get = |path: String| {
        Request::builder()
            .method(Method::GET)
            .uri(path)
            .header(header::HOST, "127.0.0.1:8080")
            .body(Body::empty())
            .expect("request")
    };
    let r = app.send(get("/public/neighbourhoods?lang=en".into())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains(&format!("href=\"/public/neighbourhoods/{AREA}\""))
    );
    assert_eq!(r.header("cache-control"), "public, max-age=300");
    assert!(
        r.headers.get(header::SET_COOKIE).is_none(),
        "no cookie on a cached page"
    );

    let year = today().year();
    let r = app
        .send(get(format!(
            "/public/neighbourhoods/{AREA}?period={year}&by=sex&lang=en"
        )))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.header("cache-control"), "public, max-age=300");
    let last_modified = r.header("last-modified").to_owned();
    assert!(last_modified.ends_with(" GMT"), "{last_modified}");
    assert!(r.headers.get(header::SET_COOKIE).is_none());
    // Asked again with the date it was given: not modified, no body.
    let again = app
        .send(
            Request::builder()
                .uri(format!(
                    "/public/neighbourhoods/{AREA}?period={year}&by=sex&lang=en"
                ))
                .header(header::HOST, "127.0.0.1:8080")
                .header(header::IF_MODIFIED_SINCE, last_modified.as_str())
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert!(r.body.contains("Arangoiti"));
    assert!(
        r.body.contains("Ekonopolo"),
        "the project in the neighbourhood"
    );
    assert!(r.body.contains("Impulsar la economía social en el barrio"));
    assert!(!r.body.contains("sign-out"), "nothing of a session");
    // No one's name: not the fixture person, nor any staff account.
    assert!(!r.body.contains(PERSON_SENTINEL));
    for (name, _) in crate::common::ACCOUNTS {
        assert!(!r.body.contains(&format!("{name} tester")), "{name}");
    }
    let stored = indicator_results::results(
        &app.store,
        app.tenant,
        year_period(year).expect("year"),
        &Scope::Neighbourhood(AREA.into()),
        Some(Disaggregation::Sex),
    )
    .await
    .expect("results");
    check_page_against(&r.body, &stored, true);
    // In Basque by the query, with language links that keep the query.
    let r = app
        .send(get(format!(
            "/public/neighbourhoods/{AREA}?period={year}&lang=eu"
        )))
        .await;
    assert!(r.body.contains("<html lang=\"eu\""));
    assert!(r.body.contains(&format!("period={year}&amp;lang=es")));
    // A period not computed is not published, and nothing is computed for it.
    let old = year - 7;
    let r = app
        .send(get(format!(
            "/public/neighbourhoods/{AREA}?period={old}&lang=en"
        )))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("not published yet"));
    assert!(
        indicator_results::computed_at(&app.store, app.tenant, year_period(old).expect("p"))
            .await
            .expect("read")
            .is_none()
    );
    let r = app.send(get("/public/neighbourhoods/99.99".into())).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.cleanup().await;
}

/// The differencing attack on custom ranges: 1 October alone and 1 to 2 October differ by the
/// records of one day, whose groups the breakdowns would then give away. Neither range is
/// published (pages, exports, the API) and asking for them stores nothing; the grid's months
/// are offered instead, with their names translated.
#[tokio::test]
async fn custom_ranges_are_refused_everywhere_and_never_stored() {
    use elkarlan_domain::indicators::results::{GridPeriod, plan_periods};
    let app = seeded().await;
    let plans = plan_periods(catalogue::all());
    let stored = |app: &TestApp| {
        let (store, tenant) = (app.store.clone(), app.tenant);
        async move {
            indicator_results::computed_periods(&store, tenant)
                .await
                .expect("periods")
        }
    };
    let before = stored(&app).await.len();
    let b = browser(&app, "analyst", "en").await;
    let token = app.token("analyst").await;
    let y = today().year();
    for end in [format!("{y}-10-01"), format!("{y}-10-02")] {
        let q = format!("start={y}-10-01&end={end}&by=sex");
        for path in [
            format!("/dashboards/city?{q}"),
            format!("/dashboards/neighbourhoods/{AREA}?{q}"),
            format!("/indicators/PL-01?{q}"),
            format!("/exports/dashboards/city/csv?{q}"),
        ] {
            let r = app.page(&b, Method::GET, &path, &[]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
            assert!(r.body.contains("Custom dates are not published"), "{path}");
            assert!(!r.body.contains("id=\"period-shown\""), "{path}");
        }
        let r = app
            .api(
                Some(&token),
                Method::GET,
                &format!("/api/v1/indicators/PL-01/values?{q}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("error-period-custom"), "{}", r.body);
        assert!(!r.body.contains("\"cells\""), "{}", r.body);
    }
    let after = stored(&app).await;
    assert_eq!(after.len(), before, "nothing stored for custom requests");
    assert!(
        after
            .iter()
            .all(|c| GridPeriod::of(c.period, &plans).is_some()),
        "{after:?}"
    );

    // The chooser offers months, quarters, years and the plan, by name.
    let r = app.page(&b, Method::GET, "/dashboards/city", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains(&format!("value=\"{y}-01\"")),
        "January offered"
    );
    assert!(r.body.contains(&format!("January {y}")));
    assert!(r.body.contains("value=\"plan-20240101-20271231\""));
    assert!(!r.body.contains("id=\"start\""), "no custom dates");
    let r = app
        .page(
            &b,
            Method::GET,
            &format!("/dashboards/city?period={y}-01"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&format!("January {y}")));
    let eu = browser(&app, "coordinator", "eu").await;
    let r = app
        .page(
            &eu,
            Method::GET,
            &format!("/dashboards/city?period={y}-01"),
            &[],
        )
        .await;
    assert!(
        r.body.contains(&format!("{y}(e)ko urtarrila")),
        "{}",
        r.body
    );
    app.cleanup().await;
}
