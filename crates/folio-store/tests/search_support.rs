//! What a plan's searches take, kept per plan and type (migration 0009), and which referenced
//! records a connection already holds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use folio_store::{index_page, PageResource, SearchSupport};

use common::{open, with_connection};

mod common;

fn form(ty: &str) -> SearchSupport {
    SearchSupport {
        resource_type: ty.into(),
        includes: Some("ExplanationOfBenefit:provider ExplanationOfBenefit:insurer".into()),
        revinclude: false,
        last_updated: Some(false),
        us_core_filters: false,
        count: true,
        id_search: None,
        probed_at: None,
        dropped: Some("_revinclude".into()),
        refused: Some("_include=*".into()),
        page_size: Some(50),
    }
}

#[tokio::test]
async fn a_plans_search_form_is_kept_replaced_and_keeps_what_id_searches_learned() {
    let (dir, store) = with_connection().await;
    assert!(store
        .search_support("demo", "ExplanationOfBenefit")
        .await
        .unwrap()
        .is_none());
    store
        .save_search_form("demo", &form("ExplanationOfBenefit"))
        .await
        .unwrap();
    store
        .set_id_search("demo", "Organization", false)
        .await
        .unwrap();
    store
        .set_id_search("demo", "ExplanationOfBenefit", true)
        .await
        .unwrap();
    let got = store
        .search_support("demo", "ExplanationOfBenefit")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.includes, form("").includes);
    assert!(!got.revinclude && got.count && !got.us_core_filters);
    assert_eq!(got.last_updated, Some(false));
    assert_eq!(got.id_search, Some(true), "set_id_search leaves the form");
    assert!(got.probed_at.is_some(), "saving a form stamps the probe");
    assert_eq!(
        (
            got.dropped.as_deref(),
            got.refused.as_deref(),
            got.page_size
        ),
        (Some("_revinclude"), Some("_include=*"), Some(50)),
        "what the plan dropped, refused and the page size it gives are kept"
    );
    let org = store
        .search_support("demo", "Organization")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(org.id_search, Some(false));
    assert!(org.probed_at.is_none() && org.includes.is_none());

    // A new probe replaces the form and keeps id_search.
    let mut again = form("ExplanationOfBenefit");
    again.includes = Some(String::new());
    again.last_updated = None;
    store.save_search_form("demo", &again).await.unwrap();
    let got = store
        .search_support("demo", "ExplanationOfBenefit")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.includes.as_deref(), Some(""));
    assert_eq!(got.last_updated, None);
    assert_eq!(got.id_search, Some(true));
    assert_eq!(store.search_supports("demo").await.unwrap().len(), 2);
    assert!(store.search_supports("other").await.unwrap().is_empty());

    // It survives reopening.
    store.close().await;
    let store = open(dir.path()).await;
    assert_eq!(store.search_supports("demo").await.unwrap().len(), 2);
}

#[tokio::test]
async fn held_keys_names_only_what_the_connection_holds() {
    let (_dir, store) = with_connection().await;
    let org = r#"{"resourceType":"Organization","id":"o1","name":"Clinic"}"#;
    let pract = r#"{"resourceType":"Practitioner","id":"d1"}"#;
    store
        .begin_pass(
            "c1",
            "ExplanationOfBenefit",
            "p1",
            true,
            "2024-01-01T00:00:00Z",
            "x",
        )
        .await
        .unwrap();
    let page = [
        PageResource {
            raw_json: org,
            full_url: None,
        },
        PageResource {
            raw_json: pract,
            full_url: None,
        },
    ];
    store
        .save_page(
            "c1",
            "ExplanationOfBenefit",
            "p1",
            &page,
            index_page(&page),
            "/ExplanationOfBenefit",
            None,
            10,
        )
        .await
        .unwrap();
    let ask = |t: &str, id: &str| (t.to_owned(), id.to_owned());
    let held = store
        .held_keys(
            "c1",
            &[
                ask("Organization", "o1"),
                ask("Organization", "o2"),
                ask("Practitioner", "d1"),
                ask("Location", "o1"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(held.len(), 2);
    assert!(held.contains(&ask("Organization", "o1")) && held.contains(&ask("Practitioner", "d1")));
    assert!(store
        .held_keys("other", &[ask("Organization", "o1")])
        .await
        .unwrap()
        .is_empty());
    assert!(store.held_keys("c1", &[]).await.unwrap().is_empty());
}
