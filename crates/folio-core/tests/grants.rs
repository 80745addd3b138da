//! What a sign-in is bound to and what is left at the plan when something goes wrong (issue
//! 14): forged links, patient ids, the endpoints a grant was issued by, two processes
//! refreshing one grant, tokens the keychain cannot keep. Against folio-sandbox, with the
//! in-memory secret store shared the way two processes share the keychain.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use folio_core::api::{ConnectionStatus, ErrorCode};
use folio_core::{DataDir, Folio};
use folio_sandbox::{Faults, Sandbox};
use folio_secrets::{MemoryStore, SecretError, SecretStore, Sensitive};
use serde_json::Value;

use common::*;

mod common;

struct Profile {
    dir: tempfile::TempDir,
    secrets: Arc<dyn SecretStore>,
    folio: Arc<Folio>,
    sandbox: Sandbox,
}

impl Profile {
    async fn new(secrets: Arc<dyn SecretStore>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let folio =
            Arc::new(Folio::with_secrets(DataDir::at(dir.path()), secrets.clone()).unwrap());
        let sandbox = Sandbox::start(small_members()).await.unwrap();
        folio.set_demo_plan_base(sandbox.fhir_base()).await.unwrap();
        Self {
            dir,
            secrets,
            folio,
            sandbox,
        }
    }

    /// Another process on the same profile: same data folder, same keychain, nothing cached.
    fn another_process(&self) -> Arc<Folio> {
        Arc::new(Folio::with_secrets(DataDir::at(self.dir.path()), self.secrets.clone()).unwrap())
    }

    /// The HTTP status the sandbox's FHIR API answers `token` with.
    async fn fhir_status(&self, token: &str) -> u16 {
        reqwest::Client::new()
            .get(format!("{}/Coverage", self.sandbox.fhir_base()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

fn with_state(link: &str, state: Option<&str>) -> String {
    let (base, query) = link.split_once('?').unwrap();
    let mut kept: Vec<String> = query
        .split('&')
        .filter(|kv| !kv.starts_with("state="))
        .map(str::to_owned)
        .collect();
    if let Some(s) = state {
        kept.push(format!("state={s}"));
    }
    format!("{base}?{}", kept.join("&"))
}

#[tokio::test]
async fn a_link_with_a_wrong_state_is_refused_and_the_sign_in_keeps_waiting() {
    let p = Profile::new(Arc::new(MemoryStore::default())).await;
    let started = p.folio.begin_sign_in("demo-app-link").await.unwrap();
    let folio = p.folio.clone();
    let finish = tokio::spawn(async move {
        folio
            .finish_sign_in("demo-app-link", Duration::from_secs(30))
            .await
    });
    let back = member_consents(&started.authorize_url, "demo", &[], true).await;
    assert!(back.starts_with("health.folio.desktop:/cb/demo-app-link?code="));
    // Any program can open Folio's link: with a wrong state, an empty one, or none.
    for forged in [
        with_state(&back, Some("forged")),
        with_state(&back, Some("")),
        with_state(&back, None),
        "health.folio.desktop:/cb/demo-app-link?error=access_denied&state=x".to_owned(),
    ] {
        assert_eq!(
            p.folio.deliver_redirect(&forged).unwrap_err().code(),
            ErrorCode::StateMismatch
        );
    }
    assert!(!finish.is_finished(), "the sign-in is still waiting");
    // The plan's own answer still completes it.
    p.folio.deliver_redirect(&back).unwrap();
    let c = finish.await.unwrap().unwrap();
    assert_eq!(c.status, ConnectionStatus::Connected);
    assert_eq!(
        p.folio.deliver_redirect(&back).unwrap_err().code(),
        ErrorCode::StateMismatch,
        "used once"
    );
}

#[tokio::test]
async fn a_patient_that_is_not_a_fhir_id_is_refused() {
    let p = Profile::new(Arc::new(MemoryStore::default())).await;
    let too_long = "a".repeat(65);
    for bad in [
        "../Patient/other",
        "a/b",
        "x?_format=xml",
        "x#y",
        "..",
        ".",
        "",
        "a b",
        "ana%2F1",
        "ñ",
        too_long.as_str(),
    ] {
        p.sandbox.set_faults(Faults {
            token_patient: Some(bad.to_owned()),
            ..Default::default()
        });
        let err = connect_plan(&p.folio, "demo", "demo", &[])
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::PlanResponseInvalid, "{bad:?}");
        assert!(err.to_string().contains("valid FHIR id"), "{err}");
        assert!(
            bad.len() < 3 || !err.to_string().contains(bad),
            "the value is not repeated"
        );
    }
    assert!(p.folio.connections().await.unwrap().is_empty());
    // Letters, digits, '-' and '.' up to 64 characters are a FHIR id.
    let odd_but_valid = format!("A-b.9{}", "z".repeat(59));
    p.sandbox.set_faults(Faults {
        token_patient: Some(odd_but_valid.clone()),
        ..Default::default()
    });
    let c = connect_plan(&p.folio, "demo", "demo", &[]).await.unwrap();
    assert_eq!(c.patient_id, odd_but_valid);
}

#[tokio::test]
async fn refresh_and_revocation_use_the_endpoints_bound_at_sign_in() {
    let p = Profile::new(Arc::new(MemoryStore::default())).await;
    let c = connect_plan(&p.folio, "demo", "demo", &[]).await.unwrap();
    let first = p.folio.access_token(&c.id).await.unwrap();
    // The plan's discovery now names another server's endpoints (a plan that moved its
    // authorization server, or a rewritten discovery document).
    let elsewhere = Sandbox::start(small_members()).await.unwrap();
    p.sandbox.set_faults(Faults {
        endpoints_origin: Some(elsewhere.origin().to_owned()),
        ..Default::default()
    });
    // A restarted app has nothing cached: refresh still goes where the grant was issued.
    let later = p.another_process();
    let refreshed = later
        .access_token_after_rejection(&c.id, &first)
        .await
        .unwrap();
    assert_ne!(refreshed, first);
    assert_eq!(p.fhir_status(refreshed.expose()).await, 200);
    // Disconnecting revokes at the sign-in's revocation endpoint.
    let outcome = p.another_process().disconnect(&c.id, false).await.unwrap();
    assert!(outcome.revoked_at_plan);
    assert_eq!(
        p.fhir_status(refreshed.expose()).await,
        401,
        "revoked at the plan that issued it"
    );
    // Only a new sign-in discovers again.
    let again = later.begin_sign_in("demo").await.unwrap();
    assert!(again.authorize_url.starts_with(elsewhere.origin()));
    assert!(later.cancel_sign_in("demo"));
}

#[tokio::test]
async fn a_plan_whose_address_changed_is_connected_again_and_its_token_stays_home() {
    let p = Profile::new(Arc::new(MemoryStore::default())).await;
    let c = connect_plan(&p.folio, "demo", "demo", &[]).await.unwrap();
    p.folio.access_token(&c.id).await.unwrap();
    // The demo plan restarted on another port: the grant was for the old address.
    let moved = Sandbox::start(small_members()).await.unwrap();
    p.folio.set_demo_plan_base(moved.fhir_base()).await.unwrap();
    assert_eq!(
        p.folio.access_token(&c.id).await.unwrap_err().code(),
        ErrorCode::ReconnectNeeded
    );
    let after = p.folio.connection(&c.id).await.unwrap();
    assert_eq!(after.status, ConnectionStatus::ReconnectNeeded);
    assert!(after.problem.unwrap().contains("address changed"));
    let back = connect_plan(&p.folio, "demo", "demo", &[]).await.unwrap();
    assert_eq!(
        (back.id.as_str(), back.status),
        (c.id.as_str(), ConnectionStatus::Connected)
    );
    p.folio.access_token(&back.id).await.unwrap();
}

#[tokio::test]
async fn two_processes_refreshing_one_grant_take_turns() {
    let p = Profile::new(Arc::new(MemoryStore::default())).await;
    let c = connect_plan(&p.folio, "demo", "demo", &[]).await.unwrap();
    let first = p.folio.access_token(&c.id).await.unwrap();
    let app = p.folio.clone();
    let cli = p.another_process();
    // A slow token endpoint: both refreshes would be in flight before either is answered. The
    // plan revokes the whole grant when a rotated refresh token is redeemed again.
    p.sandbox.set_faults(Faults {
        token_delay_ms: 400,
        ..Default::default()
    });
    let (a, b) = tokio::join!(
        app.access_token_after_rejection(&c.id, &first),
        cli.access_token_after_rejection(&c.id, &first)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b, "the second process used the first one's new token");
    assert_ne!(a, first);
    assert_eq!(p.fhir_status(a.expose()).await, 200, "the grant is intact");
    p.sandbox.set_faults(Faults::default());
    let next = cli.access_token_after_rejection(&c.id, &a).await.unwrap();
    assert_eq!(p.fhir_status(next.expose()).await, 200);
    assert_eq!(
        app.connection(&c.id).await.unwrap().status,
        ConnectionStatus::Connected
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let lock = p.dir.path().join(format!("refresh-{}.lock", c.id));
        let mode = std::fs::metadata(lock).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Deleted with the connection: its id is never used again.
    app.disconnect(&c.id, true).await.unwrap();
    assert!(!p.dir.path().join(format!("refresh-{}.lock", c.id)).exists());
}

/// A keychain that refuses to store a connection's tokens, and keeps what it was given so the
/// test can see whether the plan still honours it.
#[derive(Default)]
struct RefusingKeychain {
    inner: MemoryStore,
    refused: Mutex<Option<String>>,
}

impl SecretStore for RefusingKeychain {
    fn put(&self, account: &str, secret: &Sensitive<String>) -> Result<(), SecretError> {
        if account.starts_with("connection/") {
            *self.refused.lock().unwrap() = Some(secret.expose().clone());
            return Err(SecretError::Denied("the test keychain refuses".into()));
        }
        self.inner.put(account, secret)
    }

    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>, SecretError> {
        self.inner.get(account)
    }

    fn delete(&self, account: &str) -> Result<bool, SecretError> {
        self.inner.delete(account)
    }
}

#[tokio::test]
async fn tokens_the_keychain_cannot_keep_are_revoked_at_the_plan() {
    let keychain = Arc::new(RefusingKeychain::default());
    let p = Profile::new(keychain.clone()).await;
    let err = connect_plan(&p.folio, "demo", "demo", &[])
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeychainUnavailable);
    assert!(p.folio.connections().await.unwrap().is_empty());
    let refused: Value =
        serde_json::from_str(keychain.refused.lock().unwrap().as_deref().unwrap()).unwrap();
    let access = refused["access_token"].as_str().unwrap();
    let refresh = refused["refresh_token"].as_str().unwrap();
    assert_eq!(p.fhir_status(access).await, 401, "the access token is dead");
    let res = reqwest::Client::new()
        .post(format!("{}/auth/token", p.sandbox.origin()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", "folio-desktop"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"],
        "invalid_grant",
        "the grant is gone"
    );
}
