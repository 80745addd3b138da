//! What Folio writes is the member's alone: the profile folder and every folder Folio makes are
//! 0700, every file 0600, whatever the umask. Each `folio` here runs under `umask 022` (set by
//! `sh`), the usual default, under which a folder made without care is 0755 and a file 0644
//! (SQLite makes a new database 0644 whatever the umask).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::BufRead;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const PASSPHRASE: &str = "a passphrase for the modes test";

/// `folio` on `profile` under `umask 022`.
fn umask_022(profile: &Path) -> Command {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", r#"umask 022 && exec "$0" "$@""#])
        .arg(env!("CARGO_BIN_EXE_folio"))
        .arg("--data-dir")
        .arg(profile)
        .env_remove("FOLIO_DATA_DIR")
        .env_remove("FOLIO_PASSPHRASE");
    cmd
}

/// `folio` under `umask 022`, without a keychain (the records are locked with a passphrase, so
/// this needs no Secret Service).
fn folio_umask_022(profile: &Path) -> Command {
    let mut cmd = umask_022(profile);
    cmd.env("FOLIO_PASSPHRASE", PASSPHRASE).env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/folio-no-bus",
    );
    cmd
}

fn run(profile: &Path, args: &[&std::ffi::OsStr]) {
    let out = folio_umask_022(profile).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "folio {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every folder under `root` (itself included) that is not 0700 and every file that is not
/// 0600, with its mode; and how many entries were looked at.
fn not_owner_only(root: &Path) -> (Vec<String>, usize) {
    let mut loose = Vec::new();
    let mut seen = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let mode = meta.permissions().mode() & 0o7777;
        let want = if meta.is_dir() { 0o700 } else { 0o600 };
        seen += 1;
        if mode != want {
            loose.push(format!("{} is {mode:o}, not {want:o}", path.display()));
        }
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        }
    }
    (loose, seen)
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_profile_and_every_export_are_the_members_alone_under_umask_022() {
    let base = tempfile::tempdir().unwrap();
    let profile = base.path().join("profile");

    // The store open, as it is while Folio runs: `connect` has read the plans and waits for the
    // sign-in, so the database, its write-ahead log and its shared memory are all there.
    let mut connect = folio_umask_022(&profile)
        .args(["connect", "demo", "--timeout", "120"])
        .env("BROWSER", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = String::new();
    let mut lines = std::io::BufReader::new(connect.stderr.take().unwrap()).lines();
    let waiting = lines.by_ref().map_while(Result::ok).any(|line| {
        said.push_str(&line);
        said.push('\n');
        line.starts_with("Waiting for the plan's answer")
    });
    let state = waiting.then(|| (names_in(&profile), not_owner_only(&profile).0));
    connect.kill().unwrap();
    connect.wait().unwrap();
    let Some((open, loose)) = state else {
        panic!("connect never waited for the sign-in: {said}");
    };
    for name in [
        "encryption.json",
        "folio.db",
        "folio.db-shm",
        "folio.db-wal",
    ] {
        assert!(
            open.iter().any(|n| n == name),
            "{name} is there while the store is open: {open:?}"
        );
    }
    assert!(loose.is_empty(), "while the store is open: {loose:#?}");

    // Records to export (an imported file: one source, so the summaries have their person).
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../tests/fixtures/synthea-r4/Adan_Portillo_22bbe238-220e-495c-8abc-0ce3aa28a605.json",
    );
    run(&profile, &["import".as_ref(), fixture.as_os_str()]);
    let exports = tempfile::tempdir().unwrap();
    let mut targets: Vec<PathBuf> = Vec::new();
    for (format, name) in [
        ("bundle", "history.json"),
        ("ndjson", "history"),
        ("ips", "summary.json"),
        ("pdf", "summary.pdf"),
    ] {
        let target = exports.path().join(name);
        run(
            &profile,
            &[
                "export".as_ref(),
                "--format".as_ref(),
                format.as_ref(),
                target.as_os_str(),
            ],
        );
        targets.push(target);
    }
    // The NDJSON folder holds a file per type and its manifest.
    assert!(
        names_in(&exports.path().join("history")).len() > 2,
        "the NDJSON export has its files"
    );
    for target in &targets {
        let (loose, seen) = not_owner_only(target);
        assert!(seen > 0);
        assert!(loose.is_empty(), "an export: {loose:#?}");
    }
    let (loose, seen) = not_owner_only(&profile);
    assert!(
        seen >= 3,
        "the profile has its folder, database and key record"
    );
    assert!(loose.is_empty(), "after import and exports: {loose:#?}");
}

#[test]
fn an_earlier_plain_database_and_a_looser_profile_folder_end_up_the_members_alone() {
    let base = tempfile::tempdir().unwrap();
    let profile = base.path().join("profile");
    // What an earlier Folio left: a 0755 folder holding a plain 0644 database.
    std::fs::create_dir(&profile).unwrap();
    std::fs::set_permissions(&profile, std::fs::Permissions::from_mode(0o755)).unwrap();
    let db = profile.join("folio.db");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::ConnectOptions;
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&db)
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        sqlx::query("CREATE TABLE earlier (note TEXT)")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("INSERT INTO earlier VALUES ('kept')")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::Connection::close(conn).await.unwrap();
    });
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(
        &std::fs::read(&db).unwrap()[..16],
        b"SQLite format 3\0",
        "a plain database (so the upgrade runs)"
    );

    let out = folio_umask_022(&profile).arg("status").output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.contains("key from your passphrase"),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(
        &std::fs::read(&db).unwrap()[..16],
        b"SQLite format 3\0",
        "the database was encrypted in place"
    );
    let (loose, _) = not_owner_only(&profile);
    assert!(loose.is_empty(), "after the upgrade: {loose:#?}");
}

#[test]
#[ignore = "needs node and an unlocked Secret Service on a D-Bus session; scripts/rust-tests.sh provides both"]
fn a_connected_and_synced_profile_is_the_members_alone_under_umask_022() {
    let base = tempfile::tempdir().unwrap();
    let profile = base.path().join("profile");
    let member = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e/member-browser.mjs");
    // The keychain this time (the session's Secret Service), and the scripted member.
    let out = umask_022(&profile)
        .env("BROWSER", format!("node {}", member.display()))
        .args(["connect", "demo", "--sync", "--timeout", "60"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.contains("synced"),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (loose, seen) = not_owner_only(&profile);
    assert!(
        seen >= 3,
        "the profile has its folder, database and key record"
    );
    assert!(loose.is_empty(), "after a connect and a sync: {loose:#?}");
}
