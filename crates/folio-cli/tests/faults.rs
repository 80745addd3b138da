//! Faults from outside Folio, through the real `folio` binary: a process killed at random
//! points while it encrypts an earlier Folio's database, and a disk that fills up during an
//! import or an export. Nothing may be lost or left half-written, and the error must say why.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::str::FromStr;

use sqlx::{ConnectOptions, Connection};

mod common;
use common::{on_a_small_disk, Rng};

const PASSPHRASE: &str = "fault suite passphrase";
const NO_BUS: &str = "unix:path=/nonexistent/folio-no-bus";

fn folio(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_folio"));
    // No keychain: the key comes from the passphrase, so these tests need no Secret Service.
    cmd.env_remove("FOLIO_DATA_DIR")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/folio-no-bus",
        )
        .env("FOLIO_PASSPHRASE", PASSPHRASE)
        .arg("--data-dir")
        .arg(data_dir);
    cmd
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// Record counts by type and the integrity line, from `folio stats`.
fn stats(data_dir: &Path) -> (std::collections::BTreeMap<String, i64>, String) {
    let text = ok(&folio(data_dir).arg("stats").output().unwrap());
    (parse_stats(&text), text)
}

/// `folio stats` lines: `<source>  <Type>  <n> records …`, summed by type.
fn parse_stats(text: &str) -> std::collections::BTreeMap<String, i64> {
    let mut counts = std::collections::BTreeMap::new();
    for line in text.lines().filter(|l| l.contains(" records  ")) {
        let mut words = line.split_whitespace();
        let (_, ty, n) = (words.next(), words.next().unwrap(), words.next().unwrap());
        *counts.entry(ty.to_owned()).or_insert(0) += n.parse::<i64>().unwrap();
    }
    counts
}

/// A profile holding the 10-patient Bulk NDJSON fixture (7,160 records).
fn imported_profile() -> (
    tempfile::TempDir,
    PathBuf,
    std::collections::BTreeMap<String, i64>,
) {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    ok(&folio(&profile)
        .arg("import")
        .arg(fixtures().join("bulk-ndjson-10-patients"))
        .output()
        .unwrap());
    let (counts, text) = stats(&profile);
    assert!(text.contains("database integrity: ok"), "{text}");
    assert_eq!(counts.values().sum::<i64>(), 7160, "{text}");
    (dir, profile, counts)
}

/// Turns the profile's encrypted database into a plain one, as an earlier Folio left it.
async fn make_plain(profile: &Path) {
    // This process opens the encrypted database through sqlx, not Folio's store.
    folio_store::crypto_ready();
    let db = profile.join("folio.db");
    let plain = profile.join("plain.db");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(&db)
        .create_if_missing(true)
        .pragma("key", format!("'{PASSPHRASE}'"))
        .pragma(
            "cipher_page_size",
            folio_store::CIPHER_PAGE_SIZE.to_string(),
        )
        .connect()
        .await
        .unwrap();
    sqlx::query("ATTACH DATABASE ?1 AS plain KEY ''")
        .bind(plain.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("SELECT sqlcipher_export('plain')")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("DETACH DATABASE plain")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    std::fs::rename(&plain, &db).unwrap();
    for f in ["folio.db-wal", "folio.db-shm", "encryption.json"] {
        let _ = std::fs::remove_file(profile.join(f));
    }
}

fn header(path: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).unwrap();
    bytes.truncate(16);
    bytes
}

/// `path` with `suffix` added to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The plain database at `db` is whole: its integrity check passes and it holds every record.
async fn plain_is_whole(db: &Path) -> (String, i64) {
    let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(db)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM resources")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    (check, n)
}

/// Kills that must land while the encrypted copy is being written, to count as tested.
const KILLS_WHILE_ENCRYPTING: u32 = 5;

#[tokio::test(flavor = "multi_thread")]
async fn encryption_killed_at_random_points_never_loses_the_database() {
    let (dir, profile, before) = imported_profile();
    make_plain(&profile).await;
    let db = profile.join("folio.db");
    assert_eq!(header(&db), b"SQLite format 3\0");
    let pristine = dir.path().join("pristine.db");
    std::fs::copy(&db, &pristine).unwrap();
    // Folio writes the encrypted copy here, from just before it starts copying until the copy
    // replaces the plain file. Found after a kill (which leaves it, SIGKILL cleans nothing up),
    // it says the kill landed while Folio was encrypting.
    let staging = sibling(&db, ".encrypting");
    let staged = ["", "-journal", "-wal", "-shm"].map(|s| sibling(&staging, s));

    let mut rng = Rng::seeded();
    // Kills are drawn at random from this window (ms after the start); it narrows to where the
    // encryption happens on this machine: a kill that landed before Folio started encrypting
    // raises its start, one after the encrypted copy was in place lowers its end.
    let (mut early, mut late) = (5u64, 1500u64);
    let (mut while_encrypting, mut too_early, mut too_late) = (0u32, 0u32, 0u32);
    for round in 0.. {
        if while_encrypting >= KILLS_WHILE_ENCRYPTING {
            break;
        }
        assert!(
            round < 60,
            "only {while_encrypting} of {round} kills landed while encrypting \
             ({too_early} before it started, {too_late} after it was done)"
        );
        // A staging file from an earlier round is not this round's.
        for f in &staged {
            match std::fs::remove_file(f) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("{e}"),
                _ => {}
            }
        }
        let mut run = folio(&profile)
            .arg("status")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let after_ms = early + rng.below(late - early + 1);
        std::thread::sleep(std::time::Duration::from_millis(after_ms));
        run.kill().unwrap(); // SIGKILL
        let finished = run.wait().unwrap().success();
        let plain = header(&db) == b"SQLite format 3\0";
        let mid_way = !finished && plain && staging.exists();
        eprintln!(
            "round {round}: killed after {after_ms} ms, finished {finished}, still plain {plain}, \
             staging copy there {}",
            staging.exists()
        );
        if plain {
            // Still plain: the plain database is whole and untouched, whatever was staged.
            let (check, n) = plain_is_whole(&db).await;
            assert_eq!((check.as_str(), n), ("ok", 7160), "round {round}");
            if mid_way {
                while_encrypting += 1;
            } else {
                too_early += 1;
                early = after_ms;
            }
        } else {
            // Encrypted (finished, or killed once the copy was in place): whole, every record
            // once, nothing left over; then the plain database again for the next round.
            too_late += 1;
            late = after_ms;
            let (after, text) = stats(&profile);
            assert!(
                text.contains("database integrity: ok"),
                "round {round}: {text}"
            );
            assert_eq!(after, before, "round {round}");
            for name in ["folio.db-wal", "folio.db-shm"] {
                let _ = std::fs::remove_file(profile.join(name));
            }
            std::fs::copy(&pristine, &db).unwrap();
        }
        if late < early + 20 {
            // Timing moved between rounds: widen the window again.
            early = early.saturating_sub(100).max(5);
            late = early + 400;
        }
    }
    eprintln!(
        "{while_encrypting} kills while encrypting, {too_early} before it started, \
         {too_late} after it was done"
    );

    // The next start finishes the job: every record, nothing doubled, nothing left over.
    let (after, text) = stats(&profile);
    assert!(text.contains("database integrity: ok"), "{text}");
    assert_eq!(after, before);
    assert_ne!(header(&db), b"SQLite format 3\0", "encrypted now");
    let left: Vec<String> = std::fs::read_dir(&profile)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("encrypting") || n.contains("plain"))
        .collect();
    assert_eq!(left, Vec::<String>::new());
}

#[test]
#[ignore = "needs user namespaces (unshare --user --mount); scripts/test.sh runs it"]
fn a_full_disk_fails_an_export_clearly_and_leaves_nothing_half_written() {
    let (_dir, profile, _) = imported_profile();
    let out = on_a_small_disk(
        "512k",
        r#"
        echo placeholder > "$FULL/kept.txt"
        "$FOLIO" --data-dir "$PROFILE" export --format bundle "$FULL/history.json"; echo "export exit $?"
        "$FOLIO" --data-dir "$PROFILE" export --format ndjson "$FULL/history"; echo "ndjson exit $?"
        ls -A "$FULL"
        "#,
        &[
            ("PROFILE", profile.as_os_str()),
            ("FOLIO_PASSPHRASE", PASSPHRASE.as_ref()),
            ("DBUS_SESSION_BUS_ADDRESS", NO_BUS.as_ref()),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("export exit 1"), "{stdout}{stderr}");
    assert!(stdout.contains("ndjson exit 1"), "{stdout}{stderr}");
    assert!(
        stderr.matches("No space left on device").count() >= 2,
        "says the disk is full: {stderr}"
    );
    // Only what was there before: no half file, no staging file, no half folder.
    let listing: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("ndjson exit"))
        .skip(1)
        .collect();
    assert_eq!(listing, vec!["kept.txt"], "{stdout}");
    // The records are untouched.
    let (counts, text) = stats(&profile);
    assert!(text.contains("database integrity: ok"), "{text}");
    assert_eq!(counts.values().sum::<i64>(), 7160);
}

#[test]
#[ignore = "needs user namespaces (unshare --user --mount); scripts/test.sh runs it"]
fn a_full_disk_during_an_import_keeps_every_record_already_saved() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let small =
        fixtures().join("synthea-r4/Adan_Portillo_22bbe238-220e-495c-8abc-0ce3aa28a605.json");
    ok(&folio(&profile).arg("import").arg(&small).output().unwrap());
    let (before, _) = stats(&profile);
    let out = on_a_small_disk(
        "6m",
        r#"
        cp -a "$PROFILE" "$FULL/profile" || exit 3
        "$FOLIO" --data-dir "$FULL/profile" import "$BULK"; echo "import exit $?"
        "$FOLIO" --data-dir "$FULL/profile" stats; echo "stats exit $?"
        "#,
        &[
            ("PROFILE", profile.as_os_str()),
            (
                "BULK",
                fixtures().join("bulk-ndjson-10-patients").as_os_str(),
            ),
            ("FOLIO_PASSPHRASE", PASSPHRASE.as_ref()),
            ("DBUS_SESSION_BUS_ADDRESS", NO_BUS.as_ref()),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("import exit 1"),
        "the import cannot fit: {stdout}{stderr}"
    );
    assert!(
        stderr.contains("disk is full") || stderr.contains("No space left on device"),
        "says the disk is full: {stderr}"
    );
    assert!(stdout.contains("stats exit 0"), "{stdout}{stderr}");
    assert!(stdout.contains("database integrity: ok"), "{stdout}");
    // What was saved before the disk filled is all there; the failed import added nothing.
    assert_eq!(parse_stats(&stdout), before, "{stdout}{stderr}");
}
