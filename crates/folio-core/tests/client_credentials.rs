//! A plan's client credentials (issue 15 §2) live in the keychain only, are checked when the
//! plan is added, and go with "Remove all my data". No network: adding a plan asks nothing of
//! it, except a private-key-jwt plan, whose SMART configuration says which key to make (here
//! the sandbox's, on this computer).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use folio_core::api::{ClientAuthMethod, ErrorCode, RedirectStyle};
use folio_core::{DataDir, Folio, NewPlan, Sensitive};
use folio_secrets::{MemoryStore, SecretStore};

fn plan(name: &str, method: ClientAuthMethod, secret: Option<&str>) -> NewPlan {
    NewPlan {
        client_auth: method,
        client_secret: secret.map(|s| Sensitive::new(s.to_owned())),
        ..NewPlan::public(
            name,
            "https://plan.example/fhir",
            "folio-at-portal",
            RedirectStyle::Loopback,
        )
    }
}

#[tokio::test]
async fn secrets_and_keys_are_kept_in_the_keychain_and_removed_with_all_data() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let folio = Folio::with_secrets(DataDir::at(dir.path()), secrets.clone()).unwrap();
    let secret = "portal-secret-0123456789";

    let basic = folio
        .add_plan_with(plan(
            "Secret Plan",
            ClientAuthMethod::SecretBasic,
            Some(secret),
        ))
        .await
        .unwrap();
    assert!(basic.jwks.is_none());
    let kept = secrets.get("plan-secret/secret-plan").unwrap().unwrap();
    assert_eq!(kept.expose(), secret);
    assert!(!format!("{basic:?}").contains(secret));

    let sandbox = folio_sandbox::Sandbox::start(folio_sandbox::SandboxConfig::default())
        .await
        .unwrap();
    let keyed = folio
        .add_plan_with(NewPlan {
            fhir_base: sandbox.fhir_base().to_owned(),
            ..plan("Key Plan", ClientAuthMethod::PrivateKeyJwt, None)
        })
        .await
        .unwrap();
    let jwks = keyed.jwks.unwrap();
    assert!(!jwks.contains("\"d\""), "no private part: {jwks}");
    assert!(secrets.get("plan-key/key-plan").unwrap().is_some());
    assert_eq!(folio.plan_jwks("key-plan").await.unwrap(), jwks);
    let no_key = folio.plan_jwks("secret-plan").await.unwrap_err();
    assert_eq!(no_key.code(), ErrorCode::InvalidPlan);

    folio.remove_all_data().await.unwrap();
    assert!(secrets.get("plan-secret/secret-plan").unwrap().is_none());
    assert!(secrets.get("plan-key/key-plan").unwrap().is_none());
}

#[tokio::test]
async fn a_secret_comes_with_the_secret_methods_only() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let folio = Folio::with_secrets(DataDir::at(dir.path()), secrets.clone()).unwrap();
    for (method, secret) in [
        (ClientAuthMethod::SecretPost, None),
        (ClientAuthMethod::SecretBasic, Some("")),
        (ClientAuthMethod::SecretBasic, Some("two\nlines")),
        (ClientAuthMethod::None, Some("unused")),
        (ClientAuthMethod::PrivateKeyJwt, Some("unused")),
    ] {
        let err = folio
            .add_plan_with(plan("Odd Plan", method, secret))
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidPlan, "{method:?}: {err}");
        if let Some(s) = secret.filter(|s| !s.is_empty()) {
            assert!(!err.to_string().contains(s), "no secret in a message");
        }
    }
    assert!(folio
        .plans()
        .await
        .unwrap()
        .iter()
        .all(|p| p.id != "odd-plan"));
    assert!(secrets.get("plan-secret/odd-plan").unwrap().is_none());
    let port_with_link = folio
        .add_plan_with(NewPlan {
            loopback_port: Some(8123),
            ..NewPlan::public(
                "Link Plan",
                "https://plan.example/fhir",
                "c",
                RedirectStyle::CustomScheme,
            )
        })
        .await
        .unwrap_err();
    assert_eq!(port_with_link.code(), ErrorCode::InvalidPlan);
}

#[test]
fn the_app_s_request_hides_its_secret_and_checks_its_port() {
    use folio_core::api::AddPlanRequest;
    let request = AddPlanRequest {
        name: "Portal Plan".into(),
        fhir_base: "https://plan.example/fhir".into(),
        client_id: "c".into(),
        client_auth: ClientAuthMethod::SecretPost,
        client_secret: Some("portal-secret-0123456789".into()),
        redirect: RedirectStyle::Loopback,
        loopback_port: Some(48123),
        register: false,
    };
    assert!(!format!("{request:?}").contains("portal-secret"));
    let new = NewPlan::try_from(request.clone()).unwrap();
    assert_eq!(new.loopback_port, Some(48123));
    assert_eq!(
        new.client_secret.unwrap().expose(),
        "portal-secret-0123456789"
    );
    for bad in [0, 65_536] {
        let err = NewPlan::try_from(AddPlanRequest {
            loopback_port: Some(bad),
            ..request.clone()
        })
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidPlan, "{bad}");
    }
}
