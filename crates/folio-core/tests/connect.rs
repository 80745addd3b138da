//! Connecting plans end to end against folio-sandbox, with tokens in the real OS keychain
//! (Secret Service in a D-Bus session: scripts/test.sh provides one and runs these).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use folio_core::api::{ConnectionStatus, ErrorCode, RedirectStyle};
use folio_core::{DataDir, Folio};
use folio_sandbox::{Faults, Sandbox, SandboxConfig};
use folio_secrets::SecretStore;

use common::*;

mod common;

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn connecting_the_demo_plan_stores_tokens_in_the_keychain_only() {
    let e = env(small_members()).await;
    let c = connect(&e, "demo", &[]).await.unwrap();
    assert_eq!(c.status, ConnectionStatus::Connected);
    assert_eq!(c.patient_id, e.sandbox.members()[0].patient_id);
    assert!(
        c.granted_scopes.contains(&"patient/*.rs".to_owned()),
        "v2 scopes, as the plan advertises: {:?}",
        c.granted_scopes
    );
    assert!(c.scopes_not_granted.is_empty());
    let entry = e
        .secrets
        .get(&format!("connection/{}", c.id))
        .unwrap()
        .expect("tokens in the keychain");
    let token = e.folio.access_token(&c.id).await.unwrap();
    assert!(entry.expose().contains(token.expose().as_str()));
    // No token in any row of the database (read through its key: its bytes are ciphertext,
    // where a stored token would hide too) or in any other file of the profile.
    let entry: serde_json::Value = serde_json::from_str(entry.expose()).unwrap();
    let refresh = entry["refresh_token"].as_str().unwrap();
    let profile = e.folio.data_dir().path();
    let disk = on_disk::read_profile(
        profile,
        &on_disk::DbKey::from_keychain(profile, e.secrets.as_ref()),
    )
    .await;
    assert!(
        disk.holding(c.id.as_bytes())
            .iter()
            .any(|p| p.starts_with("connections.")),
        "the connection's row is read"
    );
    for secret in [token.expose().as_str(), refresh] {
        assert_eq!(
            disk.holding(secret.as_bytes()),
            Vec::<String>::new(),
            "no token on disk outside the keychain"
        );
    }
    // The token works at the plan.
    let res = reqwest::Client::new()
        .get(format!(
            "{}/Patient/{}",
            e.sandbox.fhir_base(),
            c.patient_id
        ))
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn two_members_of_one_plan_are_two_connections_and_reconnecting_reuses_one() {
    let e = env(small_members()).await;
    let parent = connect(&e, "demo", &[]).await.unwrap();
    let child = connect(&e, "demo-child", &[]).await.unwrap();
    assert_ne!(parent.id, child.id);
    assert_ne!(parent.patient_id, child.patient_id);
    let again = connect(&e, "demo", &[]).await.unwrap();
    assert_eq!(
        again.id, parent.id,
        "the same member at the same plan is the same connection"
    );
    assert_eq!(e.folio.connections().await.unwrap().len(), 2);
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn narrower_grants_are_shown_not_hidden() {
    let e = env(small_members()).await;
    let c = connect(&e, "demo", &["fhirUser", "offline_access"])
        .await
        .unwrap();
    let mut missing = c.scopes_not_granted.clone();
    missing.sort();
    assert_eq!(missing, ["fhirUser", "offline_access"]);
    let refused = connect(&e, "demo", &["patient/*.rs"]).await.unwrap_err();
    assert_eq!(
        refused.code(),
        ErrorCode::ScopesRefused,
        "no data scope at all is refused"
    );
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn denial_tampering_other_paths_timeouts_and_cancel() {
    let e = env(small_members()).await;
    // Denied at the plan.
    let started = e.folio.begin_sign_in("demo").await.unwrap();
    let folio = e.folio.clone();
    let finish =
        tokio::spawn(async move { folio.finish_sign_in("demo", Duration::from_secs(30)).await });
    let back = member_consents(&started.authorize_url, "demo", &[], false).await;
    reqwest::get(&back).await.unwrap();
    assert_eq!(
        finish.await.unwrap().unwrap_err().code(),
        ErrorCode::MemberDenied
    );
    assert!(
        e.folio.connections().await.unwrap().is_empty(),
        "no connection after a denial"
    );

    // A forged state, after a visit to another plan's path that must not end the wait.
    let started = e.folio.begin_sign_in("demo").await.unwrap();
    let folio = e.folio.clone();
    let finish =
        tokio::spawn(async move { folio.finish_sign_in("demo", Duration::from_secs(30)).await });
    let back = member_consents(&started.authorize_url, "demo", &[], true).await;
    let (base, query) = back.split_once('?').unwrap();
    let other_plan = base.replace("/cb/demo", "/cb/another-plan");
    assert_eq!(
        reqwest::get(format!("{other_plan}?{query}"))
            .await
            .unwrap()
            .status(),
        404
    );
    let forged: String = query
        .split('&')
        .map(|kv| {
            if kv.starts_with("state=") {
                "state=forged".to_owned()
            } else {
                kv.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("&");
    // Any page or program can reach 127.0.0.1: a forged answer is refused with an error page
    // and the sign-in goes on waiting for the plan's own answer, which then connects.
    let refused = reqwest::get(format!("{base}?{forged}")).await.unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("still waiting"));
    assert!(!finish.is_finished(), "a forged answer ended the sign-in");
    let page = reqwest::get(&back).await.unwrap().text().await.unwrap();
    assert!(page.contains("connected"), "{page}");
    let connected = finish.await.unwrap().unwrap();
    assert_eq!(connected.plan_id, "demo");
    assert!(
        reqwest::get(&back).await.is_err(),
        "a late replay finds the listener closed"
    );

    // Nobody comes back.
    e.folio.begin_sign_in("demo").await.unwrap();
    let err = e
        .folio
        .finish_sign_in("demo", Duration::from_millis(200))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::SignInTimedOut);

    // The member cancels.
    e.folio.begin_sign_in("demo").await.unwrap();
    let folio = e.folio.clone();
    let finish =
        tokio::spawn(async move { folio.finish_sign_in("demo", Duration::from_secs(30)).await });
    // No wait needed: a cancel before the wait begins is kept in the sign-in's slot.
    assert!(e.folio.cancel_sign_in("demo"));
    assert_eq!(
        finish.await.unwrap().unwrap_err().code(),
        ErrorCode::SignInCancelled
    );
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn refresh_is_single_flight_rotates_and_invalid_grant_means_reconnect() {
    // Tokens that live 25 s: never "fresh" (Folio refreshes a token with under 30 s left
    // before using it), yet valid throughout the test, so nothing here waits for a clock.
    let e = env(SandboxConfig {
        access_token_ttl: Duration::from_secs(25),
        ..small_members()
    })
    .await;
    let c = connect(&e, "demo", &[]).await.unwrap();
    let first = e.folio.access_token(&c.id).await.unwrap();
    let account = format!("connection/{}", c.id);
    let rt_before = e.secrets.get(&account).unwrap().unwrap();
    // Five tasks see the same rejected token at once: one refresh, one new token for all.
    let mut tasks = Vec::new();
    for _ in 0..5 {
        let folio = e.folio.clone();
        let id = c.id.clone();
        let rejected = first.clone();
        tasks.push(tokio::spawn(async move {
            folio.access_token_after_rejection(&id, &rejected).await
        }));
    }
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap().unwrap());
    }
    assert!(
        tokens.iter().all(|t| t == &tokens[0]),
        "single flight: everyone got the same new token"
    );
    assert_ne!(tokens[0], first);
    assert_ne!(
        e.secrets.get(&account).unwrap().unwrap(),
        rt_before,
        "the rotated refresh token was stored"
    );
    // The plan would have revoked the grant on a reused refresh token: it still works.
    let res = reqwest::Client::new()
        .get(format!("{}/Coverage", e.sandbox.fhir_base()))
        .bearer_auth(tokens[0].expose())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Near its expiry, the next access_token() refreshes by itself before using it.
    let later = e.folio.access_token(&c.id).await.unwrap();
    assert_ne!(later, tokens[0]);
    // The plan revokes the grant: reconnect needed, records and row kept.
    e.sandbox.set_faults(Faults {
        revoke_refresh_tokens: true,
        ..Default::default()
    });
    let err = e.folio.access_token(&c.id).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::ReconnectNeeded);
    let after = e.folio.connection(&c.id).await.unwrap();
    assert_eq!(after.status, ConnectionStatus::ReconnectNeeded);
    assert!(after.problem.unwrap().contains("no longer accepts"));
    e.sandbox.set_faults(Faults::default());
    let back = connect(&e, "demo", &[]).await.unwrap();
    assert_eq!(
        (back.id.as_str(), back.status),
        (c.id.as_str(), ConnectionStatus::Connected),
        "reconnecting restores it"
    );
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn disconnect_revokes_and_deletes_the_keychain_entry() {
    let e = env(small_members()).await;
    let keep = connect(&e, "demo", &[]).await.unwrap();
    let token = e.folio.access_token(&keep.id).await.unwrap();
    let outcome = e.folio.disconnect(&keep.id, false).await.unwrap();
    assert!(outcome.revoked_at_plan);
    assert!(e
        .secrets
        .get(&format!("connection/{}", keep.id))
        .unwrap()
        .is_none());
    let res = reqwest::Client::new()
        .get(format!("{}/Coverage", e.sandbox.fhir_base()))
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "revoked at the plan");
    assert_eq!(
        e.folio.connection(&keep.id).await.unwrap().status,
        ConnectionStatus::Disconnected,
        "kept, marked disconnected"
    );
    let child = connect(&e, "demo-child", &[]).await.unwrap();
    e.folio.disconnect(&child.id, true).await.unwrap();
    assert_eq!(
        e.folio.connection(&child.id).await.unwrap_err().code(),
        ErrorCode::ConnectionNotFound,
        "deleted with its data"
    );
}

#[tokio::test]
async fn plans_that_cannot_be_used_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let folio = Folio::with_secrets(
        DataDir::at(dir.path()),
        Arc::new(folio_secrets::MemoryStore::default()),
    )
    .unwrap();
    let bad = folio
        .add_plan("Nope", "ftp://x", "client", RedirectStyle::Loopback)
        .await
        .unwrap_err();
    assert_eq!(bad.code(), ErrorCode::InvalidPlan);
    let closed = folio
        .add_plan(
            "Closed Plan",
            "http://127.0.0.1:9/fhir",
            "folio",
            RedirectStyle::Loopback,
        )
        .await
        .unwrap();
    assert_eq!(
        folio.begin_sign_in(&closed.id).await.unwrap_err().code(),
        ErrorCode::PlanUnreachable
    );
    let sandbox = Sandbox::start(small_members()).await.unwrap();
    let not_smart = folio
        .add_plan(
            "Not Smart",
            &format!("{}/nothing-here", sandbox.origin()),
            "folio",
            RedirectStyle::Loopback,
        )
        .await
        .unwrap();
    assert_eq!(
        folio.begin_sign_in(&not_smart.id).await.unwrap_err().code(),
        ErrorCode::NotSmartServer
    );
    assert_eq!(
        folio.begin_sign_in("demo").await.unwrap_err().code(),
        ErrorCode::DemoUnavailable,
        "the demo plan has not been started"
    );
    assert_eq!(
        folio
            .begin_sign_in("no-such-plan")
            .await
            .unwrap_err()
            .code(),
        ErrorCode::PlanNotFound
    );
    let plans = folio.plans().await.unwrap();
    assert_eq!(
        plans.len(),
        8,
        "the demo plan's two entries (loopback and Folio's link), the catalog's four real plans, plus the two added"
    );
    assert!(
        plans[0].is_demo && plans[1].is_demo,
        "the demo plan comes first"
    );
    assert_eq!(plans[0].id, "demo");
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn the_demo_plan_also_connects_through_folios_link() {
    let e = env(small_members()).await;
    let plans = e.folio.plans().await.unwrap();
    let base = |id: &str| plans.iter().find(|p| p.id == id).unwrap().fhir_base.clone();
    assert_eq!(base("demo"), e.sandbox.fhir_base());
    assert_eq!(base("demo-app-link"), e.sandbox.fhir_base(), "one sandbox");
    let started = e.folio.begin_sign_in("demo-app-link").await.unwrap();
    assert!(started
        .authorize_url
        .contains("redirect_uri=health.folio.desktop%3A%2Fcb%2Fdemo-app-link"));
    let folio = e.folio.clone();
    let finish = tokio::spawn(async move {
        folio
            .finish_sign_in("demo-app-link", Duration::from_secs(30))
            .await
    });
    let back = member_consents(&started.authorize_url, "demo", &[], true).await;
    assert!(back.starts_with("health.folio.desktop:/cb/demo-app-link?code="));
    e.folio.deliver_redirect(&back).unwrap();
    let c = finish.await.unwrap().unwrap();
    assert_eq!(c.status, ConnectionStatus::Connected);
    assert_eq!(c.plan_id, "demo-app-link");
    assert_eq!(c.patient_id, e.sandbox.members()[0].patient_id);
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn custom_scheme_redirects_arrive_through_deliver_redirect() {
    let mut config = small_members();
    config.clients.push(folio_sandbox::ClientRegistration {
        client_id: "folio-scheme".into(),
        name: "Folio".into(),
        redirect_uris: vec!["health.folio.desktop:/cb/scheme-plan".into()],
    });
    let e = env(config).await;
    let plan = e
        .folio
        .add_plan(
            "Scheme Plan",
            e.sandbox.fhir_base(),
            "folio-scheme",
            RedirectStyle::CustomScheme,
        )
        .await
        .unwrap();
    assert_eq!(plan.id, "scheme-plan");
    let started = e.folio.begin_sign_in(&plan.id).await.unwrap();
    assert!(started
        .authorize_url
        .contains("redirect_uri=health.folio.desktop%3A%2Fcb%2Fscheme-plan"));
    let folio = e.folio.clone();
    let finish = tokio::spawn(async move {
        folio
            .finish_sign_in("scheme-plan", Duration::from_secs(30))
            .await
    });
    let back = member_consents(&started.authorize_url, "demo", &[], true).await;
    assert!(back.starts_with("health.folio.desktop:/cb/scheme-plan?code="));
    // A link for a plan nobody is signing in to is refused; the real one completes the sign-in.
    assert_eq!(
        e.folio
            .deliver_redirect("health.folio.desktop:/cb/other?code=x&state=y")
            .unwrap_err()
            .code(),
        ErrorCode::StateMismatch
    );
    e.folio.deliver_redirect(&back).unwrap();
    let c = finish.await.unwrap().unwrap();
    assert_eq!(c.status, ConnectionStatus::Connected);
    assert_eq!(
        e.folio.deliver_redirect(&back).unwrap_err().code(),
        ErrorCode::StateMismatch,
        "used once"
    );
}
