//! The `/_sandbox/*` controls tests and the demo use on a running sandbox: the active faults
//! (`GET`/`PUT /_sandbox/faults`), the members' counts (`GET /_sandbox/members`) and the gate
//! that holds a FHIR request (`GET`/`PUT`/`DELETE /_sandbox/gate`, see [`crate::gate`]).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::gate::GateStatus;
use crate::state::AppState;
use crate::{Faults, Member, MemberSummary};

pub(crate) async fn get_faults(State(state): State<Arc<AppState>>) -> Json<Faults> {
    Json(state.faults())
}

pub(crate) async fn put_faults(
    State(state): State<Arc<AppState>>,
    Json(faults): Json<Faults>,
) -> Response {
    state.set_faults(faults);
    StatusCode::NO_CONTENT.into_response()
}

pub(crate) async fn list_members(State(state): State<Arc<AppState>>) -> Json<Vec<MemberSummary>> {
    Json(state.members.iter().map(Member::summary).collect())
}

/// `PUT /_sandbox/gate` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HoldBody {
    /// Hold the Nth FHIR request from now (1 is the next one).
    #[serde(default)]
    hold_request: Option<u64>,
    /// Or hold the first FHIR request from now whose path and query contain this.
    #[serde(default)]
    hold_matching: Option<String>,
}

/// `GET /_sandbox/gate` query.
#[derive(Debug, Deserialize)]
pub(crate) struct StatusQuery {
    /// Wait up to this long for a request to be held.
    #[serde(default)]
    wait_ms: u64,
}

pub(crate) async fn put_gate(
    State(state): State<Arc<AppState>>,
    Json(body): Json<HoldBody>,
) -> Response {
    match (body.hold_request, body.hold_matching) {
        (Some(0), _) => {
            return (StatusCode::BAD_REQUEST, "hold_request counts from 1").into_response();
        }
        (Some(n), None) => state.gate.hold(state.requests_served().saturating_add(n)),
        (None, Some(text)) if !text.is_empty() => state.gate.hold_matching(text),
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                "give hold_request or hold_matching (not empty), not both",
            )
                .into_response();
        }
    }
    Json(GateStatus {
        served: state.requests_served(),
        held: None,
    })
    .into_response()
}

pub(crate) async fn get_gate(
    State(state): State<Arc<AppState>>,
    Query(q): Query<StatusQuery>,
) -> Json<GateStatus> {
    let held = state.gate.held(Duration::from_millis(q.wait_ms)).await;
    Json(GateStatus {
        served: state.requests_served(),
        held,
    })
}

pub(crate) async fn delete_gate(State(state): State<Arc<AppState>>) -> StatusCode {
    state.gate.release();
    StatusCode::NO_CONTENT
}
