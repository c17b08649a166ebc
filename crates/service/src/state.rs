//! What every service call shares: the store (reached only from this crate), the read auditor,
//! the settings, the password hasher and the places for imports. The adapters hold it as their
//! axum state.

use crate::WebConfig;
use crate::auth::PasswordHasher;
use crate::error::ServiceError;
use elkarlan_store::Store;
use elkarlan_store::audit::ReadAuditor;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Clone)]
pub struct AppState {
    /// Only the services reach the store; the adapters ask them.
    pub(crate) store: Store,
    pub auditor: ReadAuditor,
    pub config: Arc<WebConfig>,
    pub hasher: Arc<PasswordHasher>,
    /// Places for the imports that may run at once (`max_concurrent_imports`).
    pub imports: Arc<Semaphore>,
}

impl AppState {
    /// Builds the state and starts the read-audit writer. Call inside a Tokio runtime.
    pub fn new(store: Store, config: WebConfig) -> Self {
        let hasher = Arc::new(PasswordHasher::new(
            config.argon_memory_kib,
            config.argon_iterations,
            config.max_concurrent_hashes,
        ));
        let imports = Arc::new(Semaphore::new(config.max_concurrent_imports.max(1)));
        Self {
            auditor: ReadAuditor::start(store.clone()),
            store,
            config: Arc::new(config),
            hasher,
            imports,
        }
    }

    /// A place among the imports running at once, held until the import ends. None free is
    /// [`ServiceError::Busy`] at once: an import takes up to a minute and the client retries
    /// better than a queue that holds its upload in memory.
    pub fn import_slot(&self) -> Result<OwnedSemaphorePermit, ServiceError> {
        Arc::clone(&self.imports)
            .try_acquire_owned()
            .map_err(|_| ServiceError::Busy)
    }
}
