//! Small readers over a resource's JSON that several modules share: a string element, the first
//! of several paths that holds one, where each type keeps its clinical date, and the concept that
//! says what a resource is.
//!
//! A leaf: imports nothing from the crate, so every module may read with it (index fields,
//! dedupe keys, observations, coverage) without reaching the others.

use serde_json::{Map, Value};

pub(crate) fn str_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// The first of these paths (`a.b` walks objects) that holds a string.
pub(crate) fn first_str<'a>(obj: &'a Map<String, Value>, paths: &[&str]) -> Option<&'a str> {
    paths.iter().find_map(|path| {
        let mut parts = path.split('.');
        let mut current = obj.get(parts.next()?)?;
        for part in parts {
            current = current.get(part)?;
        }
        current.as_str()
    })
}

pub(crate) fn clinical_date(resource_type: &str, obj: &Map<String, Value>) -> Option<String> {
    let paths: &[&str] = match resource_type {
        "Observation" | "DiagnosticReport" => &[
            "effectiveDateTime",
            "effectivePeriod.start",
            "effectiveInstant",
            "issued",
        ],
        "Encounter" => &["period.start"],
        "Condition" => &["onsetDateTime", "onsetPeriod.start", "recordedDate"],
        "ExplanationOfBenefit" | "Claim" => &["billablePeriod.start", "created"],
        "MedicationRequest" => &["authoredOn"],
        "MedicationDispense" => &["whenHandedOver", "whenPrepared"],
        "MedicationStatement" => &["effectiveDateTime", "effectivePeriod.start", "dateAsserted"],
        "Immunization" => &["occurrenceDateTime", "recorded"],
        "Procedure" => &["performedDateTime", "performedPeriod.start"],
        "DocumentReference" => &["context.period.start", "date"],
        "AllergyIntolerance" => &["onsetDateTime", "recordedDate"],
        "Coverage" | "CarePlan" | "CareTeam" => &["period.start"],
        "ImagingStudy" => &["started"],
        "Provenance" => &["recorded"],
        _ => &[],
    };
    first_str(obj, paths).map(str::to_owned)
}

/// The concept that says what the resource is, per type.
pub(crate) fn main_concept(obj: &Map<String, Value>) -> Option<&Value> {
    ["code", "vaccineCode", "medicationCodeableConcept", "type"]
        .iter()
        .find_map(|k| obj.get(*k))
        .map(|v| {
            if let Value::Array(items) = v {
                items.first().unwrap_or(v)
            } else {
                v
            }
        })
}
