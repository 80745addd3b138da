//! A record's detail and the labs as a member reads them, against the sandbox's generated
//! member: readable test names with the LOINC long name kept, units in words, and a record's
//! people's fields (value, range, dates, who, where, status) with references named from the
//! records Folio holds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use folio_core::api::{RecordDetail, TimelineQuery};
use folio_sandbox::SandboxConfig;

use common::*;

mod common;

fn config() -> SandboxConfig {
    demo_member(17, 600)
}

fn fact<'a>(r: &'a RecordDetail, label: &str) -> Vec<&'a folio_core::api::RecordFact> {
    r.summary
        .facts
        .iter()
        .filter(|f| f.label == label)
        .collect()
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn records_and_labs_read_in_words() {
    let e = env(config()).await;
    connect_and_sync(&e, "demo").await;

    // Labs: the readable part of the LOINC long name, the full name kept; units in words.
    let tests = e.folio.lab_tests(false).await.unwrap();
    let glucose = tests
        .iter()
        .find(|t| t.key == "http://loinc.org|2345-7")
        .expect("glucose is listed");
    assert_eq!(glucose.name, "Glucose");
    assert_eq!(
        glucose.full_name.as_deref(),
        Some("Glucose [Mass/volume] in Serum or Plasma")
    );
    let wbc = tests
        .iter()
        .find(|t| t.key == "http://loinc.org|6690-2")
        .expect("white cells are listed");
    assert_eq!(wbc.name, "Leukocytes");
    assert!(
        wbc.latest.value.ends_with(" thousand per µL"),
        "{}",
        wbc.latest.value
    );
    assert!(
        wbc.latest
            .range
            .as_deref()
            .unwrap_or("")
            .ends_with("thousand per µL"),
        "{:?}",
        wbc.latest.range
    );
    assert!(
        !tests.iter().any(|t| t.name.contains(" [")),
        "no LOINC long name is shown as a test's name: {:?}",
        tests.iter().map(|t| &t.name).collect::<Vec<_>>()
    );

    // The timeline shows the same readable names, the full one beside.
    let page = e
        .folio
        .timeline(&TimelineQuery {
            types: vec!["Observation".into()],
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    let item = page
        .items
        .iter()
        .find(|i| {
            i.full_title.as_deref() == Some("Leukocytes [#/volume] in Blood by Automated count")
        })
        .expect("a white cell count on the timeline");
    assert_eq!(item.title, "Leukocytes");

    // The record: people's fields first.
    let r = e
        .folio
        .record(&item.connection_id, "Observation", &item.resource_id)
        .await
        .unwrap();
    assert_eq!(r.summary.title.as_deref(), Some("Leukocytes"));
    assert_eq!(
        r.summary.full_name.as_deref(),
        Some("Leukocytes [#/volume] in Blood by Automated count")
    );
    assert_eq!(r.summary.facts[0].label, "Result");
    let result = r.summary.facts[0].text.as_deref().unwrap();
    assert!(result.ends_with(" thousand per µL"), "{result}");
    assert_eq!(
        fact(&r, "Usual range")[0].text.as_deref(),
        Some("4.5–11 thousand per µL")
    );
    assert!(fact(&r, "Measured")[0].date.is_some());
    assert_eq!(fact(&r, "Status")[0].text.as_deref(), Some("Final"));

    // A visit: dates, the clinician and the organization named from their own records, linked.
    let visits = e
        .folio
        .timeline(&TimelineQuery {
            types: vec!["Encounter".into()],
            limit: 5,
            ..Default::default()
        })
        .await
        .unwrap();
    let v = &visits.items[0];
    let r = e
        .folio
        .record(&v.connection_id, "Encounter", &v.resource_id)
        .await
        .unwrap();
    assert!(r.summary.title.is_some());
    assert!(fact(&r, "Began")[0].date.is_some());
    for label in ["Seen by", "Organization"] {
        let f = fact(&r, label);
        assert_eq!(f.len(), 1, "{label}: {:?}", r.summary.facts);
        let link = f[0].link.as_ref().expect("the party's record is held");
        assert!(
            matches!(link.resource_type.as_str(), "Practitioner" | "Organization"),
            "{link:?}"
        );
        let name = f[0].text.as_deref().unwrap();
        assert!(
            !name.contains('/'),
            "{label} is named, not a reference: {name}"
        );
    }

    // A claim's visit lists its results by their readable names too.
    let mut results = 0;
    for r in claim_details(&e, 60).await {
        for v in r
            .claim
            .and_then(|c| c.visit)
            .map(|v| v.items)
            .unwrap_or_default()
        {
            if v.resource_type == "Observation" {
                assert!(!v.title.contains(" ["), "{}", v.title);
                results += 1;
            }
        }
    }
    assert!(results > 0, "some visits have results");
}
