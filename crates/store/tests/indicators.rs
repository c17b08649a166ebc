//! Catalogue indicators computed from records on both databases: a count, a distinct-person count
//! with a derived field, a percent with its denominator, a median of days, a breakdown by
//! neighbourhood whose small group is suppressed, and no data in an empty period.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code, unused_macros)]
#[macro_use]
mod common;

use chrono::NaiveDate;
use common::migrated;
use elkarlan_domain::TenantId;
use elkarlan_domain::indicators::catalogue;
use elkarlan_domain::indicators::definition::{
    Disaggregation, FieldValue, IndicatorDefinition, IndicatorValue, Key, Period, Ratio, Source,
};
use elkarlan_domain::indicators::publish::{Published, cell_counts, protect_counts};
use elkarlan_domain::indicators::results::GridPeriod;
use elkarlan_domain::territory::IneCode;
use elkarlan_store::indicator_facts;
use elkarlan_store::{Store, tenants};
use std::collections::BTreeMap;
use uuid::Uuid;

fn def(code: &str) -> IndicatorDefinition {
    catalogue::load()
        .unwrap()
        .into_iter()
        .find(|d| d.code == code)
        .unwrap()
}

fn year(y: i32) -> Period {
    Period::parse(&format!("{y}-01-01"), &format!("{y}-12-31")).unwrap()
}

fn micros(day: &str) -> i64 {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_micros()
}

fn value(n: i64, d: i64) -> IndicatorValue {
    IndicatorValue::Value(Ratio {
        numerator: n,
        denominator: d,
    })
}

struct Seed {
    tenant: TenantId,
    agency: Uuid,
    user: Uuid,
}

async fn area(store: &Store, t: TenantId, kind: &str, code: &str, parent: Option<Uuid>) -> Uuid {
    let id = Uuid::now_v7();
    raw_exec!(store, "INSERT INTO areas (id, tenant_id, kind, code, parent_id, name_eu, name_es) VALUES ($1,$2,$3,$4,$5,$4,$4)",
        id, t.0, kind, code, parent).unwrap();
    id
}

async fn person(store: &Store, t: TenantId, area: Uuid, birth: &str, sex: &str, nat: &str) -> Uuid {
    let id = Uuid::now_v7();
    raw_exec!(store, "INSERT INTO people (id, tenant_id, given_name, surname1, search_key, birth_date, sex, nationality, languages, preferred_lang, area_id, version, created_at, updated_at)
        VALUES ($1,$2,'Proba','Pertsona','proba pertsona',$3,$4,$5,'eu','eu',$6,1,0,0)",
        id, t.0, birth, sex, nat, area).unwrap();
    id
}

async fn area_person(store: &Store, t: TenantId, area: Uuid) -> Uuid {
    person(store, t, area, "2000-01-01", "non_binary", "").await
}

async fn placement(store: &Store, s: &Seed, person: Uuid, starts: &str) -> Uuid {
    let id = Uuid::now_v7();
    raw_exec!(store, "INSERT INTO placements (id, tenant_id, person_id, contract_type, starts_on, weekly_hours_centi, esco_code, sector, recorded_by, recorded_agency, recorded_at)
        VALUES ($1,$2,$3,'temporary',$4,3750,'9112','N',$5,$6,0)",
        id, s.tenant.0, person, starts, s.user, s.agency).unwrap();
    id
}

async fn follow_up(store: &Store, placement: Uuid, months: i64, due: &str, employed: Option<bool>) {
    let checked = employed.map(|_| due.to_owned());
    raw_exec!(store, "INSERT INTO follow_ups (id, placement_id, months, due_on, checked_on, still_employed) VALUES ($1,$2,$3,$4,$5,$6)",
        Uuid::now_v7(), placement, months, due, checked, employed.map(i64::from)).unwrap();
}

async fn referral(
    store: &Store,
    s: &Seed,
    person: Uuid,
    status: &str,
    sent: &str,
    due: &str,
    answered: Option<&str>,
) {
    let case = Uuid::now_v7();
    raw_exec!(store, "INSERT INTO cases (id, tenant_id, person_id, lead_user_id, lead_agency_id, status, opened_at, version) VALUES ($1,$2,$3,$4,$5,'active',0,1)",
        case, s.tenant.0, person, s.user, s.agency).unwrap();
    raw_exec!(store, "INSERT INTO referrals (id, tenant_id, case_id, person_id, from_agency, from_user, to_agency, reason, urgency, categories, status, due_at, sent_at, answered_at, version)
        VALUES ($1,$2,$3,$4,$5,$6,$5,'Lan bila','routine','employment',$7,$8,$9,$10,1)",
        Uuid::now_v7(), s.tenant.0, case, person, s.agency, s.user, status, micros(due), micros(sent), answered.map(micros)).unwrap();
}

/// Twelve people placed in Otxarkoaga and two in Txurdinaga in 2026 (one more in 2025), two of
/// them long-term unemployed; 6-month follow-ups (3 employed, 1 not, 1 unchecked); referrals
/// answered in 2, 9 and 4 days and one unanswered past its due day.
async fn seed(store: &Store) -> Seed {
    let tenant = tenants::create(store, &IneCode::parse("48020").unwrap(), "Bilbao", "Bilbao")
        .await
        .unwrap()
        .id;
    let agency = Uuid::now_v7();
    raw_exec!(store, "INSERT INTO agencies (id, tenant_id, name_eu, name_es, system, active, version, created_at, updated_at) VALUES ($1,$2,'Lanbide','Lanbide','employment',$3,1,0,0)",
        agency, tenant.0, true).unwrap();
    let user = Uuid::now_v7();
    raw_exec!(store, "INSERT INTO users (id, tenant_id, username, display_name, role, agency_id, password_hash, mfa_required, active, password_changed_at, version, created_at, updated_at)
        VALUES ($1,$2,'proba','Proba','coordinator',$3,'x',$4,$4,0,1,0,0)",
        user, tenant.0, agency, true).unwrap();
    let s = Seed {
        tenant,
        agency,
        user,
    };
    let district = area(store, tenant, "district", "6", None).await;
    let otx = area(store, tenant, "neighbourhood", "otxarkoaga", Some(district)).await;
    let txu = area(store, tenant, "neighbourhood", "txurdinaga", Some(district)).await;

    let mut placed = Vec::new();
    for i in 0..12 {
        let sex = if i % 2 == 0 { "woman" } else { "man" };
        let p = person(store, tenant, otx, "1990-01-01", sex, "ES").await;
        placed.push(placement(store, &s, p, "2026-03-01").await);
        if i < 2 {
            raw_exec!(store, "INSERT INTO employment_profiles (person_id, tenant_id, unemployed_since, updated_at) VALUES ($1,$2,'2024-01-01',0)", p, tenant.0).unwrap();
        }
        if i == 2 {
            // Unemployed for three months only when placed.
            raw_exec!(store, "INSERT INTO employment_profiles (person_id, tenant_id, unemployed_since, updated_at) VALUES ($1,$2,'2025-12-01',0)", p, tenant.0).unwrap();
        }
    }
    for _ in 0..2 {
        let p = person(store, tenant, txu, "2004-05-05", "woman", "MA").await;
        placement(store, &s, p, "2026-04-15").await;
    }
    let early = person(store, tenant, otx, "1980-07-07", "man", "FR").await;
    placement(store, &s, early, "2025-06-01").await;

    follow_up(store, placed[0], 6, "2026-09-01", Some(true)).await;
    follow_up(store, placed[1], 6, "2026-09-01", Some(true)).await;
    follow_up(store, placed[2], 6, "2026-09-01", Some(true)).await;
    follow_up(store, placed[3], 6, "2026-09-01", Some(false)).await;
    follow_up(store, placed[4], 6, "2026-09-01", None).await;
    follow_up(store, placed[0], 12, "2027-03-01", None).await;

    let r = person(store, tenant, otx, "1975-02-02", "woman", "ES").await;
    referral(
        store,
        &s,
        r,
        "accepted",
        "2026-02-01",
        "2026-02-06",
        Some("2026-02-03"),
    )
    .await;
    referral(
        store,
        &s,
        r,
        "declined",
        "2026-02-01",
        "2026-02-06",
        Some("2026-02-10"),
    )
    .await;
    referral(
        store,
        &s,
        r,
        "completed",
        "2026-03-01",
        "2026-03-06",
        Some("2026-03-05"),
    )
    .await;
    referral(store, &s, r, "sent", "2026-05-01", "2026-05-06", None).await;
    s
}

/// Every row of the source carries exactly the fields the source declares.
async fn assert_fields(store: &Store, t: TenantId, source: Source, period: Period, ctx: &str) {
    let rows = indicator_facts::rows(store, t, source, period)
        .await
        .unwrap();
    assert!(!rows.is_empty(), "{ctx}: {source:?} seeded");
    let mut declared = source.field_names();
    declared.sort_unstable();
    for r in rows {
        let got: Vec<&str> = r.0.keys().copied().collect();
        assert_eq!(got, declared, "{ctx}: {source:?}");
    }
}

async fn compute(
    store: &Store,
    t: TenantId,
    code: &str,
    period: Period,
    d: Option<Disaggregation>,
) -> Vec<(Key, IndicatorValue)> {
    indicator_facts::compute(store, t, &def(code), period, d)
        .await
        .unwrap()
}

#[tokio::test]
async fn catalogue_indicators_from_records() {
    for db in migrated().await {
        let ctx = db.name;
        let store = &db.store;
        let s = seed(store).await;
        let t = s.tenant;
        let y = year(2026);

        // PL-01: placements starting in the year (the 2025 one is out).
        assert_eq!(
            compute(store, t, "PL-01", y, None).await,
            vec![(Key::Total, value(14, 1))],
            "{ctx}"
        );
        // PL-05: long-term unemployed when placed, derived from the employment profile.
        assert_eq!(
            compute(store, t, "PL-05", y, None).await,
            vec![(Key::Total, value(2, 1))],
            "{ctx}"
        );
        // PL-03: employed at 6 months among those checked: 3 of 4 (the unchecked one is out).
        assert_eq!(
            compute(store, t, "PL-03", y, None).await,
            vec![(Key::Total, value(3, 4))],
            "{ctx}"
        );
        // RF-01: median response days of 2, 9 and 4.
        assert_eq!(
            compute(store, t, "RF-01", y, None).await,
            vec![(Key::Total, value(4, 1))],
            "{ctx}"
        );
        // RF-02: accepted among answered, 2 of 3.
        assert_eq!(
            compute(store, t, "RF-02", y, None).await,
            vec![(Key::Total, value(2, 3))],
            "{ctx}"
        );
        // RF-03: late (answered after the due day, or unanswered past it): 2 of 4.
        assert_eq!(
            compute(store, t, "RF-03", y, None).await,
            vec![(Key::Total, value(2, 4))],
            "{ctx}"
        );
        // No records in the period: no data, not zero.
        assert_eq!(
            compute(store, t, "PL-01", year(2024), None).await,
            vec![(Key::Total, IndicatorValue::NoData)],
            "{ctx}"
        );
        assert_eq!(
            compute(store, t, "IT-02", y, None).await,
            vec![(Key::Total, IndicatorValue::NoData)],
            "{ctx}"
        );

        // PL-01 by neighbourhood: 12 and 2; the small group is hidden, and so is the other,
        // or it would give the small one away as total minus the rest.
        let pl01 = def("PL-01");
        let cells = compute(store, t, "PL-01", y, Some(Disaggregation::Neighbourhood)).await;
        assert_eq!(
            cells,
            vec![
                (Key::Total, value(14, 1)),
                (Key::Group("otxarkoaga".into()), value(12, 1)),
                (Key::Group("txurdinaga".into()), value(2, 1)),
            ],
            "{ctx}"
        );
        let mut rows = BTreeMap::new();
        rows.insert(
            Source::Placements,
            indicator_facts::rows(store, t, Source::Placements, y)
                .await
                .unwrap(),
        );
        let counts = cell_counts(&pl01, y, &rows, Some(Disaggregation::Neighbourhood));
        let published = protect_counts(pl01.sensitivity, &cells, &counts).unwrap();
        assert_eq!(
            published,
            vec![
                (Key::Total, Published::Value(value(14, 1))),
                (Key::Group("otxarkoaga".into()), Published::Suppressed),
                (Key::Group("txurdinaga".into()), Published::Suppressed),
            ],
            "{ctx}"
        );

        // Derived person fields: age band at the period's end, origin from nationality, district.
        let rows = indicator_facts::rows(store, t, Source::Placements, y)
            .await
            .unwrap();
        let young: Vec<_> = rows
            .iter()
            .filter(|r| *r.get("neighbourhood") == FieldValue::Text("txurdinaga".into()))
            .collect();
        assert_eq!(young.len(), 2, "{ctx}");
        for r in young {
            assert_eq!(
                r.get("age_band"),
                &FieldValue::Text("under_25".into()),
                "{ctx}"
            );
            assert_eq!(r.get("origin"), &FieldValue::Text("non_eu".into()), "{ctx}");
            assert_eq!(r.get("district"), &FieldValue::Text("6".into()), "{ctx}");
        }

        // Casework: the four referral cases have no plan; one more has live actions from two
        // agencies, one done on time, one done late, one pending and one cancelled.
        let other = Uuid::now_v7();
        raw_exec!(store, "INSERT INTO agencies (id, tenant_id, name_eu, name_es, system, active, version, created_at, updated_at) VALUES ($1,$2,'Gizarte zerbitzuak','Servicios sociales','social',$3,1,0,0)",
            other, t.0, true).unwrap();
        let area_id = raw_column!(
            store,
            Uuid,
            "SELECT id FROM areas WHERE code = 'otxarkoaga'"
        )
        .unwrap()[0];
        let p = person(store, t, area_id, "1985-03-03", "woman", "ES").await;
        let case = Uuid::now_v7();
        raw_exec!(store, "INSERT INTO cases (id, tenant_id, person_id, lead_user_id, lead_agency_id, status, opened_at, version) VALUES ($1,$2,$3,$4,$5,'active',$6,1)",
            case, t.0, p, s.user, s.agency, micros("2026-01-10")).unwrap();
        for a in [s.agency, other] {
            raw_exec!(
                store,
                "INSERT INTO case_team (case_id, agency_id, joined_at) VALUES ($1,$2,0)",
                case,
                a
            )
            .unwrap();
        }
        for (agency, due, status, updated) in [
            (s.agency, "2026-03-01", "done", "2026-02-20"),
            (other, "2026-03-01", "done", "2026-03-05"),
            (other, "2026-04-01", "pending", "2026-01-10"),
            (s.agency, "2026-04-01", "cancelled", "2026-01-12"),
        ] {
            raw_exec!(store, "INSERT INTO plan_actions (id, tenant_id, case_id, agency_id, description, due_on, status, created_at, updated_at, version) VALUES ($1,$2,$3,$4,'Ekintza',$5,$6,$7,$8,1)",
                Uuid::now_v7(), t.0, case, agency, due, status, micros("2026-01-10"), micros(updated)).unwrap();
        }
        // Two referral cases each get one action agreed at a meeting (cancelled, so the action
        // counts are unchanged): two agencies attended the first meeting, a joint plan; one
        // agency the second, not one.
        let others: Vec<Uuid> = raw_column!(
            store,
            Uuid,
            "SELECT id FROM cases WHERE id <> $1 ORDER BY id",
            case
        )
        .unwrap();
        for (k, attended) in [(0usize, vec![s.agency, other]), (1, vec![s.agency])] {
            let meeting = Uuid::now_v7();
            raw_exec!(store, "INSERT INTO meetings (id, tenant_id, held_on, minutes, created_by, created_at) VALUES ($1,$2,'2026-02-02','Bilera',$3,0)",
                meeting, t.0, s.user).unwrap();
            for a in attended {
                raw_exec!(
                    store,
                    "INSERT INTO meeting_agencies (meeting_id, agency_id) VALUES ($1,$2)",
                    meeting,
                    a
                )
                .unwrap();
            }
            raw_exec!(store, "INSERT INTO plan_actions (id, tenant_id, case_id, meeting_id, agency_id, description, due_on, status, created_at, updated_at, version) VALUES ($1,$2,$3,$4,$5,'Ekintza','2026-05-01','cancelled',$6,$6,1)",
                Uuid::now_v7(), t.0, others[k], meeting, s.agency, micros("2026-02-02")).unwrap();
        }
        // Itineraries: one long-term unemployed person opened in 2026, one closed in 2025.
        raw_exec!(store, "INSERT INTO employment_profiles (person_id, tenant_id, unemployed_since, income_guarantee, updated_at) VALUES ($1,$2,'2024-06-01',1,0)", p, t.0).unwrap();
        let q = person(store, t, area_id, "1999-03-03", "man", "ES").await;
        for (who, opened, closed, status) in [
            (p, "2026-02-01", None, "active"),
            (q, "2025-01-01", Some("2025-06-01"), "completed"),
        ] {
            raw_exec!(store, "INSERT INTO itineraries (id, tenant_id, person_id, professional_id, agency_id, status, opened_at, closed_at, version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,1)",
                Uuid::now_v7(), t.0, who, s.user, s.agency, status, micros(opened), closed.map(micros)).unwrap();
        }
        // IT-01: people in an itinerary during the year; IT-05: of them long-term unemployed.
        assert_eq!(
            compute(store, t, "IT-01", y, None).await,
            vec![(Key::Total, value(1, 1))],
            "{ctx}"
        );
        assert_eq!(
            compute(store, t, "IT-05", y, None).await,
            vec![(Key::Total, value(1, 1))],
            "{ctx}"
        );
        assert_eq!(
            compute(store, t, "IT-01", year(2025), None).await,
            vec![(Key::Total, value(1, 1))],
            "{ctx}"
        );
        raw_exec!(store, "INSERT INTO plan_goals (id, tenant_id, case_id, domain, description, status, created_by, created_at, version) VALUES ($1,$2,$3,'employment','Lana','achieved',$4,$5,1)",
            Uuid::now_v7(), t.0, case, s.user, micros("2026-01-10")).unwrap();
        assert_eq!(
            compute(store, t, "CS-04", y, None).await,
            vec![(Key::Total, value(1, 1))],
            "{ctx}"
        );
        // Training: one enrolment completed with a certificate, one dropped out, one still on.
        let programme = Uuid::now_v7();
        raw_exec!(store, "INSERT INTO programmes (id, tenant_id, name_eu, name_es, year, status, promoter_agency, places, starts_on, ends_on, target_groups, eligibility, version, created_at) VALUES ($1,$2,'Auzo plana','Plan de barrio',2026,'running',$3,20,'2026-01-01','2026-12-31','[]','{}',1,0)",
            programme, t.0, s.agency).unwrap();
        let action = Uuid::now_v7();
        raw_exec!(store, "INSERT INTO training_actions (id, tenant_id, programme_id, provider_agency, title_eu, title_es, status, hours, places, location, esco_code, skills, language, starts_on, ends_on, weekdays, time_from, time_to, eligibility, version, created_at)
            VALUES ($1,$2,$3,$4,'Garbiketa','Limpieza','in_progress',60,15,'Otxarkoaga','9112','[]','eu','2026-02-01','2026-06-30','[1,2,3]','09:00','13:00','{}',1,0)",
            action, t.0, programme, s.agency).unwrap();
        for (who, status, closed, certificate) in [
            (p, "completed", Some("2026-06-30"), Some("CP-1")),
            (q, "dropped_out", Some("2026-03-15"), None),
            (area_person(store, t, area_id).await, "enrolled", None, None),
        ] {
            raw_exec!(store, "INSERT INTO enrolments (id, tenant_id, action_id, person_id, status, enrolled_on, closed_on, certificate, enrolled_by, version) VALUES ($1,$2,$3,$4,$5,'2026-02-01',$6,$7,$8,1)",
                Uuid::now_v7(), t.0, action, who, status, closed, certificate, s.user).unwrap();
        }
        // TR-01: completed among finished, 1 of 2; TR-03: completed with a certificate.
        assert_eq!(
            compute(store, t, "TR-01", y, None).await,
            vec![(Key::Total, value(1, 2))],
            "{ctx}"
        );
        assert_eq!(
            compute(store, t, "TR-03", y, None).await,
            vec![(Key::Total, value(1, 1))],
            "{ctx}"
        );
        for source in [
            Source::Enrolments,
            Source::PlanGoals,
            Source::People,
            Source::Referrals,
            Source::Placements,
            Source::FollowUps,
            Source::Cases,
            Source::PlanActions,
            Source::Itineraries,
        ] {
            assert_fields(store, t, source, y, ctx).await;
        }

        // CS-01: cases open during the year; CS-02: with a joint plan, 2 of 5 (actions of two
        // agencies, or agreed at a meeting of two agencies).
        assert_eq!(
            compute(store, t, "CS-01", y, None).await,
            vec![(Key::Total, value(5, 1))],
            "{ctx}"
        );
        assert_eq!(
            compute(store, t, "CS-02", y, None).await,
            vec![(Key::Total, value(2, 5))],
            "{ctx}"
        );
        // CS-03: actions done by their due day among live ones, 1 of 3.
        assert_eq!(
            compute(store, t, "CS-03", y, None).await,
            vec![(Key::Total, value(1, 3))],
            "{ctx}"
        );
        // Every catalogue indicator computes from these records, with each breakdown it allows.
        for d in catalogue::load().unwrap() {
            for dis in std::iter::once(None).chain(d.disaggregations.iter().copied().map(Some)) {
                let cells = indicator_facts::compute(store, t, &d, y, dis).await;
                assert!(cells.is_ok(), "{ctx}: {} {dis:?}", d.code);
            }
        }
        db.finish().await;
    }
}

async fn organisation(
    store: &Store,
    t: TenantId,
    area: Uuid,
    form: &str,
    created: &str,
    pole: bool,
) -> Uuid {
    let id = Uuid::now_v7();
    raw_exec!(store, "INSERT INTO organisations (id, tenant_id, name, tax_id, legal_form, sector, area_id, pole_member, pole_member_since, version, created_at, updated_at)
        VALUES ($1,$2,$3,$3,$4,'q',$5,$6,$7,1,$8,0)",
        id, t.0, id.to_string(), form, area, i64::from(pole), pole.then_some("2026-05-01"), micros(created)).unwrap();
    id
}

async fn profile(store: &Store, org: Uuid, year: i64, workforce: i64, women_resp: i64, resp: i64) {
    raw_exec!(store, "INSERT INTO sse_profiles (organisation_id, year, workforce, women, women_in_responsibility, people_in_responsibility, hired_from_exclusion, permanent_contracts, ethical_finance, recorded_at)
        VALUES ($1,$2,$3,0,$4,$5,2,0,1,0)",
        org, year, workforce, women_resp, resp).unwrap();
}

async fn contract(
    store: &Store,
    t: TenantId,
    status: &str,
    reservation: &str,
    award: Option<(Uuid, i64)>,
) -> Uuid {
    let id = Uuid::now_v7();
    raw_exec!(store, "INSERT INTO contracts (id, tenant_id, ocid, file_number, contracting_body, title, cpv, category, procedure, status, amount_cents, awarded_on, reservation, awardee, awarded_cents, version, created_at)
        VALUES ($1,$2,$3,$3,'Udala','Garbiketa','90910000-9','services','open',$4,5000,$5,$6,$7,$8,1,0)",
        id, t.0, id.to_string(), status, award.map(|_| "2026-04-01"), reservation, award.map(|a| a.0), award.map(|a| a.1)).unwrap();
    id
}

async fn clause_with_check(store: &Store, contract: Uuid, verdict: &str, penalty: i64) {
    let clause = Uuid::now_v7();
    raw_exec!(store, "INSERT INTO social_clauses (id, contract_id, stage, purpose, description, created_at) VALUES ($1,$2,'execution_condition','hiring_at_risk','Kontratazioa',0)",
        clause, contract).unwrap();
    raw_exec!(store, "INSERT INTO compliance_checks (id, social_clause_id, checked_on, evidence, verdict, penalty_cents, recorded_at) VALUES ($1,$2,'2026-09-01','Txostena',$3,$4,0)",
        Uuid::now_v7(), clause, verdict, penalty).unwrap();
}

#[tokio::test]
async fn ecosystem_indicators_from_records() {
    for db in migrated().await {
        let ctx = db.name;
        let store = &db.store;
        let t = tenants::create(store, &IneCode::parse("48020").unwrap(), "Bilbao", "Bilbao")
            .await
            .unwrap()
            .id;
        let district = area(store, t, "district", "6", None).await;
        let otx = area(store, t, "neighbourhood", "otxarkoaga", Some(district)).await;
        let coop = organisation(store, t, otx, "cooperative", "2026-02-01", true).await;
        let company = organisation(store, t, otx, "company", "2026-02-01", false).await;
        organisation(store, t, otx, "foundation", "2027-02-01", false).await;
        profile(store, coop, 2026, 12, 3, 5).await;
        profile(store, company, 2026, 20, 1, 3).await;
        profile(store, coop, 2025, 10, 2, 5).await;
        let y = year(2026);

        // SSE-01: social economy organisations registered by the period (the 2027 one is not).
        assert_eq!(
            compute(store, t, "SSE-01", y, None).await,
            vec![(Key::Total, value(1, 1))],
            "{ctx}"
        );
        // SSE-06: members of the pole since May.
        assert_eq!(
            compute(store, t, "SSE-06", y, None).await,
            vec![(Key::Total, value(1, 1))],
            "{ctx}"
        );
        // SSE-02: workforce summed over the 2026 profiles only.
        assert_eq!(
            compute(store, t, "SSE-02", y, None).await,
            vec![(Key::Total, value(32, 1))],
            "{ctx}"
        );
        // SSE-03: women among people in responsibility, 4 of 8.
        assert_eq!(
            compute(store, t, "SSE-03", y, None).await,
            vec![(Key::Total, value(4, 8))],
            "{ctx}"
        );
        let reserved = contract(
            store,
            t,
            "awarded",
            "insertion_companies",
            Some((coop, 1000)),
        )
        .await;
        contract(
            store,
            t,
            "in_execution",
            "not_reserved",
            Some((company, 3000)),
        )
        .await;
        contract(store, t, "tendering", "not_reserved", None).await;
        clause_with_check(store, reserved, "compliant", 0).await;
        clause_with_check(store, reserved, "non_compliant", 500).await;
        // PR-01: reserved share of the awarded amount, 1000 of 4000 (the tender is out).
        assert_eq!(
            compute(store, t, "PR-01", y, None).await,
            vec![(Key::Total, value(1000, 4000))],
            "{ctx}"
        );
        // PR-02: awarded contracts with a social clause, 1 of 2.
        assert_eq!(
            compute(store, t, "PR-02", y, None).await,
            vec![(Key::Total, value(1, 2))],
            "{ctx}"
        );
        // PR-05: awarded to the social economy (the cooperative), from the awardee's legal form.
        assert_eq!(
            compute(store, t, "PR-05", y, None).await,
            vec![(Key::Total, value(1000, 1))],
            "{ctx}"
        );
        // PR-03 and PR-04: compliant checks 1 of 2, penalties 500.
        assert_eq!(
            compute(store, t, "PR-03", y, None).await,
            vec![(Key::Total, value(1, 2))],
            "{ctx}"
        );
        assert_eq!(
            compute(store, t, "PR-04", y, None).await,
            vec![(Key::Total, value(500, 1))],
            "{ctx}"
        );
        // AG-01: no agreement: no data.
        assert_eq!(
            compute(store, t, "AG-01", y, None).await,
            vec![(Key::Total, IndicatorValue::NoData)],
            "{ctx}"
        );
        raw_exec!(store, "INSERT INTO contract_lots (id, contract_id, number, title, cpv, amount_cents, reservation, awardee, awarded_cents) VALUES ($1,$2,1,'Lotea','90910000-9',1000,'insertion_companies',$3,1000)",
            Uuid::now_v7(), reserved, coop).unwrap();
        raw_exec!(store, "INSERT INTO ventures (id, tenant_id, name, stage, area_id, started_on, promoters, version, created_at) VALUES ($1,$2,'Auzo janaria','idea',$3,'2027-02-01',2,1,0)",
            Uuid::now_v7(), t.0, otx).unwrap();
        let agreement = Uuid::now_v7();
        raw_exec!(store, "INSERT INTO agreements (id, tenant_id, kind, title_eu, title_es, scope, status, target_groups, starts_on, ends_on, version, created_at) VALUES ($1,$2,'public_collaboration','Hitzarmena','Convenio','Empleo','active','[]','2026-01-01','2026-12-31',1,0)",
            agreement, t.0).unwrap();
        for status in ["met", "missed", "open"] {
            raw_exec!(store, "INSERT INTO commitments (id, tenant_id, agreement_id, kind, description, target, unit, due_on, status, version, created_at) VALUES ($1,$2,$3,'hire_participants','Kontratatu',2,'people','2026-11-30',$4,1,0)",
                Uuid::now_v7(), t.0, agreement, status).unwrap();
        }
        // AG-01: one agreement in force; AG-02: commitments met among those settled, 1 of 2.
        assert_eq!(
            compute(store, t, "AG-01", y, None).await,
            vec![(Key::Total, value(1, 1))],
            "{ctx}"
        );
        assert_eq!(
            compute(store, t, "AG-02", y, None).await,
            vec![(Key::Total, value(1, 2))],
            "{ctx}"
        );
        for source in [
            Source::Lots,
            Source::Ventures,
            Source::Agreements,
            Source::Commitments,
            Source::Organisations,
            Source::SseProfiles,
            Source::Contracts,
            Source::SocialClauses,
            Source::ComplianceChecks,
        ] {
            assert_fields(store, t, source, y, ctx).await;
        }
        // SSE-05: the only venture started in 2027: no data in 2026, not zero.
        assert_eq!(
            compute(store, t, "SSE-05", y, None).await,
            vec![(Key::Total, IndicatorValue::NoData)],
            "{ctx}"
        );
        // Every catalogue indicator computes from these records, with each breakdown it allows.
        for d in catalogue::load().unwrap() {
            for dis in std::iter::once(None).chain(d.disaggregations.iter().copied().map(Some)) {
                let cells = indicator_facts::compute(store, t, &d, y, dis).await;
                assert!(cells.is_ok(), "{ctx}: {} {dis:?}", d.code);
            }
        }
        db.finish().await;
    }
}

/// The published results the dashboards read: computed for the standard periods, read back cell
/// by cell, suppressed where the counts are small, and recomputed only when a period is stale.
#[tokio::test]
async fn published_results_are_stored_read_back_and_refreshed() {
    use elkarlan_domain::indicators::results::Scope;
    use elkarlan_store::indicator_results;
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    for db in migrated().await {
        let ctx = db.name;
        let store = &db.store;
        let s = seed(store).await;
        let t = s.tenant;
        let y = year(2026);
        let defs = catalogue::all();

        let done = indicator_results::refresh_due(store, t, defs, today)
            .await
            .unwrap();
        assert_eq!(
            done.periods, 8,
            "{ctx}: 2024, 2025, 2026, four quarters and the plan's 2024-2027"
        );
        assert!(done.cells > 1000, "{ctx}: {} cells", done.cells);
        let periods = indicator_results::computed_periods(store, t).await.unwrap();
        assert_eq!(periods.len(), 8, "{ctx}");
        assert!(periods.iter().all(|p| p.standard), "{ctx}");

        let city = indicator_results::result(store, t, "PL-01", y, &Scope::City, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(city.total(), Published::Value(value(14, 1)), "{ctx}");
        let otx = Scope::Neighbourhood("otxarkoaga".into());
        let txu = Scope::Neighbourhood("txurdinaga".into());
        let r = indicator_results::result(store, t, "PL-01", y, &otx, None)
            .await
            .unwrap()
            .unwrap();
        // Otxarkoaga's 12 are hidden as the complement of Txurdinaga's 2 (below), or the city's
        // 14 minus them would give Txurdinaga away; the city total is kept.
        assert_eq!(r.total(), Published::Suppressed, "{ctx}");
        let women =
            indicator_results::result(store, t, "PL-01", y, &otx, Some(Disaggregation::Sex))
                .await
                .unwrap()
                .unwrap();
        assert_eq!(
            women.total(),
            Published::Suppressed,
            "{ctx}: the same count everywhere"
        );
        // Two placements in Txurdinaga: under 5, hidden in its own page and in the city's list.
        let r = indicator_results::result(store, t, "PL-01", y, &txu, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(r.total(), Published::Suppressed, "{ctx}");
        let by_nb = indicator_results::result(
            store,
            t,
            "PL-01",
            y,
            &Scope::City,
            Some(Disaggregation::Neighbourhood),
        )
        .await
        .unwrap()
        .unwrap();
        let groups: Vec<(&str, Published)> = by_nb.groups().collect();
        assert_eq!(
            groups
                .iter()
                .find(|(g, _)| *g == "txurdinaga")
                .map(|(_, p)| *p),
            Some(Published::Suppressed),
            "{ctx}"
        );
        // ... and Otxarkoaga with it, or 14 - 12 would give Txurdinaga away.
        assert_eq!(
            groups
                .iter()
                .filter(|(_, p)| *p == Published::Suppressed)
                .count()
                + usize::from(by_nb.total() == Published::Suppressed),
            2,
            "{ctx}: {groups:?}"
        );
        // A breakdown of a neighbourhood by sex lists every declared group, empty or not.
        let by_sex = indicator_results::results(store, t, y, &otx, Some(Disaggregation::Sex))
            .await
            .unwrap();
        let pl = by_sex.iter().find(|r| r.code == "PL-01").unwrap();
        let sexes: Vec<&str> = pl.groups().map(|(g, _)| g).collect();
        assert_eq!(
            sexes,
            vec!["man", "non_binary", "not_recorded", "unknown", "woman"],
            "{ctx}"
        );
        assert_eq!(
            indicator_results::neighbourhoods(store, t, y)
                .await
                .unwrap(),
            vec!["otxarkoaga".to_owned(), "txurdinaga".to_owned()],
            "{ctx}"
        );

        // Nothing changed: nothing to do.
        let again = indicator_results::refresh_due(store, t, defs, today)
            .await
            .unwrap();
        assert_eq!(again.periods, 0, "{ctx}");
        // A stale period is recomputed, with the records as they are now.
        raw_exec!(store, "UPDATE indicator_periods SET computed_at = -1 WHERE period_start = '2026-01-01' AND period_end = '2026-12-31'").unwrap();
        let otx_area: Vec<Uuid> = raw_column!(
            store,
            Uuid,
            "SELECT id FROM areas WHERE code = 'otxarkoaga'"
        )
        .unwrap();
        let newcomer = person(store, t, otx_area[0], "1990-01-01", "woman", "ES").await;
        placement(store, &s, newcomer, "2026-10-01").await;
        let again = indicator_results::refresh_due(store, t, defs, today)
            .await
            .unwrap();
        assert_eq!(again.periods, 1, "{ctx}");
        let city = indicator_results::result(store, t, "PL-01", y, &Scope::City, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(city.total(), Published::Value(value(15, 1)), "{ctx}");

        // A grid period nobody computed before is computed on demand, and again only when stale.
        let march = GridPeriod::Month(2026, 3);
        assert!(
            indicator_results::ensure_period(store, t, defs, march)
                .await
                .unwrap()
        );
        assert!(
            !indicator_results::ensure_period(store, t, defs, march)
                .await
                .unwrap()
        );
        let periods = indicator_results::computed_periods(store, t).await.unwrap();
        assert!(
            periods
                .iter()
                .any(|p| p.period == march.period() && !p.standard),
            "{ctx}"
        );
        let r = indicator_results::result(store, t, "PL-01", march.period(), &Scope::City, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            r.total(),
            Published::Value(value(12, 1)),
            "{ctx}: 12 in March, 2 in April"
        );
        db.finish().await;
    }
}

/// Only grid periods are stored: what earlier versions kept for custom ranges is dropped by the
/// worker, and a grid period a reader asked for is brought up to date when read, never by the
/// worker, so the work after each write stays the standard periods' whatever readers asked.
#[tokio::test]
async fn only_grid_periods_are_stored_and_the_worker_refreshes_only_the_standard_ones() {
    use elkarlan_store::indicator_results;
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    for db in migrated().await {
        let ctx = db.name;
        let store = &db.store;
        let s = seed(store).await;
        let t = s.tenant;
        let defs = catalogue::all();
        // Two custom ranges a day apart, as an earlier version stored them on request.
        for end in ["2026-10-01", "2026-10-02"] {
            raw_exec!(store, "INSERT INTO indicator_periods (tenant_id, period_start, period_end, standard, computed_at) VALUES ($1,'2026-10-01',$2,0,0)",
                t.0, end).unwrap();
            raw_exec!(store, "INSERT INTO indicator_cells (tenant_id, period_start, period_end, scope, indicator, disaggregation, position, group_code, kind, numerator, denominator) VALUES ($1,'2026-10-01',$2,'city','PL-01','',0,'','value',1,1)",
                t.0, end).unwrap();
        }
        // A neighbourhood where nobody lives is listed all the same.
        let district: Vec<Uuid> =
            raw_column!(store, Uuid, "SELECT id FROM areas WHERE code = '6'").unwrap();
        area(store, t, "neighbourhood", "zorrotzaurre", Some(district[0])).await;
        let first = indicator_results::refresh_due(store, t, defs, today)
            .await
            .unwrap();
        assert_eq!(first.periods, 8, "{ctx}");
        assert_eq!(
            indicator_results::neighbourhoods(store, t, year(2026))
                .await
                .unwrap(),
            ["otxarkoaga", "txurdinaga", "zorrotzaurre"],
            "{ctx}"
        );
        let stored = indicator_results::computed_periods(store, t).await.unwrap();
        assert_eq!(stored.len(), 8, "{ctx}: the custom ranges are gone");
        let leftover: Vec<i64> = raw_column!(
            store,
            i64,
            "SELECT COUNT(*) FROM indicator_cells WHERE period_end = '2026-10-02' OR (period_start = '2026-10-01' AND period_end = '2026-10-01')"
        )
        .unwrap();
        assert_eq!(leftover, vec![0], "{ctx}");

        // A reader asks for a month: stored once.
        let october = GridPeriod::Month(2026, 10);
        assert!(
            indicator_results::ensure_period(store, t, defs, october)
                .await
                .unwrap()
        );
        assert_eq!(
            indicator_results::computed_periods(store, t)
                .await
                .unwrap()
                .len(),
            9,
            "{ctx}"
        );
        // Records change (every stored period now older than the change): the worker
        // recomputes the eight standard periods and leaves the month alone...
        raw_exec!(store, "UPDATE indicator_periods SET computed_at = -1").unwrap();
        let after = indicator_results::refresh_due(store, t, defs, today)
            .await
            .unwrap();
        assert_eq!(after.periods, 8, "{ctx}");
        let month = indicator_results::computed_at(store, t, october.period())
            .await
            .unwrap()
            .map(|at| at.micros());
        assert_eq!(month, Some(-1), "{ctx}: not refreshed by the worker");
        // ... which is recomputed when read again.
        assert!(
            indicator_results::ensure_period(store, t, defs, october)
                .await
                .unwrap()
        );
        db.finish().await;
    }
}
