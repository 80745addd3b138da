//! A connection keeps how long its access lasts and whether Folio can renew it (migration
//! 0014), as the plan's last token answer said; a connection made before knows neither.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use folio_store::{AccessTerms, BoundEndpoints, ConnectedGrant, DatabaseKey, Store};

#[tokio::test]
async fn a_connection_keeps_how_long_its_access_lasts_and_whether_it_renews() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("folio.db"), &DatabaseKey::raw(&[7; 32]))
        .await
        .unwrap();
    store
        .upsert_plan(
            "p",
            "Plan",
            "https://plan.example/fhir",
            "c",
            "loopback",
            "member",
        )
        .await
        .unwrap();
    store
        .save_connected(&ConnectedGrant {
            id: "c1",
            plan_id: "p",
            patient_id: "pat",
            granted_scopes: "patient/*.rs",
            requested_scopes: "patient/*.rs offline_access",
            token_expires_at: None,
            keychain_account: "connection/c1",
            redirect_uri: "http://127.0.0.1/cb/p",
            endpoints: BoundEndpoints {
                fhir_base: "https://plan.example/fhir",
                authorization_endpoint: "https://plan.example/auth",
                token_endpoint: "https://plan.example/token",
                revocation_endpoint: None,
            },
        })
        .await
        .unwrap();
    assert_eq!(
        store.access_terms("c1").await.unwrap(),
        None,
        "not known until a token answer is recorded"
    );
    let short = AccessTerms {
        lifetime_secs: Some(600),
        renewable: false,
    };
    store.save_access_terms("c1", short).await.unwrap();
    assert_eq!(store.access_terms("c1").await.unwrap(), Some(short));
    // A plan that does not say how long access lasts, and renews it.
    let unsaid = AccessTerms {
        lifetime_secs: None,
        renewable: true,
    };
    store.save_access_terms("c1", unsaid).await.unwrap();
    assert_eq!(store.access_terms("c1").await.unwrap(), Some(unsaid));
    assert_eq!(store.access_terms("no-such").await.unwrap(), None);
}
