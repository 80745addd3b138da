//! "Remove all my data": every connection disconnected (access revoked at plans that offer it,
//! keychain entries deleted), every record, source and setting erased from the database, then
//! the database files and the key that encrypted them deleted.

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
        // The client secrets (and keys) of plans the member registered Folio at.
        for plan in self.store().await?.plans().await? {
            if plan.client_auth != "none" {
                crate::credentials::forget(self.secrets.as_ref(), &plan.id)?;
            }
        }
        // Zeroed and rebuilt first, so not even the encrypted pages outlive the removal, then
        // the files and their key are deleted.
        self.store().await?.erase_member_data().await?;
        self.destroy_store().await?;
        Ok(RemovedData {
            sources: u32::try_from(sources.len()).unwrap_or(u32::MAX),
            plan_connections: plans,
            revoked_at_plans: revoked,
        })
    }
}
