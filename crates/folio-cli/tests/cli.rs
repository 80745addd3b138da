//! The `folio` binary as a member runs it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

mod common;

fn folio() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_folio"));
    cmd.env_remove("FOLIO_DATA_DIR")
        .env_remove("FOLIO_PASSPHRASE");
    cmd
}

/// `folio` on a computer without a keychain: the session bus points nowhere.
fn folio_without_keychain() -> Command {
    let mut cmd = folio();
    cmd.env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/folio-no-bus",
    );
    cmd
}

#[test]
fn version_is_the_crate_version() {
    let out = folio().arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("folio {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session (the database key); scripts/test.sh provides one"]
fn status_uses_the_data_dir_flag_over_the_environment() {
    let flag_dir = tempfile::tempdir().unwrap();
    let env_dir = tempfile::tempdir().unwrap();
    let out = folio()
        .env("FOLIO_DATA_DIR", env_dir.path())
        .args(["--data-dir", flag_dir.path().to_str().unwrap(), "status"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("(from Flag)"), "{text}");
    assert!(
        text.contains("plans 6, connections 0, records 0"),
        "the catalog: the demo plan's two entries and four real plans to register Folio at, nothing else: {text}"
    );
    assert!(flag_dir.path().join("folio.db").is_file());
    assert!(
        !env_dir.path().join("folio.db").exists(),
        "the environment folder is untouched"
    );
}

#[test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session (the database key); scripts/test.sh provides one"]
fn status_honours_folio_data_dir() {
    let env_dir = tempfile::tempdir().unwrap();
    let out = folio()
        .env("FOLIO_DATA_DIR", env_dir.path())
        .arg("status")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("(from Environment)"));
    assert!(env_dir.path().join("folio.db").is_file());
}

#[test]
fn an_unusable_data_dir_fails_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let out = folio()
        .args(["--data-dir", file.join("sub").to_str().unwrap(), "status"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("folio: cannot create the data folder"),
        "{err}"
    );
}

#[test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session (the database key); scripts/test.sh provides one"]
fn plans_lists_the_demo_plan_and_adds_one_with_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let out = folio().args(["--data-dir", d, "plans"]).output().unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("demo"));
    let bad = folio()
        .args([
            "--data-dir",
            d,
            "plans",
            "add",
            "--name",
            "X",
            "--fhir-base",
            "ftp://x",
            "--client-id",
            "c",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8(bad.stderr)
        .unwrap()
        .contains("FHIR base must be an https:// address"));
    // Cleartext to a plan on the network would carry the code, the verifier, tokens and
    // records unencrypted: refused, with the reason.
    let cleartext = folio()
        .args([
            "--data-dir",
            d,
            "plans",
            "add",
            "--name",
            "Cleartext",
            "--fhir-base",
            "http://fhir.acme.example/r4",
            "--client-id",
            "c",
        ])
        .output()
        .unwrap();
    assert!(!cleartext.status.success());
    let said = String::from_utf8(cleartext.stderr).unwrap();
    assert!(
        said.contains("must begin with https://") && said.contains("FHIR"),
        "{said}"
    );
    let listed = folio().args(["--data-dir", d, "plans"]).output().unwrap();
    assert!(!String::from_utf8(listed.stdout)
        .unwrap()
        .contains("Cleartext"));
    let ok = folio()
        .args([
            "--data-dir",
            d,
            "plans",
            "add",
            "--name",
            "Acme Health",
            "--fhir-base",
            "https://fhir.acme.example/r4",
            "--client-id",
            "folio-123",
            "--redirect",
            "custom-scheme",
        ])
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let list = String::from_utf8(
        folio()
            .args(["--data-dir", d, "plans"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        list.contains("acme-health")
            && list.contains("https://fhir.acme.example/r4")
            && list.contains("custom-scheme"),
        "{list}"
    );
    let none = String::from_utf8(
        folio()
            .args(["--data-dir", d, "connections"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(none.contains("no connections yet"));
    // Only the app receives Folio's links: the terminal says so at once instead of waiting.
    for plan in ["acme-health", "demo-app-link"] {
        let refused = folio()
            .args(["--data-dir", d, "connect", plan, "--timeout", "5"])
            .output()
            .unwrap();
        assert!(!refused.status.success());
        let err = String::from_utf8(refused.stderr).unwrap();
        assert!(err.contains("only the Folio app receives"), "{err}");
    }
}

#[test]
#[ignore = "needs node and an unlocked Secret Service on a D-Bus session; scripts/test.sh provides both"]
fn connect_demo_through_a_scripted_browser_then_disconnect() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let member =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e/member-browser.mjs");
    let out = folio()
        .env("BROWSER", format!("node {}", member.display()))
        .args(["--data-dir", d, "connect", "demo", "--timeout", "60"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("connected c-") && text.contains("(patient demo-patient)"),
        "{text}"
    );
    let list = String::from_utf8(
        folio()
            .args(["--data-dir", d, "connections"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        list.contains("plan=demo  patient=demo-patient  status=connected"),
        "{list}"
    );
    assert!(
        list.contains("scopes=launch/patient openid fhirUser offline_access patient/*.rs"),
        "{list}"
    );
    // What the plan supports, in plain words, under the connection (nothing synced yet).
    assert!(
        list.contains("\n    Folio has not synced with this plan yet"),
        "{list}"
    );
    let id = list.split_whitespace().next().unwrap().to_owned();
    // The demo plan stopped with the connect command: revocation cannot reach it, the keychain
    // entry goes all the same.
    let gone = folio()
        .args(["--data-dir", d, "disconnect", &id])
        .output()
        .unwrap();
    let said = String::from_utf8(gone.stdout).unwrap();
    assert!(
        gone.status.success(),
        "{}",
        String::from_utf8_lossy(&gone.stderr)
    );
    assert!(
        said.contains("keychain entry deleted; records kept"),
        "{said}"
    );
    let list = String::from_utf8(
        folio()
            .args(["--data-dir", d, "connections"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(list.contains("status=disconnected"), "{list}");
}

/// A sandbox plan running as its own process, stopped when dropped.
struct PlanProcess {
    child: std::process::Child,
    fhir_base: String,
}

impl PlanProcess {
    fn start(args: &[&str]) -> Self {
        use std::io::BufRead;
        let bin = std::path::Path::new(env!("CARGO_BIN_EXE_folio")).with_file_name("folio-sandbox");
        let mut child = Command::new(&bin)
            .args(["--port", "0"])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let fhir_base = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| l.strip_prefix("FHIR base: ").map(str::to_owned))
            .expect("the sandbox prints its FHIR base");
        // Keep reading what it prints, so that it never writes into a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, fhir_base }
    }

    fn members(&self) -> serde_json::Value {
        let origin = self.fhir_base.trim_end_matches("/fhir");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            reqwest::get(format!("{origin}/_sandbox/members"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        })
    }
}

impl PlanProcess {
    /// A request to the sandbox's own admin endpoints (loopback), answered as JSON (or null).
    fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> serde_json::Value {
        let origin = self.fhir_base.trim_end_matches("/fhir");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut req = reqwest::Client::new().request(method, format!("{origin}{path}"));
            if let Some(b) = body {
                req = req.json(&b);
            }
            let res = req.send().await.unwrap();
            assert!(res.status().is_success(), "{path}: {}", res.status());
            res.json().await.unwrap_or(serde_json::Value::Null)
        })
    }

    /// Holds the `n`th FHIR request from now, unanswered, until [`Self::release`].
    fn hold_request(&self, n: u64) {
        self.admin(
            reqwest::Method::PUT,
            "/_sandbox/gate",
            Some(serde_json::json!({ "hold_request": n })),
        );
    }

    /// The sandbox's gate: `{"served": FHIR requests so far, "held": {"number", "request"} or null}`.
    fn gate(&self) -> serde_json::Value {
        self.admin(reqwest::Method::GET, "/_sandbox/gate", None)
    }

    /// Waits until the held request has come, while `app` runs: the gate's state once it has,
    /// `None` if `app` exited first. Fails after a minute with a clear message.
    fn wait_held(&self, app: &mut std::process::Child) -> Option<serde_json::Value> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            // Waits in the sandbox for up to 200 ms for the request to be held.
            let gate = self.admin(reqwest::Method::GET, "/_sandbox/gate?wait_ms=200", None);
            if !gate["held"].is_null() {
                return Some(gate);
            }
            if app.try_wait().unwrap().is_some() {
                return None;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no request reached the gate within a minute: {gate}"
            );
        }
    }

    /// Answers the held request, and holds no other.
    fn release(&self) {
        self.admin(reqwest::Method::DELETE, "/_sandbox/gate", None);
    }
}

impl PlanProcess {
    /// Adds this plan to the profile at `d` as `name` and connects it as `login`, through the
    /// scripted member's browser.
    fn add_and_connect(&self, d: &str, name: &str, login: &str) {
        let add = folio()
            .args(["--data-dir", d, "plans", "add", "--name", name])
            .args([
                "--fhir-base",
                &self.fhir_base,
                "--client-id",
                "folio-desktop",
            ])
            .output()
            .unwrap();
        assert!(
            add.status.success(),
            "{}",
            String::from_utf8_lossy(&add.stderr)
        );
        let id = name.to_lowercase().replace(' ', "-");
        let member = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/e2e/member-browser.mjs");
        let connect = folio()
            .env("BROWSER", format!("node {}", member.display()))
            .env("MEMBER_LOGIN", login)
            .args(["--data-dir", d, "connect", &id, "--timeout", "60"])
            .output()
            .unwrap();
        assert!(
            connect.status.success(),
            "{}",
            String::from_utf8_lossy(&connect.stderr)
        );
    }
}

impl Drop for PlanProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn stats(d: &str) -> (std::collections::BTreeMap<String, i64>, String) {
    let out = folio().args(["--data-dir", d, "stats"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut counts = std::collections::BTreeMap::new();
    for line in text.lines().filter(|l| l.contains(" records ")) {
        let mut words = line.split_whitespace();
        let (_, ty, n) = (words.next(), words.next().unwrap(), words.next().unwrap());
        counts.insert(ty.to_owned(), n.parse().unwrap());
    }
    (counts, text)
}

/// The held request of a gate's state, cut short for a message.
fn short(gate: &serde_json::Value) -> String {
    let r = gate["held"]["request"].as_str().unwrap_or_default();
    r.chars().take(48).collect()
}

/// Kills of a sync that must each land while it waits for a page.
const KILLS_MID_SYNC: u32 = 10;
/// Kills of an export that must each land while it writes.
const KILLS_MID_EXPORT: u32 = 3;

#[test]
#[ignore = "needs node and an unlocked Secret Service on a D-Bus session; scripts/test.sh provides both"]
fn a_sync_killed_with_sigkill_loses_nothing_and_resumes_without_duplicates() {
    let plan = PlanProcess::start(&[
        "--member",
        "kim=generated:21:5000:Kim:Lee",
        "--redirect-uri",
        "http://127.0.0.1/cb/kill-plan",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    plan.add_and_connect(d, "Kill Plan", "kim");

    // Each kill lands while the sync waits for a page: the sandbox holds the sync's Nth FHIR
    // request (N drawn at random) unanswered, and the sync is killed only once that request
    // is held, so it is provably mid-walk, whatever the machine's speed.
    let mut previous = 0;
    let mut rng = common::Rng::seeded();
    for round in 0..KILLS_MID_SYNC {
        let n = 2 + rng.below(19);
        plan.hold_request(n);
        let log = dir.path().join(format!("sync-{round}.out"));
        let mut sync = folio()
            .args(["--data-dir", d, "sync", "--page-size", "20"])
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let Some(held) = plan.wait_held(&mut sync) else {
            panic!(
                "round {round}: the sync ended before its FHIR request {n}, so no kill could \
                 land mid-sync ({}); {}",
                sync.wait().unwrap(),
                std::fs::read_to_string(&log).unwrap()
            );
        };
        sync.kill().unwrap(); // SIGKILL: no chance to clean up.
        let status = sync.wait().unwrap();
        // Still held after the kill: the sync was waiting for that page when it died.
        let gate = plan.gate();
        plan.release();
        assert_eq!(
            gate["held"], held["held"],
            "round {round}: held until the kill"
        );
        assert!(!status.success(), "round {round}: killed, not finished");
        let out = std::fs::read_to_string(&log).unwrap();
        assert!(
            !out.contains("synced,"),
            "round {round}: the sync had not finished: {out}"
        );
        let (counts, text) = stats(d);
        assert!(
            text.contains("database integrity: ok"),
            "round {round}, killed at FHIR request {n} ({}): {text}",
            short(&held)
        );
        let total: i64 = counts.values().sum();
        eprintln!(
            "round {round}: killed while request {n} ({}) was held; {total} records kept",
            short(&held)
        );
        assert!(
            total >= previous,
            "round {round}: nothing already fetched is lost ({total} < {previous})"
        );
        previous = total;
    }
    assert!(previous > 0, "some pages were saved before the kills");

    let done = folio()
        .args(["--data-dir", d, "sync", "--page-size", "200"])
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "{}{}",
        String::from_utf8_lossy(&done.stdout),
        String::from_utf8_lossy(&done.stderr)
    );
    let (counts, text) = stats(d);
    assert!(text.contains("database integrity: ok"), "{text}");
    let members = plan.members();
    let m = &members[0];
    for (ty, n) in m["counts"].as_object().unwrap() {
        if matches!(ty.as_str(), "Organization" | "Practitioner" | "Provenance") {
            continue;
        }
        let sensitive = m["sensitive_by_type"][ty].as_i64().unwrap_or(0);
        assert_eq!(
            counts.get(ty).copied().unwrap_or(0),
            n.as_i64().unwrap() - sensitive,
            "{ty}: complete and not doubled after the kills"
        );
    }

    // An export killed mid-write leaves its staging file beside the target, never a file at
    // the target path; the next export writes a whole one. Each kill is triggered by the
    // staging file reaching a size drawn at random below a whole export's (it is written in
    // 1 MB pieces), not by a clock; it counts as mid-write only if, once the export is dead,
    // its staging file is there and the target is not (it would be, had it finished).
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("history.json");
    let reference = dir.path().join("reference.json");
    let whole = folio()
        .args(["--data-dir", d, "export", "--format", "bundle"])
        .arg(&reference)
        .output()
        .unwrap();
    assert!(
        whole.status.success(),
        "{}",
        String::from_utf8_lossy(&whole.stderr)
    );
    let whole_size = std::fs::metadata(&reference).unwrap().len();
    let staging_files = |dir: &std::path::Path| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".folio-export-")
            })
            .map(|e| e.path())
            .collect()
    };
    let mut interrupted = 0;
    for round in 0..20 {
        if interrupted >= KILLS_MID_EXPORT {
            break;
        }
        // A staging file left by an earlier round is not this round's.
        for stale in staging_files(out.path()) {
            std::fs::remove_file(stale).unwrap();
        }
        let kill_at_bytes = 1 + rng.below(whole_size - 1);
        let mut export = folio()
            .args(["--data-dir", d, "export", "--format", "bundle"])
            .arg(&target)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Polled: no file system event is cheaper to watch from here. The poll's speed decides
        // only how far past the size the kill lands, never whether the test passes.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let seen = loop {
            let written = staging_files(out.path())
                .iter()
                .filter_map(|f| std::fs::metadata(f).ok())
                .map(|m| m.len())
                .max();
            if written.is_some_and(|w| w >= kill_at_bytes) {
                export.kill().unwrap();
                break written;
            }
            if export.try_wait().unwrap().is_some() {
                break None;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "round {round}: the export wrote no {kill_at_bytes} bytes within a minute"
            );
            std::thread::sleep(std::time::Duration::from_millis(1));
        };
        let finished = export.wait().unwrap().success();
        if target.exists() {
            // Finished, or killed after the file was moved into place: either way what is
            // at the target path is a whole export, never half of one.
            let whole: serde_json::Value = serde_json::from_slice(&std::fs::read(&target).unwrap())
                .expect("a file at the target path is a whole export");
            assert_eq!(whole["resourceType"], "Bundle");
            assert!(
                whole["entry"].as_array().is_some_and(|e| !e.is_empty()),
                "a whole export has its entries"
            );
            std::fs::remove_file(&target).unwrap();
            eprintln!("round {round}: the export was done before the kill");
            continue;
        }
        assert!(
            !finished,
            "a finished export left its file at the target path"
        );
        let staged = staging_files(out.path());
        assert!(
            seen.is_some() && !staged.is_empty(),
            "round {round}: killed with {seen:?} bytes staged, the export left neither its file \
             nor its staging file"
        );
        eprintln!("round {round}: killed mid-write, {seen:?} bytes staged");
        interrupted += 1;
    }
    assert_eq!(
        interrupted, KILLS_MID_EXPORT,
        "exports killed mid-write (the others were done before the kill)"
    );
    let done = folio()
        .args(["--data-dir", d, "export", "--format", "bundle"])
        .arg(&target)
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    let held: i64 = stats(d).0.values().sum();
    assert_eq!(
        bundle["entry"].as_array().unwrap().len() as i64,
        held + 1,
        "every record and one Provenance for the plan"
    );
    // And a second export to the same path is refused, leaving the first intact.
    let before = std::fs::read(&target).unwrap();
    let again = folio()
        .args(["--data-dir", d, "export", "--format", "bundle"])
        .arg(&target)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read(&target).unwrap(), before);
}

#[test]
#[ignore = "needs node and an unlocked Secret Service on a D-Bus session; scripts/test.sh provides both"]
fn trace_logs_of_a_connect_sync_and_export_carry_no_key_token_name_or_identifier() {
    use folio_secrets::SecretStore;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let member =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e/member-browser.mjs");
    let out = folio()
        .env("BROWSER", format!("node {}", member.display()))
        .env("FOLIO_LOG", "trace")
        .args(["--data-dir", d, "connect", "demo", "--sync"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut logs = String::from_utf8(out.stderr).unwrap();
    // Then every export format, with the same logging.
    let exports = tempfile::tempdir().unwrap();
    for (format, name) in [
        ("bundle", "history.json"),
        ("ndjson", "history"),
        ("ips", "summary.json"),
        ("pdf", "summary.pdf"),
    ] {
        let out = folio()
            .env("FOLIO_LOG", "trace")
            .args(["--data-dir", d, "export", "--format", format])
            .arg(exports.path().join(name))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        logs.push_str(&String::from_utf8(out.stderr).unwrap());
    }
    assert!(
        logs.lines()
            .filter(|l| l.contains(" DEBUG ") || l.contains(" INFO "))
            .count()
            > 50,
        "debug logging was on"
    );
    assert!(
        logs.lines().any(|l| l.contains(" TRACE ")),
        "trace logging was on"
    );

    // What must never appear: the database key and the tokens (read back from the keychain),
    // the member's name and identifiers (from the demo plan's generator, which the CLI used).
    let list = String::from_utf8(
        folio()
            .args(["--data-dir", d, "connections"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let id = list.split_whitespace().next().unwrap();
    let entry = folio_secrets::KeychainStore::new("health.folio.desktop")
        .get(&format!("connection/{id}"))
        .unwrap()
        .unwrap();
    let tokens: serde_json::Value = serde_json::from_str(entry.expose()).unwrap();
    let generated =
        folio_sandbox::generator::generate_member("demo", ("Ana", "Rivera"), 2026, 2000);
    let patient = &generated.resources[0];
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("encryption.json")).unwrap())
            .unwrap();
    let database_key = folio_secrets::KeychainStore::new("health.folio.desktop")
        .get(record["account"].as_str().unwrap())
        .unwrap()
        .unwrap();
    let mut secrets = vec![
        database_key.expose().clone(),
        tokens["access_token"].as_str().unwrap().to_owned(),
        tokens["refresh_token"].as_str().unwrap().to_owned(),
        "Rivera".to_owned(),
        patient["birthDate"].as_str().unwrap().to_owned(),
    ];
    for ident in patient["identifier"].as_array().unwrap() {
        secrets.push(ident["value"].as_str().unwrap().to_owned());
    }
    for s in &secrets {
        assert!(
            !logs.contains(s.as_str()),
            "a secret or identifier reached the logs"
        );
    }
    folio_secrets::KeychainStore::new("health.folio.desktop")
        .delete(&format!("connection/{id}"))
        .unwrap();
}

#[test]
#[ignore = "needs node (the scripted member); scripts/test.sh provides it"]
fn without_a_keychain_connecting_fails_clearly_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let member =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e/member-browser.mjs");
    // No Secret Service; the records are locked with a passphrase, but the tokens have nowhere
    // safe to go.
    let out = folio_without_keychain()
        .env("FOLIO_PASSPHRASE", "no keychain on this computer")
        .env("BROWSER", format!("node {}", member.display()))
        .args(["--data-dir", d, "connect", "demo", "--timeout", "60"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "a connection without a place for its tokens must fail"
    );
    assert!(err.to_lowercase().contains("keychain"), "says why: {err}");
    let list = String::from_utf8(
        folio_without_keychain()
            .env("FOLIO_PASSPHRASE", "no keychain on this computer")
            .args(["--data-dir", d, "connections"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        list.contains("no connections yet"),
        "no half connection left behind: {list}"
    );
    // And the tokens went nowhere else. They stayed inside the folio process (its own demo
    // plan made them), so look for any value shaped like one: the plan's tokens, codes and
    // state are 43 URL-safe base64 characters. Every row of the database is read through the
    // passphrase (its bytes are ciphertext, where a stored token would hide too) and every
    // other file of the profile as it is; a missing database fails here.
    let disk = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(common::on_disk::read_profile(
            dir.path(),
            &common::on_disk::DbKey::Passphrase("no keychain on this computer".into()),
        ));
    assert!(
        disk.holding(b"demo")
            .iter()
            .any(|p| p.starts_with("plans.")),
        "the database's rows are read (the catalog is in them)"
    );
    for field in ["access_token", "refresh_token"] {
        assert_eq!(
            disk.holding(field.as_bytes()),
            Vec::<String>::new(),
            "no token material on disk"
        );
    }
    assert_eq!(
        disk.holding_where(|bytes| longest_token_like_run(bytes) >= 43),
        Vec::<String>::new(),
        "nothing shaped like a token on disk"
    );
}

/// The longest run of URL-safe base64 characters in `bytes`.
fn longest_token_like_run(bytes: &[u8]) -> usize {
    bytes
        .split(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_'))
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0)
}

#[test]
fn without_a_keychain_the_records_are_locked_with_a_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let run = |passphrase: Option<&str>, args: &[&str]| {
        let mut cmd = folio_without_keychain();
        if let Some(p) = passphrase {
            cmd.env("FOLIO_PASSPHRASE", p);
        }
        let out = cmd.args(["--data-dir", d]).args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, _, err) = run(None, &["status"]);
    assert!(!ok);
    assert!(err.contains("choose a passphrase"), "{err}");
    let (ok, _, err) = run(Some("short"), &["status"]);
    assert!(!ok);
    assert!(err.contains("at least 12 characters"), "{err}");
    let (ok, out, err) = run(Some("my own long passphrase"), &["status"]);
    assert!(ok, "{err}");
    assert!(out.contains("key from your passphrase"), "{out}");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../tests/fixtures/synthea-r4/Adan_Portillo_22bbe238-220e-495c-8abc-0ce3aa28a605.json",
    );
    let (ok, _, err) = run(
        Some("my own long passphrase"),
        &["import", fixture.to_str().unwrap()],
    );
    assert!(ok, "{err}");
    let (ok, _, err) = run(None, &["status"]);
    assert!(!ok);
    assert!(err.contains("enter it to open them"), "{err}");
    let (ok, _, err) = run(Some("my own long passphrasf"), &["status"]);
    assert!(!ok);
    assert!(
        err.contains("that passphrase does not open your records"),
        "{err}"
    );
    let db = std::fs::read(dir.path().join("folio.db")).unwrap();
    assert!(
        !db.windows(8).any(|w| w == b"Portillo"),
        "encrypted on disk"
    );
    let (ok, out, err) = run(Some("my own long passphrase"), &["status"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("connections 1, records ") && !out.contains("records 0"),
        "the imported file's records are there: {out}"
    );
}

#[test]
#[ignore = "needs node, an unlocked Secret Service and user namespaces; scripts/test.sh provides them"]
fn a_sync_that_fills_the_disk_says_so_keeps_what_it_saved_and_resumes_with_room() {
    let (plan, _dir, profile) = a_connected_member_too_big_for_3_mb();

    // The profile on a 3 MB disk: the sync cannot fit. Then the disk grows (a tmpfs can) and
    // the next sync finishes where the first stopped.
    let out = common::on_a_small_disk(
        "3m",
        r#"
        cp -a "$PROFILE" "$FULL/profile" || exit 3
        "$FOLIO" --data-dir "$FULL/profile" sync --page-size 100; echo "full sync exit $?"
        "$FOLIO" --data-dir "$FULL/profile" stats; echo "stats exit $?"
        mount -o remount,size=256m "$FULL" || exit 4
        "$FOLIO" --data-dir "$FULL/profile" sync --page-size 100 >/dev/null; echo "roomy sync exit $?"
        "$FOLIO" --data-dir "$FULL/profile" stats
        "#,
        &[("PROFILE", profile.as_os_str())],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("full sync exit 1"), "{stdout}{stderr}");
    // Per kind ("Observation FAILED: the disk is full…"), or for the whole run when the disk
    // fills while Folio records the run itself.
    assert!(
        stdout.contains("FAILED: the disk is full, so Folio could not save")
            || stderr.contains("folio: the disk is full, so Folio could not save"),
        "says the disk is full: {stdout}{stderr}"
    );
    let (first, rest) = stdout.split_once("stats exit 0").expect("stats ran");
    assert!(first.contains("database integrity: ok"), "{stdout}");
    let saved: i64 = first
        .lines()
        .find_map(|l| l.strip_prefix("total: "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(
        saved > 0,
        "pages saved before the disk filled are kept: {first}"
    );
    assert!(rest.contains("roomy sync exit 0"), "{stdout}{stderr}");
    assert!(rest.contains("database integrity: ok"), "{rest}");
    assert_eq!(
        held_from_the_plan(rest),
        expected_from_the_plan(&plan.members()[0]),
        "complete and not doubled: {rest}"
    );
}

#[test]
#[ignore = "needs node, an unlocked Secret Service and user namespaces; scripts/test.sh provides them"]
fn a_sync_killed_while_the_disk_is_full_loses_nothing_and_resumes_with_room() {
    let (plan, _dir, profile) = a_connected_member_too_big_for_3_mb();

    // The sync runs on a 3 MB disk; the moment the disk has no room left it is SIGKILLed (no
    // chance to roll back or clean up), with SQLite's write-ahead log and Folio's sync
    // bookkeeping wherever a full disk left them. Then, still full, Folio must open and check
    // the database; with room, the next sync finishes the job.
    //
    // Nothing announces "the disk is full" to another process (the sync's own error comes after
    // it has begun to roll back), so the free space is polled. A kill counts only if it was the
    // kill that ended the sync (exit 137, so the sync had not reached its own exit) and the
    // free space was under 16 kB just before it; a poll that missed that moment (the sync
    // ended on its own first) is retried with a fresh copy of the profile, never passed.
    let out = common::on_a_small_disk(
        "3m",
        r#"
        for attempt in 1 2 3 4 5 6; do
          rm -rf "$FULL/profile"; cp -a "$PROFILE" "$FULL/profile" || exit 3
          "$FOLIO" --data-dir "$FULL/profile" sync --page-size 20 >/dev/null 2>&1 &
          pid=$!; landed=""
          while kill -0 "$pid" 2>/dev/null; do
            free=$(df -k --output=avail "$FULL" | tail -n 1 | tr -d ' ')
            if [ "$free" -le 16 ]; then kill -9 "$pid"; landed="$free"; break; fi
            sleep 0.005
          done
          wait "$pid"; ended=$?
          echo "attempt $attempt: sync ended $ended, killed with ${landed:-no} kB free"
          if [ "$ended" = 137 ] && [ -n "$landed" ]; then echo "kill landed"; break; fi
        done
        "$FOLIO" --data-dir "$FULL/profile" stats; echo "full stats exit $?"
        mount -o remount,size=256m "$FULL" || exit 4
        "$FOLIO" --data-dir "$FULL/profile" stats; echo "stats exit $?"
        "$FOLIO" --data-dir "$FULL/profile" sync --page-size 100 >/dev/null; echo "roomy sync exit $?"
        "$FOLIO" --data-dir "$FULL/profile" stats
        "#,
        &[("PROFILE", profile.as_os_str())],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in stdout.lines().filter(|l| l.starts_with("attempt ")) {
        eprintln!("{line}");
    }
    assert!(
        stdout.contains("kill landed"),
        "no kill landed while the disk was full in 6 attempts: {stdout}{stderr}"
    );
    eprintln!(
        "{}",
        if stderr.contains("the disk is full") {
            "on the full disk: the disk is full"
        } else {
            "on the full disk: opened"
        }
    );
    let landed = stdout
        .lines()
        .take_while(|l| *l != "kill landed")
        .last()
        .unwrap_or_default();
    let free_kb: i64 = landed
        .split_once(", killed with ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
        .unwrap_or_else(|| panic!("the landed kill's free space: {stdout}"));
    assert!(
        landed.contains("sync ended 137,") && free_kb <= 16,
        "killed mid-sync while the disk was full: {landed}"
    );
    // On the full disk Folio either opens and checks the database or says the disk is full;
    // nothing else.
    let (before_room, _) = stdout.split_once("full stats exit ").unwrap();
    assert!(
        before_room.contains("database integrity: ok")
            || stderr.contains("the disk is full, so Folio could not save"),
        "{stdout}{stderr}"
    );
    let (_, with_room) = stdout.split_once("full stats exit ").unwrap();
    let (first, rest) = with_room
        .split_once("stats exit 0")
        .expect("stats ran with room");
    assert!(first.contains("database integrity: ok"), "{stdout}");
    assert!(
        held_from_the_plan(first) > 0,
        "pages saved before the kill are kept: {first}"
    );
    assert!(rest.contains("roomy sync exit 0"), "{stdout}{stderr}");
    assert!(rest.contains("database integrity: ok"), "{rest}");
    assert_eq!(
        held_from_the_plan(rest),
        expected_from_the_plan(&plan.members()[0]),
        "complete and not doubled: {rest}"
    );
}

/// A sandbox plan with a 5,000-resource member, connected in a fresh profile (returned with
/// the folder that holds it).
fn a_connected_member_too_big_for_3_mb() -> (PlanProcess, tempfile::TempDir, std::path::PathBuf) {
    let plan = PlanProcess::start(&[
        "--member",
        "kim=generated:21:5000:Kim:Lee",
        "--redirect-uri",
        "http://127.0.0.1/cb/full-plan",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    plan.add_and_connect(profile.to_str().unwrap(), "Full Plan", "kim");
    (plan, dir, profile)
}

/// What a member's records should come to in `folio stats`: every type the sandbox counts,
/// less what it labels sensitive, without the shared Organization/Practitioner/Provenance.
fn expected_from_the_plan(member: &serde_json::Value) -> i64 {
    let mut expected = 0;
    for (ty, n) in member["counts"].as_object().unwrap() {
        if !matches!(ty.as_str(), "Organization" | "Practitioner" | "Provenance") {
            expected += n.as_i64().unwrap() - member["sensitive_by_type"][ty].as_i64().unwrap_or(0);
        }
    }
    expected
}

/// The member's records in `folio stats` output, as [`expected_from_the_plan`] counts them.
fn held_from_the_plan(stats: &str) -> i64 {
    let mut held = 0;
    for line in stats.lines().filter(|l| l.contains(" records  ")) {
        let mut words = line.split_whitespace();
        let (_, ty, n) = (words.next(), words.next().unwrap(), words.next().unwrap());
        if !matches!(ty, "Organization" | "Practitioner" | "Provenance") {
            held += n.parse::<i64>().unwrap();
        }
    }
    held
}

#[test]
#[ignore = "needs dbus-run-session and gnome-keyring; scripts/test.sh provides them"]
fn a_locked_keychain_is_told_and_leaves_the_records_untouched() {
    // A keychain of its own (locking the shared one would disturb the other tests), locked
    // over D-Bus the way a screen lock does; with no display, its unlock prompt cannot show.
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let script = r#"
        set -u
        export XDG_DATA_HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d)
        chmod 700 "$XDG_RUNTIME_DIR"
        eval "$(printf folio-lock-test | gnome-keyring-daemon --unlock --components=secrets)"
        export GNOME_KEYRING_CONTROL
        "$FOLIO" --data-dir "$PROFILE" import "$FIXTURE" >/dev/null || exit 3
        sha256sum "$PROFILE/folio.db"
        gdbus call --session --dest org.freedesktop.secrets \
          --object-path /org/freedesktop/secrets \
          --method org.freedesktop.Secret.Service.Lock \
          "[objectpath '/org/freedesktop/secrets/collection/login']" >/dev/null || exit 4
        "$FOLIO" --data-dir "$PROFILE" status; echo "locked status exit $?"
        "$FOLIO" --data-dir "$PROFILE" export --format bundle "$PROFILE/../out.json"; echo "locked export exit $?"
        sha256sum "$PROFILE/folio.db"
        ls "$PROFILE/.."
    "#;
    let out = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", script])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("FOLIO_PASSPHRASE")
        .env("FOLIO", env!("CARGO_BIN_EXE_folio"))
        .env("PROFILE", &profile)
        .env(
            "FIXTURE",
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
                "../../tests/fixtures/synthea-r4/Adan_Portillo_22bbe238-220e-495c-8abc-0ce3aa28a605.json",
            ),
        )
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("locked status exit 1"), "{stdout}{stderr}");
    assert!(stdout.contains("locked export exit 1"), "{stdout}{stderr}");
    assert!(
        stderr.contains("folio: the system keychain refused access (is it locked?)"),
        "says the keychain is locked: {stderr}"
    );
    let sums: Vec<&str> = stdout
        .lines()
        .filter(|l| l.ends_with("folio.db"))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(sums.len(), 2, "{stdout}");
    assert_eq!(sums[0], sums[1], "the database is untouched");
    assert!(!stdout.contains("out.json"), "no export written: {stdout}");
}
