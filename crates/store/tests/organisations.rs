//! Conformance of the ecosystem directory's store functions, on SQLite and (with
//! `TEST_DATABASE_URL`) PostgreSQL: duplicate tax ids, reserved-contract eligibility from
//! register entries, matching SSE entities to a CPV code and a reservation, profile upserts,
//! and ventures moving forward only.

#![allow(clippy::unwrap_used, clippy::expect_used)]
// The shared harness has helpers only the main conformance suite uses.
#![allow(unused_macros, dead_code)]

#[macro_use]
mod common;

use chrono::NaiveDate;
use common::migrated;
use elkarlan_domain::ecosystem::codes::{QualificationKind, Reservation, VentureStage};
use elkarlan_domain::ecosystem::cpv::Cpv;
use elkarlan_domain::ecosystem::organisation::{
    OrganisationInput, ProfileInput, QualificationInput, VentureInput,
};
use elkarlan_domain::policy::{Action, Grant, SystemTask};
use elkarlan_domain::territory::IneCode;
use elkarlan_domain::{OrganisationId, TenantId};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::{Store, StoreError, organisations, pole, tenants};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn grant(t: TenantId) -> Grant {
    Grant::system(t, SystemTask::Bootstrap, Action::ManageEcosystem)
}

async fn org(
    store: &Store,
    t: TenantId,
    name: &str,
    tax: &str,
    form: &str,
    cpv: &[&str],
    pole: bool,
) -> OrganisationId {
    let d = OrganisationInput {
        name: name.into(),
        tax_id: tax.into(),
        legal_form: form.into(),
        sector: "n".into(),
        activities: cpv.iter().map(|c| (*c).to_owned()).collect(),
        pole_member: pole,
        ..OrganisationInput::default()
    }
    .parse()
    .unwrap();
    organisations::create(store, &grant(t), &RequestMeta::default(), &d)
        .await
        .unwrap()
}

async fn qualify(store: &Store, t: TenantId, o: OrganisationId, kind: &str, from: &str, to: &str) {
    let d = QualificationInput {
        kind: kind.into(),
        register_number: format!("{kind}-{from}"),
        granted_on: from.into(),
        expires_on: to.into(),
        evidence: "BOPV".into(),
    }
    .parse()
    .unwrap();
    organisations::add_qualification(store, &grant(t), &RequestMeta::default(), o, &d)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_directory_matches_sse_entities_to_contracts() {
    for db in migrated().await {
        let ctx = db.name;
        let s = &db.store;
        let t = tenants::create(s, &IneCode::parse("48020").unwrap(), "Bilbao", "Bilbao")
            .await
            .unwrap()
            .id;
        let ei = org(
            s,
            t,
            "Garbi EI",
            "B48000020",
            "insertion_company",
            &["90910000"],
            false,
        )
        .await;
        let cee = org(
            s,
            t,
            "Lorategi CEE",
            "G48000038",
            "special_employment_centre",
            &["90900000", "77310000"],
            false,
        )
        .await;
        let coop = org(
            s,
            t,
            "Sukalde Koop",
            "F48000046",
            "cooperative",
            &["55520000"],
            false,
        )
        .await;
        let firm = org(
            s,
            t,
            "Garbitasuna SA",
            "A48000111",
            "company",
            &["90910000"],
            false,
        )
        .await;
        let pole_firm = org(
            s,
            t,
            "Auzo Denda SL",
            "B48000103",
            "company",
            &["90911200"],
            true,
        )
        .await;
        // A duplicate tax id is a conflict, never a second row.
        let dup = OrganisationInput {
            name: "Copy".into(),
            tax_id: "B48000020".into(),
            legal_form: "company".into(),
            sector: "g".into(),
            ..OrganisationInput::default()
        }
        .parse()
        .unwrap();
        assert!(
            matches!(
                organisations::create(s, &grant(t), &RequestMeta::default(), &dup).await,
                Err(StoreError::Conflict("tax_id"))
            ),
            "{ctx}"
        );
        qualify(
            s,
            t,
            ei,
            "insertion_company_register",
            "2024-01-01",
            "2027-01-01",
        )
        .await;
        qualify(
            s,
            t,
            cee,
            "special_employment_centre_register",
            "2020-01-01",
            "2025-01-01",
        )
        .await;
        let on = day("2026-03-01");
        let e = organisations::eligibility_on(s, t, ei, on)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(e.kind, QualificationKind::InsertionCompanyRegister, "{ctx}");
        assert_eq!(e.until, Some(day("2027-01-01")));
        assert!(
            organisations::eligibility_on(s, t, cee, on)
                .await
                .unwrap()
                .is_none(),
            "{ctx}: expired"
        );
        assert_eq!(
            organisations::qualifications(s, t, cee)
                .await
                .unwrap()
                .len(),
            1
        );

        let cleaning = Cpv::parse("90910000").unwrap();
        let names = |v: Vec<(organisations::OrganisationSummary, Option<_>)>| {
            let mut n: Vec<String> = v.into_iter().map(|(o, _)| o.name).collect();
            n.sort();
            n
        };
        // Not reserved: SSE by legal form or by pole membership, with an overlapping activity.
        let m = organisations::matching(s, t, cleaning, Reservation::NotReserved, on)
            .await
            .unwrap();
        assert_eq!(
            names(m),
            vec!["Auzo Denda SL", "Garbi EI", "Lorategi CEE"],
            "{ctx}"
        );
        // Reserved to insertion companies: only the one in force in that register.
        let m = organisations::matching(s, t, cleaning, Reservation::InsertionCompanies, on)
            .await
            .unwrap();
        assert_eq!(names(m), vec!["Garbi EI"], "{ctx}");
        // Reserved to special employment centres: the CEE's entry expired.
        let m = organisations::matching(s, t, cleaning, Reservation::SpecialEmploymentCentres, on)
            .await
            .unwrap();
        assert!(m.is_empty(), "{ctx}");
        let m = organisations::matching(s, t, cleaning, Reservation::Both, day("2024-06-01"))
            .await
            .unwrap();
        assert_eq!(
            names(m),
            vec!["Garbi EI", "Lorategi CEE"],
            "{ctx}: both in force in 2024"
        );
        let catering = Cpv::parse("55500000").unwrap();
        let m = organisations::matching(s, t, catering, Reservation::NotReserved, on)
            .await
            .unwrap();
        assert_eq!(names(m), vec!["Sukalde Koop"], "{ctx}");
        let _ = (coop, firm, pole_firm);

        // The list's filters.
        let f = organisations::Filter {
            eligible_on: Some(on),
            ..Default::default()
        };
        assert_eq!(
            names(organisations::list(s, t, &f, on).await.unwrap()),
            vec!["Garbi EI"],
            "{ctx}"
        );
        let f = organisations::Filter {
            cpv_text: Some("7731".into()),
            ..Default::default()
        };
        assert_eq!(
            names(organisations::list(s, t, &f, on).await.unwrap()),
            vec!["Lorategi CEE"],
            "{ctx}"
        );

        // Profiles upsert per year.
        for women in ["3", "4"] {
            let p = ProfileInput {
                workforce: "8".into(),
                women: women.into(),
                women_in_responsibility: "1".into(),
                people_in_responsibility: "2".into(),
                hired_from_exclusion: "5".into(),
                permanent_contracts: "2".into(),
                ..ProfileInput::default()
            }
            .parse(2025)
            .unwrap();
            organisations::save_profile(s, &grant(t), &RequestMeta::default(), ei, &p)
                .await
                .unwrap();
        }
        let ps = organisations::profiles(s, t, ei).await.unwrap();
        assert_eq!(ps.len(), 1, "{ctx}");
        assert_eq!(ps[0].women, 4);

        // A venture moves forward only, and is linked to its organisation.
        let v = VentureInput {
            name: "Josketa".into(),
            started_on: "2025-05-01".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        let vid = pole::create_venture(s, &grant(t), &RequestMeta::default(), &v)
            .await
            .unwrap();
        pole::move_stage(
            s,
            &grant(t),
            &RequestMeta::default(),
            vid,
            VentureStage::Idea,
            VentureStage::Constituted,
            Some(coop),
        )
        .await
        .unwrap();
        assert!(
            matches!(
                pole::move_stage(
                    s,
                    &grant(t),
                    &RequestMeta::default(),
                    vid,
                    VentureStage::Idea,
                    VentureStage::Incubation,
                    None
                )
                .await,
                Err(StoreError::Stale)
            ),
            "{ctx}: not at idea any more"
        );
        let got = pole::venture(s, t, vid).await.unwrap();
        assert_eq!(
            (got.stage, got.organisation),
            (VentureStage::Constituted, Some(coop))
        );
        db.finish().await;
    }
}
