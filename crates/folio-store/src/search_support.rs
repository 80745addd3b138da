//! What each plan's FHIR server takes in a search, per resource type (migration 0009), and
//! which referenced records a connection already holds.

use std::collections::HashSet;

use sqlx::FromRow;

use crate::store::now_rfc3339;
use crate::{Store, StoreError};

/// The search form that worked at a plan for one resource type.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SearchSupport {
    /// Resource type.
    pub resource_type: String,
    /// The `_include` values that work, space separated (`""`: none); `None` when not learned.
    pub includes: Option<String>,
    /// `_revinclude=Provenance:target` works.
    pub revinclude: bool,
    /// `_lastUpdated` works (incremental passes); `None` when not learned yet.
    pub last_updated: Option<bool>,
    /// US Core's category (Observation) or status (MedicationRequest) filters are required.
    pub us_core_filters: bool,
    /// `_count` is sent.
    pub count: bool,
    /// A batched `_id` search works for this type; `None` when not tried.
    pub id_search: Option<bool>,
    /// When the form was last probed from the top; `None` when only `id_search` was learned.
    pub probed_at: Option<String>,
    /// Parameters Folio sent that the plan's `link[self]` left out (silently not applied),
    /// space separated; `None` when not checked.
    pub dropped: Option<String>,
    /// Parameters the plan refused (400/422) when probed, space separated; `None` when not
    /// probed.
    pub refused: Option<String>,
    /// The page size the plan honours (`_count`); `None` when not learned.
    pub page_size: Option<i64>,
}

const COLUMNS: &str =
    "resource_type, includes, revinclude, last_updated, us_core_filters, count, id_search, probed_at, dropped, refused, page_size";

impl Store {
    /// What is known of `plan_id`'s searches for `resource_type`.
    pub async fn search_support(
        &self,
        plan_id: &str,
        resource_type: &str,
    ) -> Result<Option<SearchSupport>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM search_support WHERE plan_id = ?1 AND resource_type = ?2"
        ))
        .bind(plan_id)
        .bind(resource_type)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Everything known of a plan's searches, by type.
    pub async fn search_supports(&self, plan_id: &str) -> Result<Vec<SearchSupport>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM search_support WHERE plan_id = ?1 ORDER BY resource_type"
        ))
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Records the search form that worked, stamped as probed at `form.probed_at` (now when
    /// `None`); `id_search` is kept.
    pub async fn save_search_form(
        &self,
        plan_id: &str,
        form: &SearchSupport,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO search_support (plan_id, resource_type, includes, revinclude, last_updated, us_core_filters, count, probed_at,
                 dropped, refused, page_size)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (plan_id, resource_type) DO UPDATE SET includes = excluded.includes,
                 revinclude = excluded.revinclude, last_updated = excluded.last_updated,
                 us_core_filters = excluded.us_core_filters, count = excluded.count, probed_at = excluded.probed_at,
                 dropped = excluded.dropped, refused = excluded.refused, page_size = excluded.page_size",
        )
        .bind(plan_id)
        .bind(&form.resource_type)
        .bind(form.includes.as_deref())
        .bind(form.revinclude)
        .bind(form.last_updated)
        .bind(form.us_core_filters)
        .bind(form.count)
        .bind(form.probed_at.clone().unwrap_or_else(now_rfc3339))
        .bind(form.dropped.as_deref())
        .bind(form.refused.as_deref())
        .bind(form.page_size.filter(|n| *n > 0))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records whether a batched `_id` search works for `resource_type` at the plan.
    pub async fn set_id_search(
        &self,
        plan_id: &str,
        resource_type: &str,
        works: bool,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO search_support (plan_id, resource_type, id_search) VALUES (?1, ?2, ?3)
             ON CONFLICT (plan_id, resource_type) DO UPDATE SET id_search = excluded.id_search",
        )
        .bind(plan_id)
        .bind(resource_type)
        .bind(works)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Which of `keys` (`(type, id)`) the connection already holds.
    pub async fn held_keys(
        &self,
        connection_id: &str,
        keys: &[(String, String)],
    ) -> Result<HashSet<(String, String)>, StoreError> {
        let mut held = HashSet::new();
        let mut by_type: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
        for (t, id) in keys {
            by_type.entry(t.as_str()).or_default().push(id.as_str());
        }
        for (ty, ids) in by_type {
            for chunk in ids.chunks(500) {
                let marks = vec!["?"; chunk.len()].join(",");
                let sql = format!(
                    "SELECT resource_id FROM resources WHERE connection_id = ? AND resource_type = ? AND resource_id IN ({marks})"
                );
                let mut q = sqlx::query_as::<_, (String,)>(&sql)
                    .bind(connection_id)
                    .bind(ty);
                for id in chunk {
                    q = q.bind(*id);
                }
                for (id,) in q.fetch_all(self.pool()).await? {
                    held.insert((ty.to_owned(), id));
                }
            }
        }
        Ok(held)
    }
}
