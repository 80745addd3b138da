//! Prior authorizations against folio-sandbox: the demo member's, in every state, listed
//! pending first, read in full, and counted for the overview. Tokens live in the real OS
//! keychain (scripts/test.sh runs these in a D-Bus session).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use folio_core::api::PriorAuthStatus;

use common::*;

mod common;

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn the_demo_members_prior_authorizations_read_in_every_state() {
    let e = env(demo_member(7, 300)).await;
    let c = connect_and_sync(&e, "demo").await;

    let list = e.folio.prior_authorizations(false).await.unwrap();
    let statuses: Vec<PriorAuthStatus> = list.iter().map(|p| p.status).collect();
    assert_eq!(
        statuses,
        [
            PriorAuthStatus::Pending,
            PriorAuthStatus::Denied,
            PriorAuthStatus::PartlyApproved,
            PriorAuthStatus::Approved,
            PriorAuthStatus::Approved,
        ],
        "pending first, then the newest"
    );
    assert_eq!(list[0].services, ["MRI lumbar spine without contrast"]);
    assert!(list.iter().all(|p| p.provider.is_some()));
    assert_eq!(list[0].decided, None);

    let therapy = list
        .iter()
        .find(|p| p.approved_until.as_deref() == Some("2027-06-30"))
        .expect("the physical therapy approval runs through 30 June 2027");
    let detail = e
        .folio
        .prior_authorization(&therapy.connection_id, &therapy.resource_id)
        .await
        .unwrap();
    let item = &detail.items[0];
    assert_eq!(
        (
            item.quantity_requested,
            item.quantity_approved,
            item.quantity_used
        ),
        (Some(12.0), Some(12.0), Some(4.0))
    );
    assert_eq!(item.decision.as_ref().unwrap().text, "Certified in total");
    assert_eq!(
        item.service.as_ref().unwrap().code.as_deref(),
        Some("97110")
    );

    let denied = &list[1];
    let detail = e
        .folio
        .prior_authorization(&denied.connection_id, &denied.resource_id)
        .await
        .unwrap();
    assert!(detail.items[0].reasons[0]
        .text
        .contains("not deemed a 'medical necessity'"));
    assert_eq!(detail.items[0].reasons[0].code.as_deref(), Some("50"));

    let tile = e.folio.prior_auth_overview(false).await.unwrap();
    assert_eq!(
        (
            tile.total,
            tile.pending,
            tile.approved,
            tile.partly_approved,
            tile.denied
        ),
        (5, 1, 2, 1, 1)
    );

    // Claims are not prior authorizations: a claim's id is no prior authorization's address.
    let claim_years = e.folio.claim_years(&[], false).await.unwrap();
    assert!(!claim_years.is_empty());
    let err = e
        .folio
        .prior_authorization(&c.id, "no-such-record")
        .await
        .unwrap_err();
    assert!(matches!(err, folio_core::CoreError::RecordNotFound));
}
