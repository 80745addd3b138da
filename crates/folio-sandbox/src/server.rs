//! Starting and stopping a sandbox plan, in-process or from the binary.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use tokio::sync::oneshot;

use crate::config::{MemberSource, SandboxConfig};
use crate::state::AppState;
use crate::{auth, control, fhir};
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
        let state = Arc::new(AppState::new(
            origin,
            members,
            config.password,
            config.clients,
            config.access_token_ttl,
            config.faults,
        ));
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
        self.state.requests_served()
    }

    /// Every FHIR API request answered 400 or 422 since the sandbox started, as its path and
    /// query, in order. Never reset.
    pub fn rejected_requests(&self) -> Vec<String> {
        self.state.rejected_requests()
    }

    /// Every FHIR API request since the sandbox started, as its path and query, in order
    /// (`requests_served()` of them). Never reset.
    pub fn served_requests(&self) -> Vec<String> {
        self.state.served_requests()
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
        .route(
            "/_sandbox/faults",
            get(control::get_faults).put(control::put_faults),
        )
        .route("/_sandbox/members", get(control::list_members))
        .route(
            "/_sandbox/gate",
            get(control::get_gate)
                .put(control::put_gate)
                .delete(control::delete_gate),
        )
        .with_state(state)
}
