//! Loading public FHIR fixtures as sandbox members: Bundles (transaction, collection, searchset,
//! document), folders of single resources, and Bulk NDJSON folders.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

/// Reads every resource in a file or folder. Bundles are unpacked and their `urn:uuid:`
/// references rewritten to `Type/id`, the form a FHIR server serves. Lines of an NDJSON file
/// that are not resources (a Bulk export log) are skipped.
pub fn load_fixture(path: &Path) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            match p.extension().and_then(|e| e.to_str()) {
                Some("json") => out.extend(load_json_file(&p)?),
                Some("ndjson") => out.extend(load_ndjson_file(&p)?),
                _ => {}
            }
        }
    } else if path.extension().and_then(|e| e.to_str()) == Some("ndjson") {
        out = load_ndjson_file(path)?;
    } else {
        out = load_json_file(path)?;
    }
    if out.is_empty() {
        return Err(format!("no FHIR resources in {}", path.display()));
    }
    Ok(out)
}

fn load_json_file(path: &Path) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    Ok(unpack(value))
}

fn load_ndjson_file(path: &Path) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line)
            .map_err(|e| format!("{} line {} is not JSON: {e}", path.display(), n + 1))?;
        if value["resourceType"].is_string() {
            out.push(value);
        }
    }
    Ok(out)
}

/// A Bundle's resources with `urn:uuid` references resolved; any other resource as is.
fn unpack(value: Value) -> Vec<Value> {
    if value["resourceType"] != "Bundle" {
        return if value["resourceType"].is_string() {
            vec![value]
        } else {
            Vec::new()
        };
    }
    let entries = value["entry"].as_array().cloned().unwrap_or_default();
    let mut urls: HashMap<String, String> = HashMap::new();
    let mut resources = Vec::new();
    for entry in entries {
        let mut resource = entry["resource"].clone();
        let Some(ty) = resource["resourceType"].as_str().map(str::to_owned) else {
            continue;
        };
        if ty == "OperationOutcome" && entry["search"]["mode"] == "outcome" {
            continue;
        }
        let full_url = entry["fullUrl"].as_str().unwrap_or("");
        if resource["id"].as_str().is_none() {
            let id = full_url.rsplit([':', '/']).next().unwrap_or("").to_owned();
            resource["id"] = Value::String(id);
        }
        let id = resource["id"].as_str().unwrap_or("").to_owned();
        if !full_url.is_empty() {
            urls.insert(full_url.to_owned(), format!("{ty}/{id}"));
        }
        resources.push(resource);
    }
    for r in &mut resources {
        rewrite_refs(r, &urls);
    }
    resources
}

fn rewrite_refs(value: &mut Value, urls: &HashMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k == "reference" {
                    if let Some(target) = v.as_str().and_then(|s| urls.get(s)) {
                        *v = Value::String(target.clone());
                    }
                } else {
                    rewrite_refs(v, urls);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rewrite_refs(i, urls)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn transaction_bundles_get_relative_references() {
        let bundle = json!({"resourceType":"Bundle","type":"transaction","entry":[
            {"fullUrl":"urn:uuid:aaa","resource":{"resourceType":"Patient","id":"aaa"},"request":{"method":"POST","url":"Patient"}},
            {"fullUrl":"urn:uuid:bbb","resource":{"resourceType":"Encounter","subject":{"reference":"urn:uuid:aaa"}}}
        ]});
        let out = unpack(bundle);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1]["id"], "bbb", "a missing id comes from the fullUrl");
        assert_eq!(out[1]["subject"]["reference"], "Patient/aaa");
    }
}
