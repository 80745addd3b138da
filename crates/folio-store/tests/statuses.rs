//! Statuses and kinds are typed (sqlx types) but stored exactly as every earlier version spelled
//! them: a database written before they were typed reads back as the same values, and what the
//! store writes now is the spelling the migrations' CHECK constraints list and `as_str` gives.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::str::FromStr;

use folio_store::{
    ConnectionStatus, DatabaseKey, ImportedResource, RunStatus, SourceKind, Store, TypeSyncStatus,
};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, SqliteConnection};

const KEY: [u8; 32] = [0x37; 32];

/// The database opened without the store, as an earlier Folio's SQL (or a person) would.
async fn raw(path: &Path) -> SqliteConnection {
    folio_store::crypto_ready();
    let key: String = KEY.iter().map(|b| format!("{b:02x}")).collect();
    SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(path)
        .pragma("key", format!("\"x'{key}'\""))
        .pragma(
            "cipher_page_size",
            folio_store::CIPHER_PAGE_SIZE.to_string(),
        )
        .foreign_keys(true)
        .connect()
        .await
        .unwrap()
}

async fn text(conn: &mut SqliteConnection, sql: &str, id: &str) -> String {
    let (s,): (String,) = sqlx::query_as(sql)
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    s
}

#[tokio::test]
async fn rows_written_before_statuses_were_typed_read_back_as_the_same_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("folio.db");
    let key = DatabaseKey::raw(&KEY);
    Store::open(&path, &key).await.unwrap().close().await;

    // What earlier versions wrote: literal spellings in their SQL.
    let mut conn = raw(&path).await;
    sqlx::query(
        "INSERT INTO plans (id, name, fhir_base, client_id, redirect_style, origin, created_at)
         VALUES ('p', 'Plan', 'https://plan.example/fhir', 'folio', 'loopback', 'catalog', '2026-01-01T00:00:00Z')",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let old = [
        ("c-connecting", "connecting", "plan"),
        ("c-connected", "connected", "plan"),
        ("c-reconnect", "reconnect_needed", "plan"),
        ("c-disconnected", "disconnected", "plan"),
        ("c-file", "connected", "file"),
    ];
    for (id, status, kind) in old {
        sqlx::query(
            "INSERT INTO connections (id, plan_id, patient_id, status, keychain_account, created_at, updated_at, source_kind)
             VALUES (?1, 'p', ?1, ?2, ?1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?3)",
        )
        .bind(id)
        .bind(status)
        .bind(kind)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    for (ty, status) in [
        ("Patient", "pending"),
        ("Coverage", "running"),
        ("Condition", "done"),
        ("Observation", "failed"),
        ("Immunization", "not_shared"),
    ] {
        sqlx::query(
            "INSERT INTO sync_state (connection_id, resource_type, status, updated_at)
             VALUES ('c-connected', ?1, ?2, '2026-01-01T00:00:00Z')",
        )
        .bind(ty)
        .bind(status)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    drop(conn);

    let store = Store::open(&path, &key).await.unwrap();
    let read = |id: &str| {
        let store = &store;
        let id = id.to_owned();
        async move {
            let row = store.connection(&id).await.unwrap().unwrap();
            (row.status, row.source_kind)
        }
    };
    assert_eq!(
        read("c-connecting").await,
        (ConnectionStatus::Connecting, SourceKind::Plan)
    );
    assert_eq!(
        read("c-connected").await,
        (ConnectionStatus::Connected, SourceKind::Plan)
    );
    assert_eq!(
        read("c-reconnect").await,
        (ConnectionStatus::ReconnectNeeded, SourceKind::Plan)
    );
    assert_eq!(
        read("c-disconnected").await,
        (ConnectionStatus::Disconnected, SourceKind::Plan)
    );
    assert_eq!(
        read("c-file").await,
        (ConnectionStatus::Connected, SourceKind::File)
    );
    assert_eq!(store.connections().await.unwrap().len(), old.len());
    let states: Vec<(String, TypeSyncStatus)> = store
        .sync_states("c-connected")
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.resource_type, s.status))
        .collect();
    assert_eq!(
        states,
        [
            ("Condition".to_owned(), TypeSyncStatus::Done),
            ("Coverage".to_owned(), TypeSyncStatus::Running),
            ("Immunization".to_owned(), TypeSyncStatus::NotShared),
            ("Observation".to_owned(), TypeSyncStatus::Failed),
            ("Patient".to_owned(), TypeSyncStatus::Pending),
        ]
    );
    store.close().await;
}

#[tokio::test]
async fn the_store_writes_each_value_in_its_one_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("folio.db");
    let key = DatabaseKey::raw(&KEY);
    let store = Store::open(&path, &key).await.unwrap();
    store
        .upsert_plan(
            "p",
            "Plan",
            "https://plan.example/fhir",
            "folio",
            "loopback",
            "catalog",
        )
        .await
        .unwrap();
    // Every connection status, each on its own connection; the CHECK constraint of migration
    // 0001 would refuse any other spelling.
    for status in ConnectionStatus::ALL {
        let id = format!("c-{status}");
        store.insert_connection(&id, "p", &id).await.unwrap();
        store
            .set_connection_status(&id, status, None)
            .await
            .unwrap();
        assert_eq!(store.connection(&id).await.unwrap().unwrap().status, status);
    }
    store
        .import_file_source(
            "f-1",
            "File: a.json",
            None,
            &[vec![ImportedResource {
                raw_json: r#"{"resourceType":"Patient","id":"pt"}"#,
                full_url: None,
            }]],
        )
        .await
        .unwrap();
    for status in TypeSyncStatus::ALL {
        let ty = format!("Type{status}");
        store
            .set_type_status("c-connected", &ty, status, None)
            .await
            .unwrap();
        let state = store.sync_state("c-connected", &ty).await.unwrap().unwrap();
        assert_eq!(state.status, status);
    }
    let mut runs = Vec::new();
    for status in RunStatus::ALL {
        let run = store.start_run("c-connected").await.unwrap();
        store
            .finish_run(run, "c-connected", status, 0, None)
            .await
            .unwrap();
        runs.push((run, status));
    }
    store.close().await;

    let mut conn = raw(&path).await;
    for status in ConnectionStatus::ALL {
        let id = format!("c-{status}");
        let stored = text(
            &mut conn,
            "SELECT status FROM connections WHERE id = ?1",
            &id,
        )
        .await;
        assert_eq!(stored, status.as_str());
        let kind = text(
            &mut conn,
            "SELECT source_kind FROM connections WHERE id = ?1",
            &id,
        )
        .await;
        assert_eq!(kind, SourceKind::Plan.as_str());
    }
    assert_eq!(
        text(
            &mut conn,
            "SELECT status || ' ' || source_kind FROM connections WHERE id = ?1",
            "f-1"
        )
        .await,
        "connected file"
    );
    for status in TypeSyncStatus::ALL {
        let stored = text(
            &mut conn,
            "SELECT status FROM sync_state WHERE resource_type = ?1",
            &format!("Type{status}"),
        )
        .await;
        assert_eq!(stored, status.as_str());
    }
    for (run, status) in runs {
        let (stored,): (String,) = sqlx::query_as("SELECT status FROM sync_runs WHERE id = ?1")
            .bind(run)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(stored, status.as_str());
    }
    // The spellings themselves, as the migrations' CHECK constraints and earlier versions have
    // them (a renamed variant must not change what is on disk).
    let spelled = |all: &[&str]| all.join(" ");
    assert_eq!(
        spelled(&ConnectionStatus::ALL.map(ConnectionStatus::as_str)),
        "connecting connected reconnect_needed disconnected"
    );
    assert_eq!(
        spelled(&SourceKind::ALL.map(SourceKind::as_str)),
        "plan file"
    );
    assert_eq!(
        spelled(&TypeSyncStatus::ALL.map(TypeSyncStatus::as_str)),
        "pending running done failed not_shared"
    );
    assert_eq!(
        spelled(&RunStatus::ALL.map(RunStatus::as_str)),
        "running succeeded failed cancelled"
    );
}
