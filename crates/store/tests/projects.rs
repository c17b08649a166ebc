//! Strategic projects on both databases: code unique per tenant, budget by year, links only to
//! the tenant's records, milestones, optimistic versions, tenant isolation and audit rows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code, unused_macros)]
#[macro_use]
mod common;

use common::migrated;
use elkarlan_domain::policy::{Action, Grant, SystemTask};
use elkarlan_domain::portfolio::{LinkKind, MilestoneInput, ProjectInput};
use elkarlan_domain::territory::IneCode;
use elkarlan_domain::{ProjectId, TenantId};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::{Store, StoreError, projects, tenants};
use uuid::Uuid;

fn grant(tenant: TenantId) -> Grant {
    Grant::system(tenant, SystemTask::Bootstrap, Action::ManagePortfolio)
}

async fn tenant(store: &Store, ine: &str) -> TenantId {
    tenants::create(store, &IneCode::parse(ine).unwrap(), ine, ine)
        .await
        .unwrap()
        .id
}

fn input(code: &str) -> ProjectInput {
    ProjectInput {
        code: code.into(),
        name_eu: "Ekonopoloa".into(),
        name_es: "Ekonopolo".into(),
        objectives: "Polo de economía social".into(),
        status: "active".into(),
        starts_on: "2025-01-01".into(),
        ends_on: "2027-12-31".into(),
        budget: "2025; 100.000; 90.000\n2026; 120.000; 130.000".into(),
        ..ProjectInput::default()
    }
}

#[tokio::test]
async fn projects_keep_codes_budgets_links_and_tenants() {
    for db in migrated().await {
        let ctx = db.name;
        let store = &db.store;
        let t = tenant(store, "48020").await;
        let other = tenant(store, "48044").await;
        let meta = RequestMeta::default();
        let g = grant(t);
        let d = input("ekonopolo").parse().unwrap();
        let id = projects::create(store, &g, &meta, &d).await.unwrap();
        assert!(
            matches!(
                projects::create(store, &g, &meta, &d).await,
                Err(StoreError::Conflict("code"))
            ),
            "{ctx}"
        );
        // Another council may use the same code.
        projects::create(store, &grant(other), &meta, &d)
            .await
            .unwrap();
        let p = projects::get(store, t, id).await.unwrap();
        assert_eq!(p.code, "EKONOPOLO", "{ctx}");
        assert_eq!(p.planned_cents(), 22_000_000, "{ctx}");
        assert_eq!(p.executed_cents(), 22_000_000, "{ctx}");
        assert_eq!(p.budget[1].year, 2026, "{ctx}");
        assert!(matches!(
            projects::get(store, other, id).await,
            Err(StoreError::NotFound)
        ));
        // Links only to the tenant's own records, once.
        let agreement = Uuid::now_v7();
        raw_exec!(store, "INSERT INTO agreements (id, tenant_id, kind, title_eu, title_es, scope, status, target_groups, starts_on, ends_on, version, created_at)
            VALUES ($1,$2,'private_partnership','A','A','x','active','migrants','2025-01-01','2026-01-01',1,0)", agreement, t.0).unwrap();
        projects::add_link(store, &g, &meta, id, LinkKind::Agreement, agreement)
            .await
            .unwrap();
        assert!(matches!(
            projects::add_link(store, &g, &meta, id, LinkKind::Agreement, agreement).await,
            Err(StoreError::Conflict("link"))
        ));
        assert!(matches!(
            projects::add_link(store, &g, &meta, id, LinkKind::Contract, agreement).await,
            Err(StoreError::NotFound)
        ));
        let m = MilestoneInput {
            title: "Irekiera".into(),
            due_on: "2025-06-01".into(),
            done_on: String::new(),
        }
        .parse()
        .unwrap();
        projects::add_milestone(store, &g, &meta, id, &m)
            .await
            .unwrap();
        assert!(matches!(
            projects::add_milestone(store, &grant(other), &meta, id, &m).await,
            Err(StoreError::NotFound)
        ));
        let p = projects::get(store, t, id).await.unwrap();
        assert_eq!(p.links.len(), 1, "{ctx}");
        assert_eq!(p.milestones[0].title, "Irekiera", "{ctx}");
        // Optimistic version and code conflict on update.
        let other_id = projects::create(store, &g, &meta, &input("OTX-PLAN").parse().unwrap())
            .await
            .unwrap();
        assert!(matches!(
            projects::update(store, &g, &meta, other_id, 1, &d).await,
            Err(StoreError::Conflict("code"))
        ));
        let mut changed = input("OTX-PLAN");
        changed.budget = "2025; 1; 0".into();
        let changed = changed.parse().unwrap();
        projects::update(store, &g, &meta, other_id, 1, &changed)
            .await
            .unwrap();
        assert!(matches!(
            projects::update(store, &g, &meta, other_id, 1, &changed).await,
            Err(StoreError::Stale)
        ));
        let listed = projects::list(store, t).await.unwrap();
        assert_eq!(
            listed.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(),
            ["EKONOPOLO", "OTX-PLAN"],
            "{ctx}"
        );
        assert_eq!(listed[1].planned_cents(), 100, "{ctx}");
        let audited = raw_column!(
            store,
            String,
            "SELECT entity_type FROM audit_events WHERE entity_id = $1",
            other_id.to_string()
        )
        .unwrap();
        assert_eq!(audited, ["project", "project"], "{ctx}");
        let _: ProjectId = id;
    }
}
