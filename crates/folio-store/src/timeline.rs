//! Reading the history back: the timeline (newest first, keyset-paged, filtered, searched)
//! and one record with where it came from.

use sqlx::FromRow;

use crate::{Store, StoreError};

/// The types that make the timeline: things that happened to the member on a date.
pub const TIMELINE_TYPES: &[&str] = &[
    "Encounter",
    "ExplanationOfBenefit",
    "Observation",
    "DiagnosticReport",
    "MedicationRequest",
    "Immunization",
    "Procedure",
    "Condition",
    "DocumentReference",
    "AllergyIntolerance",
    "CarePlan",
];

/// What to show.
#[derive(Debug, Clone, Default)]
pub struct TimelineFilter<'a> {
    /// Only these types (all timeline types when empty).
    pub types: &'a [String],
    /// Only these connections (all when empty).
    pub connections: &'a [String],
    /// Words to find in the records' names and codes.
    pub text: Option<&'a str>,
    /// Include records with sensitive security labels.
    pub include_sensitive: bool,
    /// Only items dated at or after this (YYYY-MM-DD).
    pub from: Option<&'a str>,
    /// Only items dated before this (YYYY-MM-DD, exclusive).
    pub until: Option<&'a str>,
}

/// One row of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TimelineRow {
    /// Keyset position.
    pub rowid: i64,
    /// Connection.
    pub connection_id: String,
    /// The plan's name.
    pub plan_name: String,
    /// Type.
    pub resource_type: String,
    /// Id.
    pub resource_id: String,
    /// When it happened.
    pub clinical_date: String,
    /// What the record calls itself.
    pub display: Option<String>,
    /// Sensitive.
    pub sensitive: bool,
    /// Cross-source link.
    pub dedupe_key: Option<String>,
    /// The JSON of an ExplanationOfBenefit that may be a prior authorization rather than a
    /// claim (its text names `preauthorization` or the PDex profile; folio-core decides),
    /// else none (and none from a query that does not ask).
    #[sqlx(default)]
    pub maybe_prior_authorization: Option<String>,
}

/// One stored record and its source.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RecordRow {
    /// The JSON, as the plan sent it.
    pub raw_json: String,
    /// The plan's name.
    pub plan_name: String,
    /// The plan's FHIR base.
    pub fhir_base: String,
    /// When Folio fetched it.
    pub fetched_at: String,
    /// The request that returned it.
    pub source_request: Option<String>,
    /// Sensitive.
    pub sensitive: bool,
    /// When the plan stopped returning it.
    pub missing_since: Option<String>,
    /// Cross-source link.
    pub dedupe_key: Option<String>,
}

fn fts_terms(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split_whitespace()
        .map(|w| format!("\"{}\"*", w.replace('"', "")))
        .filter(|t| t.len() > 3)
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

impl Store {
    /// A page of the timeline, newest first, after the keyset position `after` (a
    /// `(clinical_date, rowid)` from the previous page's last row).
    pub async fn timeline(
        &self,
        filter: &TimelineFilter<'_>,
        after: Option<(&str, i64)>,
        limit: u32,
    ) -> Result<Vec<TimelineRow>, StoreError> {
        let types: Vec<&str> = if filter.types.is_empty() {
            TIMELINE_TYPES.to_vec()
        } else {
            filter
                .types
                .iter()
                .map(String::as_str)
                .filter(|t| TIMELINE_TYPES.contains(t))
                .collect()
        };
        if types.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = String::from(
            "SELECT r.rowid AS rowid, r.connection_id, p.name AS plan_name, r.resource_type, r.resource_id,
                    r.clinical_date, r.display, r.sensitive, r.dedupe_key,
                    CASE WHEN r.resource_type = 'ExplanationOfBenefit'
                          AND (r.raw_json LIKE '%preauthorization%' OR r.raw_json LIKE '%pdex-priorauthorization%')
                         THEN r.raw_json END AS maybe_prior_authorization
             FROM resources r JOIN connections c ON c.id = r.connection_id JOIN plans p ON p.id = c.plan_id
             WHERE r.clinical_date IS NOT NULL AND r.missing_since IS NULL",
        );
        // With no kind chosen nearly every row qualifies: walking the date index newest first
        // and stopping at `limit` beats collecting by type and sorting (the unary `+` keeps
        // SQLite from choosing the type index).
        sql.push_str(&format!(
            " AND {}r.resource_type IN ({})",
            if filter.types.is_empty() { "+" } else { "" },
            vec!["?"; types.len()].join(",")
        ));
        if !filter.connections.is_empty() {
            sql.push_str(&format!(
                " AND r.connection_id IN ({})",
                vec!["?"; filter.connections.len()].join(",")
            ));
        }
        if !filter.include_sensitive {
            sql.push_str(" AND r.sensitive = 0");
        }
        let terms = filter.text.and_then(fts_terms);
        if terms.is_some() {
            sql.push_str(
                " AND r.rowid IN (SELECT rowid FROM resource_text WHERE resource_text MATCH ?)",
            );
        }
        if filter.from.is_some() {
            sql.push_str(" AND r.clinical_date >= ?");
        }
        if filter.until.is_some() {
            sql.push_str(" AND r.clinical_date < ?");
        }
        if after.is_some() {
            sql.push_str(" AND (r.clinical_date, r.rowid) < (?, ?)");
        }
        sql.push_str(" ORDER BY r.clinical_date DESC, r.rowid DESC LIMIT ?");
        let mut q = sqlx::query_as::<_, TimelineRow>(&sql);
        for t in &types {
            q = q.bind(*t);
        }
        for c in filter.connections {
            q = q.bind(c.as_str());
        }
        if let Some(t) = &terms {
            q = q.bind(t.as_str());
        }
        if let Some(f) = filter.from {
            q = q.bind(f);
        }
        if let Some(u) = filter.until {
            q = q.bind(u);
        }
        if let Some((date, rowid)) = after {
            q = q.bind(date).bind(rowid);
        }
        Ok(q.bind(i64::from(limit)).fetch_all(self.pool()).await?)
    }

    /// One record with its source.
    pub async fn record(
        &self,
        connection_id: &str,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<Option<RecordRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT r.raw_json, p.name AS plan_name, p.fhir_base, r.fetched_at, r.source_request, r.sensitive, r.missing_since, r.dedupe_key
             FROM resources r JOIN connections c ON c.id = r.connection_id JOIN plans p ON p.id = c.plan_id
             WHERE r.connection_id = ?1 AND r.resource_type = ?2 AND r.resource_id = ?3",
        )
        .bind(connection_id)
        .bind(resource_type)
        .bind(resource_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Every current claim's JSON with its plan's name, for yearly totals (connections filter
    /// as in the timeline; sensitive ones only when asked).
    pub async fn claims_json(
        &self,
        connections: &[String],
        include_sensitive: bool,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut sql = String::from(
            "SELECT p.name, r.raw_json FROM resources r JOIN connections c ON c.id = r.connection_id JOIN plans p ON p.id = c.plan_id
             WHERE r.resource_type = 'ExplanationOfBenefit' AND r.missing_since IS NULL",
        );
        if !include_sensitive {
            sql.push_str(" AND r.sensitive = 0");
        }
        if !connections.is_empty() {
            sql.push_str(&format!(
                " AND r.connection_id IN ({})",
                vec!["?"; connections.len()].join(",")
            ));
        }
        let mut q = sqlx::query_as::<_, (String, String)>(&sql);
        for c in connections {
            q = q.bind(c.as_str());
        }
        Ok(q.fetch_all(self.pool()).await?)
    }

    /// What a record calls itself (a provider's name, say).
    pub async fn display_of(
        &self,
        connection_id: &str,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT display FROM resources WHERE connection_id = ?1 AND resource_type = ?2 AND resource_id = ?3",
        )
        .bind(connection_id)
        .bind(resource_type)
        .bind(resource_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.and_then(|(d,)| d))
    }

    /// A connection's dated records of one day (`YYYY-MM-DD`), through the date index:
    /// `(type, id, display, clinical date, JSON)`.
    pub async fn records_on_day(
        &self,
        connection_id: &str,
        day: &str,
    ) -> Result<Vec<(String, String, Option<String>, String, String)>, StoreError> {
        // Every date of that day sorts between "day" and "day~" ('~' follows digits and 'T').
        Ok(sqlx::query_as(
            "SELECT resource_type, resource_id, display, clinical_date, raw_json FROM resources
             WHERE clinical_date >= ?2 AND clinical_date < ?2 || '~' AND connection_id = ?1 AND missing_since IS NULL
             ORDER BY clinical_date, rowid LIMIT 500",
        )
        .bind(connection_id)
        .bind(day)
        .fetch_all(self.pool())
        .await?)
    }

    /// Other sources' copies of an item: `(plan name, connection, type, id)`.
    pub async fn copies(
        &self,
        dedupe_key: &str,
    ) -> Result<Vec<(String, String, String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT p.name, r.connection_id, r.resource_type, r.resource_id
             FROM resources r JOIN connections c ON c.id = r.connection_id JOIN plans p ON p.id = c.plan_id
             WHERE r.dedupe_key = ?1 ORDER BY p.name",
        )
        .bind(dedupe_key)
        .fetch_all(self.pool())
        .await?)
    }
}
