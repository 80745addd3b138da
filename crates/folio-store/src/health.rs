//! Reading the member's care back for "My health": the newest records of chosen types, bounded,
//! and the clinicians and organizations they name, by id.

use sqlx::FromRow;

use crate::{Store, StoreError};

/// One current record with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct CareRow {
    /// Connection.
    pub connection_id: String,
    /// The plan's name.
    pub plan_name: String,
    /// Type.
    pub resource_type: String,
    /// Id.
    pub resource_id: String,
    /// The JSON, as the plan sent it.
    pub raw_json: String,
    /// Clinical date, as indexed.
    pub clinical_date: Option<String>,
    /// Cross-source link: the same record from two plans shares it.
    pub dedupe_key: Option<String>,
}

impl Store {
    /// The newest `limit` current records of one type, newest first by clinical date (undated
    /// last), sensitive ones only when asked. Reads through the (type, date) index, so a long
    /// history costs no more than `limit` rows.
    ///
    /// With `coding` (`system|code`), only records whose indexed codes hold exactly that coding
    /// (pharmacy claims among claims, say).
    pub async fn newest_of_type(
        &self,
        resource_type: &str,
        coding: Option<&str>,
        include_sensitive: bool,
        limit: u32,
    ) -> Result<Vec<CareRow>, StoreError> {
        let pattern = coding.map(|c| {
            let escaped = c
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("% {escaped} %")
        });
        Ok(sqlx::query_as(
            "SELECT r.connection_id, p.name AS plan_name, r.resource_type, r.resource_id, r.raw_json, r.clinical_date, r.dedupe_key
             FROM resources r INDEXED BY resources_by_type_date
             JOIN connections c ON c.id = r.connection_id JOIN plans p ON p.id = c.plan_id
             WHERE r.resource_type = ?1 AND r.missing_since IS NULL AND (?2 OR r.sensitive = 0)
               AND (?3 IS NULL OR (' ' || r.codes || ' ') LIKE ?3 ESCAPE '\\')
             ORDER BY r.clinical_date DESC LIMIT ?4",
        )
        .bind(resource_type)
        .bind(include_sensitive)
        .bind(pattern)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?)
    }

    /// How many current records of one type there are (sensitive ones only when asked), from
    /// the counts index.
    pub async fn count_of_type(
        &self,
        resource_type: &str,
        include_sensitive: bool,
    ) -> Result<u32, StoreError> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM resources INDEXED BY resources_counts
             WHERE resource_type = ?1 AND missing_since IS NULL AND (?2 OR sensitive = 0)",
        )
        .bind(resource_type)
        .bind(include_sensitive)
        .fetch_one(self.pool())
        .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// The JSON of these records, each `(connection, type, id)`, by primary key; records not
    /// held are left out. Returns `(connection, type, id, JSON)`.
    pub async fn records_by_key(
        &self,
        keys: &[(String, String, String)],
    ) -> Result<Vec<(String, String, String, String)>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(300) {
            let sql = format!(
                "SELECT connection_id, resource_type, resource_id, raw_json FROM resources
                 WHERE (connection_id, resource_type, resource_id) IN ({})",
                vec!["(?, ?, ?)"; chunk.len()].join(",")
            );
            let mut q = sqlx::query_as::<_, (String, String, String, String)>(&sql);
            for (c, t, i) in chunk {
                q = q.bind(c.as_str()).bind(t.as_str()).bind(i.as_str());
            }
            out.extend(q.fetch_all(self.pool()).await?);
        }
        Ok(out)
    }
}
