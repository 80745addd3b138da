//! The status use case over a real database file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use folio_core::api::{DataDirOrigin, ErrorCode};
use folio_core::{DataDir, Folio};

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session (the database key); scripts/test.sh provides one"]
async fn status_opens_a_real_database_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let folio = Folio::new(DataDir::at(dir.path().join("profile"))).unwrap();
    let status = folio.status().await.unwrap();
    assert_eq!(status.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(status.data_dir_source, DataDirOrigin::Flag);
    assert!(dir.path().join("profile/folio.db").is_file());
    assert_eq!(
        status.storage.migrations_applied,
        status.storage.migrations_known
    );
    assert_eq!(status.storage.journal_mode, "wal");
    let json = serde_json::to_value(&status).unwrap();
    assert!(
        json["storage"]["schemaVersion"].is_number(),
        "camelCase on the wire: {json}"
    );
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session (the database key); scripts/test.sh provides one"]
async fn an_unusable_data_dir_is_an_error_with_a_code_and_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("occupied");
    std::fs::write(&blocker, b"a file where the data folder should be").unwrap();
    let folio = Folio::new(DataDir::at(blocker.join("profile"))).unwrap();
    let err = folio.status().await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::DataDirUnavailable);
    let api: folio_core::api::ApiError = err.into();
    let wire = serde_json::to_value(&api).unwrap();
    assert_eq!(wire["code"], "data_dir_unavailable");
    assert!(wire["message"].as_str().unwrap().contains("data folder"));
    // The member fixes it; the next call succeeds without restarting.
    std::fs::remove_file(&blocker).unwrap();
    assert!(folio.status().await.is_ok());
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session (the database key); scripts/test.sh provides one"]
async fn the_sensitive_records_choice_is_remembered_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let folio = Folio::new(DataDir::at(dir.path())).unwrap();
    assert!(
        !folio.preferences().await.unwrap().show_sensitive,
        "hidden until the member chooses"
    );
    assert!(folio.set_show_sensitive(true).await.unwrap().show_sensitive);
    drop(folio);
    let again = Folio::new(DataDir::at(dir.path())).unwrap();
    assert!(
        again.preferences().await.unwrap().show_sensitive,
        "remembered"
    );
    assert!(
        !again
            .set_show_sensitive(false)
            .await
            .unwrap()
            .show_sensitive
    );
}
