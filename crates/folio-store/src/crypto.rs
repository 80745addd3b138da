//! The crypto library under SQLCipher, set up before its first use.
//!
//! On Linux and Windows SQLCipher encrypts with OpenSSL's libcrypto, which by default frees its
//! global state from an `atexit` handler. A process that exits while a connection is still
//! closing on one of sqlx's worker threads (SQLCipher freeing its cipher contexts) then has
//! two threads freeing the same memory: the process dies of a double free or a segfault in
//! `OPENSSL_cleanup` instead of exiting (seen in CI at the end of a test binary; reproduced by
//! `tests/exit.rs`). Initialising OpenSSL first with `OPENSSL_INIT_NO_ATEXIT`, which
//! `openssl_sys::init` does, leaves that memory to the operating system at exit.
//! macOS's SQLCipher uses CommonCrypto, which has no such handler.

/// Makes sure OpenSSL is initialised without its exit handler. [`crate::Store`] calls it; call
/// it yourself before opening an encrypted database any other way (sqlx directly). Cheap after
/// the first call.
pub fn ready() {
    #[cfg(not(target_vendor = "apple"))]
    openssl_sys::init();
}
