//! Plans, connections and resources rows: the statements that write them.

use folio_fhir::IndexFields;

use crate::store::now_rfc3339;
use crate::{Store, StoreError};

/// A resource to keep, as the plan sent it.
#[derive(Debug, Clone)]
pub struct NewResource<'a> {
    /// The connection it came through.
    pub connection_id: &'a str,
    /// Its JSON, verbatim.
    pub raw_json: &'a str,
    /// The request that returned it (path and query, no host, no token), for "where from".
    pub source_request: Option<&'a str>,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    /// The resource was new.
    Inserted,
    /// A different copy was there and was replaced.
    Updated,
    /// The same bytes were there already.
    Unchanged,
}

impl Store {
    /// Adds or updates a plan the member can connect to (a shorthand for [`Store::save_plan`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn upsert_plan(
        &self,
        id: &str,
        name: &str,
        fhir_base: &str,
        client_id: &str,
        redirect_style: &str,
        origin: &str,
    ) -> Result<(), StoreError> {
        self.save_plan(&crate::PlanRow {
            id: id.into(),
            name: name.into(),
            fhir_base: fhir_base.into(),
            client_id: client_id.into(),
            redirect_style: redirect_style.into(),
            origin: origin.into(),
            logo: None,
            notes: None,
            is_demo: false,
            client_auth: "none".into(),
            loopback_port: None,
        })
        .await
    }

    /// Records a new connection in state `connecting`.
    pub async fn insert_connection(
        &self,
        id: &str,
        plan_id: &str,
        keychain_account: &str,
    ) -> Result<(), StoreError> {
        let now = now_rfc3339();
        sqlx::query(
            "INSERT INTO connections (id, plan_id, status, keychain_account, created_at, updated_at)
             VALUES (?1, ?2, ?5, ?3, ?4, ?4)",
        )
        .bind(id)
        .bind(plan_id)
        .bind(keychain_account)
        .bind(now)
        .bind(crate::ConnectionStatus::Connecting)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Keeps one resource: inserted when new, replaced when its bytes changed, untouched
    /// otherwise. The JSON is stored verbatim beside its index columns.
    pub async fn upsert_resource(
        &self,
        resource: &NewResource<'_>,
    ) -> Result<UpsertOutcome, StoreError> {
        let fields = IndexFields::from_json_str(resource.raw_json)?;
        let _writer = self.write_lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let existing: Option<(String,)> = sqlx::query_as(
            "SELECT raw_json FROM resources
             WHERE connection_id = ?1 AND resource_type = ?2 AND resource_id = ?3",
        )
        .bind(resource.connection_id)
        .bind(&fields.key.resource_type)
        .bind(&fields.key.id)
        .fetch_optional(&mut *tx)
        .await?;
        let outcome = match existing {
            Some((raw,)) if raw == resource.raw_json => return Ok(UpsertOutcome::Unchanged),
            Some(_) => UpsertOutcome::Updated,
            None => UpsertOutcome::Inserted,
        };
        let row = [crate::sync::WriteRow {
            fields: &fields,
            raw_json: resource.raw_json,
            seen_pass: None,
            source_request: resource.source_request,
            full_url: None,
        }];
        crate::sync::write_resources(&mut tx, resource.connection_id, &row, &now_rfc3339()).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The stored JSON of one resource, byte for byte as it arrived.
    pub async fn resource_json(
        &self,
        connection_id: &str,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT raw_json FROM resources
             WHERE connection_id = ?1 AND resource_type = ?2 AND resource_id = ?3",
        )
        .bind(connection_id)
        .bind(resource_type)
        .bind(resource_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(raw,)| raw))
    }
}
