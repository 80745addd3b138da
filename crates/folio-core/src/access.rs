//! Plans whose access lasts minutes, or that give no refresh token (issue 15 §2): what a token
//! answer said of the access (kept per connection, shown on the connections screen), and a
//! connection whose access ended mid-sync, which asks the member to connect again to finish.

use folio_smart::TokenSet;
use folio_store::{AccessTerms, ConnectionRow};

use crate::api::{ConnectionAccess, ConnectionStatus, FolioEvent, SyncFailureCode};
use crate::{CoreError, Folio};

/// What a token answer said of the access it gave.
pub(crate) fn terms_of(tokens: &TokenSet) -> AccessTerms {
    AccessTerms {
        lifetime_secs: tokens.expires_in.map(|d| d.as_secs()),
        renewable: tokens.refresh_token.is_some(),
    }
}

/// The access terms as the connections screen receives them.
pub(crate) fn summary(terms: AccessTerms) -> ConnectionAccess {
    ConnectionAccess {
        lasts_seconds: terms
            .lifetime_secs
            .map(|s| u32::try_from(s).unwrap_or(u32::MAX)),
        renewable: terms.renewable,
    }
}

/// Whether the connection needs the member to sign in again because its access ended and the
/// plan does not renew it (rather than the plan refusing the authorization): its stored
/// reason's code is [`SyncFailureCode::ReconnectToFinish`].
pub(crate) fn ended(row: &ConnectionRow) -> bool {
    row.status == folio_store::ConnectionStatus::ReconnectNeeded
        && row
            .last_error_code
            .as_deref()
            .and_then(SyncFailureCode::from_stored)
            == Some(SyncFailureCode::ReconnectToFinish)
}

/// The status the connections screen shows for `row`.
pub(crate) fn status(row: &ConnectionRow) -> ConnectionStatus {
    if ended(row) {
        ConnectionStatus::ReconnectToFinish
    } else if row.status == folio_store::ConnectionStatus::ReconnectNeeded
        && row.last_error_code.as_deref() == Some(folio_store::RESTORED_FROM_BACKUP)
    {
        ConnectionStatus::ReconnectAfterRestore
    } else {
        ConnectionStatus::from(row.status)
    }
}

impl Folio {
    /// Records a connection's access terms after a sign-in or a refresh.
    pub(crate) async fn keep_access_terms(
        &self,
        connection_id: &str,
        tokens: &TokenSet,
    ) -> Result<(), CoreError> {
        self.store()
            .await?
            .save_access_terms(connection_id, terms_of(tokens))
            .await?;
        Ok(())
    }

    /// The connection's access ended and cannot be renewed: it waits for the member to sign in
    /// again ("reconnect to finish"), its records kept; the error says so.
    pub(crate) async fn end_access(&self, row: &ConnectionRow) -> CoreError {
        tracing::warn!(connection = %row.id, "access ended and cannot be renewed; reconnect to finish");
        let marked = async {
            self.store()
                .await?
                .set_connection_status(
                    &row.id,
                    folio_store::ConnectionStatus::ReconnectNeeded,
                    Some((
                        SyncFailureCode::ReconnectToFinish.as_str(),
                        "Access to this plan ended and the plan does not renew it. What arrived is kept: connect again to finish downloading.",
                    )),
                )
                .await?;
            Ok::<(), CoreError>(())
        };
        if let Err(e) = marked.await {
            return e;
        }
        self.emit(FolioEvent::ConnectionChanged {
            connection_id: row.id.clone(),
        });
        CoreError::AccessEnded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_token_answer_says_how_long_access_lasts_and_whether_it_renews() {
        let tokens = TokenSet {
            access_token: folio_secrets::Sensitive::new("at".into()),
            refresh_token: None,
            expires_at: None,
            expires_in: Some(Duration::from_secs(600)),
            scopes: Vec::new(),
            patient: None,
        };
        let terms = terms_of(&tokens);
        assert_eq!(
            terms,
            AccessTerms {
                lifetime_secs: Some(600),
                renewable: false
            }
        );
        assert_eq!(
            summary(terms),
            ConnectionAccess {
                lasts_seconds: Some(600),
                renewable: false
            }
        );
    }
}
