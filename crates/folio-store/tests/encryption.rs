//! The database on disk is encrypted (SQLCipher): no record can be read from the files without
//! the key, a wrong key is told apart, and a plain database from an earlier Folio is encrypted
//! in place without losing a row.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::str::FromStr;

use folio_store::{DatabaseFile, DatabaseKey, NewResource, Store, StoreError};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

mod common;

const MARKER: &str = "Quillfeather-Zyxwv";

fn key() -> DatabaseKey {
    DatabaseKey::raw(&[0x42; 32])
}

/// A store holding one plan, one connection and a patient named [`MARKER`].
async fn with_a_patient(path: &Path, key: &DatabaseKey) -> Store {
    let store = Store::open(path, key).await.unwrap();
    common::add_demo_connection(&store, "folio:c1").await;
    let json = format!(
        r#"{{"resourceType":"Patient","id":"p1","name":[{{"family":"{MARKER}","given":["Ada"]}}],"identifier":[{{"value":"MBR-000-{MARKER}"}}]}}"#
    );
    store
        .upsert_resource(&NewResource {
            connection_id: "c1",
            raw_json: &json,
            source_request: None,
        })
        .await
        .unwrap();
    store
}

/// Every file in `dir` (the database, its log, its shared memory, leftovers) that holds `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(path.file_name().unwrap().to_string_lossy().into_owned());
            }
        }
    }
    found
}

/// Writes a plain copy of an encrypted database, as a Folio before encryption left it.
async fn plain_copy(encrypted: &Path, key: &DatabaseKey, plain: &Path) {
    folio_store::crypto_ready();
    let raw_key = "x'".to_owned() + &"42".repeat(32) + "'";
    assert_eq!(format!("{key:?}"), "DatabaseKey(<redacted>)");
    let mut conn = SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(encrypted)
        .create_if_missing(true)
        .pragma("key", format!("\"{raw_key}\""))
        .pragma(
            "cipher_page_size",
            folio_store::CIPHER_PAGE_SIZE.to_string(),
        )
        .connect()
        .await
        .unwrap();
    sqlx::query("ATTACH DATABASE ?1 AS plain KEY ''")
        .bind(plain.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("SELECT sqlcipher_export('plain')")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("DETACH DATABASE plain")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

#[tokio::test]
async fn no_record_can_be_read_from_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("folio.db");
    let store = with_a_patient(&path, &key()).await;
    // While open, the newest pages are in the write-ahead log: it is encrypted too.
    assert_eq!(files_holding(dir.path(), MARKER), Vec::<String>::new());
    assert_eq!(
        files_holding(dir.path(), "resourceType"),
        Vec::<String>::new()
    );
    assert_eq!(
        files_holding(dir.path(), "SQLite format 3"),
        Vec::<String>::new()
    );
    store.close().await;
    assert_eq!(DatabaseFile::at(&path).unwrap(), DatabaseFile::Encrypted);
    assert_eq!(files_holding(dir.path(), MARKER), Vec::<String>::new());

    let again = Store::open(&path, &key()).await.unwrap();
    let json = again.resource_json("c1", "Patient", "p1").await.unwrap();
    assert!(json.unwrap().contains(MARKER), "the key reads it back");
    assert!(again.integrity_ok().await.unwrap());
}

/// What this process still has open or mapped in `dir`: file descriptors (`/proc/self/fd`)
/// and memory mappings (`/proc/self/maps`; SQLite maps the -shm file). Without either, nothing
/// in the process can write a file there.
#[cfg(target_os = "linux")]
fn held_open_in(dir: &Path) -> Vec<String> {
    let dir = dir.canonicalize().unwrap();
    let mut held = Vec::new();
    for fd in std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(Result::ok)
    {
        // An fd closed between the listing and the read is not held.
        if let Ok(target) = std::fs::read_link(fd.path()) {
            if target.starts_with(&dir) {
                held.push(format!("fd {}", target.display()));
            }
        }
    }
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    for line in maps.lines() {
        if let Some((_, file)) = line.split_once(" /") {
            if Path::new(&format!("/{file}")).starts_with(&dir) {
                held.push(format!("mapped /{file}"));
            }
        }
    }
    held
}

/// `close` returns once every connection is closed: no file of the database is open or mapped
/// any more, so nothing can write it afterwards, and the log has been checkpointed into the
/// database file and deleted. (With sqlx's pool close alone, 10 runs of this test out of 10
/// failed: a connection being handed back stayed open and rewrote the file later from its own
/// thread, or two closed at once and left the log behind.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_store_closes_every_connection_before_it_returns() {
    for round in 0..40 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("folio.db");
        let store = with_a_patient(&path, &key()).await;
        #[cfg(target_os = "linux")]
        assert_ne!(held_open_in(dir.path()), Vec::<String>::new(), "open");
        store.close().await;
        let closed = std::fs::read(&path).unwrap();
        #[cfg(target_os = "linux")]
        assert_eq!(
            held_open_in(dir.path()),
            Vec::<String>::new(),
            "round {round}: every connection is closed, nothing can write the files"
        );
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "folio.db")
            .collect();
        assert_eq!(left, Vec::<String>::new(), "round {round}: the log is gone");
        assert!(
            std::fs::read(&path).unwrap() == closed,
            "round {round}: nothing wrote the file after close"
        );
    }
}

#[tokio::test]
async fn a_wrong_key_or_passphrase_is_told_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("folio.db");
    let phrase = DatabaseKey::passphrase("correct horse 'battery' staple");
    with_a_patient(&path, &phrase).await.close().await;
    let before = std::fs::read(&path).unwrap();

    for wrong in [
        DatabaseKey::passphrase("correct horse battery staple"),
        DatabaseKey::raw(&[0x42; 32]),
    ] {
        let err = Store::open(&path, &wrong).await.unwrap_err();
        assert!(matches!(err, StoreError::WrongKey { .. }), "got {err:?}");
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file is untouched"
    );
    let store = Store::open(&path, &phrase).await.unwrap();
    assert_eq!(store.status().await.unwrap().resources, 1);
}

#[tokio::test]
async fn a_plain_database_is_encrypted_in_place_without_losing_a_row() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.db");
    let store = with_a_patient(&source, &key()).await;
    let status = store.status().await.unwrap();
    store.close().await;
    let profile = dir.path().join("profile");
    std::fs::create_dir(&profile).unwrap();
    let path = profile.join("folio.db");
    plain_copy(&source, &key(), &path).await;
    assert_eq!(DatabaseFile::at(&path).unwrap(), DatabaseFile::Plain);
    assert_eq!(
        files_holding(&profile, MARKER),
        vec!["folio.db".to_owned()],
        "the plain file shows the patient (so this test can fail)"
    );
    // A plain file is never opened as if it were encrypted.
    let err = Store::open(&path, &key()).await.unwrap_err();
    assert!(
        matches!(err, StoreError::NotEncrypted { .. }),
        "got {err:?}"
    );

    // Leftovers of an encryption that was killed half-way are cleared and the job is redone.
    std::fs::write(profile.join("folio.db.encrypting"), b"half-written").unwrap();
    std::fs::write(profile.join("folio.db.encrypting-wal"), b"junk").unwrap();

    let new_key = DatabaseKey::raw(&[0x17; 32]);
    let done = Store::encrypt_in_place(&path, &new_key).await.unwrap();
    assert!(done.tables >= 8, "{done:?}");
    assert!(done.rows >= 3, "{done:?}");
    assert_eq!(DatabaseFile::at(&path).unwrap(), DatabaseFile::Encrypted);
    assert_eq!(files_holding(&profile, MARKER), Vec::<String>::new());
    let mut left: Vec<String> = std::fs::read_dir(&profile)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        vec!["folio.db".to_owned()],
        "no staging file or plain log is left"
    );

    let store = Store::open(&path, &new_key).await.unwrap();
    let after = store.status().await.unwrap();
    assert_eq!(
        (
            after.plans,
            after.connections,
            after.resources,
            after.migrations_applied
        ),
        (
            status.plans,
            status.connections,
            status.resources,
            status.migrations_applied
        )
    );
    let json = store.resource_json("c1", "Patient", "p1").await.unwrap();
    assert!(json.unwrap().contains(MARKER));
    assert!(store.integrity_ok().await.unwrap());
    // Full-text search moved too.
    assert!(
        Store::open(&path, &key()).await.is_err(),
        "the old key does not open it"
    );
}
