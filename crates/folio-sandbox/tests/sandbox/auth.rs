//! The authorization server, through its real login and consent pages.

use folio_sandbox::{Faults, SandboxConfig};
use serde_json::Value;

use crate::support::{self, authorize, client, connect, exchange, fhir, get, Consent, REDIRECT};

#[tokio::test]
async fn discovery_documents_describe_a_smart_plan() {
    let sb = support::start(SandboxConfig::default()).await;
    let conf: Value = client()
        .get(format!(
            "{}/.well-known/smart-configuration",
            sb.fhir_base()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        conf["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        conf["authorization_endpoint"],
        format!("{}/auth/authorize", sb.origin())
    );
    assert_eq!(conf["issuer"], sb.fhir_base());
    assert!(conf["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "client-public"));
    let cs: Value = client()
        .get(format!("{}/metadata", sb.fhir_base()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ext = &cs["rest"][0]["security"]["extension"][0];
    assert_eq!(
        ext["url"],
        "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
    );
    assert_eq!(
        ext["extension"][1]["valueUri"],
        format!("{}/auth/token", sb.origin())
    );
}

#[tokio::test]
async fn full_pkce_flow_returns_patient_scopes_and_a_refresh_token() {
    let sb = support::start(SandboxConfig::default()).await;
    let cb = authorize(&sb, &Consent::default()).await;
    assert_eq!(get(&cb, "state"), Some("st-123"));
    assert_eq!(
        get(&cb, "iss"),
        Some(sb.fhir_base()),
        "RFC 9207 iss in the response"
    );
    let res = exchange(&sb, get(&cb, "code").unwrap()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let token: Value = res.json().await.unwrap();
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["patient"], sb.members()[0].patient_id);
    assert_eq!(
        token["scope"],
        "launch/patient openid fhirUser offline_access patient/*.read"
    );
    assert!(token["refresh_token"].is_string());
    assert!(token["expires_in"].as_u64().unwrap() > 0);
    let me = fhir(
        &sb,
        token["access_token"].as_str().unwrap(),
        &format!("Patient/{}", token["patient"].as_str().unwrap()),
    )
    .await;
    assert_eq!(me.status(), 200);
}

#[tokio::test]
async fn a_denial_goes_back_to_the_app_as_access_denied() {
    let sb = support::start(SandboxConfig::default()).await;
    let cb = authorize(
        &sb,
        &Consent {
            allow: false,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(get(&cb, "error"), Some("access_denied"));
    assert_eq!(get(&cb, "state"), Some("st-123"));
    assert_eq!(get(&cb, "code"), None);
}

#[tokio::test]
async fn a_wrong_password_gets_no_consent_page() {
    let sb = support::start(SandboxConfig::default()).await;
    let http = client();
    let page = http
        .get(format!("{}/auth/authorize", sb.origin()))
        .query(&[
            ("response_type", "code"),
            ("client_id", "folio-desktop"),
            ("redirect_uri", REDIRECT),
            ("scope", "patient/*.read"),
            ("state", "s"),
            ("aud", sb.fhir_base()),
            ("code_challenge", &support::challenge()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let request = support::hidden(&page, "request");
    let res = http
        .post(format!("{}/auth/login", sb.origin()))
        .form(&[
            ("request", request.as_str()),
            ("username", "demo"),
            ("password", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let text = res.text().await.unwrap();
    assert!(text.contains("do not match") && !text.contains("Share your records"));
}

#[tokio::test]
async fn bad_requests_are_refused_without_redirecting_to_unknown_places() {
    let sb = support::start(SandboxConfig::default()).await;
    let http = client();
    let q = |client_id: &'static str, redirect: &'static str, method: &'static str, aud: String| {
        vec![
            ("response_type", "code".to_owned()),
            ("client_id", client_id.into()),
            ("redirect_uri", redirect.into()),
            ("scope", "patient/*.read".into()),
            ("state", "s".into()),
            ("aud", aud),
            ("code_challenge", support::challenge()),
            ("code_challenge_method", method.into()),
        ]
    };
    let url = format!("{}/auth/authorize", sb.origin());
    let unknown_app = http
        .get(&url)
        .query(&q("evil", REDIRECT, "S256", sb.fhir_base().into()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        unknown_app.status(),
        400,
        "unknown client: error page, no redirect"
    );
    let other_path = http
        .get(&url)
        .query(&q(
            "folio-desktop",
            "http://127.0.0.1:5555/cb/other",
            "S256",
            sb.fhir_base().into(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        other_path.status(),
        400,
        "unregistered redirect path: error page"
    );
    let plain = http
        .get(&url)
        .query(&q(
            "folio-desktop",
            REDIRECT,
            "plain",
            sb.fhir_base().into(),
        ))
        .send()
        .await
        .unwrap();
    assert!(
        plain.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=invalid_request"),
        "plain PKCE is refused"
    );
    let wrong_aud = http
        .get(&url)
        .query(&q(
            "folio-desktop",
            REDIRECT,
            "S256",
            "https://other.invalid/fhir".into(),
        ))
        .send()
        .await
        .unwrap();
    assert!(
        wrong_aud.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=invalid_request"),
        "aud must be this plan"
    );
}

#[tokio::test]
async fn pkce_and_code_reuse_are_enforced() {
    let sb = support::start(SandboxConfig::default()).await;
    let cb = authorize(&sb, &Consent::default()).await;
    let code = get(&cb, "code").unwrap();
    let wrong = client()
        .post(format!("{}/auth/token", sb.origin()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", "folio-desktop"),
            (
                "code_verifier",
                "wrong-verifier-wrong-verifier-wrong-verifier-00",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 400);
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );
    let first: Value = exchange(&sb, code).await.json().await.unwrap();
    let at = first["access_token"].as_str().unwrap().to_owned();
    assert_eq!(fhir(&sb, &at, "Coverage").await.status(), 200);
    let again = exchange(&sb, code).await;
    assert_eq!(again.status(), 400, "a code works once");
    assert_eq!(
        fhir(&sb, &at, "Coverage").await.status(),
        401,
        "reusing the code revokes what it issued"
    );
}

async fn refresh(sb: &folio_sandbox::Sandbox, rt: &str) -> reqwest::Response {
    client()
        .post(format!("{}/auth/token", sb.origin()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", "folio-desktop"),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_grant() {
    let sb = support::start(SandboxConfig::default()).await;
    let t1 = connect(&sb, &Consent::default()).await;
    let rt1 = t1["refresh_token"].as_str().unwrap();
    let t2: Value = refresh(&sb, rt1).await.json().await.unwrap();
    let rt2 = t2["refresh_token"].as_str().unwrap();
    assert_ne!(rt1, rt2, "rotated");
    let at2 = t2["access_token"].as_str().unwrap();
    assert_eq!(fhir(&sb, at2, "Coverage").await.status(), 200);
    let reused = refresh(&sb, rt1).await;
    assert_eq!(
        reused.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );
    assert_eq!(
        fhir(&sb, at2, "Coverage").await.status(),
        401,
        "the whole grant is revoked"
    );
    assert_eq!(
        refresh(&sb, rt2).await.status(),
        400,
        "the newest refresh token is dead too"
    );
}

#[tokio::test]
async fn revocation_ends_access() {
    let sb = support::start(SandboxConfig::default()).await;
    let t = connect(&sb, &Consent::default()).await;
    let res = client()
        .post(format!("{}/auth/revoke", sb.origin()))
        .form(&[
            ("token", t["refresh_token"].as_str().unwrap()),
            ("client_id", "folio-desktop"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        fhir(&sb, t["access_token"].as_str().unwrap(), "Coverage")
            .await
            .status(),
        401
    );
    assert_eq!(
        refresh(&sb, t["refresh_token"].as_str().unwrap())
            .await
            .status(),
        400
    );
}

#[tokio::test]
async fn unticked_scopes_are_not_granted_and_their_types_are_refused() {
    let sb = support::start(SandboxConfig::default()).await;
    let scopes =
        "launch/patient offline_access patient/Coverage.read patient/ExplanationOfBenefit.read";
    let t = connect(
        &sb,
        &Consent {
            scopes,
            keep: Some(&["launch/patient", "patient/Coverage.read"]),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(t["scope"], "launch/patient patient/Coverage.read");
    assert!(
        t.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );
    let at = t["access_token"].as_str().unwrap();
    assert_eq!(fhir(&sb, at, "Coverage").await.status(), 200);
    let eob = fhir(&sb, at, "ExplanationOfBenefit").await;
    assert_eq!(eob.status(), 403);
    assert_eq!(
        eob.json::<Value>().await.unwrap()["resourceType"],
        "OperationOutcome"
    );
}

#[tokio::test]
async fn token_faults_refuse_refresh_and_take_the_endpoint_down() {
    let sb = support::start(SandboxConfig::default()).await;
    let t = connect(&sb, &Consent::default()).await;
    let rt = t["refresh_token"].as_str().unwrap();
    sb.set_faults(Faults {
        token_endpoint_down: true,
        ..Default::default()
    });
    assert_eq!(refresh(&sb, rt).await.status(), 503);
    sb.set_faults(Faults {
        revoke_refresh_tokens: true,
        ..Default::default()
    });
    let res = refresh(&sb, rt).await;
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_grant");
    sb.set_faults(Faults::default());
    assert_eq!(
        refresh(&sb, rt).await.status(),
        400,
        "the grant stays revoked"
    );
}

#[tokio::test]
async fn a_plan_can_give_no_refresh_token_and_access_that_lasts_as_long_as_it_is_told() {
    let sb = support::start(SandboxConfig::default()).await;
    // Offline access granted, yet no refresh token; access said to last ten minutes.
    sb.set_faults(Faults {
        no_refresh_token: true,
        access_token_lifetime_secs: Some(600),
        ..Default::default()
    });
    let t = connect(&sb, &Consent::default()).await;
    assert!(t["scope"]
        .as_str()
        .unwrap()
        .split(' ')
        .any(|s| s == "offline_access"));
    assert!(t.get("refresh_token").is_none(), "{t}");
    assert_eq!(t["expires_in"], 600);
    let at = t["access_token"].as_str().unwrap();
    assert_eq!(fhir(&sb, at, "Coverage").await.status(), 200);

    // Access that has already ended when it is issued: refused from the first request, while
    // the answer says it lasts a minute (a plan whose tokens die before what it says).
    sb.set_faults(Faults {
        access_token_lifetime_secs: Some(0),
        expires_in_secs: Some(60),
        ..Default::default()
    });
    let t = connect(&sb, &Consent::default()).await;
    assert_eq!(t["expires_in"], 60);
    assert!(t["refresh_token"].is_string(), "refresh tokens are back");
    let at = t["access_token"].as_str().unwrap();
    assert_eq!(fhir(&sb, at, "Coverage").await.status(), 401);
}
