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
    /// Applying the schema migrations failed (for instance an applied migration was edited).
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A resource could not be read for indexing.
    #[error("resource rejected: {0}")]
    InvalidResource(#[from] folio_fhir::FhirError),
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
}
