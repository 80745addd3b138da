//! "Remove all my data" from the This computer screen.

use folio_core::api::{ApiError, RemovedData};
use folio_core::Folio;

/// Revokes, deletes keychain entries and erases the database (the screen asks first).
#[tauri::command]
#[specta::specta]
pub async fn remove_all_data(folio: tauri::State<'_, Folio>) -> Result<RemovedData, ApiError> {
    folio.remove_all_data().await.map_err(ApiError::from)
}
