//! A plan row keeps how Folio authenticates to the plan (issue 15) and a fixed loopback port,
//! never the secret itself; the database refuses a method it does not know.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use folio_store::{DatabaseKey, PlanRow, Store};

fn plan(client_auth: &str, loopback_port: Option<i64>) -> PlanRow {
    PlanRow {
        id: "portal-plan".into(),
        name: "Portal Plan".into(),
        fhir_base: "https://plan.example/fhir".into(),
        client_id: "folio-registered-by-member".into(),
        redirect_style: "loopback".into(),
        origin: "member".into(),
        logo: None,
        notes: None,
        is_demo: false,
        client_auth: client_auth.into(),
        loopback_port,
    }
}

#[tokio::test]
async fn a_plan_keeps_its_client_authentication_and_loopback_port() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("folio.db"), &DatabaseKey::raw(&[7; 32]))
        .await
        .unwrap();
    for (method, port) in [
        ("client_secret_basic", Some(8765)),
        ("client_secret_post", None),
        ("private_key_jwt", Some(1)),
        ("none", None),
    ] {
        store.save_plan(&plan(method, port)).await.unwrap();
        let back = store.plan("portal-plan").await.unwrap().unwrap();
        assert_eq!(back, plan(method, port), "{method} round trips (an upsert)");
    }
    // A plan added before the migration (as `upsert_plan` still writes) is a public client.
    store
        .upsert_plan(
            "old",
            "Old",
            "https://old.example/fhir",
            "c",
            "loopback",
            "member",
        )
        .await
        .unwrap();
    let old = store.plan("old").await.unwrap().unwrap();
    assert_eq!(old.client_auth, "none");
    assert_eq!(old.loopback_port, None);
    // The CHECK constraints: no unknown method, no port outside 1..=65535.
    assert!(store
        .save_plan(&plan("client_secret_jwt", None))
        .await
        .is_err());
    assert!(store.save_plan(&plan("none", Some(70_000))).await.is_err());
    assert!(store.save_plan(&plan("none", Some(0))).await.is_err());
}
