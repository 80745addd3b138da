//! What can go wrong with the keychain. Messages never contain a secret.

/// A keychain failure, named for what failed.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// No keychain service answers (no Secret Service on the session bus, for instance).
    #[error("the system keychain is not available: {0}")]
    Unavailable(String),
    /// The keychain is there but locked or refused access.
    #[error("the system keychain refused access (is it locked?): {0}")]
    Denied(String),
    /// Any other keychain error.
    #[error("keychain error: {0}")]
    Other(String),
}
