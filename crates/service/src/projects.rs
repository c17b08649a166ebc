//! Strategic projects: the coordinator keeps them, the analyst reads them (no personal data).

use super::authorize_tenant_wide as grant;
use crate::AppState;
use crate::error::ServiceError;
use elkarlan_domain::policy::{Action, Actor, Target};
use elkarlan_domain::portfolio::{LinkInput, LinkKind, MilestoneInput, ProjectDraft, ProjectInput};
use elkarlan_domain::{AreaId, FieldErrors, Lang, MilestoneId, OrganisationId, ProjectId};
use elkarlan_store::StoreError;
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::projects::{self, Project};
use elkarlan_store::territory::{self, Area};
use uuid::Uuid;

pub use super::agreements::{Idempotency, today};

fn code_taken(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(_) => ServiceError::Conflict {
            field: "code",
            key: "error-project-code-taken",
        },
        other => other.into(),
    }
}

/// A linked record with its name and page, for showing.
#[derive(Clone, Debug)]
pub struct LinkLine {
    pub kind: LinkKind,
    pub id: Uuid,
    pub name: String,
    pub href: String,
}

/// What the forms offer: neighbourhoods, organisations and the records a project can link to.
pub struct Choices {
    pub areas: Vec<Area>,
    pub organisations: Vec<(OrganisationId, String)>,
    pub targets: Vec<LinkLine>,
}

async fn targets(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
) -> Result<Vec<LinkLine>, ServiceError> {
    let mut out = Vec::new();
    for p in elkarlan_store::programmes::list(&state.store, actor.tenant).await? {
        out.push(LinkLine {
            kind: LinkKind::Programme,
            id: p.id.0,
            name: if lang == Lang::Eu {
                p.name_eu
            } else {
                p.name_es
            },
            href: format!("/programmes/{}", p.id),
        });
    }
    for a in
        elkarlan_store::agreements::list(&state.store, actor.tenant, &Default::default()).await?
    {
        out.push(LinkLine {
            kind: LinkKind::Agreement,
            id: a.id.0,
            name: a.title(lang).to_owned(),
            href: format!("/agreements/{}", a.id),
        });
    }
    for c in
        elkarlan_store::contracts::list(&state.store, actor.tenant, &Default::default()).await?
    {
        out.push(LinkLine {
            kind: LinkKind::Contract,
            id: c.id.0,
            name: format!("{} ({})", c.title, c.file_number),
            href: format!("/contracts/{}", c.id),
        });
    }
    Ok(out)
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<Project>, ServiceError> {
    grant(state, actor, meta, Action::ViewPortfolio).await?;
    Ok(projects::list(&state.store, actor.tenant).await?)
}

pub async fn get(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ProjectId,
) -> Result<Project, ServiceError> {
    grant(state, actor, meta, Action::ViewPortfolio).await?;
    Ok(projects::get(&state.store, actor.tenant, id).await?)
}

/// A project with its neighbourhoods' records and its links resolved to names and pages.
pub struct ProjectDetail {
    pub project: Project,
    pub areas: Vec<Area>,
    pub links: Vec<LinkLine>,
    pub can_manage: bool,
}

pub async fn detail(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ProjectId,
    lang: Lang,
) -> Result<ProjectDetail, ServiceError> {
    let project = get(state, actor, meta, id).await?;
    let all = targets(state, actor, lang).await?;
    let links = project
        .links
        .iter()
        .filter_map(|l| {
            all.iter()
                .find(|t| t.kind == l.kind && t.id == l.target)
                .cloned()
        })
        .collect();
    let can_manage = elkarlan_domain::policy::decide(
        actor,
        Action::ManagePortfolio,
        Target::tenant_wide(actor.tenant),
    )
    .is_ok();
    Ok(ProjectDetail {
        project,
        areas: territory::list(&state.store, actor.tenant).await?,
        links,
        can_manage,
    })
}

pub async fn choices(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    lang: Lang,
) -> Result<Choices, ServiceError> {
    grant(state, actor, meta, Action::ManagePortfolio).await?;
    Ok(Choices {
        areas: territory::list(&state.store, actor.tenant).await?,
        organisations: elkarlan_store::organisations::choices(&state.store, actor.tenant).await?,
        targets: targets(state, actor, lang).await?,
    })
}

async fn check_refs(state: &AppState, actor: &Actor, d: &ProjectDraft) -> Result<(), ServiceError> {
    let mut e = FieldErrors::new();
    let known =
        elkarlan_store::organisations::known(&state.store, actor.tenant, &d.partners).await?;
    if known.len() != d.partners.len() {
        e.add("partners", "error-directory-organisation-unknown");
    }
    let areas = territory::list(&state.store, actor.tenant).await?;
    if d.neighbourhoods
        .iter()
        .any(|n: &AreaId| !areas.iter().any(|a| a.id == *n))
    {
        e.add("neighbourhoods", "error-area-unknown");
    }
    e.into_result().map_err(ServiceError::Invalid)
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &ProjectInput,
    idem: Idempotency<'_>,
) -> Result<ProjectId, ServiceError> {
    let g = grant(state, actor, meta, Action::ManagePortfolio).await?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    check_refs(state, actor, &d).await?;
    let mut tx = state.store.begin_write().await?;
    let id = projects::create_in(&mut tx, &g, meta, &d)
        .await
        .map_err(code_taken)?;
    if let Some((key, hash)) = idem {
        let body = serde_json::json!({ "id": id }).to_string();
        elkarlan_store::idempotency::save(&mut tx, actor.tenant, actor.user, key, hash, 201, &body)
            .await?;
    }
    tx.commit().await?;
    Ok(id)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ProjectId,
    version: Option<i64>,
    input: &ProjectInput,
) -> Result<(), ServiceError> {
    let g = grant(state, actor, meta, Action::ManagePortfolio).await?;
    let version = version.ok_or(ServiceError::PreconditionRequired)?;
    projects::get(&state.store, actor.tenant, id).await?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    check_refs(state, actor, &d).await?;
    projects::update(&state.store, &g, meta, id, version, &d)
        .await
        .map_err(code_taken)
}

pub async fn add_link(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ProjectId,
    input: &LinkInput,
) -> Result<(), ServiceError> {
    let g = grant(state, actor, meta, Action::ManagePortfolio).await?;
    projects::get(&state.store, actor.tenant, id).await?;
    let (kind, target) = input.parse().map_err(ServiceError::Invalid)?;
    match projects::add_link(&state.store, &g, meta, id, kind, target).await {
        Ok(()) => Ok(()),
        Err(StoreError::NotFound) => {
            let mut e = FieldErrors::new();
            e.add("target", "error-project-link-target");
            Err(ServiceError::Invalid(e))
        }
        Err(StoreError::Conflict(_)) => Err(ServiceError::Conflict {
            field: "target",
            key: "error-project-link-twice",
        }),
        Err(other) => Err(other.into()),
    }
}

pub async fn add_milestone(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ProjectId,
    input: &MilestoneInput,
) -> Result<MilestoneId, ServiceError> {
    let g = grant(state, actor, meta, Action::ManagePortfolio).await?;
    projects::get(&state.store, actor.tenant, id).await?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    Ok(projects::add_milestone(&state.store, &g, meta, id, &d).await?)
}

/// The projects working in a neighbourhood, for its public page: a project's name, status and
/// objectives are public information.
pub async fn public_in_neighbourhood(
    state: &AppState,
    tenant: elkarlan_domain::TenantId,
    area: AreaId,
) -> Result<Vec<Project>, StoreError> {
    Ok(projects::list(&state.store, tenant)
        .await?
        .into_iter()
        .filter(|p| p.neighbourhoods.contains(&area))
        .collect())
}
