//! The first screen: coverage cards, counts, and what is new since the last visit.

use folio_core::api::{ApiError, Overview};
use folio_core::Folio;

/// Coverage cards, records by kind, and what arrived since the member's last visit.
#[tauri::command]
#[specta::specta]
pub async fn overview(
    folio: tauri::State<'_, Folio>,
    include_sensitive: bool,
) -> Result<Overview, ApiError> {
    folio
        .overview(include_sensitive)
        .await
        .map_err(ApiError::from)
}
