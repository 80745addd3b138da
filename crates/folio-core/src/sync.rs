//! Sync: download each connection's records page by page into the store, resumable and
//! incremental, surviving the ways plan APIs misbehave.
//!
//! Per resource type, a *pass* walks a search's pages. Each page is saved with the pass's
//! next link in one transaction, so a crash loses nothing saved and the next sync resumes at
//! the next page. A finished pass records the plan's clock as the type's high-water mark; the
//! next pass asks only for `_lastUpdated=gt` that mark, and every week (or on request) a full
//! pass runs instead and marks what the plan no longer returns.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use folio_secrets::Sensitive;
use folio_smart::{Capabilities, FhirClient, FhirError, Url};
use folio_store::{PageResource, PlanSearchSupport, SearchSupport, Store};
use rand::RngCore;

use crate::api::{FolioEvent, SyncFailureCode, SyncProgress, SyncReport, TypeOutcome, TypeResult};
use crate::sync_runs::RunGuard;
use crate::{CoreError, Folio, SyncFailure};

mod slices;

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

/// The `_count` Folio sends when a plan refuses a larger one, and before it learned more.
pub const DEFAULT_PAGE_SIZE: u32 = 200;
/// The largest page Folio asks for (`_count` on a probing pass): five times fewer round trips
/// than [`DEFAULT_PAGE_SIZE`] on a long history, while one page of claims (a few kB each)
/// stays a few MB, far below the page byte limit, and a refused or slow page costs little.
/// A plan that gives fewer per page is asked for what it gives.
pub const LARGEST_PAGE: u32 = 1000;

/// The most requests Folio has in flight to one plan during a sync.
pub const MAX_REQUESTS_IN_FLIGHT: usize = 16;

/// How to sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Run full passes (not incremental) for every type.
    pub full: bool,
    /// Resources asked for per page (`_count`, a hint to the plan). `None` (the default):
    /// up to [`LARGEST_PAGE`], learned per plan and type; `Some` fixes it (benchmarks, tests).
    pub page_size: Option<u32>,
    /// Types fetched at once (by default all of them, so every type's first page is asked
    /// for early; the requests themselves are bounded by `requests_in_flight`).
    pub concurrency: usize,
    /// Requests in flight to the plan to start with, across all types: halved when the plan
    /// answers 429 or 503, grown back one at a time up to [`MAX_REQUESTS_IN_FLIGHT`]
    /// (`folio_smart::RequestLimit`).
    pub requests_in_flight: usize,
    /// The largest page accepted.
    pub max_page_bytes: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            full: false,
            page_size: None,
            concurrency: 16,
            requests_in_flight: 8,
            max_page_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Which types the granted scopes cover (SMART v1 and v2 read exactly: a `.write` or `.c`
/// scope reads nothing).
pub(crate) fn scope_allows(scopes: &[String], resource_type: &str) -> bool {
    folio_smart::scopes::grants_reading(scopes, resource_type)
}

/// CARIN Blue Button's specific includes on ExplanationOfBenefit, tried when the wildcard is
/// refused (only those the plan declares, when it declares any).
const C4BB_INCLUDES: &[&str] = &[
    "ExplanationOfBenefit:patient",
    "ExplanationOfBenefit:provider",
    "ExplanationOfBenefit:care-team",
    "ExplanationOfBenefit:coverage",
    "ExplanationOfBenefit:insurer",
    "ExplanationOfBenefit:payee",
];
const EOB_WILDCARD: &str = "ExplanationOfBenefit:*";
const PROVENANCE_REVINCLUDE: &str = "Provenance:target";
/// Token refreshes one request may cause (each after a 401).
const MAX_REFRESHES_PER_REQUEST: u32 = 2;
/// Ids per batched `_id` search for referenced records (and targets per `Provenance?target=`).
const IDS_PER_SEARCH: usize = 50;
/// Pages of one `_id` or `Provenance?target=` search followed at most.
const MAX_LOOKUP_PAGES: usize = 1000;
/// Types whose CapabilityStatement operations are kept for the plan's details (Folio syncs by
/// per-type searches and uses none of them).
const OPERATION_TYPES: &[&str] = &["Patient", "Group", "ExplanationOfBenefit", "Coverage"];

/// The operations a CapabilityStatement declares, as `Type/$name` (`Patient/$everything`).
fn declared_operations(caps: &Capabilities) -> Vec<String> {
    let mut out = Vec::new();
    for ty in OPERATION_TYPES {
        for op in caps.of(ty).map(|t| t.operations.as_slice()).unwrap_or(&[]) {
            let name = format!("{ty}/${}", op.trim_start_matches('$'));
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// Whether a CapabilityStatement declares Provenance's `target` search parameter.
fn declares_provenance_target(caps: Option<&Capabilities>) -> bool {
    caps.and_then(|c| c.of("Provenance"))
        .is_some_and(|p| p.search_params.iter().any(|n| n == "target"))
}

/// A page entry's resource id.
fn resource_id(raw: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Id {
        id: Option<String>,
    }
    serde_json::from_str::<Id>(raw).ok()?.id
}

/// The optional parts of a type's search: what Folio sends beyond `patient`. Each is dropped
/// (or, for US Core's filters, added) by the ladder when a plan refuses the request.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Form {
    /// `_include` values (ExplanationOfBenefit only).
    includes: Vec<String>,
    /// `_revinclude=Provenance:target`.
    revinclude: bool,
    /// `_lastUpdated=gt…` on incremental passes.
    last_updated: bool,
    /// US Core's Observation category / MedicationRequest status filters.
    filters: bool,
    /// `_count`.
    count: bool,
    /// The `_count` sent (unless the sync fixes one).
    page_size: u32,
}

/// One rung of the ladder: which part of the form it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rung {
    Include,
    RevInclude,
    LastUpdated,
    Filters,
    Count,
}

fn has_filters(resource_type: &str) -> bool {
    matches!(resource_type, "Observation" | "MedicationRequest")
}

impl Form {
    /// The richest search the plan's CapabilityStatement allows (everything, when there is
    /// no statement or it does not list the type).
    fn top(resource_type: &str, caps: Option<&Capabilities>) -> Self {
        // A statement that does not list the type declares nothing optional for it.
        let unlisted = folio_smart::TypeCapabilities::default();
        let declared = caps.map(|c| c.of(resource_type).unwrap_or(&unlisted));
        let includes = if resource_type != "ExplanationOfBenefit" {
            Vec::new()
        } else {
            match declared {
                None => vec![EOB_WILDCARD.to_owned()],
                Some(d) if d.search_include.iter().any(|i| i == EOB_WILDCARD) => {
                    vec![EOB_WILDCARD.to_owned()]
                }
                // Listed without includes: the plan does not declare any; none is sent.
                Some(d) if d.search_include.is_empty() => Vec::new(),
                Some(_) => specific_includes(caps),
            }
        };
        Self {
            includes,
            revinclude: declared.is_none_or(|d| {
                d.search_rev_include
                    .iter()
                    .any(|r| r == PROVENANCE_REVINCLUDE)
            }),
            // A listed type without searchParam entries leaves `_lastUpdated` to be tried.
            last_updated: match caps.map(|c| c.of(resource_type)) {
                None => true,
                Some(None) => false,
                Some(Some(d)) => {
                    d.search_params.is_empty()
                        || d.search_params.iter().any(|p| p == "_lastUpdated")
                }
            },
            filters: false,
            count: true,
            page_size: LARGEST_PAGE,
        }
    }

    fn from_stored(s: &SearchSupport) -> Self {
        Self {
            includes: s
                .includes
                .as_deref()
                .unwrap_or("")
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            revinclude: s.revinclude,
            last_updated: s.last_updated != Some(false),
            filters: s.us_core_filters,
            count: s.count,
            // Learned before Folio learned page sizes: what it asked then.
            page_size: s
                .page_size
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(DEFAULT_PAGE_SIZE)
                .clamp(1, LARGEST_PAGE),
        }
    }

    /// The next rung down from this form, or `None` at the bottom. `since` says whether the
    /// search carries `_lastUpdated` (an incremental pass); `fixed_size` whether the sync
    /// fixes the page size (then a large `_count` is not stepped down to the default).
    fn step_down(
        &self,
        resource_type: &str,
        caps: Option<&Capabilities>,
        since: bool,
        fixed_size: bool,
    ) -> Option<(Rung, Form)> {
        let mut next = self.clone();
        let rung = if self.includes.iter().any(|i| i == EOB_WILDCARD) {
            next.includes = specific_includes(caps);
            Rung::Include
        } else if !self.includes.is_empty() {
            next.includes.clear();
            Rung::Include
        } else if self.revinclude {
            next.revinclude = false;
            Rung::RevInclude
        } else if self.last_updated && since {
            next.last_updated = false;
            Rung::LastUpdated
        } else if has_filters(resource_type) && !self.filters {
            next.filters = true;
            Rung::Filters
        } else if self.count && !fixed_size && self.page_size > DEFAULT_PAGE_SIZE {
            // A plan refusing a large `_count` is asked for the default before none.
            next.page_size = DEFAULT_PAGE_SIZE;
            Rung::Count
        } else if self.count {
            next.count = false;
            Rung::Count
        } else {
            return None;
        };
        Some((rung, next))
    }

    /// Forms that put one part back as it was in `start` (after a lower rung worked, the
    /// parts dropped before it may not have been the ones the plan refused).
    fn restored(&self, rung: Rung, start: &Form, caps: Option<&Capabilities>) -> Vec<Form> {
        let mut out = Vec::new();
        let mut with = |f: &dyn Fn(&mut Form)| {
            let mut candidate = self.clone();
            f(&mut candidate);
            if candidate != *self && !out.contains(&candidate) {
                out.push(candidate);
            }
        };
        match rung {
            Rung::Include => {
                with(&|f| f.includes.clone_from(&start.includes));
                let specific = specific_includes(caps);
                with(&|f| f.includes.clone_from(&specific));
            }
            Rung::RevInclude => with(&|f| f.revinclude = start.revinclude),
            Rung::LastUpdated => with(&|f| f.last_updated = start.last_updated),
            Rung::Filters => with(&|f| f.filters = start.filters),
            Rung::Count => {
                with(&|f| f.count = start.count);
                if start.page_size > DEFAULT_PAGE_SIZE {
                    with(&|f| {
                        f.count = start.count;
                        f.page_size = DEFAULT_PAGE_SIZE;
                    });
                }
            }
        }
        out
    }

    fn stored(&self, resource_type: &str, last_updated: Option<bool>) -> SearchSupport {
        SearchSupport {
            resource_type: resource_type.to_owned(),
            includes: Some(self.includes.join(" ")),
            revinclude: self.revinclude,
            last_updated,
            us_core_filters: self.filters,
            count: self.count,
            id_search: None,
            probed_at: None,
            dropped: None,
            refused: None,
            page_size: Some(i64::from(self.page_size)),
        }
    }

    /// Stops relying on what the plan silently dropped: a dropped `_include` or `_revinclude`
    /// is not sent again (the records a claim points at are fetched as for a plan without
    /// includes) and a dropped `_lastUpdated` makes every pass a full one. A dropped `_count`
    /// or US Core filter is harmless to send and is kept.
    fn without_dropped(&mut self, dropped: &[String]) {
        let gone = |p: &str| dropped.iter().any(|d| d == p);
        self.includes
            .retain(|i| !dropped.iter().any(|d| d == &format!("_include={i}")));
        if gone("_revinclude") {
            self.revinclude = false;
        }
        if gone("_lastUpdated") {
            self.last_updated = false;
        }
    }
}

/// The optional parameters of `sent` that the plan's `link[self]` leaves out: what the plan
/// silently did not apply. `_include` is named with its value (`_include=…`), the others by
/// name; parameters a plan adds of its own (`_format`, paging) and their order do not matter.
/// `None` when the self link cannot say (none, not a URL, or it does not even echo the
/// `patient` Folio searched by: a plan that does not echo its query).
fn dropped_params(sent: &Url, self_link: Option<&str>) -> Option<Vec<String>> {
    let link = sent.join(self_link?.trim()).ok()?;
    let echoed: Vec<(String, String)> = link.query_pairs().into_owned().collect();
    if !echoed.iter().any(|(k, _)| k == "patient") {
        return None;
    }
    let mut dropped: Vec<String> = Vec::new();
    for (k, v) in sent.query_pairs() {
        let name = match k.as_ref() {
            "_include" => {
                // A value echoed among comma-separated values still counts as kept.
                let kept = echoed.iter().any(|(ek, ev)| {
                    ek == "_include" && ev.split(',').any(|x| x.trim() == v.as_ref())
                });
                if kept {
                    continue;
                }
                format!("_include={v}")
            }
            "_revinclude" | "_lastUpdated" | "_count" | "category" | "status" => {
                if echoed.iter().any(|(ek, _)| ek == k.as_ref()) {
                    continue;
                }
                k.into_owned()
            }
            _ => continue,
        };
        if !dropped.contains(&name) {
            dropped.push(name);
        }
    }
    Some(dropped)
}

/// The page size a plan gave on a first page asked with `_count=asked`: a smaller `_count` in
/// its self link, or fewer matches than asked with more pages to come. `asked` when the page
/// does not show a cap (it held everything, or exactly `asked`).
fn honoured_page_size(asked: u32, sent: &Url, page: &folio_smart::Page) -> u32 {
    let echoed = page
        .self_link
        .as_deref()
        .and_then(|l| sent.join(l.trim()).ok())
        .and_then(|l| {
            l.query_pairs()
                .find(|(k, _)| k == "_count")
                .and_then(|(_, v)| v.parse::<u32>().ok())
        })
        .filter(|n| (1..asked).contains(n));
    let matched = page.entries.iter().filter(|e| !e.included).count();
    let short = u32::try_from(matched)
        .ok()
        .filter(|m| page.next.is_some() && (1..asked).contains(m));
    match (echoed, short) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(asked),
    }
}

/// What the ladder's refusals say the plan does not take, for the plan's details: the parts
/// `start` sent that `end` (the form that worked) no longer does, for each rung stepped.
fn refused_params(start: &Form, end: &Form, rungs: &[Rung]) -> Vec<String> {
    let mut out = Vec::new();
    for rung in rungs {
        let part = match rung {
            Rung::Include
                if start.includes.iter().any(|i| i == EOB_WILDCARD)
                    && !end.includes.iter().any(|i| i == EOB_WILDCARD) =>
            {
                if end.includes.is_empty() {
                    "_include"
                } else {
                    "_include=*"
                }
            }
            Rung::Include if !start.includes.is_empty() && end.includes.is_empty() => "_include",
            Rung::RevInclude if start.revinclude && !end.revinclude => "_revinclude",
            Rung::LastUpdated if start.last_updated && !end.last_updated => "_lastUpdated",
            Rung::Filters if end.filters => "filters",
            Rung::Count if start.count && !end.count => "_count",
            Rung::Count if end.page_size < start.page_size => "large_count",
            _ => continue,
        };
        if !out.iter().any(|p| p == part) {
            out.push(part.to_owned());
        }
    }
    out
}

fn words(list: &[String]) -> String {
    list.join(" ")
}

fn merged(known: Option<&str>, more: &[String]) -> String {
    let mut all: Vec<String> = known
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    for m in more {
        if !all.contains(m) {
            all.push(m.clone());
        }
    }
    words(&all)
}

/// The specific C4BB includes: those the plan declares when it declares any, else all.
fn specific_includes(caps: Option<&Capabilities>) -> Vec<String> {
    let declared = caps
        .and_then(|c| c.of("ExplanationOfBenefit"))
        .map(|d| d.search_include.as_slice())
        .filter(|d| !d.is_empty());
    C4BB_INCLUDES
        .iter()
        .filter(|i| declared.is_none_or(|d| d.iter().any(|x| x == *i)))
        .map(|i| (*i).to_owned())
        .collect()
}

/// The first page of the search Folio runs for `resource_type` in `form`; `since` is sent as
/// `_lastUpdated=gt…` only when the form keeps `_lastUpdated`.
fn search_url(
    client: &FhirClient,
    patient_id: &str,
    page_size: u32,
    resource_type: &str,
    since: Option<&str>,
    form: &Form,
) -> Result<Url, CoreError> {
    let count = page_size.to_string();
    let mut q: Vec<(&str, &str)> = vec![("patient", patient_id)];
    if form.count {
        q.push(("_count", count.as_str()));
    }
    for include in &form.includes {
        q.push(("_include", include.as_str()));
    }
    match resource_type {
        "MedicationRequest" => {
            q.push(("intent", "order,plan"));
            if form.filters {
                q.push(("status", MEDICATION_STATUSES));
            }
        }
        "Observation" if form.filters => q.push(("category", OBSERVATION_CATEGORIES)),
        _ => {}
    }
    if form.revinclude {
        q.push(("_revinclude", PROVENANCE_REVINCLUDE));
    }
    let since_param;
    if let Some(since) = since.filter(|_| form.last_updated) {
        since_param = format!("gt{since}");
        q.push(("_lastUpdated", since_param.as_str()));
    }
    client
        .url(resource_type, &q)
        .map_err(|e| SyncFailure::Malformed(e.to_string()).into())
}

/// How a first page's request ended, for the ladder.
enum Probe {
    /// A form that works, its request, its page and the rungs stepped down to find it.
    Page(Form, Url, folio_smart::Page, Vec<Rung>),
    /// A failure other than a refusal (the request it happened on).
    Failed(Url, CoreError),
    /// Every rung was refused; the plan's last diagnostics.
    Exhausted(String),
}

fn page_resources(page: &folio_smart::Page) -> Vec<PageResource<'_>> {
    page.entries
        .iter()
        .map(|e| PageResource {
            raw_json: e.resource.get(),
            full_url: e.full_url.as_deref(),
        })
        .collect()
}

/// Whether a page of `resource_type` may need the records its resources point at fetched
/// (see [`linked_of`]): a round trip more per page where the plan does not include them.
fn follows_links(resource_type: &str) -> bool {
    matches!(
        resource_type,
        "ExplanationOfBenefit" | "Encounter" | "MedicationRequest" | "Coverage"
    )
}

/// The records a page's resources point at that a member needs to read them (a claim's
/// provider and insurer, a visit's practitioners, …), as `(Type, id)`.
fn linked_of(
    resources: &[PageResource<'_>],
    fields: &[Option<folio_fhir::IndexFields>],
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (r, f) in resources.iter().zip(fields) {
        let follows = f
            .as_ref()
            .is_some_and(|f| follows_links(&f.key.resource_type));
        if !follows {
            continue;
        }
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(r.raw_json) {
            out.extend(folio_fhir::linked_records(&v));
        }
    }
    out
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

/// What failed for one type, as stored, logged and shown.
fn failure_code(error: &FhirError) -> SyncFailureCode {
    SyncFailure::from(error).code()
}

/// A type not tried because the plan was found unreachable during this sync.
fn not_tried(problem: &str) -> CoreError {
    SyncFailure::Network(format!("{problem}; not tried again in this sync")).into()
}

struct Job<'a> {
    folio: &'a Folio,
    store: &'a Store,
    client: FhirClient,
    connection_id: String,
    /// The plan: what its searches take is remembered per plan.
    plan_id: String,
    patient_id: String,
    options: SyncOptions,
    /// The plan's CapabilityStatement, read once per sync when a type probes (`None`: the
    /// plan did not give one).
    capabilities: tokio::sync::OnceCell<Option<Capabilities>>,
    /// Referenced records already fetched, saved or asked for in this sync (each once).
    linked_seen: std::sync::Mutex<HashSet<(String, String)>>,
    /// What is known of the plan's searches as a whole, as the sync started.
    plan_search: PlanSearchSupport,
    /// The granted scopes let Folio read Provenance.
    provenance_allowed: bool,
    /// Searches name the member as `patient=Patient/<id>` (the plan matches only that form).
    patient_reference: AtomicBool,
    /// A search naming the member by the bare id found records in this sync.
    bare_patient_found: AtomicBool,
    /// `Provenance?target=…` is not sent: the plan refused it (in this sync, or before the
    /// weekly re-probe).
    provenance_target_refused: AtomicBool,
    /// `Provenance?target=…` worked in this sync.
    provenance_target_worked: AtomicBool,
    /// Per type, whether its pass brings Provenance by `_revinclude`.
    revinclude_in_use: std::sync::Mutex<HashMap<String, bool>>,
    cancel: Arc<AtomicBool>,
    /// The run this sync belongs to (named in its events).
    run_id: u32,
    /// Set once a page with resources is saved (the connection's records changed).
    saved: &'a AtomicBool,
    /// New claims, results and decisions counted (`None` on a first download).
    news: Option<&'a crate::news::NewsTally>,
    /// Set when a request found the plan unreachable after its retries: the types not started
    /// yet fail at once with the same reason instead of each retrying for seconds.
    unreachable: std::sync::OnceLock<String>,
    /// Set when a type found the plan refusing a `_count` above the default: the types probed
    /// after it in this sync start at the default instead of each being refused again.
    large_pages_refused: AtomicBool,
    /// When the connection's access ends, for a plan that gave no refresh token: past it no
    /// request is sent with the token in hand (it would only be refused).
    access_ends: Option<std::time::SystemTime>,
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

    /// Before a request: a token known to have expired that nothing can renew is not sent.
    /// Asking for the connection's token again gives the one a new sign-in put there, or
    /// ends the sync with "connect again to finish" ([`CoreError::AccessEnded`]).
    async fn unexpired(&self, token: &mut Sensitive<String>) -> Result<(), CoreError> {
        if self
            .access_ends
            .is_some_and(|end| end <= std::time::SystemTime::now())
        {
            *token = self.token().await?;
        }
        Ok(())
    }

    /// GETs a page, refreshing the token on 401 (see [`Job::page_raw`]).
    async fn page(
        &self,
        url: &Url,
        token: &mut Sensitive<String>,
    ) -> Result<folio_smart::Page, CoreError> {
        self.page_raw(url, token)
            .await?
            .map_err(|e| CoreError::from(SyncFailure::from(e)))
    }

    fn search_url(
        &self,
        resource_type: &str,
        since: Option<&str>,
        form: &Form,
    ) -> Result<Url, CoreError> {
        search_url(
            &self.client,
            &self.patient_param(self.patient_reference.load(Ordering::SeqCst)),
            self.options.page_size.unwrap_or(form.page_size),
            resource_type,
            since,
            form,
        )
    }

    /// How searches name the member: the bare id, or `Patient/<id>` for a plan that matches
    /// only references.
    fn patient_param(&self, reference: bool) -> String {
        if reference {
            format!("Patient/{}", self.patient_id)
        } else {
            self.patient_id.clone()
        }
    }

    /// GETs a page, keeping the plan's own error. A 401 refreshes the token and tries again,
    /// at most twice: with several types in flight a refreshed token can be spent before a
    /// retry waiting out a 429 reaches the plan.
    async fn page_raw(
        &self,
        url: &Url,
        token: &mut Sensitive<String>,
    ) -> Result<Result<folio_smart::Page, FhirError>, CoreError> {
        let mut refreshed = 0;
        loop {
            self.unexpired(token).await?;
            match self.client.page(url, token).await {
                Err(FhirError::Unauthorized) if refreshed < MAX_REFRESHES_PER_REQUEST => {
                    refreshed += 1;
                    *token = self
                        .folio
                        .access_token_after_rejection(&self.connection_id, token)
                        .await?;
                }
                other => return Ok(other),
            }
        }
    }

    /// A first page: `Ok(Err(diagnostics))` when the plan refused the request (400/422).
    async fn first_page(
        &self,
        url: &Url,
        token: &mut Sensitive<String>,
    ) -> Result<Result<folio_smart::Page, String>, CoreError> {
        match self.page_raw(url, token).await? {
            Ok(page) => Ok(Ok(page)),
            Err(FhirError::Rejected {
                status: 400 | 422,
                diagnostics,
            }) => Ok(Err(diagnostics)),
            Err(e) => Err(SyncFailure::from(e).into()),
        }
    }

    /// The plan's CapabilityStatement, read once per sync; a plan without one (or a failure
    /// reading it) leaves every optional parameter to be tried.
    async fn capabilities(&self) -> Option<&Capabilities> {
        self.capabilities
            .get_or_init(|| async {
                let token = self.token().await.ok()?;
                let caps = match self.client.capabilities(&token).await {
                    // A statement listing no type says nothing: every option is tried.
                    Ok(c) if c.is_empty() => None,
                    Ok(c) => Some(c),
                    Err(e) => {
                        tracing::info!(connection = %self.connection_id, code = %failure_code(&e), "no CapabilityStatement");
                        None
                    }
                };
                // Kept for the syncs that do not read it: whether `Provenance?target=` is
                // declared, and the operations offered (the plan's details).
                let operations = caps.as_ref().map(declared_operations).unwrap_or_default();
                if let Err(e) = self
                    .store
                    .set_plan_capabilities(
                        &self.plan_id,
                        declares_provenance_target(caps.as_ref()),
                        &operations,
                    )
                    .await
                {
                    let code = SyncFailureCode::of(&CoreError::Store(e));
                    tracing::warn!(connection = %self.connection_id, %code, "what the plan declares was not stored");
                }
                caps
            })
            .await
            .as_ref()
    }

    /// Steps down the ladder from `start` until the plan takes a first page, then puts back
    /// what was dropped before the rung that worked, one part at a time, where the plan takes
    /// it too.
    async fn ladder(
        &self,
        resource_type: &str,
        start: Form,
        since: Option<&str>,
        caps: Option<&Capabilities>,
        token: &mut Sensitive<String>,
    ) -> Result<Probe, CoreError> {
        let mut form = start.clone();
        let mut rungs: Vec<Rung> = Vec::new();
        let (mut url, mut page) = loop {
            let url = self.search_url(resource_type, since, &form)?;
            match self.first_page(&url, token).await {
                Ok(Ok(page)) => break (url, page),
                Ok(Err(diagnostics)) => {
                    match form.step_down(
                        resource_type,
                        caps,
                        since.is_some(),
                        self.options.page_size.is_some(),
                    ) {
                        Some((rung, next)) => {
                            tracing::info!(connection = %self.connection_id, resource_type, ?rung, "the plan refused a search; stepping down");
                            rungs.push(rung);
                            form = next;
                        }
                        None => return Ok(Probe::Exhausted(diagnostics)),
                    }
                }
                Err(e) => return Ok(Probe::Failed(url, e)),
            }
        };
        let last = rungs.last().copied();
        let mut earlier: Vec<Rung> = Vec::new();
        for r in rungs.iter().copied() {
            if Some(r) != last && !earlier.contains(&r) {
                earlier.push(r);
            }
        }
        for rung in earlier {
            if rung == Rung::LastUpdated && since.is_none() {
                continue;
            }
            for candidate in form.restored(rung, &start, caps) {
                let try_url = self.search_url(resource_type, since, &candidate)?;
                match self.first_page(&try_url, token).await {
                    Ok(Ok(p)) => {
                        form = candidate;
                        url = try_url;
                        page = p;
                        break;
                    }
                    Ok(Err(_)) => {}
                    // A failure while restoring keeps the form that worked.
                    Err(_) => return Ok(Probe::Page(form, url, page, rungs)),
                }
            }
        }
        Ok(Probe::Page(form, url, page, rungs))
    }

    /// After a first page that matched nothing for the bare patient id: the same search naming
    /// the member as `Patient/<id>`, once, unless this sync already knows which form the plan
    /// takes. When that finds records the plan matches only references: remembered for the
    /// plan and used by every search from then on. `None`: keep the first page.
    async fn patient_as_reference(
        &self,
        resource_type: &str,
        since: Option<&str>,
        form: &Form,
        asked: &Url,
        page: &folio_smart::Page,
        token: &mut Sensitive<String>,
    ) -> Result<Option<(Url, folio_smart::Page)>, CoreError> {
        let matched = |p: &folio_smart::Page| p.entries.iter().any(|e| !e.included);
        // Known, and this page was asked that way. (With types in flight side by side, a page
        // asked with the bare id can come back after another type learned the reference form.)
        let reference = self.patient_param(true);
        if self.patient_reference.load(Ordering::SeqCst)
            && asked.query_pairs().any(|(_, v)| v == reference.as_str())
        {
            return Ok(None);
        }
        if matched(page) {
            if !self.bare_patient_found.swap(true, Ordering::SeqCst)
                && self.plan_search.patient_reference != Some(false)
            {
                self.store
                    .set_patient_reference(&self.plan_id, false)
                    .await?;
            }
            return Ok(None);
        }
        if page.next.is_some() || self.bare_patient_found.load(Ordering::SeqCst) {
            return Ok(None);
        }
        let url = search_url(
            &self.client,
            &self.patient_param(true),
            self.options.page_size.unwrap_or(form.page_size),
            resource_type,
            since,
            form,
        )?;
        match self.first_page(&url, token).await {
            Ok(Ok(p)) if matched(&p) => {
                tracing::info!(connection = %self.connection_id, resource_type, "the plan matches the member only as Patient/<id>");
                if !self.patient_reference.swap(true, Ordering::SeqCst) {
                    self.store
                        .set_patient_reference(&self.plan_id, true)
                        .await?;
                }
                Ok(Some((url, p)))
            }
            Err(CoreError::ReconnectNeeded) => Err(CoreError::ReconnectNeeded),
            _ => Ok(None),
        }
    }

    /// Whether a page of `resource_type` gets its Provenance by `Provenance?target=…`: the
    /// pass brings none by `_revinclude` (refused or silently dropped), the member shared
    /// Provenance, the plan declares the search and has not refused it.
    async fn provenance_by_target(&self, resource_type: &str) -> Result<bool, CoreError> {
        if !self.provenance_allowed || self.provenance_target_refused.load(Ordering::SeqCst) {
            return Ok(false);
        }
        let declared = match self.capabilities.get() {
            Some(caps) => declares_provenance_target(caps.as_ref()),
            None => self.plan_search.provenance_target_declared == Some(true),
        };
        if !declared {
            return Ok(false);
        }
        let in_use = self
            .revinclude_in_use
            .lock()
            .ok()
            .and_then(|m| m.get(resource_type).copied());
        let revinclude = match in_use {
            Some(r) => r,
            // A pass resumed from an earlier sync: what was stored for the type.
            None => self
                .store
                .search_support(&self.plan_id, resource_type)
                .await?
                .is_none_or(|s| s.revinclude),
        };
        Ok(!revinclude)
    }

    /// The Provenance of `targets` (`Type/id`): `Provenance?target=a,b,c` in batches, every
    /// page of each, each Provenance once per sync. A refusal (400/422) is remembered for the
    /// plan and nothing more is asked; other failures leave the Provenance out.
    async fn fetch_provenance(
        &self,
        targets: &[String],
    ) -> Result<Vec<(String, Option<String>)>, CoreError> {
        let mut out = Vec::new();
        if targets.is_empty() {
            return Ok(out);
        }
        let mut token = self.token().await?;
        for chunk in targets.chunks(IDS_PER_SEARCH) {
            if self.provenance_target_refused.load(Ordering::SeqCst) {
                break;
            }
            let joined = chunk.join(",");
            let mut url = self
                .client
                .url("Provenance", &[("target", joined.as_str())])
                .map_err(|e| SyncFailure::Malformed(e.to_string()))?;
            let mut pages = 0;
            loop {
                pages += 1;
                let page = match self.page_raw(&url, &mut token).await? {
                    Ok(page) => page,
                    Err(FhirError::Rejected {
                        status: 400 | 422, ..
                    }) if pages == 1 => {
                        tracing::info!(connection = %self.connection_id, "the plan refused Provenance?target=; not asked again until the weekly re-probe");
                        if !self.provenance_target_refused.swap(true, Ordering::SeqCst) {
                            self.store
                                .set_provenance_target(&self.plan_id, false)
                                .await?;
                        }
                        break;
                    }
                    Err(e) => {
                        tracing::info!(connection = %self.connection_id, code = %failure_code(&e), "Provenance not fetched");
                        break;
                    }
                };
                if !self.provenance_target_worked.swap(true, Ordering::SeqCst) {
                    self.store
                        .set_provenance_target(&self.plan_id, true)
                        .await?;
                }
                {
                    let mut seen = self
                        .linked_seen
                        .lock()
                        .map_err(|_| CoreError::Internal("linked records poisoned".into()))?;
                    for e in page.entries.iter().filter(|e| !e.included) {
                        let raw = e.resource.get();
                        let Some(id) = resource_id(raw) else { continue };
                        if seen.insert(("Provenance".to_owned(), id)) {
                            out.push((raw.to_owned(), e.full_url.clone()));
                        }
                    }
                }
                match page.next {
                    Some(next) if pages < MAX_LOOKUP_PAGES => url = next,
                    _ => break,
                }
            }
        }
        Ok(out)
    }

    /// Whether the plan takes `_lastUpdated` on this type's search in `form`: one request for
    /// what changed after `after` (an empty page). `None` when the plan could not say.
    async fn probe_last_updated(
        &self,
        resource_type: &str,
        form: &Form,
        after: &str,
        token: &mut Sensitive<String>,
    ) -> Result<Option<bool>, CoreError> {
        let url = self.search_url(resource_type, Some(after), form)?;
        Ok(match self.first_page(&url, token).await {
            // Taken, unless its self link shows the plan silently left it out.
            Ok(Ok(page)) => Some(
                !dropped_params(&url, page.self_link.as_deref())
                    .is_some_and(|d| d.iter().any(|p| p == "_lastUpdated")),
            ),
            Ok(Err(_)) => Some(false),
            Err(e @ (CoreError::ReconnectNeeded | CoreError::AccessEnded)) => return Err(e),
            Err(_) => None,
        })
    }

    /// [`Job::run_type`] once a slot is free (and not at all once the sync is cancelled).
    async fn run_type_in_slot<'t>(
        &self,
        slots: &tokio::sync::Semaphore,
        resource_type: &'t str,
    ) -> (&'t str, Result<PassEnd, CoreError>) {
        let _slot = slots.acquire().await;
        if self.cancel.load(Ordering::SeqCst) {
            return (resource_type, Ok(PassEnd::Cancelled));
        }
        if let Some(problem) = self.unreachable.get() {
            return (resource_type, Err(not_tried(problem)));
        }
        let outcome = self.run_type(resource_type).await;
        if let Err(CoreError::Sync(SyncFailure::Network(problem))) = &outcome {
            let _ = self.unreachable.set(problem.clone());
        }
        (resource_type, outcome)
    }

    async fn run_type(&self, resource_type: &str) -> Result<PassEnd, CoreError> {
        let state = self
            .store
            .sync_state(&self.connection_id, resource_type)
            .await?;
        let mut token = self.token().await?;
        // Resume an unfinished sliced pass: every slice where it stopped.
        if let Some(pass) = state.as_ref().and_then(|s| s.pass_id.clone()) {
            match self.resume_slices(resource_type, &pass, &token).await {
                Err(CoreError::Sync(SyncFailure::NotShared(_) | SyncFailure::Rejected(_)))
                | Ok(None) => {}
                Ok(Some(end)) => return Ok(end),
                Err(e) => return Err(e),
            }
        }
        // Resume an unfinished pass where it stopped. A plan that no longer knows the stored
        // page (an expired cursor) gets a fresh pass instead; upserts keep it free of doubles.
        if let Some((next, pass)) = state
            .as_ref()
            .and_then(|s| Some((s.next_url.clone()?, s.pass_id.clone()?)))
        {
            if let Ok(url) = Url::parse(&next) {
                match self.walk(resource_type, &pass, url, &mut token, None).await {
                    Err(CoreError::Sync(SyncFailure::NotShared(_) | SyncFailure::Rejected(_))) => {}
                    other => return other,
                }
            }
        }
        let due_full = self.options.full
            || state.as_ref().is_none_or(|s| {
                s.high_water.is_none()
                    || is_older_than(s.last_full_pass.as_deref(), FULL_PASS_EVERY)
            });
        // What the plan's search takes: remembered from the last probe, or probed again from
        // the top (weekly, on a requested full pass, or never probed) after reading what the
        // plan declares.
        let known = self
            .store
            .search_support(&self.plan_id, resource_type)
            .await?
            .filter(|k| {
                !self.options.full
                    && k.includes.is_some()
                    && !is_older_than(k.probed_at.as_deref(), FULL_PASS_EVERY)
            });
        let reprobe = known.is_none();
        let caps = if reprobe {
            self.capabilities().await
        } else {
            None
        };
        let start = match &known {
            Some(k) => Form::from_stored(k),
            None => {
                let mut top = Form::top(resource_type, caps);
                if self.large_pages_refused.load(Ordering::SeqCst) {
                    top.page_size = DEFAULT_PAGE_SIZE;
                }
                top
            }
        };
        let since = if due_full {
            None
        } else {
            state.as_ref().and_then(|s| s.high_water.clone())
        };
        let (mut form, mut first, mut probe, rungs) = match self
            .ladder(
                resource_type,
                start.clone(),
                since.as_deref(),
                caps,
                &mut token,
            )
            .await?
        {
            Probe::Page(form, url, page, rungs) => (form, url, Ok(page), rungs),
            Probe::Failed(url, e) => (start.clone(), url, Err(e), Vec::new()),
            Probe::Exhausted(diagnostics) => {
                return Err(SyncFailure::Rejected(format!(
                    "the plan refused every form of this search: {diagnostics}"
                ))
                .into())
            }
        };
        // A probing full pass that found nothing for the bare id asks once more naming the
        // member as `Patient/<id>` (a plan that matches only references).
        if reprobe && (since.is_none() || !form.last_updated) {
            if let Ok(page) = &probe {
                if let Some((url, page)) = self
                    .patient_as_reference(
                        resource_type,
                        since.as_deref(),
                        &form,
                        &first,
                        page,
                        &mut token,
                    )
                    .await?
                {
                    first = url;
                    probe = Ok(page);
                }
            }
        }
        // What the first page's self link says the plan silently left out is not relied on,
        // and the page size it gives is asked for from now on.
        let worked = form.clone();
        if rungs.contains(&Rung::Count) && worked.count && worked.page_size < start.page_size {
            self.large_pages_refused.store(true, Ordering::SeqCst);
        }
        let mut dropped: Option<Vec<String>> = None;
        if let Ok(page) = &probe {
            dropped = dropped_params(&first, page.self_link.as_deref());
            if let Some(d) = dropped.as_ref().filter(|d| !d.is_empty()) {
                tracing::info!(connection = %self.connection_id, resource_type, dropped = %words(d), "the plan silently left out search parameters");
                form.without_dropped(d);
            }
            if form.count && self.options.page_size.is_none() {
                form.page_size = honoured_page_size(form.page_size, &first, page);
            }
        }
        if let Ok(mut in_use) = self.revinclude_in_use.lock() {
            in_use.insert(resource_type.to_owned(), form.revinclude);
        }
        // Without `_lastUpdated` the pass reads everything: a full pass.
        let full = since.is_none() || !form.last_updated;
        let started = match &probe {
            Ok(p) => p.server_date.clone().unwrap_or_else(now_rfc3339),
            Err(CoreError::Sync(SyncFailure::NotShared(_))) => return Ok(PassEnd::NotShared),
            Err(_) => now_rfc3339(),
        };
        let newly_dropped = dropped.as_ref().is_some_and(|d| {
            d.iter().any(|p| {
                !known
                    .as_ref()
                    .and_then(|k| k.dropped.as_deref())
                    .is_some_and(|k| k.split_whitespace().any(|x| x == p))
            })
        });
        if probe.is_ok() && (reprobe || form != start || newly_dropped) {
            let last_updated = if !form.last_updated {
                Some(false)
            } else if since.is_some() {
                Some(true)
            } else if reprobe {
                self.probe_last_updated(resource_type, &form, &started, &mut token)
                    .await?
            } else {
                known.as_ref().and_then(|k| k.last_updated)
            };
            let mut stored = form.stored(resource_type, last_updated);
            if last_updated == Some(false) && form.last_updated && reprobe {
                // The empty probe showed `_lastUpdated` dropped silently.
                dropped
                    .get_or_insert_with(Vec::new)
                    .push("_lastUpdated".into());
                form.last_updated = false;
                stored.last_updated = Some(false);
            }
            let this_pass = dropped.clone().unwrap_or_default();
            let this_refused = refused_params(&start, &worked, &rungs);
            if reprobe {
                stored.dropped = dropped.as_deref().map(words);
                stored.refused = Some(words(&this_refused));
            } else {
                let k = known.as_ref();
                stored.dropped = Some(merged(k.and_then(|k| k.dropped.as_deref()), &this_pass));
                stored.refused = Some(merged(k.and_then(|k| k.refused.as_deref()), &this_refused));
                stored.probed_at = k.and_then(|k| k.probed_at.clone());
            }
            if self.options.page_size.is_some() {
                // A page size the sync fixed teaches nothing about the plan.
                stored.page_size = known.as_ref().and_then(|k| k.page_size);
            }
            self.store.save_search_form(&self.plan_id, &stored).await?;
        }
        let pass = new_pass_id();
        // A long chain is paged in slices side by side where the plan takes them.
        if let Ok(page) = &probe {
            if let Some(slices) = self
                .slices_for(resource_type, &form, &first, page, &started, &mut token)
                .await?
            {
                self.store
                    .begin_sliced_pass(
                        &self.connection_id,
                        resource_type,
                        &pass,
                        full,
                        &started,
                        &slices,
                    )
                    .await?;
                let open = slices
                    .iter()
                    .zip(0..)
                    .filter_map(|(s, n)| Some((n, Url::parse(&s.first_url).ok()?)))
                    .collect();
                return self.run_slices(resource_type, &pass, open, &token).await;
            }
        }
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
        match self.save(resource_type, &pass, None, &first, page).await? {
            Some(next) => {
                self.walk(resource_type, &pass, next, &mut token, None)
                    .await
            }
            None => self.finish(resource_type).await,
        }
    }

    /// Follows `next` links from `url` to the end of the pass (or of its `slice`, which ends
    /// without ending the pass).
    async fn walk(
        &self,
        resource_type: &str,
        pass_id: &str,
        mut url: Url,
        token: &mut Sensitive<String>,
        slice: Option<i64>,
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
                self.save(resource_type, pass_id, slice, &url, page).await?;
                return match slice {
                    None => self.finish(resource_type).await,
                    Some(_) => Ok(PassEnd::Done {
                        fetched: 0,
                        marked_missing: 0,
                    }),
                };
            };
            if !seen.insert(next.to_string()) {
                self.save(resource_type, pass_id, slice, &url, page).await?;
                return Err(SyncFailure::PagingLoop(
                    "the plan's pages lead back to a page already read (a paging loop)".into(),
                )
                .into());
            }
            let mut next_token = token.clone();
            let (saved, fetched) = tokio::join!(
                self.save(resource_type, pass_id, slice, &url, page),
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
        slice: Option<i64>,
        url: &Url,
        page: folio_smart::Page,
    ) -> Result<Option<Url>, CoreError> {
        // Reading index fields (and the records the page's resources point at) is CPU work:
        // done on a blocking thread so that fetching and the other types' pages go on meanwhile.
        let (page, fields, links) = tokio::task::spawn_blocking(move || {
            let resources = page_resources(&page);
            let fields = folio_store::index_page(&resources);
            let links = linked_of(&resources, &fields);
            (page, fields, links)
        })
        .await
        .map_err(|e| CoreError::Internal(format!("indexing a page failed: {e}")))?;
        // What the page's resources point at and neither the page nor the store holds (a plan
        // without a working `_include`): fetched now and saved with the page, in its
        // transaction.
        let page_keys: Vec<(String, String)> = fields
            .iter()
            .flatten()
            .map(|f| (f.key.resource_type.clone(), f.key.id.clone()))
            .collect();
        // The page's own records, for their Provenance when `_revinclude` does not bring it.
        let targets: Vec<String> = page
            .entries
            .iter()
            .zip(&fields)
            .filter(|(e, _)| !e.included)
            .filter_map(|(_, f)| f.as_ref())
            .filter(|f| !matches!(f.key.resource_type.as_str(), "Provenance" | "Patient"))
            .map(|f| format!("{}/{}", f.key.resource_type, f.key.id))
            .collect();
        let mut linked = self.fetch_linked(page_keys, links).await?;
        if !targets.is_empty() && self.provenance_by_target(resource_type).await? {
            linked.extend(self.fetch_provenance(&targets).await?);
        }
        let linked: Vec<PageResource<'_>> = linked
            .iter()
            .map(|(raw, full_url)| PageResource {
                raw_json: raw,
                full_url: full_url.as_deref(),
            })
            .collect();
        let linked_fields = folio_store::index_page(&linked);
        let mut resources = page_resources(&page);
        let mut fields = fields;
        let bytes = page.bytes + linked.iter().map(|r| r.raw_json.len()).sum::<usize>();
        resources.extend(linked);
        fields.extend(linked_fields);
        let next = page.next.clone();
        let saved = match slice {
            None => {
                self.store
                    .save_page(
                        &self.connection_id,
                        resource_type,
                        pass,
                        &resources,
                        fields,
                        &request_of(url),
                        next.as_ref().map(Url::as_str),
                        bytes,
                    )
                    .await?
            }
            Some(slice) => {
                self.store
                    .save_slice_page(
                        &self.connection_id,
                        resource_type,
                        pass,
                        slice,
                        &resources,
                        fields,
                        &request_of(url),
                        next.as_ref().map(Url::as_str),
                        bytes,
                    )
                    .await?
            }
        };
        if !resources.is_empty() {
            self.saved.store(true, Ordering::SeqCst);
        }
        if let Some(news) = self.news {
            news.count_page(&resources, &saved.outcome.inserted_at);
        }
        // The pass as the save left it: no second read of the sync state.
        if saved.state.pages > MAX_PAGES_PER_PASS {
            return Err(SyncFailure::PagingLoop(
                "the plan sent more pages than any history has".into(),
            )
            .into());
        }
        self.report(&saved.state, false);
        Ok(next)
    }

    /// Fetches the records in `links` that this sync has not met yet and the connection does
    /// not hold: batched `_id` searches where the plan takes them, else one read each. Each
    /// record is asked for once per sync; one that cannot be fetched is left out (the next
    /// sync asks again). `page_keys` are the records the page itself carries.
    async fn fetch_linked(
        &self,
        page_keys: Vec<(String, String)>,
        links: Vec<(String, String)>,
    ) -> Result<Vec<(String, Option<String>)>, CoreError> {
        let wanted: Vec<(String, String)> = {
            let mut seen = self
                .linked_seen
                .lock()
                .map_err(|_| CoreError::Internal("linked records poisoned".into()))?;
            seen.extend(page_keys);
            links
                .into_iter()
                .filter(|k| seen.insert(k.clone()))
                .collect()
        };
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let held = self.store.held_keys(&self.connection_id, &wanted).await?;
        let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (ty, id) in wanted.into_iter().filter(|k| !held.contains(k)) {
            by_type.entry(ty).or_default().push(id);
        }
        let mut out = Vec::new();
        if by_type.is_empty() {
            return Ok(out);
        }
        let mut token = self.token().await?;
        for (ty, ids) in by_type {
            let id_search = self
                .store
                .search_support(&self.plan_id, &ty)
                .await?
                .and_then(|s| s.id_search);
            let mut refused = id_search == Some(false);
            let mut read_each: Vec<String> = Vec::new();
            for chunk in ids.chunks(IDS_PER_SEARCH) {
                if refused {
                    read_each.extend_from_slice(chunk);
                    continue;
                }
                match self.search_ids(&ty, chunk, &mut token).await? {
                    Some(found) => {
                        out.extend(found);
                        if id_search.is_none() {
                            self.store.set_id_search(&self.plan_id, &ty, true).await?;
                        }
                    }
                    None => {
                        refused = true;
                        self.store.set_id_search(&self.plan_id, &ty, false).await?;
                        read_each.extend_from_slice(chunk);
                    }
                }
            }
            for id in read_each {
                if let Some(raw) = self.read_linked(&ty, &id, &mut token).await? {
                    out.push((raw, None));
                }
            }
        }
        Ok(out)
    }

    /// `Type?_id=a,b,c`, every page of it. `None` when the plan refuses the search (400/422);
    /// other failures leave the records out.
    async fn search_ids(
        &self,
        resource_type: &str,
        ids: &[String],
        token: &mut Sensitive<String>,
    ) -> Result<Option<Vec<(String, Option<String>)>>, CoreError> {
        let joined = ids.join(",");
        let mut url = self
            .client
            .url(resource_type, &[("_id", joined.as_str())])
            .map_err(|e| SyncFailure::Malformed(e.to_string()))?;
        let mut out = Vec::new();
        let mut pages = 0;
        loop {
            pages += 1;
            let page = match self.page_raw(&url, token).await? {
                Ok(page) => page,
                Err(FhirError::Rejected {
                    status: 400 | 422, ..
                }) if pages == 1 => return Ok(None),
                Err(e) => {
                    tracing::info!(connection = %self.connection_id, resource_type, code = %failure_code(&e), "referenced records not fetched");
                    return Ok(Some(out));
                }
            };
            out.extend(
                page.entries
                    .iter()
                    .filter(|e| !e.included)
                    .map(|e| (e.resource.get().to_owned(), e.full_url.clone())),
            );
            match page.next {
                Some(next) if pages < ids.len().max(1) => url = next,
                _ => return Ok(Some(out)),
            }
        }
    }

    /// `Type/id`; `None` when the plan does not give it.
    async fn read_linked(
        &self,
        resource_type: &str,
        id: &str,
        token: &mut Sensitive<String>,
    ) -> Result<Option<String>, CoreError> {
        let path = format!("{resource_type}/{id}");
        self.unexpired(token).await?;
        let read = match self.client.read(&path, token).await {
            Err(FhirError::Unauthorized) => {
                *token = self
                    .folio
                    .access_token_after_rejection(&self.connection_id, token)
                    .await?;
                self.client.read(&path, token).await
            }
            other => other,
        };
        match read {
            Ok(raw) => Ok(Some(raw.get().to_owned())),
            Err(e) => {
                tracing::info!(connection = %self.connection_id, resource_type, code = %failure_code(&e), "a referenced record was not fetched");
                Ok(None)
            }
        }
    }

    /// Sends a type's progress to the event stream.
    fn report(&self, state: &folio_store::SyncStateRow, done: bool) {
        self.folio.emit(FolioEvent::SyncProgress {
            run_id: self.run_id,
            progress: SyncProgress {
                connection_id: self.connection_id.clone(),
                resource_type: state.resource_type.clone(),
                pages: u32::try_from(state.pages).unwrap_or(u32::MAX),
                resources: u32::try_from(state.resources).unwrap_or(u32::MAX),
                bytes: state.bytes as f64,
                done,
            },
        });
    }

    async fn finish(&self, resource_type: &str) -> Result<PassEnd, CoreError> {
        let finished = self
            .store
            .finish_pass(&self.connection_id, resource_type)
            .await?;
        self.report(&finished.state, true);
        Ok(PassEnd::Done {
            fetched: u32::try_from(finished.state.resources).unwrap_or(u32::MAX),
            marked_missing: finished.marked_missing,
        })
    }
}

/// A connection checked and ready to sync: a plan connection that is connected.
pub(crate) struct Prepared {
    row: folio_store::ConnectionRow,
    base: Url,
}

impl Prepared {
    pub(crate) fn connection_id(&self) -> &str {
        &self.row.id
    }
}

/// Whether a report shows records saved or marked missing.
fn changed_records(report: &SyncReport) -> bool {
    report
        .types
        .iter()
        .any(|t| t.fetched > 0 || t.marked_missing > 0)
}

impl Folio {
    /// Checks that `connection_id` can sync now.
    pub(crate) async fn prepare_sync(&self, connection_id: &str) -> Result<Prepared, CoreError> {
        let store = self.store().await?;
        let row = store
            .connection(connection_id)
            .await?
            .ok_or(CoreError::ConnectionNotFound)?;
        if row.source_kind == folio_store::SourceKind::File {
            return Err(CoreError::InvalidPlan(
                "this is an imported file: there is nothing to download".into(),
            ));
        }
        if row.status != folio_store::ConnectionStatus::Connected {
            return Err(CoreError::ReconnectNeeded);
        }
        let plan = store
            .plan(&row.plan_id)
            .await?
            .ok_or(CoreError::PlanNotFound)?;
        let base = folio_smart::parse_fhir_base(&plan.fhir_base)?;
        Ok(Prepared { row, base })
    }

    /// Runs one registered sync with its events, `SyncStarted` first and `SyncFinished` last.
    /// The registry entry goes with `guard`: before `SyncFinished` is sent, and on every
    /// other way out of this future.
    pub(crate) async fn run_registered(
        &self,
        prepared: Prepared,
        guard: RunGuard,
        options: SyncOptions,
    ) -> Result<SyncReport, CoreError> {
        let run_id = guard.run_id;
        let connection_id = guard.connection_id.clone();
        self.emit(FolioEvent::SyncStarted {
            run_id,
            connection_id: connection_id.clone(),
        });
        let saved = AtomicBool::new(false);
        let news = crate::news::NewsTally::default();
        let outcome = self
            .sync_prepared(&prepared, &guard, &saved, &news, options)
            .await;
        drop(guard);
        let records_changed = match &outcome {
            Ok(report) => changed_records(report) || saved.load(Ordering::SeqCst),
            Err(_) => saved.load(Ordering::SeqCst),
        };
        if records_changed {
            self.emit(FolioEvent::RecordsChanged {
                connection_id: connection_id.clone(),
                new_records: news.counts(),
            });
        }
        // Its last sync (or its status, when the plan asked to connect again) changed.
        self.emit(FolioEvent::ConnectionChanged {
            connection_id: connection_id.clone(),
        });
        let (report, error) = match &outcome {
            Ok(r) => (Some(r.clone()), None),
            Err(e) => (
                None,
                Some(crate::api::ApiError {
                    code: e.code(),
                    message: e.to_string(),
                }),
            ),
        };
        self.emit(FolioEvent::SyncFinished {
            run_id,
            connection_id,
            report,
            error,
        });
        outcome
    }

    async fn sync_prepared(
        &self,
        prepared: &Prepared,
        guard: &RunGuard,
        saved: &AtomicBool,
        news: &crate::news::NewsTally,
        options: SyncOptions,
    ) -> Result<SyncReport, CoreError> {
        let store = &self.store().await?;
        let row = &prepared.row;
        let connection_id = row.id.as_str();
        let cancel = guard.cancel.clone();
        let plan_search = store
            .plan_search_support(&row.plan_id)
            .await?
            .unwrap_or_default();
        let granted: Vec<String> = row
            .granted_scopes
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        // A refusal of `Provenance?target=` holds until the weekly (or a requested) re-probe.
        let target_refused = plan_search.provenance_target == Some(false)
            && !options.full
            && !is_older_than(plan_search.provenance_target_at.as_deref(), FULL_PASS_EVERY);
        let job = Job {
            folio: self,
            store,
            client: FhirClient::new(self.http.clone(), prepared.base.clone())
                .with_max_page_bytes(options.max_page_bytes)
                .with_request_limit(Arc::new(folio_smart::RequestLimit::new(
                    options.requests_in_flight,
                    MAX_REQUESTS_IN_FLIGHT,
                ))),
            connection_id: connection_id.to_owned(),
            plan_id: row.plan_id.clone(),
            patient_id: row.patient_id.clone().unwrap_or_default(),
            options: options.clone(),
            capabilities: tokio::sync::OnceCell::new(),
            linked_seen: std::sync::Mutex::new(HashSet::new()),
            patient_reference: AtomicBool::new(plan_search.patient_reference == Some(true)),
            bare_patient_found: AtomicBool::new(false),
            provenance_target_refused: AtomicBool::new(target_refused),
            provenance_target_worked: AtomicBool::new(false),
            provenance_allowed: scope_allows(&granted, "Provenance"),
            revinclude_in_use: std::sync::Mutex::new(HashMap::new()),
            plan_search,
            cancel: cancel.clone(),
            unreachable: std::sync::OnceLock::new(),
            large_pages_refused: AtomicBool::new(false),
            access_ends: crate::tokens::unrenewable_end(
                self.secrets.as_ref(),
                &row.keychain_account,
            )?,
            run_id: guard.run_id,
            saved,
            // A first download is the member's whole history, not news.
            news: row.last_synced_at.is_some().then_some(news),
        };
        let run = store.start_run(connection_id).await?;
        let outcome = self
            .sync_job(store, &job, row, run, &cancel, &options)
            .await;
        if let Err(e) = &outcome {
            // A run that stopped on an error is ended too, with its code (not left "running").
            let code = SyncFailureCode::of(e);
            let message = e.to_string();
            if let Err(end) = store
                .finish_run(
                    run,
                    connection_id,
                    folio_store::RunStatus::Failed,
                    0,
                    Some((code.as_str(), &message)),
                )
                .await
            {
                let code = SyncFailureCode::of(&CoreError::Store(end));
                tracing::warn!(connection = %connection_id, %code, "a failed run could not be ended");
            }
        }
        outcome
    }

    /// The Patient, then every type; ends the run `run` with what happened.
    async fn sync_job(
        &self,
        store: &Store,
        job: &Job<'_>,
        row: &folio_store::ConnectionRow,
        run: i64,
        cancel: &AtomicBool,
        options: &SyncOptions,
    ) -> Result<SyncReport, CoreError> {
        let connection_id = row.id.as_str();
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
                .map_err(|e| SyncFailure::Malformed(e.to_string()))?;
            let body = match job.client.get(&url, &token).await {
                Err(FhirError::Unauthorized) => {
                    token = self
                        .access_token_after_rejection(connection_id, &token)
                        .await?;
                    job.client.get(&url, &token).await
                }
                other => other,
            }
            .map_err(|e| CoreError::from(SyncFailure::from(e)))?;
            let text = String::from_utf8(body)
                .map_err(|_| SyncFailure::Malformed("the Patient is not UTF-8".into()))?;
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
            let page = [PageResource {
                raw_json: &text,
                full_url: None,
            }];
            store
                .save_page(
                    connection_id,
                    "Patient",
                    &pass,
                    &page,
                    folio_store::index_page(&page),
                    &request_of(&url),
                    None,
                    text.len(),
                )
                .await?;
            store.finish_pass(connection_id, "Patient").await?;
            Ok::<(), CoreError>(())
        };
        let patient = patient.await;
        if let Err(CoreError::Sync(SyncFailure::Network(problem))) = &patient {
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
                    folio_store::TypeSyncStatus::NotShared,
                    Some((
                        SyncFailureCode::NotShared.as_str(),
                        "you did not share this type with Folio",
                    )),
                )
                .await?;
            results.push(TypeResult {
                resource_type: (*t).to_owned(),
                outcome: TypeOutcome::NotShared,
                fetched: 0,
                marked_missing: 0,
                problem: None,
                failure: Some(SyncFailureCode::NotShared),
            });
        }
        // At most `concurrency` types in flight; a type starts as soon as another ends (no
        // waiting for the slowest of a group). The semaphore is fair: types start in order.
        let slots = tokio::sync::Semaphore::new(options.concurrency.max(1));
        let outcomes =
            futures_util::future::join_all(types.iter().map(|t| job.run_type_in_slot(&slots, t)))
                .await;
        for (t, outcome) in outcomes {
            results.push(self.type_result(store, connection_id, t, outcome).await?);
        }
        let fetched: u32 = results.iter().map(|r| r.fetched).sum();
        let failed: Vec<&TypeResult> = results
            .iter()
            .filter(|r| r.outcome == TypeOutcome::Failed)
            .collect();
        let cancelled = cancel.load(Ordering::SeqCst);
        let (status, error) = if cancelled {
            (folio_store::RunStatus::Cancelled, None)
        } else if failed.is_empty() {
            (folio_store::RunStatus::Succeeded, None)
        } else if failed
            .iter()
            .any(|r| r.failure == Some(SyncFailureCode::ReconnectToFinish))
        {
            // Access ended and the plan does not renew it: the run stopped, kept what arrived.
            (
                folio_store::RunStatus::Failed,
                Some((
                    SyncFailureCode::ReconnectToFinish.as_str(),
                    format!(
                        "access ended before {} type(s) finished; connect again to finish",
                        failed.len()
                    ),
                )),
            )
        } else {
            (
                folio_store::RunStatus::Failed,
                Some((
                    SyncFailureCode::TypesFailed.as_str(),
                    format!("{} type(s) failed", failed.len()),
                )),
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
        let r = |outcome, fetched, marked_missing, problem, failure| TypeResult {
            resource_type: resource_type.to_owned(),
            outcome,
            fetched,
            marked_missing,
            problem,
            failure,
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
                None,
            ),
            Ok(PassEnd::Cancelled) => r(TypeOutcome::Cancelled, 0, 0, None, None),
            Ok(PassEnd::NotShared) => {
                store
                    .set_type_status(
                        connection_id,
                        resource_type,
                        folio_store::TypeSyncStatus::NotShared,
                        Some((
                            SyncFailureCode::NotShared.as_str(),
                            "the plan does not share this type",
                        )),
                    )
                    .await?;
                r(
                    TypeOutcome::NotShared,
                    0,
                    0,
                    Some("the plan does not share this type".into()),
                    Some(SyncFailureCode::NotShared),
                )
            }
            Err(CoreError::ReconnectNeeded) => return Err(CoreError::ReconnectNeeded),
            Err(e) => {
                let code = SyncFailureCode::of(&e);
                let message = e.to_string();
                store
                    .set_type_status(
                        connection_id,
                        resource_type,
                        folio_store::TypeSyncStatus::Failed,
                        Some((code.as_str(), &message)),
                    )
                    .await?;
                tracing::warn!(connection = %connection_id, resource_type, %code, "type failed");
                r(TypeOutcome::Failed, 0, 0, Some(message), Some(code))
            }
        })
    }

    /// The first search URL of every type a full sync of this connection would fetch, for
    /// folio-bench, which fetches the same pages without Folio (the `test-hooks` feature only).
    #[cfg(feature = "test-hooks")]
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
        let id = row.patient_id.unwrap_or_default();
        let reference = store
            .plan_search_support(&row.plan_id)
            .await?
            .is_some_and(|p| p.patient_reference == Some(true));
        let patient = if reference {
            format!("Patient/{id}")
        } else {
            id
        };
        TYPES
            .iter()
            .filter(|t| scope_allows(&granted, t))
            .map(|t| {
                search_url(&client, &patient, page_size, t, None, &Form::top(t, None))
                    .map(|u| u.to_string())
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

    fn caps(json: &str) -> Capabilities {
        Capabilities::parse(json.as_bytes()).unwrap()
    }

    #[test]
    fn the_ladder_steps_down_in_a_fixed_order_to_a_bare_search() {
        let eob = "ExplanationOfBenefit";
        let mut form = Form::top(eob, None);
        assert_eq!(form.includes, [EOB_WILDCARD]);
        let mut rungs = Vec::new();
        while let Some((rung, next)) = form.step_down(eob, None, true, false) {
            rungs.push((rung, next.includes.len()));
            form = next;
        }
        assert_eq!(
            rungs,
            [
                (Rung::Include, C4BB_INCLUDES.len()),
                (Rung::Include, 0),
                (Rung::RevInclude, 0),
                (Rung::LastUpdated, 0),
                (Rung::Count, 0),
                (Rung::Count, 0)
            ]
        );
        // A large `_count` refused: the default is tried before none; a page size the sync
        // fixes is not stepped down.
        let top = Form::top("Condition", None);
        assert_eq!(top.page_size, LARGEST_PAGE);
        let bare = Form {
            revinclude: false,
            last_updated: false,
            ..top.clone()
        };
        let (_, smaller) = bare.step_down("Condition", None, false, false).unwrap();
        assert!(smaller.count && smaller.page_size == DEFAULT_PAGE_SIZE);
        let (_, none) = smaller.step_down("Condition", None, false, false).unwrap();
        assert!(!none.count);
        let (_, fixed) = bare.step_down("Condition", None, false, true).unwrap();
        assert!(!fixed.count, "a fixed page size goes straight to no _count");
        // A full pass sends no _lastUpdated: that rung is skipped; US Core's filters are one
        // rung for the types that have them.
        let mut form = Form::top("Observation", None);
        let mut rungs = Vec::new();
        while let Some((rung, next)) = form.step_down("Observation", None, false, false) {
            rungs.push(rung);
            form = next;
        }
        assert_eq!(
            rungs,
            [Rung::RevInclude, Rung::Filters, Rung::Count, Rung::Count]
        );
        assert!(form.filters && !form.count && !form.revinclude);
    }

    #[test]
    fn what_the_plan_declares_sets_the_top_of_the_ladder() {
        let declared = caps(
            r#"{"resourceType":"CapabilityStatement","rest":[{"mode":"server","resource":[
            {"type":"ExplanationOfBenefit","searchParam":[{"name":"patient"},{"name":"_id"}],
             "searchInclude":["ExplanationOfBenefit:provider","ExplanationOfBenefit:insurer"]},
            {"type":"Condition","searchRevInclude":["Provenance:target"]}]}]}"#,
        );
        let top = Form::top("ExplanationOfBenefit", Some(&declared));
        assert_eq!(
            top.includes,
            [
                "ExplanationOfBenefit:provider",
                "ExplanationOfBenefit:insurer"
            ],
            "only the specific includes declared"
        );
        assert!(!top.revinclude, "no searchRevInclude declared");
        assert!(!top.last_updated, "searchParam listed without _lastUpdated");
        let condition = Form::top("Condition", Some(&declared));
        assert!(condition.revinclude && condition.last_updated && condition.includes.is_empty());
        let unlisted = Form::top("Observation", Some(&declared));
        assert!(
            !unlisted.revinclude && !unlisted.last_updated,
            "a type the statement does not list: nothing optional is declared"
        );
        assert!(
            Form::top("Observation", None).revinclude,
            "no statement: every option is tried"
        );
        let none = caps(
            r#"{"resourceType":"CapabilityStatement","rest":[{"resource":[
            {"type":"ExplanationOfBenefit","searchParam":[{"name":"patient"}]}]}]}"#,
        );
        assert!(Form::top("ExplanationOfBenefit", Some(&none))
            .includes
            .is_empty());
        let with_wildcard = caps(
            r#"{"resourceType":"CapabilityStatement","rest":[{"resource":[
            {"type":"ExplanationOfBenefit","searchInclude":["ExplanationOfBenefit:*","ExplanationOfBenefit:payee"]}]}]}"#,
        );
        let top = Form::top("ExplanationOfBenefit", Some(&with_wildcard));
        assert_eq!(top.includes, [EOB_WILDCARD]);
        let (_, next) = top
            .step_down("ExplanationOfBenefit", Some(&with_wildcard), false, false)
            .unwrap();
        assert_eq!(next.includes, ["ExplanationOfBenefit:payee"]);
    }

    #[test]
    fn a_dropped_part_can_be_put_back_and_a_form_round_trips_through_the_store() {
        let start = Form::top("ExplanationOfBenefit", None);
        let bottom = Form {
            includes: Vec::new(),
            revinclude: false,
            last_updated: false,
            filters: false,
            count: true,
            page_size: DEFAULT_PAGE_SIZE,
        };
        let back = bottom.restored(Rung::Include, &start, None);
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].includes, [EOB_WILDCARD]);
        assert_eq!(back[1].includes.len(), C4BB_INCLUDES.len());
        assert!(bottom.restored(Rung::RevInclude, &start, None)[0].revinclude);
        let stored = back[1].stored("ExplanationOfBenefit", Some(false));
        let again = Form::from_stored(&stored);
        assert_eq!(again.includes, back[1].includes);
        assert!(!again.last_updated, "a refused _lastUpdated is remembered");
        let unknown = Form::from_stored(&back[1].stored("ExplanationOfBenefit", None));
        assert!(unknown.last_updated, "not known yet: tried");
    }

    #[test]
    fn search_urls_carry_only_what_the_form_keeps() {
        let client = FhirClient::new(
            reqwest::Client::new(),
            Url::parse("https://plan.example/fhir").unwrap(),
        );
        let top = Form::top("ExplanationOfBenefit", None);
        let url = search_url(
            &client,
            "p1",
            50,
            "ExplanationOfBenefit",
            Some("2024-01-01T00:00:00Z"),
            &top,
        )
        .unwrap();
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let has = |k: &str| q.iter().any(|(n, _)| n == k);
        assert!(has("_include") && has("_revinclude") && has("_lastUpdated") && has("_count"));
        let bare = Form {
            includes: Vec::new(),
            revinclude: false,
            last_updated: false,
            filters: true,
            count: false,
            page_size: DEFAULT_PAGE_SIZE,
        };
        let url = search_url(
            &client,
            "p1",
            50,
            "Observation",
            Some("2024-01-01T00:00:00Z"),
            &bare,
        )
        .unwrap();
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let names: Vec<&str> = q.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["patient", "category"]);
    }

    fn page(self_link: Option<&str>, matches: usize, next: bool) -> folio_smart::Page {
        let entries: Vec<String> = (0..matches)
            .map(|i| format!(r#"{{"resource":{{"resourceType":"Condition","id":"c{i}"}},"search":{{"mode":"match"}}}}"#))
            .collect();
        let mut links = Vec::new();
        if let Some(l) = self_link {
            links.push(format!(r#"{{"relation":"self","url":"{l}"}}"#));
        }
        if next {
            links.push(r#"{"relation":"next","url":"https://plan.example/fhir/_page/2"}"#.into());
        }
        let body = format!(
            r#"{{"resourceType":"Bundle","link":[{}],"entry":[{}]}}"#,
            links.join(","),
            entries.join(",")
        );
        folio_smart::Page::parse(
            &Url::parse("https://plan.example/fhir").unwrap(),
            body.as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn a_self_link_shows_what_the_plan_silently_left_out() {
        let sent = Url::parse(
            "https://plan.example/fhir/ExplanationOfBenefit?patient=p1&_count=1000&_include=ExplanationOfBenefit%3Aprovider&_include=ExplanationOfBenefit%3Ainsurer&_revinclude=Provenance%3Atarget&_lastUpdated=gt2024-01-01",
        )
        .unwrap();
        // Order, added parameters and a relative link do not matter.
        let all = "ExplanationOfBenefit?_format=json&_lastUpdated=gt2024-01-01&_revinclude=Provenance:target&_include=ExplanationOfBenefit:insurer,ExplanationOfBenefit:provider&_count=1000&patient=p1";
        assert_eq!(dropped_params(&sent, Some(all)), Some(vec![]));
        let some = "https://plan.example/fhir/ExplanationOfBenefit?patient=p1&_count=1000&_include=ExplanationOfBenefit:insurer";
        assert_eq!(
            dropped_params(&sent, Some(some)),
            Some(vec![
                "_include=ExplanationOfBenefit:provider".to_owned(),
                "_revinclude".to_owned(),
                "_lastUpdated".to_owned()
            ])
        );
        assert_eq!(dropped_params(&sent, None), None, "no self link: unknown");
        assert_eq!(
            dropped_params(
                &sent,
                Some("https://plan.example/fhir/ExplanationOfBenefit")
            ),
            None,
            "a self link that echoes no query says nothing"
        );
        let mut form = Form::top("ExplanationOfBenefit", None);
        form.includes = vec![
            "ExplanationOfBenefit:provider".into(),
            "ExplanationOfBenefit:insurer".into(),
        ];
        form.without_dropped(&dropped_params(&sent, Some(some)).unwrap());
        assert_eq!(form.includes, ["ExplanationOfBenefit:insurer"]);
        assert!(!form.revinclude && !form.last_updated && form.count);
    }

    #[test]
    fn the_page_size_a_plan_gives_is_read_from_its_first_page() {
        let sent =
            Url::parse("https://plan.example/fhir/Condition?patient=p1&_count=1000").unwrap();
        // Capped silently: fewer than asked, with more to come.
        assert_eq!(honoured_page_size(1000, &sent, &page(None, 50, true)), 50);
        // Capped and said so in the self link.
        assert_eq!(
            honoured_page_size(
                1000,
                &sent,
                &page(Some("Condition?patient=p1&_count=100"), 100, true)
            ),
            100
        );
        // Everything fit: nothing learned beyond what was asked.
        assert_eq!(honoured_page_size(1000, &sent, &page(None, 7, false)), 1000);
    }

    #[test]
    fn refusals_are_named_by_what_the_form_that_worked_lost() {
        let start = Form::top("ExplanationOfBenefit", None);
        let mut end = start.clone();
        end.includes = C4BB_INCLUDES.iter().map(|s| (*s).to_owned()).collect();
        end.page_size = DEFAULT_PAGE_SIZE;
        assert_eq!(
            refused_params(&start, &end, &[Rung::Include, Rung::Count]),
            ["_include=*", "large_count"]
        );
        end.includes.clear();
        end.revinclude = false;
        assert_eq!(
            refused_params(
                &start,
                &end,
                &[Rung::Include, Rung::Include, Rung::RevInclude]
            ),
            ["_include", "_revinclude"]
        );
    }

    #[test]
    fn full_passes_come_back_weekly() {
        assert!(is_older_than(None, FULL_PASS_EVERY));
        assert!(is_older_than(Some("2020-01-01T00:00:00Z"), FULL_PASS_EVERY));
        assert!(!is_older_than(Some(&now_rfc3339()), FULL_PASS_EVERY));
    }
}
