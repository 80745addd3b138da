//! Prior authorizations: the current ExplanationOfBenefit rows that may be one (folio-core
//! decides with `folio_fhir::is_prior_authorization`; the text match here only narrows the rows
//! it reads).

use crate::claims::{ClaimRow, CLAIM_ROW_SELECT};
use crate::{Store, StoreError};

/// One stored ExplanationOfBenefit that may be a prior authorization: the same row as a claim's.
pub type PriorAuthRow = ClaimRow;

impl Store {
    /// Every current ExplanationOfBenefit whose JSON says `preauthorization` or names the PDex
    /// prior-authorization profile (sensitive ones only when asked).
    pub async fn prior_authorization_rows(
        &self,
        include_sensitive: bool,
    ) -> Result<Vec<PriorAuthRow>, StoreError> {
        let mut sql = format!(
            "{CLAIM_ROW_SELECT}
             WHERE r.resource_type = 'ExplanationOfBenefit' AND r.missing_since IS NULL
               AND (r.raw_json LIKE '%preauthorization%' OR r.raw_json LIKE '%pdex-priorauthorization%')"
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
        self.claim_row(connection_id, resource_id).await
    }
}
