//! Plans that give no refresh token, and access that lasts minutes (issue 15 §2): a sync that
//! cannot finish within the access's life stops cleanly, keeps what arrived and says "connect
//! again to finish"; after the member signs in again the next sync finishes, every record once.
//! The connection says how long its access lasts. Tokens live in the real OS keychain
//! (scripts/rust-tests.sh runs these in a D-Bus session).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, SystemTime};

use folio_core::api::{ConnectionAccess, ConnectionStatus, SyncFailureCode, TypeOutcome};
use folio_core::{CoreError, SyncOptions};
use folio_sandbox::{Faults, Sandbox, SandboxConfig};

use common::*;

mod common;

fn member(size: usize) -> SandboxConfig {
    demo_member(21, size)
}

/// A plan that gives no refresh token, and access said (and made) to last ten minutes.
fn no_refresh() -> Faults {
    Faults {
        no_refresh_token: true,
        access_token_lifetime_secs: Some(600),
        ..Default::default()
    }
}

async fn gate(sandbox: &Sandbox, method: reqwest::Method, path: &str) -> serde_json::Value {
    let mut req =
        reqwest::Client::new().request(method.clone(), format!("{}{path}", sandbox.origin()));
    if method == reqwest::Method::PUT {
        req = req.json(&serde_json::json!({ "hold_request": 2 }));
    }
    let res = req.send().await.unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap_or(serde_json::Value::Null)
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn access_that_ends_mid_sync_stops_it_cleanly_and_a_new_sign_in_finishes_it() {
    let e = env(member(400)).await;
    e.sandbox.set_faults(no_refresh());
    let c = connect(&e, "demo", &[]).await.unwrap();
    assert!(
        c.granted_scopes.iter().any(|s| s == "offline_access"),
        "offline access granted, and still no refresh token"
    );
    assert_eq!(
        c.access,
        Some(ConnectionAccess {
            lasts_seconds: Some(600),
            renewable: false
        }),
        "the connection says how long access lasts and that it is not renewed"
    );

    // The plan's access ends part-way through the sync (its 15th request is refused).
    e.sandbox.set_faults(Faults {
        access_token_max_requests: Some(14),
        ..no_refresh()
    });
    let options = SyncOptions {
        page_size: Some(20),
        concurrency: 1,
        ..Default::default()
    };
    let report = e
        .folio
        .sync_connection(&c.id, options.clone())
        .await
        .unwrap();
    let ended: Vec<_> = report
        .types
        .iter()
        .filter(|t| t.failure == Some(SyncFailureCode::ReconnectToFinish))
        .collect();
    assert!(!ended.is_empty(), "{report:?}");
    assert!(
        ended.iter().all(|t| t.outcome == TypeOutcome::Failed),
        "{report:?}"
    );
    assert!(
        report
            .types
            .iter()
            .filter(|t| t.outcome == TypeOutcome::Failed)
            .all(|t| t.failure == Some(SyncFailureCode::ReconnectToFinish)),
        "nothing fails for another reason: {report:?}"
    );
    assert!(
        report.types.iter().any(|t| t.outcome == TypeOutcome::Done),
        "what finished before access ended is done: {report:?}"
    );
    let kept = held(&e, &c.id).await;
    let kept_total: i64 = kept.values().sum();
    assert!(kept_total > 0, "what arrived is kept");
    let after = e.folio.connection(&c.id).await.unwrap();
    assert_eq!(after.status, ConnectionStatus::ReconnectToFinish);
    assert!(
        after
            .problem
            .as_deref()
            .is_some_and(|p| p.contains("connect again to finish")),
        "{:?}",
        after.problem
    );
    // Asked again before signing in: refused at once, nothing sent with a dead token.
    let served = e.sandbox.requests_served();
    let refused = e.folio.sync_connection(&c.id, options.clone()).await;
    assert!(
        matches!(refused, Err(CoreError::ReconnectNeeded)),
        "{refused:?}"
    );
    assert_eq!(e.sandbox.requests_served(), served);

    // The member signs in again; the next sync finishes where the first one stopped.
    e.sandbox.set_faults(no_refresh());
    let again = connect(&e, "demo", &[]).await.unwrap();
    assert_eq!(again.id, c.id, "the same connection");
    assert_eq!(again.status, ConnectionStatus::Connected);
    let report = e.folio.sync_connection(&c.id, options).await.unwrap();
    assert!(
        report
            .types
            .iter()
            .all(|t| t.outcome != TypeOutcome::Failed),
        "{report:?}"
    );
    let summary = e.sandbox.members().remove(0);
    let counts = held(&e, &c.id).await;
    assert_eq!(
        searched(&counts),
        expected_searched(&summary),
        "every record the member shared, exactly once"
    );
    for t in ["Organization", "Practitioner", "Provenance"] {
        assert!(
            counts.get(t).copied().unwrap_or(0) as usize <= summary.counts[t],
            "{t}: none twice"
        );
    }
    for (t, n) in &kept {
        assert!(counts[t] >= *n, "{t}: what arrived first is still there");
    }
    assert_eq!(
        e.folio.connection(&c.id).await.unwrap().status,
        ConnectionStatus::Connected
    );
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn a_token_known_to_have_expired_is_never_sent_when_it_cannot_be_renewed() {
    let e = env(member(300)).await;
    // The plan says access lasts 3 seconds (its tokens in fact work on, so any request Folio
    // sent with one after that would be answered: the count shows whether it sent one).
    e.sandbox.set_faults(Faults {
        no_refresh_token: true,
        expires_in_secs: Some(3),
        ..Default::default()
    });
    let c = connect(&e, "demo", &[]).await.unwrap();
    assert_eq!(
        c.access,
        Some(ConnectionAccess {
            lasts_seconds: Some(3),
            renewable: false
        })
    );
    let expires: SystemTime = time::OffsetDateTime::parse(
        c.token_expires_at.as_deref().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
    .into();
    // The sync's second request is held in flight until the access has ended.
    gate(&e.sandbox, reqwest::Method::PUT, "/_sandbox/gate").await;
    let folio = e.folio.clone();
    let id = c.id.clone();
    let sync = tokio::spawn(async move {
        folio
            .sync_connection(
                &id,
                SyncOptions {
                    page_size: Some(2),
                    concurrency: 1,
                    ..Default::default()
                },
            )
            .await
    });
    let mut status = serde_json::Value::Null;
    for _ in 0..120 {
        status = gate(
            &e.sandbox,
            reqwest::Method::GET,
            "/_sandbox/gate?wait_ms=500",
        )
        .await;
        if !status["held"].is_null() {
            break;
        }
    }
    let held_number = status["held"]["number"]
        .as_u64()
        .expect("a request is held");
    // Waiting for the clock: the access ends at a time, not on an event.
    if let Ok(left) = expires.duration_since(SystemTime::now()) {
        tokio::time::sleep(left + Duration::from_millis(50)).await;
    }
    gate(&e.sandbox, reqwest::Method::DELETE, "/_sandbox/gate").await;
    let report = sync.await.unwrap().unwrap();
    assert_eq!(
        e.sandbox.requests_served(),
        held_number,
        "no request after the access ended"
    );
    assert!(
        report
            .types
            .iter()
            .any(|t| t.failure == Some(SyncFailureCode::ReconnectToFinish)),
        "{report:?}"
    );
    assert_eq!(
        e.folio.connection(&c.id).await.unwrap().status,
        ConnectionStatus::ReconnectToFinish
    );
}
