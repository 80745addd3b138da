//! A pass over a long search split into slices by `_lastUpdated` ranges and paged side by side
//! (migration 0015): each slice's resume point, saved in the transaction of its page, and
//! whether a plan's search for a type takes such ranges.

use sqlx::FromRow;

use crate::store::now_rfc3339;
use crate::sync::{PageResource, SavedPage};
use crate::{Store, StoreError, TypeSyncStatus};

/// One slice of a pass: `_lastUpdated` ge `lower` and lt `upper` (`None`: open).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SliceRow {
    /// Its number in the pass, from 0.
    pub slice: i64,
    /// `_lastUpdated=ge` this (inclusive); `None`: no lower bound.
    pub lower: Option<String>,
    /// `_lastUpdated=lt` this (exclusive); `None`: no upper bound.
    pub upper: Option<String>,
    /// The slice's next page; `None` once it has ended.
    pub next_url: Option<String>,
    /// Pages saved.
    pub pages: i64,
    /// Resources saved.
    pub resources: i64,
}

/// A slice to begin: its bounds and its first page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SliceStart {
    /// `_lastUpdated=ge` this; `None`: no lower bound.
    pub lower: Option<String>,
    /// `_lastUpdated=lt` this; `None`: no upper bound.
    pub upper: Option<String>,
    /// The slice's first page.
    pub first_url: String,
}

/// Moves a slice to its next page in the transaction of the page just saved
/// (`(connection, type, pass, slice)`); fails when the slice was not begun.
pub(crate) async fn advance(
    tx: &mut sqlx::SqliteConnection,
    (connection_id, resource_type, pass_id, slice): (&str, &str, &str, i64),
    next_url: Option<&str>,
    resources: usize,
) -> Result<(), StoreError> {
    let _: (i64,) = sqlx::query_as(
        "UPDATE sync_slices SET next_url = ?5, pages = pages + 1, resources = resources + ?6
         WHERE connection_id = ?1 AND resource_type = ?2 AND pass_id = ?3 AND slice = ?4 RETURNING slice",
    )
    .bind(connection_id)
    .bind(resource_type)
    .bind(pass_id)
    .bind(slice)
    .bind(next_url)
    .bind(i64::try_from(resources).unwrap_or(i64::MAX))
    .fetch_one(&mut *tx)
    .await?;
    Ok(())
}

impl Store {
    /// Starts a pass over one type split into `slices` (replacing an unfinished pass and its
    /// slices), in one transaction: the type's state holds the pass with no `next_url` of its
    /// own, and each slice starts at its first page.
    pub async fn begin_sliced_pass(
        &self,
        connection_id: &str,
        resource_type: &str,
        pass_id: &str,
        full: bool,
        started_at: &str,
        slices: &[SliceStart],
    ) -> Result<(), StoreError> {
        let _writer = self.write_lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "INSERT INTO sync_state (connection_id, resource_type, status, pass_id, pass_full, pass_started_at, next_url,
                 pages, resources, bytes, error_code, error_message, updated_at)
             VALUES (?1, ?2, ?7, ?3, ?4, ?5, NULL, 0, 0, 0, NULL, NULL, ?6)
             ON CONFLICT (connection_id, resource_type) DO UPDATE SET status = excluded.status, pass_id = excluded.pass_id,
                 pass_full = excluded.pass_full, pass_started_at = excluded.pass_started_at, next_url = NULL,
                 pages = 0, resources = 0, bytes = 0, error_code = NULL, error_message = NULL, updated_at = excluded.updated_at",
        )
        .bind(connection_id)
        .bind(resource_type)
        .bind(pass_id)
        .bind(full)
        .bind(started_at)
        .bind(now_rfc3339())
        .bind(TypeSyncStatus::Running)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sync_slices WHERE connection_id = ?1 AND resource_type = ?2")
            .bind(connection_id)
            .bind(resource_type)
            .execute(&mut *tx)
            .await?;
        for (n, s) in slices.iter().enumerate() {
            sqlx::query(
                "INSERT INTO sync_slices (connection_id, resource_type, pass_id, slice, lower, upper, next_url)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .bind(connection_id)
            .bind(resource_type)
            .bind(pass_id)
            .bind(i64::try_from(n).unwrap_or(i64::MAX))
            .bind(s.lower.as_deref())
            .bind(s.upper.as_deref())
            .bind(&s.first_url)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The slices of an unfinished pass, in order (none for a pass that is not sliced).
    pub async fn pass_slices(
        &self,
        connection_id: &str,
        resource_type: &str,
        pass_id: &str,
    ) -> Result<Vec<SliceRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT slice, lower, upper, next_url, pages, resources FROM sync_slices
             WHERE connection_id = ?1 AND resource_type = ?2 AND pass_id = ?3 ORDER BY slice",
        )
        .bind(connection_id)
        .bind(resource_type)
        .bind(pass_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// [`Store::save_page`] for one slice of a sliced pass: the page, the slice's next page
    /// (`None`: the slice has ended) and the pass's totals in one transaction. Fails, saving
    /// nothing, when the slice was not begun ([`Store::begin_sliced_pass`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn save_slice_page(
        &self,
        connection_id: &str,
        resource_type: &str,
        pass_id: &str,
        slice: i64,
        resources: &[PageResource<'_>],
        fields: Vec<Option<folio_fhir::IndexFields>>,
        source_request: &str,
        next_url: Option<&str>,
        bytes: usize,
    ) -> Result<SavedPage, StoreError> {
        self.save_page_at(
            connection_id,
            resource_type,
            pass_id,
            Some(slice),
            resources,
            fields,
            source_request,
            next_url,
            bytes,
        )
        .await
    }

    /// Whether `plan_id`'s search for `resource_type` takes `_lastUpdated` ranges that cover
    /// everything, and when that was checked; `None` when never checked.
    pub async fn last_updated_ranges(
        &self,
        plan_id: &str,
        resource_type: &str,
    ) -> Result<Option<(bool, Option<String>)>, StoreError> {
        let row: Option<(Option<bool>, Option<String>)> = sqlx::query_as(
            "SELECT last_updated_ranges, ranges_checked_at FROM search_support WHERE plan_id = ?1 AND resource_type = ?2",
        )
        .bind(plan_id)
        .bind(resource_type)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.and_then(|(works, at)| works.map(|w| (w, at))))
    }

    /// Records whether `plan_id`'s search for `resource_type` takes `_lastUpdated` ranges,
    /// checked now.
    pub async fn set_last_updated_ranges(
        &self,
        plan_id: &str,
        resource_type: &str,
        works: bool,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO search_support (plan_id, resource_type, last_updated_ranges, ranges_checked_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (plan_id, resource_type) DO UPDATE SET last_updated_ranges = excluded.last_updated_ranges,
                 ranges_checked_at = excluded.ranges_checked_at",
        )
        .bind(plan_id)
        .bind(resource_type)
        .bind(works)
        .bind(now_rfc3339())
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
