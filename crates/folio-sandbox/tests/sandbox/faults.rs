//! Each fault mode, switched at runtime in-process and over the admin endpoint.

use std::time::{Duration, Instant};

use folio_sandbox::{Faults, MemberSource, SandboxConfig};
use serde_json::Value;

use crate::support::{self, client, connect, fhir, Consent};

async fn setup() -> (folio_sandbox::Sandbox, String) {
    let config = SandboxConfig {
        members: vec![MemberSource::Generated {
            login: "demo".into(),
            name: ("Ana".into(), "Rivera".into()),
            seed: 3,
            size: 400,
        }],
        ..Default::default()
    };
    let sb = support::start(config).await;
    let t = connect(
        &sb,
        &Consent {
            share_sensitive: true,
            ..Default::default()
        },
    )
    .await;
    let at = t["access_token"].as_str().unwrap().to_owned();
    (sb, at)
}

#[tokio::test]
async fn rate_limit_sends_429_with_retry_after() {
    let (sb, at) = setup().await;
    sb.set_faults(Faults {
        rate_limit_every: Some(2),
        retry_after_secs: 7,
        ..Default::default()
    });
    assert_eq!(fhir(&sb, &at, "Coverage").await.status(), 200);
    let limited = fhir(&sb, &at, "Coverage").await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "7");
    assert_eq!(fhir(&sb, &at, "Coverage").await.status(), 200);
}

#[tokio::test]
async fn server_errors_and_slow_responses() {
    let (sb, at) = setup().await;
    sb.set_faults(Faults {
        server_error_every: Some(1),
        server_error_status: Some(503),
        ..Default::default()
    });
    let res = fhir(&sb, &at, "Coverage").await;
    assert_eq!(res.status(), 503);
    assert_eq!(
        res.json::<Value>().await.unwrap()["resourceType"],
        "OperationOutcome"
    );
    sb.set_faults(Faults {
        slow_ms: 300,
        ..Default::default()
    });
    let start = Instant::now();
    assert_eq!(fhir(&sb, &at, "Coverage").await.status(), 200);
    assert!(start.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn a_dropped_connection_cuts_the_body() {
    let (sb, at) = setup().await;
    sb.set_faults(Faults {
        drop_connection_every: Some(1),
        ..Default::default()
    });
    let res = fhir(&sb, &at, "Observation?_count=100").await;
    assert_eq!(res.status(), 200, "the status line arrives");
    assert!(res.bytes().await.is_err(), "the body never completes");
}

#[tokio::test]
async fn access_tokens_expire_after_n_requests() {
    let (sb, at) = setup().await;
    sb.set_faults(Faults {
        access_token_max_requests: Some(2),
        ..Default::default()
    });
    assert_eq!(fhir(&sb, &at, "Coverage").await.status(), 200);
    assert_eq!(fhir(&sb, &at, "Coverage").await.status(), 200);
    assert_eq!(fhir(&sb, &at, "Coverage").await.status(), 401);
}

async fn next_of(sb: &folio_sandbox::Sandbox, at: &str, url: &str) -> Option<String> {
    let b: Value = fhir(sb, at, url).await.json().await.unwrap();
    b["link"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["relation"] == "next")
        .map(|l| l["url"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn paging_loop_malformed_and_oversized_pages() {
    let (sb, at) = setup().await;
    sb.set_faults(Faults {
        paging_loop: true,
        ..Default::default()
    });
    let p2 = next_of(&sb, &at, "Observation?_count=10").await.unwrap();
    let p3 = next_of(&sb, &at, &p2).await.unwrap();
    assert_eq!(p2, p3, "page 2 points back to itself");

    sb.set_faults(Faults {
        malformed_page: Some(2),
        ..Default::default()
    });
    let p2 = next_of(&sb, &at, "Observation?_count=10").await.unwrap();
    let body = fhir(&sb, &at, &p2).await.bytes().await.unwrap();
    assert!(
        serde_json::from_slice::<Value>(&body).is_err(),
        "page 2 is not JSON"
    );

    sb.set_faults(Faults {
        oversized_page_bytes: Some(3_000_000),
        ..Default::default()
    });
    let body = fhir(&sb, &at, "Observation?_count=10")
        .await
        .bytes()
        .await
        .unwrap();
    assert!(body.len() >= 3_000_000);
    assert!(
        serde_json::from_slice::<Value>(&body).is_ok(),
        "still valid JSON: only its size is wrong"
    );
}

#[tokio::test]
async fn faults_switch_at_runtime_over_http() {
    let (sb, at) = setup().await;
    let admin = format!("{}/_sandbox/faults", sb.origin());
    let res = client()
        .put(&admin)
        .json(&serde_json::json!({"rate_limit_every": 1, "retry_after_secs": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(fhir(&sb, &at, "Coverage").await.status(), 429);
    let current: Value = client()
        .get(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current["rate_limit_every"], 1);
    let refused = client()
        .put(&admin)
        .json(&serde_json::json!({"no_such_fault": true}))
        .send()
        .await
        .unwrap();
    assert!(refused.status().is_client_error());
    client()
        .put(&admin)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(fhir(&sb, &at, "Coverage").await.status(), 200);
}

#[tokio::test]
async fn token_answers_can_be_slow_name_another_patient_and_discovery_can_move() {
    let sb = support::start(SandboxConfig {
        members: vec![MemberSource::Generated {
            login: "demo".into(),
            name: ("Ana".into(), "Rivera".into()),
            seed: 3,
            size: 50,
        }],
        ..Default::default()
    })
    .await;
    sb.set_faults(Faults {
        token_patient: Some("../Patient/other?x=1".into()),
        token_delay_ms: 300,
        endpoints_origin: Some("http://127.0.0.1:9".into()),
        ..Default::default()
    });
    let started = Instant::now();
    let t = connect(&sb, &Consent::default()).await;
    assert!(started.elapsed() >= Duration::from_millis(300), "slow");
    assert_eq!(t["patient"], "../Patient/other?x=1");
    let well_known: Value = client()
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
        well_known["token_endpoint"],
        "http://127.0.0.1:9/auth/token"
    );
    assert_eq!(
        well_known["revocation_endpoint"],
        "http://127.0.0.1:9/auth/revoke"
    );
    let metadata = fhir(&sb, "", "metadata").await.text().await.unwrap();
    assert!(metadata.contains("http://127.0.0.1:9/auth/token"));
    assert!(!metadata.contains(&format!("{}/auth/token", sb.origin())));
}
