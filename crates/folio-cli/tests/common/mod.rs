//! Shared by the CLI's test files.
#![allow(
    dead_code,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used
)]

use std::ffi::OsStr;
use std::process::{Command, Output};

/// Every row of a profile's encrypted database (through its key) and every other file in it.
#[path = "../../../folio-core/tests/common/on_disk.rs"]
pub mod on_disk;

/// A small deterministic generator for kill times; the seed is printed so a failure can be
/// replayed with FOLIO_FAULT_SEED.
pub struct Rng(u64);

impl Rng {
    pub fn seeded() -> Self {
        let seed = std::env::var("FOLIO_FAULT_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            });
        eprintln!("fault seed: {seed} (replay with FOLIO_FAULT_SEED={seed})");
        Self(seed | 1)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Runs `script` with sh as root of a new user and mount namespace, where `$FULL` is a tmpfs
/// of `size` (a disk that fills up). Fails the test when namespaces are not available.
pub fn on_a_small_disk(size: &str, script: &str, env: &[(&str, &OsStr)]) -> Output {
    let mnt = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("unshare");
    cmd.args(["--user", "--map-root-user", "--mount", "sh", "-c"])
        .arg(format!(
            "mount -t tmpfs -o size={size} folio-full \"$FULL\" || exit 97\n{script}"
        ))
        .env("FULL", mnt.path())
        .env("FOLIO", env!("CARGO_BIN_EXE_folio"))
        .env_remove("FOLIO_DATA_DIR")
        .env_remove("FOLIO_PASSPHRASE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("unshare (util-linux) runs");
    assert_ne!(
        out.status.code(),
        Some(97),
        "cannot mount a tmpfs in a user namespace here: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
