//! Core events as typed Tauri events (the only place they become Tauri events).

use serde::Serialize;

/// Progress of a sync, after every page.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct SyncProgressEvent(pub folio_core::api::SyncProgress);
