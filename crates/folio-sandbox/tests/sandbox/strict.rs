//! Strict-server mode: each way a real FHIR server refuses or pages differently, switched at
//! runtime, alone and together; the CapabilityStatement follows the mode unless it overstates.

use folio_sandbox::{Faults, MemberSource, SandboxConfig, StrictServer};
use serde_json::Value;

use crate::support::{self, connect, fhir, Consent};

async fn setup() -> (folio_sandbox::Sandbox, String, String) {
    let config = SandboxConfig {
        members: vec![MemberSource::Generated {
            login: "demo".into(),
            name: ("Ana".into(), "Rivera".into()),
            seed: 5,
            size: 300,
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
    let patient = t["patient"].as_str().unwrap().to_owned();
    (sb, at, patient)
}

fn strict(s: StrictServer) -> Faults {
    Faults {
        strict: s,
        ..Default::default()
    }
}

async fn status_and_body(sb: &folio_sandbox::Sandbox, at: &str, path: &str) -> (u16, Value) {
    let res = fhir(sb, at, path).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

fn diagnostics(outcome: &Value) -> String {
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    outcome["issue"][0]["diagnostics"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn eob_resource(metadata: &Value) -> Value {
    metadata["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "ExplanationOfBenefit")
        .unwrap()
        .clone()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

fn param_names(resource: &Value) -> Vec<String> {
    resource["searchParam"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_wildcard_include_is_refused_naming_the_parameter_and_specific_ones_work() {
    let (sb, at, p) = setup().await;
    let wildcard = format!("ExplanationOfBenefit?patient={p}&_include=ExplanationOfBenefit:*");
    let (status, _) = status_and_body(&sb, &at, &wildcard).await;
    assert_eq!(status, 200, "lenient by default");
    sb.set_faults(strict(StrictServer {
        reject_include_wildcard: true,
        ..Default::default()
    }));
    let before = sb.rejected_requests().len();
    let (status, body) = status_and_body(&sb, &at, &wildcard).await;
    assert_eq!(status, 400);
    let d = diagnostics(&body);
    assert!(d.contains("_include"), "{d}");
    assert!(
        d.contains("'*' is not supported as a value for search inclusion parameters"),
        "{d}"
    );
    let rejected = sb.rejected_requests();
    assert_eq!(rejected.len(), before + 1, "the 400 is counted");
    assert!(rejected
        .last()
        .unwrap()
        .contains("_include=ExplanationOfBenefit"));
    let (status, body) = status_and_body(
        &sb,
        &at,
        &format!("ExplanationOfBenefit?patient={p}&_include=ExplanationOfBenefit:provider"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(body["entry"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["search"]["mode"] == "include"));
    let (_, meta) = status_and_body(&sb, &at, "metadata").await;
    let includes = strings(&eob_resource(&meta)["searchInclude"]);
    assert!(!includes.contains(&"ExplanationOfBenefit:*".to_owned()));
    assert!(includes.contains(&"ExplanationOfBenefit:provider".to_owned()));
}

#[tokio::test]
async fn any_include_revinclude_and_last_updated_can_be_refused_and_are_then_not_declared() {
    let (sb, at, p) = setup().await;
    sb.set_faults(strict(StrictServer {
        reject_include: true,
        reject_revinclude: true,
        reject_last_updated: true,
        ..Default::default()
    }));
    for (path, names) in [
        (
            format!("ExplanationOfBenefit?patient={p}&_include=ExplanationOfBenefit:provider"),
            "_include",
        ),
        (
            format!("Condition?patient={p}&_revinclude=Provenance:target"),
            "_revinclude",
        ),
        (
            format!("Condition?patient={p}&_lastUpdated=gt2020-01-01"),
            "_lastUpdated",
        ),
    ] {
        let (status, body) = status_and_body(&sb, &at, &path).await;
        assert_eq!(status, 400, "{path}");
        assert!(diagnostics(&body).contains(names), "{path}");
    }
    assert_eq!(sb.rejected_requests().len(), 3);
    let (status, _) = status_and_body(&sb, &at, &format!("Condition?patient={p}")).await;
    assert_eq!(status, 200, "the plain search still works");
    let (_, meta) = status_and_body(&sb, &at, "metadata").await;
    let eob = eob_resource(&meta);
    assert!(eob.get("searchInclude").is_none(), "{eob}");
    assert!(eob.get("searchRevInclude").is_none(), "{eob}");
    assert!(!param_names(&eob).contains(&"_lastUpdated".to_owned()));
    assert!(param_names(&eob).contains(&"_id".to_owned()));

    // A server that declares what it then refuses.
    sb.set_faults(strict(StrictServer {
        reject_include: true,
        reject_revinclude: true,
        reject_last_updated: true,
        overstate_capabilities: true,
        ..Default::default()
    }));
    let (_, meta) = status_and_body(&sb, &at, "metadata").await;
    let eob = eob_resource(&meta);
    assert!(strings(&eob["searchInclude"]).contains(&"ExplanationOfBenefit:*".to_owned()));
    assert_eq!(strings(&eob["searchRevInclude"]), ["Provenance:target"]);
    assert!(param_names(&eob).contains(&"_lastUpdated".to_owned()));
    let (status, _) = status_and_body(
        &sb,
        &at,
        &format!("Condition?patient={p}&_revinclude=Provenance:target"),
    )
    .await;
    assert_eq!(status, 400, "declared, and still refused");
}

async fn first_page_size(sb: &folio_sandbox::Sandbox, at: &str, path: &str) -> usize {
    let (status, body) = status_and_body(sb, at, path).await;
    assert_eq!(status, 200);
    body["entry"].as_array().unwrap().len()
}

#[tokio::test]
async fn count_can_be_ignored_or_capped() {
    let (sb, at, p) = setup().await;
    let path = format!("Observation?patient={p}&_count=7");
    assert_eq!(first_page_size(&sb, &at, &path).await, 7);
    sb.set_faults(strict(StrictServer {
        ignore_count: true,
        ..Default::default()
    }));
    assert_eq!(
        first_page_size(&sb, &at, &path).await,
        50,
        "the server's own page size"
    );
    sb.set_faults(strict(StrictServer {
        max_count: Some(5),
        ..Default::default()
    }));
    assert_eq!(first_page_size(&sb, &at, &path).await, 5);
    assert_eq!(
        first_page_size(&sb, &at, &format!("Observation?patient={p}&_count=3")).await,
        3,
        "below the cap, as asked"
    );
    assert!(sb.rejected_requests().is_empty());
}

#[tokio::test]
async fn next_links_can_be_relative_and_totals_absent() {
    let (sb, at, p) = setup().await;
    let path = format!("Observation?patient={p}&_count=10");
    let (_, body) = status_and_body(&sb, &at, &path).await;
    assert!(body["total"].as_u64().unwrap() > 10);
    sb.set_faults(strict(StrictServer {
        relative_links: true,
        no_total: true,
        ..Default::default()
    }));
    let (_, body) = status_and_body(&sb, &at, &path).await;
    assert!(body.get("total").is_none(), "no total");
    let next = body["link"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["relation"] == "next")
        .unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(next.starts_with("_page/"), "{next}");
    // Relative to the FHIR base: it resolves and serves page 2.
    let (status, page2) = status_and_body(&sb, &at, &next).await;
    assert_eq!(status, 200);
    assert_eq!(page2["entry"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn observation_searches_can_require_a_category() {
    let (sb, at, p) = setup().await;
    sb.set_faults(strict(StrictServer {
        require_observation_category: true,
        ..Default::default()
    }));
    let (status, body) = status_and_body(&sb, &at, &format!("Observation?patient={p}")).await;
    assert_eq!(status, 400);
    assert!(diagnostics(&body).contains("category"));
    let (status, _) = status_and_body(
        &sb,
        &at,
        &format!("Observation?patient={p}&category=laboratory,vital-signs"),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = status_and_body(&sb, &at, &format!("Condition?patient={p}")).await;
    assert_eq!(status, 200, "only Observation needs it");
    assert_eq!(sb.rejected_requests().len(), 1);
    assert!(sb.requests_served() >= 3);
}

#[tokio::test]
async fn every_strict_behaviour_at_once_switches_at_runtime_over_http() {
    let (sb, at, p) = setup().await;
    let all = StrictServer {
        reject_include_wildcard: true,
        reject_include: true,
        reject_revinclude: true,
        reject_last_updated: true,
        ignore_count: true,
        max_count: Some(20),
        relative_links: true,
        no_total: true,
        require_observation_category: true,
        overstate_capabilities: false,
        ..Default::default()
    };
    let res = support::client()
        .put(format!("{}/_sandbox/faults", sb.origin()))
        .json(&strict(all.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (status, body) = status_and_body(
        &sb,
        &at,
        &format!("Observation?patient={p}&category=laboratory,vital-signs&_count=100"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["entry"].as_array().unwrap().len(),
        20,
        "ignored, then capped"
    );
    assert!(body.get("total").is_none());
    let (status, _) = status_and_body(
        &sb,
        &at,
        &format!("ExplanationOfBenefit?patient={p}&_include=ExplanationOfBenefit:*"),
    )
    .await;
    assert_eq!(status, 400);
    sb.set_faults(Faults::default());
    let (status, _) = status_and_body(
        &sb,
        &at,
        &format!("ExplanationOfBenefit?patient={p}&_include=ExplanationOfBenefit:*"),
    )
    .await;
    assert_eq!(status, 200, "lenient again");
}
