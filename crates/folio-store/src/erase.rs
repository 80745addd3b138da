//! Removing everything a member keeps in the database: records, sources, sync history and
//! settings, with freed pages overwritten and the file and its log shrunk, so that the
//! database no longer holds a byte of them.

use crate::{Store, StoreError};

impl Store {
    /// Deletes every record, connection, member-added plan, sync run and setting. Catalog plans
    /// stay (they are Folio's, not the member's). Freed pages are zeroed (`secure_delete`), the
    /// file is rebuilt (`VACUUM`) and the write-ahead log truncated.
    pub async fn erase_member_data(&self) -> Result<(), StoreError> {
        let _writer = self.write_lock().await;
        let mut conn = self.pool().acquire().await?;
        sqlx::query("PRAGMA secure_delete = ON")
            .execute(&mut *conn)
            .await?;
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        for sql in [
            "DELETE FROM resources",
            "DELETE FROM sync_state",
            "DELETE FROM sync_runs",
            "DELETE FROM connections",
            "DELETE FROM plans WHERE origin = 'member'",
            "DELETE FROM settings",
            "INSERT INTO resource_text (resource_text) VALUES ('rebuild')",
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        sqlx::query("VACUUM").execute(&mut *conn).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}
