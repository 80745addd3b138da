//! A plan that gives no refresh token and access that lasts seconds (issue 15 §2), played by the
//! independent authorization server (`tests/interop/oidc-plan.mjs`, npm `oidc-provider`): the
//! connection says how long access lasts and that it is not renewed; once it has ended a sync
//! sends the plan nothing and says "connect again to finish"; after a new sign-in it syncs.
//!
//! Needs `node`, `npm ci` in `tests/interop` and an unlocked Secret Service, hence `#[ignore]`;
//! `scripts/test.sh` runs them with `--include-ignored` inside a D-Bus session.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, SystemTime};

use folio_core::api::{
    ConnectionAccess, ConnectionStatus, ConnectionSummary, RedirectStyle, SyncFailureCode,
    TypeOutcome,
};
use folio_core::{Folio, SyncOptions};

use oidc_plan::*;

mod oidc_plan;

/// As registered in the harness.
const CLIENT_ID: &str = "folio-desktop";
const PLAN_ID: &str = "oidc-test-plan";

async fn connect(folio: &Folio, plan: &Harness) -> ConnectionSummary {
    let (callback, member) = sign_in(folio, plan, PLAN_ID, CLIENT_ID).await;
    let (finished, page) = tokio::join!(
        folio.finish_sign_in(PLAN_ID, Duration::from_secs(60)),
        member.open_loopback(&callback)
    );
    assert!(page.unwrap().contains("Folio is connected"));
    finished.unwrap_or_else(|e| panic!("finish_sign_in: {:?}: {e}", e.code()))
}

#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn access_that_ended_without_a_refresh_token_asks_to_reconnect_and_sends_nothing() {
    let plan = Harness::start();
    plan.set_tokens(false, 2).await;
    let profile = tempfile::tempdir().unwrap();
    let (folio, _keychain) = folio(&profile, "short-access");
    let added = folio
        .add_plan(
            "OIDC Test Plan",
            &plan.fhir_base,
            CLIENT_ID,
            RedirectStyle::Loopback,
        )
        .await
        .unwrap();
    assert_eq!(added.id, PLAN_ID);
    let conn = connect(&folio, &plan).await;
    assert_eq!(conn.status, ConnectionStatus::Connected);
    assert_eq!(
        conn.access,
        Some(ConnectionAccess {
            lasts_seconds: Some(2),
            renewable: false
        }),
        "as the plan's token answer said"
    );
    // Waiting for the clock: access ends at a time, not on an event.
    let expires: SystemTime = time::OffsetDateTime::parse(
        conn.token_expires_at.as_deref().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
    .into();
    if let Ok(left) = expires.duration_since(SystemTime::now()) {
        tokio::time::sleep(left + Duration::from_millis(50)).await;
    }
    let before = plan.stats().await;
    let report = folio
        .sync_connection(&conn.id, SyncOptions::default())
        .await
        .unwrap();
    let tried: Vec<_> = report
        .types
        .iter()
        .filter(|t| t.outcome != TypeOutcome::NotShared)
        .collect();
    assert!(
        tried.iter().any(|t| t.resource_type == "Patient")
            && tried.iter().all(|t| t.outcome == TypeOutcome::Failed
                && t.failure == Some(SyncFailureCode::ReconnectToFinish)),
        "{report:?}"
    );
    let after = plan.stats().await;
    assert_eq!(
        (
            after["patientReads"].clone(),
            after["patientRejected"].clone()
        ),
        (
            before["patientReads"].clone(),
            before["patientRejected"].clone()
        ),
        "no request with a token known to have expired: {after}"
    );
    let ended = folio.connection(&conn.id).await.unwrap();
    assert_eq!(ended.status, ConnectionStatus::ReconnectToFinish);

    // Signed in again (access now lasting ten minutes, still not renewed), the sync finishes.
    plan.set_tokens(false, 600).await;
    let again = connect(&folio, &plan).await;
    assert_eq!(again.id, conn.id);
    assert_eq!(again.status, ConnectionStatus::Connected);
    assert_eq!(
        again.access,
        Some(ConnectionAccess {
            lasts_seconds: Some(600),
            renewable: false
        })
    );
    let report = folio
        .sync_connection(&conn.id, SyncOptions::default())
        .await
        .unwrap();
    assert!(
        report
            .types
            .iter()
            .all(|t| t.failure != Some(SyncFailureCode::ReconnectToFinish)),
        "{report:?}"
    );
    assert!(report
        .types
        .iter()
        .any(|t| t.resource_type == "Patient" && t.outcome == TypeOutcome::Done));
    assert_eq!(
        plan.stats().await["patientReads"],
        after["patientReads"].as_u64().unwrap() + 1
    );
}
