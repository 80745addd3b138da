//! FHIR JSON ingest: what Folio does with one resource a plan sent (or a file held), from any
//! bytes. Sync and import index it (type, id, dates, codes, display, security labels and their
//! sensitivity, dedupe key); the record, claim, labs and overview screens read its claim,
//! observation and coverage facts, its attachments and its narrative.

#![no_main]

use folio_fhir::{ClaimFacts, CoverageFacts, IndexFields, ObservationFacts};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Units the labs screen may be asked to convert to.
const UNITS: &[&str] = &[
    "mg/dL", "mmol/L", "g/L", "10*9/L", "kg", "cm", "[degF]", "Cel",
];

fuzz_target!(|data: &[u8]| {
    // A resource reaches folio-fhir as JSON text (a page entry or a line of a file).
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(fields) = IndexFields::from_json_str(text) {
        let id = &fields.key.id;
        assert!(
            !id.is_empty() && id.len() <= 64,
            "an id outside the R4 rule: {id:?}"
        );
        let _ = fields.is_sensitive();
    }
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return;
    };
    if let Some(claim) = ClaimFacts::from_value(&value) {
        let _ = format!("{claim:?}");
    }
    if let Some(obs) = ObservationFacts::from_value(&value) {
        let _ = obs.is_lab_or_vital();
        for m in &obs.measures {
            assert!(m.value.is_finite());
            let Some(from) = m.ucum.as_deref().or(m.unit.as_deref()) else {
                continue;
            };
            for to in UNITS {
                if let Some(v) = folio_fhir::convert_unit(m.value, from, to, m.code.as_deref()) {
                    assert!(v.is_finite(), "{} {from} -> {v} {to}", m.value);
                }
            }
        }
    }
    if let Some(coverage) = CoverageFacts::from_value(&value) {
        let _ = format!("{coverage:?}");
    }
    for view in folio_core::fuzzing::attachment_views(&value) {
        if let Some(html) = &view.html {
            folio_fuzz::assert_safe_html(html);
        }
    }
    if let Some(div) = folio_fhir::narrative_div(&value) {
        folio_fuzz::assert_safe_html(&folio_fhir::sanitize_narrative(div));
    }
    // The record screen shows the JSON re-indented.
    let _ = serde_json::to_string_pretty(&value);
});
