//! Prior authorizations: the list, one in full, and the overview's tile.

use folio_core::api::{ApiError, PriorAuthDetail, PriorAuthOverview, PriorAuthSummary};
use folio_core::Folio;

/// Every prior authorization held, pending first, then the newest.
#[tauri::command]
#[specta::specta]
pub async fn prior_authorizations(
    folio: tauri::State<'_, Folio>,
    include_sensitive: bool,
) -> Result<Vec<PriorAuthSummary>, ApiError> {
    folio
        .prior_authorizations(include_sensitive)
        .await
        .map_err(ApiError::from)
}

/// One prior authorization in full.
#[tauri::command]
#[specta::specta]
pub async fn prior_authorization(
    folio: tauri::State<'_, Folio>,
    connection_id: String,
    resource_id: String,
) -> Result<PriorAuthDetail, ApiError> {
    folio
        .prior_authorization(&connection_id, &resource_id)
        .await
        .map_err(ApiError::from)
}

/// How many prior authorizations in each state, and the approvals that end first.
#[tauri::command]
#[specta::specta]
pub async fn prior_auth_overview(
    folio: tauri::State<'_, Folio>,
    include_sensitive: bool,
) -> Result<PriorAuthOverview, ApiError> {
    folio
        .prior_auth_overview(include_sensitive)
        .await
        .map_err(ApiError::from)
}
