//! Starting and stopping a sandbox plan, in-process or from the binary.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::sync::oneshot;

use crate::auth::{self, AuthStore};
use crate::config::{ClientRegistration, MemberSource, SandboxConfig};
use crate::fhir;
use crate::{fixtures, generator, Faults, Member, MemberSummary};

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A member's records could not be built.
    #[error("member {login}: {reason}")]
    Member {
        /// Which member.
        login: String,
        /// Why.
        reason: String,
    },
    /// The port could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// Why.
        source: std::io::Error,
    },
}

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
    pub(crate) gate: crate::gate::Gate,
}

impl AppState {
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

    fn set_faults(&self, faults: Faults) {
        if let Ok(mut f) = self.faults.write() {
            *f = faults;
        }
        self.requests.store(0, Ordering::SeqCst);
    }
}

/// A running sandbox plan. Dropping it stops the server.
pub struct Sandbox {
    state: Arc<AppState>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Builds every member's records (generation and fixture loading run off the async threads).
fn build_members(sources: &[MemberSource]) -> Result<Vec<Member>, SandboxError> {
    sources
        .iter()
        .map(|source| {
            let login = source.login().to_owned();
            let fail = |reason: String| SandboxError::Member {
                login: login.clone(),
                reason,
            };
            match source {
                MemberSource::Generated {
                    name, seed, size, ..
                } => {
                    let generated =
                        generator::generate_member(&login, (&name.0, &name.1), *seed, *size);
                    Member::build(&login, Some(&generated.patient_id), generated.resources)
                        .map_err(fail)
                }
                MemberSource::Fixture {
                    path, patient_id, ..
                } => {
                    let resources = fixtures::load_fixture(path).map_err(fail)?;
                    Member::build(&login, patient_id.as_deref(), resources).map_err(fail)
                }
            }
        })
        .collect()
}

impl Sandbox {
    /// Builds the members and starts serving on 127.0.0.1.
    pub async fn start(config: SandboxConfig) -> Result<Self, SandboxError> {
        let sources = config.members.clone();
        let members = tokio::task::spawn_blocking(move || build_members(&sources))
            .await
            .map_err(|e| SandboxError::Member {
                login: String::new(),
                reason: e.to_string(),
            })??;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port))
            .await
            .map_err(|source| SandboxError::Bind {
                port: config.port,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            port: config.port,
            source,
        })?;
        let origin = format!("http://{addr}");
        let state = Arc::new(AppState {
            fhir_base: format!("{origin}/fhir"),
            origin,
            members,
            password: config.password,
            clients: config.clients,
            ttl: config.access_token_ttl,
            auth: Mutex::new(AuthStore::default()),
            faults: RwLock::new(config.faults),
            requests: AtomicU64::new(0),
            served: AtomicU64::new(0),
            rejected: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
            gate: crate::gate::Gate::default(),
        });
        let app = router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        tracing::info!(%addr, members = state.members.len(), "sandbox plan listening");
        Ok(Self {
            state,
            addr,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT/fhir`, the plan's FHIR base URL.
    pub fn fhir_base(&self) -> &str {
        &self.state.fhir_base
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> &str {
        &self.state.origin
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Replaces the active faults; request counters start again.
    pub fn set_faults(&self, faults: Faults) {
        self.state.set_faults(faults);
    }

    /// FHIR API requests answered since the sandbox started (metadata, reads, searches and
    /// pages; the authorization server's are not counted). Never reset.
    pub fn requests_served(&self) -> u64 {
        self.state.served.load(Ordering::SeqCst)
    }

    /// Every FHIR API request answered 400 or 422 since the sandbox started, as its path and
    /// query, in order. Never reset.
    pub fn rejected_requests(&self) -> Vec<String> {
        self.state
            .rejected
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Every FHIR API request since the sandbox started, as its path and query, in order
    /// (`requests_served()` of them). Never reset.
    pub fn served_requests(&self) -> Vec<String> {
        self.state.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Each member's counts.
    pub fn members(&self) -> Vec<MemberSummary> {
        self.state.members.iter().map(Member::summary).collect()
    }

    /// Stops serving and waits for the server to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn router(state: Arc<AppState>) -> Router {
    let fhir_routes = Router::new()
        .route("/metadata", get(fhir::metadata))
        .route(
            "/.well-known/smart-configuration",
            get(auth::smart_configuration),
        )
        .route("/_page/{cursor}", get(fhir::next_page))
        .route("/{ty}", get(fhir::search_get))
        .route("/{ty}/_search", post(fhir::search_post))
        .route("/{ty}/{id}", get(fhir::read))
        .route("/{ty}/{id}/{op}", get(fhir::operation))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            fhir::faults_layer,
        ));
    Router::new()
        .nest("/fhir", fhir_routes)
        .route(
            "/auth/authorize",
            get(auth::authorize_get).post(auth::authorize_post),
        )
        .route("/auth/login", post(auth::login))
        .route("/auth/consent", post(auth::consent))
        .route("/auth/token", post(auth::token))
        .route("/auth/revoke", post(auth::revoke))
        .route("/_sandbox/faults", get(get_faults).put(put_faults))
        .route("/_sandbox/members", get(list_members))
        .route(
            "/_sandbox/gate",
            get(crate::gate::get_gate)
                .put(crate::gate::put_gate)
                .delete(crate::gate::delete_gate),
        )
        .with_state(state)
}

async fn get_faults(State(state): State<Arc<AppState>>) -> Json<Faults> {
    Json(state.faults())
}

async fn put_faults(State(state): State<Arc<AppState>>, Json(faults): Json<Faults>) -> Response {
    state.set_faults(faults);
    StatusCode::NO_CONTENT.into_response()
}

async fn list_members(State(state): State<Arc<AppState>>) -> Json<Vec<MemberSummary>> {
    Json(state.members.iter().map(Member::summary).collect())
}
