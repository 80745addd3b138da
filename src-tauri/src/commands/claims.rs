//! Claims added up per plan year.

use folio_core::api::{ApiError, ClaimYear};
use folio_core::Folio;

/// Claims added up per plan and year of service, newest first.
#[tauri::command]
#[specta::specta]
pub async fn claim_years(
    folio: tauri::State<'_, Folio>,
    connections: Vec<String>,
    include_sensitive: bool,
) -> Result<Vec<ClaimYear>, ApiError> {
    folio
        .claim_years(&connections, include_sensitive)
        .await
        .map_err(ApiError::from)
}
