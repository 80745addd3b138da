//! Folio's SMART client against an authorization server we did not write: the npm
//! `oidc-provider` package configured as a health plan (`tests/interop/oidc-plan.mjs`).
//!
//! Each test starts the harness (`node`), then drives the whole connection through Folio's API
//! while a scripted member plays the system browser: a cookie jar that signs in and consents at
//! the plan over plain HTTP and finally opens Folio's loopback redirect. Tokens go to the real OS
//! keychain, under a service name of their own.
//!
//! Needs `node`, `npm ci` in `tests/interop` and an unlocked Secret Service, hence `#[ignore]`;
//! `scripts/test.sh` runs them with `--include-ignored` inside a D-Bus session.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use folio_core::api::{ConnectionStatus, ErrorCode, RedirectStyle};
use folio_core::{DataDir, Folio};
use folio_secrets::{KeychainStore, SecretStore, Sensitive};
use reqwest::header::{AUTHORIZATION, COOKIE, LOCATION, SET_COOKIE};
use url::Url;

/// As registered in the harness.
const CLIENT_ID: &str = "folio-desktop";
const PLAN_NAME: &str = "OIDC Test Plan";
const PLAN_ID: &str = "oidc-test-plan";
const PATIENT_ID: &str = "interop-patient-1";

/// The running `oidc-plan.mjs`. Dropping it stops the process, also when a test fails.
struct Harness {
    child: Child,
    fhir_base: String,
    issuer: String,
    log: Arc<Mutex<String>>,
}

impl Harness {
    fn start() -> Self {
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
            log,
        };
        let ready: serde_json::Value = loop {
            let line = stdout_lines
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|e| panic!("the harness did not start ({e}):\n{}", harness.log()));
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                if v["fhirBase"].is_string() {
                    break v;
                }
            }
        };
        harness.fhir_base = ready["fhirBase"].as_str().unwrap().to_owned();
        harness.issuer = ready["issuer"].as_str().unwrap().to_owned();
        harness
    }

    fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// What the plan saw (`GET /_harness/stats`): authorization requests, token responses,
    /// refreshes, token errors, revocations.
    async fn stats(&self) -> serde_json::Value {
        let res = reqwest::get(format!("{}/_harness/stats", self.issuer))
            .await
            .unwrap();
        res.json().await.unwrap()
    }

    /// `GET {fhirBase}/Patient/{id}` with a bearer token: the status the plan answers.
    async fn read_patient(&self, token: &Sensitive<String>) -> u16 {
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
struct Member {
    http: reqwest::Client,
    plan: url::Origin,
    cookies: Vec<(String, String)>,
}

impl Member {
    fn new(issuer: &str) -> Self {
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
    async fn sign_in_and_consent(&mut self, authorize_url: &Url, redirect_uri: &str) -> Url {
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
    async fn open_loopback(&self, url: &Url) -> Result<String, reqwest::Error> {
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

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A Folio with its own profile folder and its own keychain service.
fn folio(profile: &tempfile::TempDir, test: &str) -> (Folio, Arc<KeychainStore>) {
    let service = format!("health.folio.test.interop-{}-{test}", std::process::id());
    let keychain = Arc::new(KeychainStore::new(service));
    let folio = Folio::with_secrets(DataDir::at(profile.path()), keychain.clone()).unwrap();
    (folio, keychain)
}

/// Adds the plan, starts the sign-in and lets the member sign in and consent: returns the
/// answer the plan sends back (not yet delivered to Folio) and the member.
async fn signed_in_at_plan(folio: &Folio, plan: &Harness) -> (Url, Member) {
    let added = folio
        .add_plan(
            PLAN_NAME,
            &plan.fhir_base,
            CLIENT_ID,
            RedirectStyle::Loopback,
        )
        .await
        .unwrap();
    assert_eq!(added.id, PLAN_ID);
    let started = folio.begin_sign_in(&added.id).await.unwrap();
    let authorize = Url::parse(&started.authorize_url).unwrap();
    assert_eq!(
        param(&authorize, "aud").as_deref(),
        Some(plan.fhir_base.as_str())
    );
    assert_eq!(param(&authorize, "client_id").as_deref(), Some(CLIENT_ID));
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
            && redirect_uri.ends_with(&format!("/cb/{PLAN_ID}")),
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

#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn connects_refreshes_and_disconnects_with_oidc_provider_as_the_plan() {
    let plan = Harness::start();
    let profile = tempfile::tempdir().unwrap();
    let (folio, keychain) = folio(&profile, "connect");
    let (callback, member) = signed_in_at_plan(&folio, &plan).await;

    let (finished, page) = tokio::join!(
        folio.finish_sign_in(PLAN_ID, Duration::from_secs(60)),
        member.open_loopback(&callback)
    );
    let conn = finished.unwrap_or_else(|e| panic!("finish_sign_in: {:?}: {e}", e.code()));
    assert!(page.unwrap().contains("Folio is connected"));
    assert_eq!(conn.status, ConnectionStatus::Connected);
    assert_eq!(conn.plan_id, PLAN_ID);
    assert_eq!(conn.patient_id, PATIENT_ID);
    assert!(
        conn.granted_scopes
            .iter()
            .any(|s| s.starts_with("patient/")),
        "a data scope granted: {:?}",
        conn.granted_scopes
    );
    assert!(
        conn.granted_scopes.iter().any(|s| s == "offline_access"),
        "offline_access granted (the plan adds prompt=consent): {:?}",
        conn.granted_scopes
    );
    assert!(
        conn.scopes_not_granted.is_empty(),
        "{:?}",
        conn.scopes_not_granted
    );
    assert!(conn.token_expires_at.is_some());
    // Folio files a connection's tokens under this account of its keychain service.
    let account = format!("connection/{}", conn.id);
    assert!(
        keychain.get(&account).unwrap().is_some(),
        "the tokens are in the OS keychain"
    );
    let listed = folio.connections().await.unwrap();
    assert!(listed
        .iter()
        .any(|c| c.id == conn.id && c.status == ConnectionStatus::Connected));

    let first = folio.access_token(&conn.id).await.unwrap();
    assert_eq!(plan.read_patient(&first).await, 200);
    assert_eq!(plan.stats().await["refreshes"], 0);

    // The plan rejected `first` (as a 401 would say): one refresh, with the refresh token that
    // the code exchange issued.
    let second = folio
        .access_token_after_rejection(&conn.id, &first)
        .await
        .unwrap();
    assert_ne!(second, first);
    assert_eq!(plan.read_patient(&second).await, 200);
    assert_eq!(plan.stats().await["refreshes"], 1);
    // Another caller that saw `first` rejected too gets the new token, without a refresh.
    let again = folio
        .access_token_after_rejection(&conn.id, &first)
        .await
        .unwrap();
    assert_eq!(again, second);
    assert_eq!(folio.access_token(&conn.id).await.unwrap(), second);
    assert_eq!(plan.stats().await["refreshes"], 1);

    // Two callers at once that saw `second` rejected: one refresh (single flight), with the
    // rotated refresh token. Reusing the old one would make the plan revoke the whole grant.
    let (a, b) = tokio::join!(
        folio.access_token_after_rejection(&conn.id, &second),
        folio.access_token_after_rejection(&conn.id, &second)
    );
    let (third, b) = (a.unwrap(), b.unwrap());
    assert_eq!(third, b);
    assert_ne!(third, second);
    assert_eq!(plan.read_patient(&third).await, 200);
    let stats = plan.stats().await;
    assert_eq!(stats["refreshes"], 2, "{stats}");
    assert_eq!(
        stats["tokenErrors"], 0,
        "no refresh token was used twice: {stats}"
    );

    let outcome = folio.disconnect(&conn.id, true).await.unwrap();
    assert!(outcome.data_deleted);
    assert!(
        outcome.revoked_at_plan,
        "the plan offers RFC 7009 revocation"
    );
    assert!(folio
        .connections()
        .await
        .unwrap()
        .iter()
        .all(|c| c.id != conn.id));
    let gone = folio.access_token(&conn.id).await.unwrap_err();
    assert_eq!(gone.code(), ErrorCode::ConnectionNotFound);
    assert!(
        keychain.get(&account).unwrap().is_none(),
        "the tokens left the keychain"
    );
    assert_eq!(plan.read_patient(&third).await, 401, "revoked at the plan");
}

#[tokio::test]
#[ignore = "needs node, tests/interop/node_modules and an unlocked Secret Service; scripts/test.sh runs it"]
async fn a_callback_with_a_changed_state_is_refused_and_the_genuine_one_still_connects() {
    let plan = Harness::start();
    let profile = tempfile::tempdir().unwrap();
    let (folio, _keychain) = folio(&profile, "tampered");
    let (callback, member) = signed_in_at_plan(&folio, &plan).await;

    let mut forged = callback.clone();
    let params: Vec<(String, String)> = callback
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                format!("{v}-changed")
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(&params);

    // Anything on this computer can reach the loopback listener: a forged answer is refused
    // (its code never redeemed) and the sign-in goes on waiting for the plan's own answer.
    let member_side = async {
        let refused = member.open_loopback(&forged).await.unwrap();
        let between = plan.stats().await;
        let genuine = member.open_loopback(&callback).await.unwrap();
        (refused, between, genuine)
    };
    let (finished, (refused, between, genuine)) = tokio::join!(
        folio.finish_sign_in(PLAN_ID, Duration::from_secs(60)),
        member_side
    );
    assert!(refused.contains("still waiting"), "{refused}");
    assert_eq!(
        between["tokenResponses"], 0,
        "the forged answer's code was not redeemed: {between}"
    );
    assert!(genuine.contains("connected"), "{genuine}");
    let conn = finished.unwrap();
    assert_eq!(conn.plan_id, PLAN_ID);
    assert!(
        member.open_loopback(&callback).await.is_err(),
        "the listener closed after the genuine answer"
    );
}
