//! Prior authorizations: the current ExplanationOfBenefit rows that may be one (folio-core
//! decides with `folio_fhir::is_prior_authorization`; the text match here only narrows the rows
//! it reads).

use sqlx::FromRow;

use crate::{Store, StoreError};

/// One stored ExplanationOfBenefit that may be a prior authorization.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PriorAuthRow {
    /// The connection it came from.
    pub connection_id: String,
    /// Its id at the plan.
    pub resource_id: String,
    /// The plan's name.
    pub plan_name: String,
    /// The JSON, as the plan sent it.
    pub raw_json: String,
}

impl Store {
    /// Every current ExplanationOfBenefit whose JSON says `preauthorization` or names the PDex
    /// prior-authorization profile (sensitive ones only when asked).
    pub async fn prior_authorization_rows(
        &self,
        include_sensitive: bool,
    ) -> Result<Vec<PriorAuthRow>, StoreError> {
        let mut sql = String::from(
            "SELECT r.connection_id, r.resource_id, p.name AS plan_name, r.raw_json
             FROM resources r JOIN connections c ON c.id = r.connection_id JOIN plans p ON p.id = c.plan_id
             WHERE r.resource_type = 'ExplanationOfBenefit' AND r.missing_since IS NULL
               AND (r.raw_json LIKE '%preauthorization%' OR r.raw_json LIKE '%pdex-priorauthorization%')",
        );
        if !include_sensitive {
            sql.push_str(" AND r.sensitive = 0");
        }
        Ok(sqlx::query_as(&sql).fetch_all(self.pool()).await?)
    }

    /// One prior authorization's row, if the record is held and current.
    pub async fn prior_authorization_row(
        &self,
        connection_id: &str,
        resource_id: &str,
    ) -> Result<Option<PriorAuthRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT r.connection_id, r.resource_id, p.name AS plan_name, r.raw_json
             FROM resources r JOIN connections c ON c.id = r.connection_id JOIN plans p ON p.id = c.plan_id
             WHERE r.connection_id = ?1 AND r.resource_type = 'ExplanationOfBenefit' AND r.resource_id = ?2",
        )
        .bind(connection_id)
        .bind(resource_id)
        .fetch_optional(self.pool())
        .await?)
    }
}
