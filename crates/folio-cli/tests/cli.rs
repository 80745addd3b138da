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
    assert!(text.contains("0 plans, 0 connections, 0 records"), "{text}");
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
