//! Claims: added up per plan year, the list, one claim, and a year's costs.

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

/// A page of the member's claims, newest service first.
#[tauri::command]
#[specta::specta]
pub async fn claims(
    folio: tauri::State<'_, Folio>,
    query: folio_core::api::ClaimQuery,
) -> Result<folio_core::api::ClaimList, ApiError> {
    folio.claims(query).await.map_err(ApiError::from)
}

/// One claim in full.
#[tauri::command]
#[specta::specta]
pub async fn claim(
    folio: tauri::State<'_, Folio>,
    connection_id: String,
    resource_id: String,
) -> Result<folio_core::api::ClaimDetail, ApiError> {
    folio
        .claim(&connection_id, &resource_id)
        .await
        .map_err(ApiError::from)
}

/// A year's costs per plan (the newest year with claims when none is given).
#[tauri::command]
#[specta::specta]
pub async fn cost_summary(
    folio: tauri::State<'_, Folio>,
    year: Option<u32>,
) -> Result<folio_core::api::CostSummary, ApiError> {
    folio.cost_summary(year).await.map_err(ApiError::from)
}
