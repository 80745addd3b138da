//! Shared by the store's integration tests: a database on a real file, holding the demo plan
//! and, for most tests, one connection to it.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::path::Path;

use folio_store::{DatabaseKey, Store};

/// The key the test databases here are opened with, unless a test needs another.
pub fn key() -> DatabaseKey {
    DatabaseKey::raw(&[0x5a; 32])
}

/// The database at `dir/folio.db`, opened (or created) with [`key`].
pub async fn open(dir: &Path) -> Store {
    Store::open(&dir.join("folio.db"), &key()).await.unwrap()
}

/// Adds the demo plan (a loopback catalog plan at an address nothing listens on).
pub async fn add_demo_plan(store: &Store) {
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
}

/// Adds the demo plan and connection `c1` to it, its secrets under `account`.
pub async fn add_demo_connection(store: &Store, account: &str) {
    add_demo_plan(store).await;
    store
        .insert_connection("c1", "demo", account)
        .await
        .unwrap();
}

/// A new database in a new folder, holding the demo plan and connection `c1`.
pub async fn with_connection() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    add_demo_connection(&store, "connection/c1").await;
    (dir, store)
}
