//! Sync runs the core owns: [`Folio::start_sync`] registers a run and returns its id at once,
//! then syncs on a task of its own; the registry holds at most one run per connection (a
//! second is refused with [`CoreError::SyncAlreadyRunning`]) and forgets a run on every way it
//! ends, because each connection's entry belongs to a [`RunGuard`] that removes it on drop (a
//! returned error, a panic, or a dropped future alike). See docs/adr/0006-sync-runs-and-events.md.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::api::{RunningSync, SyncReport};
use crate::sync::SyncOptions;
use crate::{CoreError, Folio};

/// What to sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncTarget {
    /// One connection (refused if it is syncing already, or cannot sync).
    Connection(String),
    /// Every connected plan, one after another; one already syncing, or that cannot sync
    /// (signed out, an imported file), is left out.
    All,
}

/// Which run to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncRef {
    /// A run, by the id [`Folio::start_sync`] returned (every connection in it).
    Run(u32),
    /// Whatever run is syncing this connection.
    Connection(String),
}

#[derive(Debug)]
struct Entry {
    run_id: u32,
    cancel: Arc<AtomicBool>,
}

/// The syncs running now: connection id → its run.
#[derive(Debug, Default)]
pub(crate) struct SyncRegistry {
    last_run: u32,
    running: HashMap<String, Entry>,
}

/// A connection's place in the registry for one run. Dropping it removes the entry.
#[derive(Debug)]
pub(crate) struct RunGuard {
    registry: Arc<Mutex<SyncRegistry>>,
    pub(crate) run_id: u32,
    pub(crate) connection_id: String,
    pub(crate) cancel: Arc<AtomicBool>,
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        // A poisoned lock still holds the map: the entry is removed all the same.
        let mut registry = lock(&self.registry);
        if registry
            .running
            .get(&self.connection_id)
            .is_some_and(|e| e.run_id == self.run_id)
        {
            registry.running.remove(&self.connection_id);
        }
    }
}

fn lock(registry: &Mutex<SyncRegistry>) -> MutexGuard<'_, SyncRegistry> {
    registry
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Registers a new run of `connections`. With `refuse`, a connection already syncing refuses
/// the whole run; without, it is left out. `None` when nothing is left to run.
fn register(
    registry: &Arc<Mutex<SyncRegistry>>,
    connections: &[String],
    refuse: bool,
) -> Result<Option<(u32, Vec<RunGuard>)>, CoreError> {
    let mut r = lock(registry);
    if refuse && connections.iter().any(|c| r.running.contains_key(c)) {
        return Err(CoreError::SyncAlreadyRunning);
    }
    let free: Vec<&String> = connections
        .iter()
        .filter(|c| !r.running.contains_key(*c))
        .collect();
    if free.is_empty() {
        return Ok(None);
    }
    r.last_run = r.last_run.wrapping_add(1).max(1);
    let run_id = r.last_run;
    let cancel = Arc::new(AtomicBool::new(false));
    let mut guards = Vec::new();
    for c in free {
        r.running.insert(
            c.clone(),
            Entry {
                run_id,
                cancel: cancel.clone(),
            },
        );
        guards.push(RunGuard {
            registry: registry.clone(),
            run_id,
            connection_id: c.clone(),
            cancel: cancel.clone(),
        });
    }
    Ok(Some((run_id, guards)))
}

impl Folio {
    /// Starts syncing `target` on a task Folio owns and returns the run's id at once. What
    /// happens arrives as events ([`Folio::subscribe`]): `SyncStarted`, `SyncProgress` after
    /// every page, `RecordsChanged` and `ConnectionChanged`, then `SyncFinished` per
    /// connection. One connection already syncing is refused ([`CoreError::SyncAlreadyRunning`]),
    /// as is one that cannot sync (not found, signed out, an imported file); [`SyncTarget::All`]
    /// leaves those out instead, and with nothing left returns
    /// [`CoreError::ConnectionNotFound`]. Must be called within a Tokio runtime.
    pub async fn start_sync(
        &self,
        target: SyncTarget,
        options: SyncOptions,
    ) -> Result<u32, CoreError> {
        let (ids, refuse) = match &target {
            SyncTarget::Connection(id) => (vec![id.clone()], true),
            SyncTarget::All => (
                self.store()
                    .await?
                    .connections()
                    .await?
                    .into_iter()
                    .map(|c| c.id)
                    .collect(),
                false,
            ),
        };
        let mut prepared = Vec::new();
        for id in &ids {
            match self.prepare_sync(id).await {
                Ok(p) => prepared.push(p),
                Err(e) if refuse => return Err(e),
                Err(_) => {}
            }
        }
        let ready: Vec<String> = prepared
            .iter()
            .map(|p| p.connection_id().to_owned())
            .collect();
        let Some((run_id, guards)) = register(&self.syncs, &ready, refuse)? else {
            return Err(CoreError::ConnectionNotFound);
        };
        let folio = self.clone();
        tokio::spawn(async move {
            for guard in guards {
                let Some(p) = prepared
                    .iter()
                    .position(|p| p.connection_id() == guard.connection_id)
                    .map(|i| prepared.swap_remove(i))
                else {
                    continue;
                };
                // The outcome reaches subscribers as SyncFinished.
                let _ = folio.run_registered(p, guard, options.clone()).await;
            }
        });
        Ok(run_id)
    }

    /// Syncs one connection and waits for it (what [`Folio::start_sync`] runs, awaited here):
    /// refused with [`CoreError::SyncAlreadyRunning`] while that connection syncs. Every type
    /// is attempted; one type failing does not stop the others and is reported with its
    /// reason. Events are sent as for a started run.
    pub async fn sync_connection(
        &self,
        connection_id: &str,
        options: SyncOptions,
    ) -> Result<SyncReport, CoreError> {
        let prepared = self.prepare_sync(connection_id).await?;
        let Some((_, mut guards)) = register(&self.syncs, &[connection_id.to_owned()], true)?
        else {
            return Err(CoreError::SyncAlreadyRunning);
        };
        let Some(guard) = guards.pop() else {
            return Err(CoreError::Internal(
                "a sync was registered without a guard".into(),
            ));
        };
        self.run_registered(prepared, guard, options).await
    }

    /// Asks a run (or the run syncing a connection) to stop after its current pages; `false`
    /// when no such run is going on. What it saved is kept, and the next sync resumes there.
    pub fn cancel_sync(&self, which: SyncRef) -> bool {
        let r = lock(&self.syncs);
        let mut found = false;
        for (connection, entry) in &r.running {
            let hit = match &which {
                SyncRef::Run(id) => entry.run_id == *id,
                SyncRef::Connection(c) => c == connection,
            };
            if hit {
                entry.cancel.store(true, Ordering::SeqCst);
                found = true;
            }
        }
        found
    }

    /// The syncs running now, by connection.
    pub fn running_syncs(&self) -> Vec<RunningSync> {
        let mut out: Vec<RunningSync> = lock(&self.syncs)
            .running
            .iter()
            .map(|(c, e)| RunningSync {
                run_id: e.run_id,
                connection_id: c.clone(),
            })
            .collect();
        out.sort_by(|a, b| (a.run_id, &a.connection_id).cmp(&(b.run_id, &b.connection_id)));
        out
    }
}
