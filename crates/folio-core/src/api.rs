//! The plain data types that cross IPC to the UI. TypeScript twins are generated from these by
//! tauri-specta; nothing else crosses (no FHIR, row or OAuth types).
//!
//! Numbers are `u32`/`f64` because JavaScript has no 64-bit integers.

use serde::Serialize;

/// A failure as the UI receives it: branch on `code`, show `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// What failed, stable across versions.
    pub code: ErrorCode,
    /// A sentence for the member. No health data, no tokens, no query strings.
    pub message: String,
}

/// Stable error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No usable data folder.
    DataDirUnavailable,
    /// The database file could not be opened.
    StorageUnavailable,
    /// The database schema could not be brought up to date.
    StorageMigrationFailed,
    /// A database query failed.
    StorageQueryFailed,
    /// Input was rejected.
    InvalidInput,
}

/// What the status screen shows: the app and its storage.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    /// Folio's version.
    pub version: String,
    /// The profile's data folder.
    pub data_dir: String,
    /// Why that folder: `flag`, `environment` or `platform`.
    pub data_dir_source: DataDirOrigin,
    /// The database.
    pub storage: StorageStatus,
}

/// Why the data folder was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DataDirOrigin {
    /// `--data-dir`.
    Flag,
    /// `FOLIO_DATA_DIR`.
    Environment,
    /// The platform's app-data folder.
    Platform,
}

/// The database as the status screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StorageStatus {
    /// The database file.
    pub path: String,
    /// The newest schema migration applied.
    pub schema_version: u32,
    /// Migrations applied / known to this build.
    pub migrations_applied: u32,
    /// Migrations this build carries.
    pub migrations_known: u32,
    /// Size on disk in bytes (database and write-ahead log).
    pub size_bytes: f64,
    /// SQLite journal mode.
    pub journal_mode: String,
    /// Plans known.
    pub plans: u32,
    /// Connections to plans.
    pub connections: u32,
    /// Records cached.
    pub resources: u32,
    /// Sync runs recorded.
    pub sync_runs: u32,
}
