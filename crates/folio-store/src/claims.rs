//! Claims: the current ExplanationOfBenefit rows, newest service first (folio-core leaves out
//! prior authorizations with `folio_fhir::is_prior_authorization` and reads the rest with
//! `folio_fhir::ClaimFacts`).

use sqlx::FromRow;

use crate::{Store, StoreError};

/// One stored ExplanationOfBenefit.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ClaimRow {
    /// The connection it came from.
    pub connection_id: String,
    /// Its id at the plan.
    pub resource_id: String,
    /// The plan's name.
    pub plan_name: String,
    /// The JSON, as the plan sent it.
    pub raw_json: String,
}

/// The columns of a [`ClaimRow`], from the stored records joined to their plan's name; callers
/// append the `WHERE` clause (resource table `r`).
pub(crate) const CLAIM_ROW_SELECT: &str =
    "SELECT r.connection_id, r.resource_id, p.name AS plan_name, r.raw_json
     FROM resources r JOIN connections c ON c.id = r.connection_id JOIN plans p ON p.id = c.plan_id";

impl Store {
    /// Every current ExplanationOfBenefit, newest clinical date first (sensitive ones only when
    /// asked); `year` keeps those whose clinical date falls in it.
    pub async fn claim_rows(
        &self,
        include_sensitive: bool,
        year: Option<u32>,
    ) -> Result<Vec<ClaimRow>, StoreError> {
        let mut sql = format!(
            "{CLAIM_ROW_SELECT}
             WHERE r.resource_type = 'ExplanationOfBenefit' AND r.missing_since IS NULL"
        );
        if !include_sensitive {
            sql.push_str(" AND r.sensitive = 0");
        }
        if year.is_some() {
            sql.push_str(" AND substr(r.clinical_date, 1, 4) = ?1");
        }
        sql.push_str(" ORDER BY r.clinical_date DESC, r.rowid DESC");
        let mut q = sqlx::query_as::<_, ClaimRow>(&sql);
        if let Some(y) = year {
            q = q.bind(format!("{y:04}"));
        }
        Ok(q.fetch_all(self.pool()).await?)
    }

    /// The years (of clinical date) in which the store holds claims, newest first.
    pub async fn claim_row_years(
        &self,
        include_sensitive: bool,
    ) -> Result<Vec<String>, StoreError> {
        let sql = format!(
            "SELECT DISTINCT substr(clinical_date, 1, 4) AS y FROM resources
             WHERE resource_type = 'ExplanationOfBenefit' AND missing_since IS NULL
               AND clinical_date IS NOT NULL{}
             ORDER BY y DESC",
            if include_sensitive {
                ""
            } else {
                " AND sensitive = 0"
            }
        );
        let rows: Vec<(String,)> = sqlx::query_as(&sql).fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(|(y,)| y).collect())
    }

    /// One claim's row, if the record is held.
    pub async fn claim_row(
        &self,
        connection_id: &str,
        resource_id: &str,
    ) -> Result<Option<ClaimRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "{CLAIM_ROW_SELECT}
             WHERE r.connection_id = ?1 AND r.resource_type = 'ExplanationOfBenefit' AND r.resource_id = ?2"
        ))
        .bind(connection_id)
        .bind(resource_id)
        .fetch_optional(self.pool())
        .await?)
    }
}
