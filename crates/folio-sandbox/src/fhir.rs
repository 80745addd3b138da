//! The plan's FHIR R4 Patient Access API: the CapabilityStatement, reads, searches for the
//! token's patient with opaque paging, `_lastUpdated`, `_include`, `_revinclude=Provenance:target`,
//! `Patient/$everything`, and the faults that make it misbehave on demand.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::bearer;
use crate::bundle::{fhir_json, outcome, searchset, Entry};
use crate::grants::Grant;
use crate::members::{parse_instant, Member, StoredResource};
use crate::state::AppState;
use crate::{scopes, Faults, StrictServer};

const DEFAULT_COUNT: usize = 50;
const MAX_COUNT: usize = 1000;

/// The `_include` values the sandbox serves on ExplanationOfBenefit (CARIN Blue Button's).
const EOB_INCLUDES: &[&str] = &[
    "ExplanationOfBenefit:*",
    "ExplanationOfBenefit:patient",
    "ExplanationOfBenefit:provider",
    "ExplanationOfBenefit:care-team",
    "ExplanationOfBenefit:coverage",
    "ExplanationOfBenefit:insurer",
    "ExplanationOfBenefit:payee",
];

/// `GET [base]/metadata`. In strict-server mode it declares only the search features that
/// work, unless the mode overstates them (as some servers do).
pub async fn metadata(State(state): State<Arc<AppState>>) -> Response {
    let o = &state.endpoints_origin();
    let strict = state.faults().strict;
    let mut types: Vec<&str> = state.members.iter().flat_map(Member::types).collect();
    types.sort_unstable();
    types.dedup();
    let resources: Vec<serde_json::Value> = types
        .iter()
        .map(|t| {
            let mut params = vec![json!({"name": "patient", "type": "reference"})];
            if strict.declares_id_search() {
                params.push(json!({"name": "_id", "type": "token"}));
            }
            if *t == "Provenance" && strict.declares_provenance_target() {
                params.push(json!({"name": "target", "type": "reference"}));
            }
            if strict.declares_last_updated() {
                params.push(json!({"name": "_lastUpdated", "type": "date"}));
            }
            if *t == "Observation" {
                params.push(json!({"name": "category", "type": "token"}));
            }
            let mut r = json!({
                "type": t,
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "searchParam": params,
            });
            if strict.declares_revinclude() {
                r["searchRevInclude"] = json!(["Provenance:target"]);
            }
            if *t == "ExplanationOfBenefit" {
                let includes: Vec<&str> = EOB_INCLUDES
                    .iter()
                    .copied()
                    .filter(|i| strict.declares_include(i))
                    .collect();
                if !includes.is_empty() {
                    r["searchInclude"] = json!(includes);
                }
            }
            if *t == "Patient" {
                r["operation"] = json!([{"name": "everything", "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"}]);
            }
            r
        })
        .collect();
    let body = json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-29",
        "kind": "instance",
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "instantiates": ["http://hl7.org/fhir/us/carin-bb/CapabilityStatement/c4bb|2.1.0",
            "http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server|7.0.0"],
        "implementation": {"description": "Folio Sandbox Health Plan (synthetic data)", "url": state.fhir_base},
        "rest": [{
            "mode": "server",
            "security": {
                "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service", "code": "SMART-on-FHIR"}]}],
                "extension": [{
                    "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                    "extension": [
                        {"url": "authorize", "valueUri": format!("{o}/auth/authorize")},
                        {"url": "token", "valueUri": format!("{o}/auth/token")},
                        {"url": "revoke", "valueUri": format!("{o}/auth/revoke")}
                    ]
                }]
            },
            "resource": resources,
        }]
    });
    fhir_json(StatusCode::OK, body.to_string().into_bytes())
}

fn unauthorized() -> Response {
    let mut r = outcome(
        StatusCode::UNAUTHORIZED,
        "login",
        "The access token is missing, expired or revoked.",
    );
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(r#"Bearer error="invalid_token""#),
    );
    r
}

// The error is the HTTP response itself, returned at once by the handler: boxing buys nothing.
#[allow(clippy::result_large_err)]
fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Grant, Response> {
    let token = bearer(headers).ok_or_else(unauthorized)?;
    let max = state.faults().access_token_max_requests;
    let mut auth = state.auth.lock().map_err(|_| {
        outcome(
            StatusCode::INTERNAL_SERVER_ERROR,
            "exception",
            "internal error",
        )
    })?;
    auth.use_access_token(token, max)
        .map_err(|_| unauthorized())
}

/// Which resources a grant may see: by type (scopes) and sensitivity (the member's choice).
struct Visibility<'a> {
    grant: &'a Grant,
    types: HashMap<&'a str, bool>,
}

impl<'a> Visibility<'a> {
    fn new(grant: &'a Grant, member: &'a Member) -> Self {
        let types = member
            .types()
            .map(|t| (t, scopes::allows_type(&grant.scopes, t)))
            .collect();
        Self { grant, types }
    }

    fn type_allowed(&self, ty: &str) -> bool {
        self.types
            .get(ty)
            .copied()
            .unwrap_or_else(|| scopes::allows_type(&self.grant.scopes, ty))
    }

    fn sees(&self, r: &StoredResource) -> bool {
        (!r.sensitive || self.grant.share_sensitive)
            && self
                .types
                .get(r.resource_type.as_str())
                .copied()
                .unwrap_or(false)
    }
}

/// Whether reads and searches of `ty` are refused: not granted, or a plan (fault mode) that
/// does not share the type with apps.
fn refused(state: &AppState, vis: &Visibility<'_>, ty: &str) -> bool {
    !vis.type_allowed(ty) || state.faults().forbidden_types.iter().any(|t| t == ty)
}

/// A search, carried inside the opaque `next` cursor.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Query {
    /// Resource type, or `*` for `$everything`.
    t: String,
    /// `$everything`'s `_type` restriction.
    types: Vec<String>,
    ids: Vec<String>,
    /// `_lastUpdated` / `_since` comparisons: prefix and Unix nanoseconds.
    lu: Vec<(String, i64)>,
    cat: Vec<String>,
    intent: Vec<String>,
    status: Vec<String>,
    inc: Vec<String>,
    rev: bool,
    /// Provenance's `target`: references (`Type/id`) one of which the Provenance targets.
    #[serde(default)]
    targets: Vec<String>,
    /// Matches nothing (a `patient` form the server does not take).
    #[serde(default)]
    none: bool,
    n: usize,
    o: usize,
    /// The query string as understood, for `link[self]`.
    echo: String,
}

fn bad(diagnostics: &str) -> Response {
    outcome(StatusCode::BAD_REQUEST, "invalid", diagnostics)
}

#[allow(clippy::result_large_err)]
fn parse_query(ty: &str, params: &[(String, String)], member: &Member) -> Result<Query, Response> {
    let mut q = Query {
        t: ty.to_owned(),
        types: Vec::new(),
        ids: Vec::new(),
        lu: Vec::new(),
        cat: Vec::new(),
        intent: Vec::new(),
        status: Vec::new(),
        inc: Vec::new(),
        rev: false,
        targets: Vec::new(),
        none: false,
        n: DEFAULT_COUNT,
        o: 0,
        echo: String::new(),
    };
    let mut echo = form_urlencoded::Serializer::new(String::new());
    let list = |v: &str| {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    for (k, v) in params {
        match k.as_str() {
            "patient" | "subject" | "beneficiary" => {
                let id = v.rsplit('/').next().unwrap_or(v);
                if id != member.patient_id {
                    return Err(outcome(
                        StatusCode::FORBIDDEN,
                        "forbidden",
                        "You can only read your own records.",
                    ));
                }
            }
            "_id" => q.ids.extend(list(v)),
            "_lastUpdated" | "_since" => {
                let (prefix, value) = match v.get(..2) {
                    Some(p @ ("gt" | "ge" | "lt" | "le" | "eq")) => (p, &v[2..]),
                    _ if k == "_since" => ("ge", v.as_str()),
                    _ => ("eq", v.as_str()),
                };
                let at = parse_instant(value)
                    .ok_or_else(|| bad(&format!("{k}: not a date or instant")))?;
                q.lu.push((prefix.to_owned(), at));
            }
            "category" => q.cat.extend(list(v)),
            "intent" => q.intent.extend(list(v)),
            "status" => q.status.extend(list(v)),
            "_type" => q.types.extend(list(v)),
            "_include" => q.inc.push(v.clone()),
            "target" if ty == "Provenance" => q.targets.extend(list(v)),
            "_revinclude" if v == "Provenance:target" => q.rev = true,
            "_count" => {
                let n: usize = v
                    .parse()
                    .map_err(|_| bad("_count must be a whole number"))?;
                q.n = n.clamp(1, MAX_COUNT);
            }
            _ => continue, // Unknown parameters are ignored, and not echoed in link[self].
        }
        echo.append_pair(k, v);
    }
    q.echo = echo.finish();
    Ok(q)
}

fn matches(member: &Member, q: &Query, vis: &Visibility<'_>) -> Vec<usize> {
    let key = |i: usize| {
        let r = &member.resources[i];
        format!("{}/{}", r.resource_type, r.id)
    };
    let keep = |i: usize| {
        let r = &member.resources[i];
        !q.none
            && vis.sees(r)
            && (q.t == "*" || r.in_compartment || !is_compartment_type(&q.t))
            && (q.types.is_empty() || q.types.contains(&r.resource_type))
            && (q.ids.is_empty() || q.ids.contains(&r.id))
            && (q.targets.is_empty()
                || r.references
                    .iter()
                    .any(|(f, t)| f == "target" && q.targets.contains(&key(*t))))
            && q.lu.iter().all(|(p, at)| {
                r.last_updated.is_some_and(|lu| match p.as_str() {
                    "gt" => lu > *at,
                    "ge" => lu >= *at,
                    "lt" => lu < *at,
                    "le" => lu <= *at,
                    _ => lu == *at,
                })
            })
            && (q.cat.is_empty() || q.cat.iter().any(|c| r.categories.contains(c)))
            && (q.intent.is_empty() || r.intent.as_ref().is_some_and(|i| q.intent.contains(i)))
            && (q.status.is_empty() || r.status.as_ref().is_some_and(|s| q.status.contains(s)))
    };
    if q.t == "*" {
        (0..member.resources.len()).filter(|&i| keep(i)).collect()
    } else {
        member
            .of_type(&q.t)
            .iter()
            .copied()
            .filter(|&i| keep(i))
            .collect()
    }
}

fn is_compartment_type(ty: &str) -> bool {
    !matches!(
        ty,
        "Organization"
            | "Practitioner"
            | "PractitionerRole"
            | "Location"
            | "Medication"
            | "RelatedPerson"
            | "Provenance"
    )
}

/// Which top-level elements an `_include` value follows (CARIN's EOB includes).
fn include_fields(include: &str) -> Option<&'static [&'static str]> {
    Some(match include {
        "ExplanationOfBenefit:*" => &[
            "patient",
            "provider",
            "careTeam",
            "insurance",
            "insurer",
            "payee",
            "facility",
        ],
        "ExplanationOfBenefit:patient" => &["patient"],
        "ExplanationOfBenefit:provider" => &["provider"],
        "ExplanationOfBenefit:care-team" => &["careTeam"],
        "ExplanationOfBenefit:coverage" => &["insurance"],
        "ExplanationOfBenefit:insurer" => &["insurer"],
        "ExplanationOfBenefit:payee" => &["payee"],
        _ => return None,
    })
}

fn cursor_of(q: &Query) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(q).unwrap_or_default())
}

fn page(
    state: &AppState,
    member: &Member,
    vis: &Visibility<'_>,
    q: &Query,
    self_url: String,
) -> Response {
    let faults: Faults = state.faults();
    let all = matches(member, q, vis);
    let end = (q.o + q.n).min(all.len());
    let slice = all.get(q.o..end).unwrap_or(&[]);
    let mut entries: Vec<Entry<'_>> = Vec::with_capacity(slice.len() * 2);
    let mut seen: HashSet<usize> = slice.iter().copied().collect();
    let key = |r: &StoredResource| format!("{}/{}", r.resource_type, r.id);
    for &i in slice {
        let r = &member.resources[i];
        entries.push(Entry {
            key: key(r),
            json: &r.json,
            mode: "match",
        });
    }
    let include_fields: Vec<&str> = q
        .inc
        .iter()
        .filter_map(|i| include_fields(i))
        .flatten()
        .copied()
        .collect();
    for &i in slice {
        let r = &member.resources[i];
        if r.resource_type == "ExplanationOfBenefit" {
            for (field, target) in &r.references {
                let t = &member.resources[*target];
                if include_fields.contains(&field.as_str()) && vis.sees(t) && seen.insert(*target) {
                    entries.push(Entry {
                        key: key(t),
                        json: &t.json,
                        mode: "include",
                    });
                }
            }
        }
        if q.rev {
            for &p in member.provenance_for(i) {
                let t = &member.resources[p];
                if vis.sees(t) && seen.insert(p) {
                    entries.push(Entry {
                        key: key(t),
                        json: &t.json,
                        mode: "include",
                    });
                }
            }
        }
    }
    let next = if end < all.len() {
        let mut nq = q.clone();
        // A paging loop sends every page's `next` back to the second page.
        nq.o = if faults.paging_loop { q.n } else { end };
        Some(if faults.strict.relative_links {
            format!("_page/{}", cursor_of(&nq))
        } else {
            format!("{}/_page/{}", state.fhir_base, cursor_of(&nq))
        })
    } else {
        None
    };
    let page_number = q.o / q.n + 1;
    let mut body = searchset(
        faults
            .strict
            .full_url_base
            .as_deref()
            .unwrap_or(&state.fhir_base),
        (!faults.strict.no_total).then_some(all.len()),
        &self_url,
        next.as_deref(),
        &entries,
    );
    if faults
        .malformed_page
        .is_some_and(|p| usize::try_from(p).ok() == Some(page_number))
    {
        body.truncate(body.len() / 2);
        body.extend_from_slice(b"<<not json");
    } else if let Some(min) = faults.oversized_page_bytes {
        if body.len() < min {
            // Valid JSON, padded inside a field: the client must refuse it by size alone.
            let pad = "x".repeat(min - body.len());
            body.truncate(body.len() - 1);
            body.extend_from_slice(format!(r#","id":"{pad}"}}"#).as_bytes());
        }
    }
    fhir_json(StatusCode::OK, body)
}

/// What a strict server refuses in a search's first request: 400 naming the parameter.
#[allow(clippy::result_large_err)]
fn strict_refusal(
    strict: &StrictServer,
    ty: &str,
    params: &[(String, String)],
) -> Result<(), Response> {
    for (k, v) in params {
        match k.as_str() {
            "_include" if strict.reject_include => {
                return Err(bad("_include is not supported by this server"));
            }
            "_include" if strict.reject_include_wildcard && (v == "*" || v.ends_with(":*")) => {
                return Err(bad(&format!(
                    "Invalid _include parameter value \"{v}\": '*' is not supported as a value for search inclusion parameters"
                )));
            }
            "_id" if strict.reject_id_search => {
                return Err(bad("Unknown search parameter \"_id\""));
            }
            "target" if ty == "Provenance" && strict.reject_provenance_target => {
                return Err(bad("Unknown search parameter \"target\" for Provenance"));
            }
            "_revinclude" if strict.reject_revinclude => {
                return Err(bad("_revinclude is not supported by this server"));
            }
            "_lastUpdated" if strict.reject_last_updated => {
                return Err(bad("Unknown search parameter \"_lastUpdated\""));
            }
            "_lastUpdated"
                if strict.reject_last_updated_ranges
                    && (!v.starts_with("gt")
                        || params.iter().filter(|(k, _)| k == "_lastUpdated").count() > 1) =>
            {
                return Err(bad("_lastUpdated supports only the gt prefix, once"));
            }
            "_count"
                if strict
                    .reject_count_above
                    .is_some_and(|max| v.parse::<u64>().is_ok_and(|n| n > u64::from(max))) =>
            {
                return Err(bad(&format!(
                    "_count must not exceed {}",
                    strict.reject_count_above.unwrap_or_default()
                )));
            }
            _ => {}
        }
    }
    if strict.require_observation_category
        && ty == "Observation"
        && !params.iter().any(|(k, _)| k == "category")
    {
        return Err(bad(
            "Observation searches require the category parameter (with patient)",
        ));
    }
    Ok(())
}

fn member_of<'a>(state: &'a AppState, grant: &Grant) -> &'a Member {
    &state.members[grant.member]
}

fn valid_type(ty: &str) -> bool {
    ty.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && ty.chars().all(|c| c.is_ascii_alphabetic())
}

fn search(
    state: &AppState,
    headers: &HeaderMap,
    ty: &str,
    params: &[(String, String)],
) -> Response {
    let grant = match authenticate(state, headers) {
        Ok(g) => g,
        Err(r) => return r,
    };
    if !valid_type(ty) {
        return outcome(
            StatusCode::NOT_FOUND,
            "not-supported",
            "Unknown resource type.",
        );
    }
    let member = member_of(state, &grant);
    let vis = Visibility::new(&grant, member);
    if refused(state, &vis, ty) {
        return outcome(
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("Access to {ty} was not granted."),
        );
    }
    let strict = state.faults().strict;
    if let Err(r) = strict_refusal(&strict, ty, params) {
        return r;
    }
    // What a server that drops parameters silently ignores: never applied, never echoed.
    let kept: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| {
            !(k == "_include" && strict.drop_include
                || k == "_revinclude" && strict.drop_revinclude
                || k == "_lastUpdated" && strict.drop_last_updated)
        })
        .cloned()
        .collect();
    let mut q = match parse_query(ty, &kept, member) {
        Ok(q) => q,
        Err(r) => return r,
    };
    // A server that matches `patient` only as `Patient/<id>`: a bare id finds nothing.
    if strict.patient_reference_only && kept.iter().any(|(k, v)| k == "patient" && !v.contains('/'))
    {
        q.none = true;
    }
    if strict.ignore_count {
        q.n = DEFAULT_COUNT;
    }
    if let Some(cap) = strict.max_count {
        q.n = q.n.min(usize::try_from(cap).unwrap_or(usize::MAX).max(1));
    }
    let self_url = if q.echo.is_empty() {
        format!("{}/{ty}", state.fhir_base)
    } else {
        format!("{}/{ty}?{}", state.fhir_base, q.echo)
    };
    page(state, member, &vis, &q, self_url)
}

/// `GET [base]/{type}?…`.
pub async fn search_get(
    State(state): State<Arc<AppState>>,
    Path(ty): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let params: Vec<(String, String)> =
        form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    search(&state, &headers, &ty, &params)
}

/// `POST [base]/{type}/_search` with a form body.
pub async fn search_post(
    State(state): State<Arc<AppState>>,
    Path(ty): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    search(&state, &headers, &ty, &params)
}

/// `GET [base]/_page/{cursor}`: the next page of a search.
pub async fn next_page(
    State(state): State<Arc<AppState>>,
    Path(cursor): Path<String>,
    headers: HeaderMap,
) -> Response {
    let grant = match authenticate(&state, &headers) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let Some(q) = URL_SAFE_NO_PAD
        .decode(&cursor)
        .ok()
        .and_then(|b| serde_json::from_slice::<Query>(&b).ok())
    else {
        return outcome(
            StatusCode::BAD_REQUEST,
            "invalid",
            "Unknown or damaged page link.",
        );
    };
    let member = member_of(&state, &grant);
    let vis = Visibility::new(&grant, member);
    if q.t != "*" && refused(&state, &vis, &q.t) {
        return outcome(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Access to this type was not granted.",
        );
    }
    let self_url = format!("{}/_page/{cursor}", state.fhir_base);
    page(&state, member, &vis, &q, self_url)
}

/// `GET [base]/{type}/{id}`.
pub async fn read(
    State(state): State<Arc<AppState>>,
    Path((ty, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let grant = match authenticate(&state, &headers) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let member = member_of(&state, &grant);
    let vis = Visibility::new(&grant, member);
    if valid_type(&ty) && refused(&state, &vis, &ty) {
        return outcome(
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("Access to {ty} was not granted."),
        );
    }
    match member
        .get(&ty, &id)
        .map(|i| &member.resources[i])
        .filter(|r| vis.sees(r))
    {
        Some(r) => fhir_json(StatusCode::OK, r.json.to_vec()),
        // Unknown, another member's, or withheld: all look the same (CARIN allows 404).
        None => outcome(
            StatusCode::NOT_FOUND,
            "not-found",
            &format!("{ty}/{id} is not known."),
        ),
    }
}

/// `GET [base]/Patient/{id}/$everything`.
pub async fn operation(
    State(state): State<Arc<AppState>>,
    Path((ty, id, op)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let grant = match authenticate(&state, &headers) {
        Ok(g) => g,
        Err(r) => return r,
    };
    if ty != "Patient" || op != "$everything" {
        return outcome(StatusCode::NOT_FOUND, "not-supported", "Unknown operation.");
    }
    let member = member_of(&state, &grant);
    if id != member.patient_id {
        return outcome(
            StatusCode::NOT_FOUND,
            "not-found",
            &format!("Patient/{id} is not known."),
        );
    }
    let vis = Visibility::new(&grant, member);
    let params: Vec<(String, String)> =
        form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let q = match parse_query("*", &params, member) {
        Ok(q) => q,
        Err(r) => return r,
    };
    let self_url = format!(
        "{}/Patient/{id}/$everything{}{}",
        state.fhir_base,
        if q.echo.is_empty() { "" } else { "?" },
        q.echo
    );
    page(&state, member, &vis, &q, self_url)
}

/// Applies the active faults to every FHIR API request.
pub async fn faults_layer(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let faults = state.faults();
    let n = state.next_request_number();
    let served = state.count_request();
    let asked = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    state.record_served(&asked);
    state.gate.pass(served, &asked).await;
    if faults.slow_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.slow_ms)).await;
    }
    if Faults::hits(faults.rate_limit_every, n) {
        let mut r = outcome(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            "Too many requests; slow down.",
        );
        r.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(faults.retry_after_secs),
        );
        return r;
    }
    if Faults::hits(faults.server_error_every, n) {
        let status = faults
            .server_error_status
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return outcome(
            status,
            "transient",
            "The server had a problem; try again later.",
        );
    }
    let response = next.run(request).await;
    let status = response.status();
    if status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY {
        state.record_rejected(asked);
    }
    if !Faults::hits(faults.drop_connection_every, n) {
        return response;
    }
    // Send half of the body under the full Content-Length, then fail: the connection drops.
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let half = bytes.slice(..bytes.len() / 2);
    // The pause lets the status line and the first half reach the client before the cut.
    let first = futures_util::stream::iter([Ok::<Bytes, std::io::Error>(half)]);
    let cut = futures_util::stream::once(async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault: connection dropped",
        ))
    });
    Response::from_parts(
        parts,
        Body::from_stream(futures_util::StreamExt::chain(first, cut)),
    )
}
