//! Import: the native open dialog is shown by the host (the webview never names a path), then
//! folio-core reads the file or folder.

use folio_core::api::{ApiError, ImportSummary};
use folio_core::Folio;
use tauri_plugin_dialog::DialogExt;

/// Asks for a FHIR Bundle file (`folder` false) or a folder of NDJSON files (`folder` true)
/// and imports it as a new source. `None` when the member cancels the dialog.
#[tauri::command]
#[specta::specta]
pub async fn import_history(
    app: tauri::AppHandle,
    folio: tauri::State<'_, Folio>,
    folder: bool,
) -> Result<Option<ImportSummary>, ApiError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let dialog = app.dialog().file().set_title(if folder {
        "Import a folder of NDJSON files"
    } else {
        "Import a FHIR file"
    });
    if folder {
        dialog.pick_folder(move |chosen| {
            let _ = tx.send(chosen.and_then(|p| p.into_path().ok()));
        });
    } else {
        dialog
            .add_filter("FHIR JSON", &["json"])
            .pick_file(move |chosen| {
                let _ = tx.send(chosen.and_then(|p| p.into_path().ok()));
            });
    }
    let Some(path) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    folio.import(&path).await.map(Some).map_err(ApiError::from)
}
