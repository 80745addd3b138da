//! Index maintenance deferred to the end of a first sync: while a connection's first full pass
//! writes its whole history, the secondary indexes on `resources` and the triggers that keep
//! the full-text index (`resource_text`) current are set aside, and built once at the end.
//! Building an index over rows already written is a sort; keeping it current is a B-tree
//! insert per row and per index, in the order the plan sends records.
//!
//! What was set aside is saved (in `settings`, with the statements that make it again) in the
//! same transaction that drops it, so a process killed mid-sync leaves the file able to say
//! what to rebuild: [`Store::open`] restores it before anything reads. The primary key is never
//! touched (upserts, and so resuming without duplicates, rely on it). Until the end of the pass
//! the records written during it are found by the timeline (more slowly) but not yet by
//! full-text search.

use crate::{Store, StoreError};

/// The `settings` key holding what is set aside: a JSON array of `[name, sql]`.
const DEFERRED: &str = "store.deferred_index_maintenance";

/// The indexes and triggers on `resources` that can be set aside: every index SQLite did not
/// make itself (those have no SQL: the primary key's), and the full-text triggers.
const SET_ASIDE: &str = "SELECT name, sql FROM sqlite_master
     WHERE tbl_name = 'resources' AND sql IS NOT NULL
       AND (type = 'index' OR (type = 'trigger' AND name LIKE 'resources\\_text\\_%' ESCAPE '\\'))
     ORDER BY type, name";

impl Store {
    /// Sets index maintenance aside for a connection's first sync: when no pass of any type
    /// (other than its Patient read) has ever started for it. Returns whether this call set
    /// anything aside; whoever gets `true` calls [`Store::restore_index_maintenance`] when the
    /// passes end (however they end).
    pub async fn defer_index_maintenance_for_first_sync(
        &self,
        connection_id: &str,
    ) -> Result<bool, StoreError> {
        let _writer = self.write_lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let (started,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM sync_state WHERE connection_id = ?1 AND resource_type != 'Patient'
               AND (high_water IS NOT NULL OR pass_id IS NOT NULL OR last_full_pass IS NOT NULL)",
        )
        .bind(connection_id)
        .fetch_one(&mut *tx)
        .await?;
        if started > 0 {
            return Ok(false);
        }
        let found: Vec<(String, String)> = sqlx::query_as(SET_ASIDE).fetch_all(&mut *tx).await?;
        if found.is_empty() {
            // Already set aside (another first sync running): that one restores it.
            return Ok(false);
        }
        let mut saved: Vec<(String, String)> = read_saved(&mut tx).await?;
        for (name, sql) in &found {
            if !saved.iter().any(|(n, _)| n == name) {
                saved.push((name.clone(), sql.clone()));
            }
        }
        write_saved(&mut tx, &saved).await?;
        for (name, _) in &found {
            let kind = if name.starts_with("resources_text_") {
                "TRIGGER"
            } else {
                "INDEX"
            };
            sqlx::query(&format!(
                "DROP {kind} IF EXISTS \"{}\"",
                name.replace('"', "")
            ))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        tracing::debug!(set_aside = found.len(), "index maintenance deferred");
        Ok(true)
    }

    /// Builds again what [`Store::defer_index_maintenance_for_first_sync`] set aside (the
    /// indexes, then the full-text index from every record), in one transaction. Does nothing
    /// when nothing is set aside.
    pub async fn restore_index_maintenance(&self) -> Result<(), StoreError> {
        let _writer = self.write_lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let saved = read_saved(&mut tx).await?;
        if saved.is_empty() {
            return Ok(());
        }
        let mut triggers = false;
        for (name, sql) in &saved {
            let (present,): (i64,) =
                sqlx::query_as("SELECT count(*) FROM sqlite_master WHERE name = ?1")
                    .bind(name)
                    .fetch_one(&mut *tx)
                    .await?;
            if present == 0 {
                sqlx::query(sql).execute(&mut *tx).await?;
            }
            triggers |= name.starts_with("resources_text_");
        }
        if triggers {
            sqlx::query("INSERT INTO resource_text (resource_text) VALUES ('rebuild')")
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM settings WHERE key = ?1")
            .bind(DEFERRED)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::debug!(restored = saved.len(), "index maintenance restored");
        Ok(())
    }
}

async fn read_saved(tx: &mut sqlx::SqliteConnection) -> Result<Vec<(String, String)>, StoreError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = ?1")
        .bind(DEFERRED)
        .fetch_optional(&mut *tx)
        .await?;
    Ok(row
        .and_then(|(v,)| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

async fn write_saved(
    tx: &mut sqlx::SqliteConnection,
    saved: &[(String, String)],
) -> Result<(), StoreError> {
    let value = serde_json::to_string(saved).unwrap_or_else(|_| "[]".into());
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(DEFERRED)
    .bind(value)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
