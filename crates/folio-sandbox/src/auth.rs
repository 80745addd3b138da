//! The plan's SMART authorization server: discovery, the authorize flow through the login and
//! consent pages, the token endpoint (code and refresh grants, PKCE S256, rotation with reuse
//! detection) and revocation.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use rand::RngCore;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::grants::{Access, AuthStore, Code, Grant, Pending, Refresh};
use crate::pages;
use crate::state::AppState;

/// How long a member has to finish signing in, and how long a code lives.
const PENDING_TTL: Duration = Duration::from_secs(600);
const CODE_TTL: Duration = Duration::from_secs(60);

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Whether `requested` matches the registered `registered` redirect URI: exactly, or for
/// loopback URIs exactly but for the port (RFC 8252 §7.3).
fn redirect_matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    fn loopback(uri: &str) -> Option<(&str, &str)> {
        let rest = uri.strip_prefix("http://")?;
        let (authority, path) = rest.split_at(rest.find('/')?);
        let host = if authority.starts_with("[::1]") {
            "[::1]"
        } else if authority.starts_with("127.0.0.1") {
            "127.0.0.1"
        } else {
            return None;
        };
        let port = &authority[host.len()..];
        if !(port.is_empty()
            || port
                .strip_prefix(':')
                .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())))
        {
            return None;
        }
        if path.contains(['?', '#']) {
            return None;
        }
        Some((host, path))
    }
    matches!((loopback(registered), loopback(requested)), (Some(a), Some(b)) if a == b)
}

fn with_params(redirect_uri: &str, params: &[(&str, &str)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        ser.append_pair(k, v);
    }
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    format!("{redirect_uri}{sep}{}", ser.finish())
}

/// `GET [base]/.well-known/smart-configuration`.
pub async fn smart_configuration(State(state): State<Arc<AppState>>) -> Response {
    let o = &state.endpoints_origin();
    (
        [(header::CONTENT_TYPE, "application/json")],
        Json(json!({
            "issuer": state.fhir_base,
            "authorization_endpoint": format!("{o}/auth/authorize"),
            "token_endpoint": format!("{o}/auth/token"),
            "revocation_endpoint": format!("{o}/auth/revoke"),
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "authorization_response_iss_parameter_supported": true,
            "scopes_supported": ["openid", "fhirUser", "launch/patient", "offline_access", "patient/*.read", "patient/*.rs",
                "patient/ExplanationOfBenefit.read", "patient/Coverage.read", "patient/Patient.read",
                "patient/Organization.read", "patient/Practitioner.read"],
            "capabilities": ["launch-standalone", "client-public", "context-standalone-patient", "permission-patient",
                "permission-offline", "permission-v1", "permission-v2", "authorize-post"],
        })),
    )
        .into_response()
}

/// `GET /auth/authorize`.
pub async fn authorize_get(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Response {
    start(&state, form(query.unwrap_or_default().as_bytes()))
}

/// `POST /auth/authorize` (SMART servers support both).
pub async fn authorize_post(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    start(&state, form(&body))
}

fn start(state: &AppState, params: Vec<(String, String)>) -> Response {
    let p = |n| param(&params, n).unwrap_or("");
    let Some(client) = state.clients.iter().find(|c| c.client_id == p("client_id")) else {
        return (
            StatusCode::BAD_REQUEST,
            Html(pages::error(
                "Unknown app",
                "This app is not registered with the plan.",
            )),
        )
            .into_response();
    };
    let redirect_uri = p("redirect_uri");
    if !client
        .redirect_uris
        .iter()
        .any(|r| redirect_matches(r, redirect_uri))
    {
        return (
            StatusCode::BAD_REQUEST,
            Html(pages::error(
                "Unregistered redirect",
                "The app asked to return to an address it did not register.",
            )),
        )
            .into_response();
    }
    let fail = |error: &str, description: &str| {
        let mut ps = vec![
            ("error", error),
            ("error_description", description),
            ("iss", state.fhir_base.as_str()),
        ];
        if !p("state").is_empty() {
            ps.push(("state", p("state")));
        }
        Redirect::to(&with_params(redirect_uri, &ps)).into_response()
    };
    if p("response_type") != "code" {
        return fail(
            "unsupported_response_type",
            "only response_type=code is supported",
        );
    }
    if p("state").is_empty() {
        return fail("invalid_request", "state is required");
    }
    if p("code_challenge_method") != "S256" || p("code_challenge").len() < 43 {
        return fail(
            "invalid_request",
            "PKCE with code_challenge_method=S256 is required",
        );
    }
    if p("aud").trim_end_matches('/') != state.fhir_base {
        return fail("invalid_request", "aud must be this plan's FHIR base URL");
    }
    let scopes: Vec<String> = p("scope").split_whitespace().map(str::to_owned).collect();
    if scopes.is_empty() {
        return fail("invalid_scope", "no scope requested");
    }
    let id = random_token();
    let Ok(mut auth) = state.auth.lock() else {
        return internal();
    };
    auth.pending
        .retain(|_, pend| pend.created.elapsed() < PENDING_TTL);
    auth.pending.insert(
        id.clone(),
        Pending {
            client_id: client.client_id.clone(),
            app_name: client.name.clone(),
            redirect_uri: redirect_uri.to_owned(),
            state: p("state").to_owned(),
            challenge: p("code_challenge").to_owned(),
            scopes,
            member: None,
            created: Instant::now(),
        },
    );
    let logins: Vec<String> = state.members.iter().map(|m| m.login.clone()).collect();
    Html(pages::login(&id, &client.name, None, &logins)).into_response()
}

fn internal() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

fn expired() -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(pages::error(
            "This sign-in has expired",
            "Go back to the app and start connecting again.",
        )),
    )
        .into_response()
}

/// `POST /auth/login`: checks the member's credentials, then shows the consent page.
pub async fn login(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let params = form(&body);
    let p = |n| param(&params, n).unwrap_or("");
    let Ok(mut auth) = state.auth.lock() else {
        return internal();
    };
    let Some(pending) = auth
        .pending
        .get_mut(p("request"))
        .filter(|pend| pend.created.elapsed() < PENDING_TTL)
    else {
        return expired();
    };
    let member = state.members.iter().position(|m| m.login == p("username"));
    match member {
        Some(index) if p("password") == state.password => {
            pending.member = Some(index);
            let name = &state.members[index].display_name;
            Html(pages::consent(
                p("request"),
                &pending.app_name,
                name,
                &pending.scopes,
            ))
            .into_response()
        }
        _ => {
            let logins: Vec<String> = state.members.iter().map(|m| m.login.clone()).collect();
            (
                StatusCode::UNAUTHORIZED,
                Html(pages::login(
                    p("request"),
                    &pending.app_name,
                    Some("That login and password do not match."),
                    &logins,
                )),
            )
                .into_response()
        }
    }
}

/// `POST /auth/consent`: the member allows (some scopes, sensitive data or not) or denies.
pub async fn consent(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let params = form(&body);
    let p = |n| param(&params, n).unwrap_or("");
    let Ok(mut auth) = state.auth.lock() else {
        return internal();
    };
    let Some(pending) = auth.pending.remove(p("request")) else {
        return expired();
    };
    let Some(member) = pending.member else {
        return expired();
    };
    let iss = state.fhir_base.as_str();
    if p("decision") != "allow" {
        let url = with_params(
            &pending.redirect_uri,
            &[
                ("error", "access_denied"),
                ("error_description", "The member denied access"),
                ("state", &pending.state),
                ("iss", iss),
            ],
        );
        return Redirect::to(&url).into_response();
    }
    let ticked: Vec<&str> = params
        .iter()
        .filter(|(k, _)| k == "scope")
        .map(|(_, v)| v.as_str())
        .collect();
    let granted: Vec<String> = pending
        .scopes
        .iter()
        .filter(|s| ticked.contains(&s.as_str()))
        .cloned()
        .collect();
    let code = random_token();
    auth.codes.insert(
        code.clone(),
        Code {
            client_id: pending.client_id,
            redirect_uri: pending.redirect_uri.clone(),
            challenge: pending.challenge,
            member,
            scopes: granted,
            share_sensitive: p("sensitive") == "share",
            created: Instant::now(),
            issued_grant: None,
        },
    );
    Redirect::to(&with_params(
        &pending.redirect_uri,
        &[("code", &code), ("state", &pending.state), ("iss", iss)],
    ))
    .into_response()
}

fn token_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

fn issue(state: &AppState, auth: &mut AuthStore, grant_id: &str) -> Response {
    let Some(grant) = auth.grants.get(grant_id).cloned() else {
        return internal();
    };
    let faults = state.faults();
    let lifetime = faults
        .access_token_lifetime_secs
        .map_or(state.ttl, Duration::from_secs);
    let access_token = random_token();
    auth.access.insert(
        access_token.clone(),
        Access {
            grant: grant_id.to_owned(),
            expires: Instant::now() + lifetime,
            requests: 0,
        },
    );
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": faults.expires_in_secs.unwrap_or(lifetime.as_secs()),
        "scope": grant.scopes.join(" "),
        "patient": faults.token_patient.unwrap_or_else(|| state.members[grant.member].patient_id.clone()),
        "need_patient_banner": false,
    });
    if !faults.no_refresh_token && grant.scopes.iter().any(|s| s == "offline_access") {
        let refresh_token = random_token();
        auth.refresh.insert(
            refresh_token.clone(),
            Refresh {
                grant: grant_id.to_owned(),
                used: false,
            },
        );
        body["refresh_token"] = Value::String(refresh_token);
    }
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(body),
    )
        .into_response()
}

/// `POST /auth/token`.
pub async fn token(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let faults = state.faults();
    if faults.token_delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.token_delay_ms)).await;
    }
    if faults.token_endpoint_down {
        return token_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "the token service is down",
        );
    }
    let params = form(&body);
    let p = |n| param(&params, n).unwrap_or("");
    let Ok(mut auth) = state.auth.lock() else {
        return internal();
    };
    match p("grant_type") {
        "authorization_code" => {
            let Some(code) = auth.codes.get_mut(p("code")) else {
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "unknown authorization code",
                );
            };
            if let Some(grant) = code.issued_grant.clone() {
                // A code used twice: revoke everything issued from it (RFC 6749 §4.1.2).
                auth.revoke_grant(&grant);
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "authorization code already used",
                );
            }
            if code.created.elapsed() > CODE_TTL {
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "authorization code expired",
                );
            }
            if code.client_id != p("client_id") || code.redirect_uri != p("redirect_uri") {
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "client_id or redirect_uri does not match",
                );
            }
            let verifier = p("code_verifier");
            if !(43..=128).contains(&verifier.len())
                || URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != code.challenge
            {
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "PKCE verification failed",
                );
            }
            let grant_id = random_token();
            code.issued_grant = Some(grant_id.clone());
            let grant = Grant {
                member: code.member,
                client_id: code.client_id.clone(),
                scopes: code.scopes.clone(),
                share_sensitive: code.share_sensitive,
                revoked: false,
            };
            auth.grants.insert(grant_id.clone(), grant);
            issue(&state, &mut auth, &grant_id)
        }
        "refresh_token" => {
            let Some(refresh) = auth.refresh.get_mut(p("refresh_token")) else {
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "unknown or revoked refresh token",
                );
            };
            let grant_id = refresh.grant.clone();
            if refresh.used {
                // Reuse of a rotated refresh token: revoke the whole grant (RFC 9700 §4.14.2).
                auth.revoke_grant(&grant_id);
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "refresh token reused; access revoked",
                );
            }
            if faults.revoke_refresh_tokens {
                auth.revoke_grant(&grant_id);
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the member's authorization was revoked",
                );
            }
            refresh.used = true;
            let Some(grant) = auth.grants.get_mut(&grant_id) else {
                return internal();
            };
            if grant.client_id != p("client_id") {
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "refresh token belongs to another client",
                );
            }
            let requested: Vec<String> = p("scope").split_whitespace().map(str::to_owned).collect();
            if !requested.is_empty() {
                if requested.iter().any(|s| !grant.scopes.contains(s)) {
                    return token_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_scope",
                        "scope must be a subset of the grant",
                    );
                }
                grant.scopes = requested;
            }
            issue(&state, &mut auth, &grant_id)
        }
        _ => token_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "use authorization_code or refresh_token",
        ),
    }
}

/// `POST /auth/revoke` (RFC 7009): always 200.
pub async fn revoke(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let params = form(&body);
    let token = param(&params, "token").unwrap_or("");
    if let Ok(mut auth) = state.auth.lock() {
        let grant = auth
            .refresh
            .get(token)
            .map(|r| r.grant.clone())
            .or_else(|| auth.access.get(token).map(|a| a.grant.clone()));
        if let Some(grant) = grant {
            auth.revoke_grant(&grant);
        }
    }
    StatusCode::OK.into_response()
}

/// The bearer token of a request.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_match_any_port_but_nothing_else() {
        let reg = "http://127.0.0.1/cb/demo";
        assert!(redirect_matches(reg, "http://127.0.0.1:53211/cb/demo"));
        assert!(redirect_matches(reg, "http://127.0.0.1/cb/demo"));
        assert!(!redirect_matches(reg, "http://127.0.0.1:53211/cb/other"));
        assert!(!redirect_matches(reg, "http://127.0.0.1:53211/cb/demo?x=1"));
        assert!(!redirect_matches(
            reg,
            "http://127.0.0.1.evil.invalid/cb/demo"
        ));
        assert!(!redirect_matches(reg, "http://localhost:5000/cb/demo"));
        assert!(!redirect_matches(reg, "http://127.0.0.1:/cb/demo"));
        assert!(redirect_matches(
            "http://[::1]/cb/demo",
            "http://[::1]:4000/cb/demo"
        ));
        assert!(redirect_matches(
            "health.folio.desktop:/cb/demo",
            "health.folio.desktop:/cb/demo"
        ));
        assert!(!redirect_matches(
            "health.folio.desktop:/cb/demo",
            "health.folio.desktop:/cb/demo2"
        ));
    }

    #[test]
    fn params_are_appended_encoded() {
        assert_eq!(
            with_params("http://x/cb", &[("a", "1 2"), ("b", "&")]),
            "http://x/cb?a=1+2&b=%26"
        );
        assert_eq!(
            with_params("http://x/cb?k=v", &[("a", "1")]),
            "http://x/cb?k=v&a=1"
        );
    }
}
