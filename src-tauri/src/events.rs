//! Core events as one typed Tauri event (the only place they become Tauri events).

use serde::Serialize;
use tauri_specta::Event;

/// Everything folio-core reports (sync progress and ends, records and connections changed),
/// forwarded to the window in order as one event.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct FolioEventMessage(pub folio_core::api::FolioEvent);

/// Forwards every event of `folio` to the window until the app exits. A window that fell
/// behind by more than the core keeps is told nothing of the events it missed; the
/// `recordsChanged`/`connectionChanged` that follow make its screens re-read.
pub fn forward(app: tauri::AppHandle, folio: &folio_core::Folio) {
    use tokio::sync::broadcast::error::RecvError;
    let mut events = folio.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if let Err(e) = FolioEventMessage(event).emit(&app) {
                        tracing::warn!(error = %e, "an event could not reach the window");
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the window missed events");
                }
                Err(RecvError::Closed) => break,
            }
        }
    });
}
