//! What a plan's searches take as a whole (migration 0013): the `patient` form that finds the
//! member, whether `Provenance?target=` is declared and works, and the declared operations.
//! Each setter keeps what the others stored.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use folio_store::PlanSearchSupport;

mod common;

#[tokio::test]
async fn each_fact_about_a_plans_searches_is_kept_beside_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::open(dir.path()).await;
    common::add_demo_plan(&store).await;
    assert_eq!(store.plan_search_support("demo").await.unwrap(), None);

    store.set_patient_reference("demo", true).await.unwrap();
    store
        .set_plan_capabilities("demo", true, &["Patient/$everything".to_owned()])
        .await
        .unwrap();
    store.set_provenance_target("demo", false).await.unwrap();
    let got = store.plan_search_support("demo").await.unwrap().unwrap();
    assert_eq!(
        got,
        PlanSearchSupport {
            patient_reference: Some(true),
            provenance_target_declared: Some(true),
            provenance_target: Some(false),
            provenance_target_at: got.provenance_target_at.clone(),
            operations: Some("Patient/$everything".into()),
            capabilities_at: got.capabilities_at.clone(),
        }
    );
    assert!(got.provenance_target_at.is_some() && got.capabilities_at.is_some());

    // Read again after reopening: stored, not cached.
    store.close().await;
    let store = common::open(dir.path()).await;
    store.set_patient_reference("demo", false).await.unwrap();
    let again = store.plan_search_support("demo").await.unwrap().unwrap();
    assert_eq!(again.patient_reference, Some(false));
    assert_eq!(
        again.provenance_target,
        Some(false),
        "kept by the other setter"
    );
    assert_eq!(again.operations.as_deref(), Some("Patient/$everything"));
}
