//! Searchset Bundles and OperationOutcomes, assembled from pre-serialized resources.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An entry of a search page.
pub struct Entry<'a> {
    /// `Type/id`, appended to the FHIR base for `fullUrl`.
    pub key: String,
    /// The resource's JSON.
    pub json: &'a [u8],
    /// `match` or `include`.
    pub mode: &'static str,
}

/// Builds a searchset Bundle by concatenating bytes (resources are never re-encoded).
pub fn searchset(
    fhir_base: &str,
    total: Option<usize>,
    self_url: &str,
    next_url: Option<&str>,
    entries: &[Entry<'_>],
) -> Vec<u8> {
    let size: usize = entries.iter().map(|e| e.json.len() + 120).sum();
    let mut out = Vec::with_capacity(size + 512);
    out.extend_from_slice(br#"{"resourceType":"Bundle","type":"searchset","#);
    if let Some(total) = total {
        out.extend_from_slice(br#""total":"#);
        out.extend_from_slice(total.to_string().as_bytes());
        out.push(b',');
    }
    out.extend_from_slice(br#""link":[{"relation":"self","url":"#);
    out.extend_from_slice(json!(self_url).to_string().as_bytes());
    out.push(b'}');
    if let Some(next) = next_url {
        out.extend_from_slice(br#",{"relation":"next","url":"#);
        out.extend_from_slice(json!(next).to_string().as_bytes());
        out.push(b'}');
    }
    out.extend_from_slice(br#"],"entry":["#);
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(br#"{"fullUrl":"#);
        out.extend_from_slice(
            json!(format!("{fhir_base}/{}", e.key))
                .to_string()
                .as_bytes(),
        );
        out.extend_from_slice(br#","resource":"#);
        out.extend_from_slice(e.json);
        out.extend_from_slice(br#","search":{"mode":""#);
        out.extend_from_slice(e.mode.as_bytes());
        out.extend_from_slice(br#""}}"#);
    }
    out.extend_from_slice(b"]}");
    out
}

/// A FHIR JSON response.
pub fn fhir_json(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/fhir+json")],
        body,
    )
        .into_response()
}

/// An OperationOutcome error with one issue.
pub fn outcome(status: StatusCode, code: &str, diagnostics: &str) -> Response {
    let body = json!({
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}]
    });
    fhir_json(status, body.to_string().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_valid_json_with_links_and_modes() {
        let entries = [
            Entry {
                key: "Observation/o1".into(),
                json: br#"{"resourceType":"Observation","id":"o1"}"#,
                mode: "match",
            },
            Entry {
                key: "Patient/p".into(),
                json: br#"{"resourceType":"Patient","id":"p"}"#,
                mode: "include",
            },
        ];
        let bytes = searchset(
            "http://h/fhir",
            Some(7),
            "http://h/fhir/Observation?x=\"",
            Some("http://h/fhir/_page/abc"),
            &entries,
        );
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["total"], 7);
        assert_eq!(v["link"][1]["url"], "http://h/fhir/_page/abc");
        assert_eq!(v["entry"][0]["fullUrl"], "http://h/fhir/Observation/o1");
        assert_eq!(v["entry"][1]["search"]["mode"], "include");
        assert_eq!(v["link"][0]["url"], "http://h/fhir/Observation?x=\"");
        let untotalled = searchset("http://h/fhir", None, "http://h/fhir/X", None, &entries);
        let v: serde_json::Value = serde_json::from_slice(&untotalled).unwrap();
        assert!(
            v.get("total").is_none(),
            "no total when the server gives none"
        );
        assert_eq!(v["entry"].as_array().unwrap().len(), 2);
    }
}
