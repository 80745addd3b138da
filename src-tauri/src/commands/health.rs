//! My health: medicines, conditions, allergies, immunizations, visits and care team.

use folio_core::api::{ApiError, MyHealth};
use folio_core::Folio;

/// Everything the My health screen shows.
#[tauri::command]
#[specta::specta]
pub async fn my_health(
    folio: tauri::State<'_, Folio>,
    include_sensitive: bool,
) -> Result<MyHealth, ApiError> {
    folio
        .my_health(include_sensitive)
        .await
        .map_err(ApiError::from)
}
