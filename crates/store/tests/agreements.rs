//! Agreements and commitments on both databases: the lifecycle writes, renewal in one
//! transaction, optimistic versions, tenant isolation, commitments under agreements and social
//! clauses, and the worker's reminder and expiry passes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code, unused_macros)]
#[macro_use]
mod common;

use common::migrated;
use elkarlan_domain::account::{DisplayName, Email, Role, Username};
use elkarlan_domain::ecosystem::agreement::{AgreementInput, DocumentInput, PartyInput};
use elkarlan_domain::ecosystem::codes::{AgreementKind, AgreementStatus};
use elkarlan_domain::ecosystem::commitment::{CommitmentInput, Standing, Window};
use elkarlan_domain::policy::{Action, Grant, SystemTask};
use elkarlan_domain::territory::IneCode;
use elkarlan_domain::{OrganisationId, SocialClauseId, TenantId};
use elkarlan_store::agreements::{self, Filter};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::commitments::{self, CommitmentOwner};
use elkarlan_store::{Store, StoreError, tenants, users};
use uuid::Uuid;

fn grant(tenant: TenantId) -> Grant {
    Grant::system(tenant, SystemTask::Bootstrap, Action::ManageEcosystem)
}

async fn tenant(store: &Store, ine: &str) -> TenantId {
    tenants::create(store, &IneCode::parse(ine).unwrap(), ine, ine)
        .await
        .unwrap()
        .id
}

async fn organisation(store: &Store, tenant: TenantId, name: &str, tax: &str) -> OrganisationId {
    let id = Uuid::now_v7();
    raw_exec!(store, "INSERT INTO organisations (id, tenant_id, name, tax_id, legal_form, sector, version, created_at, updated_at) VALUES ($1,$2,$3,$4,'company','g',1,0,0)",
        id, tenant.0, name, tax).unwrap();
    OrganisationId(id)
}

async fn clause(store: &Store, tenant: TenantId) -> SocialClauseId {
    let contract = Uuid::now_v7();
    let clause = Uuid::now_v7();
    raw_exec!(store, "INSERT INTO contracts (id, tenant_id, ocid, file_number, contracting_body, title, cpv, category, procedure, status, amount_cents, starts_on, ends_on, reservation, version, created_at)
        VALUES ($1,$2,'ocds-x-1','1','Udala','Garbiketa','90910000-9','services','open','awarded',100,'2026-03-01','2026-12-31','not_reserved',1,0)",
        contract, tenant.0).unwrap();
    raw_exec!(store, "INSERT INTO social_clauses (id, contract_id, stage, purpose, description, created_at) VALUES ($1,$2,'execution_condition','hiring_at_risk','Kontratazioa',0)",
        clause, contract).unwrap();
    SocialClauseId(clause)
}

fn input(org: OrganisationId, start: &str, end: &str) -> AgreementInput {
    AgreementInput {
        kind: "public_collaboration".into(),
        title_eu: "Lankidetza".into(),
        title_es: "Colaboración".into(),
        scope: "Empleo".into(),
        parties: vec![PartyInput {
            organisation: org.to_string(),
            role: "promoter".into(),
        }],
        target_groups: vec!["migrants".into()],
        starts_on: start.into(),
        ends_on: end.into(),
        budget: "1.000".into(),
        renewal_notice_days: "30".into(),
        ..AgreementInput::default()
    }
}

#[tokio::test]
async fn agreements_move_renew_and_stay_in_their_tenant() {
    for db in migrated().await {
        let ctx = db.name;
        let store = &db.store;
        let t = tenant(store, "48020").await;
        let other = tenant(store, "48044").await;
        let org = organisation(store, t, "Bizkaiko Foru Aldundia (proba)", "S4811001C").await;
        let g = grant(t);
        let meta = RequestMeta::default();
        let d = input(org, "2026-01-01", "2026-12-31").parse().unwrap();
        let id = agreements::create(store, &g, &meta, &d).await.unwrap();
        let a = agreements::get(store, t, id).await.unwrap();
        assert_eq!(
            (a.status, a.kind, a.version),
            (
                AgreementStatus::Draft,
                AgreementKind::PublicCollaboration,
                1
            ),
            "{ctx}"
        );
        assert_eq!(a.parties.len(), 1, "{ctx}");
        assert_eq!(a.budget_cents, Some(100_000), "{ctx}");
        assert!(
            matches!(
                agreements::get(store, other, id).await,
                Err(StoreError::NotFound)
            ),
            "{ctx}: other tenant"
        );

        // Stale versions are refused; the right one moves.
        let stale = agreements::move_status(
            store,
            &g,
            &meta,
            id,
            7,
            AgreementStatus::Draft,
            AgreementStatus::Signed,
            None,
        )
        .await;
        assert!(matches!(stale, Err(StoreError::Stale)), "{ctx}");
        let signed = chrono::NaiveDate::from_ymd_opt(2026, 1, 5);
        agreements::move_status(
            store,
            &g,
            &meta,
            id,
            1,
            AgreementStatus::Draft,
            AgreementStatus::Signed,
            signed,
        )
        .await
        .unwrap();
        agreements::move_status(
            store,
            &g,
            &meta,
            id,
            2,
            AgreementStatus::Signed,
            AgreementStatus::Active,
            None,
        )
        .await
        .unwrap();
        let list = agreements::list(
            store,
            t,
            &Filter {
                status: Some(AgreementStatus::Active),
                ..Filter::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(list.len(), 1, "{ctx}");
        assert_eq!(list[0].signed_on.as_deref(), Some("2026-01-05"), "{ctx}");
        assert!(
            agreements::list(store, other, &Filter::default())
                .await
                .unwrap()
                .is_empty(),
            "{ctx}"
        );

        agreements::add_document(
            store,
            &g,
            &meta,
            id,
            &DocumentInput {
                title: "Hitzarmen sinatua".into(),
                dated_on: "2026-01-05".into(),
                reference: "Espedientea 2026/123".into(),
            }
            .parse()
            .unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(
            agreements::documents(store, id).await.unwrap().len(),
            1,
            "{ctx}"
        );

        // Renewal: one transaction, the old one renewed, the new one a draft pointing back.
        let a = agreements::get(store, t, id).await.unwrap();
        let start = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        let end = chrono::NaiveDate::from_ymd_opt(2027, 12, 31).unwrap();
        let stale = agreements::renew(store, &g, &meta, &a, a.version - 1, start, end).await;
        assert!(matches!(stale, Err(StoreError::Stale)), "{ctx}");
        assert_eq!(
            agreements::list(store, t, &Filter::default())
                .await
                .unwrap()
                .len(),
            1,
            "{ctx}: nothing half done"
        );
        let new = agreements::renew(store, &g, &meta, &a, a.version, start, end)
            .await
            .unwrap();
        let n = agreements::get(store, t, new).await.unwrap();
        assert_eq!(
            (n.status, n.renews, n.parties.len()),
            (AgreementStatus::Draft, Some(id), 1),
            "{ctx}"
        );
        assert_eq!(
            agreements::get(store, t, id).await.unwrap().status,
            AgreementStatus::Renewed,
            "{ctx}"
        );
    }
}

#[tokio::test]
async fn commitments_belong_to_an_agreement_or_a_clause_and_count_progress() {
    for db in migrated().await {
        let ctx = db.name;
        let store = &db.store;
        let t = tenant(store, "48020").await;
        let other = tenant(store, "48044").await;
        let org = organisation(store, t, "Supermerkatuak (proba)", "A48123458").await;
        let g = grant(t);
        let meta = RequestMeta::default();
        let id = agreements::create(
            store,
            &g,
            &meta,
            &input(org, "2026-01-01", "2026-12-31").parse().unwrap(),
        )
        .await
        .unwrap();
        let owner = CommitmentOwner::Agreement(id);
        let window = commitments::owner_window(store, t, owner).await.unwrap();
        let c = CommitmentInput {
            kind: "other".into(),
            description: "Kanpaina".into(),
            target: "10".into(),
            unit: "dendak".into(),
            due_on: "2026-06-30".into(),
            recorded_progress: "4".into(),
            ..CommitmentInput::default()
        };
        assert!(
            c.clone()
                .parse(Window {
                    starts_on: window.starts_on,
                    ends_on: chrono::NaiveDate::from_ymd_opt(2026, 5, 1),
                    clause: false
                })
                .is_err()
        );
        let d = c.parse(window).unwrap();
        let cid = commitments::create(store, &g, &meta, owner, &d)
            .await
            .unwrap();
        // Another tenant's grant cannot attach to this agreement.
        let foreign = commitments::create(store, &grant(other), &meta, owner, &d).await;
        assert!(matches!(foreign, Err(StoreError::NotFound)), "{ctx}");
        let m = commitments::get(store, t, cid).await.unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        let p = commitments::progress(store, t, &m, today).await.unwrap();
        assert_eq!(
            (p.achieved, p.percent, p.standing),
            (4, 40, Standing::AtRisk),
            "{ctx}"
        );
        let late = commitments::progress(
            store,
            t,
            &m,
            chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(late.standing, Standing::Late, "{ctx}");
        let mut changed = d.clone();
        changed.recorded_progress = 10;
        assert!(
            matches!(
                commitments::update(store, &g, &meta, &m, 9, &changed).await,
                Err(StoreError::Stale)
            ),
            "{ctx}"
        );
        commitments::update(store, &g, &meta, &m, m.version, &changed)
            .await
            .unwrap();
        let m = commitments::get(store, t, cid).await.unwrap();
        assert_eq!(
            commitments::progress(store, t, &m, today)
                .await
                .unwrap()
                .percent,
            100,
            "{ctx}"
        );

        // A clause's commitment: the contract's dates bound it, no employer needed to count hires.
        let s = clause(store, t).await;
        let owner = CommitmentOwner::Clause(s);
        let window = commitments::owner_window(store, t, owner).await.unwrap();
        assert!(window.clause);
        let hire = CommitmentInput {
            kind: "hire_participants".into(),
            description: "Bi kontratazio".into(),
            target: "2".into(),
            unit: "pertsona".into(),
            due_on: "2026-02-01".into(),
            ..CommitmentInput::default()
        };
        assert_eq!(
            hire.parse(window).unwrap_err().get("due_on"),
            Some("error-commitment-due-before-start"),
            "{ctx}"
        );
        let hire = CommitmentInput {
            due_on: "2026-10-01".into(),
            ..hire
        };
        commitments::create(store, &g, &meta, owner, &hire.parse(window).unwrap())
            .await
            .unwrap();
        let list = commitments::list_for_clause(store, t, s).await.unwrap();
        assert_eq!(list.len(), 1, "{ctx}");
        assert_eq!(
            commitments::progress(store, t, &list[0], today)
                .await
                .unwrap()
                .achieved,
            0,
            "{ctx}"
        );
        assert!(
            commitments::list_for_clause(store, other, s)
                .await
                .unwrap()
                .is_empty(),
            "{ctx}"
        );
        assert_eq!(
            commitments::list_all(store, t).await.unwrap().len(),
            2,
            "{ctx}"
        );
    }
}

#[tokio::test]
async fn reminders_go_once_to_coordinators_and_ended_agreements_expire() {
    for db in migrated().await {
        let ctx = db.name;
        let store = &db.store;
        let t = tenant(store, "48020").await;
        let org = organisation(store, t, "Unibertsitatea (proba)", "Q4818001B").await;
        users::create(
            store,
            &Grant::system(t, SystemTask::Bootstrap, Action::CreateUser),
            &RequestMeta::default(),
            &users::NewUser {
                username: Username::parse("koordinatzailea").unwrap(),
                display_name: DisplayName::parse("Koordinatzailea").unwrap(),
                email: Some(Email::parse("koordinatzailea@example.eus").unwrap()),
                role: Role::Coordinator,
                agency: None,
                password_hash: "$argon2id$not-a-real-hash".into(),
                mfa_required: false,
            },
        )
        .await
        .unwrap();
        let g = grant(t);
        let meta = RequestMeta::default();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let soon = agreements::create(
            store,
            &g,
            &meta,
            &input(org, "2026-01-01", "2026-11-20").parse().unwrap(),
        )
        .await
        .unwrap();
        let later = agreements::create(
            store,
            &g,
            &meta,
            &input(org, "2026-01-01", "2027-06-30").parse().unwrap(),
        )
        .await
        .unwrap();
        let ended = agreements::create(
            store,
            &g,
            &meta,
            &input(org, "2025-01-01", "2026-10-31").parse().unwrap(),
        )
        .await
        .unwrap();
        for id in [soon, later, ended] {
            raw_exec!(
                store,
                "UPDATE agreements SET status = 'active' WHERE id = $1",
                id.0
            )
            .unwrap();
        }
        let r = agreements::take_renewal_reminders(store, today, "s", "b")
            .await
            .unwrap();
        assert_eq!(
            r,
            vec![(t, soon)],
            "{ctx}: only the one within its 30 days' notice"
        );
        assert!(
            agreements::take_renewal_reminders(store, today, "s", "b")
                .await
                .unwrap()
                .is_empty(),
            "{ctx}: once"
        );
        let mails = raw_column!(
            store,
            i64,
            "SELECT COUNT(*) FROM email_outbox WHERE to_addr = 'koordinatzailea@example.eus'"
        )
        .unwrap();
        assert_eq!(mails, vec![1], "{ctx}");
        let e = agreements::expire_ended(store, today, |t| {
            Grant::system(t, SystemTask::Worker, Action::ManageEcosystem)
        })
        .await
        .unwrap();
        assert_eq!(e, vec![(t, ended)], "{ctx}");
        assert_eq!(
            agreements::get(store, t, ended).await.unwrap().status,
            AgreementStatus::Expired,
            "{ctx}"
        );
        let actor = raw_column!(
            store,
            String,
            "SELECT actor_name FROM audit_events WHERE entity_id = $1 ORDER BY seq DESC",
            ended.to_string()
        )
        .unwrap();
        assert_eq!(actor[0], "system:worker", "{ctx}");
    }
}
