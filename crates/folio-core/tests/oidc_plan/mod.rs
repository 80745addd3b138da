//! The independent authorization server of the interop tests (`tests/interop/oidc-plan.mjs`,
//! npm `oidc-provider` configured as a health plan) and the member who signs in at it: shared
//! by `interop_oidc.rs`, `interop_client_auth.rs` and (the member) `interop_fhir.rs`.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr
)]

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use folio_core::{DataDir, Folio};
use folio_secrets::{KeychainStore, Sensitive};
use reqwest::header::{AUTHORIZATION, COOKIE, LOCATION, SET_COOKIE};
use url::Url;

/// The patient the plan puts in context.
pub const PATIENT_ID: &str = "interop-patient-1";

/// The running `oidc-plan.mjs`. Dropping it stops the process, also when a test fails.
pub struct Harness {
    child: Child,
    /// The plan's FHIR base.
    pub fhir_base: String,
    /// Its issuer (the authorization server's origin).
    pub issuer: String,
    /// The secrets of its confidential clients (`folio-secret-basic`, `folio-secret-post`).
    pub secrets: serde_json::Value,
    log: Arc<Mutex<String>>,
}

impl Harness {
    /// Starts `node oidc-plan.mjs` and waits for its ready line. It is ready in under a second;
    /// twice in some hundred starts on a busy machine it printed nothing for 30 s and more (the
    /// cause was not found), so a start that stalls is stopped and made once more, and a second
    /// stall fails the test with both logs.
    pub fn start() -> Self {
        match Self::try_start(Duration::from_secs(45)) {
            Ok(harness) => harness,
            Err(first) => match Self::try_start(Duration::from_secs(45)) {
                Ok(harness) => {
                    eprintln!("oidc-plan.mjs stalled once at start and was started again:\n{first}");
                    harness
                }
                Err(second) => panic!(
                    "the harness did not start, twice:\n--- first ---\n{first}\n--- second ---\n{second}"
                ),
            },
        }
    }

    /// One start: `Err` with what the harness said when no ready line came within `wait`.
    fn try_start(wait: Duration) -> Result<Self, String> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop");
        assert!(
            dir.join("node_modules/oidc-provider").is_dir(),
            "tests/interop has no node_modules: run `npm ci` there (scripts/setup.sh does)"
        );
        let mut child = Command::new("node")
            .arg("oidc-plan.mjs")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node runs (Node.js 20 or newer on PATH)");
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut buf) {
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let stdout = child.stdout.take().unwrap();
        let (lines, stdout_lines) = mpsc::channel();
        std::thread::spawn(move || {
            // Keeps draining stdout after the ready line so the harness never blocks on it.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        // From here on a failure drops the guard, which stops node.
        let mut harness = Self {
            child,
            fhir_base: String::new(),
            issuer: String::new(),
            secrets: serde_json::Value::Null,
            log,
        };
        let ready: serde_json::Value = loop {
            let line = match stdout_lines.recv_timeout(wait) {
                Ok(line) => line,
                Err(e) => return Err(format!("no ready line ({e}):\n{}", harness.log())),
            };
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                if v["fhirBase"].is_string() {
                    break v;
                }
            }
        };
        harness.fhir_base = ready["fhirBase"].as_str().unwrap().to_owned();
        harness.issuer = ready["issuer"].as_str().unwrap().to_owned();
        harness.secrets = ready["secrets"].clone();
        Ok(harness)
    }

    /// What the harness wrote to stderr.
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// What the plan saw (`GET /_harness/stats`): authorization requests, token responses,
    /// refreshes, token errors, revocations.
    pub async fn stats(&self) -> serde_json::Value {
        let res = reqwest::get(format!("{}/_harness/stats", self.issuer))
            .await
            .unwrap();
        res.json().await.unwrap()
    }

    /// `GET {fhirBase}/Patient/{id}` with a bearer token: the status the plan answers.
    pub async fn read_patient(&self, token: &Sensitive<String>) -> u16 {
        let url = format!("{}/Patient/{PATIENT_ID}", self.fhir_base);
        let res = reqwest::Client::new()
            .get(url)
            .header(AUTHORIZATION, format!("Bearer {}", token.expose()))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        if status == 200 {
            let patient: serde_json::Value = res.json().await.unwrap();
            assert_eq!(patient["resourceType"], "Patient");
            assert_eq!(patient["id"], PATIENT_ID);
        }
        status
    }
}

impl Harness {
    /// The secret of one of the harness's confidential clients.
    pub fn secret(&self, client_id: &str) -> String {
        self.secrets[client_id].as_str().unwrap().to_owned()
    }

    /// Registers a client at the plan as a member would at its developer portal (for
    /// `private_key_jwt`: with the JWKS Folio printed), returning to `/cb/{client_id}`.
    pub async fn add_client(&self, client: serde_json::Value) {
        let res = reqwest::Client::new()
            .post(format!("{}/_harness/clients", self.issuer))
            .json(&client)
            .send()
            .await
            .unwrap();
        let status = res.status();
        assert!(
            status.is_success(),
            "{status}: {}",
            res.text().await.unwrap()
        );
    }

    /// Opens or closes the plan's dynamic registration (closed: 401, as a plan that wants an
    /// initial access token answers).
    pub async fn set_registration_open(&self, open: bool) {
        let res = reqwest::Client::new()
            .post(format!("{}/_harness/registration", self.issuer))
            .json(&serde_json::json!({ "open": open }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }

    /// Sets the algorithms the plan's SMART configuration offers for client assertions
    /// (`token_endpoint_auth_signing_alg_values_supported`).
    pub async fn set_signing_algs(&self, algs: &[&str]) {
        let res = reqwest::Client::new()
            .post(format!("{}/_harness/signing-algs", self.issuer))
            .json(&serde_json::json!({ "algs": algs }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }

    /// What the plan's token endpoint answers a refresh request with a made-up refresh token
    /// from `client_id` as a public client: `invalid_grant` while the client exists,
    /// `invalid_client` once it does not.
    pub async fn token_error_for(&self, client_id: &str) -> String {
        let res = reqwest::Client::new()
            .post(format!("{}/token", self.issuer))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", "not-a-refresh-token"),
                ("client_id", client_id),
            ])
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = res.json().await.unwrap();
        body["error"].as_str().unwrap_or_default().to_owned()
    }

    /// Makes the plan give refresh tokens or not, and access tokens that last `access_secs`.
    pub async fn set_tokens(&self, refresh_tokens: bool, access_secs: u32) {
        let res = reqwest::Client::new()
            .post(format!("{}/_harness/tokens", self.issuer))
            .json(&serde_json::json!({
                "refreshTokens": refresh_tokens,
                "accessTokenSecs": access_secs,
            }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }

    /// Sets the plan's clock `secs` ahead of this computer's.
    pub async fn set_clock_ahead(&self, secs: u32) {
        let res = reqwest::Client::new()
            .post(format!("{}/_harness/clock", self.issuer))
            .json(&serde_json::json!({ "aheadSecs": secs }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }
}

impl Drop for Harness {
    #[allow(clippy::print_stderr)]
    fn drop(&mut self) {
        // Closing stdin ends the harness; the kill makes sure.
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- oidc-plan.mjs stderr ---\n{}", self.log());
        }
    }
}

/// The member in the system browser: follows the plan's redirects one by one, keeps the plan's
/// cookies, fills in the login form (any login and password) and the consent form.
pub struct Member {
    http: reqwest::Client,
    plan: url::Origin,
    cookies: Vec<(String, String)>,
}

impl Member {
    /// A member with an empty cookie jar, signing in at `issuer`.
    pub fn new(issuer: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            plan: Url::parse(issuer).unwrap().origin(),
            cookies: Vec::new(),
        }
    }

    /// Sends a request to the plan with its cookies, and keeps the ones it sets.
    async fn send(&mut self, request: reqwest::RequestBuilder) -> reqwest::Response {
        let request = if self.cookies.is_empty() {
            request
        } else {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            request.header(COOKIE, jar.join("; "))
        };
        let res = request.send().await.expect("the plan answers");
        for header in res.headers().get_all(SET_COOKIE) {
            let Ok(text) = header.to_str() else { continue };
            let mut parts = text.split(';').map(str::trim);
            let Some((name, value)) = parts.next().and_then(|nv| nv.split_once('=')) else {
                continue;
            };
            let expired = value.is_empty()
                || parts.any(|a| {
                    let a = a.to_ascii_lowercase();
                    a == "max-age=0" || a.starts_with("expires=thu, 01 jan 1970")
                });
            self.cookies.retain(|(n, _)| n != name);
            if !expired {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
        res
    }

    /// Opens the authorize URL, signs in, consents, and returns the URL the plan sends the
    /// browser back to (Folio's loopback redirect) without opening it.
    pub async fn sign_in_and_consent(&mut self, authorize_url: &Url, redirect_uri: &str) -> Url {
        let back_to_folio = format!("{redirect_uri}?");
        let mut url = authorize_url.clone();
        for _ in 0..16 {
            if url.as_str().starts_with(&back_to_folio) {
                return url;
            }
            assert_eq!(
                url.origin(),
                self.plan,
                "the member stays at the plan until sent back"
            );
            let request = self.http.get(url.clone());
            let res = self.send(request).await;
            if res.status().is_redirection() {
                url = next(&url, &res);
                continue;
            }
            let status = res.status();
            let page = res.text().await.unwrap();
            assert!(
                status.is_success(),
                "{status} at {}: {page:.2000}",
                url.path()
            );
            let form: &[(&str, &str)] = if page.contains(r#"name="prompt" value="login""#) {
                &[
                    ("prompt", "login"),
                    ("login", "interop-member"),
                    ("password", "any"),
                ]
            } else if page.contains(r#"name="prompt" value="consent""#) {
                &[("prompt", "consent")]
            } else {
                panic!(
                    "neither a login nor a consent form at {}: {page:.2000}",
                    url.path()
                );
            };
            let action = form_action(&page).map_or_else(|| url.clone(), |a| url.join(&a).unwrap());
            let request = self.http.post(action).form(form);
            let res = self.send(request).await;
            assert!(
                res.status().is_redirection(),
                "the form was refused: {}",
                res.status()
            );
            url = next(&url, &res);
        }
        panic!("the plan never sent the member back to Folio");
    }

    /// Opens Folio's loopback redirect (no plan cookies go there) and returns the page shown.
    pub async fn open_loopback(&self, url: &Url) -> Result<String, reqwest::Error> {
        self.http.get(url.clone()).send().await?.text().await
    }
}

fn next(from: &Url, res: &reqwest::Response) -> Url {
    let to = res.headers().get(LOCATION).and_then(|v| v.to_str().ok());
    let to = to.unwrap_or_else(|| panic!("{} without a Location at {}", res.status(), from.path()));
    from.join(to).unwrap()
}

/// The `action` of the page's form, HTML-unescaped.
fn form_action(page: &str) -> Option<String> {
    let rest = &page[page.find("<form")?..];
    let rest = &rest[rest.find("action=\"")? + "action=\"".len()..];
    let action = &rest[..rest.find('"')?];
    Some(
        action
            .replace("&#x2F;", "/")
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
    )
}

pub fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A Folio with its own profile folder and its own keychain service.
pub fn folio(profile: &tempfile::TempDir, test: &str) -> (Folio, Arc<KeychainStore>) {
    let service = format!("health.folio.test.interop-{}-{test}", std::process::id());
    let keychain = Arc::new(KeychainStore::new(service));
    let folio = Folio::with_secrets(DataDir::at(profile.path()), keychain.clone()).unwrap();
    (folio, keychain)
}

/// Starts the sign-in to `plan_id` (a plan at `plan`) and lets the member sign in and consent:
/// returns the answer the plan sends back (not yet delivered to Folio) and the member.
pub async fn sign_in(
    folio: &Folio,
    plan: &Harness,
    plan_id: &str,
    client_id: &str,
) -> (Url, Member) {
    let started = folio.begin_sign_in(plan_id).await.unwrap();
    let authorize = Url::parse(&started.authorize_url).unwrap();
    assert_eq!(
        param(&authorize, "aud").as_deref(),
        Some(plan.fhir_base.as_str())
    );
    assert_eq!(param(&authorize, "client_id").as_deref(), Some(client_id));
    assert_eq!(
        param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let scope = param(&authorize, "scope").unwrap();
    assert!(
        scope.split(' ').any(|s| s == "patient/*.rs"),
        "the plan advertises permission-v2, so v2 scopes: {scope}"
    );
    let redirect_uri = param(&authorize, "redirect_uri").unwrap();
    assert!(
        redirect_uri.starts_with("http://127.0.0.1:")
            && redirect_uri.ends_with(&format!("/cb/{plan_id}")),
        "{redirect_uri}"
    );
    let mut member = Member::new(&plan.issuer);
    let callback = member.sign_in_and_consent(&authorize, &redirect_uri).await;
    assert!(
        param(&callback, "code").is_some(),
        "the plan sent no code: error={:?} {:?}",
        param(&callback, "error"),
        param(&callback, "error_description")
    );
    assert_eq!(
        param(&callback, "iss").as_deref(),
        Some(plan.issuer.as_str()),
        "RFC 9207"
    );
    (callback, member)
}
