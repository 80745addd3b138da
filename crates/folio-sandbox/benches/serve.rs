//! How fast the sandbox serves a 100k-resource member, alone: a raw HTTP loop that follows
//! every `next` link of `Patient/$everything` (no parsing beyond finding the link, no storing).
//! Run: `cargo bench -p folio-sandbox --bench serve` (prints a table for docs/performance.md).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs
)]

use std::time::Instant;

use folio_sandbox::{MemberSource, Sandbox, SandboxConfig};

const SIZE: usize = 100_000;

fn next_link(body: &[u8]) -> Option<String> {
    // The next link sits in the Bundle's head, before the entries.
    let head = &body[..body.len().min(4096)];
    let text = std::str::from_utf8(head).ok()?;
    const NEEDLE: &str = r#""relation":"next","url":""#;
    let at = text.find(NEEDLE)? + NEEDLE.len();
    Some(text[at..at + text[at..].find('"')?].to_owned())
}

async fn token(sb: &Sandbox) -> (String, String) {
    use base64::Engine;
    use sha2::Digest;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let verifier = "bench-verifier-bench-verifier-bench-verifier-0000";
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier));
    let redirect = "http://127.0.0.1:1/cb/demo";
    let page = http
        .get(format!("{}/auth/authorize", sb.origin()))
        .query(&[
            ("response_type", "code"),
            ("client_id", "folio-desktop"),
            ("redirect_uri", redirect),
            ("scope", "launch/patient patient/*.rs"),
            ("state", "s"),
            ("aud", sb.fhir_base()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = page.find(r#"name="request" value=""#).unwrap() + 22;
    let request = &page[at..at + page[at..].find('"').unwrap()];
    http.post(format!("{}/auth/login", sb.origin()))
        .form(&[
            ("request", request),
            ("username", "big"),
            ("password", "demo"),
        ])
        .send()
        .await
        .unwrap();
    let done = http
        .post(format!("{}/auth/consent", sb.origin()))
        .form(&[
            ("request", request),
            ("scope", "launch/patient"),
            ("scope", "patient/*.rs"),
            ("sensitive", "share"),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    let loc = done.headers()["location"].to_str().unwrap().to_owned();
    let code = loc
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let t: serde_json::Value = http
        .post(format!("{}/auth/token", sb.origin()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect),
            ("client_id", "folio-desktop"),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        t["access_token"].as_str().unwrap().to_owned(),
        t["patient"].as_str().unwrap().to_owned(),
    )
}

#[tokio::main]
async fn main() {
    let started = Instant::now();
    let sb = Sandbox::start(SandboxConfig {
        members: vec![MemberSource::Generated {
            login: "big".into(),
            name: ("Big".into(), "Member".into()),
            seed: 100,
            size: SIZE,
        }],
        ..Default::default()
    })
    .await
    .unwrap();
    let build = started.elapsed();
    let (token, patient) = token(&sb).await;
    let http = reqwest::Client::new();
    println!("| page size | pages | resources | bytes | wall (s) | resources/s | MB/s |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for count in [200usize, 1000] {
        let mut url = format!(
            "{}/Patient/{patient}/$everything?_count={count}",
            sb.fhir_base()
        );
        let t = Instant::now();
        let (mut pages, mut bytes) = (0usize, 0usize);
        loop {
            let body = http
                .get(&url)
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            pages += 1;
            bytes += body.len();
            match next_link(&body) {
                Some(next) => url = next,
                None => break,
            }
        }
        let secs = t.elapsed().as_secs_f64();
        let resources = sb.members()[0].total;
        println!(
            "| {count} | {pages} | {resources} | {bytes} | {secs:.2} | {:.0} | {:.1} |",
            resources as f64 / secs,
            bytes as f64 / secs / 1e6
        );
    }
    println!(
        "\nmember generation and indexing: {:.2} s for {SIZE} resources",
        build.as_secs_f64()
    );
    sb.stop().await;
}
