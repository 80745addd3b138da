//! A disk that fills up under a store that stays open (the desktop app's case): the failed page
//! is told as "disk full", nothing saved before is lost, and once there is room again the same
//! store saves again, without a restart.
//!
//! The test runs itself again inside a new user and mount namespace (`unshare`), where it can
//! mount a small tmpfs as the full disk and grow it afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use folio_store::{index_page, DatabaseKey, PageResource, Store, StoreError};

const INSIDE: &str = "FOLIO_TEST_IN_NAMESPACE";

fn resource(i: usize) -> String {
    // Random-looking text does not compress and fills pages quickly.
    let filler: String = (0..6000)
        .map(|k| char::from(b'a' + ((i * 7919 + k * 104_729) % 26) as u8))
        .collect();
    format!(
        r#"{{"resourceType":"Observation","id":"o{i}","status":"final","note":[{{"text":"{filler}"}}]}}"#
    )
}

#[tokio::test]
#[ignore = "needs user namespaces (unshare --user --mount); scripts/test.sh runs it"]
async fn after_a_full_disk_the_open_store_saves_again_once_there_is_room() {
    if std::env::var_os(INSIDE).is_none() {
        let out = Command::new("unshare")
            .args(["--user", "--map-root-user", "--mount"])
            .arg(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "after_a_full_disk_the_open_store_saves_again_once_there_is_room",
                "--include-ignored",
                "--nocapture",
            ])
            .env(INSIDE, "1")
            .output()
            .expect("unshare (util-linux) runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{text}");
        assert!(text.contains("1 passed"), "the test ran inside: {text}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mount = |options: &str| {
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "folio-full"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "mount -o {options}");
    };
    mount("size=2m");
    let store = Store::open(&dir.path().join("folio.db"), &DatabaseKey::raw(&[9; 32]))
        .await
        .unwrap();
    store
        .upsert_plan(
            "p",
            "Plan",
            "http://127.0.0.1:1/fhir",
            "folio",
            "loopback",
            "catalog",
        )
        .await
        .unwrap();
    store
        .insert_connection("c1", "p", "connection/c1")
        .await
        .unwrap();
    store
        .begin_pass(
            "c1",
            "Observation",
            "pt",
            true,
            "2024-05-01T00:00:00Z",
            "http://x/Observation",
        )
        .await
        .unwrap();

    let mut saved = 0;
    let mut full = None;
    for page in 0..200 {
        let jsons: Vec<String> = (0..20).map(|i| resource(page * 20 + i)).collect();
        let resources: Vec<PageResource<'_>> = jsons
            .iter()
            .map(|j| PageResource {
                raw_json: j,
                full_url: None,
            })
            .collect();
        let next = format!("http://x/_page/{}", page + 2);
        match store
            .save_page(
                "c1",
                "Observation",
                "pt",
                &resources,
                index_page(&resources),
                "/p",
                Some(&next),
                1000,
            )
            .await
        {
            Ok(out) => saved += out.outcome.inserted,
            Err(e) => {
                full = Some(e);
                break;
            }
        }
    }
    let err = full.expect("a 2 MB disk fills up");
    assert!(
        matches!(err, StoreError::DiskFull(_)),
        "told as a full disk: {err:?}"
    );
    assert!(err.to_string().starts_with("the disk is full"), "{err}");
    assert!(saved > 0);
    assert_eq!(
        store.status().await.unwrap().resources,
        i64::from(saved),
        "nothing saved is lost"
    );
    assert!(store.integrity_ok().await.unwrap());

    // The member frees space; the same open store saves the next page.
    mount("remount,size=64m");
    for page in 500..503 {
        let jsons: Vec<String> = (0..20).map(|i| resource(page * 20 + i)).collect();
        let resources: Vec<PageResource<'_>> = jsons
            .iter()
            .map(|j| PageResource {
                raw_json: j,
                full_url: None,
            })
            .collect();
        let out = store
            .save_page(
                "c1",
                "Observation",
                "pt",
                &resources,
                index_page(&resources),
                "/p",
                None,
                1000,
            )
            .await
            .unwrap_or_else(|e| panic!("the store saves again once there is room: {e}"));
        saved += out.outcome.inserted;
    }
    assert_eq!(store.status().await.unwrap().resources, i64::from(saved));
    assert!(store.integrity_ok().await.unwrap());
}
