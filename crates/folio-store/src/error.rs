//! What can go wrong with the database.

use std::path::PathBuf;

/// A failure of the store, named for what failed. Messages carry paths, never health data.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The folder that should hold the database could not be created.
    #[error("cannot create the data folder {path}: {source}")]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database file could not be opened (missing permissions, not a database, locked).
    #[error("cannot open the database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        source: sqlx::Error,
    },
    /// The database file could not be read.
    #[error("cannot read the database file {path}: {source}")]
    Read {
        /// The database file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The key does not open the database (a wrong passphrase, a key from another profile),
    /// or the file is not a database.
    #[error("the key does not open the database {path} (or it is not a Folio database)")]
    WrongKey {
        /// The database file.
        path: PathBuf,
    },
    /// A plain database was to be opened as an encrypted one; it must be encrypted first.
    #[error("the database {path} is not encrypted yet")]
    NotEncrypted {
        /// The database file.
        path: PathBuf,
    },
    /// This build's SQLite has no SQLCipher, so it cannot encrypt.
    #[error("this build of Folio cannot encrypt its database (SQLite without SQLCipher)")]
    NoEncryption,
    /// Encrypting a plain database failed; the plain database is left as it was.
    #[error("cannot encrypt the database {path}: {reason}")]
    Encrypt {
        /// The database file.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// Applying the schema migrations failed (for instance an applied migration was edited).
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A resource could not be read for indexing.
    #[error("resource rejected: {0}")]
    InvalidResource(#[from] folio_fhir::FhirError),
    /// The disk (or the file system holding the database) is full: nothing of the statement
    /// that failed was saved, everything saved before is kept.
    #[error("the disk is full, so Folio could not save; free some space and try again (nothing saved before is lost)")]
    DiskFull(#[source] sqlx::Error),
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        // SQLITE_FULL: SQLite could not grow the database or its log.
        let full = error
            .as_database_error()
            .and_then(|e| e.code())
            .is_some_and(|c| c == "13");
        if full {
            Self::DiskFull(error)
        } else {
            Self::Query(error)
        }
    }
}
