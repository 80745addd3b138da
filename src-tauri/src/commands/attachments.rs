//! Saving a record's attachment: the host asks where (the system save dialog), folio-core
//! writes the bytes as the plan sent them.

use folio_core::api::ApiError;
use folio_core::Folio;
use tauri_plugin_dialog::DialogExt;

/// Asks where to save attachment `index` of a record, then writes it. Returns the bytes
/// written, or `None` when the member cancels.
#[tauri::command]
#[specta::specta]
pub async fn save_attachment(
    app: tauri::AppHandle,
    folio: tauri::State<'_, Folio>,
    connection_id: String,
    resource_type: String,
    resource_id: String,
    index: u32,
    suggested_name: String,
) -> Result<Option<f64>, ApiError> {
    // Only a plain file name is suggested: no folder from the webview.
    let name: String = suggested_name
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_'))
        .take(80)
        .collect();
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Save the attachment")
        .set_file_name(if name.trim().is_empty() {
            "attachment"
        } else {
            name.trim()
        })
        .save_file(move |chosen| {
            let _ = tx.send(chosen.and_then(|p| p.into_path().ok()));
        });
    let Some(path) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    // The dialog itself asked before returning a file that exists.
    folio
        .save_attachment(
            &connection_id,
            &resource_type,
            &resource_id,
            index,
            &path,
            true,
        )
        .await
        .map(|n| Some(n as f64))
        .map_err(ApiError::from)
}
