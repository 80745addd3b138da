//! Export against a real synced profile: a FHIR Bundle (collection) and Bulk-style NDJSON,
//! validated by the official FHIR R4 JSON schema (node, tests/interop), resources verbatim,
//! one Provenance per plan, no silent overwrite.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::Command;

use folio_core::api::{ExportFormat, ExportRequest};
use folio_core::SyncOptions;

use common::*;

mod common;

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
    let e = env(demo_member(5, 700)).await;
    let (other, plan) = second_plan(&e, demo_member(6, 300)).await;
    let a = connect(&e, "demo", &[]).await.unwrap();
    let b = connect_plan(&e.folio, &plan.id, "demo", &[]).await.unwrap();
    for c in [&a, &b] {
        e.folio
            .sync_connection(&c.id, SyncOptions::default())
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

    // Round trip: the Bundle and the NDJSON folder imported into fresh profiles export the
    // same resources again.
    let all = out.path().join("all.json");
    let mut everything = request(ExportFormat::Bundle);
    everything.include_sensitive = true;
    e.folio.export(&everything, &all).await.unwrap();
    let original = resources_of(&all);
    for source in [&all, &folder] {
        let fresh = fresh_folio();
        let imported = fresh.1.import(source).await.unwrap();
        assert_eq!(imported.rejected, 0);
        let again = out
            .path()
            .join(format!("again-{}.json", imported.connection_id));
        fresh.1.export(&everything, &again).await.unwrap();
        assert_valid_fhir(&again);
        let back = resources_of(&again);
        // Folio's own Provenance is made anew by each export: compare everything else.
        let plain =
            |m: &BTreeMap<String, serde_json::Value>| -> BTreeMap<String, serde_json::Value> {
                m.iter()
                    .filter(|(_, v)| !is_folio_provenance(v))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            };
        assert_eq!(
            plain(&back),
            plain(&original),
            "round trip through {}",
            source.display()
        );
    }
}

fn is_folio_provenance(v: &serde_json::Value) -> bool {
    v["resourceType"] == "Provenance"
        && v["agent"][1]["who"]["display"]
            .as_str()
            .is_some_and(|d| d.starts_with("Folio "))
}

/// A Bundle's resources by `Type/id`.
fn resources_of(path: &Path) -> BTreeMap<String, serde_json::Value> {
    let bundle: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let r = &x["resource"];
            (
                format!(
                    "{}/{}",
                    r["resourceType"].as_str().unwrap(),
                    r["id"].as_str().unwrap()
                ),
                r.clone(),
            )
        })
        .collect()
}

fn fresh_folio() -> (tempfile::TempDir, folio_core::Folio) {
    let dir = tempfile::tempdir().unwrap();
    let folio = folio_core::Folio::with_secrets(
        folio_core::DataDir::at(dir.path()),
        std::sync::Arc::new(folio_secrets::MemoryStore::default()),
    )
    .unwrap();
    (dir, folio)
}

#[tokio::test]
async fn a_synthea_transaction_bundle_imports_with_references_resolved() {
    let (_dir, folio) = fresh_folio();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let file = fixtures.join("synthea-r4/Adan_Portillo_22bbe238-220e-495c-8abc-0ce3aa28a605.json");
    let bundle: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let entries = bundle["entry"].as_array().unwrap().len() as u32;
    let summary = folio.import(&file).await.unwrap();
    assert_eq!(summary.resources + summary.rejected, entries);
    assert_eq!(summary.rejected, 0);
    let sources = folio.connections().await.unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].kind, folio_core::api::SourceKind::File);
    assert_eq!(sources[0].records, summary.resources);
    assert!(
        folio
            .plans()
            .await
            .unwrap()
            .iter()
            .all(|p| !p.name.starts_with("File:")),
        "a file is not a plan to connect"
    );
    // An Encounter's subject now names the Patient in the store, not a urn:uuid.
    let page = folio
        .timeline(&folio_core::api::TimelineQuery {
            types: vec!["Encounter".into()],
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    let item = &page.items[0];
    let record = folio
        .record(&item.connection_id, "Encounter", &item.resource_id)
        .await
        .unwrap();
    let enc: serde_json::Value = serde_json::from_str(&record.json).unwrap();
    let subject = enc["subject"]["reference"].as_str().unwrap();
    assert_eq!(subject, format!("Patient/{}", sources[0].patient_id));
    // Nothing to download from a file; removing it removes its records.
    let refused = folio
        .sync_connection(&summary.connection_id, folio_core::SyncOptions::default())
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("imported file"));
    let gone = folio
        .disconnect(&summary.connection_id, false)
        .await
        .unwrap();
    assert!(gone.data_deleted);
    assert!(folio.connections().await.unwrap().is_empty());
    assert_eq!(folio.stats().await.unwrap().0.len(), 0);
}

#[tokio::test]
async fn the_bulk_ndjson_fixture_imports_completely_and_a_broken_file_adds_nothing() {
    let (_dir, folio) = fresh_folio();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let folder = fixtures.join("bulk-ndjson-10-patients");
    let mut expected = 0;
    for f in std::fs::read_dir(&folder).unwrap().filter_map(Result::ok) {
        let name = f.file_name().to_string_lossy().into_owned();
        if name.ends_with(".ndjson") && name != "log.ndjson" {
            expected += std::fs::read_to_string(f.path())
                .unwrap()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .count();
        }
    }
    let summary = folio.import(&folder).await.unwrap();
    assert_eq!(
        summary.resources as usize, expected,
        "every resource of the export"
    );
    let held: i64 = folio
        .stats()
        .await
        .unwrap()
        .0
        .iter()
        .map(|c| c.resources)
        .sum();
    assert_eq!(held as usize, expected);

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        br#"{"resourceType":"Bundle","entry":[{"resource":"#,
    )
    .unwrap();
    let err = folio.import(&broken).await.unwrap_err();
    assert_eq!(err.code(), folio_core::api::ErrorCode::ImportFailed);
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, br#"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient"}}]}"#).unwrap();
    let err = folio.import(&empty).await.unwrap_err();
    assert!(err.to_string().contains("no FHIR resource"), "{err}");
    assert_eq!(
        folio.connections().await.unwrap().len(),
        1,
        "failed imports leave no source behind"
    );
}

#[tokio::test]
#[ignore = "needs node and tests/interop/node_modules; scripts/test.sh runs it"]
async fn an_ips_document_meets_the_ips_minimum_and_the_r4_schema() {
    let (_dir, folio) = fresh_folio();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let file = fixtures.join("synthea-r4/Adan_Portillo_22bbe238-220e-495c-8abc-0ce3aa28a605.json");
    let source = folio.import(&file).await.unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("ips.json");
    let summary = folio
        .export(&request(ExportFormat::Ips), &path)
        .await
        .unwrap();
    assert!(summary.resources > 10);
    assert_valid_fhir(&path);
    let b: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    // Bundle: document, identifier with system and value, timestamp, fullUrl on every entry,
    // nothing of a transaction or search.
    assert_eq!(b["type"], "document");
    assert!(b["identifier"]["system"].is_string() && b["identifier"]["value"].is_string());
    assert!(b["timestamp"].is_string());
    let entries = b["entry"].as_array().unwrap();
    let urls: HashSet<&str> = entries
        .iter()
        .map(|e| e["fullUrl"].as_str().unwrap())
        .collect();
    assert_eq!(urls.len(), entries.len());
    assert!(entries.iter().all(|e| e.get("request").is_none()
        && e.get("search").is_none()
        && e.get("response").is_none()));
    let of_type = |t: &str| {
        entries
            .iter()
            .filter(|e| e["resource"]["resourceType"] == t)
            .count()
    };
    assert_eq!(of_type("Composition"), 1);
    assert_eq!(of_type("Patient"), 1);
    let c = &entries[0]["resource"];
    assert_eq!(
        c["resourceType"], "Composition",
        "the Composition comes first"
    );
    assert_eq!(c["type"]["coding"][0]["system"], "http://loinc.org");
    assert_eq!(c["type"]["coding"][0]["code"], "60591-5");
    assert!(c["date"].is_string() && c["title"].is_string());
    let patient_url = entries
        .iter()
        .find(|e| e["resource"]["resourceType"] == "Patient")
        .unwrap()["fullUrl"]
        .as_str()
        .unwrap();
    assert_eq!(c["subject"]["reference"], patient_url);
    let author = c["author"][0]["reference"].as_str().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e["fullUrl"] == author && e["resource"]["resourceType"] == "Device"),
        "software-assembled: a Device author"
    );
    let sections = c["section"].as_array().unwrap();
    let codes: Vec<&str> = sections
        .iter()
        .map(|s| s["code"]["coding"][0]["code"].as_str().unwrap())
        .collect();
    for required in ["11450-4", "48765-2", "10160-0"] {
        assert!(codes.contains(&required), "required section {required}");
    }
    for s in sections {
        assert!(s["title"].is_string());
        assert!(s["text"]["div"]
            .as_str()
            .unwrap()
            .starts_with("<div xmlns=\"http://www.w3.org/1999/xhtml\">"));
        let has_entries = s["entry"].as_array().is_some_and(|e| !e.is_empty());
        assert!(
            has_entries != s.get("emptyReason").is_some(),
            "entries or an empty reason (ips-comp-1): {s}"
        );
        for r in s["entry"].as_array().into_iter().flatten() {
            assert!(
                urls.contains(r["reference"].as_str().unwrap()),
                "section entries are in the Bundle"
            );
        }
    }

    // A summary is about one person: with two sources Folio asks which.
    folio
        .import(
            &fixtures.join("synthea-r4/Fletcher_Hyatt_fe0562b5-f517-4951-8366-32fdab088930.json"),
        )
        .await
        .unwrap();
    let err = folio
        .export(&request(ExportFormat::Ips), &out.path().join("two.json"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("one person"), "{err}");
    let mut one = request(ExportFormat::Ips);
    one.connections = vec![source.connection_id];
    folio
        .export(&one, &out.path().join("one.json"))
        .await
        .unwrap();
}

#[tokio::test]
#[ignore = "needs pdftotext (poppler-utils); scripts/test.sh installs it and runs this"]
async fn the_printable_summary_is_a_pdf_a_reader_opens_with_the_members_records() {
    let (_dir, folio) = fresh_folio();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    folio
        .import(
            &fixtures.join("synthea-r4/Adan_Portillo_22bbe238-220e-495c-8abc-0ce3aa28a605.json"),
        )
        .await
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("summary.pdf");
    let summary = folio
        .export(&request(ExportFormat::Pdf), &path)
        .await
        .unwrap();
    assert_eq!(summary.format, ExportFormat::Pdf);
    assert!(std::fs::read(&path).unwrap().starts_with(b"%PDF-1.4"));
    // An independent reader (poppler) parses it and finds the member's records in it.
    let text = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    let text = String::from_utf8(text.stdout).unwrap();
    for expected in [
        "Health summary: Adán Portillo",
        "born 1937-02-13",
        "Health problems",
        "Alzheimer's disease (disorder) (2020-01-18)",
        "Medicines",
        "Galantamine 4 MG Oral Tablet",
        "Allergies",
        "None in these records.",
        "Immunizations",
        "page 1 of",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let info = Command::new("pdfinfo").arg(&path).output().unwrap();
    assert!(String::from_utf8_lossy(&info.stdout)
        .contains("Title:           Health summary: Adán Portillo"));
}

#[tokio::test]
async fn a_documents_note_is_shown_as_text_and_saved_byte_for_byte() {
    let (_dir, folio) = fresh_folio();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    folio
        .import(&fixtures.join("bulk-ndjson-10-patients"))
        .await
        .unwrap();
    let page = folio
        .timeline(&folio_core::api::TimelineQuery {
            types: vec!["DocumentReference".into()],
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    let item = &page.items[0];
    let record = folio
        .record(&item.connection_id, "DocumentReference", &item.resource_id)
        .await
        .unwrap();
    let note = &record.attachments[0];
    assert_eq!(note.kind, folio_core::api::AttachmentKind::Text);
    let text = note.text.clone().unwrap();
    assert!(text.len() > 20, "{text}");
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("note.txt");
    let written = folio
        .save_attachment(
            &item.connection_id,
            "DocumentReference",
            &item.resource_id,
            0,
            &target,
            false,
        )
        .await
        .unwrap();
    assert_eq!(written as usize, text.len());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), text);
    let again = folio
        .save_attachment(
            &item.connection_id,
            "DocumentReference",
            &item.resource_id,
            0,
            &target,
            false,
        )
        .await
        .unwrap_err();
    assert_eq!(again.code(), folio_core::api::ErrorCode::ExportTargetExists);
    let missing = folio
        .save_attachment(
            &item.connection_id,
            "DocumentReference",
            &item.resource_id,
            9,
            &target,
            true,
        )
        .await
        .unwrap_err();
    assert_eq!(missing.code(), folio_core::api::ErrorCode::RecordNotFound);
}

#[tokio::test]
#[ignore = "needs node and tests/interop/node_modules; scripts/test.sh runs it"]
async fn carin_and_ips_fixtures_import_and_export_as_valid_fhir() {
    let (_dir, folio) = fresh_folio();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut imported = 0;
    for dir in ["carin-bb", "ips"] {
        let mut files: Vec<_> = std::fs::read_dir(fixtures.join(dir))
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for file in files {
            let summary = folio.import(&file).await.unwrap();
            assert_eq!(summary.rejected, 0, "{}", file.display());
            imported += summary.resources;
        }
    }
    assert!(imported > 20);
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("all.json");
    let mut all = request(ExportFormat::Bundle);
    all.include_sensitive = true;
    let summary = folio.export(&all, &path).await.unwrap();
    assert_eq!(summary.resources, imported);
    assert_valid_fhir(&path);
}
