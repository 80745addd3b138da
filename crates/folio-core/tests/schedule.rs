//! Sync in the background (issue 16), on a clock the test drives: the schedule syncs a
//! connection when its interval has passed and not before, "off" stops it, a run that fails
//! because the plan cannot be reached is tried again on a later tick with a wait that doubles,
//! and a batch that brought new claims, results and prior-authorization decisions ends with
//! exactly one notice with their counts (none when nothing new came). No sleeps: the test
//! moves its clock and waits for the scheduler to be asleep again (it reports each sleep), and
//! for events. Tokens live in a memory secret store (no keychain needed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use folio_core::api::{
    BackgroundSync, FolioEvent, NewRecordCounts, NoticeScreen, SyncReport, TypeOutcome,
};
use folio_core::schedule::{ClockFuture, DEFAULT_EVERY_HOURS, FIRST_RETRY};
use folio_core::{Clock, DataDir, Folio, Scheduler, SchedulerHandle, SyncOptions};
use folio_sandbox::{Faults, MemberSource, Sandbox, SandboxConfig};
use time::OffsetDateTime;
use tokio::sync::{broadcast, mpsc, watch};

mod common;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

/// A clock that moves only when the test says, and tells the test each time the scheduler
/// goes to sleep (with the time it will wake at): that is how a test knows a tick is over.
struct TestClock {
    time: watch::Sender<OffsetDateTime>,
    asleep: mpsc::UnboundedSender<OffsetDateTime>,
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.time.borrow()
    }

    fn sleep_until(&self, deadline: OffsetDateTime) -> ClockFuture<'_> {
        let mut time = self.time.subscribe();
        let _ = self.asleep.send(deadline);
        Box::pin(async move {
            let _ = time.wait_for(|now| *now >= deadline).await;
        })
    }
}

/// The scheduler under test, its clock, and what it reports.
struct Background {
    clock: Arc<TestClock>,
    asleep: mpsc::UnboundedReceiver<OffsetDateTime>,
    handle: SchedulerHandle,
}

impl Background {
    /// Starts a scheduler for `folio` on a test clock reading `start`.
    fn start(folio: &Folio, start: OffsetDateTime) -> Self {
        let (tx, asleep) = mpsc::unbounded_channel();
        let clock = Arc::new(TestClock {
            time: watch::channel(start).0,
            asleep: tx,
        });
        let handle = Scheduler::new(folio.clone(), clock.clone()).spawn();
        Self {
            clock,
            asleep,
            handle,
        }
    }

    /// Waits (up to two minutes, for the syncs a tick runs) until the scheduler sleeps again,
    /// and returns when it means to wake.
    async fn next_sleep(&mut self) -> OffsetDateTime {
        tokio::time::timeout(Duration::from_secs(120), self.asleep.recv())
            .await
            .expect("the scheduler went back to sleep within two minutes")
            .expect("the scheduler is running")
    }

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Sets the clock (a scheduler sleeping until then or earlier wakes).
    fn set(&self, at: OffsetDateTime) {
        self.clock.time.send_replace(at);
    }
}

fn generated() -> SandboxConfig {
    SandboxConfig {
        members: vec![MemberSource::Generated {
            login: "demo".into(),
            name: ("Ana".into(), "Rivera".into()),
            seed: 29,
            size: 120,
        }],
        ..Default::default()
    }
}

/// A new profile on the sandbox's demo plan, with `logins` connected.
async fn profile(
    sandbox: &Sandbox,
    logins: &[&str],
) -> (tempfile::TempDir, Arc<Folio>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(folio_secrets::MemoryStore::default());
    let folio = Arc::new(Folio::with_secrets(DataDir::at(dir.path()), secrets).unwrap());
    folio.set_demo_plan_base(sandbox.fhir_base()).await.unwrap();
    let mut ids = Vec::new();
    for login in logins {
        ids.push(
            common::connect_plan(&folio, "demo", login, &[])
                .await
                .unwrap()
                .id,
        );
    }
    (dir, folio, ids)
}

/// The connection's last sync as the store stamped it.
async fn last_synced(folio: &Folio, connection: &str) -> OffsetDateTime {
    let c = folio
        .connections()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == connection)
        .unwrap();
    OffsetDateTime::parse(
        c.last_synced_at.as_deref().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
}

/// Every event received so far.
fn received(events: &mut broadcast::Receiver<FolioEvent>) -> Vec<FolioEvent> {
    let mut out = Vec::new();
    while let Ok(e) = events.try_recv() {
        out.push(e);
    }
    out
}

fn started(events: &[FolioEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, FolioEvent::SyncStarted { .. }))
        .count()
}

fn reports(events: &[FolioEvent]) -> Vec<SyncReport> {
    events
        .iter()
        .filter_map(|e| match e {
            FolioEvent::SyncFinished {
                report: Some(r), ..
            } => Some(r.clone()),
            _ => None,
        })
        .collect()
}

fn notices(events: &[FolioEvent]) -> Vec<(NewRecordCounts, NoticeScreen)> {
    events
        .iter()
        .filter_map(|e| match e {
            FolioEvent::NewRecordsNotice { counts, screen } => Some((*counts, *screen)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn the_schedule_syncs_a_connection_when_its_interval_has_passed_and_not_before() {
    let sandbox = Sandbox::start(generated()).await.unwrap();
    let (_dir, folio, ids) = profile(&sandbox, &["demo"]).await;
    let c = &ids[0];
    folio
        .sync_connection(c, SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(
        folio.background_sync().await.unwrap(),
        BackgroundSync {
            every_hours: Some(DEFAULT_EVERY_HOURS)
        },
        "daily unless the member chose otherwise"
    );
    let last = last_synced(&folio, c).await;
    let mut events = folio.subscribe();
    let mut bg = Background::start(&folio, last);

    // Synced just now: the scheduler sleeps until a day after that sync.
    let wake = bg.next_sleep().await;
    assert_eq!(wake, last + DAY);
    // A minute before it is due, a tick (woken on purpose) syncs nothing.
    bg.set(last + DAY - Duration::from_secs(60));
    bg.handle.wake();
    assert_eq!(bg.next_sleep().await, last + DAY);
    assert_eq!(
        started(&received(&mut events)),
        0,
        "nothing synced before it was due"
    );

    // Due: the clock reaching it wakes the scheduler, which syncs the connection once.
    bg.set(last + DAY);
    let next = bg.next_sleep().await;
    let seen = received(&mut events);
    assert_eq!(started(&seen), 1, "{seen:?}");
    let done = reports(&seen);
    assert_eq!(done.len(), 1);
    assert_eq!(&done[0].connection_id, c);
    assert!(
        done[0].types.iter().all(|t| t.outcome == TypeOutcome::Done),
        "{done:?}"
    );
    assert_eq!(next, bg.now() + DAY, "the next one a day after this one");
    // Nothing new at the plan: no notice.
    assert_eq!(notices(&seen), [], "no notice when nothing new arrived");
}

#[tokio::test]
async fn turning_background_sync_off_stops_the_schedule() {
    let sandbox = Sandbox::start(generated()).await.unwrap();
    let (_dir, folio, ids) = profile(&sandbox, &["demo"]).await;
    folio
        .sync_connection(&ids[0], SyncOptions::default())
        .await
        .unwrap();
    let last = last_synced(&folio, &ids[0]).await;
    let off = folio
        .set_background_sync(BackgroundSync { every_hours: None })
        .await
        .unwrap();
    assert_eq!(off.every_hours, None);
    let longest = folio
        .set_background_sync(BackgroundSync {
            every_hours: Some(100_000),
        })
        .await
        .unwrap();
    assert_eq!(longest.every_hours, Some(720), "kept within 30 days");
    folio
        .set_background_sync(BackgroundSync { every_hours: None })
        .await
        .unwrap();
    let mut events = folio.subscribe();
    let mut bg = Background::start(&folio, last);
    bg.next_sleep().await;

    // Two days on, a tick syncs nothing while it is off.
    bg.set(last + 2 * DAY);
    bg.handle.wake();
    let wake = bg.next_sleep().await;
    assert!(wake > bg.now() + 7 * DAY, "asleep until woken: {wake}");
    assert_eq!(started(&received(&mut events)), 0, "off: nothing synced");

    // Turned on again (every 6 hours), the overdue connection syncs at the next tick.
    folio
        .set_background_sync(BackgroundSync {
            every_hours: Some(6),
        })
        .await
        .unwrap();
    bg.handle.wake();
    let next = bg.next_sleep().await;
    assert_eq!(started(&received(&mut events)), 1);
    assert_eq!(next, bg.now() + 6 * HOUR);
}

#[tokio::test]
async fn a_run_that_finds_the_plan_unreachable_is_retried_with_a_doubling_wait_and_resumes() {
    let sandbox = Sandbox::start(generated()).await.unwrap();
    let (_dir, folio, ids) = profile(&sandbox, &["demo"]).await;
    let c = &ids[0];
    folio
        .sync_connection(c, SyncOptions::default())
        .await
        .unwrap();
    let held = folio.stats().await.unwrap().0;
    let last = last_synced(&folio, c).await;
    let mut events = folio.subscribe();
    let mut bg = Background::start(&folio, last);
    assert_eq!(bg.next_sleep().await, last + DAY);

    // Offline: every connection to the plan drops.
    sandbox.set_faults(Faults {
        drop_connection_every: Some(1),
        ..Default::default()
    });
    bg.set(last + DAY);
    let retry = bg.next_sleep().await;
    let seen = received(&mut events);
    assert_eq!(started(&seen), 1);
    assert!(
        reports(&seen)[0]
            .types
            .iter()
            .any(|t| t.outcome == TypeOutcome::Failed),
        "{seen:?}"
    );
    assert_eq!(
        retry,
        bg.now() + FIRST_RETRY,
        "tried again after the first wait"
    );

    // Still offline at the retry: the wait doubles.
    bg.set(retry);
    let again = bg.next_sleep().await;
    assert_eq!(started(&received(&mut events)), 1, "retried at its time");
    assert_eq!(again, bg.now() + 2 * FIRST_RETRY);

    // Back online: the retry syncs to the end, with nothing held twice.
    sandbox.set_faults(Faults::default());
    bg.set(again);
    let next = bg.next_sleep().await;
    let seen = received(&mut events);
    assert_eq!(started(&seen), 1);
    assert!(
        reports(&seen)[0]
            .types
            .iter()
            .all(|t| t.outcome == TypeOutcome::Done),
        "{seen:?}"
    );
    assert_eq!(next, bg.now() + DAY, "back to the daily schedule");
    assert_eq!(folio.stats().await.unwrap().0, held, "every record once");
}

/// A member's records as a collection Bundle file: `(type, extra fields)` per resource.
fn fixture(
    dir: &Path,
    patient: &str,
    resources: &[(&str, serde_json::Value)],
) -> std::path::PathBuf {
    let mut entries = vec![serde_json::json!({"resource": {
        "resourceType": "Patient", "id": patient,
        "name": [{"family": "Rivera", "given": ["Sam"]}], "birthDate": "1980-02-03"
    }})];
    for (i, (ty, extra)) in resources.iter().enumerate() {
        let mut r = serde_json::json!({
            "resourceType": ty,
            "id": format!("{patient}-{i}"),
            "meta": {"lastUpdated": "2026-06-01T10:00:00Z"},
        });
        let reference = serde_json::json!({"reference": format!("Patient/{patient}")});
        let field = if *ty == "ExplanationOfBenefit" {
            "patient"
        } else {
            "subject"
        };
        r[field] = reference;
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        entries.push(serde_json::json!({ "resource": r }));
    }
    let path = dir.join(format!("{patient}.json"));
    std::fs::write(
        &path,
        serde_json::json!({"resourceType": "Bundle", "type": "collection", "entry": entries})
            .to_string(),
    )
    .unwrap();
    path
}

fn eob(use_: &str, day: &str) -> (&'static str, serde_json::Value) {
    (
        "ExplanationOfBenefit",
        serde_json::json!({"status": "active", "use": use_, "outcome": "complete",
            "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
            "created": day, "billablePeriod": {"start": day, "end": day}}),
    )
}

fn observation(category: &str, loinc: &str, day: &str) -> (&'static str, serde_json::Value) {
    (
        "Observation",
        serde_json::json!({"status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": category}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
            "effectiveDateTime": day, "valueQuantity": {"value": 5.4, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"}}),
    )
}

#[tokio::test]
async fn a_batch_of_new_claims_results_and_decisions_brings_exactly_one_notice() {
    let files = tempfile::tempdir().unwrap();
    let ana = fixture(
        files.path(),
        "ana",
        &[
            eob("claim", "2026-05-02"),
            eob("claim", "2026-05-09"),
            eob("preauthorization", "2026-05-10"),
            observation("laboratory", "4548-4", "2026-05-03"),
            observation("laboratory", "2345-7", "2026-05-03"),
            observation("vital-signs", "8867-4", "2026-05-03"),
            (
                "DiagnosticReport",
                serde_json::json!({"status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "24323-8"}]},
                    "effectiveDateTime": "2026-05-03"}),
            ),
            (
                "Condition",
                serde_json::json!({"code": {"coding": [{"system": "http://snomed.info/sct", "code": "44054006"}]},
                    "recordedDate": "2026-05-03"}),
            ),
        ],
    );
    let leo = fixture(
        files.path(),
        "leo",
        &[
            eob("claim", "2026-05-20"),
            observation("laboratory", "4548-4", "2026-05-21"),
        ],
    );
    let fixture_member = |login: &str, path| MemberSource::Fixture {
        login: login.into(),
        path,
        patient_id: None,
    };
    let sandbox = Sandbox::start(SandboxConfig {
        members: vec![fixture_member("ana", ana), fixture_member("leo", leo)],
        ..Default::default()
    })
    .await
    .unwrap();
    let (_dir, folio, ids) = profile(&sandbox, &["ana", "leo"]).await;

    // The first sync, while the plan does not share claims and results yet.
    let mut events = folio.subscribe();
    sandbox.set_faults(Faults {
        forbidden_types: ["ExplanationOfBenefit", "Observation", "DiagnosticReport"]
            .map(String::from)
            .to_vec(),
        ..Default::default()
    });
    for c in &ids {
        folio
            .sync_connection(c, SyncOptions::default())
            .await
            .unwrap();
    }
    let first = received(&mut events);
    assert!(
        first.iter().all(|e| match e {
            FolioEvent::RecordsChanged { new_records, .. } =>
                *new_records == NewRecordCounts::default(),
            _ => true,
        }),
        "a first download is not news: {first:?}"
    );
    let last = last_synced(&folio, &ids[0])
        .await
        .max(last_synced(&folio, &ids[1]).await);

    // Now the plan shares them; a day later the background batch syncs both members.
    sandbox.set_faults(Faults::default());
    let mut bg = Background::start(&folio, last);
    bg.next_sleep().await;
    bg.set(last + DAY);
    bg.next_sleep().await;
    let seen = received(&mut events);
    assert_eq!(started(&seen), 2, "both connections synced in one batch");
    assert_eq!(
        notices(&seen),
        [(
            NewRecordCounts {
                claims: 3,
                results: 4,
                prior_authorizations: 1,
            },
            NoticeScreen::Overview,
        )],
        "one notice for the batch, counting only claims, lab results and decisions"
    );
    // It comes after both runs ended.
    let notice_at = seen
        .iter()
        .position(|e| matches!(e, FolioEvent::NewRecordsNotice { .. }))
        .unwrap();
    let last_finish = seen
        .iter()
        .rposition(|e| matches!(e, FolioEvent::SyncFinished { .. }))
        .unwrap();
    assert!(notice_at > last_finish);

    // The next day nothing new: no second notice.
    bg.set(bg.now() + DAY);
    bg.next_sleep().await;
    let seen = received(&mut events);
    assert_eq!(started(&seen), 2);
    assert_eq!(notices(&seen), []);
}
