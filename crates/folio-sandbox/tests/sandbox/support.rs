//! A scripted member: drives the sandbox's real login and consent pages over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use folio_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const REDIRECT: &str = "http://127.0.0.1:61234/cb/demo";

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn start(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config).await.unwrap()
}

/// The value of `<input ... name="NAME" value="...">` in a page.
pub fn hidden(page: &str, name: &str) -> String {
    let at = page
        .find(&format!(r#"name="{name}" value=""#))
        .expect("field present");
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_owned()
}

pub struct Consent<'a> {
    pub login: &'a str,
    pub password: &'a str,
    pub scopes: &'a str,
    /// Scopes the member leaves ticked; `None` keeps all.
    pub keep: Option<&'a [&'a str]>,
    pub share_sensitive: bool,
    pub allow: bool,
}

impl Default for Consent<'_> {
    fn default() -> Self {
        Self {
            login: "demo",
            password: "demo",
            scopes: "launch/patient openid fhirUser offline_access patient/*.read",
            keep: None,
            share_sensitive: false,
            allow: true,
        }
    }
}

/// The query parameters of the redirect back to the app.
pub type Callback = Vec<(String, String)>;

pub fn get<'a>(cb: &'a Callback, k: &str) -> Option<&'a str> {
    cb.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

pub fn challenge() -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()))
}

/// Runs authorize → login → consent and returns the redirect's query.
pub async fn authorize(sandbox: &Sandbox, c: &Consent<'_>) -> Callback {
    let http = client();
    let auth = format!("{}/auth/authorize", sandbox.origin());
    let page = http
        .get(&auth)
        .query(&[
            ("response_type", "code"),
            ("client_id", "folio-desktop"),
            ("redirect_uri", REDIRECT),
            ("scope", c.scopes),
            ("state", "st-123"),
            ("aud", sandbox.fhir_base()),
            ("code_challenge", &challenge()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Sign in to your health plan"));
    let request = hidden(&page, "request");
    let consent = http
        .post(format!("{}/auth/login", sandbox.origin()))
        .form(&[
            ("request", request.as_str()),
            ("username", c.login),
            ("password", c.password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(consent.status(), 200, "login accepted");
    let consent = consent.text().await.unwrap();
    assert!(consent.contains("Share your records with Folio?"));
    let mut form: Vec<(&str, &str)> = vec![("request", &request)];
    let requested: Vec<&str> = c.scopes.split(' ').collect();
    for s in requested {
        if c.keep.is_none_or(|k| k.contains(&s)) {
            form.push(("scope", s));
        }
    }
    form.push((
        "sensitive",
        if c.share_sensitive {
            "share"
        } else {
            "withhold"
        },
    ));
    form.push(("decision", if c.allow { "allow" } else { "deny" }));
    let done = http
        .post(format!("{}/auth/consent", sandbox.origin()))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(
        done.status().is_redirection(),
        "consent redirects back to the app"
    );
    let location = done.headers()["location"].to_str().unwrap().to_owned();
    let (base, query) = location.split_once('?').unwrap();
    assert_eq!(base, REDIRECT);
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Exchanges the code for tokens.
pub async fn exchange(sandbox: &Sandbox, code: &str) -> reqwest::Response {
    client()
        .post(format!("{}/auth/token", sandbox.origin()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", "folio-desktop"),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap()
}

/// A full connect: returns the token response.
pub async fn connect(sandbox: &Sandbox, c: &Consent<'_>) -> Value {
    let cb = authorize(sandbox, c).await;
    let res = exchange(sandbox, get(&cb, "code").expect("a code")).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

pub async fn fhir(sandbox: &Sandbox, token: &str, path: &str) -> reqwest::Response {
    let url = if path.starts_with("http") {
        path.to_owned()
    } else {
        format!("{}/{path}", sandbox.fhir_base())
    };
    client().get(url).bearer_auth(token).send().await.unwrap()
}

/// Follows `next` links; returns (match entries by type, include entries, pages).
pub async fn search_all(
    sandbox: &Sandbox,
    token: &str,
    path: &str,
) -> (Vec<Value>, Vec<Value>, usize) {
    let mut url = format!("{}/{path}", sandbox.fhir_base());
    let (mut matches, mut includes, mut pages) = (Vec::new(), Vec::new(), 0);
    loop {
        let res = fhir(sandbox, token, &url).await;
        assert_eq!(res.status(), 200, "page {pages} of {path}");
        let bundle: Value = res.json().await.unwrap();
        pages += 1;
        for e in bundle["entry"].as_array().unwrap() {
            if e["search"]["mode"] == "match" {
                matches.push(e["resource"].clone())
            } else {
                includes.push(e["resource"].clone())
            }
        }
        match bundle["link"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["relation"] == "next")
        {
            Some(next) => url = next["url"].as_str().unwrap().to_owned(),
            None => break,
        }
        assert!(pages < 10_000, "paging never ends");
    }
    (matches, includes, pages)
}
