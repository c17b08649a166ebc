//! Checking an indicator definition through the API: a good one is read back, a bad one gets
//! every problem on its field, translated; only coordinators and analysts may ask.

use crate::common::TestApp;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

fn definition() -> Value {
    json!({
        "code": "OTX-TR-09",
        "name": {"eu": "Osatzea", "es": "Finalización", "en": "Completion"},
        "unit": "percent",
        "numerator": {"source": "enrolments", "aggregate": "count",
            "filters": [{"field": "status", "op": "eq", "value": "completed"}],
            "period": {"within": "closed_on"}},
        "denominator": {"source": "enrolments", "aggregate": "count",
            "filters": [{"field": "status", "op": "in", "values": ["completed", "dropped_out"]}],
            "period": {"within": "closed_on"}},
        "disaggregations": ["neighbourhood", "sex"],
        "sensitivity": "ordinary",
        "baseline": 70.0, "target": 80.0,
        "targets": [{"year": 2026, "value": 75.0}],
        "direction": "higher_is_better",
        "plan": "Otxarkoaga Neighbourhood Plan 2024-2027", "plan_version": 3,
        "effective": {"start": "2024-01-01", "end": "2027-12-31"}
    })
}

fn errors(r: &crate::common::Reply) -> Vec<(String, String, String)> {
    r.json()["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_owned(),
                        e["code"].as_str().unwrap_or_default().to_owned(),
                        e["message"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_definition_is_checked_field_by_field() {
    let app = TestApp::spawn().await;
    let token = app.token("analyst").await;
    let check = |body: Value| {
        let app = &app;
        let token = token.clone();
        async move {
            app.api(
                Some(&token),
                Method::POST,
                "/api/v1/indicator-checks",
                Some(body),
            )
            .await
        }
    };

    let r = check(definition()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["code"], "OTX-TR-09");
    assert_eq!(v["unit"], "percent");
    assert_eq!(v["denominator_source"], "enrolments");
    assert_eq!(v["disaggregations"], json!(["neighbourhood", "sex"]));
    assert_eq!(v["code_in_catalogue"], false);

    // A percent without a denominator, and a filter on a field enrolments do not have.
    let mut bad = definition();
    bad.as_object_mut().map(|o| o.remove("denominator"));
    bad["numerator"]["filters"][0]["field"] = json!("salary");
    let r = check(bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let e = errors(&r);
    assert!(
        e.iter().any(|(f, c, m)| f == "denominator"
            && c == "error-indicator-denominator-required"
            && m.contains("denominator")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|(f, c, _)| f == "numerator.filters[0].field"
                && c == "error-indicator-field-unknown"),
        "{e:?}"
    );

    // A denominator whose conditions contradict each other would always divide by zero.
    let mut zero = definition();
    zero["denominator"]["filters"] = json!([
        {"field": "status", "op": "eq", "value": "completed"},
        {"field": "status", "op": "eq", "value": "dropped_out"}
    ]);
    let r = check(zero).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        errors(&r)
            .iter()
            .any(|(_, c, _)| c == "error-indicator-denominator-always-zero"),
        "{}",
        r.body
    );

    // A yearly target outside the plan, an unknown breakdown: on their fields.
    let mut outside = definition();
    outside["targets"] = json!([{"year": 2031, "value": 75.0}]);
    outside["disaggregations"] = json!(["colour"]);
    let r = check(outside).await;
    let e = errors(&r);
    assert!(
        e.iter()
            .any(|(f, c, _)| f == "targets[0].year" && c == "error-indicator-target-year"),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|(f, c, _)| f == "disaggregations[0]" && c == "error-disaggregation-unknown"),
        "{e:?}"
    );

    // Not the documented shape at all.
    let r = check(json!({"code": "X", "formula": "a/b"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(errors(&r)[0].0, "definition");

    // A catalogue code is recognised as such.
    let mut known = definition();
    known["code"] = json!("PL-01");
    assert_eq!(check(known).await.json()["code_in_catalogue"], true);

    // Only coordinators and analysts may ask; the body of a refused caller is never read.
    let social = app.token("social").await;
    let r = app
        .api(
            Some(&social),
            Method::POST,
            "/api/v1/indicator-checks",
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    app.cleanup().await;
}

#[tokio::test]
async fn the_messages_are_translated() {
    let app = TestApp::spawn().await;
    let token = app.token("coordinator").await;
    let mut bad = definition();
    bad.as_object_mut().map(|o| o.remove("denominator"));
    for (lang, text) in [
        ("es", "denominador"),
        ("eu", "izendatzaile"),
        ("en", "denominator"),
    ] {
        let r = app
            .api_lang(
                Some(&token),
                Method::POST,
                "/api/v1/indicator-checks",
                Some(bad.clone()),
                lang,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let e = errors(&r);
        assert!(
            e.iter()
                .any(|(f, _, m)| f == "denominator" && m.to_lowercase().contains(text)),
            "{lang}: {e:?}"
        );
    }
    app.cleanup().await;
}
