//! Token exchange, refresh and revocation, through the `oauth2` crate, as a public client or
//! with the client authentication the plan requires ([`ClientAuth`]).

use std::time::{Duration, SystemTime};

use folio_secrets::Sensitive;
use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode as OAuthCode, ClientId, ClientSecret, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, ExtraTokenFields, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, RevocationUrl, StandardRevocableToken, StandardTokenResponse, TokenResponse,
    TokenUrl,
};
use serde::{Deserialize, Serialize};

use crate::authorize::{truncate, AuthorizationCode, PendingAuthorization};
use crate::error::UrlRole;
use crate::http::{describe, read_capped, require_secure, MAX_TOKEN_RESPONSE_BYTES};
use crate::{ClientAuth, SmartConfiguration, SmartError};

/// SMART's additions to the token response (unknown fields are ignored).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SmartFields {
    /// The patient in context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
    /// An OpenID Connect id_token, when `openid` was granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl ExtraTokenFields for SmartFields {}

type SmartTokenResponse = StandardTokenResponse<SmartFields, BasicTokenType>;
type SmartClient = oauth2::Client<
    BasicErrorResponse,
    SmartTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointSet,
>;

/// What the plan issued. `Debug` shows no token.
#[derive(Debug, Clone)]
pub struct TokenSet {
    /// The bearer token for the FHIR API.
    pub access_token: Sensitive<String>,
    /// The refresh token, when offline access was granted (rotated on each refresh).
    pub refresh_token: Option<Sensitive<String>>,
    /// When the access token stops working, if the plan said.
    pub expires_at: Option<SystemTime>,
    /// How long the plan said the access token lasts (`expires_in`), if it said.
    pub expires_in: Option<Duration>,
    /// Granted scopes (the requested ones when the plan did not say).
    pub scopes: Vec<String>,
    /// The patient in context.
    pub patient: Option<String>,
}

fn client(
    config: &SmartConfiguration,
    client_id: &str,
    auth: &ClientAuth,
    redirect_uri: Option<&str>,
) -> Result<SmartClient, SmartError> {
    let bad = |e: url::ParseError| SmartError::InvalidUrl(e.to_string());
    // Checked at discovery too; checked again here because endpoints may come from storage.
    require_secure(&config.token_endpoint, UrlRole::Token)?;
    let mut c = oauth2::Client::new(ClientId::new(client_id.to_owned()))
        .set_auth_uri(AuthUrl::from_url(config.authorization_endpoint.clone()))
        .set_token_uri(TokenUrl::from_url(config.token_endpoint.clone()))
        .set_revocation_url_option(
            config
                .revocation_endpoint
                .clone()
                .map(RevocationUrl::from_url),
        );
    c = match auth {
        // Public client: client_id in the body, no client authentication.
        ClientAuth::None => c.set_auth_type(oauth2::AuthType::RequestBody),
        ClientAuth::SecretBasic(secret) => c
            .set_client_secret(ClientSecret::new(secret.expose().clone()))
            .set_auth_type(oauth2::AuthType::BasicAuth),
        ClientAuth::SecretPost(secret) => c
            .set_client_secret(ClientSecret::new(secret.expose().clone()))
            .set_auth_type(oauth2::AuthType::RequestBody),
        // client_id in the body; the assertion is added to each request.
        ClientAuth::PrivateKeyJwt(_) => c.set_auth_type(oauth2::AuthType::RequestBody),
    };
    if let Some(uri) = redirect_uri {
        c = c.set_redirect_uri(RedirectUrl::new(uri.to_owned()).map_err(bad)?);
    }
    Ok(c)
}

fn map_error<RE: std::error::Error + 'static>(
    error: RequestTokenError<RE, BasicErrorResponse>,
) -> SmartError {
    match error {
        RequestTokenError::ServerResponse(r) => match r.error() {
            BasicErrorResponseType::InvalidGrant => SmartError::GrantRevoked,
            // A wrong or unknown secret or key, or a method the plan does not take for Folio.
            BasicErrorResponseType::InvalidClient => SmartError::ClientRejected,
            other => {
                let detail = r
                    .error_description()
                    .map(|d| format!("{}: {}", other.as_ref(), truncate(d)));
                SmartError::TokenRefused(detail.unwrap_or_else(|| other.as_ref().to_owned()))
            }
        },
        RequestTokenError::Request(e) => {
            let e: &(dyn std::error::Error + 'static) = &e;
            if let Some(CappedError::Body(body)) = find_source::<CappedError>(e) {
                return match body {
                    SmartError::Unreachable(text) => SmartError::Unreachable(text.clone()),
                    other => SmartError::InvalidResponse(format!("token response: {other}")),
                };
            }
            match find_source::<reqwest::Error>(e) {
                Some(re) => SmartError::Unreachable(describe(re)),
                None => SmartError::Unreachable(e.to_string()),
            }
        }
        RequestTokenError::Parse(e, _) => {
            SmartError::InvalidResponse(format!("token response: {}", e.inner()))
        }
        RequestTokenError::Other(text) => {
            // oauth2 reports non-JSON error bodies (e.g. a 503 page) here.
            SmartError::TokenRefused(truncate(&text))
        }
    }
}

/// A refusal of the client's authentication, said for the method used.
fn client_refused(error: SmartError, auth: &ClientAuth) -> SmartError {
    match error {
        SmartError::ClientRejected => auth.rejected(),
        other => other,
    }
}

/// The first error of type `T` in `error`'s chain (itself included).
fn find_source<'e, T: std::error::Error + 'static>(
    error: &'e (dyn std::error::Error + 'static),
) -> Option<&'e T> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

fn token_set(
    response: &SmartTokenResponse,
    requested: &[String],
    previous_refresh: Option<&Sensitive<String>>,
) -> TokenSet {
    let expires_in = response
        .expires_in()
        .map(|d| d.min(Duration::from_secs(365 * 24 * 3600)));
    TokenSet {
        access_token: Sensitive::new(response.access_token().secret().clone()),
        refresh_token: response
            .refresh_token()
            .map(|t| Sensitive::new(t.secret().clone()))
            .or_else(|| previous_refresh.cloned()),
        expires_at: expires_in.map(|d| SystemTime::now() + d),
        expires_in,
        scopes: match response.scopes() {
            Some(scopes) => scopes.iter().map(|s| s.to_string()).collect(),
            // RFC 6749 §5.1: no scope in the response means the requested scopes.
            None => requested.to_vec(),
        },
        patient: response.extra_fields().patient.clone(),
    }
}

/// What went wrong sending an OAuth request through [`capped`].
#[derive(Debug, thiserror::Error)]
enum CappedError {
    #[error("{0}")]
    Request(#[from] reqwest::Error),
    #[error("the token service's request could not be built")]
    Build,
    #[error("{0}")]
    Body(SmartError),
}

/// The HTTP client handed to `oauth2`: the same reqwest client (no redirects, timeouts), but
/// the answer is read with a size limit while it arrives, so an endless or huge token response
/// stops at [`MAX_TOKEN_RESPONSE_BYTES`] (oauth2's own reqwest glue reads whole bodies).
struct CappedClient(reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for CappedClient {
    type Error = CappedError;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<oauth2::HttpResponse, CappedError>> + Send + 'c,
        >,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let url =
                reqwest::Url::parse(&parts.uri.to_string()).map_err(|_| CappedError::Build)?;
            let mut builder = self.0.request(parts.method, url).body(body);
            for (name, value) in &parts.headers {
                builder = builder.header(name, value);
            }
            let res = builder.send().await?;
            let status = res.status();
            let headers = res.headers().clone();
            let bytes = read_capped(res, MAX_TOKEN_RESPONSE_BYTES)
                .await
                .map_err(CappedError::Body)?;
            let mut response = oauth2::HttpResponse::new(bytes);
            *response.status_mut() = status;
            *response.headers_mut() = headers;
            Ok(response)
        })
    }
}

/// Redeems the code of a finished sign-in (with its PKCE verifier and redirect URI).
pub async fn exchange_code(
    http: &reqwest::Client,
    pending: &PendingAuthorization,
    auth: &ClientAuth,
    code: AuthorizationCode,
) -> Result<TokenSet, SmartError> {
    let c = client(
        pending.config(),
        pending.client_id(),
        auth,
        Some(pending.redirect_uri()),
    )?;
    let mut request = c
        .exchange_code(OAuthCode::new(code.0.into_inner()))
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier().to_owned()));
    for (name, value) in
        auth.assertion_fields(pending.client_id(), &pending.config().token_endpoint)?
    {
        request = request.add_extra_param(name, value.into_inner());
    }
    let response = request
        .request_async(&CappedClient(http.clone()))
        .await
        .map_err(|e| client_refused(map_error(e), auth))?;
    Ok(token_set(&response, pending.scopes(), None))
}

/// Uses a refresh token. The plan may rotate it: the returned set carries the new one (or the
/// old one when the plan did not send a new one). `granted` are the connection's scopes.
pub async fn refresh(
    http: &reqwest::Client,
    config: &SmartConfiguration,
    client_id: &str,
    auth: &ClientAuth,
    refresh_token: &Sensitive<String>,
    granted: &[String],
) -> Result<TokenSet, SmartError> {
    let c = client(config, client_id, auth, None)?;
    let rt = RefreshToken::new(refresh_token.expose().clone());
    let mut request = c.exchange_refresh_token(&rt);
    for (name, value) in auth.assertion_fields(client_id, &config.token_endpoint)? {
        request = request.add_extra_param(name, value.into_inner());
    }
    let response = request
        .request_async(&CappedClient(http.clone()))
        .await
        .map_err(|e| client_refused(map_error(e), auth))?;
    Ok(token_set(&response, granted, Some(refresh_token)))
}

/// Revokes a token (RFC 7009). `Ok(false)` when the plan offers no revocation endpoint.
/// A plain form POST rather than the `oauth2` crate's, which refuses every `http` endpoint and
/// so could not revoke at a plan on 127.0.0.1 (the demo plan, tests); the endpoint must pass
/// the same rule as every other ([`require_secure`]: `https`, or `http` on this computer).
pub async fn revoke(
    http: &reqwest::Client,
    config: &SmartConfiguration,
    client_id: &str,
    auth: &ClientAuth,
    token: &Sensitive<String>,
    is_refresh_token: bool,
) -> Result<bool, SmartError> {
    let Some(endpoint) = &config.revocation_endpoint else {
        return Ok(false);
    };
    require_secure(endpoint, UrlRole::Revocation)?;
    let hint = if is_refresh_token {
        "refresh_token"
    } else {
        "access_token"
    };
    let mut form = vec![
        ("token", token.expose().clone()),
        ("token_type_hint", hint.to_owned()),
    ];
    let request = auth.apply_to_form(
        http.post(endpoint.clone()),
        client_id,
        &config.token_endpoint,
        &mut form,
    )?;
    let res = request
        .form(&form)
        .send()
        .await
        .map_err(|e| SmartError::Unreachable(describe(&e)))?;
    // RFC 7009 §2.2: 200 whether or not the token was still valid.
    let status = res.status();
    if status.is_success() {
        return Ok(true);
    }
    // RFC 7009 §2.2.1: errors as in RFC 6749 §5.2; a refused client says so.
    #[derive(Deserialize)]
    struct OAuthError {
        error: String,
    }
    let body = read_capped(res, MAX_TOKEN_RESPONSE_BYTES).await.ok();
    match body.and_then(|b| serde_json::from_slice::<OAuthError>(&b).ok()) {
        Some(e) if e.error == "invalid_client" => Err(auth.rejected()),
        _ => Err(SmartError::HttpStatus(status.as_u16())),
    }
}
