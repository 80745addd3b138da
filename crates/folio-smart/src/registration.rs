//! RFC 7591 dynamic client registration: Folio registers itself at a plan that offers it, as a
//! native app with its own redirect URIs, as a public client (`none`) or with the public JWKS
//! of its key for the plan (`private_key_jwt`); and RFC 7592's delete, when the member removes
//! the plan.

use folio_secrets::Sensitive;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::authorize::truncate;
use crate::error::UrlRole;
use crate::http::{describe, read_capped, require_secure, MAX_TOKEN_RESPONSE_BYTES};
use crate::{SigningAlg, SmartError};

/// What Folio asks the plan to register (RFC 7591 §2).
#[derive(Debug, Clone, Serialize)]
pub struct ClientMetadata {
    /// Shown to the member at the plan's consent page.
    pub client_name: String,
    /// Always `native` (RFC 8252): Folio runs on the member's computer.
    pub application_type: String,
    /// Folio's redirect URIs for this plan (loopback, custom scheme).
    pub redirect_uris: Vec<String>,
    /// `none` or `private_key_jwt`.
    pub token_endpoint_auth_method: String,
    /// `authorization_code` and `refresh_token`.
    pub grant_types: Vec<String>,
    /// `code`.
    pub response_types: Vec<String>,
    /// The public JWKS, for `private_key_jwt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks: Option<serde_json::Value>,
    /// The algorithm of the client assertions, for `private_key_jwt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_signing_alg: Option<String>,
}

impl ClientMetadata {
    /// Folio as a native app returning to `redirect_uris`, authenticating with `method`
    /// (`none`, or `private_key_jwt` with the public `jwks` of a key signing with `alg`).
    pub fn native(
        redirect_uris: Vec<String>,
        method: &str,
        key: Option<(serde_json::Value, SigningAlg)>,
    ) -> Self {
        let (jwks, alg) = key.unzip();
        Self {
            client_name: "Folio".into(),
            application_type: "native".into(),
            redirect_uris,
            token_endpoint_auth_method: method.to_owned(),
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            response_types: vec!["code".into()],
            jwks,
            token_endpoint_auth_signing_alg: alg.map(|a| a.as_str().to_owned()),
        }
    }
}

/// What the plan registered. `Debug` shows no secret.
#[derive(Debug)]
pub struct Registered {
    /// The client id the plan issued.
    pub client_id: String,
    /// A client secret, if the plan issued one (Folio does not ask for one).
    pub client_secret: Option<Sensitive<String>>,
    /// RFC 7592's registration access token, if any (kept in the keychain).
    pub registration_access_token: Option<Sensitive<String>>,
    /// RFC 7592's `registration_client_uri`, where the registration is read, changed and
    /// deleted (https, or http on this computer), if the plan gave one.
    pub registration_client_uri: Option<Url>,
}

#[derive(Deserialize)]
struct Response {
    client_id: String,
    client_secret: Option<String>,
    registration_access_token: Option<String>,
    registration_client_uri: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    error_description: Option<String>,
}

/// Registers `metadata` at the plan's `endpoint` (open registration: no initial access token).
pub async fn register(
    http: &reqwest::Client,
    endpoint: &Url,
    metadata: &ClientMetadata,
) -> Result<Registered, SmartError> {
    require_secure(endpoint, UrlRole::Registration)?;
    let res = http
        .post(endpoint.clone())
        .json(metadata)
        .send()
        .await
        .map_err(|e| SmartError::Unreachable(describe(&e)))?;
    let status = res.status();
    let body = read_capped(res, MAX_TOKEN_RESPONSE_BYTES).await?;
    if status.is_success() {
        let parsed: Response = serde_json::from_slice(&body).map_err(|_| {
            SmartError::InvalidResponse("the registration answer has no client_id".into())
        })?;
        if parsed.client_id.is_empty()
            || parsed.client_id.len() > 200
            || parsed.client_id.chars().any(char::is_whitespace)
        {
            return Err(SmartError::InvalidResponse(
                "the registration answer's client_id is not usable".into(),
            ));
        }
        // A management address is used with a bearer token: only https (or this computer).
        let registration_client_uri = parsed
            .registration_client_uri
            .as_deref()
            .map(|u| {
                let url = Url::parse(u).map_err(|_| {
                    SmartError::InvalidResponse(
                        "the registration answer's registration_client_uri is not a URL".into(),
                    )
                })?;
                require_secure(&url, UrlRole::Registration)?;
                Ok::<_, SmartError>(url)
            })
            .transpose()?;
        return Ok(Registered {
            client_id: parsed.client_id,
            client_secret: parsed.client_secret.map(Sensitive::new),
            registration_access_token: parsed.registration_access_token.map(Sensitive::new),
            registration_client_uri,
        });
    }
    let why = serde_json::from_slice::<ErrorBody>(&body)
        .ok()
        .map(|e| match e.error_description {
            Some(d) => format!("{}: {}", e.error, truncate(&d)),
            None => e.error,
        });
    Err(match status.as_u16() {
        // RFC 7591 §3: an initial access token is needed (from the plan's developer portal).
        401 | 403 => SmartError::RegistrationRefused(format!(
            "it registers only apps that bring an access token from its developer portal ({})",
            why.unwrap_or_else(|| format!("HTTP {status}"))
        )),
        _ => SmartError::RegistrationRefused(why.unwrap_or_else(|| format!("HTTP {status}"))),
    })
}

/// Deletes Folio's registration at a plan (RFC 7592 §2.3): `DELETE` at its
/// `registration_client_uri` with the registration access token as a bearer token. The plan
/// answers 204 (a 200 is taken as the same); anything else is
/// [`SmartError::RegistrationNotDeleted`] with the plan's status.
pub async fn unregister(
    http: &reqwest::Client,
    registration_client_uri: &Url,
    registration_access_token: &Sensitive<String>,
) -> Result<(), SmartError> {
    require_secure(registration_client_uri, UrlRole::Registration)?;
    let res = http
        .delete(registration_client_uri.clone())
        .bearer_auth(registration_access_token.expose())
        .send()
        .await
        .map_err(|e| SmartError::Unreachable(describe(&e)))?;
    let status = res.status();
    if status.is_success() {
        return Ok(());
    }
    let body = read_capped(res, MAX_TOKEN_RESPONSE_BYTES)
        .await
        .unwrap_or_default();
    let why = serde_json::from_slice::<ErrorBody>(&body)
        .ok()
        .map(|e| format!(" ({})", e.error));
    Err(SmartError::RegistrationNotDeleted(format!(
        "HTTP {}{}",
        status.as_u16(),
        why.unwrap_or_default()
    )))
}
