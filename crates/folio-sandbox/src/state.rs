//! The shared state of a running sandbox: its members and their password, the registered apps,
//! the authorization server's memory (codes, grants, tokens), the active faults, the request
//! counters and log, and the test gate. Every route (`auth.rs`, `fhir.rs`, `control.rs`) reads
//! it through `State<Arc<AppState>>`; it imports none of them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use crate::config::ClientRegistration;
use crate::gate::Gate;
use crate::grants::AuthStore;
use crate::{Faults, Member};

/// Shared state of a running sandbox.
pub struct AppState {
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    /// `http://127.0.0.1:PORT/fhir`.
    pub fhir_base: String,
    /// Every member.
    pub members: Vec<Member>,
    /// The members' password.
    pub password: String,
    /// Registered apps.
    pub clients: Vec<ClientRegistration>,
    /// Access token lifetime.
    pub ttl: Duration,
    /// Authorization state.
    pub auth: Mutex<AuthStore>,
    faults: RwLock<Faults>,
    requests: AtomicU64,
    /// FHIR API requests since the start (never reset), and the ones answered 400 or 422.
    served: AtomicU64,
    rejected: Mutex<Vec<String>>,
    /// Every FHIR API request's path and query, in order (never reset).
    log: Mutex<Vec<String>>,
    /// Holds a chosen FHIR request for tests (see [`crate::gate`]).
    pub(crate) gate: Gate,
}

impl AppState {
    /// The state of a sandbox serving at `origin`: no sign-in yet, nothing counted, the gate
    /// open.
    pub(crate) fn new(
        origin: String,
        members: Vec<Member>,
        password: String,
        clients: Vec<ClientRegistration>,
        ttl: Duration,
        faults: Faults,
    ) -> Self {
        AppState {
            fhir_base: format!("{origin}/fhir"),
            origin,
            members,
            password,
            clients,
            ttl,
            auth: Mutex::new(AuthStore::default()),
            faults: RwLock::new(faults),
            requests: AtomicU64::new(0),
            served: AtomicU64::new(0),
            rejected: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
            gate: Gate::default(),
        }
    }

    /// The active faults.
    pub fn faults(&self) -> Faults {
        self.faults.read().map(|f| f.clone()).unwrap_or_default()
    }

    /// The origin discovery names the authorization endpoints at: the sandbox's own, unless the
    /// `endpoints_origin` fault moves them.
    pub fn endpoints_origin(&self) -> String {
        self.faults()
            .endpoints_origin
            .unwrap_or_else(|| self.origin.clone())
    }

    /// Numbers FHIR requests from 1 since the faults were last set.
    pub fn next_request_number(&self) -> u64 {
        self.requests.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Counts a FHIR API request; returns its number since the start.
    pub fn count_request(&self) -> u64 {
        self.served.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// FHIR API requests since the start.
    pub fn requests_served(&self) -> u64 {
        self.served.load(Ordering::SeqCst)
    }

    /// Records a FHIR API request answered 400 or 422 (its path and query).
    pub fn record_rejected(&self, request: String) {
        if let Ok(mut r) = self.rejected.lock() {
            r.push(request);
        }
    }

    /// Records a FHIR API request (its path and query).
    pub fn record_served(&self, request: &str) {
        if let Ok(mut l) = self.log.lock() {
            l.push(request.to_owned());
        }
    }

    /// Replaces the active faults; the request numbers start again.
    pub(crate) fn set_faults(&self, faults: Faults) {
        if let Ok(mut f) = self.faults.write() {
            *f = faults;
        }
        self.requests.store(0, Ordering::SeqCst);
    }

    /// Every FHIR API request answered 400 or 422 since the start, in order.
    pub(crate) fn rejected_requests(&self) -> Vec<String> {
        self.rejected.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Every FHIR API request since the start, in order.
    pub(crate) fn served_requests(&self) -> Vec<String> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}
