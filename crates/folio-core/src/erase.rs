//! "Remove all my data": every connection disconnected (access revoked at plans that offer it,
//! keychain entries deleted), Folio's own registrations at plans deleted there (RFC 7592),
//! every record, source and setting erased from the database, then the database files and the
//! key that encrypted them deleted.

use crate::api::{RemovedData, SourceKind};
use crate::{CoreError, Folio};

impl Folio {
    /// Removes everything Folio keeps for the member on this computer. A plan that cannot be
    /// reached is not asked to revoke (the member can revoke on the plan's website), but its
    /// tokens are still deleted here. When the database cannot be opened at all (its key is
    /// lost), its files and key record are deleted all the same.
    pub async fn remove_all_data(&self) -> Result<RemovedData, CoreError> {
        let sources = match self.connections().await {
            Ok(s) => s,
            Err(
                CoreError::KeyMissing
                | CoreError::KeyRecordMissing(_)
                | CoreError::KeyRecord(_)
                | CoreError::PassphraseNeeded,
            ) => {
                // Unreadable without its key: nothing to revoke that Folio can name.
                self.destroy_store().await?;
                return Ok(RemovedData {
                    sources: 0,
                    plan_connections: 0,
                    revoked_at_plans: 0,
                    registrations_deleted: 0,
                    registrations_not_deleted: 0,
                });
            }
            Err(e) => return Err(e),
        };
        let mut revoked = 0;
        let mut plans = 0;
        for c in &sources {
            if c.kind == SourceKind::Plan {
                plans += 1;
            }
            let outcome = self.disconnect(&c.id, true).await?;
            if outcome.revoked_at_plan {
                revoked += 1;
            }
        }
        // Registrations Folio made at plans (RFC 7591) are deleted there (RFC 7592); a plan
        // that cannot be reached or refuses does not stop the removal, and is counted.
        let mut registrations_deleted = 0;
        let mut registrations_not_deleted = 0;
        for plan in self.store().await?.plans().await? {
            match self.unregister_at_plan(&plan.id).await {
                Ok(true) => registrations_deleted += 1,
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(plan = %plan.id, error = %e, "the plan did not delete Folio's registration");
                    registrations_not_deleted += 1;
                }
            }
            // The client secrets, keys and registration tokens of plans the member registered
            // Folio at.
            crate::credentials::forget(self.secrets.as_ref(), &plan.id)?;
        }
        // Zeroed and rebuilt first, so not even the encrypted pages outlive the removal, then
        // the files and their key are deleted.
        self.store().await?.erase_member_data().await?;
        self.destroy_store().await?;
        Ok(RemovedData {
            sources: u32::try_from(sources.len()).unwrap_or(u32::MAX),
            plan_connections: plans,
            revoked_at_plans: revoked,
            registrations_deleted,
            registrations_not_deleted,
        })
    }

    /// Deletes the registration Folio made at `plan_id` (RFC 7592 `DELETE` at its
    /// `registration_client_uri`, with the registration access token kept in the keychain).
    /// `Ok(false)` when Folio holds no registration it can manage there.
    async fn unregister_at_plan(&self, plan_id: &str) -> Result<bool, CoreError> {
        let Some((uri, token)) =
            crate::credentials::kept_registration(self.secrets.as_ref(), plan_id)?
        else {
            return Ok(false);
        };
        folio_smart::unregister(&self.http, &uri, &token).await?;
        tracing::info!(plan = %plan_id, "Folio's registration deleted at the plan");
        Ok(true)
    }
}
