//! Folio's local database: one SQLite file per profile, reached only through sqlx.
//!
//! Owns: the connection pool, the forward-only migrations in `migrations/`, the schema, and every
//! SQL statement Folio runs.
//!
//! Must never: write a page unencrypted (SQLCipher; the key is given by folio-core), hold a
//! token or any other secret (the keychain does), rewrite a resource's JSON
//! (it is stored verbatim), or be used by anything but folio-core.

mod access;
mod backup;
mod claims;
mod crypto;
mod encrypt;
mod erase;
mod error;
mod export;
mod health;
mod import;
mod key;
mod observations;
mod overview;
mod plan_search;
mod plans;
mod prior_auths;
mod resources;
mod search_support;
mod settings;
mod shared_links;
mod status;
mod store;
mod sync;
mod sync_slices;
mod timeline;

pub use access::AccessTerms;
pub use backup::{
    BackupCounts, BackupEntry, ConnectionEntry, PlanEntry, PlanSearchSupportEntry, ResourceEntry,
    Restore, SearchSupportEntry, SettingEntry, SyncRunEntry, SyncSliceEntry, SyncStateEntry,
    RESTORED_FROM_BACKUP,
};
pub use claims::ClaimRow;
pub use crypto::ready as crypto_ready;
pub use encrypt::Encrypted;
pub use error::StoreError;
pub use export::{ExportFilter, ExportRow};
pub use health::CareRow;
pub use import::ImportedResource;
pub use key::{DatabaseFile, DatabaseKey};
pub use observations::{ObservationHead, ObservationRow};
pub use plan_search::PlanSearchSupport;
pub use plans::{BoundEndpoints, ConnectedGrant, ConnectionRow, PlanRow};
pub use prior_auths::PriorAuthRow;
pub use resources::{NewResource, UpsertOutcome};
pub use search_support::SearchSupport;
pub use shared_links::SharedLinkRow;
pub use status::{ConnectionStatus, RunStatus, SourceKind, TypeSyncStatus};
pub use store::{Store, StoreStatus, CIPHER_PAGE_SIZE};
pub use sync::{
    index_page, FinishedPass, PageOutcome, PageResource, SavedPage, SyncStateRow, TypeCount,
};
pub use sync_slices::{SliceRow, SliceStart};
pub use timeline::{RecordRow, TimelineFilter, TimelineRow, TIMELINE_TYPES};
