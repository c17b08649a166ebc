//! Agreements and commitments: the Strategic Projects coordinator keeps them; the analyst sees
//! only aggregates elsewhere. Commitments under social clauses are created through the same
//! functions with `CommitmentOwner::Clause`, under the procurement action.

use super::authorize_tenant_wide as grant;
use crate::AppState;
use crate::error::ServiceError;
use elkarlan_domain::ecosystem::agreement::{
    AgreementDraft, AgreementInput, DocumentInput, check_signing,
};
use elkarlan_domain::ecosystem::codes::AgreementStatus;
use elkarlan_domain::ecosystem::commitment::{CommitmentDraft, CommitmentInput, Progress};
use elkarlan_domain::policy::{Action, Actor};
use elkarlan_domain::{AgreementDocumentId, AgreementId, CommitmentId, FieldErrors};
use elkarlan_store::agreements::{self, Agreement, Document, Filter};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::commitments::{self, Commitment, CommitmentOwner};
use elkarlan_store::territory;

pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn invalid(field: &str, key: &'static str) -> ServiceError {
    let mut e = FieldErrors::new();
    e.add(field, key);
    ServiceError::Invalid(e)
}

/// The action that manages commitments of this owner: agreements are the ecosystem's,
/// clauses belong to procurement.
fn manage_action(owner: CommitmentOwner) -> Action {
    match owner {
        CommitmentOwner::Agreement(_) => Action::ManageEcosystem,
        CommitmentOwner::Clause(_) => Action::ManageProcurement,
    }
}

fn view_action(owner: CommitmentOwner) -> Action {
    match owner {
        CommitmentOwner::Agreement(_) => Action::ViewEcosystem,
        CommitmentOwner::Clause(_) => Action::ManageProcurement,
    }
}

// Agreements ------------------------------------------------------------------------------------

pub async fn list(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    filter: &Filter,
) -> Result<Vec<Agreement>, ServiceError> {
    grant(state, actor, meta, Action::ViewEcosystem).await?;
    Ok(agreements::list(&state.store, actor.tenant, filter).await?)
}

/// A commitment with its progress today.
pub struct CommitmentLine {
    pub commitment: Commitment,
    pub progress: Progress,
}

pub struct AgreementDetail {
    pub agreement: Agreement,
    pub documents: Vec<Document>,
    pub commitments: Vec<CommitmentLine>,
}

pub(crate) async fn with_progress(
    state: &AppState,
    actor: &Actor,
    list: Vec<Commitment>,
) -> Result<Vec<CommitmentLine>, ServiceError> {
    let today = today();
    let mut out = Vec::with_capacity(list.len());
    for commitment in list {
        let progress =
            commitments::progress(&state.store, actor.tenant, &commitment, today).await?;
        out.push(CommitmentLine {
            commitment,
            progress,
        });
    }
    Ok(out)
}

pub async fn get(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: AgreementId,
) -> Result<AgreementDetail, ServiceError> {
    grant(state, actor, meta, Action::ViewEcosystem).await?;
    let agreement = agreements::get(&state.store, actor.tenant, id).await?;
    let documents = agreements::documents(&state.store, id).await?;
    let list = commitments::list_for_agreement(&state.store, actor.tenant, id).await?;
    Ok(AgreementDetail {
        agreement,
        documents,
        commitments: with_progress(state, actor, list).await?,
    })
}

async fn check_refs(
    state: &AppState,
    actor: &Actor,
    d: &AgreementDraft,
) -> Result<(), ServiceError> {
    let mut e = FieldErrors::new();
    let ids: Vec<_> = d.parties.iter().map(|p| p.organisation).collect();
    let known = elkarlan_store::organisations::known(&state.store, actor.tenant, &ids).await?;
    if known.len() != ids.len() {
        e.add("parties", "error-directory-organisation-unknown");
    }
    let areas = territory::list(&state.store, actor.tenant).await?;
    if d.neighbourhoods
        .iter()
        .any(|n| !areas.iter().any(|a| a.id == *n))
    {
        e.add("neighbourhoods", "error-area-unknown");
    }
    e.into_result().map_err(ServiceError::Invalid)
}

/// An API create's `Idempotency-Key` and the hash of its body: the answer (`201 {"id": ...}`)
/// is stored with the record in one transaction.
pub type Idempotency<'a> = Option<(&'a str, &'a [u8])>;

async fn remember(
    tx: &mut elkarlan_store::Tx,
    actor: &Actor,
    idem: Idempotency<'_>,
    id: uuid::Uuid,
) -> Result<(), ServiceError> {
    if let Some((key, hash)) = idem {
        let body = serde_json::json!({ "id": id }).to_string();
        elkarlan_store::idempotency::save(tx, actor.tenant, actor.user, key, hash, 201, &body)
            .await?;
    }
    Ok(())
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &AgreementInput,
    idem: Idempotency<'_>,
) -> Result<AgreementId, ServiceError> {
    let g = grant(state, actor, meta, Action::ManageEcosystem).await?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    check_refs(state, actor, &d).await?;
    let mut tx = state.store.begin_write().await?;
    let id = agreements::create_in(&mut tx, &g, meta, &d).await?;
    remember(&mut tx, actor, idem, id.0).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces an agreement's fields. Closed agreements (expired, renewed, terminated) are kept as
/// they were.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: AgreementId,
    version: Option<i64>,
    input: &AgreementInput,
) -> Result<(), ServiceError> {
    let g = grant(state, actor, meta, Action::ManageEcosystem).await?;
    let version = version.ok_or(ServiceError::PreconditionRequired)?;
    let current = agreements::get(&state.store, actor.tenant, id).await?;
    if current.status.is_closed() {
        return Err(invalid("status", "error-agreement-closed"));
    }
    let d = input.parse().map_err(ServiceError::Invalid)?;
    check_refs(state, actor, &d).await?;
    if current.status != AgreementStatus::Draft {
        // A signed agreement keeps a signatory and its date.
        check_signing(&d.parties, d.signed_on, d.ends_on, today())
            .map_err(ServiceError::Invalid)?;
    }
    Ok(agreements::update(&state.store, &g, meta, id, version, &d).await?)
}

/// Moves an agreement along its lifecycle. Signing needs a signed date (given here or already
/// recorded) and a signing party (see `check_signing`). Renewal has its own function.
pub async fn transition(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: AgreementId,
    version: Option<i64>,
    to: &str,
    signed_on: &str,
) -> Result<(), ServiceError> {
    let g = grant(state, actor, meta, Action::ManageEcosystem).await?;
    let version = version.ok_or(ServiceError::PreconditionRequired)?;
    let to = AgreementStatus::parse(to).map_err(|k| invalid("to", k))?;
    let current = agreements::get(&state.store, actor.tenant, id).await?;
    if to == AgreementStatus::Renewed || !current.status.can_move_to(to) {
        return Err(invalid("to", "error-agreement-move"));
    }
    let mut signed = None;
    if to == AgreementStatus::Signed {
        let typed = elkarlan_domain::employment::programme::optional_date(signed_on)
            .map_err(|k| invalid("signed_on", k))?;
        let date = typed.or_else(|| current.signed_on.as_deref().and_then(|s| s.parse().ok()));
        let end = current.ends().unwrap_or_else(today);
        signed = Some(
            check_signing(&current.parties_as_draft(), date, end, today())
                .map_err(ServiceError::Invalid)?,
        );
    }
    Ok(agreements::move_status(
        &state.store,
        &g,
        meta,
        id,
        version,
        current.status,
        to,
        signed,
    )
    .await?)
}

/// Renews an active or expired agreement: a new draft for the same length of time starting the
/// day after the old one ends, with its parties, neighbourhoods and target groups.
pub async fn renew(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: AgreementId,
    version: Option<i64>,
) -> Result<AgreementId, ServiceError> {
    let g = grant(state, actor, meta, Action::ManageEcosystem).await?;
    let version = version.ok_or(ServiceError::PreconditionRequired)?;
    let old = agreements::get(&state.store, actor.tenant, id).await?;
    if !old.status.can_move_to(AgreementStatus::Renewed) {
        return Err(invalid("to", "error-agreement-move"));
    }
    let (Some(start), Some(end)) = (old.starts(), old.ends()) else {
        tracing::error!(id = %id.0, "stored agreement dates do not parse");
        return Err(ServiceError::Store(elkarlan_store::StoreError::Corrupt {
            what: "agreement dates".into(),
            id: id.0.to_string(),
        }));
    };
    let new_start = end.succ_opt().unwrap_or(end);
    let new_end = new_start + (end - start);
    Ok(agreements::renew(&state.store, &g, meta, &old, version, new_start, new_end).await?)
}

pub async fn add_document(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: AgreementId,
    input: &DocumentInput,
) -> Result<AgreementDocumentId, ServiceError> {
    let g = grant(state, actor, meta, Action::ManageEcosystem).await?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    Ok(agreements::add_document(&state.store, &g, meta, id, &d).await?)
}

/// What the agreement and commitment forms offer to choose from.
pub struct Choices {
    pub organisations: Vec<(elkarlan_domain::OrganisationId, String)>,
    pub areas: Vec<territory::Area>,
    pub actions: Vec<(elkarlan_domain::TrainingActionId, String, String)>,
}

pub async fn choices(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Choices, ServiceError> {
    grant(state, actor, meta, Action::ManageEcosystem).await?;
    Ok(Choices {
        organisations: elkarlan_store::organisations::choices(&state.store, actor.tenant).await?,
        areas: territory::list(&state.store, actor.tenant).await?,
        actions: commitments::training_action_choices(&state.store, actor.tenant).await?,
    })
}

// Commitments -----------------------------------------------------------------------------------

async fn check_commitment_refs(
    state: &AppState,
    actor: &Actor,
    d: &CommitmentDraft,
) -> Result<(), ServiceError> {
    let mut e = FieldErrors::new();
    if let Some(o) = d.organisation
        && elkarlan_store::organisations::known(&state.store, actor.tenant, &[o])
            .await?
            .is_empty()
    {
        e.add("organisation", "error-directory-organisation-unknown");
    }
    if let Some(a) = d.training_action {
        match elkarlan_store::programmes::get_action(&state.store, actor.tenant, a).await {
            Ok(_) => {}
            Err(elkarlan_store::StoreError::NotFound) => {
                e.add("training_action", "error-commitment-action-unknown");
            }
            Err(other) => return Err(other.into()),
        }
    }
    e.into_result().map_err(ServiceError::Invalid)
}

/// Creates a commitment under an agreement or a social clause. The due date must fall within
/// the agreement's dates (or the clause's contract's, where known).
pub async fn create_commitment(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    owner: CommitmentOwner,
    input: &CommitmentInput,
    idem: Idempotency<'_>,
) -> Result<CommitmentId, ServiceError> {
    let g = grant(state, actor, meta, manage_action(owner)).await?;
    let window = commitments::owner_window(&state.store, actor.tenant, owner).await?;
    let d = input.parse(window).map_err(ServiceError::Invalid)?;
    check_commitment_refs(state, actor, &d).await?;
    let mut tx = state.store.begin_write().await?;
    let id = commitments::create_in(&mut tx, &g, meta, owner, &d).await?;
    remember(&mut tx, actor, idem, id.0).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn commitment(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CommitmentId,
) -> Result<CommitmentLine, ServiceError> {
    // Viewing needs the ecosystem at least; a clause's commitment then needs procurement.
    grant(state, actor, meta, Action::ViewEcosystem).await?;
    let commitment = commitments::get(&state.store, actor.tenant, id).await?;
    grant(state, actor, meta, view_action(commitment.owner)).await?;
    let progress = commitments::progress(&state.store, actor.tenant, &commitment, today()).await?;
    Ok(CommitmentLine {
        commitment,
        progress,
    })
}

pub async fn commitments_of(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    owner: CommitmentOwner,
) -> Result<Vec<CommitmentLine>, ServiceError> {
    grant(state, actor, meta, view_action(owner)).await?;
    let list = match owner {
        CommitmentOwner::Agreement(a) => {
            agreements::get(&state.store, actor.tenant, a).await?;
            commitments::list_for_agreement(&state.store, actor.tenant, a).await?
        }
        CommitmentOwner::Clause(c) => {
            commitments::owner_window(&state.store, actor.tenant, owner).await?;
            commitments::list_for_clause(&state.store, actor.tenant, c).await?
        }
    };
    with_progress(state, actor, list).await
}

pub async fn update_commitment(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CommitmentId,
    version: Option<i64>,
    input: &CommitmentInput,
) -> Result<(), ServiceError> {
    grant(state, actor, meta, Action::ManageEcosystem).await?;
    let version = version.ok_or(ServiceError::PreconditionRequired)?;
    let current = commitments::get(&state.store, actor.tenant, id).await?;
    let g = grant(state, actor, meta, manage_action(current.owner)).await?;
    let window = commitments::owner_window(&state.store, actor.tenant, current.owner).await?;
    let d = input.parse(window).map_err(ServiceError::Invalid)?;
    check_commitment_refs(state, actor, &d).await?;
    Ok(commitments::update(&state.store, &g, meta, &current, version, &d).await?)
}

/// Every commitment with its progress, for the export.
pub async fn all_commitments(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<CommitmentLine>, ServiceError> {
    grant(state, actor, meta, Action::ViewEcosystem).await?;
    let list = commitments::list_all(&state.store, actor.tenant).await?;
    with_progress(state, actor, list).await
}

/// The agreement another one renews, to name it on the renewal's page: decided as the page's
/// own agreement is.
pub async fn renewed_agreement(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: AgreementId,
) -> Result<Agreement, ServiceError> {
    grant(state, actor, meta, Action::ViewEcosystem).await?;
    Ok(agreements::get(&state.store, actor.tenant, id).await?)
}
