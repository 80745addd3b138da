//! Sync: download each connection's records page by page into the store, resumable and
//! incremental, surviving the ways plan APIs misbehave.
//!
//! Per resource type, a *pass* walks a search's pages. Each page is saved with the pass's
//! next link in one transaction, so a crash loses nothing saved and the next sync resumes at
//! the next page. A finished pass records the plan's clock as the type's high-water mark; the
//! next pass asks only for `_lastUpdated=gt` that mark, and every week (or on request) a full
//! pass runs instead and marks what the plan no longer returns.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use folio_secrets::Sensitive;
use folio_smart::{FhirClient, FhirError, Url};
use folio_store::{PageResource, Store};
use rand::RngCore;

use crate::api::{SyncProgress, SyncReport, TypeOutcome, TypeResult};
use crate::{CoreError, Folio};

/// What Folio fetches, in this order, and how it searches for each.
const TYPES: &[&str] = &[
    "Coverage",
    "ExplanationOfBenefit",
    "Encounter",
    "Condition",
    "Observation",
    "DiagnosticReport",
    "MedicationRequest",
    "Immunization",
    "AllergyIntolerance",
    "Procedure",
    "DocumentReference",
    "CarePlan",
    "Goal",
    "Device",
    "MedicationDispense",
];

/// Observation categories US Core servers require one of, searched together (comma = OR).
const OBSERVATION_CATEGORIES: &str =
    "laboratory,vital-signs,social-history,survey,sdoh,imaging,procedure,exam,therapy,activity,functional-status";
const MEDICATION_STATUSES: &str =
    "active,on-hold,cancelled,completed,entered-in-error,stopped,draft,unknown";

/// A full pass at least this often, to notice records the plan no longer returns.
const FULL_PASS_EVERY: Duration = Duration::from_secs(7 * 24 * 3600);
/// A page count no real history reaches: a plan that pages forever is stopped.
const MAX_PAGES_PER_PASS: i64 = 50_000;

/// How to sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Run full passes (not incremental) for every type.
    pub full: bool,
    /// Resources asked for per page (`_count`, a hint to the plan).
    pub page_size: u32,
    /// Types fetched at once.
    pub concurrency: usize,
    /// The largest page accepted.
    pub max_page_bytes: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            full: false,
            page_size: 200,
            concurrency: 3,
            max_page_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Which types the granted scopes cover (SMART v1 and v2 read exactly: a `.write` or `.c`
/// scope reads nothing).
pub(crate) fn scope_allows(scopes: &[String], resource_type: &str) -> bool {
    folio_smart::scopes::grants_reading(scopes, resource_type)
}

/// The first page of the search Folio runs for `resource_type`.
fn search_url(
    client: &FhirClient,
    patient_id: &str,
    page_size: u32,
    resource_type: &str,
    since: Option<&str>,
    fallback: bool,
) -> Result<Url, CoreError> {
    let count = page_size.to_string();
    let mut q: Vec<(&str, &str)> = vec![("patient", patient_id), ("_count", count.as_str())];
    match resource_type {
        "ExplanationOfBenefit" => q.push(("_include", "ExplanationOfBenefit:*")),
        "MedicationRequest" => {
            q.push(("intent", "order,plan"));
            if fallback {
                q.push(("status", MEDICATION_STATUSES));
            }
        }
        "Observation" if fallback => q.push(("category", OBSERVATION_CATEGORIES)),
        _ => {}
    }
    q.push(("_revinclude", "Provenance:target"));
    let since_param;
    if let Some(since) = since {
        since_param = format!("gt{since}");
        q.push(("_lastUpdated", since_param.as_str()));
    }
    client
        .url(resource_type, &q)
        .map_err(|e| CoreError::Fhir(e.to_string(), "malformed"))
}

fn page_resources(page: &folio_smart::Page) -> Vec<PageResource<'_>> {
    page.entries
        .iter()
        .map(|e| PageResource {
            raw_json: e.resource.get(),
        })
        .collect()
}

fn new_pass_id() -> String {
    let mut b = [0u8; 8];
    rand::rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn is_older_than(stamp: Option<&str>, age: Duration) -> bool {
    let Some(stamp) = stamp else { return true };
    let Ok(at) = time::OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339)
    else {
        return true;
    };
    time::OffsetDateTime::now_utc() - at > age
}

/// The request part of a URL (path and query, no host), kept as where a record came from.
fn request_of(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

/// What failed for one type, as stored and shown.
fn failure(error: &FhirError) -> (&'static str, String) {
    let code = match error {
        FhirError::Unauthorized => "reconnect_needed",
        FhirError::Forbidden | FhirError::NotFound(_) => "not_shared",
        FhirError::Rejected { .. } => "rejected",
        FhirError::RateLimited => "rate_limited",
        FhirError::Server(_) => "server_error",
        FhirError::Network(_) => "network",
        FhirError::TooLarge(_) => "too_large",
        FhirError::Malformed(_) => "malformed",
        FhirError::ForeignOrigin(_) => "foreign_link",
    };
    (code, error.to_string())
}

/// A type not tried because the plan was found unreachable during this sync.
fn not_tried(problem: &str) -> CoreError {
    CoreError::Fhir(
        format!("{problem}; not tried again in this sync"),
        "network",
    )
}

struct Job<'a> {
    folio: &'a Folio,
    store: &'a Store,
    client: FhirClient,
    connection_id: String,
    patient_id: String,
    options: SyncOptions,
    cancel: Arc<AtomicBool>,
    /// Set when a request found the plan unreachable after its retries: the types not started
    /// yet fail at once with the same reason instead of each retrying for seconds.
    unreachable: std::sync::OnceLock<String>,
}

enum PassEnd {
    Done { fetched: u32, marked_missing: u64 },
    NotShared,
    Cancelled,
}

impl Job<'_> {
    async fn token(&self) -> Result<Sensitive<String>, CoreError> {
        self.folio.access_token(&self.connection_id).await
    }

    /// GETs a page, refreshing the token once on 401.
    async fn page(
        &self,
        url: &Url,
        token: &mut Sensitive<String>,
    ) -> Result<folio_smart::Page, CoreError> {
        match self.client.page(url, token).await {
            Err(FhirError::Unauthorized) => {
                *token = self
                    .folio
                    .access_token_after_rejection(&self.connection_id, token)
                    .await?;
                Ok(self
                    .client
                    .page(url, token)
                    .await
                    .map_err(|e| CoreError::Fhir(e.to_string(), failure(&e).0))?)
            }
            other => other.map_err(|e| CoreError::Fhir(e.to_string(), failure(&e).0)),
        }
    }

    fn search_url(
        &self,
        resource_type: &str,
        since: Option<&str>,
        fallback: bool,
    ) -> Result<Url, CoreError> {
        search_url(
            &self.client,
            &self.patient_id,
            self.options.page_size,
            resource_type,
            since,
            fallback,
        )
    }

    /// [`Job::run_type`] once a slot is free (and not at all once the sync is cancelled).
    async fn run_type_in_slot<'t>(
        &self,
        slots: &tokio::sync::Semaphore,
        resource_type: &'t str,
        report: &(dyn Fn(SyncProgress) + Send + Sync),
    ) -> (&'t str, Result<PassEnd, CoreError>) {
        let _slot = slots.acquire().await;
        if self.cancel.load(Ordering::SeqCst) {
            return (resource_type, Ok(PassEnd::Cancelled));
        }
        if let Some(problem) = self.unreachable.get() {
            return (resource_type, Err(not_tried(problem)));
        }
        let outcome = self.run_type(resource_type, report).await;
        if let Err(CoreError::Fhir(problem, "network")) = &outcome {
            let _ = self.unreachable.set(problem.clone());
        }
        (resource_type, outcome)
    }

    async fn run_type(
        &self,
        resource_type: &str,
        report: &(dyn Fn(SyncProgress) + Send + Sync),
    ) -> Result<PassEnd, CoreError> {
        let state = self
            .store
            .sync_state(&self.connection_id, resource_type)
            .await?;
        let mut token = self.token().await?;
        // Resume an unfinished pass where it stopped. A plan that no longer knows the stored
        // page (an expired cursor) gets a fresh pass instead; upserts keep it free of doubles.
        if let Some((next, pass)) = state
            .as_ref()
            .and_then(|s| Some((s.next_url.clone()?, s.pass_id.clone()?)))
        {
            if let Ok(url) = Url::parse(&next) {
                match self
                    .walk(resource_type, &pass, url, &mut token, report)
                    .await
                {
                    Err(CoreError::Fhir(_, "not_shared" | "rejected")) => {}
                    other => return other,
                }
            }
        }
        let full = self.options.full
            || state.as_ref().is_none_or(|s| {
                s.high_water.is_none()
                    || is_older_than(s.last_full_pass.as_deref(), FULL_PASS_EVERY)
            });
        let since = if full {
            None
        } else {
            state.as_ref().and_then(|s| s.high_water.clone())
        };
        let mut first = self.search_url(resource_type, since.as_deref(), false)?;
        // The first page tells the plan's clock; a 400 asks for the parameters US Core
        // servers may require (Observation category, MedicationRequest status).
        let probe = match self.page(&first, &mut token).await {
            Err(CoreError::Fhir(_, "rejected"))
                if matches!(resource_type, "Observation" | "MedicationRequest") =>
            {
                first = self.search_url(resource_type, since.as_deref(), true)?;
                self.page(&first, &mut token).await
            }
            other => other,
        };
        let started = match &probe {
            Ok(p) => p.server_date.clone().unwrap_or_else(now_rfc3339),
            Err(CoreError::Fhir(_, "not_shared")) => return Ok(PassEnd::NotShared),
            Err(_) => now_rfc3339(),
        };
        let pass = new_pass_id();
        self.store
            .begin_pass(
                &self.connection_id,
                resource_type,
                &pass,
                full,
                &started,
                first.as_str(),
            )
            .await?;
        let page = probe?;
        match self
            .save(resource_type, &pass, &first, page, report)
            .await?
        {
            Some(next) => {
                self.walk(resource_type, &pass, next, &mut token, report)
                    .await
            }
            None => self.finish(resource_type, report).await,
        }
    }

    /// Follows `next` links from `url` to the end of the pass.
    async fn walk(
        &self,
        resource_type: &str,
        pass_id: &str,
        mut url: Url,
        token: &mut Sensitive<String>,
        report: &(dyn Fn(SyncProgress) + Send + Sync),
    ) -> Result<PassEnd, CoreError> {
        // Pipelined: while one page is saved, the next is fetched.
        let mut seen: HashSet<String> = HashSet::new();
        seen.insert(url.to_string());
        let mut page = self.page(&url, token).await?;
        loop {
            if self.cancel.load(Ordering::SeqCst) {
                return Ok(PassEnd::Cancelled);
            }
            let Some(next) = page.next.clone() else {
                self.save(resource_type, pass_id, &url, page, report)
                    .await?;
                return self.finish(resource_type, report).await;
            };
            if !seen.insert(next.to_string()) {
                self.save(resource_type, pass_id, &url, page, report)
                    .await?;
                return Err(CoreError::Fhir(
                    "the plan's pages lead back to a page already read (a paging loop)".into(),
                    "paging_loop",
                ));
            }
            let mut next_token = token.clone();
            let (saved, fetched) = tokio::join!(
                self.save(resource_type, pass_id, &url, page, report),
                self.page(&next, &mut next_token)
            );
            saved?;
            *token = next_token;
            page = fetched?;
            url = next;
        }
    }

    async fn save(
        &self,
        resource_type: &str,
        pass: &str,
        url: &Url,
        page: folio_smart::Page,
        report: &(dyn Fn(SyncProgress) + Send + Sync),
    ) -> Result<Option<Url>, CoreError> {
        // Reading index fields is CPU work: done on a blocking thread so that fetching and the
        // other types' pages go on meanwhile.
        let (page, fields) = tokio::task::spawn_blocking(move || {
            let fields = folio_store::index_page(&page_resources(&page));
            (page, fields)
        })
        .await
        .map_err(|e| CoreError::Internal(format!("indexing a page failed: {e}")))?;
        let resources = page_resources(&page);
        let next = page.next.clone();
        self.store
            .save_indexed_page(
                &self.connection_id,
                resource_type,
                pass,
                &resources,
                fields,
                &request_of(url),
                next.as_ref().map(Url::as_str),
                page.bytes,
            )
            .await?;
        let state = self
            .store
            .sync_state(&self.connection_id, resource_type)
            .await?;
        if let Some(s) = state {
            if s.pages > MAX_PAGES_PER_PASS {
                return Err(CoreError::Fhir(
                    "the plan sent more pages than any history has".into(),
                    "paging_loop",
                ));
            }
            report(self.progress(&s, false));
        }
        Ok(next)
    }

    fn progress(&self, state: &folio_store::SyncStateRow, done: bool) -> SyncProgress {
        SyncProgress {
            connection_id: self.connection_id.clone(),
            resource_type: state.resource_type.clone(),
            pages: u32::try_from(state.pages).unwrap_or(u32::MAX),
            resources: u32::try_from(state.resources).unwrap_or(u32::MAX),
            bytes: state.bytes as f64,
            done,
        }
    }

    async fn finish(
        &self,
        resource_type: &str,
        report: &(dyn Fn(SyncProgress) + Send + Sync),
    ) -> Result<PassEnd, CoreError> {
        let marked = self
            .store
            .finish_pass(&self.connection_id, resource_type)
            .await?;
        let state = self
            .store
            .sync_state(&self.connection_id, resource_type)
            .await?;
        let fetched = state
            .as_ref()
            .map_or(0, |s| u32::try_from(s.resources).unwrap_or(u32::MAX));
        if let Some(s) = state {
            report(self.progress(&s, true));
        }
        Ok(PassEnd::Done {
            fetched,
            marked_missing: marked,
        })
    }
}

impl Folio {
    /// Syncs one connection. Every type is attempted; one type failing does not stop the others
    /// and is reported with its reason. `report` receives progress after every page.
    pub async fn sync_connection(
        &self,
        connection_id: &str,
        options: SyncOptions,
        report: &(dyn Fn(SyncProgress) + Send + Sync),
    ) -> Result<SyncReport, CoreError> {
        let store = &self.store().await?;
        let row = store
            .connection(connection_id)
            .await?
            .ok_or(CoreError::ConnectionNotFound)?;
        if row.source_kind == "file" {
            return Err(CoreError::InvalidPlan(
                "this is an imported file: there is nothing to download".into(),
            ));
        }
        if row.status != "connected" {
            return Err(CoreError::ReconnectNeeded);
        }
        let plan = store
            .plan(&row.plan_id)
            .await?
            .ok_or(CoreError::PlanNotFound)?;
        let base = folio_smart::parse_fhir_base(&plan.fhir_base)?;
        let cancel = Arc::new(AtomicBool::new(false));
        self.syncs
            .lock()
            .map_err(|_| CoreError::Internal("sync registry poisoned".into()))?
            .insert(connection_id.to_owned(), cancel.clone());
        let job = Job {
            folio: self,
            store,
            client: FhirClient::new(self.http.clone(), base)
                .with_max_page_bytes(options.max_page_bytes),
            connection_id: connection_id.to_owned(),
            patient_id: row.patient_id.clone().unwrap_or_default(),
            options: options.clone(),
            cancel: cancel.clone(),
            unreachable: std::sync::OnceLock::new(),
        };
        let run = store.start_run(connection_id).await?;
        let granted: Vec<String> = row
            .granted_scopes
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let mut results = Vec::new();

        // The member's own Patient resource first (a read, not a search).
        let patient = async {
            let mut token = job.token().await?;
            let url = job
                .client
                .url(&format!("Patient/{}", job.patient_id), &[])
                .map_err(|e| CoreError::Fhir(e.to_string(), "malformed"))?;
            let body = match job.client.get(&url, &token).await {
                Err(FhirError::Unauthorized) => {
                    token = self
                        .access_token_after_rejection(connection_id, &token)
                        .await?;
                    job.client.get(&url, &token).await
                }
                other => other,
            }
            .map_err(|e| CoreError::Fhir(e.to_string(), failure(&e).0))?;
            let text = String::from_utf8(body)
                .map_err(|_| CoreError::Fhir("the Patient is not UTF-8".into(), "malformed"))?;
            let pass = new_pass_id();
            store
                .begin_pass(
                    connection_id,
                    "Patient",
                    &pass,
                    true,
                    &now_rfc3339(),
                    url.as_str(),
                )
                .await?;
            store
                .save_page(
                    connection_id,
                    "Patient",
                    &pass,
                    &[PageResource { raw_json: &text }],
                    &request_of(&url),
                    None,
                    text.len(),
                )
                .await?;
            store.finish_pass(connection_id, "Patient").await?;
            Ok::<(), CoreError>(())
        };
        let patient = patient.await;
        if let Err(CoreError::Fhir(problem, "network")) = &patient {
            let _ = job.unreachable.set(problem.clone());
        }
        results.push(
            self.type_result(
                store,
                connection_id,
                "Patient",
                patient.map(|()| PassEnd::Done {
                    fetched: 1,
                    marked_missing: 0,
                }),
            )
            .await?,
        );

        let types: Vec<&str> = TYPES
            .iter()
            .copied()
            .filter(|t| scope_allows(&granted, t))
            .collect();
        for t in TYPES.iter().filter(|t| !types.contains(t)) {
            store
                .set_type_status(
                    connection_id,
                    t,
                    "not_shared",
                    Some(("not_shared", "you did not share this type with Folio")),
                )
                .await?;
            results.push(TypeResult {
                resource_type: (*t).to_owned(),
                outcome: TypeOutcome::NotShared,
                fetched: 0,
                marked_missing: 0,
                problem: None,
            });
        }
        // At most `concurrency` types in flight; a type starts as soon as another ends (no
        // waiting for the slowest of a group). The semaphore is fair: types start in order.
        let slots = tokio::sync::Semaphore::new(options.concurrency.max(1));
        let outcomes = futures_util::future::join_all(
            types
                .iter()
                .map(|t| job.run_type_in_slot(&slots, t, report)),
        )
        .await;
        for (t, outcome) in outcomes {
            results.push(self.type_result(store, connection_id, t, outcome).await?);
        }
        if let Ok(mut s) = self.syncs.lock() {
            s.remove(connection_id);
        }
        let fetched: u32 = results.iter().map(|r| r.fetched).sum();
        let failed: Vec<&TypeResult> = results
            .iter()
            .filter(|r| r.outcome == TypeOutcome::Failed)
            .collect();
        let cancelled = cancel.load(Ordering::SeqCst);
        let (status, error) = if cancelled {
            ("cancelled", None)
        } else if failed.is_empty() {
            ("succeeded", None)
        } else {
            (
                "failed",
                Some(("types_failed", format!("{} type(s) failed", failed.len()))),
            )
        };
        store
            .finish_run(
                run,
                connection_id,
                status,
                i64::from(fetched),
                error.as_ref().map(|(c, m)| (*c, m.as_str())),
            )
            .await?;
        Ok(SyncReport {
            connection_id: connection_id.to_owned(),
            cancelled,
            types: results,
        })
    }

    async fn type_result(
        &self,
        store: &Store,
        connection_id: &str,
        resource_type: &str,
        outcome: Result<PassEnd, CoreError>,
    ) -> Result<TypeResult, CoreError> {
        let r = |outcome, fetched, marked_missing, problem| TypeResult {
            resource_type: resource_type.to_owned(),
            outcome,
            fetched,
            marked_missing,
            problem,
        };
        Ok(match outcome {
            Ok(PassEnd::Done {
                fetched,
                marked_missing,
            }) => r(
                TypeOutcome::Done,
                fetched,
                u32::try_from(marked_missing).unwrap_or(u32::MAX),
                None,
            ),
            Ok(PassEnd::Cancelled) => r(TypeOutcome::Cancelled, 0, 0, None),
            Ok(PassEnd::NotShared) => {
                store
                    .set_type_status(
                        connection_id,
                        resource_type,
                        "not_shared",
                        Some(("not_shared", "the plan does not share this type")),
                    )
                    .await?;
                r(
                    TypeOutcome::NotShared,
                    0,
                    0,
                    Some("the plan does not share this type".into()),
                )
            }
            Err(CoreError::ReconnectNeeded) => return Err(CoreError::ReconnectNeeded),
            Err(e) => {
                let (code, message) = match &e {
                    CoreError::Fhir(m, c) => ((*c).to_owned(), m.clone()),
                    other => (
                        format!("{:?}", other.code()).to_lowercase(),
                        other.to_string(),
                    ),
                };
                store
                    .set_type_status(
                        connection_id,
                        resource_type,
                        "failed",
                        Some((&code, &message)),
                    )
                    .await?;
                tracing::warn!(connection = %connection_id, resource_type, code = %code, "type failed");
                r(TypeOutcome::Failed, 0, 0, Some(message))
            }
        })
    }

    /// Asks a running sync to stop after its current page; `false` when none runs.
    pub fn cancel_sync(&self, connection_id: &str) -> bool {
        self.syncs
            .lock()
            .ok()
            .and_then(|s| {
                s.get(connection_id)
                    .map(|c| c.store(true, Ordering::SeqCst))
            })
            .is_some()
    }

    /// The first search URL of every type a full sync of this connection would fetch, for
    /// benchmarks that fetch the same pages without Folio (`folio bench sync`).
    pub async fn sync_search_urls(
        &self,
        connection_id: &str,
        page_size: u32,
    ) -> Result<Vec<String>, CoreError> {
        let store = &self.store().await?;
        let row = store
            .connection(connection_id)
            .await?
            .ok_or(CoreError::ConnectionNotFound)?;
        let plan = store
            .plan(&row.plan_id)
            .await?
            .ok_or(CoreError::PlanNotFound)?;
        let client = FhirClient::new(
            self.http.clone(),
            folio_smart::parse_fhir_base(&plan.fhir_base)?,
        );
        let granted: Vec<String> = row
            .granted_scopes
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let patient = row.patient_id.unwrap_or_default();
        TYPES
            .iter()
            .filter(|t| scope_allows(&granted, t))
            .map(|t| {
                search_url(&client, &patient, page_size, t, None, false).map(|u| u.to_string())
            })
            .collect()
    }

    /// SQLite's integrity check of the profile's database.
    pub async fn integrity_ok(&self) -> Result<bool, CoreError> {
        Ok(self.store().await?.integrity_ok().await?)
    }

    /// Resources per connection and type, and items linked across sources.
    pub async fn stats(&self) -> Result<(Vec<folio_store::TypeCount>, i64), CoreError> {
        let store = &self.store().await?;
        Ok((store.type_counts().await?, store.linked_items().await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn granted_scopes_decide_the_types() {
        let s = |l: &[&str]| l.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(scope_allows(&s(&["patient/*.rs"]), "Observation"));
        assert!(scope_allows(
            &s(&["patient/ExplanationOfBenefit.read"]),
            "ExplanationOfBenefit"
        ));
        assert!(!scope_allows(
            &s(&["patient/ExplanationOfBenefit.read"]),
            "Observation"
        ));
        assert!(!scope_allows(&s(&["openid", "launch/patient"]), "Patient"));
        for write_only in ["patient/*.write", "patient/Observation.cud", "patient/*.c"] {
            assert!(
                !scope_allows(&s(&[write_only]), "Observation"),
                "{write_only} reads nothing"
            );
        }
        assert!(scope_allows(&s(&["patient/*.rs"]), "Observation"));
    }

    #[test]
    fn full_passes_come_back_weekly() {
        assert!(is_older_than(None, FULL_PASS_EVERY));
        assert!(is_older_than(Some("2020-01-01T00:00:00Z"), FULL_PASS_EVERY));
        assert!(!is_older_than(Some(&now_rfc3339()), FULL_PASS_EVERY));
    }
}
