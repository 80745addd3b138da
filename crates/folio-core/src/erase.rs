//! "Remove all my data": every connection disconnected (access revoked at plans that offer it,
//! keychain entries deleted), then every record, source and setting erased from the database.

use crate::api::{RemovedData, SourceKind};
use crate::{CoreError, Folio};

impl Folio {
    /// Removes everything Folio keeps for the member on this computer. A plan that cannot be
    /// reached is not asked to revoke (the member can revoke on the plan's website), but its
    /// tokens are still deleted here.
    pub async fn remove_all_data(&self) -> Result<RemovedData, CoreError> {
        let sources = self.connections().await?;
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
        self.store().await?.erase_member_data().await?;
        Ok(RemovedData {
            sources: u32::try_from(sources.len()).unwrap_or(u32::MAX),
            plan_connections: plans,
            revoked_at_plans: revoked,
        })
    }
}
