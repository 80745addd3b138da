//! Everything Folio logs at `trace`, for every target (sqlx's statements and slow-statement
//! warnings, and `log` records, included), captured while a member connects, syncs, exports,
//! unlocks with a passphrase and has an earlier plain database encrypted, then searched for the
//! database key, the passphrase, both tokens and the member's name and identifiers.
//!
//! Secrets live in memory here (no keychain needed), so this runs everywhere. The subscriber is
//! this test binary's global one: sqlx logs from its own worker threads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};

use folio_core::api::{ErrorCode, ExportFormat, ExportRequest};
use folio_core::{DataDir, Folio, Sensitive, SyncOptions};
use folio_sandbox::{MemberSource, Sandbox, SandboxConfig};
use folio_secrets::{MemoryStore, SecretError, SecretStore};
use sqlx::{ConnectOptions, Connection};

mod common;

/// The member, with a name and birth date found nowhere else in Folio's own text.
const LOGIN: &str = "demo";
const GIVEN: &str = "Zephyrine";
const FAMILY: &str = "Quillfeather";
const SEED: u64 = 1414;
const SIZE: usize = 120;
const PASSPHRASE: &str = "velvet otter under the lighthouse";
const WRONG_PASSPHRASE: &str = "velvet otter under a lighthouse";

/// Every event of every target, at every level, formatted as the CLI's logs are.
fn captured() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        // `try_init` also routes `log` records (keyring, for one) into the subscriber.
        tracing_subscriber::fmt()
            .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
            .with_ansi(false)
            .with_writer(move || Capture(sink.clone()))
            .try_init()
            .unwrap();
        logs
    })
    .clone()
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A computer whose keychain refuses the database key but keeps tokens (in memory), so the
/// passphrase path runs a whole connect and sync.
#[derive(Default)]
struct NoKeychainForTheKey(MemoryStore);

impl SecretStore for NoKeychainForTheKey {
    fn put(&self, account: &str, secret: &Sensitive<String>) -> Result<(), SecretError> {
        if account.starts_with("database-key/") {
            return Err(SecretError::Unavailable("no Secret Service".into()));
        }
        self.0.put(account, secret)
    }
    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>, SecretError> {
        self.0.get(account)
    }
    fn delete(&self, account: &str) -> Result<bool, SecretError> {
        self.0.delete(account)
    }
}

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        members: vec![MemberSource::Generated {
            login: LOGIN.into(),
            name: (GIVEN.into(), FAMILY.into()),
            seed: SEED,
            size: SIZE,
        }],
        ..Default::default()
    })
    .await
    .unwrap()
}

/// The member's name, birth date and every identifier, as the plan serves them.
fn member_facts() -> Vec<String> {
    let generated = folio_sandbox::generator::generate_member(LOGIN, (GIVEN, FAMILY), SEED, SIZE);
    let patient = &generated.resources[0];
    assert_eq!(patient["resourceType"], "Patient");
    let mut facts = vec![
        GIVEN.to_owned(),
        FAMILY.to_owned(),
        patient["birthDate"].as_str().unwrap().to_owned(),
    ];
    for ident in patient["identifier"].as_array().unwrap() {
        facts.push(ident["value"].as_str().unwrap().to_owned());
    }
    assert!(facts.len() > 3, "the member has identifiers: {facts:?}");
    facts
}

/// Both tokens of the connection, as the secret store holds them now.
fn tokens(secrets: &dyn SecretStore, connection: &str) -> Vec<String> {
    let entry = secrets
        .get(&format!("connection/{connection}"))
        .unwrap()
        .expect("the connection's tokens");
    let json: serde_json::Value = serde_json::from_str(entry.expose()).unwrap();
    let found: Vec<String> = ["access_token", "refresh_token"]
        .iter()
        .map(|k| json[k].as_str().expect(k).to_owned())
        .collect();
    found
}

/// Connects the member, syncs, and exports in every format; returns the tokens seen.
async fn connect_sync_export(folio: &Arc<Folio>, secrets: &dyn SecretStore) -> Vec<String> {
    let c = common::connect_plan(folio, "demo", LOGIN, &[])
        .await
        .unwrap();
    let mut seen = tokens(secrets, &c.id);
    folio
        .sync_connection(&c.id, SyncOptions::default())
        .await
        .unwrap();
    seen.extend(tokens(secrets, &c.id));
    let out = tempfile::tempdir().unwrap();
    for (format, name) in [
        (ExportFormat::Bundle, "history.json"),
        (ExportFormat::Ndjson, "history"),
        (ExportFormat::Ips, "summary.json"),
        (ExportFormat::Pdf, "summary.pdf"),
    ] {
        let summary = folio
            .export(
                &ExportRequest {
                    format,
                    connections: vec![],
                    types: vec![],
                    from: None,
                    until: None,
                    include_sensitive: true,
                    overwrite: false,
                },
                &out.path().join(name),
            )
            .await
            .unwrap();
        assert!(summary.resources > 0, "{format:?} exported records");
    }
    seen
}

/// The hex key the profile's `encryption.json` names, from `secrets`.
fn database_key(profile: &Path, secrets: &dyn SecretStore) -> String {
    match common::on_disk::DbKey::from_keychain(profile, secrets) {
        common::on_disk::DbKey::Hex(hex) => hex,
        common::on_disk::DbKey::Passphrase(_) => unreachable!(),
    }
}

/// Makes the profile look like one an earlier, unencrypting Folio left: a plain `folio.db`,
/// no `encryption.json`, no key in the keychain.
async fn make_plain(profile: &Path, hex: &str, secrets: &dyn SecretStore) {
    let db = profile.join("folio.db");
    let plain = profile.join("plain.db");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(&db)
        // An attached database is opened with the main one's flags: plain.db must be creatable.
        .create_if_missing(true)
        .pragma("key", format!("\"x'{hex}'\""))
        .pragma(
            "cipher_page_size",
            folio_store::CIPHER_PAGE_SIZE.to_string(),
        )
        // The test's own connection must not put the key into the logs under test.
        .disable_statement_logging()
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
    std::fs::rename(&plain, &db).unwrap();
    let account = serde_json::from_slice::<serde_json::Value>(
        &std::fs::read(profile.join("encryption.json")).unwrap(),
    )
    .unwrap()["account"]
        .as_str()
        .unwrap()
        .to_owned();
    std::fs::remove_file(profile.join("encryption.json")).unwrap();
    secrets.delete(&account).unwrap();
}

/// Fails naming what leaked (by kind, not by value) and the first log line holding it.
fn assert_absent(logs: &str, what: &str, secret: &str) {
    assert!(secret.len() >= 8, "{what} is long enough to search for");
    if let Some(line) = logs.lines().find(|l| l.contains(secret)) {
        let target = line
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        panic!("{what} reached the logs, in a line starting {target:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_logs_of_every_target_hold_no_key_passphrase_token_or_member_fact() {
    let logs = captured();
    let plan = sandbox().await;
    let mut keys: Vec<String> = Vec::new();
    let mut tokens_seen: Vec<String> = Vec::new();

    // Keychain mode: a random key; connect, sync, export, then a restart that reads the key.
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("keychain");
    let secrets = Arc::new(MemoryStore::default());
    let folio = Arc::new(Folio::with_secrets(DataDir::at(&profile), secrets.clone()).unwrap());
    folio.set_demo_plan_base(plan.fhir_base()).await.unwrap();
    tokens_seen.extend(connect_sync_export(&folio, secrets.as_ref()).await);
    keys.push(database_key(&profile, secrets.as_ref()));
    folio.close().await;
    let again = Folio::with_secrets(DataDir::at(&profile), secrets.clone()).unwrap();
    assert!(again.status().await.unwrap().storage.resources > 0);
    again.close().await;

    // An earlier Folio's plain database, encrypted in place under a new key.
    make_plain(&profile, &keys[0], secrets.as_ref()).await;
    let upgraded = Folio::with_secrets(DataDir::at(&profile), secrets.clone()).unwrap();
    assert!(upgraded.status().await.unwrap().storage.resources > 0);
    keys.push(database_key(&profile, secrets.as_ref()));
    assert_ne!(keys[0], keys[1]);
    upgraded.close().await;

    // Passphrase mode: chosen, used for a connect, sync and export; then a restart, a wrong
    // passphrase and the right one.
    let profile = dir.path().join("passphrase");
    let secrets = Arc::new(NoKeychainForTheKey::default());
    let folio = Arc::new(Folio::with_secrets(DataDir::at(&profile), secrets.clone()).unwrap());
    assert_eq!(
        folio.status().await.unwrap_err().code(),
        ErrorCode::PassphraseToChoose
    );
    folio
        .unlock(Sensitive::new(PASSPHRASE.into()))
        .await
        .unwrap();
    folio.set_demo_plan_base(plan.fhir_base()).await.unwrap();
    tokens_seen.extend(connect_sync_export(&folio, secrets.as_ref()).await);
    folio.close().await;
    let again = Folio::with_secrets(DataDir::at(&profile), secrets.clone()).unwrap();
    assert_eq!(
        again
            .unlock(Sensitive::new(WRONG_PASSPHRASE.into()))
            .await
            .unwrap_err()
            .code(),
        ErrorCode::WrongPassphrase
    );
    again
        .unlock(Sensitive::new(PASSPHRASE.into()))
        .await
        .unwrap();
    assert!(again.status().await.unwrap().storage.resources > 0);
    again.close().await;

    // The capture sees sqlx's statements when a connection logs them (a connection without a
    // key, with sqlx's default logging), so a silent log proves nothing was dropped.
    let mut probe = sqlx::sqlite::SqliteConnectOptions::from_str("sqlite::memory:")
        .unwrap()
        .connect()
        .await
        .unwrap();
    sqlx::query("SELECT 'statement-logging-probe'")
        .execute(&mut probe)
        .await
        .unwrap();
    probe.close().await.unwrap();

    let logs = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(
        logs.lines()
            .any(|l| l.contains("sqlx::query") && l.contains("statement-logging-probe")),
        "sqlx's statement logging reaches the capture"
    );
    for kind in [" TRACE ", " DEBUG ", " folio_core::", " folio_store::"] {
        assert!(
            logs.lines().any(|l| l.contains(kind)),
            "{kind:?} events were captured"
        );
    }

    for key in &keys {
        assert_absent(&logs, "the database key", key);
        assert_absent(&logs, "the database key", &key.to_uppercase());
    }
    assert_absent(&logs, "the passphrase", PASSPHRASE);
    assert_absent(&logs, "a wrong passphrase", WRONG_PASSPHRASE);
    assert_eq!(tokens_seen.len(), 8);
    for token in &tokens_seen {
        assert_absent(&logs, "a token", token);
    }
    for fact in member_facts() {
        assert_absent(
            &logs,
            "the member's name, birth date or an identifier",
            &fact,
        );
    }
}
