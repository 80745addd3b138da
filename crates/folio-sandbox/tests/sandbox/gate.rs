//! The test gate: holds the chosen FHIR request, unanswered, until released.

use folio_sandbox::{GateStatus, MemberSource, SandboxConfig};

use crate::support::{self, client, connect, fhir, Consent};

async fn gate(sb: &folio_sandbox::Sandbox, query: &str) -> GateStatus {
    let res = client()
        .get(format!("{}/_sandbox/gate{query}", sb.origin()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn the_chosen_request_is_held_until_released_and_the_others_pass() {
    let sb = support::start(SandboxConfig {
        members: vec![MemberSource::Generated {
            login: "demo".into(),
            name: ("Ana".into(), "Rivera".into()),
            seed: 3,
            size: 100,
        }],
        ..Default::default()
    })
    .await;
    let at = connect(&sb, &Consent::default()).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = gate(&sb, "").await;
    assert_eq!(before.held, None);

    let set = client()
        .put(format!("{}/_sandbox/gate", sb.origin()))
        .json(&serde_json::json!({"hold_request": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    // The first request passes; the second waits at the gate.
    assert_eq!(fhir(&sb, &at, "Coverage").await.status(), 200);
    let held = tokio::spawn({
        let (base, at) = (sb.fhir_base().to_owned(), at.clone());
        async move {
            client()
                .get(format!("{base}/Condition"))
                .bearer_auth(at)
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let status = gate(&sb, "?wait_ms=30000").await;
    let h = status.held.expect("the second request is held");
    assert_eq!(h.number, before.served + 2);
    // Its path below the FHIR base.
    assert!(h.request.starts_with("/Condition"), "{}", h.request);
    assert_eq!(status.served, before.served + 2);
    assert!(!held.is_finished(), "a held request is not answered");

    let released = client()
        .delete(format!("{}/_sandbox/gate", sb.origin()))
        .send()
        .await
        .unwrap();
    assert_eq!(released.status(), 204);
    assert_eq!(held.await.unwrap(), 200);
    assert_eq!(gate(&sb, "").await.held, None);
    assert_eq!(
        fhir(&sb, &at, "Coverage").await.status(),
        200,
        "no other is held"
    );
}
