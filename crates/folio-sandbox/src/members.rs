//! A member's records as the sandbox serves them: pre-serialized, indexed by type, id and
//! reference, so pages are assembled from bytes without re-encoding JSON.

use std::collections::{BTreeMap, HashMap, HashSet};

use bytes::Bytes;
use serde_json::Value;

/// One resource, ready to serve.
#[derive(Debug, Clone)]
pub struct StoredResource {
    /// `resourceType`.
    pub resource_type: String,
    /// Logical id.
    pub id: String,
    /// The resource's JSON, serialized once.
    pub json: Bytes,
    /// `meta.lastUpdated` as Unix nanoseconds, when present and readable.
    pub last_updated: Option<i64>,
    /// Carries a sensitive security label (PDex: withheld unless the member shares it).
    pub sensitive: bool,
    /// Resolvable `Type/id` references it makes, with the top-level element they sit under.
    pub references: Vec<(String, usize)>,
    /// Category codes (`code` and `system|code`), for `category=` searches.
    pub categories: Vec<String>,
    /// `intent`, for MedicationRequest searches.
    pub intent: Option<String>,
    /// `status`.
    pub status: Option<String>,
    /// Whether it belongs to the member's patient compartment (patient/subject/beneficiary).
    pub in_compartment: bool,
}

/// A member of the sandbox plan and everything the plan holds about them.
#[derive(Debug)]
pub struct Member {
    /// Login name.
    pub login: String,
    /// Name shown on the consent page.
    pub display_name: String,
    /// The Patient id the token's `patient` names.
    pub patient_id: String,
    /// Every resource served for this member.
    pub resources: Vec<StoredResource>,
    by_key: HashMap<(String, String), usize>,
    by_type: BTreeMap<String, Vec<usize>>,
    provenance_of: HashMap<usize, Vec<usize>>,
}

/// Counts for `GET /_sandbox/members` and tests.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MemberSummary {
    /// Login name.
    pub login: String,
    /// Patient id.
    pub patient_id: String,
    /// Resources by type.
    pub counts: BTreeMap<String, usize>,
    /// Resources with sensitive labels.
    pub sensitive: usize,
    /// Resources with sensitive labels, by type.
    pub sensitive_by_type: BTreeMap<String, usize>,
    /// All resources.
    pub total: usize,
}

/// Types that are shared reference data rather than one patient's records.
const SHARED_TYPES: &[&str] = &[
    "Organization",
    "Practitioner",
    "PractitionerRole",
    "Location",
    "Medication",
    "RelatedPerson",
];

impl Member {
    /// Builds a member from resources. The patient is `patient_id` or the first Patient; only
    /// what belongs to that patient (and the shared resources and Provenance it reaches) is
    /// kept, so a multi-patient fixture never leaks another patient's records.
    pub fn build(
        login: &str,
        patient_id: Option<&str>,
        resources: Vec<Value>,
    ) -> Result<Self, String> {
        let patient_id = match patient_id {
            Some(id) => id.to_owned(),
            None => resources
                .iter()
                .find(|r| r["resourceType"] == "Patient")
                .and_then(|r| r["id"].as_str())
                .ok_or("no Patient in the member's records")?
                .to_owned(),
        };
        let patient_ref = format!("Patient/{patient_id}");
        // Deduplicate by type/id (fixtures may repeat), keeping the first copy.
        let mut seen = HashSet::new();
        let resources: Vec<Value> = resources
            .into_iter()
            .filter(|r| {
                let key = (
                    r["resourceType"].as_str().map(str::to_owned),
                    r["id"].as_str().map(str::to_owned),
                );
                key.0.is_some() && key.1.is_some() && seen.insert(key)
            })
            .collect();
        let patient = resources
            .iter()
            .find(|r| r["resourceType"] == "Patient" && r["id"] == patient_id.as_str())
            .ok_or_else(|| format!("no Patient/{patient_id} in the member's records"))?;
        let display_name = human_name(patient).unwrap_or_else(|| login.to_owned());

        let in_compartment = |r: &Value| {
            r["resourceType"] == "Patient" && r["id"] == patient_id.as_str()
                || ["patient", "subject", "beneficiary"]
                    .iter()
                    .any(|k| r[*k]["reference"].as_str() == Some(patient_ref.as_str()))
        };
        // Keep the compartment, then what it references (transitively), then Provenance of it.
        let key_of = |r: &Value| {
            format!(
                "{}/{}",
                r["resourceType"].as_str().unwrap_or(""),
                r["id"].as_str().unwrap_or("")
            )
        };
        let by_ref: HashMap<String, &Value> = resources.iter().map(|r| (key_of(r), r)).collect();
        let mut keep: HashSet<String> = HashSet::new();
        let mut stack: Vec<&Value> = resources.iter().filter(|r| in_compartment(r)).collect();
        while let Some(r) = stack.pop() {
            if !keep.insert(key_of(r)) {
                continue;
            }
            for (target, _) in references_of(r) {
                if let Some(t) = by_ref.get(&target) {
                    let ty = t["resourceType"].as_str().unwrap_or("");
                    if SHARED_TYPES.contains(&ty) || in_compartment(t) {
                        stack.push(t);
                    }
                }
            }
        }
        for r in resources
            .iter()
            .filter(|r| r["resourceType"] == "Provenance")
        {
            if r["target"].as_array().is_some_and(|targets| {
                targets
                    .iter()
                    .any(|t| t["reference"].as_str().is_some_and(|k| keep.contains(k)))
            }) {
                keep.insert(key_of(r));
                for (target, _) in references_of(r) {
                    if by_ref.get(&target).is_some_and(|t| {
                        SHARED_TYPES.contains(&t["resourceType"].as_str().unwrap_or(""))
                    }) {
                        keep.insert(target);
                    }
                }
            }
        }

        let kept: Vec<&Value> = resources
            .iter()
            .filter(|r| keep.contains(&key_of(r)))
            .collect();
        let index: HashMap<String, usize> = kept
            .iter()
            .enumerate()
            .map(|(i, r)| (key_of(r), i))
            .collect();
        let mut stored = Vec::with_capacity(kept.len());
        for r in &kept {
            let json = serde_json::to_vec(r).map_err(|e| e.to_string())?;
            stored.push(StoredResource {
                resource_type: r["resourceType"].as_str().unwrap_or("").to_owned(),
                id: r["id"].as_str().unwrap_or("").to_owned(),
                json: Bytes::from(json),
                last_updated: r["meta"]["lastUpdated"].as_str().and_then(parse_instant),
                sensitive: is_sensitive(r),
                references: references_of(r)
                    .into_iter()
                    .filter_map(|(target, field)| index.get(&target).map(|&i| (field, i)))
                    .collect(),
                categories: categories_of(r),
                intent: r["intent"].as_str().map(str::to_owned),
                status: r["status"].as_str().map(str::to_owned),
                in_compartment: in_compartment(r),
            });
        }
        let mut by_key = HashMap::new();
        let mut by_type: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut provenance_of: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, r) in stored.iter().enumerate() {
            by_key.insert((r.resource_type.clone(), r.id.clone()), i);
            by_type.entry(r.resource_type.clone()).or_default().push(i);
            if r.resource_type == "Provenance" {
                for (field, target) in &r.references {
                    if field == "target" {
                        provenance_of.entry(*target).or_default().push(i);
                    }
                }
            }
        }
        Ok(Self {
            login: login.to_owned(),
            display_name,
            patient_id,
            resources: stored,
            by_key,
            by_type,
            provenance_of,
        })
    }

    /// The resource `Type/id`, if this member has it.
    pub fn get(&self, resource_type: &str, id: &str) -> Option<usize> {
        self.by_key
            .get(&(resource_type.to_owned(), id.to_owned()))
            .copied()
    }

    /// Every resource of a type, in a stable order.
    pub fn of_type(&self, resource_type: &str) -> &[usize] {
        self.by_type.get(resource_type).map_or(&[], Vec::as_slice)
    }

    /// Provenance resources that target resource `index`.
    pub fn provenance_for(&self, index: usize) -> &[usize] {
        self.provenance_of.get(&index).map_or(&[], Vec::as_slice)
    }

    /// Types this member has.
    pub fn types(&self) -> impl Iterator<Item = &str> {
        self.by_type.keys().map(String::as_str)
    }

    /// Counts by type.
    pub fn summary(&self) -> MemberSummary {
        MemberSummary {
            login: self.login.clone(),
            patient_id: self.patient_id.clone(),
            counts: self
                .by_type
                .iter()
                .map(|(k, v)| (k.clone(), v.len()))
                .collect(),
            sensitive: self.resources.iter().filter(|r| r.sensitive).count(),
            sensitive_by_type: self.resources.iter().filter(|r| r.sensitive).fold(
                BTreeMap::new(),
                |mut m, r| {
                    *m.entry(r.resource_type.clone()).or_default() += 1;
                    m
                },
            ),
            total: self.resources.len(),
        }
    }
}

/// A FHIR instant, dateTime or date (`2024`, `2024-05`, `2024-05-01`, `2024-05-01T10:00:00Z`)
/// as Unix nanoseconds; partial dates and times without a zone count as UTC, at their start.
pub(crate) fn parse_instant(text: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) {
        return i64::try_from(t.unix_timestamp_nanos()).ok();
    }
    let padded = match text.len() {
        4 => format!("{text}-01-01T00:00:00Z"),
        7 => format!("{text}-01T00:00:00Z"),
        10 => format!("{text}T00:00:00Z"),
        _ if !text.ends_with('Z') && !text.get(10..).unwrap_or("").contains(['+', '-']) => {
            format!("{text}Z")
        }
        _ => return None,
    };
    time::OffsetDateTime::parse(&padded, &Rfc3339)
        .ok()
        .and_then(|t| i64::try_from(t.unix_timestamp_nanos()).ok())
}

fn human_name(patient: &Value) -> Option<String> {
    let name = patient["name"].as_array()?.first()?;
    if let Some(text) = name["text"].as_str() {
        return Some(text.to_owned());
    }
    let mut parts: Vec<&str> = name["given"]
        .as_array()
        .map(|g| g.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    parts.extend(name["family"].as_str());
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Relative `Type/id` references anywhere in the resource, with the top-level element name.
fn references_of(resource: &Value) -> Vec<(String, String)> {
    fn walk(v: &Value, top: &str, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    if k == "reference" {
                        if let Some(s) = child.as_str() {
                            if let Some(rel) = relative_ref(s) {
                                out.push((rel, top.to_owned()));
                            }
                        }
                    } else {
                        walk(child, top, out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, top, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Value::Object(map) = resource {
        for (k, v) in map {
            if k != "contained" && k != "text" {
                walk(v, k, &mut out);
            }
        }
    }
    out
}

/// `Type/id` from a relative or absolute reference (ignoring `_history`).
fn relative_ref(reference: &str) -> Option<String> {
    let parts: Vec<&str> = reference.split('/').collect();
    let n = parts.len();
    let (ty, id) = if n >= 4 && parts[n - 2] == "_history" {
        (parts[n - 4], parts[n - 3])
    } else if n >= 2 {
        (parts[n - 2], parts[n - 1])
    } else {
        return None;
    };
    (ty.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && !id.is_empty())
        .then(|| format!("{ty}/{id}"))
}

fn categories_of(resource: &Value) -> Vec<String> {
    let concepts: Vec<&Value> = match &resource["category"] {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![&resource["category"]],
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for concept in concepts {
        for coding in concept["coding"].as_array().into_iter().flatten() {
            if let Some(code) = coding["code"].as_str() {
                out.push(code.to_owned());
                if let Some(system) = coding["system"].as_str() {
                    out.push(format!("{system}|{code}"));
                }
            }
        }
    }
    out
}

fn is_sensitive(resource: &Value) -> bool {
    resource["meta"]["security"]
        .as_array()
        .is_some_and(|labels| {
            labels.iter().any(|l| {
                folio_fhir::is_sensitive_label(&folio_fhir::SecurityLabel {
                    system: l["system"].as_str().map(str::to_owned),
                    code: l["code"].as_str().map(str::to_owned),
                })
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_only_the_members_compartment_and_what_it_references() {
        let resources = vec![
            json!({"resourceType":"Patient","id":"p1","name":[{"given":["Ana"],"family":"R"}]}),
            json!({"resourceType":"Patient","id":"p2"}),
            json!({"resourceType":"Organization","id":"o1"}),
            json!({"resourceType":"Organization","id":"o-unused"}),
            json!({"resourceType":"Encounter","id":"e1","subject":{"reference":"Patient/p1"},"serviceProvider":{"reference":"Organization/o1"}}),
            json!({"resourceType":"Encounter","id":"e2","subject":{"reference":"Patient/p2"}}),
            json!({"resourceType":"Provenance","id":"pv1","target":[{"reference":"Encounter/e1"}]}),
            json!({"resourceType":"Provenance","id":"pv2","target":[{"reference":"Encounter/e2"}]}),
            json!({"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},
                   "meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"PSY"}]},
                   "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-category","code":"problem-list-item"}]}]}),
        ];
        let m = Member::build("ana", None, resources).unwrap();
        assert_eq!(m.patient_id, "p1");
        assert_eq!(m.display_name, "Ana R");
        let mut keys: Vec<String> = m
            .resources
            .iter()
            .map(|r| format!("{}/{}", r.resource_type, r.id))
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "Condition/c1",
                "Encounter/e1",
                "Organization/o1",
                "Patient/p1",
                "Provenance/pv1"
            ]
        );
        let e1 = m.get("Encounter", "e1").unwrap();
        assert_eq!(m.provenance_for(e1).len(), 1);
        let c1 = &m.resources[m.get("Condition", "c1").unwrap()];
        assert!(c1.sensitive);
        assert!(c1.categories.contains(&"problem-list-item".to_owned()));
        assert!(
            m.get("Patient", "p2").is_none(),
            "another patient is never served"
        );
    }

    #[test]
    fn instants_and_partial_dates_parse() {
        let day = parse_instant("2024-05-01").unwrap();
        assert_eq!(parse_instant("2024-05-01T00:00:00Z"), Some(day));
        assert_eq!(parse_instant("2024-05-01T02:00:00+02:00"), Some(day));
        assert_eq!(parse_instant("2024-05-01T00:00:00"), Some(day));
        assert!(parse_instant("2024") < Some(day));
        assert_eq!(parse_instant("yesterday"), None);
    }

    #[test]
    fn references_resolve_relative_absolute_and_history_forms() {
        assert_eq!(relative_ref("Patient/1").as_deref(), Some("Patient/1"));
        assert_eq!(
            relative_ref("https://x/fhir/Patient/1").as_deref(),
            Some("Patient/1")
        );
        assert_eq!(
            relative_ref("Patient/1/_history/2").as_deref(),
            Some("Patient/1")
        );
        assert_eq!(relative_ref("#contained"), None);
        assert_eq!(relative_ref("urn:uuid:abc"), None);
    }
}
