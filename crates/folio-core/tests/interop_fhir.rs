//! Folio's sync against a FHIR server we did not write: Medplum's FHIR router and in-memory
//! repository (npm `@medplum/fhir-router`) serving the public CARIN Blue Button examples, behind
//! an `oidc-provider` SMART authorization server (`tests/interop/fhir-plan.mjs`; what that file
//! adds around Medplum's code is listed at its top).
//!
//! The member connects through Folio's API while a scripted member plays the system browser,
//! then Folio syncs twice. What Folio should hold is computed from the fixture files
//! (`tests/interop/fixtures/carin-bb/`), not asked of the server: every record of the member's
//! that Folio searches for, and the records its claims and coverage point at.
//!
//! Needs `node` and `npm ci` in `tests/interop`, hence `#[ignore]`; `scripts/rust-tests.sh`
//! runs it. Tokens live in a memory secret store (no keychain needed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

mod oidc_plan;
mod oracle;

use folio_core::api::{ConnectionStatus, RedirectStyle, TypeOutcome};
use folio_core::{DataDir, Folio, SyncOptions};
use oidc_plan::{param, Member};
use oracle::{linked_paths, refs_at, SEARCHED};
use serde_json::Value;
use url::Url;

/// As registered in the harness.
const CLIENT_ID: &str = "folio-desktop";
const PLAN_NAME: &str = "FHIR Test Plan";
const PLAN_ID: &str = "fhir-test-plan";

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop")
}

/// The running `fhir-plan.mjs`. Dropping it stops the process, also when a test fails.
struct Harness {
    child: Child,
    fhir_base: String,
    issuer: String,
    patient: String,
    log: Arc<Mutex<String>>,
}

/// One FHIR request the harness answered.
#[derive(Debug, Clone)]
struct Served {
    url: String,
    status: u64,
}

impl Served {
    fn parsed(&self) -> Url {
        Url::parse("http://harness")
            .unwrap()
            .join(&self.url)
            .unwrap()
    }

    fn path(&self) -> String {
        self.parsed().path().to_owned()
    }

    fn param(&self, name: &str) -> Option<String> {
        param(&self.parsed(), name)
    }

    /// Whether the request carried `name=value` (decoded).
    fn has(&self, name: &str, value: &str) -> bool {
        self.parsed()
            .query_pairs()
            .any(|(k, v)| k == name && v == value)
    }
}

impl Harness {
    fn start() -> Self {
        let dir = interop_dir();
        assert!(
            dir.join("node_modules/@medplum/fhir-router").is_dir()
                && dir.join("node_modules/oidc-provider").is_dir(),
            "tests/interop lacks its npm packages: run `npm ci` there (scripts/setup.sh --test does)"
        );
        let mut child = Command::new("node")
            .arg("fhir-plan.mjs")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node runs (Node.js 20.19 or newer on PATH)");
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut buf) {
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let stdout = child.stdout.take().unwrap();
        let (lines, stdout_lines) = mpsc::channel();
        std::thread::spawn(move || {
            // Keeps draining stdout after the ready line so the harness never blocks on it.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        // From here on a failure drops the guard, which stops node.
        let mut harness = Self {
            child,
            fhir_base: String::new(),
            issuer: String::new(),
            patient: String::new(),
            log,
        };
        let ready: Value = loop {
            let line = stdout_lines
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|e| panic!("the harness did not start ({e}):\n{}", harness.log()));
            if let Ok(v) = serde_json::from_str::<Value>(&line) {
                if v["fhirBase"].is_string() {
                    break v;
                }
            }
        };
        harness.fhir_base = ready["fhirBase"].as_str().unwrap().to_owned();
        harness.issuer = ready["issuer"].as_str().unwrap().to_owned();
        harness.patient = ready["patient"].as_str().unwrap().to_owned();
        harness
    }

    fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Every FHIR request the harness answered so far, in order (`GET /_harness/stats`).
    async fn served(&self) -> Vec<Served> {
        let stats: Value = reqwest::get(format!("{}/_harness/stats", self.issuer))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        stats["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| Served {
                url: r["url"].as_str().unwrap().to_owned(),
                status: r["status"].as_u64().unwrap(),
            })
            .collect()
    }
}

impl Drop for Harness {
    #[allow(clippy::print_stderr)]
    fn drop(&mut self) {
        // Closing stdin ends the harness; the kill makes sure.
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- fhir-plan.mjs stderr ---\n{}", self.log());
        }
    }
}

/// Adds the plan, signs the member in and connects: the connection's id.
async fn connect(folio: &Folio, plan: &Harness) -> String {
    let added = folio
        .add_plan(
            PLAN_NAME,
            &plan.fhir_base,
            CLIENT_ID,
            RedirectStyle::Loopback,
        )
        .await
        .unwrap();
    assert_eq!(added.id, PLAN_ID);
    let started = folio.begin_sign_in(&added.id).await.unwrap();
    let authorize = Url::parse(&started.authorize_url).unwrap();
    let redirect_uri = param(&authorize, "redirect_uri").unwrap();
    let mut member = Member::new(&plan.issuer);
    let callback = member.sign_in_and_consent(&authorize, &redirect_uri).await;
    assert!(
        param(&callback, "code").is_some(),
        "the plan sent no code: error={:?} {:?}",
        param(&callback, "error"),
        param(&callback, "error_description")
    );
    let (finished, page) = tokio::join!(
        folio.finish_sign_in(PLAN_ID, Duration::from_secs(60)),
        member.open_loopback(&callback)
    );
    let conn = finished.unwrap_or_else(|e| panic!("finish_sign_in: {:?}: {e}", e.code()));
    assert!(page.unwrap().contains("connected"));
    assert_eq!(conn.status, ConnectionStatus::Connected);
    assert_eq!(conn.patient_id, plan.patient);
    conn.id
}

/// The fixture files the harness serves, parsed here on their own.
fn fixtures() -> Vec<Value> {
    let dir = interop_dir().join("fixtures/carin-bb");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            out.push(serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap());
        }
    }
    assert!(!out.is_empty(), "no fixtures in {}", dir.display());
    out
}

fn key(r: &Value) -> (String, String) {
    (
        r["resourceType"].as_str().unwrap().to_owned(),
        r["id"].as_str().unwrap().to_owned(),
    )
}

/// The records the member should hold: theirs among the types Folio searches, and what those
/// point at (when the fixtures have it).
fn expected(resources: &[Value], patient: &str) -> BTreeSet<(String, String)> {
    let patient_ref = format!("Patient/{patient}");
    let by_key: BTreeMap<(String, String), &Value> =
        resources.iter().map(|r| (key(r), r)).collect();
    let mut held: BTreeSet<(String, String)> = resources
        .iter()
        .filter(|r| SEARCHED.contains(&r["resourceType"].as_str().unwrap()))
        .filter(|r| {
            r["resourceType"] == "Patient" && r["id"] == patient
                || ["patient", "subject", "beneficiary"]
                    .iter()
                    .any(|k| r[*k]["reference"].as_str() == Some(patient_ref.as_str()))
        })
        .filter(|r| {
            r["resourceType"] != "MedicationRequest"
                || matches!(r["intent"].as_str(), Some("order" | "plan"))
        })
        .map(key)
        .collect();
    let own: Vec<(String, String)> = held.iter().cloned().collect();
    for k in &own {
        for path in linked_paths(&k.0) {
            let mut out = Vec::new();
            refs_at(by_key[k], path, &mut out);
            for reference in out {
                if let Some((t, id)) = reference.split_once('/') {
                    let target = (t.to_owned(), id.to_owned());
                    if by_key.contains_key(&target) {
                        held.insert(target);
                    }
                }
            }
        }
    }
    held
}

fn count_by_type(keys: &BTreeSet<(String, String)>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (t, _) in keys {
        *counts.entry(t.clone()).or_insert(0) += 1;
    }
    counts
}

async fn held(folio: &Folio, connection: &str) -> BTreeMap<String, usize> {
    let (counts, _) = folio.stats().await.unwrap();
    counts
        .into_iter()
        .filter(|c| c.connection_id == connection)
        .map(|c| (c.resource_type, c.resources as usize))
        .collect()
}

fn refused(served: &[Served]) -> Vec<&Served> {
    served.iter().filter(|s| s.status >= 400).collect()
}

#[tokio::test]
#[ignore = "needs node and tests/interop/node_modules (npm ci there); scripts/rust-tests.sh runs it"]
#[allow(clippy::print_stderr)]
async fn a_full_sync_from_medplum_brings_every_fixture_record_once_and_a_resync_repeats_no_refusal()
{
    let plan = Harness::start();
    let profile = tempfile::tempdir().unwrap();
    let folio = Folio::with_secrets(
        DataDir::at(profile.path()),
        Arc::new(folio_secrets::MemoryStore::default()),
    )
    .unwrap();
    let conn = connect(&folio, &plan).await;

    let resources = fixtures();
    let want = expected(&resources, &plan.patient);
    let by_key: BTreeMap<(String, String), &Value> =
        resources.iter().map(|r| (key(r), r)).collect();
    let claims: Vec<&Value> = want
        .iter()
        .filter(|(t, _)| t == "ExplanationOfBenefit")
        .map(|k| by_key[k])
        .collect();
    assert!(
        !claims.is_empty(),
        "the fixture member has claims: {want:?}"
    );

    // A small page, so that the claims come in more than one page (the harness pages with
    // `_offset`).
    let options = SyncOptions {
        page_size: Some(3),
        ..SyncOptions::default()
    };
    let before = plan.served().await.len();
    let first = folio.sync_connection(&conn, options.clone()).await.unwrap();
    let served = plan.served().await;
    let sync1: Vec<Served> = served[before..].to_vec();
    assert!(
        first.types.iter().all(|t| t.outcome == TypeOutcome::Done),
        "{:?}",
        first
            .types
            .iter()
            .filter(|t| t.outcome != TypeOutcome::Done)
            .collect::<Vec<_>>()
    );
    // The precondition this test is about: the server refuses the `_include` wildcard.
    assert!(
        sync1.iter().any(|s| s.status == 400
            && s.path() == "/fhir/ExplanationOfBenefit"
            && s.has("_include", "ExplanationOfBenefit:*")),
        "Medplum's router refused the wildcard include: {sync1:?}"
    );
    assert!(
        sync1
            .iter()
            .any(|s| s.path() == "/fhir/ExplanationOfBenefit" && s.param("_offset").is_some()),
        "the claims came in more than one page: {sync1:?}"
    );
    // The repository matches `patient` only as `Patient/<id>` (the harness does not rewrite a
    // bare id): Folio's bare-id search found nothing, it asked again naming the reference, and
    // every later search names it so.
    let bare = plan.patient.clone();
    let reference = format!("Patient/{}", plan.patient);
    let first_bare = sync1
        .iter()
        .position(|s| s.param("patient").as_deref() == Some(bare.as_str()));
    let first_reference = sync1
        .iter()
        .position(|s| s.param("patient").as_deref() == Some(reference.as_str()));
    assert!(
        matches!((first_bare, first_reference), (Some(b), Some(r)) if b < r),
        "a bare-id search came first, then Patient/<id>: {sync1:?}"
    );
    let support = folio.plan_support(PLAN_ID).await.unwrap();
    assert!(
        support
            .sentences
            .iter()
            .any(|s| s.contains("only when asked with your full patient reference")),
        "the plan's details say so: {:?}",
        support.sentences
    );

    let got = held(&folio, &conn).await;
    let want_counts = count_by_type(&want);
    eprintln!();
    eprintln!("| type | expected (from the fixture files) | stored |");
    eprintln!("|---|---:|---:|");
    let types: BTreeSet<&String> = want_counts.keys().chain(got.keys()).collect();
    for t in types {
        eprintln!(
            "| {t} | {} | {} |",
            want_counts.get(t).unwrap_or(&0),
            got.get(t).unwrap_or(&0)
        );
    }
    eprintln!(
        "| **all** | {} | {} |",
        want.len(),
        got.values().sum::<usize>()
    );
    eprintln!("sync 1, every FHIR request (status, request):");
    for s in &sync1 {
        eprintln!("  {} {}", s.status, s.url);
    }
    let refused1 = refused(&sync1);
    eprintln!(
        "sync 1: {} FHIR requests, {} refused: {:?}",
        sync1.len(),
        refused1.len(),
        refused1
            .iter()
            .map(|s| format!("{} {}", s.status, s.url))
            .collect::<Vec<_>>()
    );

    // Every expected record, exactly once: the same counts, and each one there.
    assert_eq!(got, want_counts, "every record, exactly once");
    for (t, id) in &want {
        let record = folio
            .record(&conn, t, id)
            .await
            .unwrap_or_else(|e| panic!("{t}/{id} is held: {e}"));
        let stored: Value = serde_json::from_str(&record.json).unwrap();
        assert_eq!(
            stored["id"],
            by_key[&(t.clone(), id.clone())]["id"],
            "{t}/{id}"
        );
    }

    // Claims show their provider (by the name the fixture gives it) and insurer.
    for claim in &claims {
        let id = claim["id"].as_str().unwrap();
        let view = folio
            .record(&conn, "ExplanationOfBenefit", id)
            .await
            .unwrap()
            .claim
            .expect("read as a claim");
        let provider_ref = claim["provider"]["reference"].as_str().unwrap();
        let (pt, pid) = provider_ref.split_once('/').unwrap();
        let provider = by_key[&(pt.to_owned(), pid.to_owned())];
        let name = claim["provider"]["display"]
            .as_str()
            .or_else(|| provider["name"].as_str());
        assert_eq!(
            view.provider.as_deref(),
            name,
            "claim {id} names its provider {provider_ref}"
        );
        for field in ["provider", "insurer"] {
            let reference = claim[field]["reference"].as_str().unwrap();
            let (t, rid) = reference.split_once('/').unwrap();
            assert!(
                folio.record(&conn, t, rid).await.is_ok(),
                "claim {id}'s {field} {reference} is held"
            );
        }
    }

    // The second sync: nothing the server refused is asked again, and nothing new arrives.
    let before = plan.served().await.len();
    let second = folio.sync_connection(&conn, options).await.unwrap();
    let sync2: Vec<Served> = plan.served().await[before..].to_vec();
    let refused2 = refused(&sync2);
    eprintln!(
        "sync 2: {} FHIR requests, {} refused",
        sync2.len(),
        refused2.len()
    );
    let refused_before: BTreeSet<&str> = refused1.iter().map(|s| s.url.as_str()).collect();
    assert!(
        sync2
            .iter()
            .all(|s| !refused_before.contains(s.url.as_str())),
        "the second sync repeats a refused request: {sync2:?}"
    );
    assert_eq!(
        refused2.len(),
        0,
        "the second sync was refused nothing: {refused2:?}"
    );
    assert!(
        sync2
            .iter()
            .all(|s| s.param("patient").is_none_or(|p| p == reference)),
        "the second sync names the member as Patient/<id> only: {sync2:?}"
    );
    assert!(
        second.types.iter().all(|t| t.outcome == TypeOutcome::Done),
        "{second:?}"
    );
    let fetched: u32 = second
        .types
        .iter()
        .filter(|t| t.resource_type != "Patient")
        .map(|t| t.fetched)
        .sum();
    assert_eq!(fetched, 0, "the second sync is incremental: {second:?}");
    assert_eq!(held(&folio, &conn).await, want_counts, "nothing doubled");

    // A requested full pass (probing again from the top): still every record once, and none
    // marked as no longer at the plan.
    let full = folio
        .sync_connection(
            &conn,
            SyncOptions {
                full: true,
                page_size: Some(3),
                ..SyncOptions::default()
            },
        )
        .await
        .unwrap();
    assert!(
        full.types
            .iter()
            .all(|t| t.outcome == TypeOutcome::Done && t.marked_missing == 0),
        "{full:?}"
    );
    assert_eq!(
        held(&folio, &conn).await,
        want_counts,
        "a full pass doubles nothing"
    );
    let (counts, _) = folio.stats().await.unwrap();
    let missing: Vec<_> = counts
        .iter()
        .filter(|c| c.connection_id == conn && c.missing > 0)
        .collect();
    assert!(missing.is_empty(), "nothing marked missing: {missing:?}");
}
