//! Every public CARIN Blue Button 2.0 ExplanationOfBenefit example (financial and
//! non-financial, copied byte for byte into tests/fixtures/carin-bb; see SOURCES in
//! /work/shared/fixtures) reads as a member reads it: no raw code is shown where the coding
//! carries a display, and what an example leaves out is "not stated" rather than 0.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use folio_fhir::{ClaimFacts, ClaimKind, ClaimStatus};
use serde_json::Value;

fn fixtures() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/carin-bb");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn fixture(name: &str) -> ClaimFacts {
    let (_, v) = fixtures().into_iter().find(|(n, _)| n == name).unwrap();
    ClaimFacts::from_value(&v).unwrap()
}

/// Codes whose coding also carries a display different from the code, with their displays.
fn coded_with_words(v: &Value, out: &mut BTreeMap<String, Vec<String>>) {
    match v {
        Value::Object(map) => {
            if let (Some(Value::String(code)), Some(Value::String(display))) =
                (map.get("code"), map.get("display"))
            {
                if code != display {
                    out.entry(code.clone()).or_default().push(display.clone());
                }
            }
            map.values().for_each(|x| coded_with_words(x, out));
        }
        Value::Array(items) => items.iter().for_each(|x| coded_with_words(x, out)),
        _ => {}
    }
}

/// Every piece of text the member reads from a claim.
fn shown(c: &ClaimFacts) -> Vec<String> {
    let mut out = vec![c.kind.clone(), c.member_status.label().to_owned()];
    out.extend(c.network.clone());
    for r in &c.reasons {
        out.push(r.text.clone());
    }
    for l in &c.lines {
        out.push(l.service.clone());
        out.extend(l.revenue.clone());
        out.extend(l.quantity.clone());
        out.extend(l.reasons.iter().map(|r| r.text.clone()));
        out.extend(l.amounts.other.iter().map(|o| o.label.clone()));
    }
    out.extend(c.totals.other.iter().map(|o| o.label.clone()));
    out.extend(c.care_team.iter().filter_map(|(role, _)| role.clone()));
    if let Some(p) = &c.pharmacy {
        out.push(p.drug.clone());
        out.extend(p.brand_generic.clone());
        out.extend(p.compound.clone());
    }
    for b in &c.balances {
        out.extend(b.category.clone());
        out.extend(b.term.clone());
        out.extend(b.figures.iter().map(|f| f.label.clone()));
    }
    out
}

#[test]
fn every_carin_example_renders_without_a_raw_code_where_a_display_exists() {
    let all = fixtures();
    assert_eq!(all.len(), 20, "10 financial and 10 non-financial examples");
    for (name, value) in &all {
        let claim = ClaimFacts::from_value(value).unwrap_or_else(|| panic!("{name} is read"));
        let mut coded = BTreeMap::new();
        coded_with_words(value, &mut coded);
        for text in shown(&claim) {
            let tokens: Vec<&str> = text
                .split(|c: char| c.is_whitespace() || "(),;:".contains(c))
                .collect();
            for (code, displays) in &coded {
                // The whole text, or a token of it that looks like a code (has a digit).
                let bare = text == *code
                    || (code.chars().any(|c| c.is_ascii_digit())
                        && tokens.contains(&code.as_str()));
                let worded = displays.iter().any(|d| text.contains(d.as_str()));
                assert!(
                    !bare || worded,
                    "{name}: shows the code {code:?} in {text:?} without its display {displays:?}"
                );
            }
        }
        assert_ne!(claim.kind_code, ClaimKind::Other, "{name}: kind in words");
        assert!(!claim.lines.is_empty(), "{name}: has lines");
        for line in &claim.lines {
            assert!(
                !line.service.is_empty(),
                "{name}: every line names its service"
            );
        }
    }
}

#[test]
fn kinds_and_networks_in_member_words() {
    let kinds: Vec<(&str, ClaimKind)> = vec![
        (
            "ExplanationOfBenefit-EOBInpatient1.json",
            ClaimKind::HospitalStay,
        ),
        (
            "ExplanationOfBenefit-EOBOutpatient2.json",
            ClaimKind::Outpatient,
        ),
        (
            "ExplanationOfBenefit-EOBProfessional2.json",
            ClaimKind::Doctor,
        ),
        (
            "ExplanationOfBenefit-EOBPharmacy1.json",
            ClaimKind::Pharmacy,
        ),
        ("ExplanationOfBenefit-EOBOral1.json", ClaimKind::Dental),
    ];
    for (name, kind) in kinds {
        assert_eq!(fixture(name).kind_code, kind, "{name}");
    }
    assert_eq!(
        fixture("ExplanationOfBenefit-EOBInpatient1.json").kind,
        "Hospital stay"
    );
    // Inpatient2: the benefit was paid out of network although the billing provider is in it.
    let c = fixture("ExplanationOfBenefit-EOBInpatient2.json");
    assert_eq!(c.network.as_deref(), Some("Out of network"));
    assert_eq!(c.in_network, Some(false));
    assert_eq!(
        fixture("ExplanationOfBenefit-EOBProfessional2.json")
            .network
            .as_deref(),
        Some("In network")
    );
}

#[test]
fn the_professional_example_with_reversals_is_adjusted_and_names_every_amount() {
    let c = fixture("ExplanationOfBenefit-EOBProfessional2.json");
    assert_eq!(c.member_status, ClaimStatus::Adjusted, "lines reversed");
    assert_eq!(c.claim_number.as_deref(), Some("ProfessionalEOBExample1"));
    assert_eq!(
        c.lines[0].service, "CPT 75710",
        "no display: the code as sent"
    );
    assert_eq!(c.lines[0].code, None, "not repeated beside itself");
    let line = &c.lines[3];
    assert_eq!(line.amounts.not_covered, Some(224.11));
    assert_eq!(line.amounts.copay, Some(0.0), "a stated 0 stays 0");
    assert_eq!(line.amounts.discount, None, "absent is not stated, not 0");
    assert!(c.totals.member_owed.is_some());
}

#[test]
fn a_pharmacy_claim_gives_the_drug_supply_and_cost() {
    let c = fixture("ExplanationOfBenefit-EOBPharmacy1.json");
    let fill = c.pharmacy.unwrap();
    assert_eq!(
        fill.drug,
        "Prozac, 100 CAPSULE in 1 BOTTLE (0777-3105-02) (package)"
    );
    assert_eq!(fill.drug_code.as_deref(), Some("NDC 0777-3105-02"));
    assert_eq!(fill.days_supply, Some(30.0));
    assert_eq!(fill.brand_generic.as_deref(), Some("Generic"));
    assert_eq!(
        fill.compound.as_deref(),
        Some("Dummy"),
        "unknown code shown as sent"
    );
    assert_eq!(c.lines[0].amounts.member_owed, Some(80.0));
    assert_eq!(c.lines[0].amounts.discount, Some(900.0));
    assert_eq!(c.lines[0].amounts.paid_to_provider, Some(20.0));
}

#[test]
fn an_institutional_line_without_a_product_is_named_by_its_revenue_code() {
    let c = fixture("ExplanationOfBenefit-EOBInpatient1.json");
    assert_eq!(c.lines[0].service, "Facility service");
    assert_eq!(c.lines[0].code.as_deref(), Some("Revenue code Dummy"));
    let c = fixture("ExplanationOfBenefit-EOBOral1.json");
    assert_eq!(c.lines[0].service, "Prophylaxis - Adult");
    assert_eq!(c.lines[0].code.as_deref(), Some("CDT D1110"));
    assert_eq!(
        c.facility_reference.as_deref(),
        Some("Organization/ProviderOrganization1")
    );
}
