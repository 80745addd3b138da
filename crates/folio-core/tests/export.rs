//! Export against a real synced profile: a FHIR Bundle (collection) and Bulk-style NDJSON,
//! validated by the official FHIR R4 JSON schema (node, tests/interop), resources verbatim,
//! one Provenance per plan, no silent overwrite.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::Command;

use folio_core::api::{ExportFormat, ExportRequest};
use folio_core::SyncOptions;
use folio_sandbox::{ClientRegistration, MemberSource, Sandbox, SandboxConfig};

use common::*;

mod common;

fn member(seed: u64, size: usize) -> SandboxConfig {
    SandboxConfig {
        members: vec![MemberSource::Generated {
            login: "demo".into(),
            name: ("Ana".into(), "Rivera".into()),
            seed,
            size,
        }],
        ..Default::default()
    }
}

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

/// The official R4 JSON schema says yes (or the test fails with its reasons).
fn assert_valid_fhir(path: &Path) {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/validate-fhir.mjs");
    let out = Command::new("node").arg(script).arg(path).output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn exports_are_valid_fhir_verbatim_with_provenance_and_never_overwrite_silently() {
    let e = env(member(5, 700)).await;
    let mut second = member(6, 300);
    second.clients = vec![ClientRegistration {
        client_id: "folio-desktop".into(),
        name: "Folio".into(),
        redirect_uris: vec!["http://127.0.0.1/cb/second-plan".into()],
    }];
    let other = Sandbox::start(second).await.unwrap();
    let plan = e
        .folio
        .add_plan(
            "Second Plan",
            other.fhir_base(),
            "folio-desktop",
            folio_core::api::RedirectStyle::Loopback,
        )
        .await
        .unwrap();
    let a = connect(&e, "demo", &[]).await.unwrap();
    let b = connect_plan(&e.folio, &plan.id, "demo", &[]).await.unwrap();
    for c in [&a, &b] {
        e.folio
            .sync_connection(&c.id, SyncOptions::default(), &|_| {})
            .await
            .unwrap();
    }
    let (counts, _) = e.folio.stats().await.unwrap();
    let held: i64 = counts.iter().map(|c| c.resources - c.sensitive).sum();

    // The Bundle.
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("history.json");
    let summary = e
        .folio
        .export(&request(ExportFormat::Bundle), &path)
        .await
        .unwrap();
    assert_eq!(i64::from(summary.resources), held);
    assert_eq!(summary.sources, 2);
    assert_valid_fhir(&path);
    let bundle: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(bundle["type"], "collection");
    assert!(bundle["timestamp"].is_string());
    let entries = bundle["entry"].as_array().unwrap();
    assert_eq!(
        entries.len() as i64,
        held + 2,
        "every record and a Provenance per plan"
    );
    let urls: HashSet<&str> = entries
        .iter()
        .map(|x| x["fullUrl"].as_str().unwrap())
        .collect();
    assert_eq!(urls.len(), entries.len(), "fullUrl unique (bdl-7)");
    let provenances: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|x| x["fullUrl"].as_str().unwrap().starts_with("urn:uuid:"))
        .map(|x| &x["resource"])
        .collect();
    assert_eq!(provenances.len(), 2);
    let targeted: usize = provenances
        .iter()
        .map(|p| p["target"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        targeted as i64, held,
        "every record is a target of its plan's Provenance"
    );
    assert!(provenances
        .iter()
        .any(|p| p["agent"][0]["who"]["display"] == "Second Plan"));
    // Verbatim: each entry is the stored resource, at its plan's address.
    for x in entries
        .iter()
        .filter(|x| !x["fullUrl"].as_str().unwrap().starts_with("urn:"))
        .step_by(37)
    {
        let url = x["fullUrl"].as_str().unwrap();
        let (base, connection) = if url.starts_with(other.fhir_base()) {
            (other.fhir_base(), &b.id)
        } else {
            (e.sandbox.fhir_base(), &a.id)
        };
        let rest = url.strip_prefix(base).unwrap().trim_start_matches('/');
        let (ty, id) = rest.split_once('/').unwrap();
        let stored = e.folio.record(connection, ty, id).await.unwrap();
        let stored: serde_json::Value = serde_json::from_str(&stored.json).unwrap();
        assert_eq!(x["resource"], stored, "{url}");
    }

    // No silent overwrite; replacing only when asked.
    let before = std::fs::read(&path).unwrap();
    let refused = e
        .folio
        .export(&request(ExportFormat::Bundle), &path)
        .await
        .unwrap_err();
    assert_eq!(
        refused.code(),
        folio_core::api::ErrorCode::ExportTargetExists
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let mut replace = request(ExportFormat::Bundle);
    replace.overwrite = true;
    replace.connections = vec![b.id.clone()];
    let only_b = e.folio.export(&replace, &path).await.unwrap();
    assert_eq!(only_b.sources, 1);
    assert!(std::fs::read(&path).unwrap().len() < before.len());
    let staged: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|x| {
            x.file_name()
                .to_string_lossy()
                .starts_with(".folio-export-")
        })
        .collect();
    assert!(staged.is_empty(), "no staging files left behind");

    // NDJSON: one file per type, a manifest, every line valid.
    let folder = out.path().join("history-ndjson");
    let nd = e
        .folio
        .export(&request(ExportFormat::Ndjson), &folder)
        .await
        .unwrap();
    assert_eq!(nd.resources, summary.resources);
    assert_valid_fhir(&folder);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).unwrap()).unwrap();
    let listed: BTreeMap<String, i64> = manifest["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["type"].as_str().unwrap().to_owned(),
                o["count"].as_i64().unwrap(),
            )
        })
        .collect();
    for (ty, n) in &listed {
        let lines = std::fs::read_to_string(folder.join(format!("{ty}.ndjson")))
            .unwrap()
            .lines()
            .count() as i64;
        assert_eq!(lines, *n, "{ty}");
    }
    assert_eq!(listed.values().sum::<i64>(), held + 2);
    let refused = e
        .folio
        .export(&request(ExportFormat::Ndjson), &folder)
        .await
        .unwrap_err();
    assert_eq!(
        refused.code(),
        folio_core::api::ErrorCode::ExportTargetExists
    );

    // A kind and a date range: that kind inside the range, with its context (the member,
    // coverage, organizations) whatever their dates.
    let mut recent = request(ExportFormat::Bundle);
    recent.from = Some("2025-01-01".into());
    recent.types = vec!["Encounter".into()];
    let path2 = out.path().join("recent.json");
    e.folio.export(&recent, &path2).await.unwrap();
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path2).unwrap()).unwrap();
    let kinds: HashSet<&str> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["resource"]["resourceType"].as_str().unwrap())
        .collect();
    assert!(kinds.contains("Encounter") && kinds.contains("Patient") && kinds.contains("Coverage"));
    assert!(
        !kinds.contains("Observation") && !kinds.contains("ExplanationOfBenefit"),
        "only the chosen kind and its context: {kinds:?}"
    );
    for x in bundle["entry"].as_array().unwrap() {
        if x["resource"]["resourceType"] == "Encounter" {
            assert!(x["resource"]["period"]["start"].as_str().unwrap() >= "2025-01-01");
        }
    }
}
