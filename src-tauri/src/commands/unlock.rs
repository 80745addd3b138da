//! Unlocking the member's records with their passphrase, where there is no keychain for the
//! database key.

use folio_core::api::ApiError;
use folio_core::Folio;
use folio_core::Sensitive;

/// Opens the records with `passphrase` (or, on first run without a keychain, locks them with
/// it). A wrong or too short passphrase is an error and is not kept.
#[tauri::command]
#[specta::specta]
pub async fn unlock(folio: tauri::State<'_, Folio>, passphrase: String) -> Result<(), ApiError> {
    folio
        .unlock(Sensitive::new(passphrase))
        .await
        .map_err(ApiError::from)
}
