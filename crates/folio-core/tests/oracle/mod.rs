//! The test oracle shared by the sync tests that compute what a member should hold from the
//! resources themselves (`strict_plans.rs`, `interop_fhir.rs`): written out here, not taken
//! from Folio's code, so a test never checks Folio against itself.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;

/// The types Folio searches (its sync's list) and the Patient it reads.
pub const SEARCHED: &[&str] = &[
    "Patient",
    "Coverage",
    "ExplanationOfBenefit",
    "Encounter",
    "Condition",
    "Observation",
    "DiagnosticReport",
    "MedicationRequest",
    "Immunization",
    "AllergyIntolerance",
    "Procedure",
    "DocumentReference",
    "CarePlan",
    "Goal",
    "Device",
    "MedicationDispense",
];

/// References at the end of a path of element names (arrays walked), written out here rather
/// than taken from folio-fhir so the test does not check the helper against itself.
pub fn refs_at<'a>(v: &'a Value, path: &[&str], out: &mut Vec<&'a str>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| refs_at(i, path, out)),
        Value::Object(m) => match path.split_first() {
            Some((first, rest)) => {
                if let Some(c) = m.get(*first) {
                    refs_at(c, rest, out)
                }
            }
            None => out.extend(m.get("reference").and_then(Value::as_str)),
        },
        _ => {}
    }
}

/// The paths of what a member needs to read a record: a claim's patient, provider, insurer,
/// care team, facility, coverage and payee; a visit's people, place and provider; a
/// prescription's medication; a coverage's payor.
pub fn linked_paths(ty: &str) -> &'static [&'static [&'static str]] {
    match ty {
        "ExplanationOfBenefit" => &[
            &["patient"],
            &["provider"],
            &["insurer"],
            &["careTeam", "provider"],
            &["facility"],
            &["insurance", "coverage"],
            &["payee", "party"],
        ],
        "Encounter" => &[
            &["participant", "individual"],
            &["serviceProvider"],
            &["location", "location"],
        ],
        "MedicationRequest" => &[&["medicationReference"]],
        "Coverage" => &[&["payor"]],
        _ => &[],
    }
}
