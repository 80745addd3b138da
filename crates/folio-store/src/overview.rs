//! What the overview shows: every current Coverage with its plan, and how many records of each
//! type are held (or arrived since a moment).

use crate::timeline::{TimelineRow, TIMELINE_TYPES};
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

    /// What arrived since a moment, for the overview's "new since your last visit": current
    /// records of the timeline's types downloaded new or changed after `since`, the newest
    /// (by when they happened) first, at most `limit`; sensitive ones only when asked. A row
    /// that may be a prior authorization carries its JSON, as the timeline's do.
    pub async fn arrived_since(
        &self,
        since: &str,
        include_sensitive: bool,
        limit: u32,
    ) -> Result<Vec<TimelineRow>, StoreError> {
        let sql = format!(
            "SELECT r.rowid AS rowid, r.connection_id, p.name AS plan_name, r.resource_type, r.resource_id,
                    r.clinical_date, r.display, r.sensitive, r.dedupe_key,
                    CASE WHEN r.resource_type = 'ExplanationOfBenefit'
                          AND (r.raw_json LIKE '%preauthorization%' OR r.raw_json LIKE '%pdex-priorauthorization%')
                         THEN r.raw_json END AS maybe_prior_authorization
             FROM resources r JOIN connections c ON c.id = r.connection_id JOIN plans p ON p.id = c.plan_id
             WHERE r.fetched_at > ? AND r.clinical_date IS NOT NULL AND r.missing_since IS NULL
               AND (? OR r.sensitive = 0) AND r.resource_type IN ({})
             ORDER BY r.clinical_date DESC, r.rowid DESC LIMIT ?",
            vec!["?"; TIMELINE_TYPES.len()].join(",")
        );
        let mut q = sqlx::query_as::<_, TimelineRow>(&sql)
            .bind(since)
            .bind(include_sensitive);
        for t in TIMELINE_TYPES {
            q = q.bind(*t);
        }
        Ok(q.bind(i64::from(limit)).fetch_all(self.pool()).await?)
    }
}
