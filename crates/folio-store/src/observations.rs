//! Reading Observations back for the labs and vitals view: a light list of every current one
//! (no JSON), the JSON of chosen rows, and every row of one test.

use sqlx::FromRow;

use crate::{Store, StoreError};

/// An Observation without its JSON: enough to group results by test.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ObservationHead {
    /// Row, for fetching its JSON.
    pub rowid: i64,
    /// Codes as `system|code`, space separated.
    pub codes: String,
    /// When it was measured.
    pub clinical_date: Option<String>,
    /// Cross-source link.
    pub dedupe_key: Option<String>,
}

/// One stored Observation with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ObservationRow {
    /// Row.
    pub rowid: i64,
    /// Connection.
    pub connection_id: String,
    /// The plan's name.
    pub plan_name: String,
    /// Id.
    pub resource_id: String,
    /// The JSON, as the plan sent it.
    pub raw_json: String,
    /// Cross-source link.
    pub dedupe_key: Option<String>,
}

const ROW_COLUMNS: &str =
    "r.rowid, r.connection_id, p.name AS plan_name, r.resource_id, r.raw_json, r.dedupe_key";
const JOIN_PLAN: &str =
    "JOIN connections c ON c.id = r.connection_id JOIN plans p ON p.id = c.plan_id";

impl Store {
    /// Every current Observation, without JSON (sensitive ones only when asked).
    pub async fn observation_heads(
        &self,
        include_sensitive: bool,
    ) -> Result<Vec<ObservationHead>, StoreError> {
        Ok(sqlx::query_as(
            // The partial index holds every column asked for: no row's JSON is read.
            "SELECT rowid, codes, clinical_date, dedupe_key FROM resources INDEXED BY resources_observations
             WHERE resource_type = 'Observation' AND missing_since IS NULL AND (?1 OR sensitive = 0)",
        )
        .bind(include_sensitive)
        .fetch_all(self.pool())
        .await?)
    }

    /// The Observations at these rows.
    pub async fn observations_at(&self, rowids: &[i64]) -> Result<Vec<ObservationRow>, StoreError> {
        let mut out = Vec::with_capacity(rowids.len());
        for chunk in rowids.chunks(500) {
            let sql = format!(
                "SELECT {ROW_COLUMNS} FROM resources r {JOIN_PLAN} WHERE r.rowid IN ({}) AND +r.resource_type = 'Observation'",
                vec!["?"; chunk.len()].join(",")
            );
            let mut q = sqlx::query_as::<_, ObservationRow>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            out.extend(q.fetch_all(self.pool()).await?);
        }
        Ok(out)
    }

    /// Every current Observation coded `system|code` (exactly that coding), oldest first.
    pub async fn observations_coded(
        &self,
        coding: &str,
        include_sensitive: bool,
    ) -> Result<Vec<ObservationRow>, StoreError> {
        let escaped = coding
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        // The codes are matched in the Observation index; only matching rows are read.
        Ok(sqlx::query_as(&format!(
            "SELECT {ROW_COLUMNS} FROM resources r INDEXED BY resources_observations {JOIN_PLAN}
             WHERE r.resource_type = 'Observation' AND r.missing_since IS NULL
               AND (?2 OR r.sensitive = 0) AND (' ' || r.codes || ' ') LIKE ?1 ESCAPE '\\'
             ORDER BY r.clinical_date, r.rowid"
        ))
        .bind(format!("% {escaped} %"))
        .bind(include_sensitive)
        .fetch_all(self.pool())
        .await?)
    }
}
