//! What the operator's probes and metrics read: whether the database answers, the job queue's
//! counts and the read auditor's throughput. Nothing about people or tenants.

use crate::AppState;
use std::sync::atomic::Ordering;

/// Whether the database answers a trivial query now.
pub async fn database_answers(state: &AppState) -> bool {
    state.store.ping().await
}

/// Jobs by state (queued, running, dead, ...); empty when the database does not answer, so the
/// metrics page still shows the rest.
pub async fn job_counts(state: &AppState) -> Vec<(String, i64)> {
    elkarlan_store::jobs::counts(&state.store)
        .await
        .unwrap_or_default()
}

/// Batches and rows the read auditor has written since the process started.
pub fn read_audit_written() -> (u64, u64) {
    use elkarlan_store::audit::metrics::{BATCHES, ROWS};
    (
        BATCHES.load(Ordering::Relaxed),
        ROWS.load(Ordering::Relaxed),
    )
}
