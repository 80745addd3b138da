//! The real OS keychain: on Linux, a gnome-keyring-daemon reached over a D-Bus session.
//! `.ci/run` starts the daemon in a private `dbus-run-session` and runs this with `--ignored`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use folio_secrets::{KeychainStore, SecretStore, Sensitive};

#[test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; .ci/run provides one"]
fn secret_service_stores_reads_and_deletes_a_secret() {
    let store = KeychainStore::new("health.folio.test");
    let account = format!("round-trip-{}", std::process::id());
    assert!(store.get(&account).unwrap().is_none(), "starts empty");
    store
        .put(&account, &Sensitive::new("refresh-token-1".into()))
        .unwrap();
    assert_eq!(
        store.get(&account).unwrap().unwrap().expose(),
        "refresh-token-1"
    );
    // A second handle reads what the first wrote: it is really in the keychain.
    let other = KeychainStore::new("health.folio.test");
    assert_eq!(
        other.get(&account).unwrap().unwrap().expose(),
        "refresh-token-1"
    );
    store
        .put(&account, &Sensitive::new("refresh-token-2".into()))
        .unwrap();
    assert_eq!(
        other.get(&account).unwrap().unwrap().expose(),
        "refresh-token-2"
    );
    assert!(store.delete(&account).unwrap());
    assert!(other.get(&account).unwrap().is_none());
    assert!(!store.delete(&account).unwrap());
}
