//! The OS keychain through `keyring`.

use keyring::Entry;

use crate::{SecretError, SecretStore, Sensitive};

/// Secrets in the platform keychain, under one service name (e.g. Folio's app identifier).
#[derive(Debug, Clone)]
pub struct KeychainStore {
    service: String,
}

impl KeychainStore {
    /// A store whose entries are filed under `service`.
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, account: &str) -> Result<Entry, SecretError> {
        Entry::new(&self.service, account).map_err(map_error)
    }
}

fn map_error(error: keyring::Error) -> SecretError {
    // keyring's messages name the store and the failure, never the secret.
    match error {
        keyring::Error::PlatformFailure(e) => SecretError::Unavailable(e.to_string()),
        keyring::Error::NoStorageAccess(e) => SecretError::Denied(e.to_string()),
        other => SecretError::Other(other.to_string()),
    }
}

impl SecretStore for KeychainStore {
    fn put(&self, account: &str, secret: &Sensitive<String>) -> Result<(), SecretError> {
        self.entry(account)?
            .set_password(secret.expose())
            .map_err(map_error)
    }

    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>, SecretError> {
        match self.entry(account)?.get_password() {
            Ok(secret) => Ok(Some(Sensitive::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    fn delete(&self, account: &str) -> Result<bool, SecretError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_error(e)),
        }
    }
}
