//! The SMART client against small stand-in servers that behave like legacy or unusual plans,
//! and against folio-sandbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use folio_secrets::Sensitive;
use folio_smart::{
    discover, parse_fhir_base, ClientAuth, DiscoverySource, PendingAuthorization, SmartError,
};
use serde_json::{json, Value};

/// Serves `router` on 127.0.0.1 and returns its origin.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn relative_endpoints_and_unknown_capabilities_are_tolerated() {
    let router = Router::new().route(
        "/api/fhir/.well-known/smart-configuration",
        get(|| async {
            Json(json!({
                "authorization_endpoint": "../oauth/authorize",
                "token_endpoint": "/oauth/token",
                "capabilities": ["launch-standalone", "context-passthrough-banner", "https://vendor.example/cap", 42],
                "grant_types_supported": ["authorization_code"],
                "some_future_field": {"nested": true}
            }))
        }),
    );
    let origin = serve(router).await;
    let base = parse_fhir_base(&format!("{origin}/api/fhir")).unwrap();
    let conf = discover(&folio_smart::http::client().unwrap(), &base)
        .await
        .unwrap();
    assert_eq!(
        conf.authorization_endpoint.as_str(),
        format!("{origin}/api/oauth/authorize")
    );
    assert_eq!(
        conf.token_endpoint.as_str(),
        format!("{origin}/oauth/token")
    );
    assert_eq!(conf.source, DiscoverySource::WellKnown);
    assert!(conf
        .capabilities
        .contains(&"context-passthrough-banner".to_owned()));
    assert_eq!(
        conf.requested_scopes().last().unwrap(),
        "patient/*.read",
        "v1 when v2 is not advertised"
    );
    assert!(!conf.iss_parameter_supported);
}

#[tokio::test]
async fn a_capability_statement_only_server_is_found_through_metadata() {
    let router = Router::new().route(
        "/fhir/metadata",
        get(|| async {
            Json(json!({"resourceType": "CapabilityStatement", "rest": [{"mode": "server", "security": {"extension": [{
                "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                "extension": [{"url": "authorize", "valueUri": "https://login.example/authorize"},
                              {"url": "token", "valueUri": "https://login.example/token"},
                              {"url": "revoke", "valueUri": "https://login.example/revoke"}]}]}}]}))
        }),
    );
    let origin = serve(router).await;
    let conf = discover(
        &folio_smart::http::client().unwrap(),
        &parse_fhir_base(&format!("{origin}/fhir")).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(conf.source, DiscoverySource::CapabilityStatement);
    assert_eq!(
        conf.revocation_endpoint.unwrap().as_str(),
        "https://login.example/revoke"
    );
}

#[tokio::test]
async fn unreachable_and_non_smart_servers_are_told_apart() {
    let http = folio_smart::http::client().unwrap();
    let closed = discover(&http, &parse_fhir_base("http://127.0.0.1:9/fhir").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(closed, SmartError::Unreachable(_)), "{closed:?}");
    let origin = serve(Router::new().route(
        "/fhir/metadata",
        get(|| async { Json(json!({"resourceType": "CapabilityStatement"})) }),
    ))
    .await;
    let plain = discover(&http, &parse_fhir_base(&format!("{origin}/fhir")).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(plain, SmartError::NotSmart), "{plain:?}");
    let html = serve(Router::new().fallback(|| async { "<html>hello</html>" })).await;
    let not_json = discover(&http, &parse_fhir_base(&format!("{html}/fhir")).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(not_json, SmartError::NotSmart), "{not_json:?}");
}

/// A token endpoint that answers in lower case `bearer`, omits `scope`, rotates refresh tokens
/// and then refuses with `invalid_grant`.
#[tokio::test]
async fn token_responses_as_plans_really_send_them() {
    #[derive(Default)]
    struct Seen {
        forms: Vec<Vec<(String, String)>>,
    }
    let seen = Arc::new(Mutex::new(Seen::default()));
    let token = post(
        |State(seen): State<Arc<Mutex<Seen>>>, body: String| async move {
            let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
                .into_owned()
                .collect();
            let n = {
                let mut s = seen.lock().unwrap();
                s.forms.push(form.clone());
                s.forms.len()
            };
            match n {
                1 => (
                    axum::http::StatusCode::OK,
                    Json(
                        json!({"access_token": "at-1", "token_type": "bearer", "expires_in": 3600,
                "refresh_token": "rt-1", "patient": "p-42", "unknown_extension": [1, 2]}),
                    ),
                ),
                2 => (
                    axum::http::StatusCode::OK,
                    Json(
                        json!({"access_token": "at-2", "token_type": "Bearer", "expires_in": 3600,
                "scope": "patient/*.read", "refresh_token": "rt-2"}),
                    ),
                ),
                3 => (
                    axum::http::StatusCode::OK,
                    Json(json!({"access_token": "at-3", "token_type": "BEARER", "expires_in": 60})),
                ),
                _ => (
                    axum::http::StatusCode::BAD_REQUEST,
                    Json(json!({"error": "invalid_grant"})),
                ),
            }
        },
    );
    let origin = serve(
        Router::new()
            .route("/fhir/.well-known/smart-configuration", get(|State(_): State<Arc<Mutex<Seen>>>| async {
                Json(json!({"authorization_endpoint": "/auth", "token_endpoint": "/token", "capabilities": []}))
            }))
            .route("/token", token)
            .with_state(seen.clone()),
    )
    .await;
    let http = folio_smart::http::client().unwrap();
    let conf = discover(&http, &parse_fhir_base(&format!("{origin}/fhir")).unwrap())
        .await
        .unwrap();
    let pending = PendingAuthorization::new(
        conf.clone(),
        "folio",
        "http://127.0.0.1:5/cb/x",
        conf.requested_scopes(),
    );
    let params = vec![
        ("code".to_owned(), "the-code".to_owned()),
        ("state".to_owned(), pending.state().to_owned()),
    ];
    let code = pending.accept("http://127.0.0.1:5/cb/x", &params).unwrap();
    let t1 = folio_smart::exchange_code(&http, &pending, &ClientAuth::None, code)
        .await
        .unwrap();
    assert_eq!(
        t1.access_token.expose(),
        "at-1",
        "token_type is compared case-insensitively"
    );
    assert_eq!(t1.patient.as_deref(), Some("p-42"));
    assert_eq!(
        t1.expires_in,
        Some(std::time::Duration::from_secs(3600)),
        "how long access lasts, as the plan said"
    );
    assert_eq!(
        t1.scopes,
        conf.requested_scopes(),
        "no scope in the response means what was asked"
    );
    {
        let s = seen.lock().unwrap();
        let form = &s.forms[0];
        let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("grant_type"), Some("authorization_code"));
        assert_eq!(
            get("client_id"),
            Some("folio"),
            "a public client names itself"
        );
        assert_eq!(get("redirect_uri"), Some("http://127.0.0.1:5/cb/x"));
        assert_eq!(get("code_verifier").map(str::len), Some(43));
    }
    let rt1 = t1.refresh_token.clone().unwrap();
    let t2 = folio_smart::refresh(&http, &conf, "folio", &ClientAuth::None, &rt1, &t1.scopes)
        .await
        .unwrap();
    assert_eq!(
        t2.refresh_token.as_ref().unwrap().expose(),
        "rt-2",
        "rotated"
    );
    assert_eq!(t2.scopes, vec!["patient/*.read"]);
    let t3 = folio_smart::refresh(
        &http,
        &conf,
        "folio",
        &ClientAuth::None,
        t2.refresh_token.as_ref().unwrap(),
        &t2.scopes,
    )
    .await
    .unwrap();
    assert_eq!(
        t3.refresh_token.as_ref().unwrap().expose(),
        "rt-2",
        "not rotated this time: the old one is kept"
    );
    assert_eq!(t3.expires_in, Some(std::time::Duration::from_secs(60)));
    let err = folio_smart::refresh(
        &http,
        &conf,
        "folio",
        &ClientAuth::None,
        &Sensitive::new("rt-2".into()),
        &t2.scopes,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, SmartError::GrantRevoked), "{err:?}");
    assert!(!format!("{t1:?}").contains("at-1"), "Debug shows no token");
}

#[tokio::test]
async fn the_sandbox_is_discovered_with_v2_scopes_and_iss_support() {
    let sandbox = folio_sandbox::Sandbox::start(folio_sandbox::SandboxConfig::default())
        .await
        .unwrap();
    let conf = discover(
        &folio_smart::http::client().unwrap(),
        &parse_fhir_base(sandbox.fhir_base()).unwrap(),
    )
    .await
    .unwrap();
    assert!(conf.iss_parameter_supported);
    assert!(conf.supports_v2_scopes());
    let scopes: Value = json!(conf.requested_scopes());
    assert_eq!(
        scopes,
        json!([
            "launch/patient",
            "openid",
            "fhirUser",
            "offline_access",
            "patient/*.rs"
        ])
    );
}
