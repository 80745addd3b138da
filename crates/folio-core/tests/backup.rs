//! Backup and restore (issue 19) on real encrypted files and the real keychain: a profile
//! synced from the sandbox is backed up, restored into a new profile (records at once, the
//! plan waiting for the member, no token), connected again, and its next sync asks only for
//! what changed; a wrong passphrase, a changed byte, a file cut short and a restore over data
//! without confirmation change nothing and say so; a backup committed from an earlier build
//! restores.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::{connect_plan, demo_member, env, Env};
use folio_core::api::{ConnectionStatus, SourceKind, TimelineQuery};
use folio_core::{CoreError, DataDir, Folio, Sensitive, SyncOptions};
use folio_secrets::{KeychainStore, SecretStore};

const PASSPHRASE: &str = "a long backup passphrase";

fn pass(p: &str) -> Sensitive<String> {
    Sensitive::new(p.into())
}

/// Another profile on this computer (its own folder and keychain service), at the same plan.
struct Profile {
    _dir: tempfile::TempDir,
    folio: Arc<Folio>,
    secrets: Arc<KeychainStore>,
}

async fn new_profile(e: &Env) -> Profile {
    let dir = tempfile::tempdir().unwrap();
    let service = format!(
        "health.folio.test.{}",
        dir.path().file_name().unwrap().to_string_lossy()
    );
    let secrets = Arc::new(KeychainStore::new(service));
    let folio = Arc::new(Folio::with_secrets(DataDir::at(dir.path()), secrets.clone()).unwrap());
    folio
        .set_demo_plan_base(e.sandbox.fhir_base())
        .await
        .unwrap();
    Profile {
        _dir: dir,
        folio,
        secrets,
    }
}

/// The searches a sync asked, sorted (a page's opaque cursor left out).
fn asked(served: &[String]) -> Vec<String> {
    let mut v: Vec<String> = served
        .iter()
        .filter(|r| !r.contains("/_page/"))
        .cloned()
        .collect();
    v.sort();
    v
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel)
}

/// How many records the profile holds, and every one the timeline shows.
async fn held(folio: &Folio) -> (u32, Vec<String>) {
    (
        folio.status().await.unwrap().storage.resources,
        record_ids(folio).await,
    )
}

/// Every record the timeline shows, as `Type/id` (sensitive ones too).
async fn record_ids(folio: &Folio) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor = None;
    loop {
        let page = folio
            .timeline(&TimelineQuery {
                include_sensitive: true,
                cursor: cursor.clone(),
                limit: 500,
                ..Default::default()
            })
            .await
            .unwrap();
        ids.extend(
            page.items
                .iter()
                .map(|i| format!("{}/{}", i.resource_type, i.resource_id)),
        );
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    ids.sort();
    ids
}

async fn synced_profile() -> (Env, String) {
    let e = env(demo_member(7, 150)).await;
    let c = common::connect(&e, "demo", &[]).await.unwrap();
    e.folio
        .sync_connection(&c.id, SyncOptions::default())
        .await
        .unwrap();
    e.folio
        .import(&fixture("us-core/condition-duodenal-ulcer.json"))
        .await
        .unwrap();
    (e, c.id)
}

#[tokio::test]
async fn a_restored_profile_has_every_record_waits_for_the_member_and_syncs_only_changes() {
    let (a, connection) = synced_profile().await;
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("folio.backup");
    let made = a
        .folio
        .backup(&file, pass(PASSPHRASE), false)
        .await
        .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the backup is the member's alone");
    }
    // Nothing readable in it: no record text, no token.
    let bytes = std::fs::read(&file).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("resourceType") && !text.contains("Rivera"));
    let token = a.folio.access_token(&connection).await.unwrap();
    assert!(!text.contains(token.expose().as_str()));

    let b = new_profile(&a).await;
    let restored = b
        .folio
        .restore(&file, pass(PASSPHRASE), false)
        .await
        .unwrap();
    assert_eq!(restored.records, made.records);
    assert_eq!(record_ids(&b.folio).await, record_ids(&a.folio).await);
    let a_status = a.folio.status().await.unwrap().storage;
    let b_status = b.folio.status().await.unwrap().storage;
    assert_eq!(
        (b_status.resources, b_status.connections, b_status.sync_runs),
        (a_status.resources, a_status.connections, a_status.sync_runs)
    );
    let sources = b.folio.connections().await.unwrap();
    let plan = sources.iter().find(|c| c.id == connection).unwrap();
    assert_eq!(plan.status, ConnectionStatus::ReconnectAfterRestore);
    let file_source = sources.iter().find(|c| c.kind == SourceKind::File).unwrap();
    assert_eq!(file_source.status, ConnectionStatus::Connected);
    // Tokens never travel: the new profile's keychain holds none for the connection.
    assert!(b
        .secrets
        .get(&format!("connection/{connection}"))
        .unwrap()
        .is_none());
    assert!(matches!(
        b.folio
            .sync_connection(&connection, SyncOptions::default())
            .await,
        Err(CoreError::ReconnectNeeded)
    ));

    // Signing in again continues the same connection, and its next sync asks for changes only.
    let again = connect_plan(&b.folio, "demo", "demo", &[]).await.unwrap();
    assert_eq!(again.id, connection);
    assert_eq!(again.status, ConnectionStatus::Connected);
    let first_sync = a.sandbox.served_requests().len();
    let before = a.sandbox.served_requests().len();
    let report = b
        .folio
        .sync_connection(&connection, SyncOptions::default())
        .await
        .unwrap();
    let restored_sync = asked(&a.sandbox.served_requests()[before..]);
    let fetched: u32 = report
        .types
        .iter()
        .filter(|t| t.resource_type != "Patient")
        .map(|t| t.fetched)
        .sum();
    assert_eq!(fetched, 0, "nothing changed at the plan: {report:?}");
    assert!(
        restored_sync.iter().any(|r| r.contains("_lastUpdated=gt")),
        "incremental searches: {restored_sync:?}"
    );
    // Exactly what the original profile asks on its own next sync, from the same bookkeeping.
    let before = a.sandbox.served_requests().len();
    a.folio
        .sync_connection(&connection, SyncOptions::default())
        .await
        .unwrap();
    let original_sync = asked(&a.sandbox.served_requests()[before..]);
    assert_eq!(restored_sync, original_sync);
    assert!(
        restored_sync.len() < first_sync,
        "fewer requests than a first download"
    );
    assert_eq!(record_ids(&b.folio).await, record_ids(&a.folio).await);
}

#[tokio::test]
async fn a_wrong_passphrase_a_changed_byte_or_a_cut_file_changes_nothing() {
    let (a, _) = synced_profile().await;
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("folio.backup");
    a.folio
        .backup(&file, pass(PASSPHRASE), false)
        .await
        .unwrap();
    let good = std::fs::read(&file).unwrap();
    assert!(good.len() > 3 * 65_536, "several chunks: {}", good.len());

    // A profile with records of its own.
    let b = new_profile(&a).await;
    b.folio
        .import(&fixture("us-core/condition-duodenal-ulcer.json"))
        .await
        .unwrap();
    let own = held(&b.folio).await;
    assert_eq!(own.0, 1);

    // Without the member's confirmation a restore does not replace them.
    assert!(matches!(
        b.folio.restore(&file, pass(PASSPHRASE), false).await,
        Err(CoreError::RestoreWouldReplace)
    ));
    assert!(matches!(
        b.folio
            .restore(&file, pass("not the passphrase"), true)
            .await,
        Err(CoreError::BackupWrongPassphrase)
    ));
    assert_eq!(held(&b.folio).await, own);

    let damaged = |name: &str, bytes: Vec<u8>| {
        let p = out.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let mut early = good.clone();
    early[good.len() / 3] ^= 0x01;
    let mut late = good.clone();
    // In the last chunk: everything before it was already written into the restore.
    late[good.len() - 20] ^= 0x80;
    let cut = good[..good.len() * 2 / 3].to_vec();
    let at_a_chunk = good[..good.len() - 100].to_vec();
    for (name, bytes) in [
        ("early", early),
        ("late", late),
        ("cut", cut),
        ("short", at_a_chunk),
    ] {
        let p = damaged(name, bytes);
        let result = b.folio.restore(&p, pass(PASSPHRASE), true).await;
        assert!(
            matches!(result, Err(CoreError::BackupDamaged)),
            "{name}: {result:?}"
        );
        assert_eq!(held(&b.folio).await, own, "{name}: nothing changed");
        let sources = b.folio.connections().await.unwrap();
        assert_eq!(sources.len(), 1, "{name}");
    }
    let not_a_backup = damaged("bundle.json", b"{\"resourceType\":\"Bundle\"}".to_vec());
    assert!(matches!(
        b.folio.restore(&not_a_backup, pass(PASSPHRASE), true).await,
        Err(CoreError::NotABackup)
    ));

    // Confirmed, with the right passphrase, the backup replaces them.
    b.folio
        .restore(&file, pass(PASSPHRASE), true)
        .await
        .unwrap();
    assert_eq!(record_ids(&b.folio).await, record_ids(&a.folio).await);

    // A backup's passphrase is chosen like the database's: 12 characters at least; and an
    // existing file is replaced only when asked.
    assert!(matches!(
        a.folio
            .backup(&out.path().join("x"), pass("short"), false)
            .await,
        Err(CoreError::PassphraseTooShort)
    ));
    assert!(matches!(
        a.folio.backup(&file, pass(PASSPHRASE), false).await,
        Err(CoreError::ExportTargetExists(_))
    ));
}

/// The backup in tests/fixtures/backup was made by the first Folio that made backups (see the
/// README there); every later Folio must restore it.
#[tokio::test]
async fn a_backup_made_by_an_earlier_folio_restores() {
    let dir = fixture("backup");
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("v1-expected.json")).unwrap())
            .unwrap();
    let e = env(demo_member(3, 40)).await;
    let restored = e
        .folio
        .restore(
            &dir.join("v1.folio-backup"),
            pass(expected["passphrase"].as_str().unwrap()),
            false,
        )
        .await
        .unwrap();
    let ids: Vec<String> = expected["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        u64::from(restored.records),
        expected["total"].as_u64().unwrap()
    );
    assert_eq!(record_ids(&e.folio).await, ids);
    let sources = e.folio.connections().await.unwrap();
    let kinds: Vec<(SourceKind, ConnectionStatus)> =
        sources.iter().map(|c| (c.kind, c.status)).collect();
    assert!(kinds.contains(&(SourceKind::Plan, ConnectionStatus::ReconnectAfterRestore)));
    assert!(kinds.contains(&(SourceKind::File, ConnectionStatus::Connected)));
}
