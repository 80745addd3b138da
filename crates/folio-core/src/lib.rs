//! Folio's application: what a member can do (see status, connect plans, sync, browse, export),
//! written once and driven by the desktop shell and the CLI alike.
//!
//! Owns: the use cases, the profile's data directory, background jobs, the event bus, and
//! [`api`], the plain data types that cross IPC to the UI.
//!
//! Must never: depend on Tauri (a CI check keeps `cargo tree -p folio-core` free of it), put a
//! FHIR, row or OAuth type in [`api`], or put health data, tokens or query strings in an error
//! message.

mod access;
pub mod api;
mod attachments;
mod backup;
pub mod browser;
mod claims;
mod connections;
mod credentials;
mod data_dir;
mod encryption;
mod erase;
mod error;
pub mod export;
mod folio;
mod health;
mod ids;
mod import;
mod labs;
mod news;
mod overview;
mod plan_support;
mod plans;
mod prior_auths;
pub mod schedule;
pub mod sharing;
mod statuses;
mod sync;
mod sync_failure;
mod sync_runs;
mod timeline;
mod tokens;

pub use connections::{DisconnectOutcome, URL_SCHEME};
pub use credentials::{AddedPlan, NewPlan};
pub use data_dir::{DataDir, DataDirSource, APP_IDENTIFIER, DATA_DIR_ENV};
pub use encryption::MIN_PASSPHRASE_CHARS;
pub use error::CoreError;
pub use folio::Folio;
pub use folio_secrets::Sensitive;
pub use schedule::{Clock, Scheduler, SchedulerHandle, SystemClock};
pub use sync::{SyncOptions, DEFAULT_PAGE_SIZE, LARGEST_PAGE};
pub use sync_failure::SyncFailure;
pub use sync_runs::{SyncRef, SyncTarget};

/// Entry points for the fuzz targets in `fuzz/` (what Folio does with untrusted bytes, without
/// the IO around it). Not an API: it may change at any time.
#[doc(hidden)]
pub mod fuzzing {
    /// Reads the text of an imported Bundle (or single resource) file as `Folio::import`
    /// does: each resource's JSON to save (`urn:uuid` references resolved, missing ids filled
    /// in from fullUrls) and the entry's fullUrl.
    pub fn import_file(text: &str) -> Result<Vec<(String, Option<String>)>, crate::CoreError> {
        crate::import::from_json_file(text)
            .map(|all| all.into_iter().map(|p| (p.json, p.full_url)).collect())
    }

    /// A record's attachments as the record screen shows them.
    pub fn attachment_views(resource: &serde_json::Value) -> Vec<crate::api::AttachmentView> {
        folio_fhir::attachments_of(resource)
            .iter()
            .map(crate::attachments::view)
            .collect()
    }
}

/// Folio's version, as shown in the app and by `folio --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
