//! What the overview shows: every current Coverage with its plan, and how many records of each
//! type are held (or arrived since a moment).

use crate::{Store, StoreError};

impl Store {
    /// Every current Coverage: `(plan name, connection, JSON)`.
    pub async fn coverages(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT p.name, r.connection_id, r.raw_json FROM resources r
             JOIN connections c ON c.id = r.connection_id JOIN plans p ON p.id = c.plan_id
             WHERE r.resource_type = 'Coverage' AND r.missing_since IS NULL
             ORDER BY p.name, r.resource_id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Current records per type (sensitive ones only when asked); with `since`, only those
    /// downloaded new or changed after it.
    pub async fn counts_by_type(
        &self,
        include_sensitive: bool,
        since: Option<&str>,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT resource_type, count(*) FROM resources
             WHERE missing_since IS NULL AND (?1 OR sensitive = 0) AND (?2 IS NULL OR fetched_at > ?2)
             GROUP BY resource_type ORDER BY count(*) DESC",
        )
        .bind(include_sensitive)
        .bind(since)
        .fetch_all(self.pool())
        .await?)
    }
}
