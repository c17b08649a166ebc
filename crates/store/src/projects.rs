//! The area's strategic projects: neighbourhoods, partners, budget by year, links to
//! programmes, agreements and contracts, and milestones. None of it is personal data.

use crate::audit::{NewEvent, RequestMeta};
use crate::{Result, Store, StoreError, Tx, on_pool, on_tx};
use elkarlan_domain::policy::Grant;
use elkarlan_domain::portfolio::{
    BudgetLine, LinkKind, MilestoneDraft, ProjectDraft, ProjectStatus,
};
use elkarlan_domain::{AreaId, MilestoneId, OrganisationId, ProjectId, TenantId, Timestamp};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

async fn audit(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    entity: &'static str,
    id: Uuid,
    detail: serde_json::Value,
) -> Result<()> {
    let ev = NewEvent::from_grant(grant, entity, Some(id.to_string()), meta).with_detail(detail);
    crate::audit::append(tx, &[ev]).await
}

fn decode(k: &'static str) -> sqlx::Error {
    sqlx::Error::Decode(k.into())
}

/// One partner with its name, for showing.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Partner {
    pub organisation: OrganisationId,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Budget {
    pub year: i32,
    pub planned_cents: i64,
    pub executed_cents: i64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Link {
    pub kind: LinkKind,
    pub target: Uuid,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Milestone {
    pub id: MilestoneId,
    pub title: String,
    pub due_on: String,
    pub done_on: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Project {
    pub id: ProjectId,
    pub code: String,
    pub name_eu: String,
    pub name_es: String,
    pub objectives: String,
    pub status: ProjectStatus,
    pub starts_on: String,
    pub ends_on: String,
    pub version: i64,
    pub neighbourhoods: Vec<AreaId>,
    pub partners: Vec<Partner>,
    pub budget: Vec<Budget>,
    pub links: Vec<Link>,
    pub milestones: Vec<Milestone>,
}

impl Project {
    pub fn name(&self, lang: elkarlan_domain::Lang) -> &str {
        if lang == elkarlan_domain::Lang::Eu {
            &self.name_eu
        } else {
            &self.name_es
        }
    }

    pub fn planned_cents(&self) -> i64 {
        self.budget.iter().map(|b| b.planned_cents).sum()
    }

    pub fn executed_cents(&self) -> i64 {
        self.budget.iter().map(|b| b.executed_cents).sum()
    }
}

fn draft_detail(d: &ProjectDraft) -> serde_json::Value {
    serde_json::json!({
        "code": d.code, "name_eu": d.name_eu, "name_es": d.name_es, "status": d.status.code(),
        "starts_on": d.starts_on.to_string(), "ends_on": d.ends_on.to_string(),
        "neighbourhoods": d.neighbourhoods, "partners": d.partners,
        "budget": d.budget.iter().map(|b| serde_json::json!([b.year, b.planned_cents, b.executed_cents])).collect::<Vec<_>>(),
    })
}

async fn code_taken(
    tx: &mut Tx,
    tenant: TenantId,
    code: &str,
    except: Option<ProjectId>,
) -> Result<bool> {
    let found = on_tx!(tx, c => sqlx::query("SELECT id FROM projects WHERE tenant_id = $1 AND code = $2")
        .bind(tenant.0).bind(code).fetch_optional(c).await?.map(|r| r.get::<Uuid, _>(0)));
    Ok(found.is_some_and(|f| except.is_none_or(|e| e.0 != f)))
}

/// A unique violation on projects can only be the code (a concurrent create).
fn taken(e: sqlx::Error) -> StoreError {
    match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::Conflict("code"),
        other => other,
    }
}

async fn write_children(tx: &mut Tx, id: ProjectId, d: &ProjectDraft) -> Result<()> {
    for table in ["project_areas", "project_partners", "project_budgets"] {
        on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE project_id = $1"))).bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    }
    for a in &d.neighbourhoods {
        on_tx!(tx, c => sqlx::query("INSERT INTO project_areas (project_id, area_id) VALUES ($1,$2)")
            .bind(id.0).bind(a.0).execute(c).await.map(|r| r.rows_affected()))?;
    }
    for o in &d.partners {
        on_tx!(tx, c => sqlx::query("INSERT INTO project_partners (project_id, organisation_id) VALUES ($1,$2)")
            .bind(id.0).bind(o.0).execute(c).await.map(|r| r.rows_affected()))?;
    }
    for BudgetLine {
        year,
        planned_cents,
        executed_cents,
    } in &d.budget
    {
        on_tx!(tx, c => sqlx::query("INSERT INTO project_budgets (project_id, year, planned_cents, executed_cents) VALUES ($1,$2,$3,$4)")
            .bind(id.0).bind(i64::from(*year)).bind(*planned_cents).bind(*executed_cents).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Creates a project. `Conflict("code")` when the tenant has one with that code.
pub async fn create(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    d: &ProjectDraft,
) -> Result<ProjectId> {
    let mut tx = store.begin_write().await?;
    let id = create_in(&mut tx, grant, meta, d).await?;
    tx.commit().await?;
    Ok(id)
}

/// Creates a project inside an open transaction (with an idempotency key, say).
pub async fn create_in(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    d: &ProjectDraft,
) -> Result<ProjectId> {
    if code_taken(tx, grant.tenant(), &d.code, None).await? {
        return Err(StoreError::Conflict("code"));
    }
    let id = ProjectId::new();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO projects (id, tenant_id, code, name_eu, name_es, objectives, status, starts_on, ends_on, version, created_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,1,$10)")
        .bind(id.0).bind(grant.tenant().0).bind(&d.code).bind(&d.name_eu).bind(&d.name_es).bind(&d.objectives)
        .bind(d.status.code()).bind(d.starts_on.to_string()).bind(d.ends_on.to_string()).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))
    .map_err(taken)?;
    write_children(tx, id, d).await?;
    audit(tx, grant, meta, "project", id.0, draft_detail(d)).await?;
    Ok(id)
}

/// Replaces a project's fields, neighbourhoods, partners and budget if it is still at `version`.
pub async fn update(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    id: ProjectId,
    version: i64,
    d: &ProjectDraft,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    if code_taken(&mut tx, grant.tenant(), &d.code, Some(id)).await? {
        return Err(StoreError::Conflict("code"));
    }
    let n = on_tx!(&mut tx, c => sqlx::query(
        "UPDATE projects SET code = $4, name_eu = $5, name_es = $6, objectives = $7, status = $8, starts_on = $9, ends_on = $10,
         version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $3")
        .bind(grant.tenant().0).bind(id.0).bind(version).bind(&d.code).bind(&d.name_eu).bind(&d.name_es).bind(&d.objectives)
        .bind(d.status.code()).bind(d.starts_on.to_string()).bind(d.ends_on.to_string())
        .execute(c).await.map(|r| r.rows_affected()))
    .map_err(taken)?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    write_children(&mut tx, id, d).await?;
    audit(&mut tx, grant, meta, "project", id.0, draft_detail(d)).await?;
    tx.commit().await
}

/// Links a programme, agreement or contract of the tenant. `NotFound` when the project or the
/// target is not the tenant's; `Conflict("link")` when already linked.
pub async fn add_link(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    project: ProjectId,
    kind: LinkKind,
    target: Uuid,
) -> Result<()> {
    let table = match kind {
        LinkKind::Programme => "programmes",
        LinkKind::Agreement => "agreements",
        LinkKind::Contract => "contracts",
    };
    let mut tx = store.begin_write().await?;
    let exists = on_tx!(&mut tx, c => sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT 1 FROM {table} t, projects p WHERE t.id = $1 AND t.tenant_id = $3 AND p.id = $2 AND p.tenant_id = $3")))
        .bind(target).bind(project.0).bind(grant.tenant().0).fetch_optional(c).await?.is_some());
    if !exists {
        return Err(StoreError::NotFound);
    }
    let already = on_tx!(&mut tx, c => sqlx::query("SELECT 1 FROM project_links WHERE project_id = $1 AND kind = $2 AND target_id = $3")
        .bind(project.0).bind(kind.code()).bind(target).fetch_optional(c).await?.is_some());
    if already {
        return Err(StoreError::Conflict("link"));
    }
    on_tx!(&mut tx, c => sqlx::query("INSERT INTO project_links (project_id, kind, target_id) VALUES ($1,$2,$3)")
        .bind(project.0).bind(kind.code()).bind(target).execute(c).await.map(|r| r.rows_affected()))?;
    audit(
        &mut tx,
        grant,
        meta,
        "project_link",
        project.0,
        serde_json::json!({"kind": kind.code(), "target": target}),
    )
    .await?;
    tx.commit().await
}

/// Adds a milestone to a project of the tenant.
pub async fn add_milestone(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    project: ProjectId,
    d: &MilestoneDraft,
) -> Result<MilestoneId> {
    let id = MilestoneId::new();
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(
        "INSERT INTO project_milestones (id, project_id, title, due_on, done_on) SELECT $1, id, $3, $4, $5 FROM projects WHERE id = $2 AND tenant_id = $6")
        .bind(id.0).bind(project.0).bind(&d.title).bind(d.due_on.to_string()).bind(d.done_on.map(|x| x.to_string())).bind(grant.tenant().0)
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    audit(&mut tx, grant, meta, "project_milestone", id.0, serde_json::json!({
        "project": project, "title": d.title, "due_on": d.due_on.to_string(), "done_on": d.done_on.map(|x| x.to_string()),
    })).await?;
    tx.commit().await?;
    Ok(id)
}

const SELECT: &str = "SELECT id, code, name_eu, name_es, objectives, status, starts_on, ends_on, version FROM projects";

macro_rules! project_from_row {
    ($r:expr) => {{
        let status: String = $r.try_get("status")?;
        Project {
            id: ProjectId($r.try_get("id")?),
            code: $r.try_get("code")?,
            name_eu: $r.try_get("name_eu")?,
            name_es: $r.try_get("name_es")?,
            objectives: $r.try_get("objectives")?,
            status: ProjectStatus::parse(&status).map_err(decode)?,
            starts_on: $r.try_get("starts_on")?,
            ends_on: $r.try_get("ends_on")?,
            version: $r.try_get("version")?,
            neighbourhoods: Vec::new(),
            partners: Vec::new(),
            budget: Vec::new(),
            links: Vec::new(),
            milestones: Vec::new(),
        }
    }};
}

async fn with_children(store: &Store, mut p: Project) -> Result<Project> {
    let id = p.id.0;
    on_pool!(store, c => {
        p.neighbourhoods = sqlx::query("SELECT area_id FROM project_areas WHERE project_id = $1").bind(id).fetch_all(c).await?
            .iter().map(|r| r.try_get(0).map(AreaId)).collect::<Result<_, _>>()?;
        p.partners = sqlx::query("SELECT p.organisation_id, o.name FROM project_partners p JOIN organisations o ON o.id = p.organisation_id
                WHERE p.project_id = $1 ORDER BY o.name").bind(id).fetch_all(c).await?
            .iter().map(|r| Ok(Partner { organisation: OrganisationId(r.try_get(0)?), name: r.try_get(1)? })).collect::<Result<_, sqlx::Error>>()?;
        p.budget = sqlx::query("SELECT year, planned_cents, executed_cents FROM project_budgets WHERE project_id = $1 ORDER BY year").bind(id).fetch_all(c).await?
            .iter().map(|r| Ok(Budget {
                year: i32::try_from(r.try_get::<i64, _>(0)?).map_err(|_| decode("year"))?,
                planned_cents: r.try_get(1)?, executed_cents: r.try_get(2)?,
            })).collect::<Result<_, sqlx::Error>>()?;
        p.links = sqlx::query("SELECT kind, target_id FROM project_links WHERE project_id = $1 ORDER BY kind").bind(id).fetch_all(c).await?
            .iter().map(|r| {
                let kind: String = r.try_get(0)?;
                Ok(Link { kind: LinkKind::parse(&kind).map_err(decode)?, target: r.try_get(1)? })
            }).collect::<Result<_, sqlx::Error>>()?;
        p.milestones = sqlx::query("SELECT id, title, due_on, done_on FROM project_milestones WHERE project_id = $1 ORDER BY due_on, title").bind(id).fetch_all(c).await?
            .iter().map(|r| Ok(Milestone { id: MilestoneId(r.try_get(0)?), title: r.try_get(1)?, due_on: r.try_get(2)?, done_on: r.try_get(3)? }))
            .collect::<Result<_, sqlx::Error>>()?;
    });
    Ok(p)
}

pub async fn get(store: &Store, tenant: TenantId, id: ProjectId) -> Result<Project> {
    let p = on_pool!(store, c => {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE tenant_id = $1 AND id = $2")))
            .bind(tenant.0).bind(id.0).fetch_optional(c).await?.ok_or(StoreError::NotFound)?;
        project_from_row!(r)
    });
    with_children(store, p).await
}

/// The tenant's projects by code, each with its children.
pub async fn list(store: &Store, tenant: TenantId) -> Result<Vec<Project>> {
    let heads: Vec<Project> = on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE tenant_id = $1 ORDER BY code")))
            .bind(tenant.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(project_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    let mut out = Vec::with_capacity(heads.len());
    for p in heads {
        out.push(with_children(store, p).await?);
    }
    Ok(out)
}
