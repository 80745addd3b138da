//! My health against the sandbox: a generated member synced, then read back as the screen reads
//! it. Each expected count is worked out here from the generated resources themselves (by code
//! and reference), not by Folio's own readers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use folio_core::api::{CareKind, MedicineStatus};
use folio_sandbox::generator::{generate_member, is_sensitive};
use folio_sandbox::SandboxConfig;
use serde_json::Value;

use common::*;

mod common;

const SEED: u64 = 23;
const SIZE: usize = 1_500;

fn config() -> SandboxConfig {
    demo_member(SEED, SIZE)
}

fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn my_health_lists_what_the_generated_member_has() {
    let e = env(config()).await;
    connect_and_sync(&e, "demo").await;
    let health = e.folio.my_health(false).await.unwrap();

    let member = generate_member("demo", ("Ana", "Rivera"), SEED, SIZE);
    let shown: Vec<&Value> = member
        .resources
        .iter()
        .filter(|r| !is_sensitive(r))
        .collect();
    let of = |t: &str| -> Vec<&Value> {
        shown
            .iter()
            .copied()
            .filter(|r| s(r, "/resourceType") == t)
            .collect()
    };

    // Medicines: one per RxNorm code; taken when the newest prescription for it is active.
    let mut newest: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    for r in of("MedicationRequest") {
        let code = s(r, "/medicationCodeableConcept/coding/0/code");
        let at = (s(r, "/authoredOn"), s(r, "/status"));
        let e = newest.entry(code).or_insert(at);
        if at.0 > e.0 {
            *e = at;
        }
    }
    let active = newest.values().filter(|(_, st)| *st == "active").count();
    let stopped = newest
        .values()
        .filter(|(_, st)| ["stopped", "completed"].contains(st))
        .count();
    assert_eq!(health.medications.len(), newest.len(), "one per medicine");
    let count = |st: MedicineStatus| health.medications.iter().filter(|m| m.status == st).count();
    assert_eq!(count(MedicineStatus::Active), active);
    assert_eq!(count(MedicineStatus::Stopped), stopped);
    assert!(
        active > 0 && stopped > 0,
        "the demo member takes some ({active}) and stopped some ({stopped}): {newest:?}"
    );
    // Taken ones come first; each one's last fill is its newest pharmacy claim.
    let first_stopped = health
        .medications
        .iter()
        .position(|m| m.status == MedicineStatus::Stopped)
        .unwrap();
    assert!(health.medications[..first_stopped]
        .iter()
        .all(|m| m.status == MedicineStatus::Active));
    let requests: BTreeMap<String, &str> = of("MedicationRequest")
        .into_iter()
        .map(|r| {
            (
                format!("MedicationRequest/{}", s(r, "/id")),
                s(r, "/medicationCodeableConcept/coding/0/code"),
            )
        })
        .collect();
    let mut last_fill: BTreeMap<&str, &str> = BTreeMap::new();
    for r in of("ExplanationOfBenefit") {
        if let Some(code) = requests.get(s(r, "/prescription/reference")) {
            let day = s(r, "/item/0/servicedDate");
            let e = last_fill.entry(code).or_insert(day);
            if day > *e {
                *e = day;
            }
        }
    }
    for m in &health.medications {
        let code = m.rxnorm.as_deref().unwrap();
        assert_eq!(
            m.last_filled.as_deref(),
            last_fill.get(code).copied(),
            "{}",
            m.name
        );
        assert!(
            m.prescriber.as_deref().is_some_and(|p| !p.contains('/')),
            "named prescriber"
        );
        assert!(m
            .sources
            .iter()
            .any(|s| s.resource_type == "MedicationRequest"));
    }

    // Conditions: one per code; current when the newest record is active.
    let mut conditions: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    for r in of("Condition") {
        let at = (s(r, "/recordedDate"), s(r, "/clinicalStatus/coding/0/code"));
        let e = conditions.entry(s(r, "/code/coding/0/code")).or_insert(at);
        if at.0 > e.0 {
            *e = at;
        }
    }
    assert_eq!(health.conditions.len(), conditions.len());
    let current = conditions
        .values()
        .filter(|(_, st)| *st == "active")
        .count();
    assert_eq!(
        health.conditions.iter().filter(|c| c.current).count(),
        current
    );
    assert!(
        health
            .conditions
            .iter()
            .any(|c| !c.current && c.until.is_some()),
        "resolved ones say until when"
    );

    // Allergies and vaccines by code; every dose counted once.
    let codes = |t: &str, p: &str| -> BTreeSet<String> {
        of(t).into_iter().map(|r| s(r, p).to_owned()).collect()
    };
    assert_eq!(
        health.allergies.len(),
        codes("AllergyIntolerance", "/code/coding/0/code").len()
    );
    assert_eq!(
        health.immunizations.len(),
        codes("Immunization", "/vaccineCode/coding/0/code").len()
    );
    let doses: usize = health.immunizations.iter().map(|i| i.dates.len()).sum();
    assert_eq!(doses, of("Immunization").len());

    // Visits: the newest 200 of all, newest first, each naming where and who.
    let visits = of("Encounter");
    assert_eq!(health.visits_total as usize, visits.len());
    assert_eq!(health.visits.len(), visits.len().min(200));
    assert!(health.visits.windows(2).all(|w| w[0].start >= w[1].start));
    assert!(health
        .visits
        .iter()
        .all(|v| v.place.is_some() && !v.clinicians.is_empty()));

    // Care team: everyone a visit or claim references, with their visits and claims counted.
    let mut seen: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for r in &visits {
        let mut refs = BTreeSet::new();
        for p in r["participant"].as_array().unwrap() {
            refs.insert(s(p, "/individual/reference").to_owned());
        }
        refs.insert(s(r, "/serviceProvider/reference").to_owned());
        for x in refs {
            seen.entry(x).or_default().0 += 1;
        }
    }
    for r in of("ExplanationOfBenefit") {
        if s(r, "/use") == "preauthorization" {
            continue;
        }
        // A party is its reference, or (a practice named only) its name as given.
        let party = |v: Option<&Value>| -> Option<String> {
            let v = v?;
            match (
                v.get("reference").and_then(Value::as_str),
                v.get("display").and_then(Value::as_str),
            ) {
                (Some(r), _) => Some(r.to_owned()),
                (None, Some(d)) => Some(format!(
                    "name|{}",
                    d.split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_lowercase()
                )),
                (None, None) => None,
            }
        };
        let mut refs = BTreeSet::new();
        for m in r["careTeam"].as_array().into_iter().flatten() {
            refs.extend(party(m.get("provider")));
        }
        refs.extend(party(r.get("provider")));
        refs.extend(party(r.get("facility")));
        for x in refs {
            seen.entry(x).or_default().1 += 1;
        }
    }
    assert_eq!(health.care_team.len(), seen.len());
    let clinicians = seen
        .keys()
        .filter(|k| k.starts_with("Practitioner/"))
        .count();
    assert_eq!(
        health
            .care_team
            .iter()
            .filter(|m| m.kind == CareKind::Clinician)
            .count(),
        clinicians
    );
    let top = &health.care_team[0];
    let (v, cl) = seen[&format!(
        "{}/{}",
        top.record.as_ref().unwrap().resource_type,
        top.record.as_ref().unwrap().resource_id
    )];
    assert_eq!((top.visits as usize, top.claims as usize), (v, cl));
    assert!(
        seen.values()
            .all(|(v, c)| v + c <= (top.visits + top.claims) as usize),
        "most seen first"
    );
    assert!(top.name.is_some() && top.last_seen.is_some());
    assert!(health.read_in_part.is_empty());
}
