//! An International Patient Summary (IPS 2.0) document Bundle, software-assembled from one
//! source's records: a Composition (LOINC 60591-5) with the required sections (problems,
//! allergies, medications) and the optional ones Folio has data for (immunizations, results,
//! vital signs, procedures, past problems), each with a narrative and its entries or an empty
//! reason; the Patient; Folio as the authoring Device; the entries verbatim at their plan's
//! address.

use std::collections::BTreeMap;

use folio_store::{ExportFilter, ExportRow};
use serde_json::{json, Value};

use super::{full_url, is_absolute_http, new_uuid, now_rfc3339, PAGE};
use crate::CoreError;
use folio_store::Store;

const LOINC: &str = "http://loinc.org";
/// Items listed per section at most (results and vital signs: the newest of each test).
const PER_SECTION: usize = 40;

/// How a resource is named in the document: by the fullUrl its plan gave it (standards
/// checklist item 19), or by Folio as `{base}/{Type}/{id}`.
enum Named {
    ByPlan(String),
    ByFolio {
        fhir_base: String,
        resource_type: String,
        id: String,
    },
}

impl Named {
    /// The fullUrl: the plan's own, else under `plan_base` (the base of the plan's fullUrls)
    /// or, without one, the plan's FHIR base.
    fn url(&self, plan_base: Option<&str>) -> String {
        match self {
            Self::ByPlan(url) => url.clone(),
            Self::ByFolio {
                fhir_base,
                resource_type,
                id,
            } => full_url(plan_base.unwrap_or(fhir_base), resource_type, id),
        }
    }
}

/// One included resource: where it lives, what it says, a line for the narrative.
pub(super) struct Item {
    /// Its fullUrl in the document (set once every record of the source has been read).
    pub(super) url: String,
    named: Named,
    pub(super) resource: Value,
    pub(super) line: String,
    pub(super) date: String,
    /// What it is, without the date (for keeping the newest of each).
    pub(super) what: String,
}

/// The sections, in document order: code, title, required.
pub(super) const SECTIONS: &[(&str, &str, bool)] = &[
    ("11450-4", "Problem list", true),
    ("48765-2", "Allergies and intolerances", true),
    ("10160-0", "Medication summary", true),
    ("11369-6", "Immunizations", false),
    ("30954-2", "Results", false),
    ("8716-3", "Vital signs", false),
    ("47519-4", "History of procedures", false),
    ("11348-0", "History of past problems", false),
];

fn code_of(v: &Value, key: &str) -> Option<String> {
    v.get(key)?
        .get("coding")?
        .as_array()?
        .first()?
        .get("code")?
        .as_str()
        .map(str::to_owned)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Which section a resource belongs to, if any.
fn section_of(ty: &str, v: &Value) -> Option<&'static str> {
    let status = |k: &str| code_of(v, k);
    match ty {
        "Condition" => match status("clinicalStatus").as_deref() {
            Some("resolved" | "inactive" | "remission") => Some("11348-0"),
            _ if status("verificationStatus").as_deref() == Some("entered-in-error") => None,
            _ => Some("11450-4"),
        },
        "AllergyIntolerance" => (status("verificationStatus").as_deref()
            != Some("entered-in-error"))
        .then_some("48765-2"),
        "MedicationRequest" | "MedicationStatement" => matches!(
            v.get("status").and_then(Value::as_str),
            Some("active" | "on-hold" | "intended")
        )
        .then_some("10160-0"),
        "Immunization" => {
            (v.get("status").and_then(Value::as_str) == Some("completed")).then_some("11369-6")
        }
        "Procedure" => {
            (v.get("status").and_then(Value::as_str) == Some("completed")).then_some("47519-4")
        }
        "Observation" => {
            let cats: Vec<&str> = v
                .get("category")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|c| c.get("coding")?.as_array())
                .flatten()
                .filter_map(|c| c.get("code")?.as_str())
                .collect();
            if v.get("status").and_then(Value::as_str) == Some("entered-in-error") {
                None
            } else if cats.contains(&"laboratory") {
                Some("30954-2")
            } else if cats.contains(&"vital-signs") {
                Some("8716-3")
            } else {
                None
            }
        }
        _ => None,
    }
}

/// A narrative line for an item, its date and what it is, read with the index's own rules
/// (the same date and name the timeline shows).
fn line_of(ty: &str, v: &Value) -> (String, String, String) {
    let fields = folio_fhir::IndexFields::from_value(v).ok();
    let date = fields
        .as_ref()
        .and_then(|f| f.clinical_date.clone())
        .unwrap_or_default();
    let what = fields
        .and_then(|f| f.display)
        .unwrap_or_else(|| ty.to_owned());
    let value = v
        .get("valueQuantity")
        .and_then(|q| {
            Some(format!(
                ": {} {}",
                q.get("value")?,
                q.get("unit").and_then(Value::as_str).unwrap_or("")
            ))
        })
        .unwrap_or_default();
    let when = if date.is_empty() {
        String::new()
    } else {
        format!(" ({})", date.get(..10).unwrap_or(&date))
    };
    (format!("{what}{value}{when}"), date, what)
}

/// The member's name as their record gives it (the same words the timeline uses).
pub(super) fn patient_name(patient: &Value) -> Option<String> {
    folio_fhir::IndexFields::from_value(patient)
        .ok()
        .and_then(|f| f.display)
        .filter(|n| !n.trim().is_empty())
}

/// What a summary of one source holds: the member, the plan, and the items of each section
/// (newest first; results and vital signs the newest of each test).
pub(super) struct Gathered {
    pub(super) patient_url: String,
    pub(super) patient: Value,
    pub(super) plan_name: String,
    pub(super) sections: BTreeMap<&'static str, Vec<Item>>,
    /// Per section, how many more distinct items there were than a summary lists.
    pub(super) left_out: BTreeMap<&'static str, usize>,
}

/// Reads one source's records into summary sections.
pub(super) async fn gather(
    store: &Store,
    connection_id: &str,
    include_sensitive: bool,
) -> Result<Gathered, CoreError> {
    let types: Vec<String> = [
        "Patient",
        "Condition",
        "AllergyIntolerance",
        "MedicationRequest",
        "MedicationStatement",
        "Immunization",
        "Observation",
        "Procedure",
    ]
    .iter()
    .map(|t| (*t).to_owned())
    .collect();
    let connections = vec![connection_id.to_owned()];
    let filter = ExportFilter {
        connections: &connections,
        types: &types,
        include_sensitive,
        ..Default::default()
    };
    let mut patient: Option<(Named, Value, String)> = None;
    let mut sections: BTreeMap<&'static str, Vec<Item>> = BTreeMap::new();
    // The bases of the fullUrls the plan gave, to name the records it gave none for (a Patient
    // read rather than searched) under the same base, so the entries' relative references
    // (`Patient/…`) resolve inside the document.
    let mut plan_bases = std::collections::BTreeSet::new();
    // Results and vitals: newest per test code.
    let mut latest: BTreeMap<(&'static str, String), Item> = BTreeMap::new();
    let mut after = 0;
    loop {
        let rows: Vec<ExportRow> = store.export_page(&filter, after, PAGE).await?;
        let Some(last) = rows.last() else { break };
        after = last.rowid;
        for row in rows {
            let Ok(v) = serde_json::from_str::<Value>(&row.raw_json) else {
                continue;
            };
            let url = match row.full_url.as_deref() {
                Some(u) if is_absolute_http(u) => {
                    let restful = format!("/{}/{}", row.resource_type, row.resource_id);
                    if let Some(base) = u.strip_suffix(&restful) {
                        plan_bases.insert(base.to_owned());
                    }
                    Named::ByPlan(u.to_owned())
                }
                _ => Named::ByFolio {
                    fhir_base: row.fhir_base.clone(),
                    resource_type: row.resource_type.clone(),
                    id: row.resource_id.clone(),
                },
            };
            if row.resource_type == "Patient" {
                if patient.is_none() {
                    patient = Some((url, v, row.plan_name.clone()));
                }
                continue;
            }
            let Some(section) = section_of(&row.resource_type, &v) else {
                continue;
            };
            let (line, date, what) = line_of(&row.resource_type, &v);
            let item = Item {
                url: String::new(),
                named: url,
                resource: v,
                line,
                date,
                what,
            };
            if section == "30954-2" || section == "8716-3" {
                let code = code_of(&item.resource, "code").unwrap_or_else(|| item.line.clone());
                match latest.get(&(section, code.clone())) {
                    Some(old) if old.date >= item.date => {}
                    _ => {
                        latest.insert((section, code), item);
                    }
                }
            } else {
                sections.entry(section).or_default().push(item);
            }
        }
    }
    let Some((patient_url, patient_json, plan_name)) = patient else {
        return Err(CoreError::ExportFailed(
            "an International Patient Summary needs the member's own record (Patient); this source has none"
                .into(),
        ));
    };
    for ((section, _), item) in latest {
        sections.entry(section).or_default().push(item);
    }
    // One base for everything the plan did not name itself: the plan's own, when all its
    // fullUrls share one; else its FHIR base.
    let plan_base = match plan_bases.len() {
        1 => plan_bases.pop_first(),
        _ => None,
    };
    let patient_url = patient_url.url(plan_base.as_deref());
    for item in sections.values_mut().flatten() {
        item.url = item.named.url(plan_base.as_deref());
    }
    // A summary, not the history: the newest entry for each thing (a vaccine given yearly, a
    // medicine renewed monthly), at most PER_SECTION of them; the rest are counted.
    let mut left_out = BTreeMap::new();
    for (code, items) in sections.iter_mut() {
        items.sort_by(|a, b| b.date.cmp(&a.date));
        let mut seen = std::collections::HashSet::new();
        items.retain(|i| seen.insert(i.what.clone()));
        if items.len() > PER_SECTION {
            left_out.insert(*code, items.len() - PER_SECTION);
            items.truncate(PER_SECTION);
        }
    }
    Ok(Gathered {
        patient_url,
        patient: patient_json,
        plan_name,
        sections,
        left_out,
    })
}

/// Builds the IPS document for one source; returns its JSON and how many resources it holds.
pub(super) async fn document(
    store: &Store,
    connection_id: &str,
    include_sensitive: bool,
) -> Result<(String, u32), CoreError> {
    let Gathered {
        patient_url,
        patient: patient_json,
        plan_name,
        mut sections,
        ..
    } = gather(store, connection_id, include_sensitive).await?;

    let now = now_rfc3339();
    let composition_url = format!("urn:uuid:{}", new_uuid());
    let device_url = format!("urn:uuid:{}", new_uuid());
    let mut section_json = Vec::new();
    for (code, title, required) in SECTIONS {
        let items = sections.get(code);
        if items.is_none_or(Vec::is_empty) && !required {
            continue;
        }
        let (div, entries, empty) = match items.filter(|i| !i.is_empty()) {
            Some(items) => {
                let lis: String = items
                    .iter()
                    .map(|i| format!("<li>{}</li>", escape(&i.line)))
                    .collect();
                (
                    format!(r#"<div xmlns="http://www.w3.org/1999/xhtml"><ul>{lis}</ul></div>"#),
                    items
                        .iter()
                        .map(|i| json!({ "reference": i.url }))
                        .collect::<Vec<_>>(),
                    None,
                )
            }
            None => (
                format!(
                    r#"<div xmlns="http://www.w3.org/1999/xhtml"><p>No information: {} sent none.</p></div>"#,
                    escape(&plan_name)
                ),
                Vec::new(),
                Some(json!({ "coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/list-empty-reason",
                    "code": "unavailable", "display": "Unavailable" }] })),
            ),
        };
        let mut s = json!({
            "title": title,
            "code": { "coding": [{ "system": LOINC, "code": code, "display": title }] },
            "text": { "status": "generated", "div": div },
        });
        if let Some(obj) = s.as_object_mut() {
            if entries.is_empty() {
                obj.insert("emptyReason".into(), empty.unwrap_or(Value::Null));
            } else {
                obj.insert("entry".into(), Value::Array(entries));
            }
        }
        section_json.push(s);
    }
    let name = patient_name(&patient_json).unwrap_or_default();
    let composition = json!({
        "resourceType": "Composition",
        "id": composition_url.trim_start_matches("urn:uuid:"),
        "text": { "status": "generated", "div": format!(
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><p>International Patient Summary for {}, assembled by Folio from {} on {}.</p></div>"#,
            escape(&name), escape(&plan_name), escape(&now)) },
        "status": "final",
        "type": { "coding": [{ "system": LOINC, "code": "60591-5", "display": "Patient summary Document" }] },
        "subject": { "reference": patient_url },
        "date": now,
        "author": [{ "reference": device_url }],
        "title": format!("International Patient Summary: {name}"),
        "section": section_json,
    });
    let device = json!({
        "resourceType": "Device",
        "id": device_url.trim_start_matches("urn:uuid:"),
        "deviceName": [{ "name": "Folio", "type": "manufacturer-name" }],
        "version": [{ "value": crate::VERSION }],
    });
    let mut entries = vec![
        json!({ "fullUrl": composition_url, "resource": composition }),
        json!({ "fullUrl": patient_url, "resource": patient_json }),
        json!({ "fullUrl": device_url, "resource": device }),
    ];
    let mut count = 1u32;
    for (code, _, _) in SECTIONS {
        for item in sections.remove(code).unwrap_or_default() {
            entries.push(json!({ "fullUrl": item.url, "resource": item.resource }));
            count += 1;
        }
    }
    let id = new_uuid();
    let bundle = json!({
        "resourceType": "Bundle",
        "id": id,
        "identifier": { "system": "urn:ietf:rfc:3986", "value": format!("urn:uuid:{id}") },
        "type": "document",
        "timestamp": now,
        "entry": entries,
    });
    Ok((bundle.to_string(), count))
}
