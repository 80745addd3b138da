//! What a plan's FHIR server takes beyond one type's search (migration 0013): the `patient`
//! form that finds the member's records, `Provenance?target=…`, and the declared operations.

use sqlx::FromRow;

use crate::store::now_rfc3339;
use crate::{Store, StoreError};

/// What is known of a plan's searches as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromRow)]
pub struct PlanSearchSupport {
    /// `Some(true)`: `patient` matches only as `Patient/<id>`; `Some(false)`: the bare id finds
    /// records; `None`: not learned.
    pub patient_reference: Option<bool>,
    /// The CapabilityStatement declares Provenance's `target` search; `None`: not read.
    pub provenance_target_declared: Option<bool>,
    /// `Provenance?target=…` worked (`true`) or was refused (`false`); `None`: not tried.
    pub provenance_target: Option<bool>,
    /// When `provenance_target` was learned (RFC 3339).
    pub provenance_target_at: Option<String>,
    /// Declared operations (`Patient/$everything`), space separated; `None`: no statement read.
    pub operations: Option<String>,
    /// When the CapabilityStatement was last read (RFC 3339).
    pub capabilities_at: Option<String>,
}

impl Store {
    /// What is known of `plan_id`'s searches as a whole.
    pub async fn plan_search_support(
        &self,
        plan_id: &str,
    ) -> Result<Option<PlanSearchSupport>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT patient_reference, provenance_target_declared, provenance_target, provenance_target_at,
                 operations, capabilities_at
             FROM plan_search_support WHERE plan_id = ?1",
        )
        .bind(plan_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Records how the plan's `patient` parameter finds the member's records.
    pub async fn set_patient_reference(
        &self,
        plan_id: &str,
        reference_only: bool,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO plan_search_support (plan_id, patient_reference) VALUES (?1, ?2)
             ON CONFLICT (plan_id) DO UPDATE SET patient_reference = excluded.patient_reference",
        )
        .bind(plan_id)
        .bind(reference_only)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records what the plan's CapabilityStatement declares (a plan that gave none declares
    /// nothing: `false` and no operations).
    pub async fn set_plan_capabilities(
        &self,
        plan_id: &str,
        provenance_target_declared: bool,
        operations: &[String],
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO plan_search_support (plan_id, provenance_target_declared, operations, capabilities_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (plan_id) DO UPDATE SET provenance_target_declared = excluded.provenance_target_declared,
                 operations = excluded.operations, capabilities_at = excluded.capabilities_at",
        )
        .bind(plan_id)
        .bind(provenance_target_declared)
        .bind(operations.join(" "))
        .bind(now_rfc3339())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records whether `Provenance?target=…` works at the plan, stamped now.
    pub async fn set_provenance_target(
        &self,
        plan_id: &str,
        works: bool,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO plan_search_support (plan_id, provenance_target, provenance_target_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (plan_id) DO UPDATE SET provenance_target = excluded.provenance_target,
                 provenance_target_at = excluded.provenance_target_at",
        )
        .bind(plan_id)
        .bind(works)
        .bind(now_rfc3339())
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
