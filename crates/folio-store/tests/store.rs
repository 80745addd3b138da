//! The store on a real SQLite file on disk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use folio_store::{NewResource, Store, StoreError, UpsertOutcome};

async fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("profile").join("folio.db"))
        .await
        .unwrap();
    (dir, store)
}

#[tokio::test]
async fn opening_creates_the_file_and_applies_every_migration() {
    let (dir, store) = fresh().await;
    let status = store.status().await.unwrap();
    assert!(
        dir.path().join("profile/folio.db").is_file(),
        "the database is a real file"
    );
    assert_eq!(status.migrations_applied, status.migrations_known);
    assert!(status.migrations_known >= 1);
    assert_eq!(status.schema_version, 2);
    assert_eq!(status.journal_mode, "wal");
    assert_eq!(
        (
            status.plans,
            status.connections,
            status.resources,
            status.sync_runs
        ),
        (0, 0, 0, 0)
    );
    assert!(status.size_bytes > 0);
    assert!(store.integrity_ok().await.unwrap());
}

#[tokio::test]
async fn reopening_keeps_data_and_applies_nothing_twice() {
    let (dir, store) = fresh().await;
    store
        .upsert_plan(
            "demo",
            "Demo",
            "http://127.0.0.1:1/fhir",
            "folio",
            "loopback",
            "catalog",
        )
        .await
        .unwrap();
    store.close().await;
    let again = Store::open(&dir.path().join("profile/folio.db"))
        .await
        .unwrap();
    let status = again.status().await.unwrap();
    assert_eq!(status.plans, 1);
    assert_eq!(status.migrations_applied, status.migrations_known);
}

#[tokio::test]
async fn resources_are_kept_verbatim_and_upserts_are_idempotent() {
    let (_dir, store) = fresh().await;
    store
        .upsert_plan(
            "demo",
            "Demo",
            "http://127.0.0.1:1/fhir",
            "folio",
            "loopback",
            "catalog",
        )
        .await
        .unwrap();
    store
        .insert_connection("c1", "demo", "folio:c1")
        .await
        .unwrap();
    // Odd spacing and non-ASCII text must survive byte for byte.
    let v1 = r#"{"resourceType":"Patient", "id":"p1","name":[{"given":["Adán"],"family":"Portillo"}],
        "meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]}}"#;
    let new = |raw| NewResource {
        connection_id: "c1",
        raw_json: raw,
        source_request: Some("/Patient/p1"),
    };
    assert_eq!(
        store.upsert_resource(&new(v1)).await.unwrap(),
        UpsertOutcome::Inserted
    );
    assert_eq!(
        store.upsert_resource(&new(v1)).await.unwrap(),
        UpsertOutcome::Unchanged
    );
    assert_eq!(
        store
            .resource_json("c1", "Patient", "p1")
            .await
            .unwrap()
            .as_deref(),
        Some(v1)
    );
    let v2 = r#"{"resourceType":"Patient","id":"p1","active":true}"#;
    assert_eq!(
        store.upsert_resource(&new(v2)).await.unwrap(),
        UpsertOutcome::Updated
    );
    assert_eq!(
        store
            .resource_json("c1", "Patient", "p1")
            .await
            .unwrap()
            .as_deref(),
        Some(v2)
    );
    assert_eq!(
        store.status().await.unwrap().resources,
        1,
        "an update never doubles a record"
    );
}

#[tokio::test]
async fn bad_input_is_refused_and_loses_nothing() {
    let (_dir, store) = fresh().await;
    let orphan = NewResource {
        connection_id: "nobody",
        raw_json: r#"{"resourceType":"Patient","id":"x"}"#,
        source_request: None,
    };
    assert!(
        matches!(
            store.upsert_resource(&orphan).await,
            Err(StoreError::Query(_))
        ),
        "foreign keys are enforced"
    );
    let broken = NewResource {
        connection_id: "nobody",
        raw_json: "{not json",
        source_request: None,
    };
    assert!(matches!(
        store.upsert_resource(&broken).await,
        Err(StoreError::InvalidResource(_))
    ));
    assert_eq!(store.status().await.unwrap().resources, 0);
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("folio.db");
    let junk = "this is not an SQLite database, it is the member's own file ".repeat(100);
    std::fs::write(&path, &junk).unwrap();
    let err = Store::open(&path).await.unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "got {err:?}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        junk,
        "the file is left as it was"
    );
}
