//! Labs and vitals: the tests with their latest result, and one test over time.

use folio_core::api::{ApiError, LabSeries, LabTest};
use folio_core::Folio;

/// Every lab test and vital sign with results, newest result each.
#[tauri::command]
#[specta::specta]
pub async fn lab_tests(
    folio: tauri::State<'_, Folio>,
    include_sensitive: bool,
) -> Result<Vec<LabTest>, ApiError> {
    folio
        .lab_tests(include_sensitive)
        .await
        .map_err(ApiError::from)
}

/// One test's results over time, units reconciled.
#[tauri::command]
#[specta::specta]
pub async fn lab_series(
    folio: tauri::State<'_, Folio>,
    key: String,
    include_sensitive: bool,
) -> Result<LabSeries, ApiError> {
    folio
        .lab_series(&key, include_sensitive)
        .await
        .map_err(ApiError::from)
}
