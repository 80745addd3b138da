//! Plans and connections: the rows behind the connections screen. No secret is ever written
//! here; `keychain_account` only names the keychain entry.

use sqlx::FromRow;

use crate::store::now_rfc3339;
use crate::{ConnectionStatus, SourceKind, Store, StoreError};

/// A plan row.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PlanRow {
    /// Stable id (also the redirect path segment).
    pub id: String,
    /// Display name.
    pub name: String,
    /// FHIR base URL.
    pub fhir_base: String,
    /// Registered client id.
    pub client_id: String,
    /// `loopback` or `custom-scheme`.
    pub redirect_style: String,
    /// `catalog` or `member`.
    pub origin: String,
    /// Logo file name in the catalog, if any.
    pub logo: Option<String>,
    /// Notes for the member.
    pub notes: Option<String>,
    /// Whether this is the built-in demo plan.
    pub is_demo: bool,
    /// How Folio authenticates to the plan's token service: `none`, `client_secret_basic`,
    /// `client_secret_post` or `private_key_jwt` (the secret or key is in the keychain).
    pub client_auth: String,
    /// A fixed loopback redirect port, when the plan's portal insists on one exact URI.
    pub loopback_port: Option<i64>,
}

/// A connection row.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ConnectionRow {
    /// Id.
    pub id: String,
    /// Its plan.
    pub plan_id: String,
    /// The patient the plan put in context.
    pub patient_id: Option<String>,
    /// Where it stands.
    pub status: ConnectionStatus,
    /// Space-separated granted scopes.
    pub granted_scopes: String,
    /// Space-separated requested scopes.
    pub requested_scopes: String,
    /// When the access token expires (RFC 3339).
    pub token_expires_at: Option<String>,
    /// The keychain entry's account name.
    pub keychain_account: String,
    /// Created.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// Last finished sync.
    pub last_synced_at: Option<String>,
    /// Last failure's code.
    pub last_error_code: Option<String>,
    /// Last failure's message (no PHI, no tokens).
    pub last_error_message: Option<String>,
    /// The redirect URI the grant was issued for.
    pub redirect_uri: Option<String>,
    /// A connection to a plan, or an imported file.
    pub source_kind: SourceKind,
    /// The FHIR base (`aud`) the sign-in was bound to (`None` before migration 0008).
    pub bound_fhir_base: Option<String>,
    /// The authorization endpoint the sign-in used.
    pub authorization_endpoint: Option<String>,
    /// The token endpoint the grant was issued by: every refresh goes there.
    pub token_endpoint: Option<String>,
    /// The plan's revocation endpoint at sign-in, when it offered one.
    pub revocation_endpoint: Option<String>,
}

/// The endpoints a sign-in was bound to, kept with its connection so that refresh and
/// revocation never depend on a later discovery.
#[derive(Debug, Clone, Copy)]
pub struct BoundEndpoints<'a> {
    /// The FHIR base (the `aud` of the authorization request).
    pub fhir_base: &'a str,
    /// Where the member signed in.
    pub authorization_endpoint: &'a str,
    /// Where the code was redeemed.
    pub token_endpoint: &'a str,
    /// RFC 7009 revocation, when offered.
    pub revocation_endpoint: Option<&'a str>,
}

/// A new or refreshed connection after a successful sign-in.
#[derive(Debug, Clone)]
pub struct ConnectedGrant<'a> {
    /// Connection id.
    pub id: &'a str,
    /// Plan id.
    pub plan_id: &'a str,
    /// Patient in context.
    pub patient_id: &'a str,
    /// Granted scopes.
    pub granted_scopes: &'a str,
    /// Requested scopes.
    pub requested_scopes: &'a str,
    /// Access token expiry.
    pub token_expires_at: Option<&'a str>,
    /// Keychain account.
    pub keychain_account: &'a str,
    /// Redirect URI.
    pub redirect_uri: &'a str,
    /// The endpoints the sign-in was bound to.
    pub endpoints: BoundEndpoints<'a>,
}

const PLAN_COLUMNS: &str =
    "id, name, fhir_base, client_id, redirect_style, origin, logo, notes, is_demo, \
    client_auth, loopback_port";
const CONNECTION_COLUMNS: &str = "id, plan_id, patient_id, status, granted_scopes, requested_scopes, token_expires_at, \
    keychain_account, created_at, updated_at, last_synced_at, last_error_code, last_error_message, redirect_uri, source_kind, \
    bound_fhir_base, authorization_endpoint, token_endpoint, revocation_endpoint";

impl Store {
    /// Adds or updates a plan (catalog entries are refreshed on every start).
    pub async fn save_plan(&self, plan: &PlanRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO plans (id, name, fhir_base, client_id, redirect_style, origin, logo, notes, is_demo, created_at,
                 client_auth, loopback_port)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, fhir_base = excluded.fhir_base,
                 client_id = excluded.client_id, redirect_style = excluded.redirect_style,
                 logo = excluded.logo, notes = excluded.notes, is_demo = excluded.is_demo,
                 client_auth = excluded.client_auth, loopback_port = excluded.loopback_port",
        )
        .bind(&plan.id)
        .bind(&plan.name)
        .bind(&plan.fhir_base)
        .bind(&plan.client_id)
        .bind(&plan.redirect_style)
        .bind(&plan.origin)
        .bind(&plan.logo)
        .bind(&plan.notes)
        .bind(plan.is_demo)
        .bind(now_rfc3339())
        .bind(&plan.client_auth)
        .bind(plan.loopback_port)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every plan, demo first, then by name.
    pub async fn plans(&self) -> Result<Vec<PlanRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PLAN_COLUMNS} FROM plans WHERE fhir_base != 'urn:folio:file' ORDER BY is_demo DESC, name COLLATE NOCASE"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    /// One plan.
    pub async fn plan(&self, id: &str) -> Result<Option<PlanRow>, StoreError> {
        Ok(
            sqlx::query_as(&format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = ?1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Every connection (disconnected ones too: their records are kept), oldest first.
    pub async fn connections(&self) -> Result<Vec<ConnectionRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections ORDER BY created_at, id"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    /// One connection.
    pub async fn connection(&self, id: &str) -> Result<Option<ConnectionRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections WHERE id = ?1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The connection to `plan_id` for `patient_id`, whatever its status.
    pub async fn connection_for(
        &self,
        plan_id: &str,
        patient_id: &str,
    ) -> Result<Option<ConnectionRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections WHERE plan_id = ?1 AND patient_id = ?2"
        ))
        .bind(plan_id)
        .bind(patient_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Records a successful sign-in: a new connection, or the same plan and patient connected
    /// again (its data is kept).
    pub async fn save_connected(&self, grant: &ConnectedGrant<'_>) -> Result<(), StoreError> {
        let now = now_rfc3339();
        sqlx::query(
            "INSERT INTO connections (id, plan_id, patient_id, status, granted_scopes, requested_scopes,
                 token_expires_at, keychain_account, redirect_uri, created_at, updated_at,
                 bound_fhir_base, authorization_endpoint, token_endpoint, revocation_endpoint)
             VALUES (?1, ?2, ?3, ?14, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, granted_scopes = excluded.granted_scopes,
                 requested_scopes = excluded.requested_scopes, token_expires_at = excluded.token_expires_at,
                 keychain_account = excluded.keychain_account, redirect_uri = excluded.redirect_uri,
                 bound_fhir_base = excluded.bound_fhir_base,
                 authorization_endpoint = excluded.authorization_endpoint,
                 token_endpoint = excluded.token_endpoint,
                 revocation_endpoint = excluded.revocation_endpoint,
                 last_error_code = NULL, last_error_message = NULL, updated_at = excluded.updated_at",
        )
        .bind(grant.id)
        .bind(grant.plan_id)
        .bind(grant.patient_id)
        .bind(grant.granted_scopes)
        .bind(grant.requested_scopes)
        .bind(grant.token_expires_at)
        .bind(grant.keychain_account)
        .bind(grant.redirect_uri)
        .bind(now)
        .bind(grant.endpoints.fhir_base)
        .bind(grant.endpoints.authorization_endpoint)
        .bind(grant.endpoints.token_endpoint)
        .bind(grant.endpoints.revocation_endpoint)
        .bind(ConnectionStatus::Connected)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records a refreshed access token's expiry and the scopes now granted.
    pub async fn save_token_refresh(
        &self,
        id: &str,
        expires_at: Option<&str>,
        granted: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE connections SET token_expires_at = ?2, granted_scopes = ?3, updated_at = ?4 WHERE id = ?1")
            .bind(id)
            .bind(expires_at)
            .bind(granted)
            .bind(now_rfc3339())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Changes a connection's status, recording (or clearing) the reason.
    pub async fn set_connection_status(
        &self,
        id: &str,
        status: ConnectionStatus,
        error: Option<(&str, &str)>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE connections SET status = ?2, last_error_code = ?3, last_error_message = ?4, updated_at = ?5 WHERE id = ?1",
        )
        .bind(id)
        .bind(status)
        .bind(error.map(|e| e.0))
        .bind(error.map(|e| e.1))
        .bind(now_rfc3339())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Deletes a connection and, through the foreign keys, everything cached from it.
    pub async fn delete_connection(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query("DELETE FROM connections WHERE id = ?1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // An imported file's plan row exists only for its source.
        sqlx::query(
            "DELETE FROM plans WHERE id = ?1 AND fhir_base = 'urn:folio:file'
               AND NOT EXISTS (SELECT 1 FROM connections WHERE plan_id = ?1)",
        )
        .bind(format!("file-{id}"))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many resources a connection has cached.
    pub async fn resource_count(&self, connection_id: &str) -> Result<i64, StoreError> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM resources WHERE connection_id = ?1")
                .bind(connection_id)
                .fetch_one(self.pool())
                .await?;
        Ok(n)
    }
}

/// Records an imported file as a source, inside the import's transaction: a plan row naming the
/// file and a connection row of kind `file` (no keychain entry: `keychain_account` is only a
/// unique placeholder).
pub(crate) async fn insert_file_source(
    tx: &mut sqlx::SqliteConnection,
    connection_id: &str,
    name: &str,
    patient_id: Option<&str>,
    now: &str,
) -> Result<(), StoreError> {
    let plan_id = format!("file-{connection_id}");
    sqlx::query(
        "INSERT INTO plans (id, name, fhir_base, client_id, redirect_style, origin, created_at)
         VALUES (?1, ?2, 'urn:folio:file', '', 'loopback', 'member', ?3)",
    )
    .bind(&plan_id)
    .bind(name)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO connections (id, plan_id, patient_id, status, keychain_account, created_at, updated_at,
             last_synced_at, source_kind)
         VALUES (?1, ?2, ?3, ?6, ?4, ?5, ?5, ?5, ?7)",
    )
    .bind(connection_id)
    .bind(&plan_id)
    .bind(patient_id)
    .bind(format!("file:{connection_id}"))
    .bind(now)
    .bind(ConnectionStatus::Connected)
    .bind(SourceKind::File)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
