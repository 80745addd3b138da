//! `folio plans add` with the client authentication a plan requires (issue 15 §2): the secret
//! comes on standard input and is never echoed; each flag that does not fit says why.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn folio(data_dir: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_folio"))
        .env_remove("FOLIO_DATA_DIR")
        .env_remove("FOLIO_PASSPHRASE")
        .args(["--data-dir", data_dir, "plans", "add"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

const PLAN: [&str; 6] = [
    "--name",
    "Portal Plan",
    "--fhir-base",
    "https://plan.example/fhir",
    "--client-id",
    "folio-at-portal",
];

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn flags_that_do_not_fit_together_are_refused_before_anything_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let no_secret = folio(
        d,
        &[&PLAN[..], &["--client-auth", "secret-post"]].concat(),
        None,
    );
    assert!(!no_secret.status.success());
    assert!(
        text(&no_secret).contains("--client-auth secret-post needs the plan's client secret"),
        "{}",
        text(&no_secret)
    );
    let secret_without_method = folio(
        d,
        &[
            &PLAN[..],
            &["--client-secret-stdin", "--client-auth", "none"],
        ]
        .concat(),
        Some("s3cret\n"),
    );
    assert!(!secret_without_method.status.success());
    assert!(text(&secret_without_method)
        .contains("goes with --client-auth secret-basic or secret-post"));
    for bad in ["loopback:0", "loopback:70000", "loopback:x", "elsewhere"] {
        let out = folio(d, &[&PLAN[..], &["--redirect", bad]].concat(), None);
        assert!(!out.status.success(), "{bad}");
        assert!(text(&out).contains("--redirect"), "{bad}: {}", text(&out));
    }
    // Registering means the plan issues the client id: not both, and not neither.
    let both = folio(d, &[&PLAN[..], &["--register"]].concat(), None);
    assert!(!both.status.success());
    assert!(
        text(&both).contains("cannot be used with"),
        "{}",
        text(&both)
    );
    let neither = folio(
        d,
        &["--name", "N", "--fhir-base", "https://plan.example/fhir"],
        None,
    );
    assert!(!neither.status.success());
    assert!(text(&neither).contains("--client-id"), "{}", text(&neither));
    let unknown = folio(
        d,
        &[&PLAN[..], &["--client-auth", "client-secret-jwt"]].concat(),
        None,
    );
    assert!(!unknown.status.success());
}

#[test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session (the database key and the secret); scripts/test.sh provides one"]
fn a_plan_with_a_client_secret_and_a_fixed_port_is_added_without_echoing_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let secret = "portal-s3cret+/=value";
    let out = folio(
        d,
        &[
            &PLAN[..],
            &[
                "--client-secret-stdin",
                "--client-auth",
                "secret-post",
                "--redirect",
                "loopback:48123",
            ],
        ]
        .concat(),
        Some(&format!("{secret}\r\n")),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("added plan portal-plan"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains(secret), "the secret is never echoed");
    // An empty standard input is no secret.
    let empty = folio(
        d,
        &[&PLAN[..], &["--client-secret-stdin"]].concat(),
        Some("\n"),
    );
    assert!(!empty.status.success());
    assert!(text(&empty).contains("standard input held no secret"));
}

/// A plan on this computer whose SMART configuration offers `algs` for client assertions (a
/// private-key-jwt plan is asked which key to make when it is added); returns its FHIR base.
fn smart_plan(algs: &'static [&'static str]) -> String {
    use std::io::{BufRead, BufReader};
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let base = format!("http://{}/fhir", listener.local_addr().unwrap());
    let origin = base.trim_end_matches("/fhir").to_owned();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let body = serde_json::json!({
                "authorization_endpoint": format!("{origin}/authorize"),
                "token_endpoint": format!("{origin}/token"),
                "token_endpoint_auth_signing_alg_values_supported": algs,
                "capabilities": ["client-confidential-asymmetric"],
            })
            .to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    base
}

/// The plan's arguments with its FHIR base at `base`.
fn plan_at(base: &str) -> Vec<&str> {
    let mut args = PLAN.to_vec();
    args[3] = base;
    args
}

#[test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session (the database key and the plan's key); scripts/test.sh provides one"]
fn a_private_key_jwt_plan_prints_its_public_jwks_when_added_and_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let base = smart_plan(&["ES384", "RS384"]);
    let out = folio(
        d,
        &[&plan_at(&base)[..], &["--client-auth", "private-key-jwt"]].concat(),
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let said = String::from_utf8(out.stdout).unwrap();
    let printed = &said[said.find('{').expect("a JWKS follows")..];
    let jwks: serde_json::Value = serde_json::from_str(printed).unwrap();
    assert_eq!(jwks["keys"][0]["crv"], "P-384");
    assert_eq!(jwks["keys"][0]["alg"], "ES384");
    assert!(jwks["keys"][0].get("d").is_none(), "no private part");
    assert!(!said.contains("PRIVATE KEY"));
    let again = Command::new(env!("CARGO_BIN_EXE_folio"))
        .env_remove("FOLIO_DATA_DIR")
        .env_remove("FOLIO_PASSPHRASE")
        .args(["--data-dir", d, "plans", "jwks", "portal-plan"])
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", text(&again));
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again, jwks, "the same key set, printed again");
    // A plan without a key has no JWKS, and says so.
    let public = Command::new(env!("CARGO_BIN_EXE_folio"))
        .env_remove("FOLIO_DATA_DIR")
        .env_remove("FOLIO_PASSPHRASE")
        .args(["--data-dir", d, "plans", "jwks", "demo"])
        .output()
        .unwrap();
    assert!(!public.status.success());
    assert!(text(&public).contains("does not sign in with a key pair"));
}

#[test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session (the database key and the plan's key); scripts/test.sh provides one"]
fn a_plan_that_takes_only_rsa_gets_an_rs384_key_printed_when_added_and_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let base = smart_plan(&["RS384"]);
    let out = folio(
        d,
        &[&plan_at(&base)[..], &["--client-auth", "private-key-jwt"]].concat(),
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let said = String::from_utf8(out.stdout).unwrap();
    let printed = &said[said.find('{').expect("a JWKS follows")..];
    let jwks: serde_json::Value = serde_json::from_str(printed).unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["alg"].as_str()),
        (Some("RSA"), Some("RS384"))
    );
    assert!(
        key["n"].is_string() && key["e"] == "AQAB" && key["kid"].is_string(),
        "{key}"
    );
    assert!(
        key.get("d").is_none() && key.get("p").is_none(),
        "no private part"
    );
    assert!(!said.contains("PRIVATE KEY"));
    let again = Command::new(env!("CARGO_BIN_EXE_folio"))
        .env_remove("FOLIO_DATA_DIR")
        .env_remove("FOLIO_PASSPHRASE")
        .args(["--data-dir", d, "plans", "jwks", "portal-plan"])
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", text(&again));
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again, jwks, "the same RSA key set, printed again");
}
