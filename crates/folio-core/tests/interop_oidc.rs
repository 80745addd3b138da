//! Folio's SMART client against an authorization server we did not write: the npm
//! `oidc-provider` package configured as a health plan (`tests/interop/oidc-plan.mjs`).
//!
//! Each test starts the harness (`node`), then drives the whole connection through Folio's API
//! while a scripted member plays the system browser: a cookie jar that signs in and consents at
//! the plan over plain HTTP and finally opens Folio's loopback redirect. Tokens go to the real OS
//! keychain, under a service name of their own.
//!
//! Needs `node`, `npm ci` in `tests/interop` and an unlocked Secret Service, hence `#[ignore]`;
//! `scripts/test.sh` runs them with `--include-ignored` inside a D-Bus session.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use folio_core::api::{ConnectionStatus, ErrorCode, RedirectStyle};
use folio_core::Folio;
use folio_secrets::SecretStore;
use url::Url;

use oidc_plan::*;

mod oidc_plan;

/// As registered in the harness.
const CLIENT_ID: &str = "folio-desktop";
const PLAN_NAME: &str = "OIDC Test Plan";
const PLAN_ID: &str = "oidc-test-plan";

/// Adds the plan, starts the sign-in and lets the member sign in and consent: returns the
/// answer the plan sends back (not yet delivered to Folio) and the member.
async fn signed_in_at_plan(folio: &Folio, plan: &Harness) -> (Url, Member) {
    let added = folio
        .add_plan(
            PLAN_NAME,
            &plan.fhir_base,
            CLIENT_ID,
            RedirectStyle::Loopback,
        )
        .await
        .unwrap();
    assert_eq!(added.id, PLAN_ID);
    sign_in(folio, plan, &added.id, CLIENT_ID).await
}

#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn connects_refreshes_and_disconnects_with_oidc_provider_as_the_plan() {
    let plan = Harness::start();
    let profile = tempfile::tempdir().unwrap();
    let (folio, keychain) = folio(&profile, "connect");
    let (callback, member) = signed_in_at_plan(&folio, &plan).await;

    let (finished, page) = tokio::join!(
        folio.finish_sign_in(PLAN_ID, Duration::from_secs(60)),
        member.open_loopback(&callback)
    );
    let conn = finished.unwrap_or_else(|e| panic!("finish_sign_in: {:?}: {e}", e.code()));
    assert!(page.unwrap().contains("Folio is connected"));
    assert_eq!(conn.status, ConnectionStatus::Connected);
    assert_eq!(conn.plan_id, PLAN_ID);
    assert_eq!(conn.patient_id, PATIENT_ID);
    assert!(
        conn.granted_scopes
            .iter()
            .any(|s| s.starts_with("patient/")),
        "a data scope granted: {:?}",
        conn.granted_scopes
    );
    assert!(
        conn.granted_scopes.iter().any(|s| s == "offline_access"),
        "offline_access granted (the plan adds prompt=consent): {:?}",
        conn.granted_scopes
    );
    assert!(
        conn.scopes_not_granted.is_empty(),
        "{:?}",
        conn.scopes_not_granted
    );
    assert!(conn.token_expires_at.is_some());
    // Folio files a connection's tokens under this account of its keychain service.
    let account = format!("connection/{}", conn.id);
    assert!(
        keychain.get(&account).unwrap().is_some(),
        "the tokens are in the OS keychain"
    );
    let listed = folio.connections().await.unwrap();
    assert!(listed
        .iter()
        .any(|c| c.id == conn.id && c.status == ConnectionStatus::Connected));

    let first = folio.access_token(&conn.id).await.unwrap();
    assert_eq!(plan.read_patient(&first).await, 200);
    assert_eq!(plan.stats().await["refreshes"], 0);

    // The plan rejected `first` (as a 401 would say): one refresh, with the refresh token that
    // the code exchange issued.
    let second = folio
        .access_token_after_rejection(&conn.id, &first)
        .await
        .unwrap();
    assert_ne!(second, first);
    assert_eq!(plan.read_patient(&second).await, 200);
    assert_eq!(plan.stats().await["refreshes"], 1);
    // Another caller that saw `first` rejected too gets the new token, without a refresh.
    let again = folio
        .access_token_after_rejection(&conn.id, &first)
        .await
        .unwrap();
    assert_eq!(again, second);
    assert_eq!(folio.access_token(&conn.id).await.unwrap(), second);
    assert_eq!(plan.stats().await["refreshes"], 1);

    // Two callers at once that saw `second` rejected: one refresh (single flight), with the
    // rotated refresh token. Reusing the old one would make the plan revoke the whole grant.
    let (a, b) = tokio::join!(
        folio.access_token_after_rejection(&conn.id, &second),
        folio.access_token_after_rejection(&conn.id, &second)
    );
    let (third, b) = (a.unwrap(), b.unwrap());
    assert_eq!(third, b);
    assert_ne!(third, second);
    assert_eq!(plan.read_patient(&third).await, 200);
    let stats = plan.stats().await;
    assert_eq!(stats["refreshes"], 2, "{stats}");
    assert_eq!(
        stats["tokenErrors"], 0,
        "no refresh token was used twice: {stats}"
    );

    let outcome = folio.disconnect(&conn.id, true).await.unwrap();
    assert!(outcome.data_deleted);
    assert!(
        outcome.revoked_at_plan,
        "the plan offers RFC 7009 revocation"
    );
    assert!(folio
        .connections()
        .await
        .unwrap()
        .iter()
        .all(|c| c.id != conn.id));
    let gone = folio.access_token(&conn.id).await.unwrap_err();
    assert_eq!(gone.code(), ErrorCode::ConnectionNotFound);
    assert!(
        keychain.get(&account).unwrap().is_none(),
        "the tokens left the keychain"
    );
    assert_eq!(plan.read_patient(&third).await, 401, "revoked at the plan");
}

#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn a_callback_with_a_changed_state_is_refused_and_the_genuine_one_still_connects() {
    let plan = Harness::start();
    let profile = tempfile::tempdir().unwrap();
    let (folio, _keychain) = folio(&profile, "tampered");
    let (callback, member) = signed_in_at_plan(&folio, &plan).await;

    let mut forged = callback.clone();
    let params: Vec<(String, String)> = callback
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                format!("{v}-changed")
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(&params);

    // Anything on this computer can reach the loopback listener: a forged answer is refused
    // (its code never redeemed) and the sign-in goes on waiting for the plan's own answer.
    let member_side = async {
        let refused = member.open_loopback(&forged).await.unwrap();
        let between = plan.stats().await;
        let genuine = member.open_loopback(&callback).await.unwrap();
        (refused, between, genuine)
    };
    let (finished, (refused, between, genuine)) = tokio::join!(
        folio.finish_sign_in(PLAN_ID, Duration::from_secs(60)),
        member_side
    );
    assert!(refused.contains("still waiting"), "{refused}");
    assert_eq!(
        between["tokenResponses"], 0,
        "the forged answer's code was not redeemed: {between}"
    );
    assert!(genuine.contains("connected"), "{genuine}");
    let conn = finished.unwrap();
    assert_eq!(conn.plan_id, PLAN_ID);
    assert!(
        member.open_loopback(&callback).await.is_err(),
        "the listener closed after the genuine answer"
    );
}
