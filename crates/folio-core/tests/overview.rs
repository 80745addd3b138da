//! The overview's "new since your last visit" against the sandbox: the records that arrived
//! since, by name and address, newest first; nothing on a first visit or once seen.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use folio_core::api::TimelineQuery;
use folio_core::{DataDir, Folio};
use folio_sandbox::SandboxConfig;

use common::*;

mod common;

fn member() -> SandboxConfig {
    demo_member(11, 400)
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn the_overview_lists_what_arrived_since_the_last_visit_with_addresses() {
    let e = env(member()).await;
    let first = e.folio.overview(false).await.unwrap();
    assert!(first.new_items.is_empty(), "a first visit lists nothing");
    let c = connect_and_sync(&e, "demo").await;

    // The next time Folio opens, everything downloaded is new: the newest of it is listed,
    // exactly the timeline's first items (one plan, so nothing is merged).
    let again = Folio::with_secrets(DataDir::at(e._dir.path()), e.secrets.clone()).unwrap();
    let o = again.overview(false).await.unwrap();
    assert_eq!(o.new_items.len(), 8, "at most eight, and there are more");
    let newest = again
        .timeline(&TimelineQuery {
            types: Vec::new(),
            connections: Vec::new(),
            text: None,
            include_sensitive: false,
            from: None,
            until: None,
            cursor: None,
            limit: 8,
        })
        .await
        .unwrap();
    assert_eq!(
        o.new_items, newest.items,
        "the newest by when they happened"
    );
    for item in &o.new_items {
        assert_eq!(item.connection_id, c.id);
        assert!(!item.sensitive);
        assert!(!item.title.is_empty());
        // Each one opens at its address.
        again
            .record(&item.connection_id, &item.resource_type, &item.resource_id)
            .await
            .unwrap();
    }

    // The visit after that has nothing new to list.
    let third = Folio::with_secrets(DataDir::at(e._dir.path()), e.secrets.clone()).unwrap();
    assert!(third.overview(false).await.unwrap().new_items.is_empty());
}
