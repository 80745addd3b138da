//! Connecting plans: discovery, the sign-in in the member's browser, tokens to the keychain,
//! refresh (single-flight, rotated token stored before use), disconnect.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use folio_secrets::Sensitive;
use folio_smart::{
    ClientAuth, DiscoverySource, LoopbackListener, PendingAuthorization, SmartConfiguration,
    SmartError, Url,
};
use folio_store::{BoundEndpoints, ConnectedGrant, ConnectionRow, PlanRow, SourceKind, Store};
use tokio::sync::oneshot;

use crate::api::{ConnectionSummary, RedirectStyle, SignInStarted};
use crate::credentials;
use crate::ids::new_id;
use crate::tokens::{self, StoredTokens};
use crate::{CoreError, Folio, APP_IDENTIFIER};

/// The private-use URI scheme for plans that only accept a custom-scheme redirect
/// (RFC 8252 §7.1: Folio's identifier, reversed-domain style).
pub const URL_SCHEME: &str = APP_IDENTIFIER;

/// A redirect that arrived through the custom scheme: where it arrived, and its query.
type SchemeRedirect = (String, Vec<(String, String)>);

/// How the answer of a sign-in will arrive.
pub(crate) enum Waiter {
    Loopback(LoopbackListener),
    Scheme(oneshot::Receiver<SchemeRedirect>),
}

/// A sign-in waiting for the member.
pub(crate) struct SignInSlot {
    pending: PendingAuthorization,
    auth: ClientAuth,
    waiter: Waiter,
    cancel: oneshot::Receiver<()>,
}

/// Where a custom-scheme redirect goes, and the `state` it must carry to be let through.
struct SchemeSender {
    state: String,
    tx: oneshot::Sender<SchemeRedirect>,
}

/// In-memory state of sign-ins in progress, per plan.
#[derive(Default)]
pub(crate) struct SignIns {
    waiting: HashMap<String, SignInSlot>,
    cancels: HashMap<String, oneshot::Sender<()>>,
    scheme_senders: HashMap<String, SchemeSender>,
}

fn account(connection_id: &str) -> String {
    format!("connection/{connection_id}")
}

/// A FHIR id (`[A-Za-z0-9\-\.]{1,64}`, FHIR R4 §2.24.0.1) that is not a path segment of its
/// own (`.`, `..`): the only patient ids Folio puts into a request's path.
pub(crate) fn is_fhir_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id != "."
        && id != ".."
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// Compares two secrets in time that does not depend on where they first differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

/// The configuration a connection's sign-in was bound to, from its row; `None` for a
/// connection made before the endpoints were kept (migration 0008), which falls back to
/// discovery until it is connected again.
fn bound_configuration(row: &ConnectionRow) -> Result<Option<SmartConfiguration>, CoreError> {
    let (Some(base), Some(auth), Some(token)) = (
        row.bound_fhir_base.as_deref(),
        row.authorization_endpoint.as_deref(),
        row.token_endpoint.as_deref(),
    ) else {
        return Ok(None);
    };
    let parse = |text: &str| {
        Url::parse(text).map_err(|_| {
            CoreError::Internal("a connection's stored plan address does not parse".into())
        })
    };
    Ok(Some(SmartConfiguration {
        fhir_base: parse(base)?,
        issuer: None,
        authorization_endpoint: parse(auth)?,
        token_endpoint: parse(token)?,
        revocation_endpoint: row.revocation_endpoint.as_deref().map(parse).transpose()?,
        management_endpoint: None,
        registration_endpoint: None,
        capabilities: Vec::new(),
        scopes_supported: Vec::new(),
        token_endpoint_auth_signing_alg_values_supported: Vec::new(),
        iss_parameter_supported: false,
        source: DiscoverySource::WellKnown,
    }))
}

/// Whether the plan's FHIR base is no longer the one the connection's grant was issued for
/// (its `aud`): the demo plan after a restart on another port, or a catalog entry that moved.
fn plan_moved(row: &ConnectionRow, plan: &PlanRow) -> bool {
    let Some(bound) = row.bound_fhir_base.as_deref() else {
        return false;
    };
    let normal = |text: &str| {
        folio_smart::parse_fhir_base(text)
            .map(|u| u.as_str().trim_end_matches('/').to_owned())
            .ok()
    };
    normal(bound).is_none() || normal(bound) != normal(&plan.fhir_base)
}

/// The access token to use without refreshing: for a caller whose token was rejected, one that
/// replaced it meanwhile; otherwise the current one while it is fresh.
fn usable(
    current: &StoredTokens,
    rejected: Option<&Sensitive<String>>,
) -> Option<Sensitive<String>> {
    match rejected {
        Some(r) if r != &current.access_token && current.unexpired() => {
            Some(current.access_token.clone())
        }
        // Without a refresh token nothing is gained by giving it up early: used to its end.
        None if current.fresh() || current.refresh_token.is_none() && current.unexpired() => {
            Some(current.access_token.clone())
        }
        _ => None,
    }
}

/// Data scopes: what makes a grant worth having (a scope that reads some kind of record; a
/// `.write` or `.c` scope alone reads nothing).
fn has_data_scope(scopes: &[String]) -> bool {
    folio_smart::scopes::grants_any_reading(scopes)
}

impl Folio {
    async fn configuration(&self, plan: &PlanRow) -> Result<SmartConfiguration, CoreError> {
        if let Some(c) = self.lock_configs()?.get(&plan.id) {
            return Ok(c.clone());
        }
        if plan.fhir_base.is_empty() {
            return Err(CoreError::DemoNotRunning);
        }
        let base = folio_smart::parse_fhir_base(&plan.fhir_base)?;
        let config = folio_smart::discover(&self.http, &base).await?;
        self.lock_configs()?.insert(plan.id.clone(), config.clone());
        Ok(config)
    }

    pub(crate) fn forget_configuration(&self, plan_id: &str) {
        if let Ok(mut c) = self.lock_configs() {
            c.remove(plan_id);
        }
    }

    /// Starts connecting a plan: discovers it, opens the redirect listener and returns the URL
    /// to open in the member's system browser. One sign-in per plan at a time: starting again
    /// cancels the previous one.
    pub async fn begin_sign_in(&self, plan_id: &str) -> Result<SignInStarted, CoreError> {
        let plan = self.plan_row(plan_id).await?;
        // A catalog plan without a client id is a guide to registering Folio, not a client.
        if plan.client_id.is_empty() {
            return Err(CoreError::RegistrationNeeded);
        }
        self.forget_configuration(plan_id);
        // The client credentials are read before the member is sent anywhere.
        let auth = credentials::client_auth(self.secrets.as_ref(), &plan)?;
        let config = self.configuration(&plan).await?;
        let scopes = config.requested_scopes();
        let path = format!("/cb/{}", plan.id);
        let (redirect_uri, waiter, sender) = match RedirectStyle::parse(&plan.redirect_style) {
            Some(RedirectStyle::CustomScheme) => {
                let (tx, rx) = oneshot::channel();
                (format!("{URL_SCHEME}:{path}"), Waiter::Scheme(rx), Some(tx))
            }
            _ => {
                let listener = match plan.loopback_port.and_then(|p| u16::try_from(p).ok()) {
                    Some(port) => LoopbackListener::bind_port(&path, port).await?,
                    None => LoopbackListener::bind(&path).await?,
                };
                (
                    listener.redirect_uri().to_owned(),
                    Waiter::Loopback(listener),
                    None,
                )
            }
        };
        let pending = PendingAuthorization::new(config, &plan.client_id, &redirect_uri, scopes);
        let url = pending.authorize_url().to_string();
        let (cancel_tx, cancel_rx) = oneshot::channel();
        let mut sign_ins = self.lock_sign_ins()?;
        // Dropping an older sign-in's cancel sender ends its wait.
        sign_ins.cancels.insert(plan.id.clone(), cancel_tx);
        if let Some(tx) = sender {
            let state = pending.state().to_owned();
            sign_ins
                .scheme_senders
                .insert(plan.id.clone(), SchemeSender { state, tx });
        }
        sign_ins.waiting.insert(
            plan.id.clone(),
            SignInSlot {
                pending,
                auth,
                waiter,
                cancel: cancel_rx,
            },
        );
        tracing::info!(plan = %plan.id, "sign-in started");
        Ok(SignInStarted {
            plan_id: plan.id,
            authorize_url: url,
        })
    }

    /// Cancels a sign-in in progress; `false` when there was none.
    pub fn cancel_sign_in(&self, plan_id: &str) -> bool {
        let Ok(mut s) = self.lock_sign_ins() else {
            return false;
        };
        s.scheme_senders.remove(plan_id);
        match s.cancels.remove(plan_id) {
            Some(tx) => tx.send(()).is_ok() || s.waiting.remove(plan_id).is_some(),
            None => s.waiting.remove(plan_id).is_some(),
        }
    }

    /// Hands a custom-scheme redirect (from a deep link) to the sign-in waiting for it. A link
    /// without that sign-in's `state` (any program can open one) is refused and the sign-in
    /// keeps waiting for the plan's answer.
    pub fn deliver_redirect(&self, url: &str) -> Result<(), CoreError> {
        let rest = url
            .strip_prefix(&format!("{URL_SCHEME}:"))
            .ok_or(CoreError::Smart(SmartError::RedirectMismatch))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let plan_id = path
            .strip_prefix("/cb/")
            .ok_or(CoreError::Smart(SmartError::RedirectMismatch))?;
        let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let state = params
            .iter()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.as_str());
        let sender = {
            let mut sign_ins = self.lock_sign_ins()?;
            let expected = sign_ins
                .scheme_senders
                .get(plan_id)
                .ok_or(CoreError::Smart(SmartError::StateMismatch))?;
            if !state.is_some_and(|s| same_secret(s, &expected.state)) {
                tracing::warn!(plan = %plan_id, "a link without this sign-in's state was ignored");
                return Err(SmartError::StateMismatch.into());
            }
            sign_ins
                .scheme_senders
                .remove(plan_id)
                .ok_or(CoreError::Smart(SmartError::StateMismatch))?
        };
        sender
            .tx
            .send((format!("{URL_SCHEME}:{path}"), params))
            .map_err(|_| CoreError::Smart(SmartError::StateMismatch))
    }

    /// Waits for the member to finish at the plan (up to `timeout`), then redeems the code,
    /// stores the tokens in the keychain and the connection in the database.
    pub async fn finish_sign_in(
        &self,
        plan_id: &str,
        timeout: Duration,
    ) -> Result<ConnectionSummary, CoreError> {
        let slot = self
            .lock_sign_ins()?
            .waiting
            .remove(plan_id)
            .ok_or(CoreError::NoSignIn)?;
        let SignInSlot {
            pending,
            auth,
            waiter,
            cancel,
        } = slot;
        let wait = async {
            match waiter {
                Waiter::Loopback(listener) => {
                    listener
                        .wait(timeout, |cb| pending.accept(&cb.arrived_at, &cb.params))
                        .await
                }
                Waiter::Scheme(rx) => match tokio::time::timeout(timeout, rx).await {
                    Err(_) => Err(SmartError::CallbackTimeout),
                    Ok(Err(_)) => Err(SmartError::Cancelled),
                    Ok(Ok((arrived_at, params))) => pending.accept(&arrived_at, &params),
                },
            }
        };
        let code = tokio::select! {
            result = wait => result?,
            _ = cancel => return Err(SmartError::Cancelled.into()),
        };
        if let Ok(mut s) = self.lock_sign_ins() {
            s.cancels.remove(plan_id);
            s.scheme_senders.remove(plan_id);
        }
        let tokens = folio_smart::exchange_code(&self.http, &pending, &auth, code).await?;
        // From here the plan has issued a grant: one Folio will not keep is revoked at once.
        if !has_data_scope(&tokens.scopes) {
            self.revoke_unkept(&pending, &auth, &tokens).await;
            return Err(SmartError::ScopesRefused.into());
        }
        // The patient id goes into request paths (`Patient/{id}`): only a FHIR id will do.
        let Some(patient) = tokens.patient.clone().filter(|p| is_fhir_id(p)) else {
            self.revoke_unkept(&pending, &auth, &tokens).await;
            return Err(SmartError::InvalidResponse(
                "the plan did not name the patient the records belong to with a valid FHIR id"
                    .into(),
            )
            .into());
        };
        let store = &self.store().await?;
        let id = match store.connection_for(plan_id, &patient).await? {
            Some(existing) => existing.id,
            None => new_id("c"),
        };
        let account = account(&id);
        // Keychain first: a row never points at tokens that are not there. Tokens that cannot
        // be kept are revoked before the failure is reported, so no live grant is left behind.
        if let Err(e) = tokens::save(
            self.secrets.as_ref(),
            &account,
            &StoredTokens::from(&tokens),
        ) {
            self.revoke_unkept(&pending, &auth, &tokens).await;
            return Err(e);
        }
        let expires = tokens::rfc3339(tokens.expires_at);
        let config = pending.config();
        let revocation = config.revocation_endpoint.as_ref().map(Url::as_str);
        store
            .save_connected(&ConnectedGrant {
                id: &id,
                plan_id,
                patient_id: &patient,
                granted_scopes: &tokens.scopes.join(" "),
                requested_scopes: &pending.scopes().join(" "),
                token_expires_at: expires.as_deref(),
                keychain_account: &account,
                redirect_uri: pending.redirect_uri(),
                endpoints: BoundEndpoints {
                    fhir_base: config.fhir_base.as_str(),
                    authorization_endpoint: config.authorization_endpoint.as_str(),
                    token_endpoint: config.token_endpoint.as_str(),
                    revocation_endpoint: revocation,
                },
            })
            .await?;
        self.keep_access_terms(&id, &tokens).await?;
        tracing::info!(plan = %plan_id, connection = %id, "connected");
        self.connection_changed(&id);
        self.connection(&id).await
    }

    /// One connection as the connections screen shows it.
    pub async fn connection(&self, id: &str) -> Result<ConnectionSummary, CoreError> {
        let store = &self.store().await?;
        let row = store
            .connection(id)
            .await?
            .ok_or(CoreError::ConnectionNotFound)?;
        let plan = store
            .plan(&row.plan_id)
            .await?
            .ok_or(CoreError::PlanNotFound)?;
        let records = store.resource_count(id).await?;
        let access = store.access_terms(id).await?;
        Ok(summary(&row, &plan, records, access))
    }

    /// Every connection, with its plan, status and granted scopes.
    pub async fn connections(&self) -> Result<Vec<ConnectionSummary>, CoreError> {
        let store = &self.store().await?;
        let plans: HashMap<String, PlanRow> = store
            .plans()
            .await?
            .into_iter()
            .map(|p| (p.id.clone(), p))
            .collect();
        let mut out = Vec::new();
        for row in store.connections().await? {
            // Imported files' plan rows are not offered as plans; read them one by one.
            let plan = match plans.get(&row.plan_id) {
                Some(p) => Some(p.clone()),
                None => store.plan(&row.plan_id).await?,
            };
            if let Some(plan) = plan {
                let records = store.resource_count(&row.id).await?;
                let access = store.access_terms(&row.id).await?;
                out.push(summary(&row, &plan, records, access));
            }
        }
        Ok(out)
    }

    /// A usable access token for a connection, refreshed first when it has (nearly) expired.
    /// Public only with the `test-hooks` feature (folio-core's tests, folio-bench): no shipped
    /// binary can hand out a token.
    #[cfg(feature = "test-hooks")]
    pub async fn access_token(&self, connection_id: &str) -> Result<Sensitive<String>, CoreError> {
        self.token_for(connection_id, None).await
    }

    #[cfg(not(feature = "test-hooks"))]
    pub(crate) async fn access_token(
        &self,
        connection_id: &str,
    ) -> Result<Sensitive<String>, CoreError> {
        self.token_for(connection_id, None).await
    }

    /// A new access token after the plan rejected `rejected` (a 401): refreshes once, unless
    /// another task already did. Public only with the `test-hooks` feature.
    #[cfg(feature = "test-hooks")]
    pub async fn access_token_after_rejection(
        &self,
        connection_id: &str,
        rejected: &Sensitive<String>,
    ) -> Result<Sensitive<String>, CoreError> {
        self.token_for(connection_id, Some(rejected)).await
    }

    #[cfg(not(feature = "test-hooks"))]
    pub(crate) async fn access_token_after_rejection(
        &self,
        connection_id: &str,
        rejected: &Sensitive<String>,
    ) -> Result<Sensitive<String>, CoreError> {
        self.token_for(connection_id, Some(rejected)).await
    }

    async fn token_for(
        &self,
        connection_id: &str,
        rejected: Option<&Sensitive<String>>,
    ) -> Result<Sensitive<String>, CoreError> {
        let lock = self.token_lock(connection_id)?;
        // Single flight: one refresh per connection at a time; the others reuse its result.
        let _guard = lock.lock().await;
        let store = &self.store().await?;
        let (row, _, current) = self.live_tokens(store, connection_id).await?;
        if let Some(token) = usable(&current, rejected) {
            return Ok(token);
        }
        // Another process on this profile (the app and the command line) may be refreshing the
        // same grant: one at a time, and the later one uses the earlier one's rotated token
        // instead of redeeming a refresh token the plan has already rotated (which makes a plan
        // revoke the grant).
        let _file_lock = self.refresh_file_lock(&row.id).await?;
        let (row, plan, current) = self.live_tokens(store, connection_id).await?;
        if let Some(token) = usable(&current, rejected) {
            return Ok(token);
        }
        let Some(refresh_token) = current.refresh_token.clone() else {
            // Expired or refused, and the plan gave nothing to renew it with.
            return Err(self.end_access(&row).await);
        };
        // The token endpoint the grant was issued by, never a later discovery's.
        let config = match bound_configuration(&row)? {
            Some(config) => config,
            None => self.configuration(&plan).await?,
        };
        let granted: Vec<String> = row
            .granted_scopes
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let auth = credentials::client_auth(self.secrets.as_ref(), &plan)?;
        match folio_smart::refresh(
            &self.http,
            &config,
            &plan.client_id,
            &auth,
            &refresh_token,
            &granted,
        )
        .await
        {
            Ok(new) => {
                // The rotated refresh token is in the keychain before the access token is used.
                let stored = StoredTokens::from(&new);
                tokens::save(self.secrets.as_ref(), &row.keychain_account, &stored)?;
                store
                    .save_token_refresh(
                        connection_id,
                        tokens::rfc3339(new.expires_at).as_deref(),
                        &new.scopes.join(" "),
                    )
                    .await?;
                self.keep_access_terms(connection_id, &new).await?;
                Ok(stored.access_token)
            }
            Err(SmartError::GrantRevoked) => {
                self.mark_reconnect(&row, "the plan no longer accepts this authorization")
                    .await?;
                Err(CoreError::ReconnectNeeded)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A connection that can still be used, its plan and its tokens; otherwise marks it
    /// "reconnect needed" when that is why.
    async fn live_tokens(
        &self,
        store: &Store,
        connection_id: &str,
    ) -> Result<(ConnectionRow, PlanRow, StoredTokens), CoreError> {
        let row = store
            .connection(connection_id)
            .await?
            .ok_or(CoreError::ConnectionNotFound)?;
        if matches!(
            row.status,
            folio_store::ConnectionStatus::ReconnectNeeded
                | folio_store::ConnectionStatus::Disconnected
        ) {
            return Err(if crate::access::ended(&row) {
                CoreError::AccessEnded
            } else {
                CoreError::ReconnectNeeded
            });
        }
        let plan = self.plan_row(&row.plan_id).await?;
        if plan_moved(&row, &plan) {
            // The grant was issued for another address: its tokens go nowhere else.
            self.mark_reconnect(&row, "the plan's address changed since you connected")
                .await?;
            return Err(CoreError::ReconnectNeeded);
        }
        let Some(current) = tokens::load(self.secrets.as_ref(), &row.keychain_account)? else {
            self.mark_reconnect(&row, "the tokens are missing from the keychain")
                .await?;
            return Err(CoreError::ReconnectNeeded);
        };
        Ok((row, plan, current))
    }

    /// Waits (on a blocking thread) for the profile's lock on refreshing `connection_id`, a
    /// file lock the app and the command line both take; released when the file is dropped.
    async fn refresh_file_lock(&self, connection_id: &str) -> Result<std::fs::File, CoreError> {
        let path = self.refresh_lock_path(connection_id);
        let taken = tokio::task::spawn_blocking(move || {
            let mut options = std::fs::OpenOptions::new();
            options.read(true).write(true).create(true).truncate(false);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let file = options.open(&path)?;
            file.lock()?;
            Ok::<_, std::io::Error>(file)
        })
        .await
        .map_err(|e| CoreError::Internal(format!("the refresh lock task failed: {e}")))?;
        taken.map_err(|e| CoreError::Internal(format!("cannot take the refresh lock: {e}")))
    }

    /// The file the refresh lock of `connection_id` is taken on, in the profile's data folder.
    fn refresh_lock_path(&self, connection_id: &str) -> std::path::PathBuf {
        self.data_dir()
            .path()
            .join(format!("refresh-{connection_id}.lock"))
    }

    /// Revokes a grant Folio just received but will not keep (best effort: a failure is only
    /// logged, and the reason the sign-in failed is what the member is told).
    async fn revoke_unkept(
        &self,
        pending: &PendingAuthorization,
        auth: &ClientAuth,
        tokens: &folio_smart::TokenSet,
    ) {
        let revoked = self
            .revoke_tokens(
                pending.config(),
                pending.client_id(),
                auth,
                tokens.refresh_token.as_ref(),
                &tokens.access_token,
            )
            .await;
        tracing::warn!(
            revoked,
            "a grant Folio could not keep was revoked at the plan"
        );
    }

    /// Revokes the refresh token (which ends the grant at most plans) and the access token;
    /// `true` when the plan confirmed either.
    async fn revoke_tokens(
        &self,
        config: &SmartConfiguration,
        client_id: &str,
        auth: &ClientAuth,
        refresh_token: Option<&Sensitive<String>>,
        access_token: &Sensitive<String>,
    ) -> bool {
        let outcome = |result: Result<bool, SmartError>| match result {
            Ok(revoked) => revoked,
            Err(e) => {
                tracing::warn!(error = %e, "the plan did not confirm a revocation");
                false
            }
        };
        let mut revoked = false;
        if let Some(rt) = refresh_token {
            revoked =
                outcome(folio_smart::revoke(&self.http, config, client_id, auth, rt, true).await);
        }
        revoked
            | outcome(
                folio_smart::revoke(&self.http, config, client_id, auth, access_token, false).await,
            )
    }

    async fn mark_reconnect(&self, row: &ConnectionRow, why: &str) -> Result<(), CoreError> {
        tracing::warn!(connection = %row.id, "reconnect needed");
        let status = folio_store::ConnectionStatus::ReconnectNeeded;
        self.store()
            .await?
            .set_connection_status(&row.id, status, Some((status.as_str(), why)))
            .await?;
        self.connection_changed(&row.id);
        Ok(())
    }

    /// Disconnects: revokes at the plan when it offers revocation (best effort), deletes the
    /// keychain entry, and either keeps the cached records (status "disconnected") or deletes
    /// them with the connection.
    pub async fn disconnect(
        &self,
        connection_id: &str,
        delete_data: bool,
    ) -> Result<DisconnectOutcome, CoreError> {
        let store = &self.store().await?;
        let row = store
            .connection(connection_id)
            .await?
            .ok_or(CoreError::ConnectionNotFound)?;
        if row.source_kind == SourceKind::File {
            // An imported file has no tokens and no plan to tell: removing it removes its records.
            store.delete_connection(connection_id).await?;
            self.connection_changed(connection_id);
            return Ok(DisconnectOutcome {
                revoked_at_plan: false,
                data_deleted: true,
            });
        }
        let mut revoked = false;
        if let Some(t) = tokens::load(self.secrets.as_ref(), &row.keychain_account)? {
            if let Ok(plan) = self.plan_row(&row.plan_id).await {
                // The revocation endpoint of the sign-in; discovery only for connections made
                // before endpoints were kept.
                let config = match bound_configuration(&row)? {
                    Some(config) => Some(config),
                    None => self.configuration(&plan).await.ok(),
                };
                // Without its client credentials the plan would refuse the revocation anyway.
                let auth = credentials::client_auth(self.secrets.as_ref(), &plan);
                if let (Some(config), Ok(auth)) = (config, auth) {
                    revoked = self
                        .revoke_tokens(
                            &config,
                            &plan.client_id,
                            &auth,
                            t.refresh_token.as_ref(),
                            &t.access_token,
                        )
                        .await;
                }
            }
        }
        self.secrets.delete(&row.keychain_account)?;
        if delete_data {
            store.delete_connection(connection_id).await?;
            // The id is never used again, so no process can be waiting to refresh it.
            match std::fs::remove_file(self.refresh_lock_path(connection_id)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    tracing::warn!(error = %e.kind(), "a refresh lock file was not deleted");
                }
                _ => {}
            }
        } else {
            store
                .set_connection_status(
                    connection_id,
                    folio_store::ConnectionStatus::Disconnected,
                    None,
                )
                .await?;
        }
        self.connection_changed(connection_id);
        Ok(DisconnectOutcome {
            revoked_at_plan: revoked,
            data_deleted: delete_data,
        })
    }

    /// Tells subscribers that a connection was added, changed status or was removed.
    pub(crate) fn connection_changed(&self, connection_id: &str) {
        self.emit(crate::api::FolioEvent::ConnectionChanged {
            connection_id: connection_id.to_owned(),
        });
    }

    fn lock_sign_ins(&self) -> Result<std::sync::MutexGuard<'_, SignIns>, CoreError> {
        self.sign_ins
            .lock()
            .map_err(|_| CoreError::Internal("sign-in state poisoned".into()))
    }

    fn lock_configs(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, HashMap<String, SmartConfiguration>>, CoreError> {
        self.configs
            .lock()
            .map_err(|_| CoreError::Internal("configuration cache poisoned".into()))
    }

    fn token_lock(&self, connection_id: &str) -> Result<Arc<tokio::sync::Mutex<()>>, CoreError> {
        let mut locks = self
            .token_locks
            .lock()
            .map_err(|_| CoreError::Internal("token locks poisoned".into()))?;
        Ok(locks.entry(connection_id.to_owned()).or_default().clone())
    }
}

/// What a disconnect did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisconnectOutcome {
    /// The plan confirmed revocation.
    pub revoked_at_plan: bool,
    /// The cached records were deleted.
    pub data_deleted: bool,
}

fn summary(
    row: &ConnectionRow,
    plan: &PlanRow,
    records: i64,
    access: Option<folio_store::AccessTerms>,
) -> ConnectionSummary {
    let split = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    let granted = split(&row.granted_scopes);
    let requested = split(&row.requested_scopes);
    let not_granted: Vec<String> = requested
        .iter()
        .filter(|s| !granted.contains(s))
        .cloned()
        .collect();
    ConnectionSummary {
        id: row.id.clone(),
        plan_id: plan.id.clone(),
        plan_name: plan.name.clone(),
        patient_id: row.patient_id.clone().unwrap_or_default(),
        status: crate::access::status(row),
        granted_scopes: granted,
        scopes_not_granted: not_granted,
        token_expires_at: row.token_expires_at.clone(),
        access: access.map(crate::access::summary),
        last_synced_at: row.last_synced_at.clone(),
        records: u32::try_from(records).unwrap_or(u32::MAX),
        problem: row.last_error_message.clone(),
        kind: crate::api::SourceKind::from(row.source_kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_fhir_ids_name_a_patient() {
        assert!(is_fhir_id("example-1.2"));
        assert!(is_fhir_id("a..b"), "dots inside an id are allowed");
        assert!(is_fhir_id(&"x".repeat(64)));
        for bad in ["", ".", "..", "a/b", "a?b", "a#b", "a%2F", "a b", "ñ"] {
            assert!(!is_fhir_id(bad), "{bad:?}");
        }
        assert!(!is_fhir_id(&"x".repeat(65)));
    }

    #[test]
    fn only_scopes_that_read_records_make_a_grant_worth_keeping() {
        let s = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(has_data_scope(&s(&["openid", "patient/*.rs"])));
        assert!(has_data_scope(&s(&["patient/Coverage.read"])));
        assert!(!has_data_scope(&s(&[
            "openid",
            "fhirUser",
            "launch/patient"
        ])));
        assert!(
            !has_data_scope(&s(&["patient/*.write"])),
            "write reads nothing"
        );
        assert!(
            !has_data_scope(&s(&["patient/*.cud"])),
            "v2 write reads nothing"
        );
        assert!(
            !has_data_scope(&s(&["system/*.rs"])),
            "not a member's app scope"
        );
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", "a"));
    }
}
