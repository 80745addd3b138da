//! The records a resource points at that a member needs to read it: a claim's provider,
//! insurer, care team, facility, coverage and payee; a visit's practitioners, place and
//! provider organization; a prescription's medication; a coverage's payor.
//!
//! When a plan does not serve them through `_include`, Folio fetches them itself; this lists
//! them, as relative `Type/id` references (absolute, contained, `urn:` and logical references
//! are left out: they are not fetched from the plan's base).

use serde_json::Value;

/// Where each resource type keeps the references Folio follows: a path of element names
/// (arrays are walked through), ending at a `Reference`.
fn paths(resource_type: &str) -> &'static [&'static [&'static str]] {
    match resource_type {
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

/// A relative reference `Type/id` (or `Type/id/_history/v`) as `(Type, id)`.
pub fn relative_reference(reference: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = reference.split('/').collect();
    let (ty, id) = match parts.as_slice() {
        [ty, id] | [ty, id, "_history", _] => (*ty, *id),
        _ => return None,
    };
    let type_ok = ty.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && ty.chars().all(|c| c.is_ascii_alphabetic());
    let id_ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    (type_ok && id_ok).then(|| (ty.to_owned(), id.to_owned()))
}

fn walk<'a>(value: &'a Value, path: &[&str], out: &mut Vec<&'a str>) {
    match value {
        Value::Array(items) => items.iter().for_each(|i| walk(i, path, out)),
        Value::Object(map) => match path.split_first() {
            Some((first, rest)) => {
                if let Some(child) = map.get(*first) {
                    walk(child, rest, out);
                }
            }
            None => {
                if let Some(r) = map.get("reference").and_then(Value::as_str) {
                    out.push(r);
                }
            }
        },
        _ => {}
    }
}

/// The records `resource` points at that a member needs to read it, as `(Type, id)`, in
/// order, without duplicates. Empty for types Folio does not follow.
pub fn linked_records(resource: &Value) -> Vec<(String, String)> {
    let ty = resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut raw = Vec::new();
    for path in paths(ty) {
        walk(resource, path, &mut raw);
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for r in raw {
        if let Some(key) = relative_reference(r) {
            if !out.contains(&key) {
                out.push(key);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(v: &Value) -> Vec<String> {
        linked_records(v)
            .into_iter()
            .map(|(t, i)| format!("{t}/{i}"))
            .collect()
    }

    #[test]
    fn a_claim_names_its_provider_insurer_team_facility_coverage_payee_and_patient() {
        let eob = json!({
            "resourceType": "ExplanationOfBenefit", "id": "e1",
            "patient": {"reference": "Patient/p1"},
            "provider": {"reference": "Organization/o1"},
            "insurer": {"reference": "Organization/payer"},
            "careTeam": [{"provider": {"reference": "Practitioner/d1"}},
                         {"provider": {"reference": "Practitioner/d2/_history/3"}},
                         {"provider": {"reference": "Organization/o1"}}],
            "facility": {"reference": "Location/l1"},
            "insurance": [{"coverage": {"reference": "Coverage/c1"}}],
            "payee": {"party": {"reference": "Organization/o1"}},
            "item": [{"encounter": [{"reference": "Encounter/v1"}]}],
            "referral": {"reference": "ServiceRequest/s1"}
        });
        assert_eq!(
            keys(&eob),
            [
                "Patient/p1",
                "Organization/o1",
                "Organization/payer",
                "Practitioner/d1",
                "Practitioner/d2",
                "Location/l1",
                "Coverage/c1"
            ]
        );
    }

    #[test]
    fn visits_prescriptions_and_coverage_name_what_they_need() {
        let enc = json!({"resourceType": "Encounter",
            "participant": [{"individual": {"reference": "Practitioner/d1"}}],
            "serviceProvider": {"reference": "Organization/o1"},
            "location": [{"location": {"reference": "Location/l1"}}],
            "subject": {"reference": "Patient/p1"}});
        assert_eq!(
            keys(&enc),
            ["Practitioner/d1", "Organization/o1", "Location/l1"]
        );
        let med = json!({"resourceType": "MedicationRequest",
            "medicationReference": {"reference": "Medication/m1"},
            "requester": {"reference": "Practitioner/d1"}});
        assert_eq!(keys(&med), ["Medication/m1"]);
        let cov =
            json!({"resourceType": "Coverage", "payor": [{"reference": "Organization/payer"}]});
        assert_eq!(keys(&cov), ["Organization/payer"]);
        assert!(keys(&json!({"resourceType": "Observation",
            "performer": [{"reference": "Practitioner/d1"}]}))
        .is_empty());
    }

    #[test]
    fn only_relative_references_are_followed() {
        let eob = json!({"resourceType": "ExplanationOfBenefit",
            "provider": {"reference": "https://other.example/fhir/Organization/o1"},
            "insurer": {"reference": "#contained"},
            "facility": {"reference": "urn:uuid:1234"},
            "careTeam": [{"provider": {"display": "Dr. No Reference"}},
                         {"provider": {"reference": "Practitioner/../../x"}},
                         {"provider": {"reference": "practitioner/lower"}}]});
        assert!(keys(&eob).is_empty(), "{:?}", keys(&eob));
        assert_eq!(
            relative_reference("Organization/a.b-C1"),
            Some(("Organization".into(), "a.b-C1".into()))
        );
        assert_eq!(relative_reference("Organization/"), None);
    }
}
