//! Exports name each record as its plan does (standards checklist item 19, issue 15): a plan
//! whose search pages give fullUrls under another base than its FHIR API (here the sandbox's
//! `full_url_base`) gets those exact fullUrls back in a Bundle export and as the targets of
//! the NDJSON export's Provenance, not Folio's `{base}/{Type}/{id}`. Tokens live in a memory
//! secret store (no keychain needed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use folio_core::api::{ExportFormat, ExportRequest};
use folio_core::{DataDir, Folio, SyncOptions};
use folio_sandbox::{Faults, Sandbox, StrictServer};
use serde_json::Value;

mod common;

const RECORDS_BASE: &str = "https://records.plan.example/r4/v2";

fn request(format: ExportFormat) -> ExportRequest {
    ExportRequest {
        format,
        connections: vec![],
        types: vec![],
        from: None,
        until: None,
        include_sensitive: false,
        overwrite: false,
    }
}

/// A profile (tokens in memory) synced with the demo member of a sandbox whose search pages
/// name records under [`RECORDS_BASE`].
async fn synced_with_records_base() -> (Sandbox, tempfile::TempDir, Arc<Folio>) {
    let sandbox = Sandbox::start(common::demo_member(7, 120)).await.unwrap();
    sandbox.set_faults(Faults {
        strict: StrictServer {
            full_url_base: Some(RECORDS_BASE.into()),
            ..Default::default()
        },
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let folio = Arc::new(
        Folio::with_secrets(
            DataDir::at(dir.path()),
            Arc::new(folio_secrets::MemoryStore::default()),
        )
        .unwrap(),
    );
    folio.set_demo_plan_base(sandbox.fhir_base()).await.unwrap();
    let c = common::connect_plan(&folio, "demo", "demo", &[])
        .await
        .unwrap();
    folio
        .sync_connection(&c.id, SyncOptions::default())
        .await
        .unwrap();
    (sandbox, dir, folio)
}

#[tokio::test]
async fn exports_reuse_the_fullurls_the_plan_gave() {
    let (sandbox, _dir, folio) = synced_with_records_base().await;

    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("history.json");
    folio
        .export(&request(ExportFormat::Bundle), &path)
        .await
        .unwrap();
    let bundle: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let entries = bundle["entry"].as_array().unwrap();
    let plan_records: Vec<&Value> = entries
        .iter()
        .filter(|e| {
            // Folio's own Provenance (one per plan) is not a plan record.
            !(e["resource"]["resourceType"] == "Provenance"
                && e["fullUrl"].as_str().unwrap().starts_with("urn:uuid:"))
        })
        .collect();
    assert!(
        plan_records.len() > 20,
        "a synced member: {}",
        entries.len()
    );
    let mut searched = 0;
    for e in &plan_records {
        let (ty, id) = (
            e["resource"]["resourceType"].as_str().unwrap(),
            e["resource"]["id"].as_str().unwrap(),
        );
        let url = e["fullUrl"].as_str().unwrap();
        let plan_given = format!("{RECORDS_BASE}/{ty}/{id}");
        if ty == "Patient" && url != plan_given {
            // The member's Patient is read, not searched: no fullUrl came with it.
            assert_eq!(url, format!("{}/Patient/{id}", sandbox.fhir_base()));
            continue;
        }
        assert_eq!(url, plan_given, "{ty}/{id} keeps the plan's fullUrl");
        searched += 1;
    }
    assert!(searched > 20);

    // NDJSON carries no fullUrl per line: its Provenance names the same URLs as targets.
    let folder = out.path().join("history-ndjson");
    folio
        .export(&request(ExportFormat::Ndjson), &folder)
        .await
        .unwrap();
    let provenance = std::fs::read_to_string(folder.join("Provenance.ndjson")).unwrap();
    let ours: Value = provenance
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|p| {
            p["agent"][1]["who"]["display"]
                .as_str()
                .is_some_and(|d| d.starts_with("Folio"))
        })
        .expect("Folio's Provenance for the plan");
    let targets: Vec<&str> = ours["target"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["reference"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets
            .iter()
            .filter(|t| t.starts_with(RECORDS_BASE))
            .count(),
        searched,
        "every searched record is named by the plan's fullUrl"
    );
}

/// The International Patient Summary names each record as its plan did too, and stays a
/// document whose references resolve inside it: the Composition's subject and section
/// entries are entries' fullUrls, and the member's Patient (read, so given no fullUrl by the
/// plan) is named under the same base as the plan's records, where their relative
/// `Patient/{id}` references point.
#[tokio::test]
async fn the_ips_export_reuses_the_plans_fullurls_and_its_references_resolve() {
    let (_sandbox, _dir, folio) = synced_with_records_base().await;

    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("ips.json");
    folio
        .export(&request(ExportFormat::Ips), &path)
        .await
        .unwrap();
    let ips: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let entries = ips["entry"].as_array().unwrap();
    let full_urls: Vec<&str> = entries
        .iter()
        .map(|e| e["fullUrl"].as_str().unwrap())
        .collect();
    let mut records = 0;
    for e in entries {
        let ty = e["resource"]["resourceType"].as_str().unwrap();
        if matches!(ty, "Composition" | "Device") {
            assert!(e["fullUrl"].as_str().unwrap().starts_with("urn:uuid:"));
            continue;
        }
        let id = e["resource"]["id"].as_str().unwrap();
        assert_eq!(
            e["fullUrl"],
            format!("{RECORDS_BASE}/{ty}/{id}"),
            "{ty}/{id} is named as the plan named its records"
        );
        records += 1;
        // A relative reference to the member resolves (against the entry's base) to an entry.
        if let Some(subject) = e["resource"]["subject"]["reference"]
            .as_str()
            .or(e["resource"]["patient"]["reference"].as_str())
            .filter(|r| r.starts_with("Patient/"))
        {
            let resolved = format!("{RECORDS_BASE}/{subject}");
            assert!(
                full_urls.contains(&resolved.as_str()),
                "{ty}/{id}'s {subject} resolves inside the document"
            );
        }
    }
    assert!(records > 5, "a summary of a synced member: {records}");
    let composition = &entries[0]["resource"];
    assert_eq!(composition["resourceType"], "Composition");
    let subject = composition["subject"]["reference"].as_str().unwrap();
    assert!(full_urls.contains(&subject), "{subject}");
    let section_refs: Vec<&str> = composition["section"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["entry"].as_array().into_iter().flatten())
        .map(|r| r["reference"].as_str().unwrap())
        .collect();
    assert!(!section_refs.is_empty());
    for r in section_refs {
        assert!(r.starts_with(RECORDS_BASE), "{r}");
        assert!(full_urls.contains(&r), "{r} is an entry of the document");
    }
}
