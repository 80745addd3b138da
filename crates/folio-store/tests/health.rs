//! My health's reads on a real file: newest first, bounded, a coding filter, sensitive records
//! only when asked, and records by key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use folio_store::NewResource;

use common::with_connection;

mod common;

fn claim(id: &str, kind: &str, day: &str, sensitive: bool) -> String {
    let security = if sensitive {
        r#","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]}"#
    } else {
        ""
    };
    format!(
        r#"{{"resourceType":"ExplanationOfBenefit","id":"{id}"{security},"type":{{"coding":[{{"system":"http://terminology.hl7.org/CodeSystem/claim-type","code":"{kind}"}}]}},"billablePeriod":{{"start":"{day}"}}}}"#
    )
}

#[tokio::test]
async fn newest_records_of_a_type_bounded_filtered_by_coding_and_sensitivity() {
    let (_dir, store) = with_connection().await;
    let rows = [
        claim("p1", "pharmacy", "2024-01-01", false),
        claim("p2", "pharmacy", "2025-06-01", false),
        claim("p3", "pharmacy", "2026-01-01", true),
        claim("d1", "professional", "2026-02-01", false),
        r#"{"resourceType":"Practitioner","id":"dr","name":[{"family":"Lee"}]}"#.to_owned(),
    ];
    for raw in &rows {
        store
            .upsert_resource(&NewResource {
                connection_id: "c1",
                raw_json: raw,
                source_request: None,
            })
            .await
            .unwrap();
    }
    let pharmacy = Some("http://terminology.hl7.org/CodeSystem/claim-type|pharmacy");
    let ids = |rows: Vec<folio_store::CareRow>| -> Vec<String> {
        rows.into_iter().map(|r| r.resource_id).collect()
    };
    let eob = "ExplanationOfBenefit";
    assert_eq!(
        ids(store
            .newest_of_type(eob, pharmacy, false, 10)
            .await
            .unwrap()),
        ["p2", "p1"],
        "pharmacy claims only, newest first, the sensitive one hidden"
    );
    assert_eq!(
        ids(store.newest_of_type(eob, pharmacy, true, 10).await.unwrap()),
        ["p3", "p2", "p1"]
    );
    assert_eq!(
        ids(store.newest_of_type(eob, None, false, 2).await.unwrap()),
        ["d1", "p2"],
        "at most the limit"
    );
    // A code that is only part of another is not a match.
    assert!(store
        .newest_of_type(
            eob,
            Some("http://terminology.hl7.org/CodeSystem/claim-type|pharm"),
            true,
            10
        )
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.count_of_type(eob, false).await.unwrap(), 3);
    assert_eq!(store.count_of_type(eob, true).await.unwrap(), 4);

    let found = store
        .records_by_key(&[
            ("c1".into(), "Practitioner".into(), "dr".into()),
            ("c1".into(), "Practitioner".into(), "nobody".into()),
        ])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].2, "dr");
    assert!(found[0].3.contains("Lee"));
}
