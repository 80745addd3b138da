//! The store on a real SQLite file on disk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use folio_store::{NewResource, Store, StoreError, UpsertOutcome};

use common::{add_demo_connection, add_demo_plan, key};

mod common;

async fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("profile").join("folio.db"), &key())
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
    assert_eq!(
        status.schema_version as usize, status.migrations_known,
        "migrations are numbered 1..N and all applied"
    );
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
    add_demo_plan(&store).await;
    store.close().await;
    let again = Store::open(&dir.path().join("profile/folio.db"), &key())
        .await
        .unwrap();
    let status = again.status().await.unwrap();
    assert_eq!(status.plans, 1);
    assert_eq!(status.migrations_applied, status.migrations_known);
}

#[tokio::test]
async fn resources_are_kept_verbatim_and_upserts_are_idempotent() {
    let (_dir, store) = fresh().await;
    add_demo_connection(&store, "folio:c1").await;
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
    let err = Store::open(&path, &key()).await.unwrap_err();
    assert!(matches!(err, StoreError::WrongKey { .. }), "got {err:?}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        junk,
        "the file is left as it was"
    );
}

mod sync {
    use folio_store::{index_page, PageResource, TypeSyncStatus};

    use crate::common::with_connection;

    fn obs(id: &str, value: u32) -> String {
        format!(
            r#"{{"resourceType":"Observation","id":"{id}","code":{{"coding":[{{"system":"http://loinc.org","code":"2345-7","display":"Glucose"}}]}},"effectiveDateTime":"2024-01-0{value}","valueQuantity":{{"value":{value},"code":"mg/dL"}}}}"#
        )
    }

    #[tokio::test]
    async fn pages_resume_and_a_full_pass_marks_what_the_plan_dropped() {
        let (_dir, store) = with_connection().await;
        let (a, b, c) = (obs("a", 1), obs("b", 2), obs("c", 3));
        store
            .begin_pass(
                "c1",
                "Observation",
                "p1",
                true,
                "2024-05-01T00:00:00Z",
                "http://x/Observation?patient=p",
            )
            .await
            .unwrap();
        let page = [
            PageResource {
                raw_json: &a,
                full_url: None,
            },
            PageResource {
                raw_json: &b,
                full_url: None,
            },
        ];
        let saved = store
            .save_page(
                "c1",
                "Observation",
                "p1",
                &page,
                index_page(&page),
                "/Observation?patient=p",
                Some("http://x/_page/2"),
                100,
            )
            .await
            .unwrap();
        let out = saved.outcome;
        assert_eq!((out.inserted, out.updated, out.unchanged), (2, 0, 0));
        // The save returns the pass as it now stands: where to resume, the running totals.
        assert_eq!(
            (
                saved.state.status,
                saved.state.next_url.as_deref(),
                saved.state.pages,
                saved.state.resources,
                saved.state.bytes
            ),
            (TypeSyncStatus::Running, Some("http://x/_page/2"), 1, 2, 100)
        );
        // A crash here: the stored state (the same) says where to resume.
        let state = store.sync_states("c1").await.unwrap().remove(0);
        assert_eq!(state, saved.state);
        let page2 = [
            PageResource {
                raw_json: &c,
                full_url: None,
            },
            PageResource {
                raw_json: "{broken",
                full_url: None,
            },
        ];
        let saved = store
            .save_page(
                "c1",
                "Observation",
                "p1",
                &page2,
                index_page(&page2),
                "/_page/2",
                None,
                50,
            )
            .await
            .unwrap();
        assert_eq!(
            (saved.outcome.inserted, saved.outcome.rejected),
            (1, 1),
            "a broken entry loses nothing else"
        );
        assert_eq!(
            (saved.state.next_url, saved.state.pages, saved.state.bytes),
            (None, 2, 150)
        );
        let finished = store.finish_pass("c1", "Observation").await.unwrap();
        assert_eq!(finished.marked_missing, 0);
        let state = store.sync_states("c1").await.unwrap().remove(0);
        assert_eq!(state, finished.state, "what the end of the pass wrote");
        assert_eq!(
            (state.status, state.high_water.as_deref()),
            (TypeSyncStatus::Done, Some("2024-05-01T00:00:00Z"))
        );
        assert!(state.next_url.is_none() && state.last_full_pass.is_some());

        // The next full pass returns a (unchanged) and c (changed) only: b is marked, not deleted.
        store
            .begin_pass(
                "c1",
                "Observation",
                "p2",
                true,
                "2024-06-01T00:00:00Z",
                "http://x/Observation?patient=p",
            )
            .await
            .unwrap();
        let c2 = obs("c", 4);
        let page3 = [
            PageResource {
                raw_json: &a,
                full_url: None,
            },
            PageResource {
                raw_json: &c2,
                full_url: None,
            },
        ];
        let out = store
            .save_page(
                "c1",
                "Observation",
                "p2",
                &page3,
                index_page(&page3),
                "/x",
                None,
                10,
            )
            .await
            .unwrap()
            .outcome;
        assert_eq!((out.inserted, out.updated, out.unchanged), (0, 1, 1));
        assert_eq!(
            store
                .finish_pass("c1", "Observation")
                .await
                .unwrap()
                .marked_missing,
            1,
            "b is marked missing"
        );
        let counts = store.type_counts().await.unwrap();
        assert_eq!(
            (counts[0].resources, counts[0].missing),
            (3, 1),
            "kept, and marked"
        );
        assert!(store.integrity_ok().await.unwrap());
        // An incremental pass marks nothing.
        store
            .begin_pass(
                "c1",
                "Observation",
                "p3",
                false,
                "2024-07-01T00:00:00Z",
                "http://x/o",
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .finish_pass("c1", "Observation")
                .await
                .unwrap()
                .marked_missing,
            0
        );
    }

    #[tokio::test]
    async fn text_search_finds_display_words_and_codes() {
        let (_dir, store) = with_connection().await;
        let a = obs("a", 1);
        store
            .begin_pass(
                "c1",
                "Observation",
                "p1",
                true,
                "2024-05-01T00:00:00Z",
                "http://x/o",
            )
            .await
            .unwrap();
        let page = [PageResource {
            raw_json: &a,
            full_url: None,
        }];
        store
            .save_page(
                "c1",
                "Observation",
                "p1",
                &page,
                index_page(&page),
                "/o",
                None,
                1,
            )
            .await
            .unwrap();
        assert_eq!(
            store.search_text("gluc", 10).await.unwrap().len(),
            1,
            "prefix of the display"
        );
        assert_eq!(
            store.search_text("2345", 10).await.unwrap().len(),
            1,
            "a code"
        );
        assert!(store
            .search_text("cholesterol", 10)
            .await
            .unwrap()
            .is_empty());
        assert!(
            store
                .search_text("zzz\" OR \"glucose", 10)
                .await
                .unwrap()
                .is_empty(),
            "the member's text is never query syntax"
        );
    }
}

#[tokio::test]
async fn export_pages_walk_everything_in_order_and_filter_sensitive_types_and_dates() {
    let (_dir, store) = fresh().await;
    add_demo_connection(&store, "folio:c1").await;
    let label = r#""meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"PSY"}]}"#;
    let docs = [
        r#"{"resourceType":"Patient","id":"p"}"#.to_owned(),
        r#"{"resourceType":"Encounter","id":"old","period":{"start":"2019-05-01"}}"#.to_owned(),
        r#"{"resourceType":"Encounter","id":"new","period":{"start":"2025-02-01T10:00:00Z"}}"#
            .to_owned(),
        format!(r#"{{"resourceType":"Condition","id":"s",{label},"recordedDate":"2025-03-01"}}"#),
    ];
    for raw in &docs {
        store
            .upsert_resource(&NewResource {
                connection_id: "c1",
                raw_json: raw,
                source_request: None,
            })
            .await
            .unwrap();
    }
    let ids = |rows: Vec<folio_store::ExportRow>| -> Vec<String> {
        rows.into_iter()
            .map(|r| format!("{}/{}", r.resource_type, r.resource_id))
            .collect()
    };
    let all = folio_store::ExportFilter {
        include_sensitive: true,
        ..Default::default()
    };
    // Two rows a page: the keyset walk sees each row once, in order.
    let first = store.export_page(&all, 0, 2).await.unwrap();
    let after = first.last().unwrap().rowid;
    let second = store.export_page(&all, after, 2).await.unwrap();
    assert!(store
        .export_page(&all, second.last().unwrap().rowid, 2)
        .await
        .unwrap()
        .is_empty());
    let mut walked = ids(first);
    walked.extend(ids(second));
    assert_eq!(
        walked,
        ["Patient/p", "Encounter/old", "Encounter/new", "Condition/s"]
    );
    assert_eq!(
        first_row_plan(&store).await,
        ("Demo".to_owned(), "http://127.0.0.1:1/fhir".to_owned())
    );

    let plain = folio_store::ExportFilter::default();
    assert_eq!(
        ids(store.export_page(&plain, 0, 10).await.unwrap()),
        ["Patient/p", "Encounter/old", "Encounter/new"]
    );
    let recent = folio_store::ExportFilter {
        from: Some("2025-01-01"),
        include_sensitive: true,
        ..Default::default()
    };
    assert_eq!(
        ids(store.export_page(&recent, 0, 10).await.unwrap()),
        ["Patient/p", "Encounter/new", "Condition/s"]
    );
    let types = ["Encounter".to_owned()];
    let context = folio_store::ExportFilter {
        from: Some("2025-01-01"),
        any_date_types: &types,
        ..Default::default()
    };
    assert_eq!(
        ids(store.export_page(&context, 0, 10).await.unwrap()),
        ["Patient/p", "Encounter/old", "Encounter/new"],
        "context types whatever their dates"
    );
    let before = folio_store::ExportFilter {
        types: &types,
        until: Some("2025-01-01"),
        ..Default::default()
    };
    assert_eq!(
        ids(store.export_page(&before, 0, 10).await.unwrap()),
        ["Encounter/old"]
    );
}

async fn first_row_plan(store: &folio_store::Store) -> (String, String) {
    let row = store
        .export_page(&folio_store::ExportFilter::default(), 0, 1)
        .await
        .unwrap()
        .remove(0);
    (row.plan_name, row.fhir_base)
}
