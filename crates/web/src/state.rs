//! What every handler shares.

use crate::WebConfig;
use crate::auth::PasswordHasher;
use elkarlan_store::Store;
use elkarlan_store::audit::ReadAuditor;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub auditor: ReadAuditor,
    pub config: Arc<WebConfig>,
    pub hasher: Arc<PasswordHasher>,
}

impl AppState {
    /// Builds the state and starts the read-audit writer. Call inside a Tokio runtime.
    pub fn new(store: Store, config: WebConfig) -> Self {
        let hasher = Arc::new(PasswordHasher::new(
            config.argon_memory_kib,
            config.argon_iterations,
            config.max_concurrent_hashes,
        ));
        Self {
            auditor: ReadAuditor::start(store.clone()),
            store,
            config: Arc::new(config),
            hasher,
        }
    }
}
