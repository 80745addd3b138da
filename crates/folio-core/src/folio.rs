//! The application object the shell and the CLI hold: one per profile.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use folio_secrets::{KeychainStore, SecretStore};
use folio_smart::http::HttpClient;
use folio_smart::SmartConfiguration;
use folio_store::Store;
use tokio::sync::OnceCell;

use crate::api::{AppStatus, DataDirOrigin, StorageStatus};
use crate::connections::SignIns;
use crate::{plans, CoreError, DataDir, DataDirSource, APP_IDENTIFIER, VERSION};

/// One profile of Folio: its data folder, its store, its keychain entries, and the sign-ins
/// in progress.
pub struct Folio {
    data_dir: DataDir,
    store: OnceCell<Store>,
    pub(crate) secrets: Arc<dyn SecretStore>,
    pub(crate) http: HttpClient,
    pub(crate) sign_ins: Mutex<SignIns>,
    pub(crate) configs: Mutex<HashMap<String, SmartConfiguration>>,
    pub(crate) token_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    pub(crate) syncs: Mutex<HashMap<String, Arc<std::sync::atomic::AtomicBool>>>,
    /// The member's visit before this process started, read (and replaced) once.
    pub(crate) previous_visit: OnceCell<Option<String>>,
}

impl std::fmt::Debug for Folio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Folio")
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

impl Folio {
    /// A Folio over `data_dir` with tokens in the OS keychain. Nothing is opened yet: the store
    /// opens on first use, so a failure is reported to whoever asked, and tried again next time.
    pub fn new(data_dir: DataDir) -> Result<Self, CoreError> {
        Self::with_secrets(data_dir, Arc::new(KeychainStore::new(APP_IDENTIFIER)))
    }

    /// A Folio with another secret store (tests use the in-memory one).
    pub fn with_secrets(
        data_dir: DataDir,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Self, CoreError> {
        Ok(Self {
            data_dir,
            store: OnceCell::new(),
            secrets,
            http: folio_smart::http::client()?,
            sign_ins: Mutex::new(SignIns::default()),
            configs: Mutex::new(HashMap::new()),
            token_locks: Mutex::new(HashMap::new()),
            syncs: Mutex::new(HashMap::new()),
            previous_visit: OnceCell::new(),
        })
    }

    /// The profile's data folder.
    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    pub(crate) async fn store(&self) -> Result<&Store, CoreError> {
        let path = self.data_dir.database_path();
        self.store
            .get_or_try_init(|| async move {
                let store = Store::open(&path).await?;
                for plan in plans::catalog()? {
                    // Keep a running demo plan's address; refresh everything else.
                    let existing = store.plan(&plan.id).await?;
                    let mut plan = plan;
                    if plan.is_demo {
                        plan.fhir_base = existing.map(|e| e.fhir_base).unwrap_or_default();
                    }
                    store.save_plan(&plan).await?;
                }
                Ok::<Store, CoreError>(store)
            })
            .await
    }

    /// The app and its storage, read from the database itself.
    pub async fn status(&self) -> Result<AppStatus, CoreError> {
        let s = self.store().await?.status().await?;
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(AppStatus {
            version: VERSION.to_owned(),
            data_dir: self.data_dir.path().display().to_string(),
            data_dir_source: match self.data_dir.source() {
                DataDirSource::Flag => DataDirOrigin::Flag,
                DataDirSource::Environment => DataDirOrigin::Environment,
                DataDirSource::Platform => DataDirOrigin::Platform,
            },
            storage: StorageStatus {
                path: s.path.display().to_string(),
                schema_version: u32::try_from(s.schema_version).unwrap_or(0),
                migrations_applied: u32::try_from(s.migrations_applied).unwrap_or(u32::MAX),
                migrations_known: u32::try_from(s.migrations_known).unwrap_or(u32::MAX),
                // Exact below 2^53 bytes (8 PiB).
                size_bytes: s.size_bytes as f64,
                journal_mode: s.journal_mode,
                plans: count(s.plans),
                connections: count(s.connections),
                resources: count(s.resources),
                sync_runs: count(s.sync_runs),
            },
        })
    }
}
