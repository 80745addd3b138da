//! The application object the shell and the CLI hold: one per profile.

use tokio::sync::OnceCell;

use folio_store::Store;

use crate::api::{AppStatus, DataDirOrigin, StorageStatus};
use crate::{CoreError, DataDir, DataDirSource, VERSION};

/// One profile of Folio: its data folder and, once opened, its store.
#[derive(Debug)]
pub struct Folio {
    data_dir: DataDir,
    store: OnceCell<Store>,
}

impl Folio {
    /// A Folio over `data_dir`. Nothing is opened yet: the store opens on first use, so a
    /// failure is reported to whoever asked, and tried again on the next call.
    pub fn new(data_dir: DataDir) -> Self {
        Self {
            data_dir,
            store: OnceCell::new(),
        }
    }

    /// The profile's data folder.
    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    async fn store(&self) -> Result<&Store, CoreError> {
        let path = self.data_dir.database_path();
        Ok(self
            .store
            .get_or_try_init(|| async move { Store::open(&path).await })
            .await?)
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
