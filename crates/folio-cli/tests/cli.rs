//! The `folio` binary as a member runs it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn folio() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_folio"));
    cmd.env_remove("FOLIO_DATA_DIR");
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
        text.contains("plans 1, connections 0, records 0"),
        "the catalog's demo plan, nothing else: {text}"
    );
    assert!(flag_dir.path().join("folio.db").is_file());
    assert!(
        !env_dir.path().join("folio.db").exists(),
        "the environment folder is untouched"
    );
}

#[test]
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
        .contains("FHIR base must be an http(s) address"));
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
