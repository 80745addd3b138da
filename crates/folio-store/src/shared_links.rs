//! The SMART Health Links the member made (migration 0016). No key is stored here.

use sqlx::FromRow;

use crate::{Store, StoreError};

/// One link the member made.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SharedLinkRow {
    /// Folio's id of the link (also names its key's keychain entry).
    pub id: String,
    /// The label it carries.
    pub label: Option<String>,
    /// What it holds: `ips`, `bundle` or `pdf`.
    pub what: String,
    /// Where the encrypted file is to be served.
    pub file_url: String,
    /// Where Folio wrote the encrypted file.
    pub file_path: String,
    /// When it expires (seconds since 1970).
    pub expires_at: Option<i64>,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// Resources it holds.
    pub resources: i64,
    /// Bytes of the encrypted file.
    pub bytes: i64,
}

impl Store {
    /// Remembers a link made.
    pub async fn add_shared_link(&self, row: &SharedLinkRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO shared_links (id, label, what, file_url, file_path, expires_at, created_at, resources, bytes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .bind(&row.id)
        .bind(&row.label)
        .bind(&row.what)
        .bind(&row.file_url)
        .bind(&row.file_path)
        .bind(row.expires_at)
        .bind(&row.created_at)
        .bind(row.resources)
        .bind(row.bytes)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every link made, newest first.
    pub async fn shared_links(&self) -> Result<Vec<SharedLinkRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, label, what, file_url, file_path, expires_at, created_at, resources, bytes
             FROM shared_links ORDER BY created_at DESC, id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// One link, by id.
    pub async fn shared_link(&self, id: &str) -> Result<Option<SharedLinkRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, label, what, file_url, file_path, expires_at, created_at, resources, bytes
             FROM shared_links WHERE id = ?1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Forgets a link; `false` when there was none.
    pub async fn remove_shared_link(&self, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM shared_links WHERE id = ?1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
