//! A profile as a stream of typed entries, for backups (ADR 0011): read out in one snapshot,
//! written back in one transaction.
//!
//! The entries are Folio's own record of what a profile holds, not the SQL schema: each has
//! named fields, new optional fields get defaults, and a later Folio maps them onto whatever
//! its tables are by then. No entry carries a secret: tokens, client secrets, private keys and
//! registration tokens live in the OS keychain and never leave it; a connection names its
//! keychain entry only.

use serde::{Deserialize, Serialize};
use sqlx::{FromRow, QueryBuilder, Sqlite};

use crate::{ConnectionStatus, SourceKind, Store, StoreError};

/// The reason code a connection restored from a backup carries (`last_error_code` with status
/// `reconnect_needed`): its records are here, its tokens are not; signing in again lets the
/// next sync continue from where the backup's bookkeeping stood.
pub const RESTORED_FROM_BACKUP: &str = "restored_from_backup";

/// Resources read (and written back) per statement.
const PAGE: i64 = 1000;
/// Resources per multi-row INSERT on restore (17 columns: well under SQLite's 32,766 variables).
const INSERT_BATCH: usize = 200;

/// One thing a profile holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
/// One JSON line each: `{"kind":"resource","data":{...}}` (the kind first, so a reader
/// knows what it reads before the fields).
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum BackupEntry {
    /// A plan: the catalog's or one the member added (or a file source's).
    Plan(PlanEntry),
    /// A remembered choice.
    Setting(SettingEntry),
    /// A connection to a plan, or a file source, without its tokens.
    Connection(ConnectionEntry),
    /// What a plan's search for one type takes.
    SearchSupport(SearchSupportEntry),
    /// What a plan's FHIR server takes beyond one type.
    PlanSearchSupport(PlanSearchSupportEntry),
    /// Where one type's sync stands for a connection (its high-water mark, its resume point).
    SyncState(SyncStateEntry),
    /// One slice of an unfinished sliced pass.
    SyncSlice(SyncSliceEntry),
    /// One past sync run.
    SyncRun(SyncRunEntry),
    /// One record, verbatim, with what Folio indexed of it.
    Resource(ResourceEntry),
}

/// A plan row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[allow(missing_docs)]
pub struct PlanEntry {
    pub id: String,
    pub name: String,
    pub fhir_base: String,
    pub client_id: String,
    pub redirect_style: String,
    /// `catalog` or `member`.
    pub origin: String,
    #[serde(default)]
    pub logo: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    pub created_at: String,
    #[serde(default)]
    pub is_demo: bool,
    /// The method only; the secret or key it needs is not in a backup.
    #[serde(default = "client_auth_none")]
    pub client_auth: String,
    #[serde(default)]
    pub loopback_port: Option<i64>,
}

fn client_auth_none() -> String {
    "none".into()
}

/// A setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[allow(missing_docs)]
pub struct SettingEntry {
    pub key: String,
    pub value: String,
}

/// A connection row without anything secret (there is nothing secret in it: tokens are in the
/// keychain, which a backup does not read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[allow(missing_docs)]
pub struct ConnectionEntry {
    pub id: String,
    pub plan_id: String,
    #[serde(default)]
    pub patient_id: Option<String>,
    /// The stored spelling (`connected`, `reconnect_needed`, ...).
    pub status: String,
    #[serde(default)]
    pub granted_scopes: String,
    #[serde(default)]
    pub requested_scopes: String,
    pub keychain_account: String,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default)]
    pub last_synced_at: Option<String>,
    #[serde(default)]
    pub last_error_code: Option<String>,
    #[serde(default)]
    pub last_error_message: Option<String>,
    #[serde(default)]
    pub redirect_uri: Option<String>,
    /// `plan` or `file`.
    pub source_kind: String,
    #[serde(default)]
    pub bound_fhir_base: Option<String>,
    #[serde(default)]
    pub authorization_endpoint: Option<String>,
    #[serde(default)]
    pub token_endpoint: Option<String>,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub access_lifetime_secs: Option<i64>,
    #[serde(default)]
    pub access_renewable: Option<bool>,
}

/// A `search_support` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[allow(missing_docs)]
pub struct SearchSupportEntry {
    pub plan_id: String,
    pub resource_type: String,
    #[serde(default)]
    pub includes: Option<String>,
    pub revinclude: bool,
    #[serde(default)]
    pub last_updated: Option<bool>,
    pub us_core_filters: bool,
    pub count: bool,
    #[serde(default)]
    pub id_search: Option<bool>,
    #[serde(default)]
    pub probed_at: Option<String>,
    #[serde(default)]
    pub dropped: Option<String>,
    #[serde(default)]
    pub refused: Option<String>,
    #[serde(default)]
    pub page_size: Option<i64>,
    #[serde(default)]
    pub last_updated_ranges: Option<bool>,
    #[serde(default)]
    pub ranges_checked_at: Option<String>,
}

/// A `plan_search_support` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[allow(missing_docs)]
pub struct PlanSearchSupportEntry {
    pub plan_id: String,
    #[serde(default)]
    pub patient_reference: Option<bool>,
    #[serde(default)]
    pub provenance_target_declared: Option<bool>,
    #[serde(default)]
    pub provenance_target: Option<bool>,
    #[serde(default)]
    pub provenance_target_at: Option<String>,
    #[serde(default)]
    pub operations: Option<String>,
    #[serde(default)]
    pub capabilities_at: Option<String>,
}

/// A `sync_state` row: the high-water mark the next incremental pass starts from, and an
/// unfinished pass's resume point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[allow(missing_docs)]
pub struct SyncStateEntry {
    pub connection_id: String,
    pub resource_type: String,
    pub status: String,
    #[serde(default)]
    pub high_water: Option<String>,
    #[serde(default)]
    pub last_full_pass: Option<String>,
    #[serde(default)]
    pub pass_id: Option<String>,
    #[serde(default)]
    pub pass_full: bool,
    #[serde(default)]
    pub pass_started_at: Option<String>,
    #[serde(default)]
    pub next_url: Option<String>,
    #[serde(default)]
    pub pages: i64,
    #[serde(default)]
    pub resources: i64,
    #[serde(default)]
    pub bytes: i64,
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_message: Option<String>,
    pub updated_at: String,
}

/// A `sync_slices` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[allow(missing_docs)]
pub struct SyncSliceEntry {
    pub connection_id: String,
    pub resource_type: String,
    pub pass_id: String,
    pub slice: i64,
    #[serde(default)]
    pub lower: Option<String>,
    #[serde(default)]
    pub upper: Option<String>,
    #[serde(default)]
    pub next_url: Option<String>,
    #[serde(default)]
    pub pages: i64,
    #[serde(default)]
    pub resources: i64,
}

/// A `sync_runs` row (its id is not kept: runs are numbered again in order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[allow(missing_docs)]
pub struct SyncRunEntry {
    pub connection_id: String,
    pub started_at: String,
    #[serde(default)]
    pub finished_at: Option<String>,
    pub status: String,
    #[serde(default)]
    pub resources_fetched: i64,
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_message: Option<String>,
}

/// A record: its JSON exactly as the plan sent it, and the fields Folio indexed from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[allow(missing_docs)]
pub struct ResourceEntry {
    pub connection_id: String,
    pub resource_type: String,
    pub resource_id: String,
    #[serde(default)]
    pub version_id: Option<String>,
    #[serde(default)]
    pub last_updated: Option<String>,
    #[serde(default)]
    pub clinical_date: Option<String>,
    #[serde(default)]
    pub codes: String,
    #[serde(default)]
    pub display: Option<String>,
    #[serde(default = "no_labels")]
    pub security_labels: String,
    #[serde(default)]
    pub sensitive: bool,
    pub raw_json: String,
    pub fetched_at: String,
    #[serde(default)]
    pub source_request: Option<String>,
    #[serde(default)]
    pub last_seen_pass: Option<String>,
    #[serde(default)]
    pub missing_since: Option<String>,
    #[serde(default)]
    pub dedupe_key: Option<String>,
    #[serde(default)]
    pub full_url: Option<String>,
}

fn no_labels() -> String {
    "[]".into()
}

/// How many entries of each kind went into (or came out of) a backup.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct BackupCounts {
    pub plans: u64,
    pub settings: u64,
    pub connections: u64,
    pub search_support: u64,
    pub plan_search_support: u64,
    pub sync_state: u64,
    pub sync_slices: u64,
    pub sync_runs: u64,
    pub resources: u64,
}

impl BackupCounts {
    fn count(&mut self, entry: &BackupEntry) {
        let n = match entry {
            BackupEntry::Plan(_) => &mut self.plans,
            BackupEntry::Setting(_) => &mut self.settings,
            BackupEntry::Connection(_) => &mut self.connections,
            BackupEntry::SearchSupport(_) => &mut self.search_support,
            BackupEntry::PlanSearchSupport(_) => &mut self.plan_search_support,
            BackupEntry::SyncState(_) => &mut self.sync_state,
            BackupEntry::SyncSlice(_) => &mut self.sync_slices,
            BackupEntry::SyncRun(_) => &mut self.sync_runs,
            BackupEntry::Resource(_) => &mut self.resources,
        };
        *n += 1;
    }
}

impl Store {
    /// Hands every entry of the profile to `sink`, in an order a restore can write them back in
    /// (plans, settings, connections, what plans take, sync bookkeeping, then every record in
    /// the order it was saved), all read from one snapshot of the database: a sync writing
    /// meanwhile is either wholly in the backup or not at all. Records are read a thousand at
    /// a time, so memory stays flat whatever the profile's size.
    pub async fn backup_into<E: From<StoreError>>(
        &self,
        sink: &mut (dyn FnMut(&BackupEntry) -> Result<(), E> + Send),
    ) -> Result<BackupCounts, E> {
        let mut counts = BackupCounts::default();
        // A deferred transaction that reads: one WAL snapshot for the whole walk.
        let mut tx = self.pool().begin().await.map_err(StoreError::from)?;
        let mut put = |entry: BackupEntry| -> Result<(), E> {
            counts.count(&entry);
            sink(&entry)
        };
        macro_rules! all {
            ($variant:ident, $row:ty, $sql:expr) => {
                for row in sqlx::query_as::<_, $row>($sql)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(StoreError::from)?
                {
                    put(BackupEntry::$variant(row))?;
                }
            };
        }
        all!(
            Plan,
            PlanEntry,
            "SELECT id, name, fhir_base, client_id, redirect_style, origin, logo, notes, created_at,
                    is_demo, client_auth, loopback_port FROM plans ORDER BY rowid"
        );
        all!(
            Setting,
            SettingEntry,
            "SELECT key, value FROM settings ORDER BY key"
        );
        all!(
            Connection,
            ConnectionEntry,
            "SELECT id, plan_id, patient_id, status, granted_scopes, requested_scopes,
                    keychain_account, created_at, updated_at, last_synced_at, last_error_code,
                    last_error_message, redirect_uri, source_kind, bound_fhir_base,
                    authorization_endpoint, token_endpoint, revocation_endpoint,
                    access_lifetime_secs, access_renewable
             FROM connections ORDER BY rowid"
        );
        all!(
            SearchSupport,
            SearchSupportEntry,
            "SELECT plan_id, resource_type, includes, revinclude, last_updated, us_core_filters,
                    count, id_search, probed_at, dropped, refused, page_size, last_updated_ranges,
                    ranges_checked_at
             FROM search_support ORDER BY plan_id, resource_type"
        );
        all!(
            PlanSearchSupport,
            PlanSearchSupportEntry,
            "SELECT plan_id, patient_reference, provenance_target_declared, provenance_target,
                    provenance_target_at, operations, capabilities_at
             FROM plan_search_support ORDER BY plan_id"
        );
        all!(
            SyncState,
            SyncStateEntry,
            "SELECT connection_id, resource_type, status, high_water, last_full_pass, pass_id,
                    pass_full, pass_started_at, next_url, pages, resources, bytes, error_code,
                    error_message, updated_at
             FROM sync_state ORDER BY connection_id, resource_type"
        );
        all!(
            SyncSlice,
            SyncSliceEntry,
            "SELECT connection_id, resource_type, pass_id, slice, lower, upper, next_url, pages,
                    resources
             FROM sync_slices ORDER BY connection_id, resource_type, pass_id, slice"
        );
        all!(
            SyncRun,
            SyncRunEntry,
            "SELECT connection_id, started_at, finished_at, status, resources_fetched,
                    error_code, error_message
             FROM sync_runs ORDER BY id"
        );
        let mut after = 0_i64;
        loop {
            let rows: Vec<(i64, ResourceEntry)> = sqlx::query_as::<_, ResourceRow>(
                "SELECT rowid, connection_id, resource_type, resource_id, version_id, last_updated,
                        clinical_date, codes, display, security_labels, sensitive, raw_json,
                        fetched_at, source_request, last_seen_pass, missing_since, dedupe_key,
                        full_url
                 FROM resources WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
            )
            .bind(after)
            .bind(PAGE)
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .into_iter()
            .map(|r| (r.rowid, r.entry))
            .collect();
            let Some(&(last, _)) = rows.last() else {
                break;
            };
            after = last;
            for (_, entry) in rows {
                put(BackupEntry::Resource(entry))?;
            }
        }
        tx.rollback().await.map_err(StoreError::from)?;
        Ok(counts)
    }

    /// Whether the profile holds anything of the member's: a record, a source, a plan they
    /// added, or a sync. (Catalog plans and settings alone do not count: a fresh profile has
    /// them.)
    pub async fn holds_member_data(&self) -> Result<bool, StoreError> {
        let (any,): (bool,) = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM resources) OR EXISTS (SELECT 1 FROM connections)
                 OR EXISTS (SELECT 1 FROM plans WHERE origin = 'member')",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(any)
    }

    /// Starts replacing the profile's member data with a backup's: everything of the member's
    /// is deleted inside one write transaction, which the entries are then written into and
    /// which [`Restore::commit`] ends. Dropped without committing (a damaged file, a failure),
    /// the transaction rolls back and the profile is as it was; the write lock is held all
    /// along, so no sync page lands in between.
    pub async fn begin_restore(&self) -> Result<Restore, StoreError> {
        let writer = self.writer_handle().lock_owned().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        for sql in [
            "DELETE FROM resources",
            "DELETE FROM sync_slices",
            "DELETE FROM sync_state",
            "DELETE FROM sync_runs",
            "DELETE FROM connections",
            "DELETE FROM search_support",
            "DELETE FROM plan_search_support",
            "DELETE FROM plans WHERE origin = 'member'",
            "DELETE FROM settings",
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        Ok(Restore {
            tx,
            _writer: writer,
            resources: Vec::with_capacity(INSERT_BATCH),
            counts: BackupCounts::default(),
        })
    }
}

#[derive(FromRow)]
struct ResourceRow {
    rowid: i64,
    #[sqlx(flatten)]
    entry: ResourceEntry,
}

/// A restore under way: one write transaction (see [`Store::begin_restore`]).
pub struct Restore {
    tx: sqlx::Transaction<'static, Sqlite>,
    _writer: tokio::sync::OwnedMutexGuard<()>,
    resources: Vec<ResourceEntry>,
    counts: BackupCounts,
}

impl std::fmt::Debug for Restore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Restore")
            .field("counts", &self.counts)
            .finish_non_exhaustive()
    }
}

impl Restore {
    /// Writes one entry. A connection to a plan comes back without tokens, so it waits for the
    /// member to sign in again ([`RESTORED_FROM_BACKUP`]) unless the member had disconnected
    /// it; a file source comes back as it was. Catalog plans this Folio carries keep this
    /// Folio's row.
    pub async fn put(&mut self, entry: BackupEntry) -> Result<(), StoreError> {
        self.counts.count(&entry);
        let tx = &mut *self.tx;
        match entry {
            BackupEntry::Resource(r) => {
                self.resources.push(r);
                if self.resources.len() >= INSERT_BATCH {
                    self.flush().await?;
                }
                return Ok(());
            }
            BackupEntry::Plan(p) => {
                let conflict = if p.origin == "catalog" {
                    "DO NOTHING"
                } else {
                    "DO UPDATE SET name = excluded.name, fhir_base = excluded.fhir_base,
                        client_id = excluded.client_id, redirect_style = excluded.redirect_style,
                        origin = excluded.origin, logo = excluded.logo, notes = excluded.notes,
                        is_demo = excluded.is_demo, client_auth = excluded.client_auth,
                        loopback_port = excluded.loopback_port"
                };
                sqlx::query(&format!(
                    "INSERT INTO plans (id, name, fhir_base, client_id, redirect_style, origin, logo,
                         notes, created_at, is_demo, client_auth, loopback_port)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                     ON CONFLICT (id) {conflict}"
                ))
                .bind(p.id)
                .bind(p.name)
                .bind(p.fhir_base)
                .bind(p.client_id)
                .bind(p.redirect_style)
                .bind(p.origin)
                .bind(p.logo)
                .bind(p.notes)
                .bind(p.created_at)
                .bind(p.is_demo)
                .bind(p.client_auth)
                .bind(p.loopback_port)
                .execute(tx)
                .await?;
            }
            BackupEntry::Setting(s) => {
                sqlx::query("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)")
                    .bind(s.key)
                    .bind(s.value)
                    .execute(tx)
                    .await?;
            }
            BackupEntry::Connection(c) => {
                let plan = c.source_kind != SourceKind::File.as_str();
                let waits = plan && c.status != ConnectionStatus::Disconnected.as_str();
                let (status, code, message) = if waits {
                    (
                        ConnectionStatus::ReconnectNeeded.as_str().to_owned(),
                        Some(RESTORED_FROM_BACKUP.to_owned()),
                        Some(
                            "Restored from a backup: connect again to keep it current.".to_owned(),
                        ),
                    )
                } else {
                    (c.status, c.last_error_code, c.last_error_message)
                };
                sqlx::query(
                    "INSERT INTO connections (id, plan_id, patient_id, status, granted_scopes,
                         requested_scopes, token_expires_at, keychain_account, created_at, updated_at,
                         last_synced_at, last_error_code, last_error_message, redirect_uri,
                         source_kind, bound_fhir_base, authorization_endpoint, token_endpoint,
                         revocation_endpoint, access_lifetime_secs, access_renewable)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                         ?16, ?17, ?18, ?19, ?20)",
                )
                .bind(c.id)
                .bind(c.plan_id)
                .bind(c.patient_id)
                .bind(status)
                .bind(c.granted_scopes)
                .bind(c.requested_scopes)
                .bind(c.keychain_account)
                .bind(c.created_at)
                .bind(c.updated_at)
                .bind(c.last_synced_at)
                .bind(code)
                .bind(message)
                .bind(c.redirect_uri)
                .bind(c.source_kind)
                .bind(c.bound_fhir_base)
                .bind(c.authorization_endpoint)
                .bind(c.token_endpoint)
                .bind(c.revocation_endpoint)
                .bind(c.access_lifetime_secs)
                .bind(c.access_renewable)
                .execute(tx)
                .await?;
            }
            BackupEntry::SearchSupport(s) => {
                sqlx::query(
                    "INSERT OR REPLACE INTO search_support (plan_id, resource_type, includes,
                         revinclude, last_updated, us_core_filters, count, id_search, probed_at,
                         dropped, refused, page_size, last_updated_ranges, ranges_checked_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                )
                .bind(s.plan_id)
                .bind(s.resource_type)
                .bind(s.includes)
                .bind(s.revinclude)
                .bind(s.last_updated)
                .bind(s.us_core_filters)
                .bind(s.count)
                .bind(s.id_search)
                .bind(s.probed_at)
                .bind(s.dropped)
                .bind(s.refused)
                .bind(s.page_size)
                .bind(s.last_updated_ranges)
                .bind(s.ranges_checked_at)
                .execute(tx)
                .await?;
            }
            BackupEntry::PlanSearchSupport(s) => {
                sqlx::query(
                    "INSERT OR REPLACE INTO plan_search_support (plan_id, patient_reference,
                         provenance_target_declared, provenance_target, provenance_target_at,
                         operations, capabilities_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .bind(s.plan_id)
                .bind(s.patient_reference)
                .bind(s.provenance_target_declared)
                .bind(s.provenance_target)
                .bind(s.provenance_target_at)
                .bind(s.operations)
                .bind(s.capabilities_at)
                .execute(tx)
                .await?;
            }
            BackupEntry::SyncState(s) => {
                sqlx::query(
                    "INSERT INTO sync_state (connection_id, resource_type, status, high_water,
                         last_full_pass, pass_id, pass_full, pass_started_at, next_url, pages,
                         resources, bytes, error_code, error_message, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                )
                .bind(s.connection_id)
                .bind(s.resource_type)
                .bind(s.status)
                .bind(s.high_water)
                .bind(s.last_full_pass)
                .bind(s.pass_id)
                .bind(s.pass_full)
                .bind(s.pass_started_at)
                .bind(s.next_url)
                .bind(s.pages)
                .bind(s.resources)
                .bind(s.bytes)
                .bind(s.error_code)
                .bind(s.error_message)
                .bind(s.updated_at)
                .execute(tx)
                .await?;
            }
            BackupEntry::SyncSlice(s) => {
                sqlx::query(
                    "INSERT INTO sync_slices (connection_id, resource_type, pass_id, slice, lower,
                         upper, next_url, pages, resources)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .bind(s.connection_id)
                .bind(s.resource_type)
                .bind(s.pass_id)
                .bind(s.slice)
                .bind(s.lower)
                .bind(s.upper)
                .bind(s.next_url)
                .bind(s.pages)
                .bind(s.resources)
                .execute(tx)
                .await?;
            }
            BackupEntry::SyncRun(r) => {
                sqlx::query(
                    "INSERT INTO sync_runs (connection_id, started_at, finished_at, status,
                         resources_fetched, error_code, error_message)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .bind(r.connection_id)
                .bind(r.started_at)
                .bind(r.finished_at)
                .bind(r.status)
                .bind(r.resources_fetched)
                .bind(r.error_code)
                .bind(r.error_message)
                .execute(tx)
                .await?;
            }
        }
        Ok(())
    }

    /// Writes the records collected so far, many to a statement.
    async fn flush(&mut self) -> Result<(), StoreError> {
        if self.resources.is_empty() {
            return Ok(());
        }
        let mut insert: QueryBuilder<'_, Sqlite> = QueryBuilder::new(
            "INSERT INTO resources (connection_id, resource_type, resource_id, version_id,
                 last_updated, clinical_date, codes, display, security_labels, sensitive, raw_json,
                 fetched_at, source_request, last_seen_pass, missing_since, dedupe_key, full_url) ",
        );
        insert.push_values(self.resources.drain(..), |mut b, r| {
            b.push_bind(r.connection_id)
                .push_bind(r.resource_type)
                .push_bind(r.resource_id)
                .push_bind(r.version_id)
                .push_bind(r.last_updated)
                .push_bind(r.clinical_date)
                .push_bind(r.codes)
                .push_bind(r.display)
                .push_bind(r.security_labels)
                .push_bind(r.sensitive)
                .push_bind(r.raw_json)
                .push_bind(r.fetched_at)
                .push_bind(r.source_request)
                .push_bind(r.last_seen_pass)
                .push_bind(r.missing_since)
                .push_bind(r.dedupe_key)
                .push_bind(r.full_url);
        });
        insert.build().execute(&mut *self.tx).await?;
        Ok(())
    }

    /// What has been written so far.
    pub fn counts(&self) -> BackupCounts {
        self.counts
    }

    /// Makes the restore durable: the member's data is now the backup's.
    pub async fn commit(mut self) -> Result<BackupCounts, StoreError> {
        self.flush().await?;
        let counts = self.counts;
        self.tx.commit().await?;
        Ok(counts)
    }
}
