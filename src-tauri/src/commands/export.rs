//! Export: the native save dialog is opened here, in the host, so the webview never names a
//! path on disk; folio-core writes the file.

use folio_core::api::{ApiError, ExportFormat, ExportRequest, ExportSummary};
use folio_core::Folio;
use tauri_plugin_dialog::DialogExt;

/// Asks where to save (the system's save dialog, which itself confirms replacing a file), then
/// exports. `None` when the member cancels the dialog.
#[tauri::command]
#[specta::specta]
pub async fn export_history(
    app: tauri::AppHandle,
    folio: tauri::State<'_, Folio>,
    request: ExportRequest,
) -> Result<Option<ExportSummary>, ApiError> {
    let (name, filter, extensions): (&str, &str, &[&str]) = match request.format {
        ExportFormat::Bundle => ("folio-history.json", "FHIR Bundle (JSON)", &["json"]),
        ExportFormat::Ndjson => ("folio-history-ndjson", "Folder of NDJSON files", &[]),
        ExportFormat::Pdf => ("folio-health-summary.pdf", "PDF document", &["pdf"]),
        ExportFormat::Ips => (
            "folio-patient-summary.json",
            "International Patient Summary (FHIR JSON)",
            &["json"],
        ),
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_title("Export your history")
        .set_file_name(name);
    if !extensions.is_empty() {
        dialog = dialog.add_filter(filter, extensions);
    }
    dialog.save_file(move |chosen| {
        let _ = tx.send(chosen.and_then(|p| p.into_path().ok()));
    });
    let Some(path) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let request = ExportRequest {
        // The dialog asked before returning a file that exists; a folder is never replaced.
        overwrite: request.format != ExportFormat::Ndjson,
        ..request
    };
    folio
        .export(&request, &path)
        .await
        .map(Some)
        .map_err(ApiError::from)
}
