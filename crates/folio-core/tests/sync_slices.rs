//! A long search paged in `_lastUpdated` slices side by side (issue 16, ADR 0009), against
//! folio-sandbox: the slices cover every record exactly once (checked against the generated
//! member's own `meta.lastUpdated`, not Folio's code), their pages are in flight side by side
//! (while the sandbox's gate holds one slice's first page, every other slice of the type
//! arrives), a run cancelled mid-slice resumes each slice where it stopped, and a plan that
//! refuses `_lastUpdated` ranges syncs as one chain and is not asked again. Tokens live in a
//! memory secret store (these need no keychain).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use folio_core::api::{FolioEvent, SyncReport, TypeOutcome};
use folio_core::{DataDir, Folio, SyncOptions, SyncRef, SyncTarget};
use folio_sandbox::{Faults, MemberSource, Sandbox, SandboxConfig, StrictServer};
use serde_json::Value;
use tokio::sync::broadcast;

mod common;

const SEED: u64 = 31;
const SIZE: usize = 400;

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        members: vec![MemberSource::Generated {
            login: "demo".into(),
            name: ("Ana".into(), "Rivera".into()),
            seed: SEED,
            size: SIZE,
        }],
        ..Default::default()
    })
    .await
    .unwrap()
}

async fn profile(sandbox: &Sandbox) -> (tempfile::TempDir, Arc<Folio>, String) {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(folio_secrets::MemoryStore::default());
    let folio = Arc::new(Folio::with_secrets(DataDir::at(dir.path()), secrets).unwrap());
    folio.set_demo_plan_base(sandbox.fhir_base()).await.unwrap();
    let c = common::connect_plan(&folio, "demo", "demo", &[])
        .await
        .unwrap();
    (dir, folio, c.id)
}

/// Pages of 10: a few hundred records make chains long enough to slice.
fn small_pages(full: bool) -> SyncOptions {
    SyncOptions {
        full,
        page_size: Some(10),
        ..Default::default()
    }
}

async fn gate(
    sandbox: &Sandbox,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let mut req = reqwest::Client::new().request(method, format!("{}{path}", sandbox.origin()));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap_or(Value::Null)
}

/// Holds the first FHIR request from now asking for a slice with a lower bound.
async fn hold_a_slice(sandbox: &Sandbox) {
    gate(
        sandbox,
        reqwest::Method::PUT,
        "/_sandbox/gate",
        Some(serde_json::json!({ "hold_matching": "_lastUpdated=ge" })),
    )
    .await;
}

/// The held request's path and query, once it has come (the sandbox waits up to a minute).
async fn wait_held(sandbox: &Sandbox) -> String {
    for _ in 0..120 {
        let g = gate(
            sandbox,
            reqwest::Method::GET,
            "/_sandbox/gate?wait_ms=500",
            None,
        )
        .await;
        if let Some(r) = g["held"]["request"].as_str() {
            return r.to_owned();
        }
    }
    panic!("no slice was asked for within a minute");
}

async fn release(sandbox: &Sandbox) {
    gate(sandbox, reqwest::Method::DELETE, "/_sandbox/gate", None).await;
}

async fn held_counts(folio: &Folio, connection: &str) -> BTreeMap<String, i64> {
    let (counts, _) = folio.stats().await.unwrap();
    counts
        .into_iter()
        .filter(|c| c.connection_id == connection)
        .map(|c| (c.resource_type, c.resources))
        .collect()
}

async fn until_finished(events: &mut broadcast::Receiver<FolioEvent>, run: u32) -> SyncReport {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(120), events.recv())
            .await
            .expect("the run finished within two minutes")
            .unwrap();
        if let FolioEvent::SyncFinished { run_id, report, .. } = event {
            if run_id == run {
                return report.expect("the run ended with a report");
            }
        }
    }
}

/// A search request's type and its `_lastUpdated` values (path and query as served).
fn search_of(request: &str) -> Option<(String, Vec<String>, BTreeMap<String, String>)> {
    let url = folio_smart::Url::parse(&format!("http://sandbox{request}")).ok()?;
    let ty = url.path_segments()?.next_back()?.to_owned();
    let mut updated = Vec::new();
    let mut rest = BTreeMap::new();
    for (k, v) in url.query_pairs() {
        if k == "_lastUpdated" {
            updated.push(v.into_owned());
        } else {
            rest.insert(k.into_owned(), v.into_owned());
        }
    }
    Some((ty, updated, rest))
}

fn instant(s: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
}

/// A slice's bounds from its `_lastUpdated` values (`ge` lower, `lt` upper).
fn bounds(updated: &[String]) -> (Option<time::OffsetDateTime>, Option<time::OffsetDateTime>) {
    let lower = updated
        .iter()
        .find_map(|v| v.strip_prefix("ge"))
        .map(instant);
    let upper = updated
        .iter()
        .find_map(|v| v.strip_prefix("lt"))
        .map(instant);
    (lower, upper)
}

/// The generated member's records of `ty` the member shares (sensitive ones withheld), with
/// their `meta.lastUpdated`: the oracle.
fn shared_updated(ty: &str) -> Vec<time::OffsetDateTime> {
    folio_sandbox::generator::generate_member("demo", ("Ana", "Rivera"), SEED, SIZE)
        .resources
        .iter()
        .filter(|r| r["resourceType"] == ty && !folio_sandbox::generator::is_sensitive(r))
        .map(|r| instant(r["meta"]["lastUpdated"].as_str().unwrap()))
        .collect()
}

/// The slices Folio asked for: first pages of `ty` with a range (not the `_count=1` counts).
fn slices_asked(
    requests: &[String],
    ty: &str,
) -> Vec<(Option<time::OffsetDateTime>, Option<time::OffsetDateTime>)> {
    requests
        .iter()
        .filter_map(|r| search_of(r))
        .filter(|(t, updated, rest)| {
            t == ty
                && rest.get("_count").map(String::as_str) != Some("1")
                && updated
                    .iter()
                    .any(|v| v.starts_with("ge") || v.starts_with("lt"))
        })
        .map(|(_, updated, _)| bounds(&updated))
        .collect()
}

#[tokio::test]
async fn a_long_search_is_paged_in_slices_side_by_side_covering_every_record_once() {
    let sandbox = sandbox().await;
    // What an uninterrupted sync holds, in another profile.
    let (_ref_dir, reference, rc) = profile(&sandbox).await;
    let whole = reference
        .sync_connection(&rc, small_pages(true))
        .await
        .unwrap();
    assert!(
        whole.types.iter().all(|t| t.outcome == TypeOutcome::Done),
        "{whole:?}"
    );
    let want = held_counts(&reference, &rc).await;

    let (_dir, folio, c) = profile(&sandbox).await;
    let mut events = folio.subscribe();
    let before = sandbox.served_requests().len();
    hold_a_slice(&sandbox).await;
    let run = folio
        .start_sync(SyncTarget::Connection(c.clone()), small_pages(true))
        .await
        .unwrap();
    let held = wait_held(&sandbox).await;
    let (ty, updated, _) = search_of(&held).unwrap();
    let (lower, upper) = bounds(&updated);
    let records = shared_updated(&ty);
    let in_held = records
        .iter()
        .filter(|u| lower.is_none_or(|l| **u >= l) && upper.is_none_or(|h| **u < h))
        .count() as i64;
    let others = records.len() as i64 - in_held;
    assert!(others > 0, "the other slices of {ty} hold records");
    // While that slice's first page is held, every other slice of the type arrives: their
    // pages were in flight beside it (one chain could not pass a page held unanswered).
    loop {
        if held_counts(&folio, &c).await.get(&ty).copied().unwrap_or(0) >= others {
            break;
        }
        let event = tokio::time::timeout(Duration::from_secs(60), events.recv())
            .await
            .expect("the other slices arrived while one was held")
            .unwrap();
        if let FolioEvent::SyncFinished { .. } = event {
            panic!("the run ended while a slice was held: {event:?}");
        }
    }
    release(&sandbox).await;
    let report = until_finished(&mut events, run).await;
    assert!(
        report.types.iter().all(|t| t.outcome == TypeOutcome::Done),
        "{report:?}"
    );
    assert_eq!(
        held_counts(&folio, &c).await,
        want,
        "every record, as one chain holds them"
    );

    // The slices cover every shared record of the type exactly once (the oracle: the member's
    // own lastUpdated), and no page was asked for twice.
    let served: Vec<String> = sandbox.served_requests()[before..].to_vec();
    let slices = slices_asked(&served, &ty);
    assert!(slices.len() >= 2, "{ty} was paged in slices: {slices:?}");
    for u in &records {
        let holding = slices
            .iter()
            .filter(|(l, h)| l.is_none_or(|l| *u >= l) && h.is_none_or(|h| *u < h))
            .count();
        assert_eq!(
            holding, 1,
            "a record updated {u} is in exactly one slice of {slices:?}"
        );
    }
    let mut pages: Vec<&String> = served.iter().filter(|r| r.contains("/_page/")).collect();
    let all = pages.len();
    pages.sort();
    pages.dedup();
    assert_eq!(pages.len(), all, "no page asked for twice");
}

#[tokio::test]
async fn a_run_cancelled_mid_slice_resumes_every_slice_where_it_stopped() {
    let sandbox = sandbox().await;
    let (_ref_dir, reference, rc) = profile(&sandbox).await;
    reference
        .sync_connection(&rc, small_pages(true))
        .await
        .unwrap();
    let want = held_counts(&reference, &rc).await;

    let (_dir, folio, c) = profile(&sandbox).await;
    let mut events = folio.subscribe();
    hold_a_slice(&sandbox).await;
    let run = folio
        .start_sync(SyncTarget::Connection(c.clone()), small_pages(true))
        .await
        .unwrap();
    let held = wait_held(&sandbox).await;
    let (ty, updated, _) = search_of(&held).unwrap();
    let (lower, upper) = bounds(&updated);
    let records = shared_updated(&ty);
    let others = records
        .iter()
        .filter(|u| !(lower.is_none_or(|l| **u >= l) && upper.is_none_or(|h| **u < h)))
        .count() as i64;
    // Every other slice of the type ends while one is held; then the run is cancelled.
    while held_counts(&folio, &c).await.get(&ty).copied().unwrap_or(0) < others {
        tokio::time::timeout(Duration::from_secs(60), events.recv())
            .await
            .expect("the other slices arrived while one was held")
            .unwrap();
    }
    assert!(folio.cancel_sync(SyncRef::Run(run)));
    release(&sandbox).await;
    let report = until_finished(&mut events, run).await;
    assert!(report.cancelled, "{report:?}");
    let stopped = report.types.iter().find(|t| t.resource_type == ty).unwrap();
    assert_eq!(stopped.outcome, TypeOutcome::Cancelled, "{report:?}");

    // The next sync asks for the held slice again (its page was never saved) and for no other
    // slice, count or first page of the type: the finished slices are not fetched twice.
    let before = sandbox.served_requests().len();
    let resumed = folio.sync_connection(&c, small_pages(false)).await.unwrap();
    assert!(
        resumed.types.iter().all(|t| t.outcome == TypeOutcome::Done),
        "{resumed:?}"
    );
    let asked: Vec<String> = sandbox.served_requests()[before..]
        .iter()
        .filter(|r| search_of(r).is_some_and(|(t, _, q)| t == ty && q.contains_key("patient")))
        .cloned()
        .collect();
    assert_eq!(
        asked,
        vec![held.clone()],
        "only the held slice was asked again"
    );
    assert_eq!(held_counts(&folio, &c).await, want, "every record once");
    assert!(folio.integrity_ok().await.unwrap());
}

#[tokio::test]
async fn a_plan_refusing_ranges_syncs_as_one_chain_and_is_not_asked_again() {
    let sandbox = sandbox().await;
    sandbox.set_faults(Faults {
        strict: StrictServer {
            reject_last_updated_ranges: true,
            ..Default::default()
        },
        ..Default::default()
    });
    let (_ref_dir, reference, rc) = profile(&sandbox).await;
    let first = reference
        .sync_connection(&rc, small_pages(true))
        .await
        .unwrap();
    assert!(
        first.types.iter().all(|t| t.outcome == TypeOutcome::Done),
        "{first:?}"
    );
    let refused = sandbox.rejected_requests();
    assert!(
        refused.iter().any(|r| r.contains("_lastUpdated=lt")),
        "a range was tried: {refused:?}"
    );
    let (ty, ..) = search_of(&refused[0]).unwrap();
    assert_eq!(
        held_counts(&reference, &rc)
            .await
            .get(&ty)
            .copied()
            .unwrap_or(0),
        shared_updated(&ty).len() as i64,
        "every shared {ty} arrived as one chain"
    );

    // A second full sync: no refused request, every record still there.
    let counts = held_counts(&reference, &rc).await;
    let second = reference
        .sync_connection(&rc, small_pages(true))
        .await
        .unwrap();
    assert!(
        second.types.iter().all(|t| t.outcome == TypeOutcome::Done),
        "{second:?}"
    );
    assert_eq!(
        sandbox.rejected_requests(),
        refused,
        "no refused request sent again"
    );
    assert_eq!(held_counts(&reference, &rc).await, counts);
}
