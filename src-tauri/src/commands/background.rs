//! Sync in the background: how often (folio-core keeps the setting and runs the schedule),
//! and whether Folio opens at login (the OS's login items, through tauri-plugin-autostart;
//! off until the member turns it on).

use folio_core::api::{ApiError, BackgroundSync, ErrorCode};
use folio_core::Folio;
use tauri_plugin_autostart::ManagerExt;

use crate::notices::Background;

/// How often connections sync in the background.
#[tauri::command]
#[specta::specta]
pub async fn background_sync(folio: tauri::State<'_, Folio>) -> Result<BackgroundSync, ApiError> {
    folio.background_sync().await.map_err(ApiError::from)
}

/// Remembers how often to sync in the background (`everyHours: null` turns it off), and has
/// the schedule look again now.
#[tauri::command]
#[specta::specta]
pub async fn set_background_sync(
    folio: tauri::State<'_, Folio>,
    background: tauri::State<'_, Background>,
    setting: BackgroundSync,
) -> Result<BackgroundSync, ApiError> {
    let now = folio
        .set_background_sync(setting)
        .await
        .map_err(ApiError::from)?;
    background.0.wake();
    Ok(now)
}

fn login_item_error(e: tauri_plugin_autostart::Error) -> ApiError {
    ApiError {
        code: ErrorCode::Internal,
        message: format!("the system's login items could not be read or changed: {e}"),
    }
}

/// Whether Folio opens when the member logs in.
#[tauri::command]
#[specta::specta]
pub async fn launch_at_login(app: tauri::AppHandle) -> Result<bool, ApiError> {
    app.autolaunch().is_enabled().map_err(login_item_error)
}

/// Opens Folio at login (minimized, so background sync runs) or stops doing so; returns what
/// is now in force.
#[tauri::command]
#[specta::specta]
pub async fn set_launch_at_login(app: tauri::AppHandle, enabled: bool) -> Result<bool, ApiError> {
    let manager = app.autolaunch();
    if enabled {
        manager.enable()
    } else {
        manager.disable()
    }
    .map_err(login_item_error)?;
    manager.is_enabled().map_err(login_item_error)
}
