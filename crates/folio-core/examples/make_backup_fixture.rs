//! Makes `tests/fixtures/backup/v1.folio-backup` and `v1-expected.json`: a profile holding the
//! sandbox's synthetic member (seed 3, about 40 records) synced from the demo plan, and one
//! public US Core example imported as a file source, backed up with a known passphrase.
//! `crates/folio-core/tests/backup.rs` restores the committed file in every later Folio.
//!
//! `cargo run -p folio-core --example make_backup_fixture -- tests/fixtures/backup`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "../tests/common/mod.rs"]
#[allow(unused_imports)]
mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use folio_core::api::TimelineQuery;
use folio_core::{DataDir, Folio, Sensitive, SyncOptions};

const PASSPHRASE: &str = "folio backup fixture v1";

#[tokio::main]
async fn main() {
    let out = PathBuf::from(std::env::args().nth(1).expect("the folder to write into"));
    let dir = tempfile::tempdir().unwrap();
    let folio = Arc::new(
        Folio::with_secrets(
            DataDir::at(dir.path()),
            Arc::new(folio_secrets::MemoryStore::default()),
        )
        .unwrap(),
    );
    let sandbox = folio_sandbox::Sandbox::start(common::demo_member(3, 40))
        .await
        .unwrap();
    folio.set_demo_plan_base(sandbox.fhir_base()).await.unwrap();
    let c = common::connect_plan(&folio, "demo", "demo", &[])
        .await
        .unwrap();
    folio
        .sync_connection(&c.id, SyncOptions::default())
        .await
        .unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    folio
        .import(&fixtures.join("us-core/condition-duodenal-ulcer.json"))
        .await
        .unwrap();
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
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    ids.sort();
    let file = out.join("v1.folio-backup");
    let made = folio
        .backup(&file, Sensitive::new(PASSPHRASE.into()), true)
        .await
        .unwrap();
    assert_eq!(
        made.records as usize,
        folio.status().await.unwrap().storage.resources as usize
    );
    let expected = serde_json::json!({
        "passphrase": PASSPHRASE,
        "total": made.records,
        "records": ids,
    });
    std::fs::write(
        out.join("v1-expected.json"),
        serde_json::to_string_pretty(&expected).unwrap() + "\n",
    )
    .unwrap();
    println!("{} records in {}", made.records, file.display());
}
