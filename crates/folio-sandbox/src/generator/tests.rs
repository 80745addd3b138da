//! Tests of the member generator: determinism, exact totals, referential integrity, claim
//! arithmetic, special content and proportions.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use time::macros::date;

use super::{
    counts_by_type, generate_member, has_hostile_narrative, is_sensitive, sanitize_member_key,
    GeneratedMember, MIN_RESOURCES,
};

/// Resource types that are not clinical records (the denominator for sensitive proportions).
const NON_CLINICAL: [&str; 6] = [
    "Patient",
    "Organization",
    "Practitioner",
    "Coverage",
    "ExplanationOfBenefit",
    "Provenance",
];

const ALL_TYPES: [&str; 15] = [
    "Patient",
    "Organization",
    "Practitioner",
    "Coverage",
    "AllergyIntolerance",
    "Encounter",
    "Condition",
    "Observation",
    "DiagnosticReport",
    "Procedure",
    "MedicationRequest",
    "Immunization",
    "DocumentReference",
    "ExplanationOfBenefit",
    "Provenance",
];

/// One 10,000-resource member shared by the tests that need volume (built once per test run).
fn big() -> &'static GeneratedMember {
    static BIG: OnceLock<GeneratedMember> = OnceLock::new();
    BIG.get_or_init(|| generate_member("zed", ("Zed", "Tester"), 42, 10_000))
}

fn small(target: usize, seed: u64) -> GeneratedMember {
    generate_member("ana", ("Ana", "Silva"), seed, target)
}

fn rtype(resource: &Value) -> &str {
    resource["resourceType"].as_str().unwrap()
}

fn id(resource: &Value) -> &str {
    resource["id"].as_str().unwrap()
}

fn is_clinical(resource: &Value) -> bool {
    !NON_CLINICAL.contains(&rtype(resource))
}

fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

fn collect_references<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "reference" {
                    out.push(child.as_str().expect("reference is a string"));
                } else {
                    collect_references(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_references(item, out)),
        _ => {}
    }
}

fn cents(money: &Value) -> i64 {
    assert_eq!(money["currency"], "USD");
    (money["value"].as_f64().unwrap() * 100.0).round() as i64
}

/// Amount per adjudication category code, for an `item.adjudication` or `total` array (the
/// denial and adjustment reasons, which CARIN slices by a discriminator, are not amounts).
fn by_category(entries: &Value) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for entry in entries.as_array().unwrap() {
        if entry["category"]["coding"][0]["system"]
            == "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator"
        {
            continue;
        }
        let code = entry["category"]["coding"][0]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            out.insert(code, cents(&entry["amount"])).is_none(),
            "duplicate category"
        );
    }
    out
}

fn assert_resolves(member: &GeneratedMember) {
    let known: BTreeSet<String> = member
        .resources
        .iter()
        .map(|r| format!("{}/{}", rtype(r), id(r)))
        .collect();
    let mut references = Vec::new();
    for resource in &member.resources {
        collect_references(resource, &mut references);
    }
    assert!(
        references.len() > member.resources.len(),
        "suspiciously few references"
    );
    for reference in references {
        assert!(known.contains(reference), "dangling reference {reference}");
    }
}

fn assert_ids(member: &GeneratedMember) {
    let mut seen = BTreeSet::new();
    for resource in &member.resources {
        let id = id(resource);
        assert!(valid_id(id), "invalid id {id:?}");
        assert!(
            seen.insert((rtype(resource).to_owned(), id.to_owned())),
            "duplicate {id}"
        );
    }
    let plain: BTreeSet<&str> = member.resources.iter().map(id).collect();
    assert_eq!(
        plain.len(),
        member.resources.len(),
        "ids must be unique across types too"
    );
}

#[test]
fn same_inputs_give_byte_identical_output() {
    let a = serde_json::to_string(&small(500, 7).resources).unwrap();
    let b = serde_json::to_string(&small(500, 7).resources).unwrap();
    assert_eq!(a, b);
}

#[test]
fn different_seed_gives_different_output() {
    let a = serde_json::to_string(&small(500, 7).resources).unwrap();
    let b = serde_json::to_string(&small(500, 8).resources).unwrap();
    assert_ne!(a, b);
}

#[test]
fn total_is_exact_for_several_targets() {
    for target in [
        0,
        1,
        MIN_RESOURCES - 1,
        MIN_RESOURCES,
        MIN_RESOURCES + 1,
        27,
        40,
        41,
        200,
        500,
    ] {
        for seed in 0..4 {
            let member = small(target, seed);
            assert_eq!(
                member.resources.len(),
                target.max(MIN_RESOURCES),
                "target {target}"
            );
        }
    }
}

#[test]
fn ten_thousand_resource_member_has_exact_counts() {
    let member = big();
    assert_eq!(member.resources.len(), 10_000);
    assert_eq!(
        counts_by_type(&member.resources).values().sum::<usize>(),
        10_000
    );
}

#[test]
fn patient_comes_first() {
    for member in [small(MIN_RESOURCES, 3), small(200, 3)] {
        let patient = &member.resources[0];
        assert_eq!(rtype(patient), "Patient");
        assert_eq!(id(patient), member.patient_id);
        assert_eq!(member.patient_id, "ana-patient");
        assert_eq!(patient["name"][0]["given"][0], "Ana");
        assert_eq!(patient["name"][0]["family"], "Silva");
        assert_eq!(patient["identifier"][0]["system"], super::MEMBER_ID_SYSTEM);
        let others = member
            .resources
            .iter()
            .filter(|r| rtype(r) == "Patient")
            .count();
        assert_eq!(others, 1);
    }
}

#[test]
fn ids_are_unique_and_valid() {
    for target in [MIN_RESOURCES, 40, 500] {
        assert_ids(&small(target, 11));
    }
    assert_ids(big());
}

#[test]
fn every_reference_resolves() {
    for target in [MIN_RESOURCES, 40, 500] {
        assert_resolves(&small(target, 5));
    }
    assert_resolves(big());
}

#[test]
fn every_resource_has_meta_and_most_have_narrative() {
    let member = big();
    let mut with_text = 0;
    for resource in &member.resources {
        assert_eq!(resource["meta"]["versionId"], "1");
        let updated = resource["meta"]["lastUpdated"].as_str().unwrap();
        assert!(
            ("2016-01-01".."2026-11-01").contains(&updated),
            "lastUpdated {updated}"
        );
        if let Some(div) = resource.pointer("/text/div") {
            assert_eq!(resource["text"]["status"], "generated");
            assert!(div
                .as_str()
                .unwrap()
                .starts_with("<div xmlns=\"http://www.w3.org/1999/xhtml\">"));
            with_text += 1;
        }
    }
    assert!(
        with_text * 10 > member.resources.len() * 8,
        "{with_text} narratives"
    );
}

#[test]
fn clinical_dates_stay_in_the_window_and_precede_last_updated() {
    for resource in &big().resources {
        let updated = resource["meta"]["lastUpdated"].as_str().unwrap();
        for key in [
            "effectiveDateTime",
            "occurrenceDateTime",
            "performedDateTime",
            "authoredOn",
        ] {
            if let Some(at) = resource.get(key).and_then(Value::as_str) {
                assert!(
                    ("2016-01-01".."2026-10-31T23:59:60").contains(&at),
                    "{key} {at}"
                );
                assert!(at <= updated, "{key} {at} after lastUpdated {updated}");
            }
        }
        if let Some(end) = resource.pointer("/period/end").and_then(Value::as_str) {
            if rtype(resource) == "Encounter" {
                assert!(end <= updated && end < "2026-11-01", "encounter end {end}");
            }
        }
    }
}

#[test]
fn every_type_is_present_in_small_members() {
    for target in [MIN_RESOURCES, 40] {
        for seed in 0..6 {
            let counts = counts_by_type(&small(target, seed).resources);
            for name in ALL_TYPES {
                assert!(
                    counts.contains_key(name),
                    "{name} missing at target {target}"
                );
            }
            assert_eq!(counts["Patient"], 1);
        }
    }
}

#[test]
fn proportions_for_10k_are_close_to_the_spec() {
    let counts = counts_by_type(&big().resources);
    let share = |name: &str| *counts.get(name).unwrap_or(&0) as f64 / 10_000.0;
    let bounds = [
        ("ExplanationOfBenefit", 0.14, 0.23),
        ("Observation", 0.29, 0.42),
        ("Encounter", 0.08, 0.12),
        ("Condition", 0.035, 0.075),
        ("MedicationRequest", 0.04, 0.08),
        ("Procedure", 0.045, 0.08),
        ("DiagnosticReport", 0.045, 0.08),
        ("Immunization", 0.012, 0.03),
        ("DocumentReference", 0.025, 0.06),
        ("Provenance", 0.045, 0.08),
    ];
    for (name, low, high) in bounds {
        let s = share(name);
        assert!((low..=high).contains(&s), "{name} share {s}");
    }
    assert!((1..=3).contains(&counts["AllergyIntolerance"]));
    assert!((1..=3).contains(&counts["Coverage"]));
    assert!((11..=21).contains(&counts["Organization"]));
    assert!((10..=30).contains(&counts["Practitioner"]));
}

#[test]
fn eob_totals_match_line_adjudications() {
    let mut eobs = 0;
    let mut kinds = BTreeSet::new();
    for eob in big()
        .resources
        .iter()
        .filter(|r| rtype(r) == "ExplanationOfBenefit" && r["use"] != "preauthorization")
    {
        eobs += 1;
        kinds.insert(
            eob["type"]["coding"][0]["code"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        assert_eq!(eob["status"], "active");
        assert_eq!(eob["use"], "claim");
        assert_eq!(eob["outcome"], "complete");
        assert_eq!(eob["insurance"][0]["focal"], true);
        let mut sums: BTreeMap<String, i64> = BTreeMap::new();
        for (i, item) in eob["item"].as_array().unwrap().iter().enumerate() {
            assert_eq!(item["sequence"], json!(i + 1));
            assert!(item["productOrService"]["coding"][0]["display"].is_string());
            let line = by_category(&item["adjudication"]);
            let get = |code: &str| *line.get(code).unwrap_or(&0);
            assert!(
                get("eligible") <= get("submitted"),
                "allowed above submitted: {line:?}"
            );
            assert!(get("eligible") >= 0 && get("benefit") >= 0);
            assert_eq!(
                get("benefit") + get("memberliability"),
                get("eligible"),
                "{line:?}"
            );
            assert_eq!(
                get("copay") + get("deductible") + get("coinsurance"),
                get("memberliability"),
                "{line:?}"
            );
            assert_eq!(get("paidtoprovider"), get("benefit"));
            for (code, amount) in line {
                *sums.entry(code).or_insert(0) += amount;
            }
        }
        let totals = by_category(&eob["total"]);
        for code in [
            "submitted",
            "eligible",
            "benefit",
            "memberliability",
            "paidtoprovider",
        ] {
            assert!(totals.contains_key(code), "total lacks {code}");
        }
        for (code, total) in &totals {
            assert_eq!(*sums.get(code).unwrap_or(&0), *total, "total {code}");
        }
        for (code, sum) in &sums {
            assert_eq!(
                *totals.get(code).unwrap_or(&0),
                *sum,
                "line category {code} not totalled"
            );
        }
        assert_eq!(cents(&eob["payment"]["amount"]), totals["benefit"]);
    }
    assert!(eobs > 1_000);
    let expected: BTreeSet<String> = [
        "institutional",
        "oral",
        "pharmacy",
        "professional",
        "vision",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(kinds, expected);
}

#[test]
fn pharmacy_claims_point_at_their_prescription() {
    let member = big();
    let meds: BTreeMap<String, &Value> = member
        .resources
        .iter()
        .filter(|r| rtype(r) == "MedicationRequest")
        .map(|r| (format!("MedicationRequest/{}", id(r)), r))
        .collect();
    let mut pharmacy = 0;
    for eob in member
        .resources
        .iter()
        .filter(|r| rtype(r) == "ExplanationOfBenefit")
    {
        if eob["type"]["coding"][0]["code"] != "pharmacy" {
            continue;
        }
        pharmacy += 1;
        let med = meds[eob["prescription"]["reference"].as_str().unwrap()];
        let product = &eob["item"][0]["productOrService"];
        assert_eq!(
            product["coding"][0]["system"],
            "http://hl7.org/fhir/sid/ndc"
        );
        assert_eq!(product["text"], med["medicationCodeableConcept"]["text"]);
        assert_eq!(is_sensitive(eob), is_sensitive(med));
    }
    assert!(pharmacy > 100);
}

#[test]
fn small_members_carry_sensitive_and_hostile_records() {
    for target in [MIN_RESOURCES, 40, 200] {
        for seed in 0..8 {
            let member = small(target, seed);
            let sensitive = member
                .resources
                .iter()
                .filter(|r| is_clinical(r) && is_sensitive(r))
                .count();
            let hostile = member
                .resources
                .iter()
                .filter(|r| has_hostile_narrative(r))
                .count();
            assert!(
                sensitive >= 2,
                "target {target} seed {seed}: {sensitive} sensitive"
            );
            assert!(
                hostile >= 1,
                "target {target} seed {seed}: no hostile narrative"
            );
            let labelled_claims = member
                .resources
                .iter()
                .filter(|r| rtype(r) == "ExplanationOfBenefit" && is_sensitive(r))
                .count();
            assert!(labelled_claims >= 1);
        }
    }
}

#[test]
fn sensitive_and_hostile_proportions_for_10k() {
    let member = big();
    let clinical: Vec<&Value> = member.resources.iter().filter(|r| is_clinical(r)).collect();
    let sensitive = clinical.iter().filter(|r| is_sensitive(r)).count();
    let share = sensitive as f64 / clinical.len() as f64;
    assert!((0.015..=0.045).contains(&share), "sensitive share {share}");
    let hostile = member
        .resources
        .iter()
        .filter(|r| has_hostile_narrative(r))
        .count();
    let share = hostile as f64 / member.resources.len() as f64;
    assert!((0.004..=0.02).contains(&share), "hostile share {share}");
    let mut codes = BTreeSet::new();
    for resource in member.resources.iter().filter(|r| is_sensitive(r)) {
        for label in resource["meta"]["security"].as_array().unwrap() {
            codes.insert(label["code"].as_str().unwrap().to_owned());
        }
    }
    for code in ["R", "PSY", "ETH", "SUD", "42CFRPart2", "HIV"] {
        assert!(codes.contains(code), "no {code} label");
    }
}

#[test]
fn hostile_narratives_keep_legitimate_formatting() {
    let member = big();
    let hostile: Vec<&Value> = member
        .resources
        .iter()
        .filter(|r| has_hostile_narrative(r))
        .collect();
    assert!(!hostile.is_empty());
    for resource in hostile {
        let div = resource["text"]["div"].as_str().unwrap();
        for needle in [
            "<script>alert(1)</script>",
            "onerror=\"alert(2)\"",
            "href=\"javascript:alert(3)\"",
            "<iframe src=\"https://evil.invalid\">",
            "<style>body{display:none}</style>",
            "<form action=\"https://evil.invalid\"><input/></form>",
            "<b>",
            "<table>",
        ] {
            assert!(div.contains(needle), "missing {needle}");
        }
    }
}

#[test]
fn labs_have_reference_ranges_and_some_are_flagged() {
    let mut labs = 0;
    let mut flags: BTreeMap<String, usize> = BTreeMap::new();
    for obs in big().resources.iter().filter(|r| rtype(r) == "Observation") {
        if obs["category"][0]["coding"][0]["code"] != "laboratory" {
            continue;
        }
        labs += 1;
        let range = &obs["referenceRange"][0];
        assert!(
            range["low"].is_object() || range["high"].is_object(),
            "no range: {obs}"
        );
        assert_eq!(obs["valueQuantity"]["system"], "http://unitsofmeasure.org");
        assert!(obs["valueQuantity"]["code"].is_string());
        let flag = obs["interpretation"][0]["coding"][0]["code"]
            .as_str()
            .unwrap();
        *flags.entry(flag.to_owned()).or_insert(0) += 1;
    }
    assert!(labs > 1_000);
    assert!(flags.get("H").copied().unwrap_or(0) > 20, "{flags:?}");
    assert!(flags.get("L").copied().unwrap_or(0) > 5, "{flags:?}");
    assert!(flags["N"] > labs / 2, "{flags:?}");
}

#[test]
fn some_glucose_results_use_mmol_per_l() {
    let mut units: BTreeMap<String, usize> = BTreeMap::new();
    for obs in big().resources.iter().filter(|r| rtype(r) == "Observation") {
        if obs["code"]["coding"][0]["code"] == "2345-7" {
            let unit = obs["valueQuantity"]["code"].as_str().unwrap().to_owned();
            *units.entry(unit).or_insert(0) += 1;
        }
    }
    let mg = units["mg/dL"];
    let mmol = units.get("mmol/L").copied().unwrap_or(0);
    let share = mmol as f64 / (mg + mmol) as f64;
    assert!((0.005..=0.08).contains(&share), "{units:?}");
    assert_eq!(units.len(), 2, "{units:?}");
}

#[test]
fn lab_values_drift_rather_than_jump() {
    // A mean-reverting walk makes neighbouring results closer than distant ones.
    let values: Vec<f64> = big()
        .resources
        .iter()
        .filter(|r| rtype(r) == "Observation")
        .filter(|r| r["code"]["coding"][0]["code"] == "2345-7")
        .filter(|r| r["valueQuantity"]["code"] == "mg/dL")
        .map(|r| r["valueQuantity"]["value"].as_f64().unwrap())
        .collect();
    assert!(values.len() > 100);
    let mean_gap = |lag: usize| {
        let gaps: Vec<f64> = values
            .windows(lag + 1)
            .map(|w| (w[lag] - w[0]).abs())
            .collect();
        gaps.iter().sum::<f64>() / gaps.len() as f64
    };
    assert!(
        mean_gap(1) < 0.85 * mean_gap(30),
        "{} vs {}",
        mean_gap(1),
        mean_gap(30)
    );
    let distinct: BTreeSet<i64> = values.iter().map(|v| *v as i64).collect();
    assert!(distinct.len() > 10);
}

#[test]
fn diagnostic_reports_group_same_day_labs() {
    let member = big();
    let by_ref: BTreeMap<String, &Value> = member
        .resources
        .iter()
        .map(|r| (format!("{}/{}", rtype(r), id(r)), r))
        .collect();
    for report in member
        .resources
        .iter()
        .filter(|r| rtype(r) == "DiagnosticReport")
    {
        assert_eq!(report["category"][0]["coding"][0]["code"], "LAB");
        let results = report["result"].as_array().unwrap();
        assert!(!results.is_empty());
        for result in results {
            let obs = by_ref[result["reference"].as_str().unwrap()];
            assert_eq!(obs["effectiveDateTime"], report["effectiveDateTime"]);
            assert_eq!(obs["encounter"], report["encounter"]);
        }
    }
}

#[test]
fn documents_carry_decodable_notes() {
    let mut types: BTreeMap<String, usize> = BTreeMap::new();
    for doc in big()
        .resources
        .iter()
        .filter(|r| rtype(r) == "DocumentReference")
    {
        let attachment = &doc["content"][0]["attachment"];
        let bytes = STANDARD
            .decode(attachment["data"].as_str().unwrap())
            .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("Patient: Zed Tester"), "{text}");
        let content_type = attachment["contentType"].as_str().unwrap().to_owned();
        if content_type == "text/html" {
            assert!(text.starts_with("<html>"));
        }
        *types.entry(content_type).or_insert(0) += 1;
        assert!(doc["context"]["encounter"][0]["reference"].is_string());
    }
    let plain = types["text/plain"];
    let html = types.get("text/html").copied().unwrap_or(0);
    let share = html as f64 / (plain + html) as f64;
    assert!((0.04..=0.2).contains(&share), "{types:?}");
}

#[test]
fn coverage_periods_are_consecutive_with_the_last_active() {
    for seed in 0..10 {
        let member = small(2_000, seed);
        let coverages: Vec<&Value> = member
            .resources
            .iter()
            .filter(|r| rtype(r) == "Coverage")
            .collect();
        assert!((1..=3).contains(&coverages.len()));
        assert_eq!(coverages[0]["period"]["start"], "2016-01-01");
        for pair in coverages.windows(2) {
            let end = date_of(pair[0]["period"]["end"].as_str().unwrap());
            let start = date_of(pair[1]["period"]["start"].as_str().unwrap());
            assert_eq!(end.next_day(), Some(start));
            assert_eq!(pair[0]["status"], "cancelled");
        }
        let current = coverages.last().unwrap();
        assert_eq!(current["status"], "active");
        assert!(current["period"].get("end").is_none());
    }
}

fn date_of(text: &str) -> time::Date {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format).unwrap()
}

#[test]
fn members_past_the_smallest_have_a_prior_authorization_in_every_state() {
    let actions = |member: &GeneratedMember| -> BTreeSet<String> {
        member
            .resources
            .iter()
            .filter(|r| rtype(r) == "ExplanationOfBenefit" && r["use"] == "preauthorization")
            .flat_map(|r| r["item"].as_array().unwrap().clone())
            .map(|item| {
                item.pointer(
                    "/adjudication/0/extension/0/extension/1/valueCodeableConcept/coding/0/code",
                )
                .and_then(Value::as_str)
                .unwrap()
                .to_owned()
            })
            .collect()
    };
    // A1 approved, A2 partly approved, A3 denied, A4 pending.
    assert_eq!(
        actions(big()),
        ["A1", "A2", "A3", "A4"]
            .map(String::from)
            .into_iter()
            .collect()
    );
    assert!(actions(&small(MIN_RESOURCES, 3)).is_empty());
    let denied = big()
        .resources
        .iter()
        .find(|r| {
            r["use"] == "preauthorization"
                && r["outcome"] == "complete"
                && r.get("preAuthRefPeriod").is_none()
        })
        .unwrap();
    assert_eq!(
        denied["item"][0]["adjudication"][1]["category"]["coding"][0]["code"],
        "denialreason"
    );
}

#[test]
fn provenance_covers_every_claim() {
    let member = big();
    let mut covered = BTreeSet::new();
    for provenance in member.resources.iter().filter(|r| rtype(r) == "Provenance") {
        let agents = provenance["agent"].as_array().unwrap();
        assert_eq!(agents[0]["type"]["coding"][0]["code"], "transmitter");
        assert!(agents[1..]
            .iter()
            .all(|a| a["type"]["coding"][0]["code"] == "author"));
        let source = &provenance["entity"][0]["extension"][0];
        assert!(source["url"]
            .as_str()
            .unwrap()
            .ends_with("ProvenanceSourceFrom"));
        for target in provenance["target"].as_array().unwrap() {
            covered.insert(target["reference"].as_str().unwrap().to_owned());
        }
    }
    for eob in member
        .resources
        .iter()
        .filter(|r| rtype(r) == "ExplanationOfBenefit" && r["use"] != "preauthorization")
    {
        assert!(covered.contains(&format!("ExplanationOfBenefit/{}", id(eob))));
    }
}

#[test]
fn different_keys_share_no_ids() {
    let ana = generate_member("ana", ("Ana", "Silva"), 9, 300);
    let ben = generate_member("ben", ("Ben", "Okafor"), 9, 300);
    let ana_ids: BTreeSet<&str> = ana.resources.iter().map(id).collect();
    assert!(ben.resources.iter().map(id).all(|i| !ana_ids.contains(i)));
    assert!(ben.resources.iter().all(|r| id(r).starts_with("ben-")));
}

#[test]
fn member_keys_are_sanitized() {
    assert_eq!(sanitize_member_key("ana"), "ana");
    assert_eq!(sanitize_member_key(""), "member");
    assert_eq!(sanitize_member_key("a b/c"), "a-b-c");
    assert_eq!(sanitize_member_key(&"x".repeat(100)).len(), 40);
    let member = generate_member("<script> ü", ("Ana", "Silva"), 1, 60);
    assert_ids(&member);
    assert_resolves(&member);
    let member = generate_member(&"k".repeat(200), ("Ana", "Silva"), 1, 60);
    assert_ids(&member);
}

#[test]
fn helpers_classify_handmade_resources() {
    let plain = json!({"resourceType": "Condition", "meta": {"security": [
        {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HTEST"}
    ]}, "text": {"div": "<div xmlns=\"http://www.w3.org/1999/xhtml\"><b>fine</b></div>"}});
    assert!(!is_sensitive(&plain));
    assert!(!has_hostile_narrative(&plain));
    let restricted = json!({"meta": {"security": [
        {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"}
    ]}});
    assert!(is_sensitive(&restricted));
    let very = json!({"meta": {"security": [
        {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "V"}
    ]}});
    assert!(is_sensitive(&very));
    let normal = json!({"meta": {"security": [
        {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "N"}
    ]}});
    assert!(!is_sensitive(&normal));
    let sud = json!({"meta": {"security": [
        {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "ETH"}
    ]}});
    assert!(is_sensitive(&sud));
    let script = json!({"text": {"div": "<div><SCRIPT>x</SCRIPT></div>"}});
    assert!(has_hostile_narrative(&script));
    let link = json!({"text": {"div": "<div><a href=\"JavaScript:x\">y</a></div>"}});
    assert!(has_hostile_narrative(&link));
    let counts = counts_by_type(&[plain.clone(), plain, restricted]);
    assert_eq!(counts["Condition"], 2);
    assert_eq!(counts["(none)"], 1);
}

#[test]
fn npi_numbers_pass_the_luhn_check() {
    assert_eq!(super::build::npi_check_digit("123456789"), 3);
    let member = small(500, 2);
    let mut npis = 0;
    for resource in &member.resources {
        if let Some(identifiers) = resource["identifier"].as_array() {
            for identifier in identifiers {
                if identifier["system"] == "http://hl7.org/fhir/sid/us-npi" {
                    let npi = identifier["value"].as_str().unwrap();
                    assert_eq!(npi.len(), 10);
                    assert!(npi.bytes().all(|b| b.is_ascii_digit()));
                    let check = u32::from(npi.as_bytes()[9] - b'0');
                    assert_eq!(super::build::npi_check_digit(&npi[..9]), check, "{npi}");
                    npis += 1;
                }
            }
        }
    }
    assert!(npis >= 10);
}

#[test]
fn clock_tables_match_the_calendar() {
    use super::clock::{COVID_VACCINE_DAY, LAST_DAY, YEAR_STARTS};
    let epoch = date!(2016 - 01 - 01);
    assert_eq!((date!(2026 - 10 - 31) - epoch).whole_days(), LAST_DAY);
    assert_eq!(
        (date!(2020 - 12 - 15) - epoch).whole_days(),
        COVID_VACCINE_DAY
    );
    for (i, &start) in YEAR_STARTS.iter().enumerate() {
        let first =
            time::Date::from_calendar_date(2016 + i as i32, time::Month::January, 1).unwrap();
        assert_eq!((first - epoch).whole_days(), start);
    }
    assert_eq!(super::clock::instant(0), "2016-01-01T00:00:00Z");
    assert_eq!(
        super::clock::date(LAST_DAY * super::clock::DAY),
        "2026-10-31"
    );
}

#[test]
fn plan_accounts_for_every_resource() {
    for target in [MIN_RESOURCES, 40, 333, 5_000] {
        let mut dice = super::dice::Dice::new(target as u64);
        let plan = super::plan::make(&mut dice, target, &[30, 25, 20, 8, 6]);
        assert_eq!(plan.count(), target);
        let visits: usize = plan.batches.iter().sum();
        assert_eq!(visits, plan.visits.len());
        assert!(plan.visits.windows(2).all(|w| w[0].day <= w[1].day));
    }
}

#[test]
fn the_demo_member_has_dental_vision_denials_and_balances() {
    // The demo plan's member (config.rs: "demo", seed 2026, 2,000 resources).
    let member = generate_member("demo", ("Ana", "Rivera"), 2026, 2_000);
    let eobs: Vec<&Value> = member
        .resources
        .iter()
        .filter(|r| rtype(r) == "ExplanationOfBenefit" && r["use"] == "claim")
        .collect();
    let kinds: BTreeSet<&str> = eobs
        .iter()
        .filter_map(|e| e["type"]["coding"][0]["code"].as_str())
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            "institutional",
            "oral",
            "pharmacy",
            "professional",
            "vision"
        ])
    );
    let denied = |item: &Value| {
        item["adjudication"].as_array().unwrap().iter().any(|a| {
            a["category"]["coding"][0]["code"] == "denialreason"
                && a["reason"]["coding"][0]["system"]
                    == "https://x12.org/codes/claim-adjustment-reason-codes"
                && a["reason"]["coding"][0]["display"].is_string()
        })
    };
    let (mut partial, mut full) = (0, 0);
    for eob in &eobs {
        let items = eob["item"].as_array().unwrap();
        match items.iter().filter(|i| denied(i)).count() {
            0 => {}
            n if n == items.len() => full += 1,
            _ => partial += 1,
        }
    }
    assert!(partial >= 1 && full >= 1, "partial {partial}, full {full}");
    let balance = eobs
        .iter()
        .find(|e| e["type"]["coding"][0]["code"] == "professional")
        .map(|e| &e["benefitBalance"])
        .unwrap();
    let units: Vec<&str> = balance
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["unit"]["coding"][0]["code"].as_str().unwrap())
        .collect();
    assert_eq!(units, ["individual", "family"]);
    for b in balance.as_array().unwrap() {
        let figures = b["financial"].as_array().unwrap();
        assert_eq!(figures[0]["type"]["coding"][0]["code"], "deductible");
        assert_eq!(figures[1]["type"]["text"], "Out-of-pocket maximum");
        assert!(cents(&figures[0]["usedMoney"]) <= cents(&figures[0]["allowedMoney"]));
    }
}
