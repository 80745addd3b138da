//! Encryption at rest, end to end through folio-core: the key made on first run and kept in the
//! real keychain, a plain database from an earlier Folio encrypted on first open, the
//! passphrase path where there is no keychain, and "Remove all my data" deleting the key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use folio_core::api::{ErrorCode, KeyHome};
use folio_core::{CoreError, DataDir, Folio, Sensitive, SyncOptions};
use folio_secrets::{SecretError, SecretStore};
use sqlx::{ConnectOptions, Connection};

/// Files in `dir` whose bytes hold `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let bytes = std::fs::read(p).unwrap();
            bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        })
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn key_account(dir: &Path) -> String {
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("encryption.json")).unwrap())
            .unwrap();
    assert_eq!(record["format"], "folio-encryption/1");
    assert_eq!(record["key"], "keychain");
    record["account"].as_str().unwrap().to_owned()
}

async fn synced(e: &common::Env) -> u32 {
    let c = common::connect(e, "demo", &[]).await.unwrap();
    e.folio
        .sync_connection(&c.id, SyncOptions::default())
        .await
        .unwrap();
    e.folio.status().await.unwrap().storage.resources
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn the_key_lives_in_the_keychain_and_the_files_show_nothing() {
    let e = common::env(common::small_members()).await;
    let records = synced(&e).await;
    assert!(records > 50, "{records}");
    let dir = e.folio.data_dir().path().to_owned();
    let status = e.folio.status().await.unwrap();
    assert_eq!(status.storage.key_home, KeyHome::Keychain);
    let account = key_account(&dir);
    let key = e.secrets.get(&account).unwrap().unwrap();
    assert_eq!(key.expose().len(), 64, "a 256-bit key, hex");
    assert!(!std::fs::read_to_string(dir.join("encryption.json"))
        .unwrap()
        .contains(key.expose().as_str()));
    // The member's name, the claims' words and the JSON itself are nowhere in the files, while
    // the database is open (pages in the log) and after it is closed.
    for needle in [
        "Rivera",
        "ExplanationOfBenefit",
        "resourceType",
        key.expose().as_str(),
    ] {
        assert_eq!(
            files_holding(&dir, needle),
            Vec::<String>::new(),
            "{needle}"
        );
    }
    e.folio.close().await;
    for needle in ["Rivera", "ExplanationOfBenefit", "resourceType"] {
        assert_eq!(
            files_holding(&dir, needle),
            Vec::<String>::new(),
            "{needle}"
        );
    }
    // Another Folio on the same profile (the app restarted) opens it with the same key.
    let again = Folio::with_secrets(DataDir::at(&dir), e.secrets.clone()).unwrap();
    assert_eq!(again.status().await.unwrap().storage.resources, records);

    // Remove all my data: the database files and the key are gone, not just emptied.
    again.remove_all_data().await.unwrap();
    assert_eq!(
        e.secrets.get(&account).unwrap(),
        None,
        "key deleted from the keychain"
    );
    assert!(!dir.join("encryption.json").exists());
    assert!(!dir.join("folio.db").exists());
    assert!(
        !names_in(&dir).iter().any(|n| n.starts_with("folio.db")),
        "{:?}",
        names_in(&dir)
    );
    // Folio goes on with a new, empty database under a new key.
    assert_eq!(again.status().await.unwrap().storage.resources, 0);
    let new_account = key_account(&dir);
    assert_ne!(new_account, account);
    again.remove_all_data().await.unwrap();
    assert_eq!(e.secrets.get(&new_account).unwrap(), None);
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn an_earlier_plain_database_is_encrypted_on_first_open() {
    let e = common::env(common::small_members()).await;
    let records = synced(&e).await;
    let dir = e.folio.data_dir().path().to_owned();
    let account = key_account(&dir);
    let hex = e.secrets.get(&account).unwrap().unwrap();
    e.folio.close().await;

    // Make the profile look like one an earlier, unencrypting Folio left: a plain folio.db,
    // no encryption.json, no key in the keychain.
    let plain = dir.join("plain.db");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(dir.join("folio.db"))
        .create_if_missing(true)
        .pragma("key", format!("\"x'{}'\"", hex.expose()))
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
    std::fs::rename(&plain, dir.join("folio.db")).unwrap();
    std::fs::remove_file(dir.join("encryption.json")).unwrap();
    e.secrets.delete(&account).unwrap();
    assert_eq!(
        files_holding(&dir, "Rivera"),
        vec!["folio.db".to_owned()],
        "the earlier Folio's file shows the member's name (so this test can fail)"
    );

    let upgraded = Folio::with_secrets(DataDir::at(&dir), e.secrets.clone()).unwrap();
    let status = upgraded.status().await.unwrap();
    assert_eq!(status.storage.resources, records, "not a record lost");
    assert_eq!(status.storage.key_home, KeyHome::Keychain);
    assert_eq!(files_holding(&dir, "Rivera"), Vec::<String>::new());
    assert!(upgraded.integrity_ok().await.unwrap());
    let names = names_in(&dir);
    assert!(!names.iter().any(|n| n.contains("encrypting")), "{names:?}");
    upgraded.remove_all_data().await.unwrap();
}

/// A computer without a keychain: every call says so.
struct NoKeychain;

impl SecretStore for NoKeychain {
    fn put(&self, _: &str, _: &Sensitive<String>) -> Result<(), SecretError> {
        Err(SecretError::Unavailable(
            "no Secret Service on the session bus".into(),
        ))
    }
    fn get(&self, _: &str) -> Result<Option<Sensitive<String>>, SecretError> {
        Err(SecretError::Unavailable(
            "no Secret Service on the session bus".into(),
        ))
    }
    fn delete(&self, _: &str) -> Result<bool, SecretError> {
        Err(SecretError::Unavailable(
            "no Secret Service on the session bus".into(),
        ))
    }
}

fn code(result: Result<impl std::fmt::Debug, CoreError>) -> ErrorCode {
    result.unwrap_err().code()
}

#[tokio::test]
async fn without_a_keychain_a_passphrase_locks_the_records() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let folio = Folio::with_secrets(DataDir::at(&profile), Arc::new(NoKeychain)).unwrap();
    let err = folio.status().await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::PassphraseToChoose);
    assert!(
        err.to_string().contains("no Secret Service"),
        "says why: {err}"
    );
    assert!(
        !profile.join("folio.db").exists(),
        "nothing is written before a key exists"
    );
    assert_eq!(
        code(folio.unlock(Sensitive::new("too short".into())).await),
        ErrorCode::PassphraseTooShort
    );
    folio
        .unlock(Sensitive::new("a passphrase only I know".into()))
        .await
        .unwrap();
    assert_eq!(
        folio.status().await.unwrap().storage.key_home,
        KeyHome::Passphrase
    );
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../tests/fixtures/synthea-r4/Adan_Portillo_22bbe238-220e-495c-8abc-0ce3aa28a605.json",
    );
    let imported = folio.import(&fixture).await.unwrap();
    assert!(imported.resources > 100, "{imported:?}");
    folio.close().await;
    assert_eq!(files_holding(&profile, "Portillo"), Vec::<String>::new());

    // Next start: locked until the passphrase is entered; a wrong one changes nothing.
    let next = Folio::with_secrets(DataDir::at(&profile), Arc::new(NoKeychain)).unwrap();
    assert_eq!(code(next.status().await), ErrorCode::PassphraseNeeded);
    assert_eq!(
        code(
            next.unlock(Sensitive::new("a passphrase only I knew".into()))
                .await
        ),
        ErrorCode::WrongPassphrase
    );
    assert_eq!(
        code(next.status().await),
        ErrorCode::PassphraseNeeded,
        "a wrong one is not kept"
    );
    next.unlock(Sensitive::new("a passphrase only I know".into()))
        .await
        .unwrap();
    let status = next.status().await.unwrap();
    assert_eq!(status.storage.resources, imported.resources);
}

#[tokio::test]
async fn a_lost_key_is_told_and_the_member_can_start_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let secrets = Arc::new(folio_secrets::MemoryStore::default());
    let folio = Folio::with_secrets(DataDir::at(&profile), secrets.clone()).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../tests/fixtures/synthea-r4/Adan_Portillo_22bbe238-220e-495c-8abc-0ce3aa28a605.json",
    );
    folio.import(&fixture).await.unwrap();
    folio.close().await;
    let account = key_account(&profile);
    secrets.delete(&account).unwrap();

    let next = Folio::with_secrets(DataDir::at(&profile), secrets.clone()).unwrap();
    let err = next.status().await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::DatabaseKeyMissing);
    assert!(
        err.to_string().contains("missing from the system keychain"),
        "{err}"
    );
    assert!(
        profile.join("folio.db").exists(),
        "nothing is deleted without the member"
    );
    next.remove_all_data().await.unwrap();
    assert_eq!(
        next.status().await.unwrap().storage.resources,
        0,
        "a fresh start"
    );
}
