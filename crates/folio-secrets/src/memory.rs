//! An in-memory [`SecretStore`] for unit tests. Not compiled into shipped builds.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::{SecretError, SecretStore, Sensitive};

/// Secrets in a map, lost when dropped.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, String>>,
}

impl MemoryStore {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, String>>, SecretError> {
        self.entries
            .lock()
            .map_err(|_| SecretError::Other("memory store poisoned".into()))
    }
}

impl SecretStore for MemoryStore {
    fn put(&self, account: &str, secret: &Sensitive<String>) -> Result<(), SecretError> {
        self.lock()?
            .insert(account.to_owned(), secret.expose().clone());
        Ok(())
    }

    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>, SecretError> {
        Ok(self.lock()?.get(account).cloned().map(Sensitive::new))
    }

    fn delete(&self, account: &str) -> Result<bool, SecretError> {
        Ok(self.lock()?.remove(account).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let store = MemoryStore::default();
        assert!(store.get("a").unwrap().is_none());
        store.put("a", &Sensitive::new("s1".into())).unwrap();
        store.put("a", &Sensitive::new("s2".into())).unwrap();
        assert_eq!(store.get("a").unwrap().unwrap().expose(), "s2");
        assert!(store.delete("a").unwrap());
        assert!(!store.delete("a").unwrap());
    }
}
