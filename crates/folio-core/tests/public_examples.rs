//! The public CARIN Blue Button and Da Vinci PDex examples (tests/fixtures, see SOURCES.md),
//! imported as a file source and read through exactly what the screens call: the claim list and
//! each claim, the year's costs, prior authorizations, My health and every record's detail. No
//! field may show a bare code where the example carries a word for it (a coding's `display`, or
//! a CodeableConcept's `text` when its codings have none); a code is allowed beside its words.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// Every FHIR resource of the examples the screens read: the CARIN BB IG's examples (claims of
/// every kind, their Coverages, payers, providers, patients), its non-financial examples, and
/// PDex's prior authorization, dispense and Coverage.
fn example_resources() -> Vec<Value> {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["carin-bb", "carin-bb-nonfinancial"] {
        for e in std::fs::read_dir(fixtures().join(dir)).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            // The searchset repeats examples under the same ids (another file source's test).
            if name.ends_with(".json") && !name.starts_with("searchset") {
                files.push(p);
            }
        }
    }
    for name in [
        "ExplanationOfBenefit-PDexPriorAuth1.json",
        "MedicationDispense-1000001.json",
        "Coverage-Coverage1.json",
    ] {
        files.push(fixtures().join("pdex").join(name));
    }
    files.sort();
    let mut seen = BTreeSet::new();
    files
        .iter()
        .map(|f| serde_json::from_slice::<Value>(&std::fs::read(f).unwrap()).unwrap())
        // PDex's Coverage1 shares its id with CARIN's: one file source holds one of each.
        .filter(|r| seen.insert(format!("{}/{}", r["resourceType"], r["id"])))
        .collect()
}

/// The words the examples carry for their codes, computed from the JSON alone: `code` →
/// displays, from every Coding with a `display`, and from a CodeableConcept's `text` for its
/// codings that have none. A display that is the code itself (any case) is not a word.
fn words_for_codes(v: &Value, out: &mut BTreeMap<String, BTreeSet<String>>) {
    match v {
        Value::Object(o) => {
            let mut add = |code: &str, word: &str| {
                let (code, word) = (code.trim(), word.trim());
                if !code.is_empty() && !word.is_empty() && !word.eq_ignore_ascii_case(code) {
                    out.entry(code.to_owned())
                        .or_default()
                        .insert(word.to_owned());
                }
            };
            if let (Some(code), Some(display)) = (
                o.get("code").and_then(Value::as_str),
                o.get("display").and_then(Value::as_str),
            ) {
                add(code, display);
            }
            if let (Some(codings), Some(text)) = (
                o.get("coding").and_then(Value::as_array),
                o.get("text").and_then(Value::as_str),
            ) {
                for c in codings {
                    if c.get("display").is_none() {
                        if let Some(code) = c.get("code").and_then(Value::as_str) {
                            add(code, text);
                        }
                    }
                }
            }
            for child in o.values() {
                words_for_codes(child, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| words_for_codes(c, out)),
        _ => {}
    }
}

/// Fields that hold no coded fact: addresses, dates, amounts' currency, the raw JSON and the
/// narrative (behind "Technical details" and as the plan wrote it), numbers the plan assigned.
const NOT_CODED: &[&str] = &[
    "connectionId",
    "resourceId",
    "resourceType",
    "encounterId",
    "json",
    "narrativeHtml",
    "fhirBase",
    "fetchedAt",
    "sourceRequest",
    "currency",
    "claimNumber",
    "number",
    "reviewNumber",
    "start",
    "end",
    "date",
    "received",
    "processed",
    "paidOn",
    "fillDate",
    "requested",
    "decided",
    "approvedFrom",
    "approvedUntil",
    "balancesAsOf",
    "quantity",
    "key",
];

/// The strings of an object that show with a field: its own and those of its arrays of text.
fn strings_of(o: &serde_json::Map<String, Value>) -> Vec<&str> {
    let mut out = Vec::new();
    for v in o.values() {
        match v {
            Value::String(s) => out.push(s.as_str()),
            Value::Array(a) => out.extend(a.iter().filter_map(Value::as_str)),
            Value::Object(inner) => out.extend(inner.values().filter_map(Value::as_str)),
            _ => {}
        }
    }
    out
}

/// The places in an api value that show a code where the examples carry its words, and none
/// of those words beside it.
fn bare_codes(
    what: &str,
    v: &Value,
    words: &BTreeMap<String, BTreeSet<String>>,
    path: &str,
    found: &mut Vec<String>,
) {
    match v {
        Value::Object(o) => {
            let beside: Vec<String> = strings_of(o).iter().map(|s| s.to_lowercase()).collect();
            for (k, child) in o {
                let here = format!("{path}.{k}");
                let texts: Vec<&str> = match child {
                    Value::String(s) if !NOT_CODED.contains(&k.as_str()) => vec![s.as_str()],
                    Value::Array(a) if !NOT_CODED.contains(&k.as_str()) => {
                        a.iter().filter_map(Value::as_str).collect()
                    }
                    _ => Vec::new(),
                };
                for text in texts {
                    // The code alone, or a code named by its system ("CPT 99213").
                    let code = text.trim();
                    let last = code.rsplit(' ').next().unwrap_or(code);
                    let Some(known) = words.get(code).or_else(|| words.get(last)) else {
                        continue;
                    };
                    let said = known.iter().any(|w| {
                        let w = w.to_lowercase();
                        beside.iter().any(|s| s.contains(&w))
                    });
                    if !said {
                        found.push(format!(
                            "{what}{here} = {text:?} (the example says {known:?})"
                        ));
                    }
                }
                bare_codes(what, child, words, &here, found);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                bare_codes(what, c, words, &format!("{path}[{i}]"), found);
            }
        }
        _ => {}
    }
}

/// The examples imported as one file source into a new Folio: its folder, the Folio, its
/// secrets (to open the same folder again), the source's id, and the resources.
struct Imported {
    dir: tempfile::TempDir,
    folio: folio_core::Folio,
    secrets: std::sync::Arc<folio_secrets::MemoryStore>,
    source: String,
    resources: Vec<Value>,
}

async fn import_examples(visit_first: bool) -> Imported {
    let resources = example_resources();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("carin-pdex-examples.json");
    let bundle = json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": resources.iter().map(|r| json!({"resource": r})).collect::<Vec<_>>(),
    });
    std::fs::write(&file, serde_json::to_vec(&bundle).unwrap()).unwrap();
    let secrets = std::sync::Arc::new(folio_secrets::MemoryStore::default());
    let folio = folio_core::Folio::with_secrets(
        folio_core::DataDir::at(dir.path().join("data")),
        secrets.clone(),
    )
    .unwrap();
    if visit_first {
        // The member's first visit, before the file arrives.
        assert!(folio.overview(false).await.unwrap().new_items.is_empty());
    }
    let imported = folio.import(&file).await.unwrap();
    assert_eq!(imported.rejected, 0);
    assert_eq!(imported.resources as usize, resources.len());
    Imported {
        source: imported.connection_id,
        dir,
        folio,
        secrets,
        resources,
    }
}

#[tokio::test]
async fn the_public_carin_and_pdex_examples_read_in_words_on_every_screen() {
    let Imported {
        dir: _dir,
        folio,
        source,
        resources,
        ..
    } = import_examples(false).await;
    let mut words = BTreeMap::new();
    for r in &resources {
        words_for_codes(r, &mut words);
    }

    let mut seen: Vec<(String, Value)> = Vec::new();
    let list = folio
        .claims(folio_core::api::ClaimQuery {
            year: None,
            offset: 0,
            limit: 200,
        })
        .await
        .unwrap();
    let eobs = |use_: &str| {
        resources
            .iter()
            .filter(|r| r["resourceType"] == "ExplanationOfBenefit" && r["use"] == use_)
            .count()
    };
    assert_eq!(
        list.items.len(),
        eobs("claim"),
        "every example claim listed"
    );
    for c in &list.items {
        let detail = folio.claim(&c.connection_id, &c.resource_id).await.unwrap();
        seen.push((
            format!("claim {}", c.resource_id),
            serde_json::to_value(&detail).unwrap(),
        ));
    }
    seen.push(("claims".into(), serde_json::to_value(&list).unwrap()));
    for year in &list.years {
        let costs = folio.cost_summary(Some(*year)).await.unwrap();
        seen.push((
            format!("costs {year}"),
            serde_json::to_value(&costs).unwrap(),
        ));
    }
    let auths = folio.prior_authorizations(true).await.unwrap();
    assert_eq!(auths.len(), eobs("preauthorization"));
    for a in &auths {
        let detail = folio
            .prior_authorization(&a.connection_id, &a.resource_id)
            .await
            .unwrap();
        seen.push((
            format!("prior authorization {}", a.resource_id),
            serde_json::to_value(&detail).unwrap(),
        ));
    }
    seen.push((
        "prior authorizations".into(),
        serde_json::to_value(&auths).unwrap(),
    ));
    let overview = folio.overview(true).await.unwrap();
    assert!(
        !overview.coverages.is_empty(),
        "the examples' Coverages are cards"
    );
    seen.push(("overview".into(), serde_json::to_value(&overview).unwrap()));
    let health = folio.my_health(true).await.unwrap();
    assert!(
        !health.medications.is_empty(),
        "PDex's dispense and CARIN's pharmacy claim"
    );
    seen.push(("my health".into(), serde_json::to_value(&health).unwrap()));
    for r in &resources {
        let ty = r["resourceType"].as_str().unwrap();
        let id = r["id"].as_str().unwrap();
        let record = folio.record(&source, ty, id).await.unwrap();
        seen.push((
            format!("record {ty}/{id}"),
            serde_json::to_value(&record).unwrap(),
        ));
    }

    let mut found = Vec::new();
    for (what, v) in &seen {
        bare_codes(what, v, &words, "", &mut found);
    }
    assert!(
        found.is_empty(),
        "{} bare codes where the example has words:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// A claim or a prior authorization listed on the timeline or as new on the overview opens on
/// its own screen, as its record's detail says.
#[tokio::test]
async fn claims_and_prior_authorizations_listed_open_on_their_own_screens() {
    let Imported {
        dir,
        folio,
        secrets,
        source,
        ..
    } = import_examples(true).await;
    use folio_core::api::RecordScreen;
    let page = folio
        .timeline(&folio_core::api::TimelineQuery {
            types: vec!["ExplanationOfBenefit".into()],
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    // (A non-financial example and its financial twin are one item.)
    assert!(page.items.len() > 5);
    assert!(page.items.iter().any(|i| i.resource_id == "PDexPriorAuth1"));
    for item in &page.items {
        let record = folio
            .record(&source, &item.resource_type, &item.resource_id)
            .await
            .unwrap();
        assert_eq!(item.opens_on, record.opens_on, "{}", item.resource_id);
        let expected = if item.resource_id == "PDexPriorAuth1" {
            RecordScreen::PriorAuthorization
        } else {
            RecordScreen::Claim
        };
        assert_eq!(item.opens_on, Some(expected), "{}", item.resource_id);
    }

    // The next visit lists the newest of the file as new: a claim among them opens on the
    // claim screen, anything else on its record.
    let again = folio_core::Folio::with_secrets(
        folio_core::DataDir::at(dir.path().join("data")),
        secrets.clone(),
    )
    .unwrap();
    let o = again.overview(false).await.unwrap();
    assert!(!o.new_items.is_empty());
    assert!(
        o.new_items
            .iter()
            .any(|i| i.opens_on == Some(RecordScreen::Claim)),
        "a claim is among the newest"
    );
    for item in &o.new_items {
        let record = again
            .record(&item.connection_id, &item.resource_type, &item.resource_id)
            .await
            .unwrap();
        assert_eq!(item.opens_on, record.opens_on, "{}", item.resource_id);
    }
}
