//! The facts Folio indexes about a resource, read from its JSON without changing it.

use serde_json::{Map, Value};

use crate::fields::{clinical_date, main_concept, str_at};
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
    /// Reads the index fields of one resource given as JSON text. Only the top-level elements
    /// the index reads ([`INDEXED_ELEMENTS`]) are built as values; the rest of the resource (a
    /// claim's items, narrative, extensions) is only checked to be well-formed JSON and
    /// skipped, which is most of the work of reading a page.
    pub fn from_json_str(text: &str) -> Result<Self, FhirError> {
        let top: Indexed =
            serde_json::from_str(text).map_err(|e| FhirError::InvalidJson(e.to_string()))?;
        match top {
            Indexed::Object(obj) => Self::from_object(&obj),
            Indexed::NotAnObject => Err(FhirError::NotAnObject),
        }
    }

    /// Reads the index fields of one resource.
    pub fn from_value(value: &Value) -> Result<Self, FhirError> {
        Self::from_object(value.as_object().ok_or(FhirError::NotAnObject)?)
    }

    fn from_object(obj: &Map<String, Value>) -> Result<Self, FhirError> {
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

/// The top-level elements the index fields are read from: the type and id, `meta`, what names
/// a resource (`clinical_date`, `main_concept`, `display`) and what links copies of it
/// (`crate::dedupe`). A path added to any of them adds its first element here (the tests
/// compare this reading with one of the whole resource).
const INDEXED_ELEMENTS: &[&str] = &[
    "resourceType",
    "id",
    "meta",
    // main_concept
    "code",
    "vaccineCode",
    "medicationCodeableConcept",
    "type",
    // display
    "name",
    // dedupe
    "identifier",
    "valueQuantity",
    "valueString",
    // clinical_date
    "effectiveDateTime",
    "effectivePeriod",
    "effectiveInstant",
    "issued",
    "period",
    "onsetDateTime",
    "onsetPeriod",
    "recordedDate",
    "billablePeriod",
    "created",
    "authoredOn",
    "whenHandedOver",
    "whenPrepared",
    "dateAsserted",
    "occurrenceDateTime",
    "recorded",
    "performedDateTime",
    "performedPeriod",
    "context",
    "date",
    "started",
];

/// A resource's JSON read for indexing: its indexed top-level elements as values, anything
/// else skipped without being built.
enum Indexed {
    Object(Map<String, Value>),
    NotAnObject,
}

impl<'de> serde::Deserialize<'de> for Indexed {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IndexedVisitor)
    }
}

struct IndexedVisitor;

/// A top-level element's name: the [`INDEXED_ELEMENTS`] entry it is, or `None` (skipped).
/// Compared where it lies in the text, so a skipped element costs no allocation.
struct ElementName(Option<&'static str>);

impl<'de> serde::Deserialize<'de> for ElementName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(ElementNameVisitor)
    }
}

struct ElementNameVisitor;

impl serde::de::Visitor<'_> for ElementNameVisitor {
    type Value = ElementName;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an element name")
    }

    fn visit_str<E>(self, name: &str) -> Result<ElementName, E> {
        Ok(ElementName(
            INDEXED_ELEMENTS.iter().copied().find(|k| *k == name),
        ))
    }
}

impl<'de> serde::de::Visitor<'de> for IndexedVisitor {
    type Value = Indexed;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Indexed, A::Error> {
        let mut obj = Map::new();
        while let Some(ElementName(kept)) = map.next_key()? {
            match kept {
                Some(name) => {
                    let value: Value = map.next_value()?;
                    // As `serde_json::Value`: the last of duplicate keys wins.
                    obj.insert(name.to_owned(), value);
                }
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(Indexed::Object(obj))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Indexed, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Indexed::NotAnObject)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Indexed, E> {
        Ok(Indexed::NotAnObject)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Indexed, E> {
        Ok(Indexed::NotAnObject)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Indexed, E> {
        Ok(Indexed::NotAnObject)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Indexed, E> {
        Ok(Indexed::NotAnObject)
    }

    fn visit_str<E>(self, _: &str) -> Result<Indexed, E> {
        Ok(Indexed::NotAnObject)
    }

    fn visit_unit<E>(self) -> Result<Indexed, E> {
        Ok(Indexed::NotAnObject)
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

    /// Reading only the indexed elements gives what reading the whole resource gives, for
    /// every path the index reads (each clinical date path of each type, names, codes,
    /// identifiers, values), with large unread elements, escaped and duplicate keys around.
    #[test]
    fn reading_only_the_indexed_elements_matches_reading_the_whole_resource() {
        let dates = [
            (
                "Observation",
                json!({"effectivePeriod": {"start": "2024-01-02"}}),
            ),
            (
                "Observation",
                json!({"effectiveInstant": "2024-01-02T03:04:05Z"}),
            ),
            (
                "DiagnosticReport",
                json!({"issued": "2024-01-03T00:00:00Z"}),
            ),
            (
                "Encounter",
                json!({"period": {"start": "2024-01-04"}, "identifier": [{"system": "s", "value": "E1"}]}),
            ),
            (
                "Encounter",
                json!({"period": {"start": "2024-01-04"}, "type": [{"coding": [{"system": "t", "code": "AMB"}]}]}),
            ),
            (
                "Condition",
                json!({"onsetPeriod": {"start": "2024-01-05"}, "code": {"coding": [{"code": "x"}]}}),
            ),
            (
                "Condition",
                json!({"recordedDate": "2024-01-06", "code": {"text": "Asthma"}}),
            ),
            (
                "ExplanationOfBenefit",
                json!({"billablePeriod": {"start": "2024-01-07"}, "identifier": [{"system": "c", "value": "C1"}], "type": {"coding": [{"code": "professional"}]}, "item": [{"sequence": 1, "net": {"value": 12.5}}]}),
            ),
            ("Claim", json!({"created": "2024-01-08"})),
            (
                "MedicationRequest",
                json!({"authoredOn": "2024-01-09", "medicationCodeableConcept": {"coding": [{"system": "rx", "code": "123", "display": "Drug"}]}}),
            ),
            ("MedicationDispense", json!({"whenPrepared": "2024-01-10"})),
            ("MedicationStatement", json!({"dateAsserted": "2024-01-11"})),
            (
                "Immunization",
                json!({"recorded": "2024-01-12", "vaccineCode": {"coding": [{"system": "cvx", "code": "140"}]}, "occurrenceDateTime": "2024-01-12T09:00:00Z"}),
            ),
            (
                "Procedure",
                json!({"performedPeriod": {"start": "2024-01-13"}}),
            ),
            ("Procedure", json!({"performedDateTime": "2024-01-13"})),
            (
                "DocumentReference",
                json!({"context": {"period": {"start": "2024-01-14"}}, "date": "2024-01-15T00:00:00Z"}),
            ),
            ("AllergyIntolerance", json!({"onsetDateTime": "2024-01-16"})),
            (
                "Coverage",
                json!({"period": {"start": "2024-01-17"}, "identifier": [{"value": "M1"}]}),
            ),
            ("ImagingStudy", json!({"started": "2024-01-18"})),
            ("Provenance", json!({"recorded": "2024-01-19T00:00:00Z"})),
            (
                "Observation",
                json!({"effectiveDateTime": "2024-01-20", "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]}, "valueQuantity": {"value": 95, "unit": "mg/dL"}}),
            ),
            (
                "Observation",
                json!({"effectiveDateTime": "2024-01-21", "code": {"coding": [{"code": "c"}]}, "valueString": "positive"}),
            ),
            (
                "Patient",
                json!({"name": [{"given": ["Ann"], "family": "Lee"}]}),
            ),
            (
                "Organization",
                json!({"name": "Acme Health", "identifier": [{"system": "npi", "value": "1"}]}),
            ),
            (
                "Practitioner",
                json!({"name": [{"text": "Dr. Who"}], "identifier": [{"value": "2"}]}),
            ),
        ];
        for (resource_type, extra) in dates {
            let mut v = json!({
                "resourceType": resource_type,
                "id": "r-1",
                "meta": {"versionId": "2", "lastUpdated": "2024-02-01T00:00:00Z",
                         "security": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "PSY"}]},
                "text": {"status": "generated", "div": "<div>a long narrative</div>"},
                "extension": [{"url": "u", "valueString": "not read"}],
            });
            for (k, val) in extra.as_object().unwrap() {
                v[k] = val.clone();
            }
            let text = v.to_string();
            assert_eq!(
                IndexFields::from_json_str(&text).unwrap(),
                IndexFields::from_value(&v).unwrap(),
                "{text}"
            );
        }
        // An escaped key is still the element it names; the last of duplicate keys wins.
        let text = r#"{"resourceType":"Condition","id":"c","code":{"text":"one"},"note":[{"text":"x"}],"code":{"text":"two"}}"#;
        let whole: Value = serde_json::from_str(text).unwrap();
        let fields = IndexFields::from_json_str(text).unwrap();
        assert_eq!(fields, IndexFields::from_value(&whole).unwrap());
        assert_eq!(
            (fields.key.id.as_str(), fields.display.as_deref()),
            ("c", Some("two"))
        );
        // Malformed JSON in a skipped element is still refused.
        assert!(matches!(
            IndexFields::from_json_str(r#"{"resourceType":"Patient","id":"p","text":{"div":}}"#),
            Err(FhirError::InvalidJson(_))
        ));
    }

    #[test]
    fn rejects_what_is_not_a_resource() {
        assert!(matches!(
            IndexFields::from_json_str("{"),
            Err(FhirError::InvalidJson(_))
        ));
        for not_an_object in ["[]", "[1, {\"a\": 2}]", "3", "\"x\"", "true", "null"] {
            assert_eq!(
                IndexFields::from_json_str(not_an_object),
                Err(FhirError::NotAnObject),
                "{not_an_object}"
            );
        }
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
