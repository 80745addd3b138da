//! The HTTP client Folio uses toward plans, and small request helpers.

use std::time::Duration;

use serde_json::Value;
use url::Url;

use crate::error::UrlRole;
use crate::SmartError;

/// The HTTP client type the rest of Folio holds (folio-core never names reqwest itself).
pub type HttpClient = reqwest::Client;

/// Discovery documents larger than this are refused.
const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// Token responses (and other small OAuth answers) larger than this are refused.
pub(crate) const MAX_TOKEN_RESPONSE_BYTES: usize = 256 * 1024;

/// A client that never follows redirects (a token must never be carried to another origin),
/// validates certificates, and gives up on silent servers after a minute per request.
pub fn client() -> Result<reqwest::Client, SmartError> {
    client_with_timeout(Duration::from_secs(60))
}

/// [`client`] with another limit for a whole request (tests of silent servers use seconds).
pub fn client_with_timeout(timeout: Duration) -> Result<reqwest::Client, SmartError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10).min(timeout))
        .timeout(timeout)
        .user_agent(concat!("Folio/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| SmartError::Unreachable(e.to_string()))
}

/// A request error in words that carry no query string.
pub(crate) fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else if error.is_body() || error.is_decode() {
        "the response was cut off or unreadable"
    } else {
        "request failed"
    };
    match error.url() {
        Some(url) => format!(
            "{kind} ({}{})",
            url.origin().ascii_serialization(),
            url.path()
        ),
        None => kind.to_owned(),
    }
}

/// GETs a JSON document (discovery, metadata) with a size limit.
pub(crate) async fn get_json(
    client: &reqwest::Client,
    url: &Url,
    accept: &str,
) -> Result<Value, SmartError> {
    let res = client
        .get(url.clone())
        .header(reqwest::header::ACCEPT, accept)
        .send()
        .await
        .map_err(|e| SmartError::Unreachable(describe(&e)))?;
    if !res.status().is_success() {
        return Err(SmartError::HttpStatus(res.status().as_u16()));
    }
    let bytes = read_capped(res, MAX_DOCUMENT_BYTES).await?;
    serde_json::from_slice(&bytes)
        .map_err(|e| SmartError::InvalidResponse(format!("not JSON: {e}")))
}

/// Reads a response body, stopping as soon as it passes `limit` bytes, whether or not the
/// server said how long it would be (a chunked body that never ends stops here, not at the
/// client's timeout).
pub(crate) async fn read_capped(
    res: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, SmartError> {
    read_limited(res, limit)
        .await?
        .ok_or_else(|| SmartError::InvalidResponse(format!("a response over {limit} bytes")))
}

/// [`read_capped`] for callers that name the oversize case themselves: `None` when the body
/// passes `limit` bytes (reading stops there).
pub(crate) async fn read_limited(
    mut res: reqwest::Response,
    limit: usize,
) -> Result<Option<Vec<u8>>, SmartError> {
    if res.content_length().is_some_and(|n| n > limit as u64) {
        return Ok(None);
    }
    let mut body = Vec::with_capacity(
        res.content_length()
            .map_or(8 * 1024, |n| n as usize)
            .min(limit),
    );
    while let Some(chunk) = res
        .chunk()
        .await
        .map_err(|e| SmartError::Unreachable(describe(&e)))?
    {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// What [`get_limited`] and [`post_json_limited`] got: the status, and the body unless it
/// passed the limit.
#[derive(Debug)]
pub struct LimitedResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body; `None` when it passed the limit (reading stopped there).
    pub body: Option<Vec<u8>>,
}

/// GETs `url` (no redirect followed), reading at most `limit` bytes of the answer. For
/// documents other than a plan's (shared links' files, card issuers' keys): the caller checks
/// the address with [`require_secure`] first.
pub async fn get_limited(
    client: &reqwest::Client,
    url: &Url,
    limit: usize,
) -> Result<LimitedResponse, SmartError> {
    let res = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| SmartError::Unreachable(describe(&e)))?;
    let status = res.status().as_u16();
    Ok(LimitedResponse {
        status,
        body: read_limited(res, limit).await?,
    })
}

/// POSTs `body` as JSON to `url` (a SMART Health Link's manifest), reading at most `limit`
/// bytes of the answer.
pub async fn post_json_limited(
    client: &reqwest::Client,
    url: &Url,
    body: &Value,
    limit: usize,
) -> Result<LimitedResponse, SmartError> {
    let res = client
        .post(url.clone())
        .json(body)
        .send()
        .await
        .map_err(|e| SmartError::Unreachable(describe(&e)))?;
    let status = res.status().as_u16();
    Ok(LimitedResponse {
        status,
        body: read_limited(res, limit).await?,
    })
}

/// Whether `url` is on this computer: `localhost`, or a loopback IP address (127.0.0.0/8, ::1).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks that `url` may carry a member's sign-in, tokens or records: `https`, or `http` to
/// this computer only (the demo plan and tests). Anything else (cleartext to another host, or
/// another scheme: `file:`, `javascript:`, `smb:` …) is refused, naming which address it was.
pub fn require_secure(url: &Url, role: UrlRole) -> Result<(), SmartError> {
    let ok = match url.scheme() {
        "https" => url.host().is_some(),
        "http" => is_loopback(url),
        _ => false,
    };
    if ok && url.username().is_empty() && url.password().is_none() {
        Ok(())
    } else {
        Err(SmartError::InsecureUrl {
            role,
            scheme: url.scheme().chars().take(20).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<(), SmartError> {
        require_secure(&Url::parse(text).unwrap(), UrlRole::Token)
    }

    #[test]
    fn only_https_or_loopback_http_may_carry_a_sign_in() {
        for good in [
            "https://plan.example/token",
            "https://plan.example:8443/a?b=c",
            "http://127.0.0.1:8700/token",
            "http://127.8.9.1/token",
            "http://localhost:3000/token",
            "http://LOCALHOST/token",
            "http://[::1]:9000/token",
        ] {
            assert!(check(good).is_ok(), "{good} is allowed");
        }
        for bad in [
            "http://plan.example/token",
            "http://10.0.0.1/token",
            "http://localhost.plan.example/token",
            "http://127.0.0.1.nip.io/token",
            "http://[::ffff:7f00:1]/token",
            "ftp://plan.example/token",
            "file:///etc/passwd",
            "smb://plan.example/share",
            "javascript:alert(1)",
            "data:text/html,hi",
            "https://user:pw@plan.example/token",
        ] {
            match check(bad) {
                Err(SmartError::InsecureUrl { role, .. }) => assert_eq!(role, UrlRole::Token),
                other => panic!("{bad} must be refused as insecure, got {other:?}"),
            }
        }
    }

    #[test]
    fn the_refusal_says_what_to_do_and_names_no_address() {
        let e = check("http://plan.example/token?code=secret").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("https://"), "{text}");
        assert!(text.contains("token"), "{text}");
        assert!(
            !text.contains("secret") && !text.contains("plan.example"),
            "{text}"
        );
    }
}
