//! Encrypting a plain database in place, without ever losing it: the encrypted copy is written
//! beside it, checked table by table, synced, and only then renamed over the plain file.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};

use crate::{DatabaseFile, DatabaseKey, Store, StoreError, CIPHER_PAGE_SIZE};

/// What encrypting a plain database did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encrypted {
    /// Tables copied.
    pub tables: usize,
    /// Rows copied, over all tables.
    pub rows: i64,
}

impl Store {
    /// Encrypts the plain database at `path` with `key`. The plain file stays untouched until
    /// an encrypted copy holding the same rows in every table has been written, checked and
    /// synced beside it; that copy then replaces it in one rename, and the old file's bytes
    /// are overwritten with zeros. A crash at any point leaves either the plain database or the
    /// encrypted one, whole; running this again finishes the job.
    pub async fn encrypt_in_place(path: &Path, key: &DatabaseKey) -> Result<Encrypted, StoreError> {
        let fail = |reason: String| StoreError::Encrypt {
            path: path.to_owned(),
            reason,
        };
        if DatabaseFile::at(path).map_err(|e| fail(e.to_string()))? != DatabaseFile::Plain {
            return Err(fail("it is not a plain SQLite database".into()));
        }
        crate::crypto::ready();
        let staging = sibling(path, ".encrypting");
        for leftover in [
            staging.clone(),
            sibling(&staging, "-wal"),
            sibling(&staging, "-shm"),
            sibling(&staging, "-journal"),
        ] {
            remove_if_present(&leftover)
                .map_err(|e| fail(format!("{}: {e}", leftover.display())))?;
        }
        // SQLite would make the copy 0644 less the umask; made first, it stays the owner's.
        owner_only_file(&staging).map_err(|e| fail(format!("{}: {e}", staging.display())))?;

        let mut plain = SqliteConnectOptions::from_str("sqlite:")
            .map_err(|e| fail(e.to_string()))?
            .filename(path)
            // An attached database is opened with the main one's flags: the staging file must
            // be creatable. (The plain file exists: `DatabaseFile::at` was asked first.)
            .create_if_missing(true)
            // The key is attached through this connection: none of its statements are logged.
            .disable_statement_logging()
            .connect()
            .await
            .map_err(|e| fail(format!("cannot open it: {e}")))?;
        // Everything in the write-ahead log goes into the file before it is copied.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut plain)
            .await
            .map_err(|e| fail(e.to_string()))?;
        let copied = copy_encrypted(&mut plain, &staging, key)
            .await
            .map_err(|e| fail(e.to_string()));
        // Close the plain file before anything is renamed, whatever happened.
        plain.close().await.map_err(|e| fail(e.to_string()))?;
        let copied = match copied {
            Ok(c) => c,
            Err(e) => {
                let _ = remove_if_present(&staging);
                return Err(e);
            }
        };
        if DatabaseFile::at(&staging).map_err(|e| fail(e.to_string()))? != DatabaseFile::Encrypted {
            let _ = remove_if_present(&staging);
            return Err(StoreError::NoEncryption);
        }

        std::fs::File::open(&staging)
            .and_then(|f| f.sync_all())
            .map_err(|e| fail(e.to_string()))?;
        // Held open across the rename, so the old pages can be overwritten afterwards.
        let old = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| fail(e.to_string()))?;
        std::fs::rename(&staging, path).map_err(|e| fail(e.to_string()))?;
        if let Some(dir) = path.parent() {
            // The rename is durable once the folder is synced (not possible on every platform).
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        for log in [sibling(path, "-wal"), sibling(path, "-shm")] {
            remove_if_present(&log).map_err(|e| fail(e.to_string()))?;
        }
        overwrite_with_zeros(old).map_err(|e| fail(e.to_string()))?;
        tracing::info!(tables = copied.tables, "plain database encrypted");
        Ok(copied)
    }
}

/// Copies every table into a new encrypted file with SQLCipher's `sqlcipher_export`, then
/// opens the copy with the key and checks its integrity, its full-text index and its row
/// counts against the plain file.
async fn copy_encrypted(
    plain: &mut SqliteConnection,
    staging: &Path,
    key: &DatabaseKey,
) -> Result<Encrypted, sqlx::Error> {
    sqlx::query("ATTACH DATABASE ?1 AS encrypted KEY ?2")
        .bind(staging.to_string_lossy().into_owned())
        .bind(key.attach_value())
        .execute(&mut *plain)
        .await?;
    let exported = async {
        sqlx::query(&format!(
            "PRAGMA encrypted.cipher_page_size = {CIPHER_PAGE_SIZE}"
        ))
        .execute(&mut *plain)
        .await?;
        sqlx::query("SELECT sqlcipher_export('encrypted')")
            .execute(&mut *plain)
            .await
    }
    .await;
    sqlx::query("DETACH DATABASE encrypted")
        .execute(&mut *plain)
        .await?;
    exported?;

    let mut copy = SqliteConnectOptions::from_str("sqlite:")?
        .filename(staging)
        .pragma("key", key.pragma_value())
        .pragma("cipher_page_size", CIPHER_PAGE_SIZE.to_string())
        // The key is in the connect statement, which sqlx would log (see `Store::open`).
        .disable_statement_logging()
        .connect()
        .await?;
    let checked = async {
        let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
            .fetch_one(&mut copy)
            .await?;
        if check != "ok" {
            return Err(sqlx::Error::Protocol(format!(
                "the encrypted copy failed its integrity check: {check}"
            )));
        }
        let fts: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'",
        )
        .fetch_all(&mut copy)
        .await?;
        for (table,) in &fts {
            let quoted = table.replace('"', "\"\"");
            sqlx::query(&format!(
                "INSERT INTO \"{quoted}\" (\"{quoted}\") VALUES ('integrity-check')"
            ))
            .execute(&mut copy)
            .await?;
        }
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(&mut *plain)
        .await?;
        let mut rows = 0;
        for (table,) in &tables {
            let sql = format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\""));
            let (a,): (i64,) = sqlx::query_as(&sql).fetch_one(&mut *plain).await?;
            let (b,): (i64,) = sqlx::query_as(&sql).fetch_one(&mut copy).await?;
            if a != b {
                return Err(sqlx::Error::Protocol(format!(
                    "the encrypted copy of table {table} has {b} rows instead of {a}"
                )));
            }
            rows += a;
        }
        Ok(Encrypted {
            tables: tables.len(),
            rows,
        })
    }
    .await;
    copy.close().await?;
    checked
}

/// Makes the database file at `path` its owner's alone before SQLite opens it: a missing one is
/// created empty with mode 0600 (SQLite would make it 0644 less the umask; an empty file is a
/// new database to SQLite), and an existing one that others could read is narrowed to 0600.
/// SQLite gives the `-wal`, `-shm` and `-journal` files the database file's mode. Elsewhere than
/// Unix the platform's per-user folders decide, and nothing is done.
pub(crate) fn owner_only_file(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(path)?;
        if file.metadata()?.permissions().mode() & 0o077 != 0 {
            if let Err(e) = file.set_permissions(std::fs::Permissions::from_mode(0o600)) {
                tracing::warn!(
                    error = %e.kind(),
                    "the database file is readable by other accounts and its mode cannot be changed"
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// `path` with `suffix` added to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Overwrites a file (already replaced by its encrypted copy) with zeros and syncs it, so its
/// plain pages are not left for the file system to hand out again. Copy-on-write and
/// flash-translating storage may still keep old blocks: SECURITY.md says so.
fn overwrite_with_zeros(file: std::fs::File) -> std::io::Result<()> {
    use std::io::Write;
    let len = file.metadata()?.len();
    let mut writer = std::io::BufWriter::new(&file);
    let zeros = [0u8; 64 * 1024];
    let mut left = len;
    while left > 0 {
        let n = usize::try_from(left.min(zeros.len() as u64)).unwrap_or(zeros.len());
        writer.write_all(&zeros[..n])?;
        left -= n as u64;
    }
    writer.flush()?;
    drop(writer);
    file.sync_all()
}
