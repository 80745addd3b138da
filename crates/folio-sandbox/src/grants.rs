//! What the authorization server remembers, in memory: sign-ins in progress, codes, grants,
//! and the access and refresh tokens issued for them. Held in the sandbox's shared state
//! ([`crate::state::AppState`]); the routes in `auth.rs` and `fhir.rs` read and change it.

use std::collections::HashMap;
use std::time::Instant;

pub(crate) struct Pending {
    pub(crate) client_id: String,
    pub(crate) app_name: String,
    pub(crate) redirect_uri: String,
    pub(crate) state: String,
    pub(crate) challenge: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) member: Option<usize>,
    pub(crate) created: Instant,
}

pub(crate) struct Code {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) challenge: String,
    pub(crate) member: usize,
    pub(crate) scopes: Vec<String>,
    pub(crate) share_sensitive: bool,
    pub(crate) created: Instant,
    pub(crate) issued_grant: Option<String>,
}

/// What a member allowed an app to see.
#[derive(Debug, Clone)]
pub struct Grant {
    /// Index of the member.
    pub member: usize,
    /// The app.
    pub client_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Whether the member chose to share sensitive records (PDex).
    pub share_sensitive: bool,
    pub(crate) revoked: bool,
}

pub(crate) struct Access {
    pub(crate) grant: String,
    pub(crate) expires: Instant,
    pub(crate) requests: u32,
}

pub(crate) struct Refresh {
    pub(crate) grant: String,
    pub(crate) used: bool,
}

/// All authorization state, in memory.
#[derive(Default)]
pub struct AuthStore {
    pub(crate) pending: HashMap<String, Pending>,
    pub(crate) codes: HashMap<String, Code>,
    pub(crate) grants: HashMap<String, Grant>,
    pub(crate) access: HashMap<String, Access>,
    pub(crate) refresh: HashMap<String, Refresh>,
}

/// Why a bearer token was refused.
pub enum TokenRejection {
    /// Unknown, expired, revoked or used up.
    Invalid,
}

impl AuthStore {
    /// The grant behind an access token, counting one FHIR request against it.
    pub fn use_access_token(
        &mut self,
        token: &str,
        max_requests: Option<u32>,
    ) -> Result<Grant, TokenRejection> {
        let access = self.access.get_mut(token).ok_or(TokenRejection::Invalid)?;
        if access.expires <= Instant::now() {
            return Err(TokenRejection::Invalid);
        }
        access.requests += 1;
        if max_requests.is_some_and(|max| access.requests > max) {
            return Err(TokenRejection::Invalid);
        }
        let grant = self
            .grants
            .get(&access.grant)
            .ok_or(TokenRejection::Invalid)?;
        if grant.revoked {
            return Err(TokenRejection::Invalid);
        }
        Ok(grant.clone())
    }

    pub(crate) fn revoke_grant(&mut self, grant_id: &str) {
        if let Some(g) = self.grants.get_mut(grant_id) {
            g.revoked = true;
        }
        self.access.retain(|_, a| a.grant != grant_id);
        self.refresh.retain(|_, r| r.grant != grant_id);
    }
}
