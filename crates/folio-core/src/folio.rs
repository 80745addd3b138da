//! The application object the shell and the CLI hold: one per profile.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use folio_secrets::{KeychainStore, SecretStore, Sensitive};
use folio_smart::http::HttpClient;
use folio_smart::SmartConfiguration;
use folio_store::Store;
use tokio::sync::OnceCell;

use crate::api::{AppStatus, DataDirOrigin, FolioEvent, StorageStatus};
use crate::connections::SignIns;
use crate::sync_runs::SyncRegistry;

/// Events kept for a subscriber that has not read them yet; one further behind misses the
/// oldest (its next `recv` says how many, `Lagged`) and should re-read what it shows.
pub const EVENT_BUFFER: usize = 1024;
use crate::{plans, CoreError, DataDir, DataDirSource, APP_IDENTIFIER, VERSION};

/// One profile of Folio: its data folder, its store, its keychain entries, the sign-ins and
/// syncs in progress, and its event stream.
///
/// A `Folio` is a handle: clones share the one profile (every field is shared), so the core
/// can run a sync on a task it owns ([`Folio::start_sync`]) with a clone of itself.
#[derive(Clone)]
pub struct Folio {
    data_dir: DataDir,
    /// The open database; `None` until first use, and again after "Remove all my data".
    store: Arc<tokio::sync::Mutex<Option<Store>>>,
    /// The member's passphrase, where the database key comes from one (no keychain). Kept
    /// only until the database is open.
    passphrase: Arc<Mutex<Option<Sensitive<String>>>>,
    pub(crate) secrets: Arc<dyn SecretStore>,
    pub(crate) http: HttpClient,
    pub(crate) sign_ins: Arc<Mutex<SignIns>>,
    pub(crate) configs: Arc<Mutex<HashMap<String, SmartConfiguration>>>,
    pub(crate) token_locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// The syncs running now, one per connection at most.
    pub(crate) syncs: Arc<Mutex<SyncRegistry>>,
    /// What happened, for whoever subscribed ([`Folio::subscribe`]).
    pub(crate) events: tokio::sync::broadcast::Sender<FolioEvent>,
    /// The member's visit before this process started, read (and replaced) once.
    pub(crate) previous_visit: Arc<OnceCell<Option<String>>>,
}

fn poisoned<T>(_: std::sync::PoisonError<T>) -> CoreError {
    CoreError::Internal("a lock was poisoned".into())
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
            store: Arc::new(tokio::sync::Mutex::new(None)),
            passphrase: Arc::new(Mutex::new(None)),
            secrets,
            http: folio_smart::http::client()?,
            sign_ins: Arc::new(Mutex::new(SignIns::default())),
            configs: Arc::new(Mutex::new(HashMap::new())),
            token_locks: Arc::new(Mutex::new(HashMap::new())),
            syncs: Arc::new(Mutex::new(SyncRegistry::default())),
            events: tokio::sync::broadcast::channel(EVENT_BUFFER).0,
            previous_visit: Arc::new(OnceCell::new()),
        })
    }

    /// Everything that happens from now on (sync progress and ends, records and connections
    /// changed), in order. The shell forwards these to the window; the CLI prints them.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<FolioEvent> {
        self.events.subscribe()
    }

    /// Sends an event to every subscriber (none listening is fine).
    pub(crate) fn emit(&self, event: FolioEvent) {
        let _ = self.events.send(event);
    }

    /// The profile's data folder.
    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    /// The open database, opened (and on first run created, with its key) on first use.
    pub(crate) async fn store(&self) -> Result<Store, CoreError> {
        let mut slot = self.store.lock().await;
        if let Some(store) = slot.as_ref() {
            return Ok(store.clone());
        }
        let passphrase = self.passphrase.lock().map_err(poisoned)?.clone();
        let store = crate::encryption::open_store(
            &self.data_dir,
            self.secrets.as_ref(),
            passphrase.as_ref(),
        )
        .await?;
        // The key now lives in the open database's connections; the passphrase is not kept.
        self.passphrase.lock().map_err(poisoned)?.take();
        for plan in plans::catalog()? {
            // Keep a running demo plan's address; refresh everything else.
            let existing = store.plan(&plan.id).await?;
            let mut plan = plan;
            if plan.is_demo {
                plan.fhir_base = existing.map(|e| e.fhir_base).unwrap_or_default();
            }
            store.save_plan(&plan).await?;
        }
        *slot = Some(store.clone());
        Ok(store)
    }

    /// Gives the passphrase that unlocks (or, chosen now, will lock) the member's records, and
    /// opens them with it. A wrong passphrase is an error and is not kept.
    pub async fn unlock(&self, passphrase: Sensitive<String>) -> Result<(), CoreError> {
        self.use_passphrase(passphrase)?;
        let opened = self.store().await.map(|_| ());
        if opened.is_err() {
            self.passphrase.lock().map_err(poisoned)?.take();
        }
        opened
    }

    /// Sets the passphrase to open the database with on first use (the CLI's
    /// `FOLIO_PASSPHRASE`), without opening it yet.
    pub fn use_passphrase(&self, passphrase: Sensitive<String>) -> Result<(), CoreError> {
        *self.passphrase.lock().map_err(poisoned)? = Some(passphrase);
        Ok(())
    }

    /// Closes the database (it opens again on next use): pending writes are in the file and
    /// its log is checkpointed.
    pub async fn close(&self) {
        if let Some(store) = self.store.lock().await.take() {
            store.close().await;
        }
    }

    /// Closes the database and deletes its files and its key: what is left of a profile after
    /// "Remove all my data". The next use starts a new database with a new key.
    pub(crate) async fn destroy_store(&self) -> Result<(), CoreError> {
        let mut slot = self.store.lock().await;
        if let Some(store) = slot.take() {
            store.close().await;
        }
        for file in crate::encryption::database_files(&self.data_dir.database_path()) {
            match std::fs::remove_file(&file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(CoreError::Internal(format!(
                        "cannot delete {}: {e}",
                        file.display()
                    )))
                }
                _ => {}
            }
        }
        crate::encryption::forget_key(&self.data_dir, self.secrets.as_ref())
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
                key_home: crate::encryption::key_home(&self.data_dir).ok_or_else(|| {
                    CoreError::KeyRecordMissing(self.data_dir.path().join("encryption.json"))
                })?,
            },
        })
    }
}
