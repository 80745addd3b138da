//! Ways the sandbox misbehaves on demand, like real plans do. Switched per run (config, CLI
//! flags) and at runtime (`Sandbox::set_faults`, or `PUT /_sandbox/faults` with this as JSON).

use serde::{Deserialize, Serialize};

/// The active faults. Counters ("every Nth") count FHIR API requests from the moment the faults
/// were set; the default is a well-behaved plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Every Nth FHIR request gets `429 Too Many Requests` with `Retry-After: retry_after_secs`.
    pub rate_limit_every: Option<u32>,
    /// The `Retry-After` seconds sent with 429.
    pub retry_after_secs: u32,
    /// Every Nth FHIR request gets a 5xx (`server_error_status`, 500 when unset).
    pub server_error_every: Option<u32>,
    /// 500 or 503.
    pub server_error_status: Option<u16>,
    /// Every Nth FHIR response is cut off mid-body and the connection dropped.
    pub drop_connection_every: Option<u32>,
    /// Every FHIR response waits this long first: the latency knob (a real plan adds 100–500
    /// ms to every response; `folio-sandbox --latency-ms`). Requests in flight wait side by
    /// side, as they would over a slow network, not one after another.
    pub slow_ms: u64,
    /// An access token stops working (401) after this many FHIR requests.
    pub access_token_max_requests: Option<u32>,
    /// Every refresh is refused with `invalid_grant` (the plan revoked the grant).
    pub revoke_refresh_tokens: bool,
    /// Token answers carry no `refresh_token`, even when `offline_access` was granted (a plan
    /// that never renews access: the member signs in again when it ends).
    pub no_refresh_token: bool,
    /// Access tokens issued from now on work this many seconds (and `expires_in` says so),
    /// instead of the run's configured lifetime: a plan whose access lasts minutes.
    pub access_token_lifetime_secs: Option<u64>,
    /// Token answers say this in `expires_in`, whatever the real lifetime (a plan whose tokens
    /// outlive, or die before, what it says).
    pub expires_in_secs: Option<u64>,
    /// The token endpoint answers 503.
    pub token_endpoint_down: bool,
    /// The token endpoint waits this long before it reads a request (a slow plan; two
    /// refreshes sent at once are both in flight before either is answered).
    pub token_delay_ms: u64,
    /// Token responses name this patient instead of the member's (a broken or hostile plan).
    pub token_patient: Option<String>,
    /// Discovery (`.well-known/smart-configuration` and the CapabilityStatement's oauth-uris)
    /// names the authorization, token and revocation endpoints at this origin instead of the
    /// sandbox's own, as a plan that moved its authorization server, or a rewritten discovery
    /// document, would.
    pub endpoints_origin: Option<String>,
    /// Every search's `next` link points back at its first page: a paging loop.
    pub paging_loop: bool,
    /// Search pages with this 1-based page number are malformed JSON.
    pub malformed_page: Option<u32>,
    /// Search pages are padded to at least this many bytes.
    pub oversized_page_bytes: Option<usize>,
    /// Searches and reads of these types answer 403, as a plan that does not share them with
    /// apps would.
    pub forbidden_types: Vec<String>,
    /// A strict FHIR server: search features real servers lack or refuse, in any combination.
    pub strict: StrictServer,
}

/// The ways real FHIR servers differ from a lenient one in what searches they take and how
/// they page. Each can be switched on alone or with the others; the default is lenient.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StrictServer {
    /// `_include` with a `*` target (`ExplanationOfBenefit:*`) answers 400, naming the
    /// parameter, as HAPI FHIR does; specific includes work.
    pub reject_include_wildcard: bool,
    /// Any `_include` answers 400.
    pub reject_include: bool,
    /// Any `_revinclude` answers 400.
    pub reject_revinclude: bool,
    /// `_lastUpdated` answers 400.
    pub reject_last_updated: bool,
    /// `_count` is ignored: pages hold the server's default size.
    pub ignore_count: bool,
    /// `_count` above this is lowered to it: the page cap (real plans cap pages at 50–100;
    /// `folio-sandbox --max-count`).
    pub max_count: Option<u32>,
    /// `next` links are relative to the FHIR base (`_page/…`) instead of absolute.
    pub relative_links: bool,
    /// Search Bundles carry no `total`.
    pub no_total: bool,
    /// An Observation search without `category` answers 400 (as some US Core servers do).
    pub require_observation_category: bool,
    /// The CapabilityStatement keeps declaring every include, revinclude and `_lastUpdated`
    /// even where this mode rejects them (a server that says more than it does). Otherwise it
    /// declares only what works.
    pub overstate_capabilities: bool,
    /// `_include` is accepted and silently ignored: no included entries, and the Bundle's
    /// `link[self]` leaves it out (what the server says it searched).
    pub drop_include: bool,
    /// `_revinclude` is accepted and silently ignored (left out of `link[self]`).
    pub drop_revinclude: bool,
    /// `_lastUpdated` is accepted and silently ignored: every record comes back, and
    /// `link[self]` leaves it out.
    pub drop_last_updated: bool,
    /// `_count` above this answers 400 (a server with a hard page limit that refuses rather
    /// than caps).
    pub reject_count_above: Option<u32>,
    /// Entries' `fullUrl`s name records under this base (`{base}/{Type}/{id}`) instead of the
    /// FHIR base the searches go to, as a server behind a proxy or with a canonical records
    /// host does.
    pub full_url_base: Option<String>,
    /// `Provenance?target=…` answers 400 (a server without that search).
    pub reject_provenance_target: bool,
    /// The CapabilityStatement does not declare Provenance's `target` search (whether or not
    /// it works).
    pub undeclare_provenance_target: bool,
    /// Any search with `_id` answers 400 (records are only read one by one).
    pub reject_id_search: bool,
    /// `patient` matches only as a reference (`patient=Patient/<id>`); a bare id matches
    /// nothing, as Medplum's repository does.
    pub patient_reference_only: bool,
    /// `_lastUpdated` takes only `gt` (what changed since): a range (`ge`, `lt`, `le`, `eq`
    /// or the parameter twice) answers 400, while the CapabilityStatement still declares it.
    pub reject_last_updated_ranges: bool,
}

impl StrictServer {
    /// Whether the CapabilityStatement declares `_include=include` (on ExplanationOfBenefit).
    pub(crate) fn declares_include(&self, include: &str) -> bool {
        self.overstate_capabilities
            || !(self.reject_include || self.reject_include_wildcard && include.ends_with(":*"))
    }

    /// Whether it declares `_revinclude`.
    pub(crate) fn declares_revinclude(&self) -> bool {
        self.overstate_capabilities || !self.reject_revinclude
    }

    /// Whether it declares Provenance's `target` search.
    pub(crate) fn declares_provenance_target(&self) -> bool {
        !self.undeclare_provenance_target
            && (self.overstate_capabilities || !self.reject_provenance_target)
    }

    /// Whether it declares `_id` searches.
    pub(crate) fn declares_id_search(&self) -> bool {
        self.overstate_capabilities || !self.reject_id_search
    }

    /// Whether it declares `_lastUpdated`.
    pub(crate) fn declares_last_updated(&self) -> bool {
        self.overstate_capabilities || !self.reject_last_updated
    }
}

impl Faults {
    /// Whether the `n`th request (1-based) falls on an "every" fault.
    pub(crate) fn hits(every: Option<u32>, n: u64) -> bool {
        matches!(every, Some(e) if e > 0 && n.is_multiple_of(u64::from(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_counts_from_one() {
        assert!(!Faults::hits(Some(3), 1));
        assert!(Faults::hits(Some(3), 3));
        assert!(Faults::hits(Some(3), 6));
        assert!(!Faults::hits(Some(0), 6), "zero means off");
        assert!(!Faults::hits(None, 6));
    }

    #[test]
    fn json_round_trip_rejects_unknown_faults() {
        let f: Faults =
            serde_json::from_str(r#"{"rate_limit_every":2,"retry_after_secs":1}"#).unwrap();
        assert_eq!(f.rate_limit_every, Some(2));
        assert!(serde_json::from_str::<Faults>(r#"{"explode":true}"#).is_err());
        let strict: Faults =
            serde_json::from_str(r#"{"strict":{"reject_include_wildcard":true,"max_count":20}}"#)
                .unwrap();
        assert!(strict.strict.reject_include_wildcard && !strict.strict.reject_include);
        assert_eq!(strict.strict.max_count, Some(20));
        assert!(serde_json::from_str::<Faults>(r#"{"strict":{"lenient":true}}"#).is_err());
    }

    #[test]
    fn capabilities_declare_only_what_works_unless_overstated() {
        let mut s = StrictServer {
            reject_include_wildcard: true,
            ..Default::default()
        };
        assert!(!s.declares_include("ExplanationOfBenefit:*"));
        assert!(s.declares_include("ExplanationOfBenefit:provider"));
        assert!(s.declares_revinclude() && s.declares_last_updated());
        s.reject_include = true;
        s.reject_revinclude = true;
        s.reject_last_updated = true;
        assert!(!s.declares_include("ExplanationOfBenefit:provider"));
        assert!(!s.declares_revinclude() && !s.declares_last_updated());
        s.overstate_capabilities = true;
        assert!(s.declares_include("ExplanationOfBenefit:*"));
        assert!(s.declares_revinclude() && s.declares_last_updated());
        let mut p = StrictServer {
            reject_provenance_target: true,
            ..Default::default()
        };
        assert!(!p.declares_provenance_target());
        p.overstate_capabilities = true;
        assert!(p.declares_provenance_target());
        p.undeclare_provenance_target = true;
        assert!(!p.declares_provenance_target());
    }
}
