//! Finding a plan's authorization server: `.well-known/smart-configuration`, falling back to
//! the CapabilityStatement's oauth-uris extension (SMART 1.0 servers).

use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::error::UrlRole;
use crate::{http, SmartError};

const OAUTH_URIS: &str = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

/// What Folio needs to know about a plan's authorization server. Every URL is absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmartConfiguration {
    /// The FHIR base this was discovered from (the `aud` of every authorization request).
    pub fhir_base: Url,
    /// `issuer`, when the plan names one.
    pub issuer: Option<String>,
    /// Where the member logs in.
    pub authorization_endpoint: Url,
    /// Where codes and refresh tokens are exchanged.
    pub token_endpoint: Url,
    /// RFC 7009 revocation, when offered.
    pub revocation_endpoint: Option<Url>,
    /// Where the member can manage their authorizations at the plan.
    pub management_endpoint: Option<Url>,
    /// RFC 7591 dynamic client registration, when the plan offers it.
    pub registration_endpoint: Option<Url>,
    /// Advertised capabilities (unknown ones are kept and ignored).
    pub capabilities: Vec<String>,
    /// Advertised scopes.
    pub scopes_supported: Vec<String>,
    /// The algorithms the token endpoint verifies client assertions with
    /// (`token_endpoint_auth_signing_alg_values_supported`; empty when not said).
    pub token_endpoint_auth_signing_alg_values_supported: Vec<String>,
    /// Whether the plan sends RFC 9207 `iss` in authorization responses.
    pub iss_parameter_supported: bool,
    /// How it was found.
    pub source: DiscoverySource,
}

/// Which document described the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscoverySource {
    /// `[base]/.well-known/smart-configuration`.
    WellKnown,
    /// `[base]/metadata`, the oauth-uris extension.
    CapabilityStatement,
}

impl SmartConfiguration {
    /// Whether the plan speaks SMART v2 scopes (`.rs`) rather than v1 (`.read`).
    pub fn supports_v2_scopes(&self) -> bool {
        self.capabilities.iter().any(|c| c == "permission-v2")
            || self
                .scopes_supported
                .iter()
                .any(|s| s.ends_with(".rs") || s.contains(".cruds"))
    }

    /// The scopes Folio asks for: read everything about the patient (v2 `.rs` or v1 `.read`,
    /// as the plan advertises), the patient context, identity, and offline access.
    pub fn requested_scopes(&self) -> Vec<String> {
        let read_all = if self.supports_v2_scopes() {
            "patient/*.rs"
        } else {
            "patient/*.read"
        };
        [
            "launch/patient",
            "openid",
            "fhirUser",
            "offline_access",
            read_all,
        ]
        .map(String::from)
        .to_vec()
    }
}

#[derive(Deserialize)]
struct WellKnown {
    issuer: Option<String>,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    management_endpoint: Option<String>,
    registration_endpoint: Option<String>,
    #[serde(default)]
    capabilities: Vec<Value>,
    #[serde(default)]
    scopes_supported: Vec<Value>,
    #[serde(default)]
    token_endpoint_auth_signing_alg_values_supported: Vec<Value>,
    #[serde(default)]
    authorization_response_iss_parameter_supported: Option<bool>,
}

fn strings(values: Vec<Value>) -> Vec<String> {
    values
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// `[base]/` + `path`, keeping the base's own path (a base may be `https://h/api/fhir`).
pub(crate) fn join(base: &Url, path: &str) -> Result<Url, SmartError> {
    let mut with_slash = base.clone();
    if !with_slash.path().ends_with('/') {
        let p = format!("{}/", with_slash.path());
        with_slash.set_path(&p);
    }
    with_slash
        .join(path)
        .map_err(|_| SmartError::InvalidUrl(path.to_owned()))
}

/// Resolves an endpoint URL that may be relative (legacy servers) against the FHIR base, and
/// refuses it unless it is `https` (or `http` on this computer): a discovery document rewritten
/// on the way must not send the code, the verifier or a token anywhere in cleartext.
fn resolve(base: &Url, value: &str, role: UrlRole) -> Result<Url, SmartError> {
    let url = Url::parse(value)
        .or_else(|_| join(base, value))
        .map_err(|_| SmartError::InvalidUrl(crate::authorize::truncate(value)))?;
    http::require_secure(&url, role)?;
    Ok(url)
}

/// Parses a FHIR base URL typed by a member or read from the catalog: an `https` address
/// (`http` only on this computer) without a query.
pub fn parse_fhir_base(text: &str) -> Result<Url, SmartError> {
    let url = Url::parse(text.trim())
        .map_err(|_| SmartError::InvalidUrl(crate::authorize::truncate(text)))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(SmartError::InvalidUrl(crate::authorize::truncate(text)));
    }
    http::require_secure(&url, UrlRole::FhirBase)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(SmartError::InvalidUrl(crate::authorize::truncate(text)));
    }
    Ok(url)
}

/// Discovers the plan at `fhir_base`: the well-known document first, then the
/// CapabilityStatement. A server with neither is "not a SMART server".
pub async fn discover(
    client: &reqwest::Client,
    fhir_base: &Url,
) -> Result<SmartConfiguration, SmartError> {
    let well_known = join(fhir_base, ".well-known/smart-configuration")?;
    match http::get_json(client, &well_known, "application/json").await {
        Ok(doc) => {
            if let Ok(parsed) = serde_json::from_value::<WellKnown>(doc) {
                if let Some(config) = from_well_known(fhir_base, parsed)? {
                    return Ok(config);
                }
            }
        }
        Err(SmartError::Unreachable(reason)) => return Err(SmartError::Unreachable(reason)),
        Err(_) => {}
    }
    let metadata = join(fhir_base, "metadata")?;
    let cs = match http::get_json(client, &metadata, "application/fhir+json").await {
        Ok(cs) => cs,
        Err(SmartError::Unreachable(reason)) => return Err(SmartError::Unreachable(reason)),
        Err(_) => return Err(SmartError::NotSmart),
    };
    from_capability_statement(fhir_base, &cs)
}

/// The configuration a well-known document describes; `None` when it lacks the two endpoints
/// Folio needs (then the CapabilityStatement is asked).
fn from_well_known(
    fhir_base: &Url,
    parsed: WellKnown,
) -> Result<Option<SmartConfiguration>, SmartError> {
    let (Some(auth), Some(token)) = (&parsed.authorization_endpoint, &parsed.token_endpoint) else {
        return Ok(None);
    };
    Ok(Some(SmartConfiguration {
        fhir_base: fhir_base.clone(),
        issuer: parsed.issuer.clone(),
        authorization_endpoint: resolve(fhir_base, auth, UrlRole::Authorization)?,
        token_endpoint: resolve(fhir_base, token, UrlRole::Token)?,
        revocation_endpoint: parsed
            .revocation_endpoint
            .as_deref()
            .map(|u| resolve(fhir_base, u, UrlRole::Revocation))
            .transpose()?,
        management_endpoint: parsed
            .management_endpoint
            .as_deref()
            .map(|u| resolve(fhir_base, u, UrlRole::Management))
            .transpose()?,
        registration_endpoint: parsed
            .registration_endpoint
            .as_deref()
            .map(|u| resolve(fhir_base, u, UrlRole::Registration))
            .transpose()?,
        capabilities: strings(parsed.capabilities),
        scopes_supported: strings(parsed.scopes_supported),
        token_endpoint_auth_signing_alg_values_supported: strings(
            parsed.token_endpoint_auth_signing_alg_values_supported,
        ),
        iss_parameter_supported: parsed
            .authorization_response_iss_parameter_supported
            .unwrap_or(false),
        source: DiscoverySource::WellKnown,
    }))
}

fn from_capability_statement(
    fhir_base: &Url,
    cs: &Value,
) -> Result<SmartConfiguration, SmartError> {
    if cs["resourceType"] != "CapabilityStatement" {
        return Err(SmartError::NotSmart);
    }
    let uris = cs["rest"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|rest| rest["security"]["extension"].as_array())
        .flatten()
        .find(|e| e["url"] == OAUTH_URIS)
        .and_then(|e| e["extension"].as_array())
        .ok_or(SmartError::NotSmart)?;
    let find = |name: &str| {
        uris.iter()
            .find(|e| e["url"] == name)
            .and_then(|e| e["valueUri"].as_str())
    };
    let (Some(auth), Some(token)) = (find("authorize"), find("token")) else {
        return Err(SmartError::NotSmart);
    };
    Ok(SmartConfiguration {
        fhir_base: fhir_base.clone(),
        issuer: None,
        authorization_endpoint: resolve(fhir_base, auth, UrlRole::Authorization)?,
        token_endpoint: resolve(fhir_base, token, UrlRole::Token)?,
        revocation_endpoint: find("revoke")
            .map(|u| resolve(fhir_base, u, UrlRole::Revocation))
            .transpose()?,
        management_endpoint: find("manage")
            .map(|u| resolve(fhir_base, u, UrlRole::Management))
            .transpose()?,
        registration_endpoint: find("register")
            .map(|u| resolve(fhir_base, u, UrlRole::Registration))
            .transpose()?,
        capabilities: Vec::new(),
        scopes_supported: Vec::new(),
        token_endpoint_auth_signing_alg_values_supported: Vec::new(),
        iss_parameter_supported: false,
        source: DiscoverySource::CapabilityStatement,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn joining_keeps_the_base_path() {
        let base = Url::parse("https://plan.example/api/fhir").unwrap();
        assert_eq!(
            join(&base, "metadata").unwrap().as_str(),
            "https://plan.example/api/fhir/metadata"
        );
        let slash = Url::parse("https://plan.example/api/fhir/").unwrap();
        assert_eq!(
            join(&slash, ".well-known/smart-configuration")
                .unwrap()
                .as_str(),
            "https://plan.example/api/fhir/.well-known/smart-configuration"
        );
        assert_eq!(
            resolve(&base, "../auth/token", UrlRole::Token)
                .unwrap()
                .as_str(),
            "https://plan.example/api/auth/token"
        );
        assert_eq!(
            resolve(&base, "https://login.example/t", UrlRole::Token)
                .unwrap()
                .as_str(),
            "https://login.example/t"
        );
    }

    #[test]
    fn capability_statement_fallback() {
        let base = Url::parse("https://plan.example/fhir").unwrap();
        let cs = json!({"resourceType": "CapabilityStatement", "rest": [{"security": {"extension": [{
            "url": OAUTH_URIS, "extension": [{"url": "authorize", "valueUri": "auth/authorize"}, {"url": "token", "valueUri": "https://plan.example/token"}]
        }]}}]});
        let conf = from_capability_statement(&base, &cs).unwrap();
        assert_eq!(
            conf.authorization_endpoint.as_str(),
            "https://plan.example/fhir/auth/authorize"
        );
        assert_eq!(conf.source, DiscoverySource::CapabilityStatement);
        assert_eq!(
            conf.requested_scopes().last().unwrap(),
            "patient/*.read",
            "no v2 advertised: v1 scopes"
        );
        assert!(matches!(
            from_capability_statement(&base, &json!({"resourceType": "CapabilityStatement"})),
            Err(SmartError::NotSmart)
        ));
        assert!(matches!(
            from_capability_statement(&base, &json!({"resourceType": "Patient"})),
            Err(SmartError::NotSmart)
        ));
    }

    #[test]
    fn fhir_bases_must_be_https_or_on_this_computer() {
        assert!(parse_fhir_base("https://plan.example/fhir").is_ok());
        assert!(parse_fhir_base("  http://127.0.0.1:8700/fhir ").is_ok());
        assert!(parse_fhir_base("http://localhost:8700/fhir").is_ok());
        assert!(parse_fhir_base("http://[::1]:8700/fhir").is_ok());
        assert!(matches!(
            parse_fhir_base("http://plan.example/fhir"),
            Err(SmartError::InsecureUrl {
                role: UrlRole::FhirBase,
                ..
            })
        ));
        assert!(parse_fhir_base("ftp://plan.example").is_err());
        assert!(parse_fhir_base("https://plan.example/fhir?x=1").is_err());
        assert!(parse_fhir_base("https://plan.example/fhir#x").is_err());
        assert!(parse_fhir_base("not a url").is_err());
    }

    fn well_known_with(endpoint: &str) -> Value {
        json!({"authorization_endpoint": "https://plan.example/auth",
               "token_endpoint": "https://plan.example/token",
               "revocation_endpoint": "https://plan.example/revoke",
               "management_endpoint": "https://plan.example/manage",
               endpoint: "http://attacker.example/x"})
    }

    #[test]
    fn a_discovered_endpoint_in_cleartext_refuses_the_plan() {
        let base = Url::parse("https://plan.example/fhir").unwrap();
        for (field, role) in [
            ("authorization_endpoint", UrlRole::Authorization),
            ("token_endpoint", UrlRole::Token),
            ("revocation_endpoint", UrlRole::Revocation),
            ("management_endpoint", UrlRole::Management),
        ] {
            let doc: WellKnown = serde_json::from_value(well_known_with(field)).unwrap();
            match from_well_known(&base, doc) {
                Err(SmartError::InsecureUrl { role: r, .. }) => assert_eq!(r, role, "{field}"),
                other => panic!("{field} in cleartext must be refused: {other:?}"),
            }
        }
        let file: WellKnown = serde_json::from_value(json!({
            "authorization_endpoint": "file:///etc/passwd",
            "token_endpoint": "https://plan.example/token"}))
        .unwrap();
        assert!(matches!(
            from_well_known(&base, file),
            Err(SmartError::InsecureUrl {
                role: UrlRole::Authorization,
                ..
            })
        ));
        let cs = json!({"resourceType": "CapabilityStatement", "rest": [{"security": {"extension": [{
            "url": OAUTH_URIS, "extension": [{"url": "authorize", "valueUri": "https://plan.example/a"}, {"url": "token", "valueUri": "http://plan.example/token"}]
        }]}}]});
        assert!(matches!(
            from_capability_statement(&base, &cs),
            Err(SmartError::InsecureUrl {
                role: UrlRole::Token,
                ..
            })
        ));
        // A plan on this computer may use http throughout (the demo plan, tests).
        let local = Url::parse("http://127.0.0.1:8700/fhir").unwrap();
        let doc: WellKnown = serde_json::from_value(json!({
            "authorization_endpoint": "http://127.0.0.1:8700/auth",
            "token_endpoint": "/token"}))
        .unwrap();
        assert!(from_well_known(&local, doc).unwrap().is_some());
    }
}
