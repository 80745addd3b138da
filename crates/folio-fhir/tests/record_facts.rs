//! Public US Core 7.0.0 examples (HL7/US-Core tag 7.0.0, `input/examples/`, CC0-1.0; copied
//! byte for byte into tests/fixtures/us-core, see /work/shared/fixtures/SOURCES.md) read as a
//! member reads them: a readable name, the value with its unit, the range, dates, who and
//! where; and no raw code is shown where the coding carries a display.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use folio_fhir::{record_facts, FactValue, RecordFacts};
use serde_json::Value;

fn fixtures() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/us-core");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (
                name,
                serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn fixture(name: &str) -> RecordFacts {
    let (_, v) = fixtures().into_iter().find(|(n, _)| n == name).unwrap();
    record_facts(&v)
}

/// Every coding's code and display in a resource.
fn codings(v: &Value, codes: &mut BTreeSet<String>, displays: &mut BTreeSet<String>) {
    match v {
        Value::Object(o) => {
            if let (Some(code), Some(display)) = (
                o.get("code").and_then(Value::as_str),
                o.get("display").and_then(Value::as_str),
            ) {
                codes.insert(code.to_owned());
                displays.insert(display.to_owned());
            }
            o.values().for_each(|x| codings(x, codes, displays));
        }
        Value::Array(a) => a.iter().for_each(|x| codings(x, codes, displays)),
        _ => {}
    }
}

fn words(f: &RecordFacts, label: &str) -> Vec<String> {
    f.facts
        .iter()
        .filter(|x| x.label == label)
        .map(|x| match &x.value {
            FactValue::Text(t) | FactValue::Date(t) => t.clone(),
            FactValue::Party(p) => p.display.clone().or(p.reference.clone()).unwrap(),
        })
        .collect()
}

#[test]
fn no_raw_code_is_shown_where_the_coding_has_a_display() {
    let all = fixtures();
    assert!(all.len() >= 14, "{} fixtures", all.len());
    for (name, v) in &all {
        let (mut codes, mut displays) = (BTreeSet::new(), BTreeSet::new());
        codings(v, &mut codes, &mut displays);
        let f = record_facts(v);
        let shown = f
            .name
            .iter()
            .map(|n| n.short.clone())
            .chain(f.facts.iter().filter_map(|x| match &x.value {
                FactValue::Text(t) => Some(t.clone()),
                _ => None,
            }));
        for text in shown {
            assert!(
                !codes.contains(&text) || displays.contains(&text),
                "{name}: the code {text} is shown though its coding has words"
            );
        }
    }
}

#[test]
fn a_lab_result_reads_as_name_value_range_flag_and_date() {
    let glucose = fixture("observation-serum-glucose");
    // The example names it by LOINC's short name only ("Glucose SerPl-mCnc").
    let name = glucose.name.clone().unwrap();
    assert_eq!(name.short, "Glucose");
    assert_eq!(name.full.as_deref(), Some("Glucose SerPl-mCnc"));
    assert_eq!(words(&glucose, "Result"), ["76 mg/dL"]);
    assert_eq!(words(&glucose, "Usual range"), ["40–109 mg/dL"]);
    assert_eq!(words(&glucose, "Flag"), ["Normal"]);
    assert_eq!(glucose.flag.as_deref(), Some("N"));
    assert_eq!(words(&glucose, "Measured"), ["2005-07-05"]);

    // A plain text is preferred; the long name kept.
    let hgb = fixture("observation-cbc-hemoglobin").name.unwrap();
    assert_eq!(hgb.short, "Hemoglobin");
    assert_eq!(
        hgb.full.as_deref(),
        Some("Hemoglobin [Mass/volume] in Blood")
    );
}

#[test]
fn a_prescription_a_vaccine_and_a_visit_read_with_who_and_where() {
    let rx = fixture("medicationrequest-coded-oral-axid");
    assert_eq!(
        rx.name.clone().unwrap().short,
        "Nizatidine 15 MG/ML Oral Solution"
    );
    assert_eq!(words(&rx, "Prescribed by"), ["Ronald Bone, MD"]);
    assert_eq!(words(&rx, "Prescribed"), ["2008-04-05"]);
    assert_eq!(words(&rx, "How to take"), ["10 mL bid"]);

    let imm = fixture("imm-1");
    assert_eq!(words(&imm, "Given"), ["2020-11-19T12:46:57-08:00"]);
    assert_eq!(words(&imm, "Where"), ["Holy Family Hospital"]);

    let visit = fixture("encounter-1036");
    assert_eq!(words(&visit, "Where"), ["Holy Family Hospital"]);
    assert_eq!(words(&visit, "Discharge"), ["Discharged to Home"]);
    assert_eq!(words(&visit, "Status"), ["In progress"]);
    assert_eq!(visit.name.unwrap().short, "Unknown (qualifier value)");
}
