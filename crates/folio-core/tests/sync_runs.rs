//! Sync runs owned by folio-core (issue 16): one run per connection (a second is refused while
//! one runs, and the registry is empty after every end, a failing one included), a run
//! cancelled while a request is provably in flight (the sandbox's gate holds it) and resumed
//! by the next without doubles, and the event stream a subscriber receives, in order. Tokens
//! live in a memory secret store (these need no keychain).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use folio_core::api::{FolioEvent, RunningSync, SyncReport, TypeOutcome};
use folio_core::{CoreError, DataDir, Folio, SyncOptions, SyncRef, SyncTarget};
use folio_sandbox::{Faults, MemberSource, Sandbox, SandboxConfig};
use tokio::sync::broadcast;

mod common;

async fn sandbox(size: usize) -> Sandbox {
    Sandbox::start(SandboxConfig {
        members: vec![MemberSource::Generated {
            login: "demo".into(),
            name: ("Ana".into(), "Rivera".into()),
            seed: 23,
            size,
        }],
        ..Default::default()
    })
    .await
    .unwrap()
}

/// A new profile with the sandbox's member connected.
async fn profile(sandbox: &Sandbox) -> (tempfile::TempDir, Arc<Folio>, String) {
    let (dir, folio, c, _) = profile_with_secrets(sandbox).await;
    (dir, folio, c)
}

async fn profile_with_secrets(
    sandbox: &Sandbox,
) -> (
    tempfile::TempDir,
    Arc<Folio>,
    String,
    Arc<folio_secrets::MemoryStore>,
) {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(folio_secrets::MemoryStore::default());
    let folio = Arc::new(Folio::with_secrets(DataDir::at(dir.path()), secrets.clone()).unwrap());
    folio.set_demo_plan_base(sandbox.fhir_base()).await.unwrap();
    let c = common::connect_plan(&folio, "demo", "demo", &[])
        .await
        .unwrap();
    (dir, folio, c.id, secrets)
}

fn small_pages() -> SyncOptions {
    SyncOptions {
        page_size: Some(10),
        ..Default::default()
    }
}

async fn gate(
    sandbox: &Sandbox,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> serde_json::Value {
    let mut req = reqwest::Client::new().request(method, format!("{}{path}", sandbox.origin()));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap_or(serde_json::Value::Null)
}

/// Holds the `n`th FHIR request from now, unanswered, until [`release`].
async fn hold_request(sandbox: &Sandbox, n: u64) {
    gate(
        sandbox,
        reqwest::Method::PUT,
        "/_sandbox/gate",
        Some(serde_json::json!({ "hold_request": n })),
    )
    .await;
}

/// Waits (in the sandbox, up to a minute) until the held request has come.
async fn wait_held(sandbox: &Sandbox) -> serde_json::Value {
    for _ in 0..120 {
        let g = gate(
            sandbox,
            reqwest::Method::GET,
            "/_sandbox/gate?wait_ms=500",
            None,
        )
        .await;
        if !g["held"].is_null() {
            return g;
        }
    }
    panic!("no request reached the gate within a minute");
}

async fn release(sandbox: &Sandbox) {
    gate(sandbox, reqwest::Method::DELETE, "/_sandbox/gate", None).await;
}

/// The events up to and including `run`'s SyncFinished for `connection`.
async fn events_until_finished(
    events: &mut broadcast::Receiver<FolioEvent>,
    run: Option<u32>,
    connection: &str,
) -> Vec<FolioEvent> {
    let mut seen = Vec::new();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(120), events.recv())
            .await
            .expect("the run finished within two minutes")
            .unwrap();
        let last = matches!(&event, FolioEvent::SyncFinished { run_id, connection_id, .. }
            if connection_id == connection && run.is_none_or(|r| r == *run_id));
        seen.push(event);
        if last {
            return seen;
        }
    }
}

fn finished_report(events: &[FolioEvent]) -> SyncReport {
    match events.last() {
        Some(FolioEvent::SyncFinished {
            report: Some(r), ..
        }) => r.clone(),
        other => panic!("the run did not end with a report: {other:?}"),
    }
}

async fn held_counts(folio: &Folio, connection: &str) -> BTreeMap<String, i64> {
    let (counts, _) = folio.stats().await.unwrap();
    counts
        .into_iter()
        .filter(|c| c.connection_id == connection)
        .map(|c| (c.resource_type, c.resources))
        .collect()
}

#[tokio::test]
async fn a_second_run_of_a_connection_is_refused_and_the_registry_empties_on_every_end() {
    let sandbox = sandbox(200).await;
    let (_dir, folio, c) = profile(&sandbox).await;
    let mut events = folio.subscribe();

    // The run is provably mid-flight: the plan holds its third request.
    hold_request(&sandbox, 3).await;
    let run = folio
        .start_sync(SyncTarget::Connection(c.clone()), small_pages())
        .await
        .unwrap();
    wait_held(&sandbox).await;
    assert_eq!(
        folio.running_syncs(),
        [RunningSync {
            run_id: run,
            connection_id: c.clone()
        }]
    );
    assert!(matches!(
        folio
            .start_sync(SyncTarget::Connection(c.clone()), small_pages())
            .await,
        Err(CoreError::SyncAlreadyRunning)
    ));
    assert!(matches!(
        folio.sync_connection(&c, small_pages()).await,
        Err(CoreError::SyncAlreadyRunning)
    ));
    // "Sync all" leaves the busy connection out; with nothing else to sync, nothing starts.
    assert!(matches!(
        folio.start_sync(SyncTarget::All, small_pages()).await,
        Err(CoreError::ConnectionNotFound)
    ));
    release(&sandbox).await;
    let seen = events_until_finished(&mut events, Some(run), &c).await;
    let report = finished_report(&seen);
    assert!(
        report.types.iter().all(|t| t.outcome == TypeOutcome::Done),
        "{report:?}"
    );
    assert_eq!(folio.running_syncs(), [], "the run left the registry");

    // A sync that fails part-way (the plan stops taking the token and refuses to refresh it)
    // leaves the registry too.
    sandbox.set_faults(Faults {
        access_token_max_requests: Some(1),
        revoke_refresh_tokens: true,
        ..Default::default()
    });
    let failed = folio
        .sync_connection(
            &c,
            SyncOptions {
                full: true,
                ..small_pages()
            },
        )
        .await;
    assert!(
        matches!(failed, Err(CoreError::ReconnectNeeded)),
        "{failed:?}"
    );
    assert_eq!(
        folio.running_syncs(),
        [],
        "the failed run left the registry"
    );
}

#[tokio::test]
async fn a_run_cancelled_mid_flight_is_resumed_by_the_next_without_doubles() {
    let sandbox = sandbox(300).await;
    // What an uninterrupted sync holds, in another profile.
    let (_ref_dir, reference, rc) = profile(&sandbox).await;
    let whole = reference.sync_connection(&rc, small_pages()).await.unwrap();
    assert!(whole.types.iter().all(|t| t.outcome == TypeOutcome::Done));
    let want = held_counts(&reference, &rc).await;

    let (_dir, folio, c) = profile(&sandbox).await;
    let mut events = folio.subscribe();
    hold_request(&sandbox, 12).await;
    let run = folio
        .start_sync(SyncTarget::Connection(c.clone()), small_pages())
        .await
        .unwrap();
    wait_held(&sandbox).await;
    assert!(folio.cancel_sync(SyncRef::Run(run)));
    assert!(!folio.cancel_sync(SyncRef::Run(run + 100)), "no such run");
    release(&sandbox).await;
    let report = finished_report(&events_until_finished(&mut events, Some(run), &c).await);
    assert!(report.cancelled, "{report:?}");
    assert!(
        report
            .types
            .iter()
            .any(|t| t.outcome == TypeOutcome::Cancelled),
        "{report:?}"
    );
    let partial = held_counts(&folio, &c).await;
    assert!(
        partial.values().sum::<i64>() < want.values().sum::<i64>(),
        "the cancelled run stopped before the end: {partial:?}"
    );
    assert_eq!(folio.running_syncs(), []);

    let resumed = folio.sync_connection(&c, small_pages()).await.unwrap();
    assert!(!resumed.cancelled);
    assert!(
        resumed.types.iter().all(|t| t.outcome == TypeOutcome::Done),
        "{resumed:?}"
    );
    assert_eq!(
        held_counts(&folio, &c).await,
        want,
        "every record once, as an uninterrupted sync holds them"
    );
    assert!(folio.integrity_ok().await.unwrap());
}

#[tokio::test]
async fn a_subscriber_receives_progress_then_records_changed_then_the_end_in_order() {
    let sandbox = sandbox(120).await;
    let (_dir, folio, c) = profile(&sandbox).await;
    let mut events = folio.subscribe();
    let run = folio
        .start_sync(SyncTarget::Connection(c.clone()), small_pages())
        .await
        .unwrap();
    let seen = events_until_finished(&mut events, Some(run), &c).await;
    assert!(
        matches!(&seen[0], FolioEvent::SyncStarted { run_id, connection_id } if *run_id == run && connection_id == &c),
        "{:?}",
        seen[0]
    );
    let kinds: Vec<&str> = seen
        .iter()
        .map(|e| match e {
            FolioEvent::SyncStarted { .. } => "started",
            FolioEvent::SyncProgress { .. } => "progress",
            FolioEvent::SyncFinished { .. } => "finished",
            FolioEvent::RecordsChanged { .. } => "records",
            FolioEvent::ConnectionChanged { .. } => "connection",
            FolioEvent::NewRecordsNotice { .. } => "notice",
        })
        .collect();
    let progress = kinds.iter().filter(|k| **k == "progress").count();
    assert!(progress > 1, "progress after every page: {kinds:?}");
    // Started, every page's progress, then what changed, then the end.
    let mut expected = vec!["started"];
    expected.extend(std::iter::repeat_n("progress", progress));
    expected.extend(["records", "connection", "finished"]);
    assert_eq!(kinds, expected);
    for e in &seen {
        match e {
            FolioEvent::SyncProgress { run_id, progress } => {
                assert_eq!(
                    (*run_id, progress.connection_id.as_str()),
                    (run, c.as_str())
                );
            }
            FolioEvent::RecordsChanged { connection_id, .. }
            | FolioEvent::ConnectionChanged { connection_id } => assert_eq!(connection_id, &c),
            _ => {}
        }
    }
    assert!(seen
        .iter()
        .any(|e| matches!(e, FolioEvent::SyncProgress { progress, .. } if progress.done)));
    let report = finished_report(&seen);
    assert!(report.types.iter().all(|t| t.outcome == TypeOutcome::Done));
    let fetched: u32 = report.types.iter().map(|t| t.fetched).sum();
    assert!(fetched > 0);
}

#[tokio::test]
async fn a_run_that_fails_part_way_is_ended_in_the_database_with_its_code() {
    let sandbox = sandbox(60).await;
    let (dir, folio, c, secrets) = profile_with_secrets(&sandbox).await;
    // The plan stops taking the token after one request and refuses to refresh it.
    sandbox.set_faults(Faults {
        access_token_max_requests: Some(1),
        revoke_refresh_tokens: true,
        ..Default::default()
    });
    let failed = folio.sync_connection(&c, small_pages()).await;
    assert!(
        matches!(failed, Err(CoreError::ReconnectNeeded)),
        "{failed:?}"
    );
    folio.close().await;
    let key = common::on_disk::DbKey::from_keychain(dir.path(), secrets.as_ref());
    let disk = common::on_disk::read_profile(dir.path(), &key).await;
    let column = |name: &str| -> Vec<String> {
        disk.values
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .collect()
    };
    assert_eq!(column("sync_runs.status"), ["failed"], "not left running");
    assert_eq!(column("sync_runs.error_code"), ["reconnect_needed"]);
    assert_eq!(column("sync_runs.finished_at").len(), 1);
}
