//! Opening the database, applying migrations, and what the store can say about itself.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, SqlitePool};

use crate::{crypto, DatabaseFile, DatabaseKey, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The page size of Folio's encrypted database, in bytes (SQLCipher's default is 4096). Each
/// page carries its own IV and HMAC; with 8 KB pages a 100k-resource sync took 6.2 s instead of
/// 7.7 s, exports 2.4–2.8 s instead of 2.9–3.6 s, and reading back was unchanged (16 KB pages
/// were faster still to write, but made a full-text search three times slower). Anything that
/// opens the file, SQLCipher's own shell included, must set `PRAGMA cipher_page_size` to this
/// right after the key. It cannot change without re-encrypting the file.
pub const CIPHER_PAGE_SIZE: u32 = 8192;

/// An open Folio database with its schema up to date.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
    /// Transactions that read before they write take this first: in WAL mode two of them
    /// would otherwise fail with SQLITE_BUSY_SNAPSHOT instead of waiting.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// What the store knows about itself, for the status screen and `folio status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreStatus {
    /// The database file.
    pub path: PathBuf,
    /// The newest migration applied to this file.
    pub schema_version: i64,
    /// How many migrations this build of Folio carries.
    pub migrations_known: usize,
    /// How many of them are applied.
    pub migrations_applied: usize,
    /// Size of the database file and its write-ahead log, in bytes.
    pub size_bytes: u64,
    /// SQLite's journal mode (Folio uses WAL).
    pub journal_mode: String,
    /// Plans known.
    pub plans: i64,
    /// Connections to plans.
    pub connections: i64,
    /// Resources cached.
    pub resources: i64,
    /// Sync runs recorded.
    pub sync_runs: i64,
}

impl Store {
    /// Opens (creating if needed) the encrypted database at `path` with `key` and applies
    /// pending migrations. A plain database is refused ([`Store::encrypt_in_place`] first), and
    /// so is a SQLite library without SQLCipher, so records are never written unencrypted.
    pub async fn open(path: &Path, key: &DatabaseKey) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.to_owned(),
                source,
            })?;
        }
        match DatabaseFile::at(path) {
            Ok(DatabaseFile::Plain) => {
                return Err(StoreError::NotEncrypted {
                    path: path.to_owned(),
                })
            }
            Ok(_) => {}
            Err(source) => {
                return Err(StoreError::Read {
                    path: path.to_owned(),
                    source,
                })
            }
        }
        crate::encrypt::owner_only_file(path).map_err(|source| StoreError::Read {
            path: path.to_owned(),
            source,
        })?;
        let open_err = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        crypto::ready();
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(open_err)?
            .filename(path)
            // SQLCipher: the key comes before anything reads the file (sqlx sends it first).
            .pragma("key", key.pragma_value())
            .pragma("cipher_page_size", CIPHER_PAGE_SIZE.to_string())
            // sqlx sends every pragma above as one statement when it connects, and logs
            // statements (at DEBUG) and slow ones (at WARN: stretching a passphrase is slow) with
            // their text: the key would be in the logs. None of this pool's statements are.
            .disable_statement_logging()
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // 16 MB of page cache per connection instead of SQLite's 2 MB: a sync page of a
            // thousand resources then fits without spilling mid-transaction (measured: a 100k
            // sync went from 6.1 s to 5.4 s).
            .pragma("cache_size", "-16384");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // A passphrase is stretched again for every new connection: keep them.
            .idle_timeout(None)
            .max_lifetime(None)
            // A connection handed back still inside a transaction is closed, not reused. This
            // happens when SQLite rolled a transaction back itself (SQLITE_FULL, for one): sqlx's
            // own ROLLBACK then fails and the connection would refuse every later BEGIN.
            .after_release(|conn, _| {
                Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(conn)) })
            })
            .connect_with(options)
            .await
            .map_err(|e| wrong_key_or(path, e))?;
        if let Err(e) = check_and_migrate(&pool, path).await {
            close_pool(&pool).await;
            return Err(e);
        }
        tracing::debug!(migrations = MIGRATOR.migrations.len(), "store opened");
        Ok(Self {
            pool,
            path: path.to_owned(),
            writer: std::sync::Arc::default(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub(crate) async fn write_lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.writer.lock().await
    }

    /// The writers' lock itself, for a guard that outlives a borrow (a restore).
    pub(crate) fn writer_handle(&self) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        self.writer.clone()
    }

    /// Counts and schema facts.
    pub async fn status(&self) -> Result<StoreStatus, StoreError> {
        let (schema_version, migrations_applied): (Option<i64>, i64) =
            sqlx::query_as("SELECT max(version), count(*) FROM _sqlx_migrations WHERE success = 1")
                .fetch_one(&self.pool)
                .await?;
        let (journal_mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&self.pool)
            .await?;
        let (plans, connections, resources, sync_runs): (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM plans), (SELECT count(*) FROM connections),
                    (SELECT count(*) FROM resources), (SELECT count(*) FROM sync_runs)",
        )
        .fetch_one(&self.pool)
        .await?;
        let size_of = |p: PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        Ok(StoreStatus {
            path: self.path.clone(),
            schema_version: schema_version.unwrap_or(0),
            migrations_known: MIGRATOR.migrations.len(),
            migrations_applied: usize::try_from(migrations_applied).unwrap_or(0),
            size_bytes: size_of(self.path.clone()) + size_of(PathBuf::from(wal)),
            journal_mode,
            plans,
            connections,
            resources,
            sync_runs,
        })
    }

    /// Runs SQLite's own consistency check; `Ok(true)` when it answers "ok".
    pub async fn integrity_ok(&self) -> Result<bool, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.len() == 1 && rows[0].0 == "ok")
    }

    /// Closes every pooled connection (the WAL is checkpointed by SQLite on the last close).
    pub async fn close(self) {
        close_pool(&self.pool).await;
    }
}

/// Proves the pool opened an encrypted Folio database with the right key, then brings its
/// schema up to date.
async fn check_and_migrate(pool: &SqlitePool, path: &Path) -> Result<(), StoreError> {
    // SQLite without SQLCipher ignores `PRAGMA key` and would write plain pages.
    let cipher: Option<(String,)> = sqlx::query_as("PRAGMA cipher_version")
        .fetch_optional(pool)
        .await
        .map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?;
    if cipher.is_none_or(|(v,)| v.is_empty()) {
        return Err(StoreError::NoEncryption);
    }
    // Reading the schema proves the key is right and this is a database.
    sqlx::query("SELECT count(*) FROM sqlite_master")
        .execute(pool)
        .await
        .map_err(|e| wrong_key_or(path, e))?;
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Closes every connection of `pool`, one after the other, before returning.
///
/// sqlx's `Pool::close` alone is not enough. A connection being handed back when it starts
/// (its release check still talking to SQLite) can land in the idle queue after the close has
/// looked there, and stay open, to be closed later from its own thread; or be closed at the
/// same moment as another, and then neither is the last connection, so neither moves the
/// write-ahead log into the database file and deletes it. Either way the files change after
/// Folio has moved on (to delete them, to make a new database at the same path, or to open the
/// file again). So: wait until every connection is back (queries still running finish; 5 s at
/// most), then close, and close again whatever landed late.
async fn close_pool(pool: &SqlitePool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !pool.is_closed()
        && pool.num_idle() < pool.size() as usize
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    loop {
        pool.close().await;
        if pool.size() == 0 {
            return;
        }
        if tokio::time::Instant::now() >= deadline {
            tracing::warn!(
                open = pool.size(),
                "database connections still open 5 s after closing began"
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// SQLITE_NOTADB ("file is not a database") is what SQLCipher answers to a wrong key.
fn wrong_key_or(path: &Path, source: sqlx::Error) -> StoreError {
    let not_a_db = source
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|c| c == "26");
    if not_a_db {
        StoreError::WrongKey {
            path: path.to_owned(),
        }
    } else {
        StoreError::Open {
            path: path.to_owned(),
            source,
        }
    }
}

pub(crate) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
