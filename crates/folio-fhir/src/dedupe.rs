//! Linking copies of the same real-world item delivered by different sources (two plans, a
//! plan and an imported file). Conservative on purpose: a key is made only from facts that
//! identify the item (a business identifier, or code + day + value), never from ids, which
//! differ per source.

use serde_json::{Map, Value};

use crate::fields::{clinical_date, main_concept, str_at};

/// The first `system|value` identifier.
fn identifier(obj: &Map<String, Value>) -> Option<String> {
    let ident = obj
        .get("identifier")?
        .as_array()?
        .iter()
        .find(|i| str_at(i, "value").is_some())?;
    Some(format!(
        "{}|{}",
        str_at(ident, "system").unwrap_or(""),
        str_at(ident, "value")?
    ))
}

/// The first `system|code` of the concept that says what the resource is.
fn code(obj: &Map<String, Value>) -> Option<String> {
    let coding = main_concept(obj)?
        .get("coding")?
        .as_array()?
        .iter()
        .find(|c| str_at(c, "code").is_some())?;
    Some(format!(
        "{}|{}",
        str_at(coding, "system").unwrap_or(""),
        str_at(coding, "code")?
    ))
}

/// The day part of a FHIR date or dateTime.
fn day(date: &str) -> Option<&str> {
    date.get(..10).filter(|d| d.len() == 10)
}

fn quantity(obj: &Map<String, Value>) -> Option<String> {
    if let Some(q) = obj.get("valueQuantity") {
        let value = q.get("value")?;
        return Some(format!(
            "{value}{}",
            str_at(q, "code").or(str_at(q, "unit")).unwrap_or("")
        ));
    }
    obj.get("valueString")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The dedupe key of a resource, when it can be made safely.
pub(crate) fn key(resource_type: &str, obj: &Map<String, Value>) -> Option<String> {
    let when = || clinical_date(resource_type, obj).and_then(|d| day(&d).map(str::to_owned));
    let parts: Vec<String> = match resource_type {
        "ExplanationOfBenefit" | "Claim" | "Coverage" | "Organization" | "Practitioner" => {
            vec![identifier(obj)?]
        }
        "Encounter" => match identifier(obj) {
            Some(id) => vec![id],
            None => vec![code(obj)?, clinical_date(resource_type, obj)?],
        },
        "Observation" => vec![
            code(obj)?,
            clinical_date(resource_type, obj)?,
            quantity(obj)?,
        ],
        "Immunization" | "Condition" | "MedicationRequest" | "Procedure" | "DiagnosticReport"
        | "AllergyIntolerance" => {
            vec![code(obj)?, when()?]
        }
        _ => return None,
    };
    Some(format!("{resource_type}|{}", parts.join("|")))
}

#[cfg(test)]
mod tests {
    use crate::IndexFields;
    use serde_json::json;

    fn key(v: serde_json::Value) -> Option<String> {
        IndexFields::from_value(&v).unwrap().dedupe_key
    }

    #[test]
    fn the_same_item_from_two_sources_shares_a_key() {
        let a = json!({"resourceType": "Immunization", "id": "plan-a-1", "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "140"}]},
                       "occurrenceDateTime": "2023-10-02T09:30:00-04:00"});
        let b = json!({"resourceType": "Immunization", "id": "other-plan-77", "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "140", "display": "Influenza"}]},
                       "occurrenceDateTime": "2023-10-02"});
        assert_eq!(key(a), key(b));
        assert_eq!(key(json!({"resourceType": "ExplanationOfBenefit", "id": "x", "identifier": [{"system": "urn:claims", "value": "C1"}]})).as_deref(),
                   Some("ExplanationOfBenefit|urn:claims|C1"));
    }

    #[test]
    fn different_or_incomplete_items_get_no_shared_key() {
        let obs = |v: f64| {
            json!({"resourceType": "Observation", "id": "o", "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
                                  "effectiveDateTime": "2024-01-01T08:00:00Z", "valueQuantity": {"value": v, "code": "mg/dL"}})
        };
        assert_ne!(
            key(obs(95.0)),
            key(obs(96.0)),
            "another value is another result"
        );
        assert_eq!(
            key(json!({"resourceType": "Condition", "id": "c", "code": {"text": "asthma"}})),
            None,
            "no code, no key"
        );
        assert_eq!(key(json!({"resourceType": "Patient", "id": "p"})), None);
    }
}
