//! Folio's secrets: OAuth tokens (and later the database key) in the OS keychain, and the
//! `Sensitive<T>` wrapper that keeps them from being printed.
//!
//! Owns: the one `keyring` dependency, with the platform stores named explicitly (Secret Service
//! on Linux, Keychain on macOS, Credential Manager on Windows), behind the [`SecretStore`] trait.
//!
//! Must never: write a secret anywhere but the keychain, show one in `Debug`, `Display`, an error
//! message or a log, or serialize one. The in-memory store exists for unit tests only.

mod error;
mod keychain;
#[cfg(any(test, feature = "memory"))]
mod memory;
mod sensitive;

pub use error::SecretError;
pub use keychain::KeychainStore;
#[cfg(any(test, feature = "memory"))]
pub use memory::MemoryStore;
pub use sensitive::Sensitive;

/// Where secrets live. One entry per `account` (e.g. one per plan connection).
pub trait SecretStore: Send + Sync {
    /// Stores or replaces the secret of `account`.
    fn put(&self, account: &str, secret: &Sensitive<String>) -> Result<(), SecretError>;
    /// The secret of `account`, or `None` when there is none.
    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>, SecretError>;
    /// Deletes the secret of `account`; `Ok(false)` when there was none.
    fn delete(&self, account: &str) -> Result<bool, SecretError>;
}
