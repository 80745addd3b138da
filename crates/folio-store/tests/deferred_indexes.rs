//! Index maintenance set aside during a connection's first sync, and built again at its end
//! or, after a killed process, when the store opens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use folio_store::{index_page, DatabaseKey, PageResource, Store};

fn key() -> DatabaseKey {
    DatabaseKey::raw(&[0x3c; 32])
}

async fn open(dir: &tempfile::TempDir) -> Store {
    Store::open(&dir.path().join("folio.db"), &key())
        .await
        .unwrap()
}

async fn with_connection(dir: &tempfile::TempDir) -> Store {
    let store = open(dir).await;
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
        .insert_connection("c1", "demo", "connection/c1")
        .await
        .unwrap();
    store
}

fn obs(id: &str, display: &str) -> String {
    format!(
        r#"{{"resourceType":"Observation","id":"{id}","code":{{"coding":[{{"system":"http://loinc.org","code":"2345-7","display":"{display}"}}]}},"effectiveDateTime":"2024-01-02"}}"#
    )
}

/// One page of a pass of Observations, saved.
async fn save(store: &Store, pass: &str, ids: &[(&str, &str)], next: Option<&str>) {
    let raws: Vec<String> = ids.iter().map(|(id, d)| obs(id, d)).collect();
    let page: Vec<PageResource<'_>> = raws
        .iter()
        .map(|r| PageResource {
            raw_json: r,
            full_url: None,
        })
        .collect();
    store
        .save_page(
            "c1",
            "Observation",
            pass,
            &page,
            index_page(&page),
            "/Observation?patient=p",
            next,
            10,
        )
        .await
        .unwrap();
}

async fn begin(store: &Store, pass: &str) {
    store
        .begin_pass(
            "c1",
            "Observation",
            pass,
            true,
            "2024-05-01T00:00:00Z",
            "http://x/Observation?patient=p",
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_first_sync_sets_index_maintenance_aside_and_search_works_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = with_connection(&dir).await;
    assert!(store
        .defer_index_maintenance_for_first_sync("c1")
        .await
        .unwrap());
    // A second first sync at the same time finds it already set aside: not its to restore.
    assert!(!store
        .defer_index_maintenance_for_first_sync("c1")
        .await
        .unwrap());
    begin(&store, "p1").await;
    save(
        &store,
        "p1",
        &[("a", "Glucose"), ("b", "Glucose")],
        Some("http://x/2"),
    )
    .await;
    save(
        &store,
        "p1",
        &[("b", "Glucose"), ("c", "Cholesterol")],
        None,
    )
    .await;
    store.finish_pass("c1", "Observation").await.unwrap();
    store.restore_index_maintenance().await.unwrap();
    assert_eq!(
        store.search_text("glucose", 10).await.unwrap().len(),
        2,
        "every record written while set aside is searchable, once"
    );
    assert_eq!(store.search_text("cholesterol", 10).await.unwrap().len(), 1);
    assert!(store.integrity_ok().await.unwrap());
    // Restored: later writes are indexed as they happen again.
    begin(&store, "p2").await;
    save(&store, "p2", &[("d", "Hemoglobin")], None).await;
    assert_eq!(store.search_text("hemoglobin", 10).await.unwrap().len(), 1);
    // Not a first sync any more: nothing is set aside.
    assert!(!store
        .defer_index_maintenance_for_first_sync("c1")
        .await
        .unwrap());
}

#[tokio::test]
async fn a_process_killed_while_set_aside_gets_its_indexes_back_when_the_store_opens() {
    let dir = tempfile::tempdir().unwrap();
    let store = with_connection(&dir).await;
    assert!(store
        .defer_index_maintenance_for_first_sync("c1")
        .await
        .unwrap());
    begin(&store, "p1").await;
    save(&store, "p1", &[("a", "Glucose")], Some("http://x/2")).await;
    // Killed here: never restored by the sync.
    store.close().await;
    let store = open(&dir).await;
    assert_eq!(
        store.search_text("glucose", 10).await.unwrap().len(),
        1,
        "opening rebuilt the full-text index"
    );
    // The resumed pass (not a first sync any more) writes with its indexes kept current.
    assert!(!store
        .defer_index_maintenance_for_first_sync("c1")
        .await
        .unwrap());
    save(&store, "p1", &[("a", "Glucose"), ("b", "Glucose")], None).await;
    assert_eq!(store.search_text("glucose", 10).await.unwrap().len(), 2);
    assert!(store.integrity_ok().await.unwrap());
}
