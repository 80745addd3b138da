//! Sync in the background: while Folio runs, each connected plan syncs when its last sync is
//! older than the member's interval (daily unless they choose otherwise, or never), and a
//! batch that brought new claims, results or prior-authorization decisions ends with ONE
//! [`FolioEvent::NewRecordsNotice`]. See docs/adr/0007-background-sync-schedule.md.
//!
//! Time comes from a [`Clock`]: [`SystemClock`] in the app, a clock the test drives in tests.
//! The scheduler owns no sync machinery: it calls [`Folio::sync_connection`], so the run
//! registry leaves a connection that is already syncing alone, and an interrupted sync resumes
//! at the page where it stopped (the store keeps each pass's resume point).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::broadcast::error::TryRecvError;
use tokio::sync::{broadcast, Notify};

use crate::api::{
    BackgroundSync, ConnectionStatus, FolioEvent, NewRecordCounts, SourceKind, SyncReport,
    TypeOutcome,
};
use crate::sync::SyncOptions;
use crate::{news, CoreError, Folio};

/// Hours between background syncs unless the member chose otherwise: daily.
pub const DEFAULT_EVERY_HOURS: u32 = 24;
/// The longest interval a member can choose (30 days); longer is kept as this.
pub const MAX_EVERY_HOURS: u32 = 720;
/// The wait before retrying a background sync that failed (offline, the plan down); it
/// doubles with each failure in a row, up to the interval.
pub const FIRST_RETRY: Duration = Duration::from_secs(5 * 60);
/// The wait before trying again when the records cannot be opened (e.g. still locked).
pub const WHILE_UNAVAILABLE: Duration = Duration::from_secs(15 * 60);
/// How long the system clock sleeps at most between readings of the wall clock, so that a
/// laptop waking from sleep (or a clock set forward) is noticed within this time.
pub const WALL_CLOCK_STEP: Duration = Duration::from_secs(60);

const SETTING: &str = "background_sync_every_hours";
const OFF: &str = "off";

/// A future a [`Clock`] returns.
pub type ClockFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Where the scheduler gets the time.
pub trait Clock: Send + Sync + 'static {
    /// The wall-clock time now.
    fn now(&self) -> OffsetDateTime;
    /// Resolves once [`Clock::now`] has reached `deadline`.
    fn sleep_until(&self, deadline: OffsetDateTime) -> ClockFuture<'_>;
}

/// The computer's clock. It sleeps in steps of at most [`WALL_CLOCK_STEP`] and reads the wall
/// clock after each: the monotonic timers Tokio sleeps on stop while a laptop is suspended,
/// so one long sleep would wake late by however long the lid was closed.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn sleep_until(&self, deadline: OffsetDateTime) -> ClockFuture<'_> {
        Box::pin(async move {
            loop {
                let left = deadline - OffsetDateTime::now_utc();
                let Ok(left) = Duration::try_from(left) else {
                    return; // Negative: the deadline has passed.
                };
                if left.is_zero() {
                    return;
                }
                tokio::time::sleep(left.min(WALL_CLOCK_STEP)).await;
            }
        })
    }
}

impl Folio {
    /// How often connections sync in the background (daily until the member chooses).
    pub async fn background_sync(&self) -> Result<BackgroundSync, CoreError> {
        let stored = self.store().await?.setting(SETTING).await?;
        Ok(BackgroundSync {
            every_hours: match stored.as_deref() {
                Some(OFF) => None,
                Some(hours) => Some(
                    hours
                        .parse::<u32>()
                        .map_or(DEFAULT_EVERY_HOURS, |h| h.clamp(1, MAX_EVERY_HOURS)),
                ),
                None => Some(DEFAULT_EVERY_HOURS),
            },
        })
    }

    /// Remembers how often to sync in the background (hours kept within 1 to
    /// [`MAX_EVERY_HOURS`]) and returns what is now in force. A running [`Scheduler`] reads it
    /// on its next tick; [`SchedulerHandle::wake`] makes that now.
    pub async fn set_background_sync(
        &self,
        setting: BackgroundSync,
    ) -> Result<BackgroundSync, CoreError> {
        let value = match setting.every_hours {
            None => OFF.to_owned(),
            Some(h) => h.clamp(1, MAX_EVERY_HOURS).to_string(),
        };
        self.store().await?.set_setting(SETTING, &value).await?;
        self.background_sync().await
    }
}

/// A failed background sync of a connection, waiting to be tried again.
#[derive(Debug, Clone, Copy)]
struct Retry {
    /// Failures in a row.
    failures: u32,
    /// When to try again.
    at: OffsetDateTime,
}

/// Decides, tick after tick, which connections sync now. [`Scheduler::spawn`] runs it on a
/// task; [`Scheduler::tick`] is one decision and the runs it starts, awaited.
pub struct Scheduler {
    folio: Folio,
    clock: Arc<dyn Clock>,
    /// Connections whose last background sync failed.
    retries: HashMap<String, Retry>,
    /// When this scheduler (by its clock) last saw each connection synced or syncing. With a
    /// connection's stored last sync (the store's clock), the later one counts.
    synced: HashMap<String, OffsetDateTime>,
}

/// The running scheduler. Dropping it stops the schedule (a sync it started is cancelled at
/// its next page and resumes there next time).
#[derive(Debug)]
pub struct SchedulerHandle {
    wake: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl SchedulerHandle {
    /// Makes the scheduler look again now (after the member changed the setting, or connected
    /// a plan), instead of at its next planned tick.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

impl Drop for SchedulerHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Scheduler {
    /// A scheduler for `folio`'s connections, on `clock`.
    pub fn new(folio: Folio, clock: Arc<dyn Clock>) -> Self {
        Self {
            folio,
            clock,
            retries: HashMap::new(),
            synced: HashMap::new(),
        }
    }

    /// Runs the schedule on a task of its own until the handle is dropped: a tick at once,
    /// then one whenever the clock reaches the next connection's due time or the handle is
    /// woken. Must be called within a Tokio runtime.
    pub fn spawn(self) -> SchedulerHandle {
        let wake = Arc::new(Notify::new());
        let woken = wake.clone();
        let mut scheduler = self;
        let task = tokio::spawn(async move {
            loop {
                let next = scheduler.tick().await;
                let clock = scheduler.clock.clone();
                tokio::select! {
                    () = clock.sleep_until(next) => {}
                    () = woken.notified() => {}
                }
            }
        });
        SchedulerHandle { wake, task }
    }

    /// One tick: syncs, one after another, every connected plan that is due (never synced,
    /// last synced an interval ago or more, or a failed sync whose retry time has come), emits
    /// one [`FolioEvent::NewRecordsNotice`] when they brought new claims, results or
    /// prior-authorization decisions, and returns when to tick next.
    pub async fn tick(&mut self) -> OffsetDateTime {
        let now = self.clock.now();
        let (setting, connections) = match self.read().await {
            Ok(read) => read,
            Err(e) => {
                tracing::info!(code = ?e.code(), "background sync: records not available yet");
                return now + WHILE_UNAVAILABLE;
            }
        };
        let Some(hours) = setting.every_hours else {
            // Off: nothing to do until the member turns it on (which wakes the scheduler).
            self.retries.clear();
            return now + Duration::from_secs(u64::from(MAX_EVERY_HOURS) * 3600);
        };
        let interval = Duration::from_secs(u64::from(hours) * 3600);
        let due: Vec<String> = connections
            .iter()
            .filter(|(id, last)| self.due_at(id, *last, interval, now) <= now)
            .map(|(id, _)| id.clone())
            .collect();
        // Forget connections that are gone or can no longer sync.
        self.retries
            .retain(|id, _| connections.iter().any(|(c, _)| c == id));
        let mut events = self.folio.subscribe();
        let mut new_records = NewRecordCounts::default();
        for id in &due {
            let outcome = self.folio.sync_connection(id, SyncOptions::default()).await;
            new_records = news::sum(new_records, news_of(&mut events, id));
            self.after_run(id, &outcome, interval);
        }
        if news::any(new_records) {
            self.folio.emit(FolioEvent::NewRecordsNotice {
                counts: new_records,
                screen: news::screen_for(new_records),
            });
        }
        let now = self.clock.now();
        connections
            .iter()
            .map(|(id, last)| self.due_at(id, *last, interval, now))
            .fold(now + interval, OffsetDateTime::min)
    }

    /// The setting, and the connections that can sync with their stored last sync.
    #[allow(clippy::type_complexity)]
    async fn read(
        &self,
    ) -> Result<(BackgroundSync, Vec<(String, Option<OffsetDateTime>)>), CoreError> {
        let setting = self.folio.background_sync().await?;
        let connections = self
            .folio
            .connections()
            .await?
            .into_iter()
            // File sources have nothing to download; a plan asking to be connected again
            // waits for the member.
            .filter(|c| c.kind == SourceKind::Plan && c.status == ConnectionStatus::Connected)
            .map(|c| {
                let last = c.last_synced_at.as_deref().and_then(|t| {
                    OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
                });
                (c.id, last)
            })
            .collect();
        Ok((setting, connections))
    }

    /// When connection `id` is next due.
    fn due_at(
        &self,
        id: &str,
        stored_last: Option<OffsetDateTime>,
        interval: Duration,
        now: OffsetDateTime,
    ) -> OffsetDateTime {
        if let Some(retry) = self.retries.get(id) {
            return retry.at;
        }
        let last = match (stored_last, self.synced.get(id).copied()) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        match last {
            None => now,
            // A last sync more than an interval in the future: the clock was set back.
            Some(last) if last > now + interval => now,
            Some(last) => last + interval,
        }
    }

    /// Records how a run of `id` went: done (or already running, or cancelled by the
    /// member) waits a whole interval; anything else is retried after a wait that doubles
    /// with each failure in a row.
    fn after_run(&mut self, id: &str, outcome: &Result<SyncReport, CoreError>, interval: Duration) {
        let now = self.clock.now();
        let finished = match outcome {
            Ok(report) => {
                report.cancelled
                    || report
                        .types
                        .iter()
                        .all(|t| t.outcome != TypeOutcome::Failed)
            }
            Err(CoreError::SyncAlreadyRunning) => true,
            Err(_) => false,
        };
        if finished {
            self.retries.remove(id);
            self.synced.insert(id.to_owned(), now);
            return;
        }
        let failures = self.retries.get(id).map_or(0, |r| r.failures) + 1;
        let wait = backoff(failures, interval);
        tracing::info!(
            connection = %id,
            failures,
            retry_in_secs = wait.as_secs(),
            "background sync did not finish; it will be tried again"
        );
        self.retries.insert(
            id.to_owned(),
            Retry {
                failures,
                at: now + wait,
            },
        );
    }
}

/// The wait after `failures` failures in a row: [`FIRST_RETRY`], doubling, at most `interval`.
fn backoff(failures: u32, interval: Duration) -> Duration {
    let factor = 1u32 << failures.saturating_sub(1).min(16);
    FIRST_RETRY.saturating_mul(factor).min(interval)
}

/// The new records the run of `connection` reported (its `RecordsChanged`, sent before the
/// run returned), read from the events received since the tick began. Events of other
/// connections (a sync the member started) are skipped; a lagging receiver skips what it
/// missed (the run's own `RecordsChanged` comes last but two, so it is kept).
fn news_of(events: &mut broadcast::Receiver<FolioEvent>, connection: &str) -> NewRecordCounts {
    let mut counts = NewRecordCounts::default();
    loop {
        match events.try_recv() {
            Ok(FolioEvent::RecordsChanged {
                connection_id,
                new_records,
            }) if connection_id == connection => counts = news::sum(counts, new_records),
            Ok(_) | Err(TryRecvError::Lagged(_)) => {}
            Err(TryRecvError::Empty | TryRecvError::Closed) => return counts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retry_wait_doubles_up_to_the_interval() {
        let day = Duration::from_secs(24 * 3600);
        assert_eq!(backoff(1, day), FIRST_RETRY);
        assert_eq!(backoff(2, day), FIRST_RETRY * 2);
        assert_eq!(backoff(3, day), FIRST_RETRY * 4);
        assert_eq!(backoff(40, day), day);
        assert_eq!(
            backoff(3, Duration::from_secs(600)),
            Duration::from_secs(600)
        );
    }
}
