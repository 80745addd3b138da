//! The HTTP client Folio uses toward plans, and small request helpers.

use std::time::Duration;

use serde_json::Value;
use url::Url;

use crate::SmartError;

/// The HTTP client type the rest of Folio holds (folio-core never names reqwest itself).
pub type HttpClient = reqwest::Client;

/// Discovery documents larger than this are refused.
const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// A client that never follows redirects (a token must never be carried to another origin),
/// validates certificates, and gives up on silent servers.
pub fn client() -> Result<reqwest::Client, SmartError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
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
    if res
        .content_length()
        .is_some_and(|n| n > MAX_DOCUMENT_BYTES as u64)
    {
        return Err(SmartError::InvalidResponse("document too large".into()));
    }
    let bytes = res
        .bytes()
        .await
        .map_err(|e| SmartError::Unreachable(describe(&e)))?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(SmartError::InvalidResponse("document too large".into()));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| SmartError::InvalidResponse(format!("not JSON: {e}")))
}
