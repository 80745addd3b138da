//! The member's remembered choices.

use folio_core::api::{ApiError, Preferences};
use folio_core::Folio;

/// The member's remembered choices.
#[tauri::command]
#[specta::specta]
pub async fn preferences(folio: tauri::State<'_, Folio>) -> Result<Preferences, ApiError> {
    folio.preferences().await.map_err(ApiError::from)
}

/// Remembers whether to show sensitive records.
#[tauri::command]
#[specta::specta]
pub async fn set_show_sensitive(
    folio: tauri::State<'_, Folio>,
    show: bool,
) -> Result<Preferences, ApiError> {
    folio.set_show_sensitive(show).await.map_err(ApiError::from)
}
