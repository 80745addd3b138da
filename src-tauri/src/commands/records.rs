//! The member's history: the timeline and one record.

use folio_core::api::{ApiError, RecordDetail, TimelinePage, TimelineQuery};
use folio_core::Folio;

/// A page of the timeline across plans, newest first.
#[tauri::command]
#[specta::specta]
pub async fn timeline(
    folio: tauri::State<'_, Folio>,
    query: TimelineQuery,
) -> Result<TimelinePage, ApiError> {
    folio.timeline(&query).await.map_err(ApiError::from)
}

/// One record with its source; its JSON is text for a "view source" panel.
#[tauri::command]
#[specta::specta]
pub async fn record(
    folio: tauri::State<'_, Folio>,
    connection_id: String,
    resource_type: String,
    resource_id: String,
) -> Result<RecordDetail, ApiError> {
    folio
        .record(&connection_id, &resource_type, &resource_id)
        .await
        .map_err(ApiError::from)
}
