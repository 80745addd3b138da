//! The orchestration: a member's whole history, in order. Draws the member's profile and plan,
//! writes the administrative resources, then each batch of visits (every visit's clinical
//! record and claims, drawn by `clinical.rs` and `claims.rs`) followed by the Provenance over
//! that batch's claims. The resources themselves are made by the builders (`build.rs`,
//! `clinical.rs`, `claims.rs`), which never reach back here.

use serde_json::Value;

use super::build::{sanitize_member_key, Gen, Profile};
use super::claims::ClaimRef;
use super::dice::Dice;
use super::plan;

/// One generated member: the Patient first, then everything else.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedMember {
    /// Id (not reference) of the Patient, `<member_key>-patient`.
    pub patient_id: String,
    /// FHIR R4 resources as JSON; `resources[0]` is the Patient.
    pub resources: Vec<Value>,
}

pub(super) fn generate(
    member_key: &str,
    name: (&str, &str),
    seed: u64,
    target: usize,
) -> GeneratedMember {
    let mut d = Dice::new(seed);
    let profile = Profile::draw(&mut d);
    let plan = plan::make(&mut d, target, &profile.panel_weights());
    let mut g = Gen::new(
        sanitize_member_key(member_key),
        name,
        d,
        profile,
        plan.total,
    );
    g.administrative(&plan);
    let mut next = 0;
    for &len in &plan.batches {
        let mut batch: Vec<ClaimRef> = Vec::new();
        for visit in plan.visits.iter().skip(next).take(len) {
            g.visit(visit, &mut batch);
        }
        next += len;
        g.claims_provenance(&batch);
    }
    if plan.prior_auths > 0 {
        g.prior_authorizations();
    }
    debug_assert_eq!(g.out.len(), plan.count());
    GeneratedMember {
        patient_id: g.patient_id,
        resources: g.out,
    }
}
