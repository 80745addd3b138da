//! How long a connection's access lasts and whether Folio can renew it (migration 0014): what
//! the plan's token answer said at the last sign-in or refresh. Nothing secret: the tokens are
//! in the OS keychain.

use crate::store::now_rfc3339;
use crate::{Store, StoreError};

/// What a plan's token answer said about the access it gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessTerms {
    /// Seconds an access token lasts (`expires_in`); `None` when the plan did not say.
    pub lifetime_secs: Option<u64>,
    /// A refresh token was given: Folio renews access without the member.
    pub renewable: bool,
}

impl Store {
    /// Records what the plan said about a connection's access (at sign-in and each refresh).
    pub async fn save_access_terms(
        &self,
        connection_id: &str,
        terms: AccessTerms,
    ) -> Result<(), StoreError> {
        let lifetime = terms
            .lifetime_secs
            .map(|s| i64::try_from(s).unwrap_or(i64::MAX));
        sqlx::query(
            "UPDATE connections SET access_lifetime_secs = ?2, access_renewable = ?3, updated_at = ?4
             WHERE id = ?1",
        )
        .bind(connection_id)
        .bind(lifetime)
        .bind(terms.renewable)
        .bind(now_rfc3339())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// What is known of a connection's access; `None` for a connection made before Folio kept
    /// it (or one that does not exist).
    pub async fn access_terms(
        &self,
        connection_id: &str,
    ) -> Result<Option<AccessTerms>, StoreError> {
        let row: Option<(Option<i64>, Option<bool>)> = sqlx::query_as(
            "SELECT access_lifetime_secs, access_renewable FROM connections WHERE id = ?1",
        )
        .bind(connection_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.and_then(|(lifetime, renewable)| {
            Some(AccessTerms {
                lifetime_secs: lifetime.and_then(|s| u64::try_from(s).ok()),
                renewable: renewable?,
            })
        }))
    }
}
