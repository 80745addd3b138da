//! Sync: start downloading a connection's records (or every connection's) on a run folio-core
//! owns; cancel. Progress and the end arrive as `FolioEventMessage`s.

use folio_core::api::ApiError;
use folio_core::{Folio, SyncOptions, SyncRef, SyncTarget};

use crate::demo::DemoPlan;

/// Starts syncing one connection, or every connected plan when `connection_id` is `None`;
/// returns the run's id at once. `syncStarted`, `syncProgress`, `recordsChanged`,
/// `connectionChanged` and `syncFinished` follow as events.
#[tauri::command]
#[specta::specta]
pub async fn start_sync(
    folio: tauri::State<'_, Folio>,
    demo: tauri::State<'_, DemoPlan>,
    connection_id: Option<String>,
) -> Result<u32, ApiError> {
    let target = match connection_id {
        Some(id) => {
            let connection = folio.connection(&id).await.map_err(ApiError::from)?;
            demo.ensure_running_for(&folio, &connection.plan_id).await?;
            SyncTarget::Connection(id)
        }
        None => {
            for connection in folio.connections().await.map_err(ApiError::from)? {
                demo.ensure_running_for(&folio, &connection.plan_id).await?;
            }
            SyncTarget::All
        }
    };
    folio
        .start_sync(target, SyncOptions::default())
        .await
        .map_err(ApiError::from)
}

/// Asks the sync of a connection to stop after its current pages.
#[tauri::command]
#[specta::specta]
pub async fn cancel_sync(
    folio: tauri::State<'_, Folio>,
    connection_id: String,
) -> Result<bool, ApiError> {
    Ok(folio.cancel_sync(SyncRef::Connection(connection_id)))
}
