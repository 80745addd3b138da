//! Connecting plans: begin (opens the system browser), finish (waits for the member), cancel,
//! list, disconnect.

use std::time::Duration;

use folio_core::api::{ApiError, ConnectionSummary, DisconnectResult, SignInStarted};
use folio_core::Folio;
use tauri_plugin_opener::OpenerExt;

use crate::demo::DemoPlan;

/// How long Folio waits for the member to finish signing in at the plan.
const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(600);

/// Starts a sign-in and opens the plan's page in the member's system browser.
#[tauri::command]
#[specta::specta]
pub async fn begin_connect(
    app: tauri::AppHandle,
    folio: tauri::State<'_, Folio>,
    demo: tauri::State<'_, DemoPlan>,
    plan_id: String,
) -> Result<SignInStarted, ApiError> {
    demo.ensure_running_for(&folio, &plan_id).await?;
    let started = folio
        .begin_sign_in(&plan_id)
        .await
        .map_err(ApiError::from)?;
    // The UI shows the link too, in case no browser could be opened. `$BROWSER` first, else
    // Tauri's opener plugin (from Rust: the window is granted none of its permissions). The
    // opener may wait briefly for its launcher, so it runs off the async workers.
    let url = started.authorize_url.clone();
    let opened = tauri::async_runtime::spawn_blocking(move || {
        folio_core::browser::open(&url, |url| app.opener().open_url(url, None::<&str>))
    })
    .await;
    match opened {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "could not open the system browser"),
        Err(e) => tracing::warn!(error = %e, "opening the system browser stopped"),
    }
    Ok(started)
}

/// Waits for the member to finish at the plan, then stores the connection.
#[tauri::command]
#[specta::specta]
pub async fn finish_connect(
    folio: tauri::State<'_, Folio>,
    plan_id: String,
) -> Result<ConnectionSummary, ApiError> {
    folio
        .finish_sign_in(&plan_id, SIGN_IN_TIMEOUT)
        .await
        .map_err(ApiError::from)
}

/// Cancels a sign-in in progress.
#[tauri::command]
#[specta::specta]
pub async fn cancel_connect(
    folio: tauri::State<'_, Folio>,
    plan_id: String,
) -> Result<bool, ApiError> {
    Ok(folio.cancel_sign_in(&plan_id))
}

/// Every connection.
#[tauri::command]
#[specta::specta]
pub async fn list_connections(
    folio: tauri::State<'_, Folio>,
) -> Result<Vec<ConnectionSummary>, ApiError> {
    folio.connections().await.map_err(ApiError::from)
}

/// Disconnects (revoking at the plan when offered); optionally deletes the cached records.
#[tauri::command]
#[specta::specta]
pub async fn disconnect(
    folio: tauri::State<'_, Folio>,
    connection_id: String,
    delete_data: bool,
) -> Result<DisconnectResult, ApiError> {
    let outcome = folio
        .disconnect(&connection_id, delete_data)
        .await
        .map_err(ApiError::from)?;
    Ok(DisconnectResult {
        revoked_at_plan: outcome.revoked_at_plan,
        data_deleted: outcome.data_deleted,
    })
}
