//! Issue 14, item 1: nothing of a sign-in or a member's records travels in cleartext. A plan
//! must be `https` (plain `http` only on this computer), and so must every endpoint its
//! discovery names; otherwise it is refused with a sentence saying why, before any request
//! that would carry a code, a verifier or a token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use folio_core::api::{ErrorCode, RedirectStyle};
use folio_core::{DataDir, Folio};
use folio_sandbox::{Faults, MemberSource, Sandbox, SandboxConfig};

fn folio(dir: &tempfile::TempDir) -> Folio {
    Folio::with_secrets(
        DataDir::at(dir.path()),
        Arc::new(folio_secrets::MemoryStore::default()),
    )
    .unwrap()
}

#[tokio::test]
async fn a_plan_on_the_network_in_cleartext_is_refused_when_added() {
    let dir = tempfile::tempdir().unwrap();
    let folio = folio(&dir);
    for base in [
        "http://fhir.plan.example/r4",
        "http://10.1.2.3/fhir",
        "http://localhost.plan.example/fhir",
    ] {
        let e = folio
            .add_plan("Cleartext", base, "folio", RedirectStyle::Loopback)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidPlan, "{base}");
        let said = e.to_string();
        assert!(said.contains("must begin with https://"), "{base}: {said}");
        assert!(!said.contains("plan.example"), "no address in the sentence");
    }
    assert!(
        folio
            .plans()
            .await
            .unwrap()
            .iter()
            .all(|p| p.name != "Cleartext"),
        "nothing was saved"
    );
    for base in [
        "https://fhir.plan.example/r4",
        "http://127.0.0.1:9/fhir",
        "http://localhost:9/fhir",
        "http://[::1]:9/fhir",
    ] {
        assert!(
            folio
                .add_plan("Fine", base, "folio", RedirectStyle::Loopback)
                .await
                .is_ok(),
            "{base}"
        );
    }
}

#[tokio::test]
async fn a_plan_whose_discovery_names_a_cleartext_endpoint_is_refused_before_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let folio = folio(&dir);
    let sandbox = Sandbox::start(SandboxConfig {
        members: vec![MemberSource::Generated {
            login: "demo".into(),
            name: ("Ana".into(), "Rivera".into()),
            seed: 1,
            size: 20,
        }],
        ..Default::default()
    })
    .await
    .unwrap();
    folio.set_demo_plan_base(sandbox.fhir_base()).await.unwrap();
    // A network attacker rewrote discovery: the plan (on loopback) now names endpoints on
    // another host in cleartext.
    sandbox.set_faults(Faults {
        endpoints_origin: Some("http://login.plan.example".into()),
        ..Default::default()
    });
    let e = folio.begin_sign_in("demo").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidPlan);
    let said = e.to_string();
    assert!(
        said.contains("sign-in address") && said.contains("must begin with https://"),
        "{said}"
    );
    // Another scheme altogether is refused the same way.
    sandbox.set_faults(Faults {
        endpoints_origin: Some("file://".into()),
        ..Default::default()
    });
    assert_eq!(
        folio.begin_sign_in("demo").await.unwrap_err().code(),
        ErrorCode::InvalidPlan
    );
    // The same plan with its own endpoints connects as before.
    sandbox.set_faults(Faults::default());
    let started = folio.begin_sign_in("demo").await.unwrap();
    assert!(started.authorize_url.starts_with(sandbox.origin()));
    assert!(folio.cancel_sign_in("demo"));
}
