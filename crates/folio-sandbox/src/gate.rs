//! A gate for tests that must act while a FHIR request is in flight (kill an app mid-sync, say)
//! without guessing when that is: `PUT /_sandbox/gate {"hold_request": N}` holds the Nth FHIR
//! request from then on (`{"hold_matching": "text"}`: the first whose path and query contain
//! the text), unanswered, until `DELETE /_sandbox/gate`; `GET /_sandbox/gate` says
//! how many FHIR requests were served and which one is held (`?wait_ms=` waits for one to be).
//! This module is the gate itself, held in the shared state; its routes are in `control.rs`.
//! The sandbox listens on 127.0.0.1 only.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

/// The gate's state: which request to hold and the one being held.
#[derive(Debug, Clone, Default)]
struct Hold {
    /// The FHIR request number (counted since the start) to hold.
    at: Option<u64>,
    /// Or the first FHIR request whose path and query contain this.
    matching: Option<String>,
    /// The request being held, once it came.
    held: Option<HeldRequest>,
}

/// A FHIR request held at the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldRequest {
    /// Its number among the FHIR requests since the sandbox started.
    pub number: u64,
    /// Its path and query.
    pub request: String,
}

/// What `GET /_sandbox/gate` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateStatus {
    /// FHIR API requests received since the sandbox started (the held one included).
    pub served: u64,
    /// The request held now, if any.
    pub held: Option<HeldRequest>,
}

/// Holds one FHIR request until released.
pub struct Gate(watch::Sender<Hold>);

impl Default for Gate {
    fn default() -> Self {
        Self(watch::Sender::new(Hold::default()))
    }
}

impl Gate {
    /// Called for every FHIR request with its number: returns at once, or, for the request the
    /// gate is set for, once the gate is released.
    pub(crate) async fn pass(&self, number: u64, request: &str) {
        let mut hit = false;
        self.0.send_if_modified(|h| {
            hit = h.at == Some(number)
                || h.held.is_none() && h.matching.as_ref().is_some_and(|m| request.contains(m));
            if hit {
                h.matching = None;
                h.held = Some(HeldRequest {
                    number,
                    request: request.to_owned(),
                });
            }
            hit
        });
        if hit {
            let mut rx = self.0.subscribe();
            let _ = rx
                .wait_for(|h| h.held.as_ref().is_none_or(|r| r.number != number))
                .await;
        }
    }

    /// Holds the request numbered `at`; a request held before is released.
    pub(crate) fn hold(&self, at: u64) {
        self.0.send_replace(Hold {
            at: Some(at),
            matching: None,
            held: None,
        });
    }

    /// Holds the first request from now whose path and query contain `text`; a request held
    /// before is released.
    pub(crate) fn hold_matching(&self, text: String) {
        self.0.send_replace(Hold {
            at: None,
            matching: Some(text),
            held: None,
        });
    }

    /// Releases the held request, if any, and holds no other.
    pub(crate) fn release(&self) {
        self.0.send_replace(Hold::default());
    }

    /// The request held now, waiting up to `wait` for one.
    pub(crate) async fn held(&self, wait: Duration) -> Option<HeldRequest> {
        let mut rx = self.0.subscribe();
        let found = tokio::time::timeout(wait, rx.wait_for(|h| h.held.is_some())).await;
        match found {
            Ok(Ok(h)) => h.held.clone(),
            _ => self.0.borrow().held.clone(),
        }
    }
}
