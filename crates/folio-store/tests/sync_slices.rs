//! A sliced pass's bookkeeping on a real file (migration 0015): each slice's resume point is
//! saved with its page and only its own, a page for a slice never begun saves nothing, a full
//! pass marks what it missed only when it ends, and ending the pass ends its slices.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use folio_store::{index_page, PageResource, SliceStart};

use common::with_connection;

mod common;

fn obs(id: &str) -> String {
    format!(
        r#"{{"resourceType":"Observation","id":"{id}","code":{{"coding":[{{"system":"http://loinc.org","code":"2345-7"}}]}},"effectiveDateTime":"2024-01-01"}}"#
    )
}

fn slice(lower: Option<&str>, upper: Option<&str>, first: &str) -> SliceStart {
    SliceStart {
        lower: lower.map(str::to_owned),
        upper: upper.map(str::to_owned),
        first_url: first.to_owned(),
    }
}

#[tokio::test]
async fn each_slice_resumes_on_its_own_and_the_pass_ends_with_all_of_them() {
    let (_dir, store) = with_connection().await;
    // A record held from an earlier pass that this full pass will not return.
    let old = obs("gone");
    let old_page = [PageResource {
        raw_json: &old,
        full_url: None,
    }];
    store
        .begin_pass(
            "c1",
            "Observation",
            "p0",
            true,
            "2024-01-01T00:00:00Z",
            "http://x/1",
        )
        .await
        .unwrap();
    store
        .save_page(
            "c1",
            "Observation",
            "p0",
            &old_page,
            index_page(&old_page),
            "/1",
            None,
            10,
        )
        .await
        .unwrap();
    store.finish_pass("c1", "Observation").await.unwrap();

    let slices = [
        slice(None, Some("2020-01-01T00:00:00Z"), "http://x/a"),
        slice(Some("2020-01-01T00:00:00Z"), None, "http://x/b"),
    ];
    store
        .begin_sliced_pass(
            "c1",
            "Observation",
            "p1",
            true,
            "2024-05-01T00:00:00Z",
            &slices,
        )
        .await
        .unwrap();
    let state = store
        .sync_state("c1", "Observation")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (state.pass_id.as_deref(), state.next_url.as_deref()),
        (Some("p1"), None),
        "the pass has no resume point of its own"
    );

    let (a, b) = (obs("a"), obs("b"));
    let page_a = [PageResource {
        raw_json: &a,
        full_url: None,
    }];
    let saved = store
        .save_slice_page(
            "c1",
            "Observation",
            "p1",
            0,
            &page_a,
            index_page(&page_a),
            "/a",
            Some("http://x/a2"),
            10,
        )
        .await
        .unwrap();
    assert_eq!((saved.state.pages, saved.state.next_url), (1, None));
    let rows = store.pass_slices("c1", "Observation", "p1").await.unwrap();
    let next: Vec<Option<&str>> = rows.iter().map(|r| r.next_url.as_deref()).collect();
    assert_eq!(
        next,
        [Some("http://x/a2"), Some("http://x/b")],
        "only its own slice moved"
    );

    // A slice never begun: nothing of the page is saved.
    let page_b = [PageResource {
        raw_json: &b,
        full_url: None,
    }];
    assert!(store
        .save_slice_page(
            "c1",
            "Observation",
            "p1",
            7,
            &page_b,
            index_page(&page_b),
            "/b",
            None,
            10
        )
        .await
        .is_err());
    assert!(store
        .resource_json("c1", "Observation", "b")
        .await
        .unwrap()
        .is_none());

    for (n, url) in [(0, "/a2"), (1, "/b")] {
        let page = if n == 0 { &page_a } else { &page_b };
        store
            .save_slice_page(
                "c1",
                "Observation",
                "p1",
                n,
                page,
                index_page(page),
                url,
                None,
                10,
            )
            .await
            .unwrap();
    }
    let rows = store.pass_slices("c1", "Observation", "p1").await.unwrap();
    assert!(rows.iter().all(|r| r.next_url.is_none()));
    assert_eq!(rows.iter().map(|r| r.pages).collect::<Vec<_>>(), [2, 1]);

    let finished = store.finish_pass("c1", "Observation").await.unwrap();
    assert_eq!(finished.marked_missing, 1, "the record no slice returned");
    assert_eq!(
        finished.state.high_water.as_deref(),
        Some("2024-05-01T00:00:00Z")
    );
    assert!(store
        .pass_slices("c1", "Observation", "p1")
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn whether_ranges_work_is_remembered_per_plan_and_type() {
    let (_dir, store) = with_connection().await;
    assert_eq!(
        store
            .last_updated_ranges("demo", "Observation")
            .await
            .unwrap(),
        None
    );
    store
        .set_last_updated_ranges("demo", "Observation", false)
        .await
        .unwrap();
    let (works, checked) = store
        .last_updated_ranges("demo", "Observation")
        .await
        .unwrap()
        .unwrap();
    assert!(!works && checked.is_some());
    assert_eq!(
        store
            .last_updated_ranges("demo", "Encounter")
            .await
            .unwrap(),
        None
    );
}
