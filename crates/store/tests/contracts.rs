//! Contracts conformance, on SQLite always and on PostgreSQL when `TEST_DATABASE_URL` is set:
//! awards and eligibility, the reserved share, matching, the all-or-nothing import and the
//! records the exports are built from. Organisations are written with raw SQL: the directory's
//! store is not under test here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
#[allow(dead_code, unused_macros)]
mod common;

use chrono::NaiveDate;
use common::migrated;
use elkarlan_domain::ecosystem::codes::{
    ClausePurpose, ClauseStage, ContractStatus, ProcurementCategory, ProcurementProcedure,
    Reservation,
};
use elkarlan_domain::ecosystem::commitment::CommitmentInput;
use elkarlan_domain::ecosystem::contract::{ClauseRecord, ContractRecord, LotRecord, PartyRef};
use elkarlan_domain::ecosystem::cpv::Cpv;
use elkarlan_domain::ecosystem::procurement::{AwardDraft, CheckInput, ClauseInput, ContractInput};
use elkarlan_domain::identity::TaxId;
use elkarlan_domain::policy::{Action, Grant, SystemTask};
use elkarlan_domain::territory::IneCode;
use elkarlan_domain::{OrganisationId, TenantId, Timestamp};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::commitments;
use elkarlan_store::contracts::{self, ContractFilter, ImportError};
use elkarlan_store::{Store, tenants};

fn grant(tenant: TenantId) -> Grant {
    Grant::system(tenant, SystemTask::Bootstrap, Action::ManageProcurement)
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn tenant(store: &Store) -> TenantId {
    tenants::create(store, &IneCode::parse("48020").unwrap(), "Bilbao", "Bilbao")
        .await
        .unwrap()
        .id
}

async fn organisation(
    store: &Store,
    tenant: TenantId,
    name: &str,
    tax_id: &str,
    form: &str,
    cpv: &str,
    register: Option<(&str, &str, Option<&str>)>,
) -> OrganisationId {
    let id = OrganisationId::new();
    let now = Timestamp::now().micros();
    raw_exec!(store, "INSERT INTO organisations (id, tenant_id, name, tax_id, legal_form, sector, pole_member, version, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,'n',1,1,$6,$6)",
        id.0, tenant.0, name.to_owned(), tax_id.to_owned(), form.to_owned(), now).unwrap();
    raw_exec!(
        store,
        "INSERT INTO organisation_activities (organisation_id, cpv) VALUES ($1,$2)",
        id.0,
        cpv.to_owned()
    )
    .unwrap();
    if let Some((kind, from, to)) = register {
        raw_exec!(store, "INSERT INTO qualifications (id, organisation_id, kind, register_number, granted_on, expires_on, evidence, recorded_at) VALUES ($1,$2,$3,'EI-48/0001',$4,$5,'Resolución',$6)",
            uuid::Uuid::now_v7(), id.0, kind.to_owned(), from.to_owned(), to.map(str::to_owned), now).unwrap();
    }
    id
}

fn record(ocid_suffix: &str, awardee: Option<&str>) -> ContractRecord {
    let party = awardee.map(|t| PartyRef {
        name: "Garbiker".into(),
        tax_id: TaxId::parse(t).unwrap(),
    });
    ContractRecord {
        ocid: format!("ocds-elk001-{ocid_suffix}"),
        file_number: ocid_suffix.into(),
        contracting_body: "Bilboko Udala".into(),
        title: "Limpieza".into(),
        description: None,
        cpv: Cpv::parse("90910000").unwrap(),
        category: ProcurementCategory::Services,
        procedure: ProcurementProcedure::Open,
        status: ContractStatus::Awarded,
        amount_cents: 10_000_000,
        published_on: Some(day("2026-01-10")),
        awarded_on: Some(day("2026-03-01")),
        starts_on: Some(day("2026-04-01")),
        ends_on: Some(day("2027-03-31")),
        reservation: Reservation::NotReserved,
        awardee: None,
        awarded_cents: None,
        lots: vec![
            LotRecord {
                number: 1,
                title: "Reservado".into(),
                cpv: Cpv::parse("90910000").unwrap(),
                amount_cents: 4_000_000,
                reservation: Reservation::InsertionCompanies,
                awardee: party.clone(),
                awarded_cents: Some(3_900_000),
            },
            LotRecord {
                number: 2,
                title: "Abierto".into(),
                cpv: Cpv::parse("90910000").unwrap(),
                amount_cents: 6_000_000,
                reservation: Reservation::NotReserved,
                awardee: party,
                awarded_cents: Some(5_850_000),
            },
        ],
        clauses: vec![ClauseRecord {
            lot: Some(1),
            stage: ClauseStage::ExecutionCondition,
            purpose: ClausePurpose::HiringAtRisk,
            description: "Dos contrataciones".into(),
            weight_percent: None,
        }],
    }
}

#[tokio::test]
async fn an_import_is_all_or_nothing_and_exports_what_it_stored() {
    for db in migrated().await {
        let (ctx, s) = (db.name, &db.store);
        let t = tenant(s).await;
        let g = grant(t);
        let meta = RequestMeta::default();
        organisation(
            s,
            t,
            "Garbiker",
            "B48700017",
            "insertion_company",
            "90910000",
            Some(("insertion_company_register", "2024-01-01", None)),
        )
        .await;
        // One good record and one naming an organisation the directory lacks: nothing lands.
        let bad = contracts::import(
            s,
            &g,
            &meta,
            vec![
                record("A-1", Some("B48700017")),
                record("A-2", Some("B48700025")),
            ],
        )
        .await;
        let Err(ImportError::Rejected(rows)) = bad else {
            panic!("{ctx}: accepted an unknown awardee")
        };
        assert_eq!(rows.len(), 1, "{ctx}: {rows:?}");
        assert_eq!(rows[0].record, 1);
        assert_eq!(
            rows[0].message,
            "organisation not in the directory: B48700025"
        );
        let none = contracts::list(s, t, &ContractFilter::default())
            .await
            .unwrap();
        assert!(none.is_empty(), "{ctx}: half-imported");

        let report = contracts::import(s, &g, &meta, vec![record("A-1", Some("B48700017"))])
            .await
            .map_err(|e| format!("{e:?}"))
            .unwrap();
        assert_eq!((report.contracts, report.lots, report.clauses), (1, 2, 1));
        // The same ocid again is refused.
        let again = contracts::import(s, &g, &meta, vec![record("A-1", Some("B48700017"))]).await;
        assert!(
            matches!(&again, Err(ImportError::Rejected(r)) if r[0].message.starts_with("contract already recorded")),
            "{ctx}: {again:?}"
        );
        // Exported records are what was imported.
        let out = contracts::records(s, t).await.unwrap();
        assert_eq!(out, vec![record("A-1", Some("B48700017"))], "{ctx}");
        // The reserved share of 2026: the reserved lot's awarded amount over both lots'.
        let share = contracts::reserved_share(s, t, 2026).await.unwrap();
        assert_eq!(share.reserved_cents, 3_900_000, "{ctx}");
        assert_eq!(share.total_cents, 9_750_000, "{ctx}");
        assert_eq!(share.permille, Some(400), "{ctx}");
        // A reserved lot left unawarded adds nothing to either side.
        let c = contracts::list(s, t, &ContractFilter::default())
            .await
            .unwrap()[0]
            .id;
        let deserted = elkarlan_domain::ecosystem::procurement::LotInput {
            number: "3".into(),
            title: "Desierto".into(),
            cpv: "90910000".into(),
            amount: "50000".into(),
            reservation: "insertion_companies".into(),
        }
        .parse()
        .unwrap();
        contracts::add_lot(s, &g, &meta, c, &deserted)
            .await
            .unwrap();
        let again = contracts::reserved_share(s, t, 2026).await.unwrap();
        assert_eq!(
            (again.reserved_cents, again.total_cents),
            (3_900_000, 9_750_000),
            "{ctx}"
        );
        contracts::set_target(s, &g, &meta, 2026, 80).await.unwrap();
        contracts::set_target(s, &g, &meta, 2026, 450)
            .await
            .unwrap();
        let share = contracts::reserved_share(s, t, 2026).await.unwrap();
        assert_eq!(
            share.target_permille,
            Some(450),
            "{ctx}: the target is replaced"
        );
        assert_eq!(share.meets_target(), Some(false));
        db.finish().await;
    }
}

#[tokio::test]
async fn awards_matching_checks_and_figures() {
    for db in migrated().await {
        let (ctx, s) = (db.name, &db.store);
        let t = tenant(s).await;
        let g = grant(t);
        let meta = RequestMeta::default();
        let ei = organisation(
            s,
            t,
            "Garbiker",
            "B48700017",
            "insertion_company",
            "90910000",
            Some((
                "insertion_company_register",
                "2024-01-01",
                Some("2026-06-01"),
            )),
        )
        .await;
        let company = organisation(
            s,
            t,
            "Garbiketak SL",
            "B48700033",
            "company",
            "90910000",
            None,
        )
        .await;
        let c = ContractInput {
            file_number: "2026/1".into(),
            contracting_body: "Bilboko Udala".into(),
            title: "Limpieza".into(),
            cpv: "90910000".into(),
            category: "services".into(),
            procedure: "open".into(),
            amount: "1000".into(),
            reservation: "insertion_companies".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        let id = contracts::create(s, &g, &meta, &c).await.unwrap();
        assert!(
            matches!(
                contracts::create(s, &g, &meta, &c).await,
                Err(elkarlan_store::StoreError::Conflict(_))
            ),
            "{ctx}: the ocid is unique"
        );
        // The register entry covers the award before its expiry, not after.
        let facts = contracts::organisation_facts(s, t, ei).await.unwrap();
        assert!(facts.covers(Reservation::InsertionCompanies, day("2026-05-31")));
        assert!(!facts.covers(Reservation::InsertionCompanies, day("2026-06-01")));
        let matches = contracts::matching_candidates(
            s,
            t,
            Cpv::parse("90911000").unwrap(),
            Reservation::InsertionCompanies,
            day("2026-05-01"),
        )
        .await
        .unwrap();
        assert_eq!(
            matches.iter().map(|m| m.id).collect::<Vec<_>>(),
            vec![ei],
            "{ctx}"
        );
        let later = contracts::matching_candidates(
            s,
            t,
            Cpv::parse("90911000").unwrap(),
            Reservation::InsertionCompanies,
            day("2026-07-01"),
        )
        .await
        .unwrap();
        assert!(later.is_empty(), "{ctx}: expired entries do not match");
        // An award the registers do not cover needs its justification.
        let award = AwardDraft {
            lot: None,
            awardee: company,
            awarded_cents: 90_000,
            awarded_on: day("2026-05-01"),
            justification: None,
        };
        assert!(
            contracts::award(s, &g, &meta, id, &award, false)
                .await
                .is_err()
        );
        let justified = AwardDraft {
            justification: Some("Licitación desierta".into()),
            ..award
        };
        contracts::award(s, &g, &meta, id, &justified, false)
            .await
            .unwrap();
        let got = contracts::get(s, t, id).await.unwrap();
        assert_eq!(got.status, ContractStatus::Awarded);
        assert_eq!(
            got.eligibility_justification.as_deref(),
            Some("Licitación desierta")
        );
        assert_eq!(got.awardee_name.as_deref(), Some("Garbiketak SL"));
        // A clause with a failed check shows as its latest verdict, and in the figures.
        let clause = ClauseInput {
            stage: "execution_condition".into(),
            purpose: "hiring_at_risk".into(),
            description: "Dos contrataciones".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        let cl = contracts::add_clause(s, &g, &meta, id, &clause)
            .await
            .unwrap();
        // A clause's commitment without an organisation is delivered by the contract's awardee.
        let owner = commitments::CommitmentOwner::Clause(cl);
        let window = commitments::owner_window(s, t, owner).await.unwrap();
        let k = CommitmentInput {
            kind: "hire_participants".into(),
            description: "Dos contrataciones".into(),
            target: "2".into(),
            unit: "personas".into(),
            due_on: "2026-12-31".into(),
            ..Default::default()
        }
        .parse(window)
        .unwrap();
        let k = commitments::create(s, &g, &meta, owner, &k).await.unwrap();
        let k = commitments::get(s, t, k).await.unwrap();
        assert_eq!(k.organisation, Some(company), "{ctx}");
        assert_eq!(k.organisation_name.as_deref(), Some("Garbiketak SL"));
        assert_eq!(
            commitments::list_for_clause(s, t, cl).await.unwrap().len(),
            1
        );
        for (on, verdict, penalty) in [
            ("2026-07-01", "compliant", ""),
            ("2026-09-01", "non_compliant", "500"),
        ] {
            let check = CheckInput {
                checked_on: on.into(),
                evidence: "TC2".into(),
                verdict: verdict.into(),
                penalty: penalty.into(),
                ..Default::default()
            }
            .parse()
            .unwrap();
            contracts::add_check(s, &g, &meta, cl, &check)
                .await
                .unwrap();
        }
        let got = contracts::clause(s, t, cl).await.unwrap();
        assert_eq!(
            got.latest_verdict.map(|v| v.code()),
            Some("non_compliant"),
            "{ctx}"
        );
        let f = contracts::figures(s, t, 2026).await.unwrap();
        assert_eq!(f.share.contracts, 1);
        assert_eq!(f.share.reserved_cents, 90_000);
        assert!(
            f.verdicts
                .contains(&("non_compliant".to_owned(), 1, 50_000)),
            "{ctx}: {:?}",
            f.verdicts
        );
        assert_eq!(
            f.hires_under_clauses, None,
            "{ctx}: fewer than five are not shown"
        );
        assert!(f.organisations.contains(&("company".to_owned(), 1, 1)));
        db.finish().await;
    }
}
