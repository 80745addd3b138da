//! Sync: download a connection's records, with progress events; cancel.

use folio_core::api::{ApiError, SyncReport};
use folio_core::{Folio, SyncOptions};
use tauri_specta::Event;

use crate::demo::DemoPlan;
use crate::events::SyncProgressEvent;

/// Syncs one connection; progress arrives as `SyncProgressEvent`s after every page.
#[tauri::command]
#[specta::specta]
pub async fn sync_connection(
    app: tauri::AppHandle,
    folio: tauri::State<'_, Folio>,
    demo: tauri::State<'_, DemoPlan>,
    connection_id: String,
) -> Result<SyncReport, ApiError> {
    let connection = folio
        .connection(&connection_id)
        .await
        .map_err(ApiError::from)?;
    demo.ensure_running_for(&folio, &connection.plan_id).await?;
    let report = move |p| {
        let _ = SyncProgressEvent(p).emit(&app);
    };
    folio
        .sync_connection(&connection_id, SyncOptions::default(), &report)
        .await
        .map_err(ApiError::from)
}

/// Asks a running sync to stop after its current page.
#[tauri::command]
#[specta::specta]
pub async fn cancel_sync(
    folio: tauri::State<'_, Folio>,
    connection_id: String,
) -> Result<bool, ApiError> {
    Ok(folio.cancel_sync(&connection_id))
}
