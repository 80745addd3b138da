//! Real plans in Folio's catalog (issue 15 §3): Folio ships no client id for them, so each is a
//! guide to registering Folio at the plan's developer portal. Picking one never starts a
//! sign-in; saving what the portal gave makes the member's own entry under the id whose
//! redirect address the guide showed. No network: nothing here asks a plan anything.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use folio_core::api::{ClientAuthMethod, RedirectStyle};
use folio_core::{CoreError, DataDir, Folio, NewPlan, Sensitive};
use folio_secrets::MemoryStore;

fn folio() -> (tempfile::TempDir, Folio) {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let folio = Folio::with_secrets(DataDir::at(dir.path()), secrets).unwrap();
    (dir, folio)
}

#[tokio::test]
async fn a_catalog_plan_without_a_client_id_asks_for_registration_instead_of_signing_in() {
    let (_dir, folio) = folio();
    let plans = folio.plans().await.unwrap();
    let humana = plans
        .iter()
        .find(|p| p.id == "humana-patient-access")
        .unwrap();
    assert!(humana.from_catalog);
    assert_eq!(humana.client_id, "");
    let reg = humana.registration.as_ref().unwrap();
    assert_eq!(reg.client_auth, ClientAuthMethod::SecretBasic);
    assert_eq!(reg.portal, "https://developers.humana.com/");
    // Connecting it is refused before any discovery, listener or keychain read.
    let err = folio.begin_sign_in(&humana.id).await.unwrap_err();
    assert!(matches!(err, CoreError::RegistrationNeeded), "{err:?}");
}

#[tokio::test]
async fn saving_what_the_portal_gave_makes_the_plan_the_guide_named() {
    let (_dir, folio) = folio();
    let plans = folio.plans().await.unwrap();
    let bb = plans
        .iter()
        .find(|p| p.id == "cms-blue-button-sandbox")
        .unwrap();
    let reg = bb.registration.clone().unwrap();
    assert_eq!(bb.redirect, RedirectStyle::CustomScheme);
    let added = folio
        .add_plan_with(NewPlan {
            client_auth: reg.client_auth,
            client_secret: Some(Sensitive::new("portal-secret-0123456789".to_owned())),
            ..NewPlan::public(&bb.name, &bb.fhir_base, "client-from-portal", bb.redirect)
        })
        .await
        .unwrap();
    // The redirect address the guide showed (`…/cb/{member_plan_id}`) is this plan's.
    assert_eq!(added.plan.id, reg.member_plan_id);
    assert_eq!(added.plan.fhir_base, bb.fhir_base);
    assert!(!added.plan.from_catalog);
    assert!(added.plan.registration.is_none());
    // The catalog's guide is still listed, untouched.
    let again = folio.plans().await.unwrap();
    assert!(again
        .iter()
        .any(|p| p.id == bb.id && p.registration.is_some()));
}
