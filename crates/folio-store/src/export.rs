//! Reading the whole history back in a stable order, a page at a time, for exports: every
//! stored resource with its plan, whatever its type, without holding it all in memory.

use sqlx::FromRow;

use crate::{Store, StoreError};

/// Which resources an export takes.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter<'a> {
    /// Only these connections (all when empty).
    pub connections: &'a [String],
    /// Only these types (all when empty).
    pub types: &'a [String],
    /// Dated records from this day on (YYYY-MM-DD); undated ones (the member, coverage,
    /// organizations) are always taken.
    pub from: Option<&'a str>,
    /// Dated records before this day (exclusive).
    pub until: Option<&'a str>,
    /// Include records with sensitive security labels.
    pub include_sensitive: bool,
    /// Types taken whatever their dates (context such as the member and coverage).
    pub any_date_types: &'a [String],
}

/// One stored resource and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ExportRow {
    /// Keyset position.
    pub rowid: i64,
    /// Connection.
    pub connection_id: String,
    /// The plan's name.
    pub plan_name: String,
    /// The plan's FHIR base.
    pub fhir_base: String,
    /// Type.
    pub resource_type: String,
    /// Id.
    pub resource_id: String,
    /// The JSON, as the plan sent it.
    pub raw_json: String,
    /// When Folio downloaded it.
    pub fetched_at: String,
    /// A plan's record, or an imported file's.
    pub source_kind: crate::SourceKind,
    /// The request that returned it; for an imported file, the entry's original fullUrl.
    pub source_request: Option<String>,
    /// Where it lives at its plan, as the plan's search page said (`entry.fullUrl`).
    pub full_url: Option<String>,
}

impl Store {
    /// Up to `limit` resources after `after_rowid`, in row order.
    pub async fn export_page(
        &self,
        filter: &ExportFilter<'_>,
        after_rowid: i64,
        limit: u32,
    ) -> Result<Vec<ExportRow>, StoreError> {
        let mut sql = String::from(
            "SELECT r.rowid, r.connection_id, p.name AS plan_name, p.fhir_base, r.resource_type, r.resource_id,
                    r.raw_json, r.fetched_at, c.source_kind, r.source_request, r.full_url
             FROM resources r JOIN connections c ON c.id = r.connection_id JOIN plans p ON p.id = c.plan_id
             WHERE r.rowid > ?",
        );
        if !filter.include_sensitive {
            sql.push_str(" AND r.sensitive = 0");
        }
        let marks = |n: usize| vec!["?"; n].join(",");
        if !filter.connections.is_empty() {
            // `+` everywhere: walking rows in rowid order (the keyset) must not turn into
            // collecting them by an index and sorting for every page.
            sql.push_str(&format!(
                " AND +r.connection_id IN ({})",
                marks(filter.connections.len())
            ));
        }
        if !filter.types.is_empty() {
            sql.push_str(&format!(
                " AND +r.resource_type IN ({})",
                marks(filter.types.len())
            ));
        }
        let any_date = if filter.any_date_types.is_empty() {
            String::new()
        } else {
            format!(
                " OR r.resource_type IN ({})",
                marks(filter.any_date_types.len())
            )
        };
        if filter.from.is_some() {
            sql.push_str(&format!(
                " AND (r.clinical_date IS NULL{any_date} OR substr(r.clinical_date, 1, 10) >= ?)"
            ));
        }
        if filter.until.is_some() {
            sql.push_str(&format!(
                " AND (r.clinical_date IS NULL{any_date} OR substr(r.clinical_date, 1, 10) < ?)"
            ));
        }
        sql.push_str(" ORDER BY r.rowid LIMIT ?");
        let mut q = sqlx::query_as::<_, ExportRow>(&sql).bind(after_rowid);
        for c in filter.connections {
            q = q.bind(c.as_str());
        }
        for t in filter.types {
            q = q.bind(t.as_str());
        }
        for bound in [filter.from, filter.until].into_iter().flatten() {
            for t in filter.any_date_types {
                q = q.bind(t.as_str());
            }
            q = q.bind(bound);
        }
        Ok(q.bind(i64::from(limit)).fetch_all(self.pool()).await?)
    }
}
