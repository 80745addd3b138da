//! Folio's application: what a member can do (see status, connect plans, sync, browse, export),
//! written once and driven by the desktop shell and the CLI alike.
//!
//! Owns: the use cases, the profile's data directory, background jobs, the event bus, and
//! [`api`], the plain data types that cross IPC to the UI.
//!
//! Must never: depend on Tauri (a CI check keeps `cargo tree -p folio-core` free of it), put a
//! FHIR, row or OAuth type in [`api`], or put health data, tokens or query strings in an error
//! message.

pub mod api;
mod attachments;
pub mod browser;
mod connections;
mod data_dir;
mod erase;
mod error;
pub mod export;
mod folio;
mod import;
mod labs;
mod overview;
mod plans;
mod sync;
mod timeline;
mod tokens;

pub use connections::{DisconnectOutcome, URL_SCHEME};
pub use data_dir::{DataDir, DataDirSource, APP_IDENTIFIER, DATA_DIR_ENV};
pub use error::CoreError;
pub use folio::Folio;
pub use sync::SyncOptions;

/// Folio's version, as shown in the app and by `folio --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
