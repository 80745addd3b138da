//! The FHIR HTTP client: one page at a time, the bearer token only to the plan's own origin,
//! retries for rate limits and transient failures, size limits, and Bundles read without
//! re-encoding their resources.

use std::time::Duration;

use folio_secrets::Sensitive;
use rand::Rng;
use serde::Deserialize;
use serde_json::value::RawValue;
use url::Url;

use crate::http::describe;

/// Why a FHIR request failed, after retries.
#[derive(Debug, thiserror::Error)]
pub enum FhirError {
    /// 401: the token was refused (refresh once, then reconnect).
    #[error("the plan refused the access token (HTTP 401)")]
    Unauthorized,
    /// 403: the member did not share this, or the plan does not share it with apps.
    #[error("the plan does not share this (HTTP 403)")]
    Forbidden,
    /// 404 or 410.
    #[error("the plan has no such resource or search (HTTP {0})")]
    NotFound(u16),
    /// 400 or 422, with the plan's diagnostics.
    #[error("the plan rejected the request (HTTP {status}): {diagnostics}")]
    Rejected {
        /// Status.
        status: u16,
        /// OperationOutcome diagnostics, bounded.
        diagnostics: String,
    },
    /// Still 429 after waiting as told.
    #[error("the plan kept asking Folio to slow down (HTTP 429)")]
    RateLimited,
    /// Still 5xx after retries.
    #[error("the plan's server kept failing (HTTP {0})")]
    Server(u16),
    /// Connection refused, dropped, timed out, after retries.
    #[error("the plan could not be reached: {0}")]
    Network(String),
    /// A page larger than Folio accepts.
    #[error("the plan sent a page larger than {0} bytes")]
    TooLarge(usize),
    /// Not a FHIR Bundle or resource.
    #[error("the plan sent something that is not valid FHIR JSON: {0}")]
    Malformed(String),
    /// A link to another origin: the token is never sent there.
    #[error("the plan linked to another server ({0}); Folio does not send your token there")]
    ForeignOrigin(String),
}

/// How hard to try.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts for one request, the first included.
    pub attempts: u32,
    /// First backoff; doubled each time, with jitter.
    pub base_delay: Duration,
    /// Longest `Retry-After` honoured (longer ones are capped).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 6,
            base_delay: Duration::from_millis(250),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// One search page.
#[derive(Debug)]
pub struct Page {
    /// Resources with `search.mode` match or include (outcome entries are dropped).
    pub entries: Vec<PageEntry>,
    /// The `next` link, when there is one (opaque; checked to be on the plan's origin).
    pub next: Option<Url>,
    /// Size of the response body.
    pub bytes: usize,
    /// OperationOutcome warnings the plan sent in the page (diagnostics only).
    pub warnings: Vec<String>,
    /// The plan's clock (`Date` header) when it answered, as RFC 3339.
    pub server_date: Option<String>,
    /// The `self` link as sent (what the plan says it searched), when there is one.
    pub self_link: Option<String>,
    /// `total`, when sent.
    pub total: Option<u64>,
}

/// A resource of a page, kept as the exact JSON text the plan sent.
#[derive(Debug)]
pub struct PageEntry {
    /// `fullUrl`, when sent.
    pub full_url: Option<String>,
    /// The resource's JSON.
    pub resource: Box<RawValue>,
    /// Whether it was included (not a match).
    pub included: bool,
}

impl Page {
    /// Reads a search page's body (a searchset Bundle from the plan at `base`): its entries,
    /// kept as the exact JSON text sent, and its `next` link, which must be on `base`'s origin.
    /// `server_date` is left empty (it comes from the response headers).
    pub fn parse(base: &Url, body: &[u8]) -> Result<Page, FhirError> {
        let bundle: RawBundle<'_> =
            serde_json::from_slice(body).map_err(|e| FhirError::Malformed(e.to_string()))?;
        if bundle.resource_type != "Bundle" {
            return Err(FhirError::Malformed(format!(
                "expected a Bundle, got {}",
                bundle.resource_type
            )));
        }
        let next = match bundle
            .link
            .iter()
            .find(|l| l.relation.as_deref() == Some("next"))
            .and_then(|l| l.url.as_deref())
        {
            Some(href) => {
                // FHIR: a relative link is relative to the service base, whether or not the
                // base was written with its trailing `/` (Folio stores bases without it).
                let next = crate::discovery::join(base, href.trim())
                    .map_err(|_| FhirError::Malformed("a next link that is not a URL".into()))?;
                if !same_origin(&next, base) {
                    return Err(FhirError::ForeignOrigin(
                        next.origin().ascii_serialization(),
                    ));
                }
                Some(next)
            }
            None => None,
        };
        let mut entries = Vec::with_capacity(bundle.entry.len());
        let mut warnings = Vec::new();
        for e in bundle.entry {
            let Some(resource) = e.resource else { continue };
            let mode = e.search.and_then(|s| s.mode);
            if mode.as_deref() == Some("outcome") {
                warnings.push(diagnostics(resource.get().as_bytes()));
                continue;
            }
            entries.push(PageEntry {
                full_url: e.full_url,
                resource: resource.to_owned(),
                included: mode.as_deref() == Some("include"),
            });
        }
        let self_link = bundle
            .link
            .iter()
            .find(|l| l.relation.as_deref() == Some("self"))
            .and_then(|l| l.url.clone());
        Ok(Page {
            entries,
            next,
            bytes: body.len(),
            warnings,
            server_date: None,
            self_link,
            total: bundle.total.as_ref().and_then(serde_json::Value::as_u64),
        })
    }
}

#[derive(Deserialize)]
struct RawBundle<'a> {
    #[serde(rename = "resourceType")]
    resource_type: &'a str,
    #[serde(default)]
    link: Vec<RawLink>,
    /// Read leniently: a malformed `total` loses only the total.
    total: Option<serde_json::Value>,
    #[serde(default, borrow)]
    entry: Vec<RawEntry<'a>>,
}

#[derive(Deserialize)]
struct RawLink {
    relation: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct RawEntry<'a> {
    #[serde(rename = "fullUrl")]
    full_url: Option<String>,
    #[serde(borrow)]
    resource: Option<&'a RawValue>,
    search: Option<RawSearch>,
}

#[derive(Deserialize)]
struct RawSearch {
    mode: Option<String>,
}

/// A FHIR client bound to one plan's base URL.
#[derive(Debug, Clone)]
pub struct FhirClient {
    http: reqwest::Client,
    base: Url,
    retry: RetryPolicy,
    max_page_bytes: usize,
    /// Requests in flight to the plan, shared by every clone (`None`: unbounded).
    limit: Option<std::sync::Arc<crate::in_flight::RequestLimit>>,
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The delay a `Retry-After` value asks for: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
pub fn retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let format = time::format_description::well_known::Rfc2822;
    let at = time::OffsetDateTime::parse(&value.replace("GMT", "+0000"), &format).ok()?;
    let at: std::time::SystemTime = at.into();
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

impl FhirClient {
    /// A client for the plan at `base`, with default retries and a 64 MiB page limit.
    pub fn new(http: reqwest::Client, base: Url) -> Self {
        Self {
            http,
            base,
            retry: RetryPolicy::default(),
            max_page_bytes: 64 * 1024 * 1024,
            limit: None,
        }
    }

    /// Bounds the requests in flight through this client and its clones by `limit`, which
    /// slows down when the plan answers 429 or 503.
    pub fn with_request_limit(
        mut self,
        limit: std::sync::Arc<crate::in_flight::RequestLimit>,
    ) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Changes the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Changes the largest page accepted.
    pub fn with_max_page_bytes(mut self, bytes: usize) -> Self {
        self.max_page_bytes = bytes;
        self
    }

    /// The plan's FHIR base.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// `[base]/{path}` with query parameters.
    pub fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<Url, FhirError> {
        let mut url = crate::discovery::join(&self.base, path)
            .map_err(|e| FhirError::Malformed(e.to_string()))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    /// GETs `url` (which must be on the plan's origin) and returns the body, retrying 429 as
    /// told and 5xx, timeouts and dropped connections with jittered exponential backoff.
    pub async fn get(&self, url: &Url, token: &Sensitive<String>) -> Result<Vec<u8>, FhirError> {
        self.get_dated(url, token).await.map(|(body, _)| body)
    }

    /// Like [`FhirClient::get`], also returning the plan's `Date` header as RFC 3339.
    pub async fn get_dated(
        &self,
        url: &Url,
        token: &Sensitive<String>,
    ) -> Result<(Vec<u8>, Option<String>), FhirError> {
        if !same_origin(url, &self.base) {
            return Err(FhirError::ForeignOrigin(url.origin().ascii_serialization()));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.retry.attempts;
            let backoff = {
                let exp = self
                    .retry
                    .base_delay
                    .saturating_mul(1 << (attempt - 1).min(8));
                let jitter = rand::rng().random_range(0.5..1.5);
                exp.mul_f64(jitter)
            };
            // Held until the answer is read (or the request given up), never while waiting
            // to retry.
            let permit = match &self.limit {
                Some(l) => Some(l.acquire().await),
                None => None,
            };
            let sent = self
                .http
                .get(url.clone())
                .header(reqwest::header::ACCEPT, "application/fhir+json")
                .bearer_auth(token.expose())
                .send()
                .await;
            let res = match sent {
                Ok(res) => res,
                Err(e) if last => return Err(FhirError::Network(describe(&e))),
                Err(_) => {
                    drop(permit);
                    tokio::time::sleep(backoff).await;
                    continue;
                }
            };
            let status = res.status().as_u16();
            let date = res
                .headers()
                .get(reqwest::header::DATE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| {
                    time::OffsetDateTime::parse(
                        &v.replace("GMT", "+0000"),
                        &time::format_description::well_known::Rfc2822,
                    )
                    .ok()
                })
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                });
            if let Some(l) = &self.limit {
                match status {
                    200..=299 => l.succeeded(),
                    429 | 503 => l.slow_down(),
                    _ => {}
                }
            }
            match status {
                200..=299 => match self.read_body(res).await {
                    Ok(body) => return Ok((body, date)),
                    Err(FhirError::Network(reason)) if last => {
                        return Err(FhirError::Network(reason))
                    }
                    Err(FhirError::Network(_)) => {
                        drop(permit);
                        tokio::time::sleep(backoff).await;
                        continue;
                    }
                    Err(other) => return Err(other),
                },
                401 => return Err(FhirError::Unauthorized),
                403 => return Err(FhirError::Forbidden),
                404 | 410 => return Err(FhirError::NotFound(status)),
                429 => {
                    drop(permit);
                    if last {
                        return Err(FhirError::RateLimited);
                    }
                    let wait = res
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| retry_after(v, std::time::SystemTime::now()))
                        .map(|d| d.min(self.retry.max_retry_after))
                        .unwrap_or(backoff);
                    tokio::time::sleep(wait).await;
                }
                500..=599 => {
                    drop(permit);
                    if last {
                        return Err(FhirError::Server(status));
                    }
                    tokio::time::sleep(backoff).await;
                }
                _ => {
                    let body = self.read_body(res).await.unwrap_or_default();
                    return Err(FhirError::Rejected {
                        status,
                        diagnostics: diagnostics(&body),
                    });
                }
            }
        }
    }

    async fn read_body(&self, mut res: reqwest::Response) -> Result<Vec<u8>, FhirError> {
        if res
            .content_length()
            .is_some_and(|n| n > self.max_page_bytes as u64)
        {
            return Err(FhirError::TooLarge(self.max_page_bytes));
        }
        let mut body = Vec::with_capacity(res.content_length().map_or(64 * 1024, |n| n as usize));
        while let Some(chunk) = res
            .chunk()
            .await
            .map_err(|e| FhirError::Network(describe(&e)))?
        {
            if body.len() + chunk.len() > self.max_page_bytes {
                return Err(FhirError::TooLarge(self.max_page_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// GETs one search page and reads its entries and `next` link.
    pub async fn page(&self, url: &Url, token: &Sensitive<String>) -> Result<Page, FhirError> {
        let (body, server_date) = self.get_dated(url, token).await?;
        let mut page = Page::parse(&self.base, &body)?;
        page.server_date = server_date;
        Ok(page)
    }

    /// GETs one resource by `Type/id`.
    pub async fn read(
        &self,
        path: &str,
        token: &Sensitive<String>,
    ) -> Result<Box<RawValue>, FhirError> {
        let url = self.url(path, &[])?;
        let body = self.get(&url, token).await?;
        let text = String::from_utf8(body).map_err(|_| FhirError::Malformed("not UTF-8".into()))?;
        RawValue::from_string(text).map_err(|e| FhirError::Malformed(e.to_string()))
    }
}

/// What a plan's CapabilityStatement (`GET [base]/metadata`) declares for one resource type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeCapabilities {
    /// `searchParam[].name`.
    pub search_params: Vec<String>,
    /// `searchInclude`.
    pub search_include: Vec<String>,
    /// `searchRevInclude`.
    pub search_rev_include: Vec<String>,
    /// `operation[].name` (`everything`, …).
    pub operations: Vec<String>,
}

/// The search features a plan's CapabilityStatement declares, per resource type. A
/// declaration is a hint, not a promise: servers declare things they reject and accept things
/// they do not declare.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    types: std::collections::HashMap<String, TypeCapabilities>,
}

impl Capabilities {
    /// Reads a CapabilityStatement's server `rest` entries; anything else is refused.
    pub fn parse(body: &[u8]) -> Result<Self, FhirError> {
        let v: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| FhirError::Malformed(e.to_string()))?;
        if v["resourceType"] != "CapabilityStatement" {
            return Err(FhirError::Malformed(
                "expected a CapabilityStatement".into(),
            ));
        }
        let strings = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        };
        let names = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect()
        };
        let mut types = std::collections::HashMap::new();
        for rest in v["rest"].as_array().into_iter().flatten() {
            if rest["mode"].as_str().is_some_and(|m| m != "server") {
                continue;
            }
            for r in rest["resource"].as_array().into_iter().flatten() {
                let Some(ty) = r["type"].as_str() else {
                    continue;
                };
                types.insert(
                    ty.to_owned(),
                    TypeCapabilities {
                        search_params: names(&r["searchParam"]),
                        search_include: strings(&r["searchInclude"]),
                        search_rev_include: strings(&r["searchRevInclude"]),
                        operations: names(&r["operation"]),
                    },
                );
            }
        }
        Ok(Self { types })
    }

    /// What is declared for `resource_type`; `None` when the statement does not list it.
    pub fn of(&self, resource_type: &str) -> Option<&TypeCapabilities> {
        self.types.get(resource_type)
    }

    /// Whether the statement lists no resource type at all (it then says nothing about any).
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }
}

impl FhirClient {
    /// GETs and reads the plan's CapabilityStatement (`[base]/metadata`).
    pub async fn capabilities(&self, token: &Sensitive<String>) -> Result<Capabilities, FhirError> {
        let url = self.url("metadata", &[])?;
        Capabilities::parse(&self.get(&url, token).await?)
    }
}

/// The diagnostics of an OperationOutcome body, bounded; empty when there are none.
fn diagnostics(body: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return String::new();
    };
    let text: Vec<String> = v["issue"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["diagnostics"].as_str().or(i["details"]["text"].as_str()))
        .map(crate::authorize::truncate)
        .collect();
    text.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(retry_after("7", now), Some(Duration::from_secs(7)));
        // 1_700_000_030 is Tue, 14 Nov 2023 22:13:50 GMT.
        assert_eq!(
            retry_after("Tue, 14 Nov 2023 22:13:50 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after("Tue, 14 Nov 2023 22:13:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past: no wait"
        );
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let a = Url::parse("https://plan.example/fhir").unwrap();
        assert!(same_origin(
            &a,
            &Url::parse("https://plan.example:443/other?_getpages=1").unwrap()
        ));
        assert!(!same_origin(
            &a,
            &Url::parse("https://evil.example/fhir").unwrap()
        ));
        assert!(!same_origin(
            &a,
            &Url::parse("http://plan.example/fhir").unwrap()
        ));
        assert!(!same_origin(
            &a,
            &Url::parse("https://plan.example:8443/fhir").unwrap()
        ));
    }

    #[test]
    fn a_page_body_gives_its_entries_and_a_next_link_on_the_plans_origin_only() {
        let base = Url::parse("https://plan.example/fhir/").unwrap();
        let page = Page::parse(
            &base,
            br#"{"resourceType":"Bundle","link":[{"relation":"self","url":"x"},{"relation":"next","url":"Observation?page=2"}],
                "entry":[{"fullUrl":"https://plan.example/fhir/Observation/1","resource":{"resourceType":"Observation","id":"1"},"search":{"mode":"match"}},
                         {"resource":{"resourceType":"Patient","id":"p"},"search":{"mode":"include"}},
                         {"resource":{"resourceType":"OperationOutcome","issue":[{"diagnostics":"partial"}]},"search":{"mode":"outcome"}},
                         {"fullUrl":"no resource"}]}"#,
        )
        .unwrap();
        assert_eq!(
            page.next.as_ref().map(Url::as_str),
            Some("https://plan.example/fhir/Observation?page=2")
        );
        assert_eq!(page.entries.len(), 2);
        assert_eq!(
            page.entries[0].resource.get(),
            r#"{"resourceType":"Observation","id":"1"}"#
        );
        assert!(!page.entries[0].included && page.entries[1].included);
        assert_eq!(page.warnings, ["partial"]);
        assert_eq!(page.self_link.as_deref(), Some("x"));
        assert_eq!(page.total, None);
        for next in [
            "https://evil.example/fhir?page=2",
            "//evil.example/x",
            "http://plan.example/fhir",
        ] {
            let body = format!(
                r#"{{"resourceType":"Bundle","link":[{{"relation":"next","url":"{next}"}}]}}"#
            );
            assert!(
                matches!(
                    Page::parse(&base, body.as_bytes()),
                    Err(FhirError::ForeignOrigin(_))
                ),
                "{next}"
            );
        }
        for body in [
            &b"{}"[..],
            b"[]",
            br#"{"resourceType":"Patient","id":"p"}"#,
            b"\xff",
        ] {
            assert!(matches!(
                Page::parse(&base, body),
                Err(FhirError::Malformed(_))
            ));
        }
    }

    #[test]
    fn a_relative_next_link_stays_under_the_base_with_or_without_its_slash() {
        let body =
            br#"{"resourceType":"Bundle","link":[{"relation":"next","url":"Observation?page=2"}]}"#;
        for base in [
            "https://plan.example/fhir",
            "https://plan.example/fhir/",
            "https://plan.example/api/fhir/r4",
        ] {
            let base = Url::parse(base).unwrap();
            let next = Page::parse(&base, body).unwrap().next.unwrap();
            let expected = format!("{}/Observation?page=2", base.as_str().trim_end_matches('/'));
            assert_eq!(next.as_str(), expected, "relative to {base}");
        }
        let rooted = br#"{"resourceType":"Bundle","link":[{"relation":"next","url":"/fhir/Observation?page=3"}]}"#;
        let base = Url::parse("https://plan.example/fhir").unwrap();
        assert_eq!(
            Page::parse(&base, rooted).unwrap().next.unwrap().as_str(),
            "https://plan.example/fhir/Observation?page=3"
        );
    }

    #[test]
    fn a_capability_statement_gives_each_types_search_features() {
        let body = br#"{"resourceType":"CapabilityStatement","rest":[{"mode":"server","resource":[
            {"type":"ExplanationOfBenefit","searchParam":[{"name":"_id"},{"name":"patient"}],
             "searchInclude":["ExplanationOfBenefit:provider"],"searchRevInclude":["Provenance:target"]},
            {"type":"Patient","operation":[{"name":"everything"}]}]},
            {"mode":"client","resource":[{"type":"Organization"}]}]}"#;
        let c = Capabilities::parse(body).unwrap();
        let eob = c.of("ExplanationOfBenefit").unwrap();
        assert_eq!(eob.search_params, ["_id", "patient"]);
        assert_eq!(eob.search_include, ["ExplanationOfBenefit:provider"]);
        assert_eq!(eob.search_rev_include, ["Provenance:target"]);
        assert_eq!(c.of("Patient").unwrap().operations, ["everything"]);
        assert!(
            c.of("Organization").is_none(),
            "a client entry is not the server's"
        );
        assert!(Capabilities::parse(br#"{"resourceType":"Bundle"}"#).is_err());
        assert!(Capabilities::parse(b"<html>").is_err());
    }

    #[test]
    fn diagnostics_are_bounded_and_joined() {
        let body = br#"{"resourceType":"OperationOutcome","issue":[{"diagnostics":"status is required"},{"details":{"text":"x"}}]}"#;
        assert_eq!(diagnostics(body), "status is required; x");
        assert_eq!(diagnostics(b"<html>"), "");
    }
}
