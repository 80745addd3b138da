//! A connection's tokens as one keychain entry (JSON inside a `Sensitive`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use folio_secrets::{SecretStore, Sensitive};
use folio_smart::TokenSet;
use serde::{Deserialize, Serialize};

use crate::CoreError;

#[derive(Serialize, Deserialize)]
struct Stored {
    access_token: String,
    refresh_token: Option<String>,
    /// Unix milliseconds.
    expires_at_ms: Option<u64>,
}

/// Tokens as kept in the keychain.
#[derive(Debug, Clone)]
pub(crate) struct StoredTokens {
    pub access_token: Sensitive<String>,
    pub refresh_token: Option<Sensitive<String>>,
    pub expires_at: Option<SystemTime>,
}

impl From<&TokenSet> for StoredTokens {
    fn from(t: &TokenSet) -> Self {
        Self {
            access_token: t.access_token.clone(),
            refresh_token: t.refresh_token.clone(),
            expires_at: t.expires_at,
        }
    }
}

impl StoredTokens {
    /// Still good for at least half a minute (refreshed ahead of expiry otherwise).
    pub fn fresh(&self) -> bool {
        self.expires_at
            .is_none_or(|at| at > SystemTime::now() + Duration::from_secs(30))
    }

    /// Not yet expired.
    pub fn unexpired(&self) -> bool {
        self.expires_at.is_none_or(|at| at > SystemTime::now())
    }
}

pub(crate) fn save(
    secrets: &dyn SecretStore,
    account: &str,
    tokens: &StoredTokens,
) -> Result<(), CoreError> {
    let stored = Stored {
        access_token: tokens.access_token.expose().clone(),
        refresh_token: tokens.refresh_token.as_ref().map(|t| t.expose().clone()),
        expires_at_ms: tokens
            .expires_at
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
    };
    let json = serde_json::to_string(&stored).map_err(|e| CoreError::Internal(e.to_string()))?;
    secrets.put(account, &Sensitive::new(json))?;
    Ok(())
}

pub(crate) fn load(
    secrets: &dyn SecretStore,
    account: &str,
) -> Result<Option<StoredTokens>, CoreError> {
    let Some(json) = secrets.get(account)? else {
        return Ok(None);
    };
    // A damaged entry is treated as absent: the member reconnects; nothing is printed.
    let Ok(stored) = serde_json::from_str::<Stored>(json.expose()) else {
        return Ok(None);
    };
    Ok(Some(StoredTokens {
        access_token: Sensitive::new(stored.access_token),
        refresh_token: stored.refresh_token.map(Sensitive::new),
        expires_at: stored
            .expires_at_ms
            .map(|ms| UNIX_EPOCH + Duration::from_millis(ms)),
    }))
}

/// When a connection's access ends if nothing can renew it: the expiry of tokens kept without
/// a refresh token (`None` when they can be renewed, never expire, or are missing).
pub(crate) fn unrenewable_end(
    secrets: &dyn SecretStore,
    account: &str,
) -> Result<Option<SystemTime>, CoreError> {
    Ok(load(secrets, account)?
        .filter(|t| t.refresh_token.is_none())
        .and_then(|t| t.expires_at))
}

pub(crate) fn rfc3339(at: Option<SystemTime>) -> Option<String> {
    at.map(|t| {
        time::OffsetDateTime::from(t)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use folio_secrets::MemoryStore;

    #[test]
    fn tokens_round_trip_through_one_entry() {
        let store = MemoryStore::default();
        let t = StoredTokens {
            access_token: Sensitive::new("at".into()),
            refresh_token: Some(Sensitive::new("rt".into())),
            expires_at: Some(UNIX_EPOCH + Duration::from_secs(2_000_000_000)),
        };
        save(&store, "connection/c1", &t).unwrap();
        let back = load(&store, "connection/c1").unwrap().unwrap();
        assert_eq!(back.access_token.expose(), "at");
        assert_eq!(back.refresh_token.as_ref().unwrap().expose(), "rt");
        assert!(back.fresh());
        assert!(load(&store, "connection/none").unwrap().is_none());
        store
            .put("connection/bad", &Sensitive::new("{not json".into()))
            .unwrap();
        assert!(load(&store, "connection/bad").unwrap().is_none());
        assert!(
            !format!("{back:?}").contains("at\""),
            "Debug never shows tokens"
        );
    }
}
