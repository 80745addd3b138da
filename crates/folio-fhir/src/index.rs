//! The facts Folio indexes about a resource, read from its JSON without changing it.

use serde_json::{Map, Value};

use crate::labels::{is_sensitive_label, SecurityLabel};
use crate::FhirError;

/// Which resource this is: its type and logical id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResourceKey {
    /// `resourceType`, e.g. `Observation`.
    pub resource_type: String,
    /// The logical id, valid under the R4 id rule.
    pub id: String,
}

/// What the store keeps in index columns beside a resource's verbatim JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexFields {
    /// Type and id.
    pub key: ResourceKey,
    /// `meta.versionId`, when sent.
    pub version_id: Option<String>,
    /// `meta.lastUpdated`, as sent (an instant).
    pub last_updated: Option<String>,
    /// The date the item happened for the member (a visit, a test, a claim's service), as sent.
    pub clinical_date: Option<String>,
    /// Codes as `system|code`, in document order, without duplicates.
    pub codes: Vec<String>,
    /// The best human text the resource itself offers for what it is.
    pub display: Option<String>,
    /// `meta.security`, verbatim.
    pub security_labels: Vec<SecurityLabel>,
    /// A key shared by copies of the same real-world item from different sources (see
    /// [`crate::dedupe`]); `None` when the resource does not say enough to link it safely.
    pub dedupe_key: Option<String>,
}

impl IndexFields {
    /// Reads the index fields of one resource given as JSON text.
    pub fn from_json_str(text: &str) -> Result<Self, FhirError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| FhirError::InvalidJson(e.to_string()))?;
        Self::from_value(&value)
    }

    /// Reads the index fields of one resource.
    pub fn from_value(value: &Value) -> Result<Self, FhirError> {
        let obj = value.as_object().ok_or(FhirError::NotAnObject)?;
        let resource_type = obj
            .get("resourceType")
            .and_then(Value::as_str)
            .ok_or(FhirError::MissingResourceType)?;
        if !is_type_name(resource_type) {
            return Err(FhirError::InvalidResourceType);
        }
        let id = obj
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| FhirError::MissingId(resource_type.to_owned()))?;
        if !is_valid_id(id) {
            return Err(FhirError::InvalidId(resource_type.to_owned()));
        }
        let meta = obj.get("meta").and_then(Value::as_object);
        let security_labels = meta
            .and_then(|m| m.get("security"))
            .and_then(Value::as_array)
            .map(|labels| {
                labels
                    .iter()
                    .map(|l| SecurityLabel {
                        system: str_at(l, "system").map(str::to_owned),
                        code: str_at(l, "code").map(str::to_owned),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            key: ResourceKey {
                resource_type: resource_type.to_owned(),
                id: id.to_owned(),
            },
            version_id: meta
                .and_then(|m| m.get("versionId"))
                .and_then(Value::as_str)
                .map(Into::into),
            last_updated: meta
                .and_then(|m| m.get("lastUpdated"))
                .and_then(Value::as_str)
                .map(Into::into),
            clinical_date: clinical_date(resource_type, obj),
            codes: codes(obj),
            display: display(resource_type, obj),
            security_labels,
            dedupe_key: crate::dedupe::key(resource_type, obj),
        })
    }

    /// Whether any security label marks this resource as sensitive.
    pub fn is_sensitive(&self) -> bool {
        self.security_labels.iter().any(is_sensitive_label)
    }
}

/// R4 type names are letters only and start upper case.
fn is_type_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphabetic())
        && name.len() <= 64
}

/// R4 `id`: `[A-Za-z0-9\-\.]{1,64}`.
fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

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

fn codes(obj: &Map<String, Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(codings) = main_concept(obj)
        .and_then(|c| c.get("coding"))
        .and_then(Value::as_array)
    {
        for coding in codings {
            if let Some(code) = str_at(coding, "code") {
                let entry = format!("{}|{}", str_at(coding, "system").unwrap_or(""), code);
                if !out.contains(&entry) {
                    out.push(entry);
                }
            }
        }
    }
    out
}

fn display(resource_type: &str, obj: &Map<String, Value>) -> Option<String> {
    if resource_type == "Patient" || resource_type == "Practitioner" {
        return obj
            .get("name")
            .and_then(Value::as_array)
            .and_then(|names| names.first())
            .and_then(human_name);
    }
    if resource_type == "Organization" || resource_type == "Location" {
        return obj.get("name").and_then(Value::as_str).map(str::to_owned);
    }
    let concept = main_concept(obj)?;
    if let Some(text) = str_at(concept, "text").filter(|t| !t.trim().is_empty()) {
        return Some(text.trim().to_owned());
    }
    concept
        .get("coding")
        .and_then(Value::as_array)?
        .iter()
        .find_map(|c| str_at(c, "display").filter(|d| !d.trim().is_empty()))
        .map(|d| d.trim().to_owned())
}

fn human_name(name: &Value) -> Option<String> {
    if let Some(text) = str_at(name, "text") {
        return Some(text.to_owned());
    }
    let given: Vec<&str> = name
        .get("given")
        .and_then(Value::as_array)
        .map(|g| g.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let family = str_at(name, "family");
    let mut parts = given;
    parts.extend(family);
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_an_observation() {
        let fields = IndexFields::from_value(&json!({
            "resourceType": "Observation",
            "id": "hb-1",
            "meta": {"versionId": "3", "lastUpdated": "2024-05-01T10:00:00Z",
                     "security": [{"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"}]},
            "code": {"coding": [{"system": "http://loinc.org", "code": "718-7", "display": "Hemoglobin"},
                                {"system": "http://loinc.org", "code": "718-7"}]},
            "effectiveDateTime": "2024-04-30"
        }))
        .unwrap();
        assert_eq!(fields.key.resource_type, "Observation");
        assert_eq!(fields.key.id, "hb-1");
        assert_eq!(fields.version_id.as_deref(), Some("3"));
        assert_eq!(fields.last_updated.as_deref(), Some("2024-05-01T10:00:00Z"));
        assert_eq!(fields.clinical_date.as_deref(), Some("2024-04-30"));
        assert_eq!(
            fields.codes,
            vec!["http://loinc.org|718-7"],
            "duplicates are dropped"
        );
        assert_eq!(fields.display.as_deref(), Some("Hemoglobin"));
        assert!(fields.is_sensitive());
    }

    #[test]
    fn text_wins_over_coding_display_and_patient_names_are_joined() {
        let obs = IndexFields::from_value(&json!({"resourceType": "Condition", "id": "c",
            "code": {"text": " Asthma ", "coding": [{"code": "195967001", "display": "Asthma (disorder)"}]}}))
        .unwrap();
        assert_eq!(obs.display.as_deref(), Some("Asthma"));
        let patient = IndexFields::from_value(&json!({"resourceType": "Patient", "id": "p",
            "name": [{"given": ["Adán", "J"], "family": "Portillo"}]}))
        .unwrap();
        assert_eq!(patient.display.as_deref(), Some("Adán J Portillo"));
        assert!(!patient.is_sensitive());
    }

    #[test]
    fn rejects_what_is_not_a_resource() {
        assert!(matches!(
            IndexFields::from_json_str("{"),
            Err(FhirError::InvalidJson(_))
        ));
        assert_eq!(
            IndexFields::from_json_str("[]"),
            Err(FhirError::NotAnObject)
        );
        assert_eq!(
            IndexFields::from_json_str(r#"{"id":"x"}"#),
            Err(FhirError::MissingResourceType)
        );
        assert_eq!(
            IndexFields::from_json_str(r#"{"resourceType":"bad type","id":"x"}"#),
            Err(FhirError::InvalidResourceType)
        );
        assert_eq!(
            IndexFields::from_json_str(r#"{"resourceType":"Patient"}"#),
            Err(FhirError::MissingId("Patient".into()))
        );
        assert_eq!(
            IndexFields::from_json_str(r#"{"resourceType":"Patient","id":"a/b"}"#),
            Err(FhirError::InvalidId("Patient".into()))
        );
    }
}
