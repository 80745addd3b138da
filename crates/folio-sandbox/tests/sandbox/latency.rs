//! The latency knob and the page cap, set on the sandbox program's command line.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

struct Program(Child);

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `folio-sandbox` with `args` and returns it with its FHIR base.
fn start(args: &[&str]) -> (Program, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_folio-sandbox"))
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let program = Program(child);
    let mut lines = std::io::BufReader::new(stdout).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("FHIR base: ").map(str::to_owned))
        .expect("the sandbox printed its FHIR base");
    // The rest of what it prints is read, so that writing it never fails.
    std::thread::spawn(move || lines.for_each(drop));
    (program, base)
}

#[tokio::test]
async fn latency_and_page_cap_flags_set_the_faults_and_beat_the_json() {
    let (_program, base) = start(&[
        "--faults",
        r#"{"slow_ms":5,"retry_after_secs":3}"#,
        "--latency-ms",
        "300",
        "--max-count",
        "50",
    ]);
    let origin = base.trim_end_matches("/fhir");
    let http = reqwest::Client::new();
    let faults: Value = http
        .get(format!("{origin}/_sandbox/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(faults["slow_ms"], 300, "{faults}");
    assert_eq!(faults["strict"]["max_count"], 50, "{faults}");
    assert_eq!(faults["retry_after_secs"], 3, "the rest of --faults stays");

    // Every FHIR response waits, and two in flight wait side by side.
    let t = Instant::now();
    let (a, b) = tokio::join!(
        http.get(format!("{base}/metadata")).send(),
        http.get(format!("{base}/metadata")).send()
    );
    let took = t.elapsed();
    assert!(a.unwrap().status().is_success() && b.unwrap().status().is_success());
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(
        took < Duration::from_millis(600),
        "not one after another: {took:?}"
    );
}
