//! Everything a profile keeps on disk, readable: every value of every row of its encrypted
//! database (opened with its key, so a secret stored in a row is seen in the clear, not as
//! ciphertext), and the bytes of every other file in its data folder.
//!
//! Shared by folio-core's and folio-cli's tests (the CLI includes this file by path).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::{ConnectOptions, Connection, Row};

/// The key that opens a profile's database.
pub enum DbKey {
    /// 64 hex digits, as the keychain holds them.
    Hex(String),
    /// The member's passphrase.
    Passphrase(String),
}

impl DbKey {
    /// The key named by the profile's `encryption.json`, read from `secrets`.
    pub fn from_keychain(data_dir: &Path, secrets: &dyn folio_secrets::SecretStore) -> Self {
        let record: serde_json::Value =
            serde_json::from_slice(&std::fs::read(data_dir.join("encryption.json")).unwrap())
                .unwrap();
        assert_eq!(record["key"], "keychain", "{record}");
        let account = record["account"].as_str().unwrap();
        let hex = secrets.get(account).unwrap().expect("the database key");
        Self::Hex(hex.expose().clone())
    }

    fn pragma(&self) -> String {
        match self {
            Self::Hex(hex) => format!("\"x'{hex}'\""),
            Self::Passphrase(p) => format!("'{}'", p.replace('\'', "''")),
        }
    }
}

/// What was read: each value or file with where it came from.
pub struct OnDisk {
    /// Rows read, over all tables.
    pub rows: usize,
    /// `table.column` or a file path, and its bytes.
    pub values: Vec<(String, Vec<u8>)>,
}

impl OnDisk {
    /// Where `needle` occurs (bytes compared exactly).
    pub fn holding(&self, needle: &[u8]) -> Vec<String> {
        assert!(!needle.is_empty());
        self.holding_where(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
    }

    /// Where `needle` occurs, ASCII letters compared without case (the full-text index keeps
    /// words in lower case).
    pub fn holding_any_case(&self, needle: &str) -> Vec<String> {
        let needle = needle.as_bytes();
        assert!(!needle.is_empty());
        self.holding_where(|bytes| {
            bytes
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle))
        })
    }

    /// The places whose bytes satisfy `test`.
    pub fn holding_where(&self, test: impl Fn(&[u8]) -> bool) -> Vec<String> {
        let mut places: Vec<String> = self
            .values
            .iter()
            .filter(|(_, bytes)| test(bytes))
            .map(|(place, _)| place.clone())
            .collect();
        places.dedup();
        places
    }
}

/// The database file and the files SQLite keeps beside it (encrypted pages: read through the
/// database instead).
fn database_files(db: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        })
        .collect()
}

/// Reads everything in the profile at `data_dir`: every row of `folio.db` through `key` (a
/// missing or unreadable database fails here), and every other file under `data_dir`.
pub async fn read_profile(data_dir: &Path, key: &DbKey) -> OnDisk {
    let db = data_dir.join("folio.db");
    assert!(db.is_file(), "{} must exist", db.display());
    folio_store::crypto_ready();
    let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(&db)
        .pragma("key", key.pragma())
        .pragma(
            "cipher_page_size",
            folio_store::CIPHER_PAGE_SIZE.to_string(),
        )
        // The key is in the connect statement: keep it out of the test's own logs (statements
        // and slow statements alike).
        .disable_statement_logging()
        .connect()
        .await
        .unwrap();
    let tables: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert!(!tables.is_empty(), "the database has tables");
    let mut out = OnDisk {
        rows: 0,
        values: Vec::new(),
    };
    for (table,) in &tables {
        let columns: Vec<(String,)> = sqlx::query_as("SELECT name FROM pragma_table_info(?1)")
            .bind(table)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        if columns.is_empty() {
            continue;
        }
        let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
        let select = columns
            .iter()
            .map(|(c,)| format!("CAST({} AS BLOB)", quote(c)))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(&format!("SELECT {select} FROM {}", quote(table)))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        out.rows += rows.len();
        for row in rows {
            for (i, (column,)) in columns.iter().enumerate() {
                if let Some(bytes) = row.try_get::<Option<Vec<u8>>, _>(i).unwrap() {
                    out.values.push((format!("{table}.{column}"), bytes));
                }
            }
        }
    }
    conn.close().await.unwrap();

    let skip = database_files(&db);
    let mut folders = vec![data_dir.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if !skip.contains(&path) {
                let bytes = std::fs::read(&path).unwrap();
                out.values.push((path.display().to_string(), bytes));
            }
        }
    }
    out
}
