//! The plan a benchmark runs against (folio-sandbox as its own process, so its memory is not
//! Folio's), and a Folio profile connected to it as the member would connect it.
//!
//! Tokens are kept in this process's memory for the run (a benchmark store, not the OS
//! keychain): the keychain is not what is measured.

use std::collections::HashMap;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, Context};
use folio_core::api::{ConnectionSummary, RedirectStyle};
use folio_core::{DataDir, Folio};
use folio_secrets::{SecretError, SecretStore, Sensitive};

/// The bench profile's database is locked with this passphrase (SQLCipher, as always), so
/// that the `folio export` processes it starts, and the bare baselines, can open it without a
/// keychain.
pub const PASSPHRASE: &str = "folio bench passphrase";

/// Tokens in memory for the length of a benchmark. It keeps no database key, so the profile's
/// key comes from [`PASSPHRASE`].
#[derive(Default)]
struct BenchSecrets(Mutex<HashMap<String, String>>);

impl SecretStore for BenchSecrets {
    fn put(&self, account: &str, secret: &Sensitive<String>) -> Result<(), SecretError> {
        if account.starts_with("database-key/") {
            return Err(SecretError::Unavailable(
                "the bench keeps no database key".into(),
            ));
        }
        self.0
            .lock()
            .map_err(|_| SecretError::Other("poisoned".into()))?
            .insert(account.into(), secret.expose().clone());
        Ok(())
    }
    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>, SecretError> {
        Ok(self
            .0
            .lock()
            .map_err(|_| SecretError::Other("poisoned".into()))?
            .get(account)
            .cloned()
            .map(Sensitive::new))
    }
    fn delete(&self, account: &str) -> Result<bool, SecretError> {
        Ok(self
            .0
            .lock()
            .map_err(|_| SecretError::Other("poisoned".into()))?
            .remove(account)
            .is_some())
    }
}

/// The sandbox program, stopped when dropped.
struct PlanProcess(Child);

impl Drop for PlanProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A Folio profile in a temporary folder, connected to one generated member of a sandbox plan.
pub struct Connected {
    pub folio: Arc<Folio>,
    pub connection: ConnectionSummary,
    // Dropped after the profile: the plan stops, then the folder goes.
    _plan: PlanProcess,
    _dir: tempfile::TempDir,
}

/// The program `name` beside this one (`cargo build --release -p …` puts them together).
pub fn sibling(name: &str, package: &str) -> anyhow::Result<std::path::PathBuf> {
    let path = std::env::current_exe()?.with_file_name(name);
    if !path.exists() {
        return Err(anyhow!(
            "{} is missing: build it with cargo build --release -p {package}",
            path.display()
        ));
    }
    Ok(path)
}

/// Starts folio-sandbox serving one generated member of `size` resources (with `plan_args`
/// added to its command line, e.g. `--latency-ms 200`), and connects a new profile to it.
pub async fn connect(size: usize, plan_args: &[String]) -> anyhow::Result<Connected> {
    let sandbox_bin = sibling("folio-sandbox", "folio-sandbox")?;
    let mut child = Command::new(&sandbox_bin)
        .args([
            "--port",
            "0",
            "--member",
            &format!("bench=generated:100:{size}:Bench:Member"),
            "--redirect-uri",
            "http://127.0.0.1/cb/bench-plan",
        ])
        .args(plan_args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("start {}", sandbox_bin.display()))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow!("no sandbox output"))?;
    let plan = PlanProcess(child);
    let mut lines = std::io::BufReader::new(stdout).lines();
    let fhir_base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("FHIR base: ").map(str::to_owned))
        .ok_or_else(|| anyhow!("the sandbox did not start"))?;
    std::thread::spawn(move || lines.for_each(drop));

    let dir = tempfile::tempdir()?;
    let folio = Arc::new(Folio::with_secrets(
        DataDir::at(dir.path()),
        Arc::new(BenchSecrets::default()),
    )?);
    folio.use_passphrase(Sensitive::new(PASSPHRASE.to_owned()))?;
    let added = folio
        .add_plan(
            "Bench Plan",
            &fhir_base,
            "folio-desktop",
            RedirectStyle::Loopback,
        )
        .await?;
    let started = folio.begin_sign_in(&added.id).await?;
    let f = folio.clone();
    let id = added.id.clone();
    let finish = tokio::spawn(async move { f.finish_sign_in(&id, Duration::from_secs(60)).await });
    play_member(&started.authorize_url).await?;
    let connection = finish.await??;
    Ok(Connected {
        folio,
        connection,
        _plan: plan,
        _dir: dir,
    })
}

/// The member's part at the sandbox's pages: sign in, share everything, allow.
async fn play_member(authorize_url: &str) -> anyhow::Result<String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let page = http.get(authorize_url).send().await?.text().await?;
    let field = |page: &str| -> Option<String> {
        let at = page.find(r#"name="request" value=""#)? + 22;
        Some(page[at..at + page[at..].find('"')?].to_owned())
    };
    let request = field(&page).ok_or_else(|| anyhow!("no login form"))?;
    let origin = authorize_url.split("/auth/").next().unwrap_or_default();
    let consent = http
        .post(format!("{origin}/auth/login"))
        .form(&[
            ("request", request.as_str()),
            ("username", "bench"),
            ("password", "demo"),
        ])
        .send()
        .await?
        .text()
        .await?;
    let mut form: Vec<(&str, String)> = vec![
        ("request", request.clone()),
        ("sensitive", "share".into()),
        ("decision", "allow".into()),
    ];
    let mut rest = consent.as_str();
    while let Some(at) = rest.find(r#"name="scope" value=""#) {
        let v = &rest[at + 20..];
        let end = v.find('"').unwrap_or(0);
        form.push(("scope", v[..end].to_owned()));
        rest = &v[end..];
    }
    let done = http
        .post(format!("{origin}/auth/consent"))
        .form(&form)
        .send()
        .await?;
    let back = done
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| anyhow!("no redirect"))?
        .to_owned();
    http.get(&back).send().await?;
    Ok(back)
}
