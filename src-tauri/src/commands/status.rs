//! The app and storage status.

use folio_core::api::{ApiError, AppStatus};
use folio_core::Folio;

/// The app's version, data folder and database facts.
#[tauri::command]
#[specta::specta]
pub async fn app_status(folio: tauri::State<'_, Folio>) -> Result<AppStatus, ApiError> {
    folio.status().await.map_err(ApiError::from)
}
