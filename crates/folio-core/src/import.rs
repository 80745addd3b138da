//! Importing a history file as a source beside the plans: a FHIR Bundle (collection,
//! transaction, batch, searchset, document) or a folder of NDJSON files. `urn:uuid` references
//! between a Bundle's entries are resolved to `Type/id`; everything else is kept verbatim.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use folio_store::ImportedResource;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::api::ImportSummary;
use crate::{CoreError, Folio};

/// Resources saved per transaction.
const BATCH: usize = 500;

#[derive(Deserialize)]
struct BundleIn<'a> {
    #[serde(rename = "resourceType")]
    resource_type: String,
    #[serde(default, borrow)]
    entry: Vec<EntryIn<'a>>,
}

#[derive(Deserialize)]
struct EntryIn<'a> {
    #[serde(rename = "fullUrl")]
    full_url: Option<String>,
    #[serde(borrow)]
    resource: Option<&'a RawValue>,
    search: Option<SearchIn>,
}

#[derive(Deserialize)]
struct SearchIn {
    mode: Option<String>,
}

/// One resource ready to save: its JSON and the fullUrl it had.
pub(crate) struct Prepared {
    pub(crate) json: String,
    pub(crate) full_url: Option<String>,
}

fn bad_file(why: impl Into<String>) -> CoreError {
    CoreError::ImportFailed(why.into())
}

/// Replaces every `"reference": "urn:uuid:…"` that names an entry of the file.
fn resolve_references(value: &mut Value, map: &HashMap<String, String>) {
    match value {
        Value::Object(obj) => {
            for (k, v) in obj.iter_mut() {
                if k == "reference" {
                    if let Some(to) = v.as_str().and_then(|r| map.get(r)) {
                        *v = Value::String(to.clone());
                        continue;
                    }
                }
                resolve_references(v, map);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| resolve_references(v, map)),
        _ => {}
    }
}

/// The resource's type and id, the id taken from a `urn:uuid:` or RESTful fullUrl when the
/// resource has none (transaction bundles often leave it out).
fn identity(resource: &Value, full_url: Option<&str>) -> Option<(String, String, bool)> {
    let ty = resource.get("resourceType")?.as_str()?.to_owned();
    if let Some(id) = resource.get("id").and_then(Value::as_str) {
        return Some((ty, id.to_owned(), false));
    }
    let url = full_url?;
    let id = match url.strip_prefix("urn:uuid:") {
        Some(uuid) => uuid.to_owned(),
        None => {
            let mut parts = url.trim_end_matches('/').rsplit('/');
            let id = parts.next()?;
            (parts.next()? == ty).then(|| id.to_owned())?
        }
    };
    Some((ty, id, true))
}

/// A Bundle's (or single resource's) entries, references resolved.
pub(crate) fn from_json_file(text: &str) -> Result<Vec<Prepared>, CoreError> {
    let head: BundleIn<'_> = serde_json::from_str(text)
        .map_err(|e| bad_file(format!("this is not a FHIR JSON file ({e})")))?;
    if head.resource_type != "Bundle" {
        // One resource on its own.
        return Ok(vec![Prepared {
            json: text.trim().to_owned(),
            full_url: None,
        }]);
    }
    let entries: Vec<(&RawValue, Option<String>)> = head
        .entry
        .into_iter()
        .filter(|e| e.search.as_ref().and_then(|s| s.mode.as_deref()) != Some("outcome"))
        .filter_map(|e| Some((e.resource?, e.full_url)))
        .collect();
    // fullUrl → Type/id for the entries other entries may point at by urn:uuid.
    let mut map = HashMap::new();
    let mut parsed = Vec::with_capacity(entries.len());
    for (raw, full_url) in &entries {
        let value: Option<Value> = serde_json::from_str(raw.get()).ok();
        if let (Some(v), Some(url)) = (&value, full_url) {
            if url.starts_with("urn:uuid:") {
                if let Some((ty, id, _)) = identity(v, Some(url)) {
                    map.insert(url.clone(), format!("{ty}/{id}"));
                }
            }
        }
        parsed.push(value);
    }
    let mut out = Vec::with_capacity(entries.len());
    for ((raw, full_url), value) in entries.iter().zip(parsed) {
        let Some(mut value) = value else {
            // Kept so that it is counted (and refused) when saved.
            out.push(Prepared {
                json: raw.get().to_owned(),
                full_url: full_url.clone(),
            });
            continue;
        };
        let needs_id = identity(&value, full_url.as_deref()).is_some_and(|(_, _, missing)| missing);
        let refers = !map.is_empty() && raw.get().contains("urn:uuid:");
        if !needs_id && !refers {
            out.push(Prepared {
                json: raw.get().to_owned(),
                full_url: full_url.clone(),
            });
            continue;
        }
        if needs_id {
            if let (Some((_, id, _)), Some(obj)) =
                (identity(&value, full_url.as_deref()), value.as_object_mut())
            {
                obj.insert("id".into(), Value::String(id));
            }
        }
        if refers {
            resolve_references(&mut value, &map);
        }
        out.push(Prepared {
            json: value.to_string(),
            full_url: full_url.clone(),
        });
    }
    Ok(out)
}

impl Folio {
    /// Imports a FHIR Bundle (or single resource) file, or a folder of NDJSON files, as a new
    /// file source.
    pub async fn import(&self, path: &Path) -> Result<ImportSummary, CoreError> {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut batches: Vec<Vec<Prepared>> = Vec::new();
        let mut files = 0u32;
        if path.is_dir() {
            let mut names: Vec<_> = std::fs::read_dir(path)
                .map_err(|e| bad_file(format!("cannot read the folder {}: {e}", path.display())))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ndjson"))
                .collect();
            names.sort();
            if names.is_empty() {
                return Err(bad_file(format!(
                    "the folder {} holds no .ndjson files",
                    path.display()
                )));
            }
            for file in names {
                files += 1;
                let reader = std::io::BufReader::new(
                    std::fs::File::open(&file)
                        .map_err(|e| bad_file(format!("cannot read {}: {e}", file.display())))?,
                );
                let mut batch = Vec::with_capacity(BATCH);
                for line in reader.lines() {
                    let line =
                        line.map_err(|e| bad_file(format!("cannot read {}: {e}", file.display())))?;
                    if line.trim().is_empty() {
                        continue;
                    }
                    batch.push(Prepared {
                        json: line,
                        full_url: None,
                    });
                    if batch.len() == BATCH {
                        batches.push(std::mem::take(&mut batch));
                    }
                }
                if !batch.is_empty() {
                    batches.push(batch);
                }
            }
        } else {
            files = 1;
            let text = std::fs::read_to_string(path)
                .map_err(|e| bad_file(format!("cannot read {}: {e}", path.display())))?;
            let all = from_json_file(&text)?;
            let mut it = all.into_iter().peekable();
            while it.peek().is_some() {
                batches.push(it.by_ref().take(BATCH).collect());
            }
        }
        self.import_prepared(&format!("File: {name}"), &name, batches, files)
            .await
    }

    /// Saves prepared resources as a new file source named `source_name` (`what` names the
    /// file in messages).
    pub(crate) async fn import_prepared(
        &self,
        source_name: &str,
        what: &str,
        batches: Vec<Vec<Prepared>>,
        files: u32,
    ) -> Result<ImportSummary, CoreError> {
        let name = what;
        let patient = batches.iter().flatten().find_map(|p| {
            let v: Value = serde_json::from_str(&p.json).ok()?;
            (v.get("resourceType")?.as_str()? == "Patient")
                .then(|| v.get("id")?.as_str().map(str::to_owned))?
        });
        let store = &self.store().await?;
        let id = format!("f-{}", &crate::export::new_uuid()[..13]);
        let batches: Vec<Vec<ImportedResource<'_>>> = batches
            .iter()
            .map(|batch| {
                batch
                    .iter()
                    .map(|p| ImportedResource {
                        raw_json: &p.json,
                        full_url: p.full_url.as_deref(),
                    })
                    .collect()
            })
            .collect();
        // One transaction: a file is imported whole or not at all (a full disk leaves nothing).
        let outcome = store
            .import_file_source(&id, source_name, patient.as_deref(), &batches)
            .await
            .map_err(|e| {
                CoreError::ImportFailed(format!(
                    "{name} was not imported (nothing of it kept): {e}"
                ))
            })?;
        let (saved, rejected) = (outcome.inserted, outcome.rejected);
        if saved == 0 {
            return Err(bad_file(format!(
                "{name} holds no FHIR resource Folio could read ({rejected} entries refused)"
            )));
        }
        // A new source: the connections list gains it.
        self.connection_changed(&id);
        Ok(ImportSummary {
            connection_id: id,
            name: source_name.to_owned(),
            resources: saved,
            rejected,
            files,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urn_uuid_references_resolve_and_missing_ids_come_from_full_urls() {
        let text = r#"{"resourceType":"Bundle","type":"transaction","entry":[
            {"fullUrl":"urn:uuid:11111111-2222-3333-4444-555555555555","resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
            {"fullUrl":"urn:uuid:aaaaaaaa-2222-3333-4444-555555555555","resource":{"resourceType":"Encounter","id":"e1",
              "subject":{"reference":"urn:uuid:11111111-2222-3333-4444-555555555555"},"serviceProvider":{"reference":"Organization/o1"},
              "partOf":{"reference":"urn:uuid:99999999-0000-0000-0000-000000000000"}}},
            {"fullUrl":"http://plan.example/fhir/Condition/c7","resource":{"resourceType":"Condition","code":{"text":"x"}}},
            {"resource":{"resourceType":"OperationOutcome"},"search":{"mode":"outcome"}}
        ]}"#;
        let out = from_json_file(text).unwrap();
        assert_eq!(out.len(), 3, "the outcome entry is not a record");
        let patient: Value = serde_json::from_str(&out[0].json).unwrap();
        assert_eq!(patient["id"], "11111111-2222-3333-4444-555555555555");
        let enc: Value = serde_json::from_str(&out[1].json).unwrap();
        assert_eq!(
            enc["subject"]["reference"],
            "Patient/11111111-2222-3333-4444-555555555555"
        );
        assert_eq!(enc["serviceProvider"]["reference"], "Organization/o1");
        assert_eq!(
            enc["partOf"]["reference"], "urn:uuid:99999999-0000-0000-0000-000000000000",
            "a urn:uuid naming nothing in the file is left as it was"
        );
        let condition: Value = serde_json::from_str(&out[2].json).unwrap();
        assert_eq!(condition["id"], "c7");
        assert_eq!(
            out[2].full_url.as_deref(),
            Some("http://plan.example/fhir/Condition/c7")
        );
    }

    #[test]
    fn verbatim_when_nothing_needs_resolving_and_clear_errors_otherwise() {
        let entry = r#"{"resourceType":"Patient", "id":"p"}"#;
        let text = format!(
            r#"{{"resourceType":"Bundle","type":"collection","entry":[{{"fullUrl":"http://x/fhir/Patient/p","resource":{entry}}}]}}"#
        );
        assert_eq!(from_json_file(&text).unwrap()[0].json, entry);
        assert!(matches!(
            from_json_file("{not json"),
            Err(CoreError::ImportFailed(_))
        ));
        assert_eq!(
            from_json_file(entry).unwrap()[0].json,
            entry,
            "a single resource"
        );
    }
}
