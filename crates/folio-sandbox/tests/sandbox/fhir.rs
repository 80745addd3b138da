//! The FHIR API: completeness of paging, includes, filters, isolation, fixtures.

use std::collections::BTreeMap;
use std::path::PathBuf;

use folio_sandbox::{MemberSource, SandboxConfig};
use serde_json::Value;

use crate::support::{self, client, connect, fhir, search_all, Consent};

fn small() -> SandboxConfig {
    SandboxConfig {
        members: vec![
            MemberSource::Generated {
                login: "demo".into(),
                name: ("Ana".into(), "Rivera".into()),
                seed: 7,
                size: 700,
            },
            MemberSource::Generated {
                login: "other".into(),
                name: ("Bo".into(), "Chen".into()),
                seed: 8,
                size: 300,
            },
        ],
        ..Default::default()
    }
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

#[tokio::test]
async fn paging_returns_every_resource_exactly_once() {
    let sb = support::start(small()).await;
    let summary = sb.members().remove(0);
    let t = connect(
        &sb,
        &Consent {
            share_sensitive: true,
            ..Default::default()
        },
    )
    .await;
    let at = t["access_token"].as_str().unwrap();
    let mut seen = 0;
    for (ty, expected) in &summary.counts {
        let (matches, _, pages) = search_all(&sb, at, &format!("{ty}?_count=37")).await;
        assert_eq!(
            matches.len(),
            *expected,
            "{ty}: every resource the plan holds"
        );
        assert_eq!(pages, expected.div_ceil(37).max(1), "{ty}: pages of 37");
        let mut ids: Vec<&str> = matches.iter().map(|r| r["id"].as_str().unwrap()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), *expected, "{ty}: no duplicates across pages");
        seen += matches.len();
    }
    assert_eq!(seen, summary.total);
    let (everything, _, _) = search_all(
        &sb,
        at,
        &format!("Patient/{}/$everything?_count=200", summary.patient_id),
    )
    .await;
    assert_eq!(
        everything.len(),
        summary.total,
        "$everything returns the whole record"
    );
}

#[tokio::test]
async fn withheld_sensitive_records_are_invisible() {
    let sb = support::start(small()).await;
    let summary = sb.members().remove(0);
    assert!(
        summary.sensitive > 0,
        "the generator labels some records sensitive"
    );
    let t = connect(
        &sb,
        &Consent {
            share_sensitive: false,
            ..Default::default()
        },
    )
    .await;
    let at = t["access_token"].as_str().unwrap();
    let (everything, _, _) = search_all(
        &sb,
        at,
        &format!("Patient/{}/$everything?_count=500", summary.patient_id),
    )
    .await;
    assert_eq!(everything.len(), summary.total - summary.sensitive);
    assert!(everything
        .iter()
        .all(|r| !folio_sandbox::generator::is_sensitive(r)));
    let shared = connect(
        &sb,
        &Consent {
            share_sensitive: true,
            ..Default::default()
        },
    )
    .await;
    let (all, _, _) = search_all(
        &sb,
        shared["access_token"].as_str().unwrap(),
        &format!("Patient/{}/$everything?_count=500", summary.patient_id),
    )
    .await;
    let hidden = all
        .iter()
        .find(|r| folio_sandbox::generator::is_sensitive(r))
        .unwrap();
    let read = fhir(
        &sb,
        at,
        &format!(
            "{}/{}",
            hidden["resourceType"].as_str().unwrap(),
            hidden["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(
        read.status(),
        404,
        "a withheld record cannot be read by id either"
    );
}

#[tokio::test]
async fn eob_include_and_provenance_revinclude() {
    let sb = support::start(small()).await;
    let t = connect(
        &sb,
        &Consent {
            share_sensitive: true,
            ..Default::default()
        },
    )
    .await;
    let at = t["access_token"].as_str().unwrap();
    let (eobs, included, _) = search_all(&sb, at, "ExplanationOfBenefit?_include=ExplanationOfBenefit:*&_revinclude=Provenance:target&_count=20").await;
    assert!(!eobs.is_empty());
    let types: BTreeMap<&str, usize> = included.iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(r["resourceType"].as_str().unwrap()).or_default() += 1;
        m
    });
    for ty in [
        "Patient",
        "Organization",
        "Coverage",
        "Practitioner",
        "Provenance",
    ] {
        assert!(types.contains_key(ty), "{ty} included: {types:?}");
    }
    let eob_ids: Vec<String> = eobs
        .iter()
        .map(|e| format!("ExplanationOfBenefit/{}", e["id"].as_str().unwrap()))
        .collect();
    for p in included
        .iter()
        .filter(|r| r["resourceType"] == "Provenance")
    {
        assert!(p["target"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| eob_ids.contains(&t["reference"].as_str().unwrap().to_owned())));
    }
    let (plain, none, _) = search_all(&sb, at, "ExplanationOfBenefit?_count=50").await;
    assert_eq!(plain.len(), eobs.len());
    assert!(none.is_empty(), "no includes unless asked");
}

#[tokio::test]
async fn last_updated_category_and_post_search() {
    let sb = support::start(small()).await;
    let t = connect(
        &sb,
        &Consent {
            share_sensitive: true,
            ..Default::default()
        },
    )
    .await;
    let at = t["access_token"].as_str().unwrap();
    let (all, _, _) = search_all(&sb, at, "Observation?_count=500").await;
    let mut stamps: Vec<&str> = all
        .iter()
        .map(|r| r["meta"]["lastUpdated"].as_str().unwrap())
        .collect();
    stamps.sort_unstable();
    let cut = stamps[stamps.len() / 2];
    let (newer, _, _) = search_all(
        &sb,
        at,
        &format!("Observation?_lastUpdated=gt{cut}&_count=500"),
    )
    .await;
    assert!(!newer.is_empty() && newer.len() < all.len());
    assert!(newer
        .iter()
        .all(|r| r["meta"]["lastUpdated"].as_str().unwrap() > cut));
    let (labs, _, _) = search_all(&sb, at, "Observation?category=laboratory&_count=500").await;
    assert!(!labs.is_empty() && labs.len() < all.len());
    let posted: Value = client()
        .post(format!("{}/Observation/_search", sb.fhir_base()))
        .bearer_auth(at)
        .form(&[("category", "laboratory"), ("_count", "1000")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(posted["total"].as_u64().unwrap() as usize, labs.len());
    let bad = fhir(&sb, at, "Observation?_lastUpdated=gtnot-a-date").await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn one_member_never_sees_another() {
    let sb = support::start(small()).await;
    let members = sb.members();
    let (ana, bo) = (&members[0], &members[1]);
    let t = connect(
        &sb,
        &Consent {
            share_sensitive: true,
            ..Default::default()
        },
    )
    .await;
    let at = t["access_token"].as_str().unwrap();
    assert_eq!(
        fhir(&sb, at, &format!("Patient/{}", bo.patient_id))
            .await
            .status(),
        404
    );
    assert_eq!(
        fhir(
            &sb,
            at,
            &format!("ExplanationOfBenefit?patient={}", bo.patient_id)
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        fhir(&sb, at, &format!("Patient/{}/$everything", bo.patient_id))
            .await
            .status(),
        404
    );
    let (mine, _, _) = search_all(
        &sb,
        at,
        &format!("Patient/{}/$everything?_count=500", ana.patient_id),
    )
    .await;
    assert!(
        mine.iter()
            .all(|r| !r["id"].as_str().unwrap().starts_with("other-")),
        "no resource of the other member"
    );
    let theirs = connect(
        &sb,
        &Consent {
            login: "other",
            share_sensitive: true,
            ..Default::default()
        },
    )
    .await;
    let (their_eobs, _, _) = search_all(
        &sb,
        theirs["access_token"].as_str().unwrap(),
        "ExplanationOfBenefit",
    )
    .await;
    let id = their_eobs[0]["id"].as_str().unwrap();
    assert_eq!(
        fhir(&sb, at, &format!("ExplanationOfBenefit/{id}"))
            .await
            .status(),
        404
    );
    assert_eq!(fhir(&sb, "not-a-token", "Coverage").await.status(), 401);
    let anon = client()
        .get(format!("{}/Coverage", sb.fhir_base()))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 401);
    assert!(anon.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
}

#[tokio::test]
async fn public_fixtures_are_served_as_members() {
    let f = fixtures();
    let config = SandboxConfig {
        members: vec![
            MemberSource::Fixture {
                login: "adan".into(),
                path: f.join("synthea-r4/Adan_Portillo_22bbe238-220e-495c-8abc-0ce3aa28a605.json"),
                patient_id: None,
            },
            MemberSource::Fixture {
                login: "carin".into(),
                path: f.join("carin-bb"),
                patient_id: Some("Patient1".into()),
            },
            MemberSource::Fixture {
                login: "bulk".into(),
                path: f.join("bulk-ndjson-10-patients"),
                patient_id: None,
            },
        ],
        ..Default::default()
    };
    let sb = support::start(config).await;
    let members = sb.members();
    // Synthea: a transaction bundle; every entry belongs to Adán.
    assert_eq!(members[0].total, 253);
    let t = connect(
        &sb,
        &Consent {
            login: "adan",
            share_sensitive: true,
            ..Default::default()
        },
    )
    .await;
    let at = t["access_token"].as_str().unwrap();
    let patient: Value = fhir(
        &sb,
        at,
        &format!("Patient/{}", t["patient"].as_str().unwrap()),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(patient["name"][0]["given"][0], "Adán");
    let (encounters, _, _) = search_all(&sb, at, "Encounter?_count=10").await;
    assert_eq!(encounters.len(), members[0].counts["Encounter"]);
    assert!(
        encounters[0]["subject"]["reference"]
            .as_str()
            .unwrap()
            .starts_with("Patient/"),
        "urn:uuid references rewritten"
    );
    // CARIN BB examples: EOBs with their includes.
    let t = connect(
        &sb,
        &Consent {
            login: "carin",
            share_sensitive: true,
            ..Default::default()
        },
    )
    .await;
    let (eobs, inc, _) = search_all(
        &sb,
        t["access_token"].as_str().unwrap(),
        "ExplanationOfBenefit?_include=ExplanationOfBenefit:*",
    )
    .await;
    assert!(!eobs.is_empty() && inc.iter().any(|r| r["resourceType"] == "Coverage"));
    // Bulk NDJSON of ten patients: only the first patient's records are this member's.
    assert!(
        members[2].total > 50 && members[2].total < 7160,
        "{}",
        members[2].total
    );
    assert_eq!(members[2].counts["Patient"], 1);
}
