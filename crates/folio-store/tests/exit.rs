//! A process that exits while encrypted connections are still closing exits cleanly. With
//! OpenSSL's own exit handler in place, `OPENSSL_cleanup` freed memory that SQLCipher, closing
//! a connection on one of sqlx's worker threads, was freeing at the same time: the process died
//! of a double free or a segfault instead of exiting (src/crypto.rs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use folio_store::{DatabaseKey, Store};

const CHILD: &str = "FOLIO_STORE_EXIT_CHILD";
const NAME: &str = "a_process_exiting_while_connections_close_exits_cleanly";
const ROUNDS: usize = 60;

#[test]
fn a_process_exiting_while_connections_close_exits_cleanly() {
    if std::env::var_os(CHILD).is_some() {
        exit_while_closing();
    }
    // Each round is a fresh process: OpenSSL's exit handler is set up (or not) once per process.
    for round in 0..ROUNDS {
        let out = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", NAME, "--nocapture"])
            .env(CHILD, "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "round {round}: the process did not exit cleanly ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Opens encrypted stores, uses every connection, drops them without closing (their worker
/// threads close them in the background) and exits at once.
fn exit_while_closing() -> ! {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    runtime.block_on(async {
        let mut stores = Vec::new();
        for i in 0..8 {
            let store = Store::open(
                &dir.path().join(format!("{i}.db")),
                &DatabaseKey::raw(&[7; 32]),
            )
            .await
            .unwrap();
            let checks = futures_checks(&store).await;
            assert!(checks, "the store checks whole");
            stores.push(store);
        }
        drop(stores);
    });
    std::process::exit(0);
}

/// Four integrity checks at once, so that the pool opens four connections.
async fn futures_checks(store: &Store) -> bool {
    let (a, b, c, d) = tokio::join!(
        store.integrity_ok(),
        store.integrity_ok(),
        store.integrity_ok(),
        store.integrity_ok()
    );
    a.unwrap() && b.unwrap() && c.unwrap() && d.unwrap()
}
