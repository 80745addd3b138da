//! Every way a plan authenticates Folio (issue 15 §2), against the independent authorization
//! server (`tests/interop/oidc-plan.mjs`, npm `oidc-provider` as the plan): for each method a
//! connect, a refresh and a revoke, and the plan's own count of what Folio sent; a wrong
//! secret, a wrong key and an expired client assertion are each told to the member in one
//! plain sentence.
//!
//! Needs `node`, `npm ci` in `tests/interop` and an unlocked Secret Service, hence `#[ignore]`;
//! `scripts/test.sh` runs them with `--include-ignored` inside a D-Bus session.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use folio_core::api::{ClientAuthMethod, ConnectionStatus, ErrorCode, RedirectStyle};
use folio_core::{Folio, NewPlan, Sensitive};
use folio_secrets::SecretStore;

use oidc_plan::*;

mod oidc_plan;

/// Adds the plan named `plan_id` for `client_id` with `method` and `secret`.
async fn add(
    folio: &Folio,
    plan: &Harness,
    plan_id: &str,
    client_id: &str,
    method: ClientAuthMethod,
    secret: Option<String>,
    loopback_port: Option<u16>,
) {
    let added = folio
        .add_plan_with(NewPlan {
            name: plan_id.replace('-', " "),
            fhir_base: plan.fhir_base.clone(),
            client_id: client_id.to_owned(),
            client_auth: method,
            client_secret: secret.map(Sensitive::new),
            redirect: RedirectStyle::Loopback,
            loopback_port,
            register: false,
        })
        .await
        .unwrap();
    assert_eq!(added.plan.id, plan_id);
}

/// Connects, refreshes once and disconnects (revoking) with the plan's `client_id`, which the
/// plan registered with `method`; the plan counts that Folio used exactly that method.
async fn connect_refresh_revoke(
    method: ClientAuthMethod,
    client_id: &str,
    wire_name: &str,
    loopback_port: Option<u16>,
) {
    let plan = Harness::start();
    let profile = tempfile::tempdir().unwrap();
    let (folio, keychain) = folio(&profile, client_id);
    let secret = plan.secret(client_id);
    add(
        &folio,
        &plan,
        client_id,
        client_id,
        method,
        Some(secret.clone()),
        loopback_port,
    )
    .await;
    // The secret is in the keychain, under the plan's account, and nowhere the plan is listed.
    let account = format!("plan-secret/{client_id}");
    assert_eq!(
        keychain.get(&account).unwrap().map(Sensitive::into_inner),
        Some(secret.clone())
    );
    let listed = format!("{:?}", folio.plans().await.unwrap());
    assert!(!listed.contains(&secret), "no secret in what lists plans");

    exercise(
        &plan,
        &folio,
        client_id,
        client_id,
        wire_name,
        loopback_port,
    )
    .await;
}

/// Signs in to `plan_id` (already added, with `client_id`), refreshes once and disconnects, and
/// checks that the plan saw Folio use `wire_name` at each step.
async fn exercise(
    plan: &Harness,
    folio: &Folio,
    plan_id: &str,
    client_id: &str,
    wire_name: &str,
    loopback_port: Option<u16>,
) {
    let (callback, member) = sign_in(folio, plan, plan_id, client_id).await;
    if let Some(port) = loopback_port {
        assert_eq!(
            callback.port(),
            Some(port),
            "the plan's one registered port"
        );
    }
    let (finished, page) = tokio::join!(
        folio.finish_sign_in(plan_id, Duration::from_secs(60)),
        member.open_loopback(&callback)
    );
    let conn = finished.unwrap_or_else(|e| panic!("finish_sign_in: {:?}: {e}", e.code()));
    assert!(page.unwrap().contains("Folio is connected"));
    assert_eq!(conn.status, ConnectionStatus::Connected);
    assert_eq!(conn.patient_id, PATIENT_ID);

    let first = folio.access_token(&conn.id).await.unwrap();
    assert_eq!(plan.read_patient(&first).await, 200);
    let second = folio
        .access_token_after_rejection(&conn.id, &first)
        .await
        .unwrap();
    assert_ne!(second, first);
    assert_eq!(plan.read_patient(&second).await, 200);
    let stats = plan.stats().await;
    assert_eq!(stats["refreshes"], 1, "{stats}");
    assert_eq!(stats["tokenErrors"], 0, "{stats}");
    assert_eq!(
        stats["clientAuth"]["token"][client_id],
        serde_json::json!({ wire_name: 2 }),
        "the code exchange and the refresh both used {wire_name}: {stats}"
    );

    let outcome = folio.disconnect(&conn.id, true).await.unwrap();
    assert!(outcome.revoked_at_plan, "{}", plan.log());
    let stats = plan.stats().await;
    assert_eq!(
        stats["clientAuth"]["revocation"][client_id],
        serde_json::json!({ wire_name: 2 }),
        "the refresh and access tokens were revoked with {wire_name}: {stats}"
    );
    assert_eq!(stats["revocations"], 2, "{stats}");
    assert_eq!(plan.read_patient(&second).await, 401, "revoked at the plan");
}

#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn a_client_secret_in_a_basic_header_connects_refreshes_and_revokes() {
    connect_refresh_revoke(
        ClientAuthMethod::SecretBasic,
        "folio-secret-basic",
        "client_secret_basic",
        None,
    )
    .await;
}

/// A port nothing listens on right now (a portal's one registered redirect port).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    listener.local_addr().unwrap().port()
}

/// With a fixed loopback port too (`--redirect loopback:PORT`).
#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn a_client_secret_in_the_form_connects_refreshes_and_revokes() {
    connect_refresh_revoke(
        ClientAuthMethod::SecretPost,
        "folio-secret-post",
        "client_secret_post",
        Some(free_port()),
    )
    .await;
}

/// Adds `plan_id` (client id the same) as a `private_key_jwt` plan and returns the public JWKS
/// Folio printed for it (an ES384 key: the plan offers it).
async fn add_with_key(folio: &Folio, plan: &Harness, plan_id: &str) -> serde_json::Value {
    let jwks = add_with_key_for(folio, plan, plan_id).await;
    let key = &jwks["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["crv"].as_str()),
        (Some("EC"), Some("P-384"))
    );
    assert_eq!(key["alg"], "ES384");
    jwks
}

/// Adds `plan_id` as a `private_key_jwt` plan and returns the one public key Folio printed.
async fn add_with_key_for(folio: &Folio, plan: &Harness, plan_id: &str) -> serde_json::Value {
    let added = folio
        .add_plan_with(NewPlan {
            name: plan_id.replace('-', " "),
            fhir_base: plan.fhir_base.clone(),
            client_id: plan_id.to_owned(),
            client_auth: ClientAuthMethod::PrivateKeyJwt,
            client_secret: None,
            redirect: RedirectStyle::Loopback,
            loopback_port: None,
            register: false,
        })
        .await
        .unwrap();
    assert_eq!(added.plan.id, plan_id);
    let printed = added.jwks.expect("a private-key-jwt plan prints its JWKS");
    assert_eq!(
        printed,
        folio.plan_jwks(plan_id).await.unwrap(),
        "printed again the same"
    );
    let jwks: serde_json::Value = serde_json::from_str(&printed).unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1, "{jwks}");
    assert!(key["kid"].is_string(), "{key}");
    assert!(key.get("d").is_none(), "no private part: {key}");
    jwks
}

#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn a_signed_client_assertion_connects_refreshes_and_revokes() {
    let plan = Harness::start();
    let profile = tempfile::tempdir().unwrap();
    let (folio, keychain) = folio(&profile, "jwt");
    let client_id = "folio-jwt";
    let jwks = add_with_key(&folio, &plan, client_id).await;
    let pem = keychain
        .get(&format!("plan-key/{client_id}"))
        .unwrap()
        .expect("the private key is in the keychain");
    assert!(pem.expose().contains("PRIVATE KEY"));
    // The member pastes the JWKS into the plan's portal.
    plan.add_client(serde_json::json!({ "client_id": client_id, "jwks": jwks }))
        .await;
    exercise(&plan, &folio, client_id, client_id, "private_key_jwt", None).await;
    assert_eq!(plan.stats().await["tokenErrors"], 0);
}

/// A plan that verifies client assertions only with RSA: its SMART configuration offers
/// RS384 alone and its portal registered Folio's client for RS384 only. Folio makes an RSA key
/// (3072 bits), prints it as an RSA JWK, keeps it in the keychain, and signs RS384 at the code
/// exchange, the refresh and the revocation.
#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn a_plan_that_takes_only_rsa_gets_an_rs384_key_and_connects_refreshes_and_revokes() {
    let plan = Harness::start();
    plan.set_signing_algs(&["RS384"]).await;
    let profile = tempfile::tempdir().unwrap();
    let (folio, keychain) = folio(&profile, "jwt-rsa");
    let client_id = "folio-jwt-rsa";
    let jwks = add_with_key_for(&folio, &plan, client_id).await;
    let key = &jwks["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["alg"].as_str()),
        (Some("RSA"), Some("RS384")),
        "{key}"
    );
    assert_eq!(key["e"], "AQAB");
    assert!(key["n"].as_str().unwrap().len() >= 512, "3072 bits: {key}");
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        assert!(key.get(private).is_none(), "no private part: {key}");
    }
    let pem = keychain
        .get(&format!("plan-key/{client_id}"))
        .unwrap()
        .expect("the private key is in the keychain");
    assert!(pem.expose().starts_with("-----BEGIN PRIVATE KEY-----"));
    // The portal holds the JWKS and accepts RS384 assertions only from this client.
    plan.add_client(serde_json::json!({
        "client_id": client_id,
        "jwks": jwks,
        "token_endpoint_auth_signing_alg": "RS384",
    }))
    .await;
    exercise(&plan, &folio, client_id, client_id, "private_key_jwt", None).await;
    assert_eq!(plan.stats().await["tokenErrors"], 0);
}

#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn registered_dynamically_at_a_plan_that_takes_only_rsa_signs_rs384() {
    let plan = Harness::start();
    plan.set_signing_algs(&["RS384"]).await;
    let profile = tempfile::tempdir().unwrap();
    let (folio, _keychain) = folio(&profile, "register-rsa");
    let added = add_by_registering(&folio, &plan, ClientAuthMethod::PrivateKeyJwt)
        .await
        .unwrap();
    let jwks: serde_json::Value = serde_json::from_str(&added.jwks.unwrap()).unwrap();
    assert_eq!(jwks["keys"][0]["kty"], "RSA");
    assert_eq!(jwks["keys"][0]["alg"], "RS384");
    let client_id = added.plan.client_id.clone();
    exercise(
        &plan,
        &folio,
        "registered-plan",
        &client_id,
        "private_key_jwt",
        None,
    )
    .await;
}

#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn a_plan_that_takes_neither_es384_nor_rs384_is_refused_in_plain_words_and_nothing_is_kept() {
    let plan = Harness::start();
    plan.set_signing_algs(&["PS256", "RS256"]).await;
    let profile = tempfile::tempdir().unwrap();
    let (folio, keychain) = folio(&profile, "jwt-none");
    let err = folio
        .add_plan_with(NewPlan {
            name: "folio jwt none".into(),
            fhir_base: plan.fhir_base.clone(),
            client_id: "folio-jwt-none".into(),
            client_auth: ClientAuthMethod::PrivateKeyJwt,
            client_secret: None,
            redirect: RedirectStyle::Loopback,
            loopback_port: None,
            register: false,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidPlan, "{err}");
    let message = err.to_string();
    assert!(
        message.contains("only with PS256, RS256") && message.contains("ES384 or RS384"),
        "{message}"
    );
    assert!(folio
        .plans()
        .await
        .unwrap()
        .iter()
        .all(|p| p.id != "folio-jwt-none"));
    assert!(keychain.get("plan-key/folio-jwt-none").unwrap().is_none());
}

/// RFC 7592: removing the member's data deletes the registration Folio made at the plan, with
/// the registration access token the keychain kept; afterwards the plan no longer knows the
/// client (its token endpoint answers `invalid_client`), and the keychain holds nothing of it.
#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn removing_a_plan_folio_registered_at_deletes_the_registration_there() {
    let plan = Harness::start();
    let profile = tempfile::tempdir().unwrap();
    let (folio, keychain) = folio(&profile, "unregister");
    // A public client, so a bare token request can ask the plan whether it knows the client.
    let added = add_by_registering(&folio, &plan, ClientAuthMethod::None)
        .await
        .unwrap();
    let client_id = added.plan.client_id.clone();
    let kept = keychain
        .get("plan-registration/registered-plan")
        .unwrap()
        .expect("the registration access token is in the keychain");
    assert!(kept.expose().contains("registration_client_uri"));
    assert_eq!(plan.token_error_for(&client_id).await, "invalid_grant");

    let removed = folio.remove_all_data().await.unwrap();
    assert_eq!(
        (
            removed.registrations_deleted,
            removed.registrations_not_deleted
        ),
        (1, 0)
    );
    assert_eq!(plan.stats().await["registrationDeletes"], 1);
    assert_eq!(
        plan.token_error_for(&client_id).await,
        "invalid_client",
        "the plan no longer knows Folio's client"
    );
    assert!(keychain
        .get("plan-registration/registered-plan")
        .unwrap()
        .is_none());
}

/// A plan that cannot be reached does not stop the removal: it is counted, and the keychain
/// entries go all the same.
#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn a_registration_the_plan_cannot_delete_does_not_stop_the_removal() {
    let plan = Harness::start();
    let profile = tempfile::tempdir().unwrap();
    let (folio, keychain) = folio(&profile, "unregister-offline");
    add_by_registering(&folio, &plan, ClientAuthMethod::None)
        .await
        .unwrap();
    assert!(keychain
        .get("plan-registration/registered-plan")
        .unwrap()
        .is_some());
    drop(plan); // the plan goes offline
    let removed = folio.remove_all_data().await.unwrap();
    assert_eq!(
        (
            removed.registrations_deleted,
            removed.registrations_not_deleted
        ),
        (0, 1)
    );
    assert!(keychain
        .get("plan-registration/registered-plan")
        .unwrap()
        .is_none());
}

/// Signs in to `client_id` and returns what finishing it said.
async fn finish_expecting_refusal(plan: &Harness, folio: &Folio, client_id: &str) -> String {
    let (callback, member) = sign_in(folio, plan, client_id, client_id).await;
    refused_after(folio, client_id, &callback, &member).await
}

async fn refused_after(
    folio: &Folio,
    client_id: &str,
    callback: &url::Url,
    member: &Member,
) -> String {
    let (finished, _page) = tokio::join!(
        folio.finish_sign_in(client_id, Duration::from_secs(60)),
        member.open_loopback(callback)
    );
    let err = finished.unwrap_err();
    assert_eq!(err.code(), ErrorCode::TokenError, "{err}");
    assert!(folio
        .connections()
        .await
        .unwrap()
        .iter()
        .all(|c| c.plan_id != client_id));
    err.to_string()
}

#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn a_key_the_plan_does_not_hold_is_refused_in_plain_words() {
    let plan = Harness::start();
    let profile = tempfile::tempdir().unwrap();
    let (folio, _keychain) = folio(&profile, "wrong-key");
    let client_id = "folio-jwt";
    add_with_key(&folio, &plan, client_id).await;
    // The portal holds another key (another plan's, say): Folio's assertion does not verify.
    let other = add_with_key(&folio, &plan, "folio-other").await;
    plan.add_client(serde_json::json!({ "client_id": client_id, "jwks": other }))
        .await;
    let message = finish_expecting_refusal(&plan, &folio, client_id).await;
    assert!(
        message.contains("the plan refused Folio's client credentials")
            && message.contains("folio plans jwks"),
        "{message}"
    );
    let stats = plan.stats().await;
    assert_eq!(
        stats["clientAuth"]["token"][client_id],
        serde_json::json!({ "private_key_jwt": 1 }),
        "{stats}"
    );
    assert_eq!(
        stats["tokenErrorDetails"],
        serde_json::json!(["invalid_client: no applicable key found in the JSON Web Key Set"]),
        "the plan found no key of its client's to verify the assertion: {stats}"
    );
    assert_eq!(stats["tokenResponses"], 0, "{stats}");
}

#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn an_expired_client_assertion_is_refused_in_plain_words() {
    let plan = Harness::start();
    let profile = tempfile::tempdir().unwrap();
    let (folio, _keychain) = folio(&profile, "expired");
    let client_id = "folio-jwt";
    let jwks = add_with_key(&folio, &plan, client_id).await;
    plan.add_client(serde_json::json!({ "client_id": client_id, "jwks": jwks }))
        .await;
    let (callback, member) = sign_in(&folio, &plan, client_id, client_id).await;
    // The plan's clock runs ten minutes ahead of this computer's: the assertion Folio signs
    // now (valid for five minutes) has expired there.
    plan.set_clock_ahead(600).await;
    let message = refused_after(&folio, client_id, &callback, &member).await;
    assert!(
        message.contains("the plan refused Folio's client credentials")
            && message.contains("date and time"),
        "{message}"
    );
    let stats = plan.stats().await;
    assert_eq!(
        stats["tokenErrorDetails"],
        serde_json::json!(["invalid_client: jwt expired"]),
        "the plan refused the assertion as expired: {stats}"
    );
}

#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn a_wrong_client_secret_is_refused_in_plain_words() {
    let plan = Harness::start();
    let profile = tempfile::tempdir().unwrap();
    let (folio, _keychain) = folio(&profile, "wrong-secret");
    let wrong = format!("{}-not-it", plan.secret("folio-secret-basic"));
    let client_id = "folio-secret-basic";
    add(
        &folio,
        &plan,
        client_id,
        client_id,
        ClientAuthMethod::SecretBasic,
        Some(wrong.clone()),
        None,
    )
    .await;
    let (callback, member) = sign_in(&folio, &plan, client_id, client_id).await;
    let (finished, _page) = tokio::join!(
        folio.finish_sign_in(client_id, Duration::from_secs(60)),
        member.open_loopback(&callback)
    );
    let err = finished.unwrap_err();
    assert_eq!(err.code(), ErrorCode::TokenError, "{err}");
    let message = err.to_string();
    assert!(
        message.contains("the plan refused Folio's client credentials"),
        "{message}"
    );
    assert!(
        !message.contains(&wrong),
        "the secret is never in a message"
    );
    let stats = plan.stats().await;
    assert_eq!(
        stats["clientAuth"]["token"][client_id],
        serde_json::json!({ "client_secret_basic": 1 }),
        "{stats}"
    );
    assert_eq!(stats["tokenResponses"], 0, "{stats}");
    assert!(folio
        .connections()
        .await
        .unwrap()
        .iter()
        .all(|c| c.plan_id != client_id));
}

/// Adds "Registered Plan" by dynamic registration with `method`; returns the plan as added.
async fn add_by_registering(
    folio: &Folio,
    plan: &Harness,
    method: ClientAuthMethod,
) -> Result<folio_core::AddedPlan, folio_core::CoreError> {
    folio
        .add_plan_with(NewPlan {
            name: "Registered Plan".into(),
            fhir_base: plan.fhir_base.clone(),
            client_id: String::new(),
            client_auth: method,
            client_secret: None,
            redirect: RedirectStyle::Loopback,
            loopback_port: None,
            register: true,
        })
        .await
}

#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn registered_dynamically_as_a_public_client_connects_refreshes_and_revokes() {
    let plan = Harness::start();
    let profile = tempfile::tempdir().unwrap();
    let (folio, _keychain) = folio(&profile, "register-public");
    let added = add_by_registering(&folio, &plan, ClientAuthMethod::None)
        .await
        .unwrap();
    assert_eq!(added.plan.id, "registered-plan");
    assert!(added.jwks.is_none());
    let client_id = added.plan.client_id.clone();
    assert!(!client_id.is_empty());
    assert_eq!(plan.stats().await["registrations"], 1);
    exercise(&plan, &folio, "registered-plan", &client_id, "none", None).await;
}

#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn registered_dynamically_with_a_key_connects_refreshes_and_revokes() {
    let plan = Harness::start();
    let profile = tempfile::tempdir().unwrap();
    let (folio, keychain) = folio(&profile, "register-key");
    let added = add_by_registering(&folio, &plan, ClientAuthMethod::PrivateKeyJwt)
        .await
        .unwrap();
    let jwks = added.jwks.expect("the JWKS registered with the plan");
    assert_eq!(jwks, folio.plan_jwks("registered-plan").await.unwrap());
    assert!(keychain.get("plan-key/registered-plan").unwrap().is_some());
    let client_id = added.plan.client_id.clone();
    exercise(
        &plan,
        &folio,
        "registered-plan",
        &client_id,
        "private_key_jwt",
        None,
    )
    .await;
}

#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn a_plan_that_refuses_registration_says_why_and_nothing_is_kept() {
    let plan = Harness::start();
    let profile = tempfile::tempdir().unwrap();
    let (folio, keychain) = folio(&profile, "register-refused");
    plan.set_registration_open(false).await;
    let err = add_by_registering(&folio, &plan, ClientAuthMethod::PrivateKeyJwt)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidPlan, "{err}");
    let message = err.to_string();
    assert!(
        message.contains("the plan refused to register Folio")
            && message.contains("initial access token from its developer portal")
            && message.contains("register Folio at the plan's developer portal instead"),
        "{message}"
    );
    assert_eq!(plan.stats().await["registrations"], 1);
    assert!(folio
        .plans()
        .await
        .unwrap()
        .iter()
        .all(|p| p.id != "registered-plan"));
    assert!(
        keychain.get("plan-key/registered-plan").unwrap().is_none(),
        "the key made for the refused registration is gone"
    );
}
