//! Sync bookkeeping: pages of resources saved in one transaction each, per-type pass state
//! (resume point, high-water mark), runs, and marking what a full pass no longer returns.

use std::collections::HashMap;

use folio_fhir::IndexFields;
use sqlx::FromRow;

use crate::store::now_rfc3339;
use crate::{RunStatus, Store, StoreError, TypeSyncStatus};

/// One resource of a page, as the plan sent it.
#[derive(Debug, Clone, Copy)]
pub struct PageResource<'a> {
    /// Its JSON, verbatim.
    pub raw_json: &'a str,
    /// The page entry's `fullUrl`, when the plan sent one.
    pub full_url: Option<&'a str>,
}

/// What saving a page did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageOutcome {
    /// New resources.
    pub inserted: u32,
    /// Where the new resources are in the `resources` given to [`Store::save_page`] (what a
    /// caller reads to say what arrived, e.g. the background sync's "what's new" notice).
    pub inserted_at: Vec<usize>,
    /// Resources whose JSON changed.
    pub updated: u32,
    /// Resources already held byte for byte.
    pub unchanged: u32,
    /// Entries refused (not a valid resource); nothing else on the page is lost.
    pub rejected: u32,
}

/// What saving a page wrote: what became of its resources, and the pass's state after it
/// (its resume point and running totals), read back in the page's transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedPage {
    /// Inserted, updated, unchanged, rejected.
    pub outcome: PageOutcome,
    /// The pass after the page: `next_url` is where the next sync resumes.
    pub state: SyncStateRow,
}

/// What ending a pass wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedPass {
    /// Resources of the type a full pass no longer returned (kept, marked missing).
    pub marked_missing: u64,
    /// The type's state after the pass (`done`, its new high-water mark).
    pub state: SyncStateRow,
}

/// Where one resource type of one connection stands.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SyncStateRow {
    /// Resource type.
    pub resource_type: String,
    /// Where its sync stands.
    pub status: TypeSyncStatus,
    /// High-water mark (the plan's clock) of the last complete pass.
    pub high_water: Option<String>,
    /// When the last full pass finished.
    pub last_full_pass: Option<String>,
    /// The unfinished pass, if any.
    pub pass_id: Option<String>,
    /// Whether the unfinished pass is a full one.
    pub pass_full: bool,
    /// When the unfinished pass started (the plan's clock, becomes the high-water mark).
    pub pass_started_at: Option<String>,
    /// The next page of the unfinished pass.
    pub next_url: Option<String>,
    /// Pages in the current or last pass.
    pub pages: i64,
    /// Resources in the current or last pass.
    pub resources: i64,
    /// Bytes in the current or last pass.
    pub bytes: i64,
    /// Last failure's code.
    pub error_code: Option<String>,
    /// Last failure's message.
    pub error_message: Option<String>,
}

/// Counts for `folio stats`.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TypeCount {
    /// Connection.
    pub connection_id: String,
    /// Resource type.
    pub resource_type: String,
    /// Resources held.
    pub resources: i64,
    /// Of which marked missing at the plan.
    pub missing: i64,
    /// Of which sensitive.
    pub sensitive: i64,
}

/// Reads each resource's index fields, in order; `None` for an entry that is not a valid
/// resource (it is counted as rejected when the page is saved). This is the CPU-heavy part of
/// saving a page, and the one place a sync page is indexed: [`Store::save_page`] takes what it
/// returns, so a caller can run it off the async threads.
pub fn index_page(resources: &[PageResource<'_>]) -> Vec<Option<IndexFields>> {
    resources
        .iter()
        .map(|r| IndexFields::from_json_str(r.raw_json).ok())
        .collect()
}

/// Rows written by one statement: 15 values each, well under SQLite's variable limit.
const ROWS_PER_STATEMENT: usize = 64;

/// One resource to write with its index columns.
pub(crate) struct WriteRow<'a> {
    pub(crate) fields: &'a IndexFields,
    pub(crate) raw_json: &'a str,
    /// The pass of its own type that returned it (`None` keeps the stamp it had).
    pub(crate) seen_pass: Option<&'a str>,
    /// The request that returned it (for an imported file: the entry's fullUrl).
    pub(crate) source_request: Option<&'a str>,
    /// Where it lives at its plan (the search page's `fullUrl`); `None` keeps what was held.
    pub(crate) full_url: Option<&'a str>,
}

/// Inserts or replaces resources with their index columns, many rows per statement.
pub(crate) async fn write_resources(
    tx: &mut sqlx::SqliteConnection,
    connection_id: &str,
    rows: &[WriteRow<'_>],
    fetched_at: &str,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let values =
            vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "INSERT INTO resources (connection_id, resource_type, resource_id, version_id, last_updated, clinical_date,
                 codes, display, security_labels, sensitive, raw_json, fetched_at, source_request, last_seen_pass,
                 missing_since, dedupe_key, full_url)
             VALUES {values}
             ON CONFLICT (connection_id, resource_type, resource_id) DO UPDATE SET
                 version_id = excluded.version_id, last_updated = excluded.last_updated,
                 clinical_date = excluded.clinical_date, codes = excluded.codes, display = excluded.display,
                 security_labels = excluded.security_labels, sensitive = excluded.sensitive,
                 raw_json = excluded.raw_json, fetched_at = excluded.fetched_at,
                 source_request = excluded.source_request,
                 last_seen_pass = COALESCE(excluded.last_seen_pass, resources.last_seen_pass),
                 missing_since = NULL, dedupe_key = excluded.dedupe_key,
                 full_url = COALESCE(excluded.full_url, resources.full_url)"
        );
        let mut q = sqlx::query(&sql);
        for WriteRow {
            fields,
            raw_json,
            seen_pass,
            source_request,
            full_url,
        } in chunk
        {
            let labels =
                serde_json::to_string(&fields.security_labels).unwrap_or_else(|_| "[]".into());
            q = q
                .bind(connection_id)
                .bind(fields.key.resource_type.as_str())
                .bind(fields.key.id.as_str())
                .bind(fields.version_id.as_deref())
                .bind(fields.last_updated.as_deref())
                .bind(fields.clinical_date.as_deref())
                .bind(fields.codes.join(" "))
                .bind(fields.display.as_deref())
                .bind(labels)
                .bind(fields.is_sensitive())
                .bind(*raw_json)
                .bind(fetched_at)
                .bind(*source_request)
                .bind(*seen_pass)
                .bind(fields.dedupe_key.as_deref())
                .bind(*full_url);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

const STATE_COLUMNS: &str = "resource_type, status, high_water, last_full_pass, pass_id, pass_full, pass_started_at, next_url, \
    pages, resources, bytes, error_code, error_message";

impl Store {
    /// Every type's sync state for a connection.
    pub async fn sync_states(&self, connection_id: &str) -> Result<Vec<SyncStateRow>, StoreError> {
        Ok(sqlx::query_as(&format!("SELECT {STATE_COLUMNS} FROM sync_state WHERE connection_id = ?1 ORDER BY resource_type"))
            .bind(connection_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// One type's sync state for a connection.
    pub async fn sync_state(
        &self,
        connection_id: &str,
        resource_type: &str,
    ) -> Result<Option<SyncStateRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {STATE_COLUMNS} FROM sync_state WHERE connection_id = ?1 AND resource_type = ?2"
        ))
        .bind(connection_id)
        .bind(resource_type)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Starts a pass over one type (replacing an unfinished one).
    pub async fn begin_pass(
        &self,
        connection_id: &str,
        resource_type: &str,
        pass_id: &str,
        full: bool,
        started_at: &str,
        first_url: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sync_state (connection_id, resource_type, status, pass_id, pass_full, pass_started_at, next_url,
                 pages, resources, bytes, error_code, error_message, updated_at)
             VALUES (?1, ?2, ?8, ?3, ?4, ?5, ?6, 0, 0, 0, NULL, NULL, ?7)
             ON CONFLICT (connection_id, resource_type) DO UPDATE SET status = excluded.status, pass_id = excluded.pass_id,
                 pass_full = excluded.pass_full, pass_started_at = excluded.pass_started_at, next_url = excluded.next_url,
                 pages = 0, resources = 0, bytes = 0, error_code = NULL, error_message = NULL, updated_at = excluded.updated_at",
        )
        .bind(connection_id)
        .bind(resource_type)
        .bind(pass_id)
        .bind(full)
        .bind(started_at)
        .bind(first_url)
        .bind(now_rfc3339())
        .bind(TypeSyncStatus::Running)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Saves one page in one transaction: its resources (inserted, updated or marked seen) and
    /// the pass's next page; returns what became of the resources and the pass's state after
    /// the page. A crash leaves either the whole page or none of it. `fields` are the
    /// resources' index fields from [`index_page`], paired by position. The pass must have
    /// been begun ([`Store::begin_pass`]); otherwise nothing is saved and this fails.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_page(
        &self,
        connection_id: &str,
        resource_type: &str,
        pass_id: &str,
        resources: &[PageResource<'_>],
        fields: Vec<Option<IndexFields>>,
        source_request: &str,
        next_url: Option<&str>,
        bytes: usize,
    ) -> Result<SavedPage, StoreError> {
        self.save_page_at(
            connection_id,
            resource_type,
            pass_id,
            None,
            resources,
            fields,
            source_request,
            next_url,
            bytes,
        )
        .await
    }

    /// [`Store::save_page`] for the pass as a whole (`slice` `None`: `next_url` is the pass's
    /// resume point) or for one of its slices (`next_url` is that slice's, saved in the
    /// page's transaction; see `sync_slices.rs`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn save_page_at(
        &self,
        connection_id: &str,
        resource_type: &str,
        pass_id: &str,
        slice: Option<i64>,
        resources: &[PageResource<'_>],
        fields: Vec<Option<IndexFields>>,
        source_request: &str,
        next_url: Option<&str>,
        bytes: usize,
    ) -> Result<SavedPage, StoreError> {
        let mut outcome = PageOutcome {
            // Entries without fields (a short `fields`) are not saved.
            rejected: u32::try_from(resources.len().saturating_sub(fields.len()))
                .unwrap_or(u32::MAX),
            ..PageOutcome::default()
        };
        let mut parsed = Vec::with_capacity(resources.len());
        for (position, (r, f)) in resources.iter().zip(fields).enumerate() {
            match f {
                Some(fields) => parsed.push((fields, r.raw_json, r.full_url, position)),
                None => outcome.rejected += 1,
            }
        }
        let now = now_rfc3339();
        let _writer = self.write_lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        // What the page's resources look like in the store now, in one query per type.
        let mut existing: HashMap<(String, String), (String, Option<String>)> = HashMap::new();
        let mut by_type: HashMap<&str, Vec<&str>> = HashMap::new();
        for (f, _, _, _) in &parsed {
            by_type
                .entry(f.key.resource_type.as_str())
                .or_default()
                .push(f.key.id.as_str());
        }
        for (ty, ids) in &by_type {
            for chunk in ids.chunks(500) {
                let marks = vec!["?"; chunk.len()].join(",");
                let sql = format!(
                    "SELECT resource_id, raw_json, full_url FROM resources WHERE connection_id = ? AND resource_type = ? AND resource_id IN ({marks})"
                );
                let mut q = sqlx::query_as::<_, (String, String, Option<String>)>(&sql)
                    .bind(connection_id)
                    .bind(*ty);
                for id in chunk {
                    q = q.bind(*id);
                }
                for (id, raw, full_url) in q.fetch_all(&mut *tx).await? {
                    existing.insert(((*ty).to_owned(), id), (raw, full_url));
                }
            }
        }
        let mut seen_unchanged: Vec<&str> = Vec::new();
        let mut writes: Vec<WriteRow<'_>> = Vec::new();
        for (fields, raw, full_url, position) in &parsed {
            let own = fields.key.resource_type == resource_type;
            let key = (fields.key.resource_type.clone(), fields.key.id.clone());
            match existing.get(&key) {
                // Unchanged, and its fullUrl already held (or not sent).
                Some((old, old_url))
                    if old == raw && (full_url.is_none() || old_url.as_deref() == *full_url) =>
                {
                    outcome.unchanged += 1;
                    // Included from another type's search: seen, but not by this type's pass.
                    if own {
                        seen_unchanged.push(fields.key.id.as_str());
                    }
                    continue;
                }
                // The same JSON with a fullUrl not held yet (a record saved before fullUrls
                // were kept): rewritten, but not counted as changed.
                Some((old, _)) if old == raw => outcome.unchanged += 1,
                Some(_) => outcome.updated += 1,
                None => {
                    outcome.inserted += 1;
                    outcome.inserted_at.push(*position);
                }
            }
            writes.push(WriteRow {
                fields,
                raw_json: raw,
                seen_pass: own.then_some(pass_id),
                source_request: Some(source_request),
                full_url: *full_url,
            });
        }
        for chunk in seen_unchanged.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let sql = format!(
                "UPDATE resources SET last_seen_pass = ?, missing_since = NULL
                 WHERE connection_id = ? AND resource_type = ? AND resource_id IN ({marks})"
            );
            let mut q = sqlx::query(&sql)
                .bind(pass_id)
                .bind(connection_id)
                .bind(resource_type);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *tx).await?;
        }
        write_resources(&mut tx, connection_id, &writes, &now).await?;
        if let Some(slice) = slice {
            crate::sync_slices::advance(
                &mut tx,
                (connection_id, resource_type, pass_id, slice),
                next_url,
                parsed.len(),
            )
            .await?;
        }
        let state: SyncStateRow = sqlx::query_as(&format!(
            "UPDATE sync_state SET next_url = ?3, pages = pages + 1, resources = resources + ?4, bytes = bytes + ?5, updated_at = ?6
             WHERE connection_id = ?1 AND resource_type = ?2 RETURNING {STATE_COLUMNS}"
        ))
        .bind(connection_id)
        .bind(resource_type)
        // A sliced pass keeps its resume points in its slices.
        .bind(if slice.is_some() { None } else { next_url })
        .bind(i64::try_from(parsed.len()).unwrap_or(i64::MAX))
        .bind(i64::try_from(bytes).unwrap_or(i64::MAX))
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(SavedPage { outcome, state })
    }

    /// Ends a pass: records the new high-water mark and, for a full pass, marks resources of
    /// this type the plan no longer returned (they are kept). Returns how many were marked and
    /// the type's state after the pass.
    pub async fn finish_pass(
        &self,
        connection_id: &str,
        resource_type: &str,
    ) -> Result<FinishedPass, StoreError> {
        let now = now_rfc3339();
        let _writer = self.write_lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let (pass_id, full, started): (Option<String>, bool, Option<String>) = sqlx::query_as(
            "SELECT pass_id, pass_full, pass_started_at FROM sync_state WHERE connection_id = ?1 AND resource_type = ?2",
        )
        .bind(connection_id)
        .bind(resource_type)
        .fetch_one(&mut *tx)
        .await?;
        let mut marked = 0;
        if full {
            marked = sqlx::query(
                "UPDATE resources SET missing_since = ?4
                 WHERE connection_id = ?1 AND resource_type = ?2 AND missing_since IS NULL
                   AND last_seen_pass IS NOT NULL AND last_seen_pass != ?3",
            )
            .bind(connection_id)
            .bind(resource_type)
            .bind(&pass_id)
            .bind(&now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        // A sliced pass ends with its slices (every one of them has ended).
        sqlx::query("DELETE FROM sync_slices WHERE connection_id = ?1 AND resource_type = ?2")
            .bind(connection_id)
            .bind(resource_type)
            .execute(&mut *tx)
            .await?;
        let state: SyncStateRow = sqlx::query_as(&format!(
            "UPDATE sync_state SET status = ?5, high_water = ?3, last_full_pass = CASE WHEN pass_full = 1 THEN ?4 ELSE last_full_pass END,
                 pass_id = NULL, pass_full = 0, pass_started_at = NULL, next_url = NULL, updated_at = ?4
             WHERE connection_id = ?1 AND resource_type = ?2 RETURNING {STATE_COLUMNS}"
        ))
        .bind(connection_id)
        .bind(resource_type)
        .bind(started)
        .bind(&now)
        .bind(TypeSyncStatus::Done)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(FinishedPass {
            marked_missing: marked,
            state,
        })
    }

    /// Records why a type failed (its unfinished pass is kept for the next attempt) or that the
    /// plan does not share it ([`TypeSyncStatus::NotShared`], which drops the unfinished pass).
    pub async fn set_type_status(
        &self,
        connection_id: &str,
        resource_type: &str,
        status: TypeSyncStatus,
        error: Option<(&str, &str)>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sync_state (connection_id, resource_type, status, error_code, error_message, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (connection_id, resource_type) DO UPDATE SET status = excluded.status,
                 error_code = excluded.error_code, error_message = excluded.error_message, updated_at = excluded.updated_at,
                 pass_id = CASE WHEN excluded.status = ?7 THEN NULL ELSE pass_id END,
                 next_url = CASE WHEN excluded.status = ?7 THEN NULL ELSE next_url END",
        )
        .bind(connection_id)
        .bind(resource_type)
        .bind(status)
        .bind(error.map(|e| e.0))
        .bind(error.map(|e| e.1))
        .bind(now_rfc3339())
        .bind(TypeSyncStatus::NotShared)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Starts a sync run; returns its id.
    pub async fn start_run(&self, connection_id: &str) -> Result<i64, StoreError> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO sync_runs (connection_id, started_at, status) VALUES (?1, ?2, ?3) RETURNING id",
        )
        .bind(connection_id)
        .bind(now_rfc3339())
        .bind(RunStatus::Running)
        .fetch_one(self.pool())
        .await?;
        Ok(id)
    }

    /// Ends a sync run; a successful one also stamps the connection's last sync.
    pub async fn finish_run(
        &self,
        run_id: i64,
        connection_id: &str,
        status: RunStatus,
        fetched: i64,
        error: Option<(&str, &str)>,
    ) -> Result<(), StoreError> {
        let now = now_rfc3339();
        let _writer = self.write_lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "UPDATE sync_runs SET finished_at = ?2, status = ?3, resources_fetched = ?4, error_code = ?5, error_message = ?6 WHERE id = ?1",
        )
        .bind(run_id)
        .bind(&now)
        .bind(status)
        .bind(fetched)
        .bind(error.map(|e| e.0))
        .bind(error.map(|e| e.1))
        .execute(&mut *tx)
        .await?;
        if status == RunStatus::Succeeded {
            sqlx::query("UPDATE connections SET last_synced_at = ?2 WHERE id = ?1")
                .bind(connection_id)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Resources per connection and type.
    pub async fn type_counts(&self) -> Result<Vec<TypeCount>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT connection_id, resource_type, count(*) AS resources, count(missing_since) AS missing, sum(sensitive) AS sensitive
             FROM resources GROUP BY connection_id, resource_type ORDER BY connection_id, resource_type",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Dedupe keys held by more than one connection, with how many copies: items linked
    /// across sources.
    pub async fn linked_items(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM (SELECT dedupe_key FROM resources WHERE dedupe_key IS NOT NULL
                 GROUP BY dedupe_key HAVING count(DISTINCT connection_id) > 1)",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(n)
    }

    /// Full-text search over display text and codes; returns `(connection, type, id)`.
    pub async fn search_text(
        &self,
        query: &str,
        limit: i64,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        // Each word as a quoted prefix term: the member's text is never FTS syntax.
        let terms: Vec<String> = query
            .split_whitespace()
            .map(|w| format!("\"{}\"*", w.replace('"', "")))
            .filter(|t| t.len() > 3)
            .collect();
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_as(
            "SELECT r.connection_id, r.resource_type, r.resource_id FROM resource_text t
             JOIN resources r ON r.rowid = t.rowid WHERE resource_text MATCH ?1 ORDER BY rank LIMIT ?2",
        )
        .bind(terms.join(" "))
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}
