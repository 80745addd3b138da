//! The database key: made on first run, kept in the OS keychain (or, where there is no
//! keychain, derived from a passphrase the member chooses), and used to open the profile's
//! SQLCipher database. A plain database from an earlier Folio is encrypted on first open.
//!
//! `encryption.json` in the data folder says where the key is kept. It holds no secret: the
//! keychain entry's name, or that a passphrase is needed.

use std::path::{Path, PathBuf};

use folio_secrets::{SecretError, SecretStore, Sensitive};
use folio_store::{DatabaseFile, DatabaseKey, Store, StoreError};
use serde::{Deserialize, Serialize};

use crate::api::KeyHome;
use crate::{CoreError, DataDir};

/// The file that says where the key is.
const RECORD_FILE: &str = "encryption.json";
const FORMAT: &str = "folio-encryption/1";
/// The shortest passphrase Folio accepts when one is chosen.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct KeyRecord {
    format: String,
    key: RecordedHome,
    /// The keychain entry holding the key (keychain only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RecordedHome {
    Keychain,
    Passphrase,
}

fn record_path(data_dir: &DataDir) -> PathBuf {
    data_dir.path().join(RECORD_FILE)
}

fn read_record(data_dir: &DataDir) -> Result<Option<KeyRecord>, CoreError> {
    let path = record_path(data_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CoreError::KeyRecord(format!("{}: {e}", path.display()))),
    };
    let record: KeyRecord = serde_json::from_str(&text)
        .map_err(|e| CoreError::KeyRecord(format!("{} is damaged: {e}", path.display())))?;
    if record.format != FORMAT || (record.key == RecordedHome::Keychain && record.account.is_none())
    {
        return Err(CoreError::KeyRecord(format!(
            "{} is not one this Folio understands",
            path.display()
        )));
    }
    Ok(Some(record))
}

/// Writes the record next to the database: to a temporary file, synced, then renamed.
fn write_record(data_dir: &DataDir, record: &KeyRecord) -> Result<(), CoreError> {
    let path = record_path(data_dir);
    let fail = |e: std::io::Error| CoreError::KeyRecord(format!("{}: {e}", path.display()));
    data_dir.create().map_err(fail)?;
    let json = serde_json::to_vec_pretty(record)
        .map_err(|e| CoreError::Internal(format!("key record: {e}")))?;
    let mut tmp = crate::data_dir::owner_only::temp_file_builder(".tmp", "")
        .tempfile_in(data_dir.path())
        .map_err(fail)?;
    std::io::Write::write_all(&mut tmp, &json).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(&path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Where this profile's key is kept, if it has one yet.
pub(crate) fn key_home(data_dir: &DataDir) -> Option<KeyHome> {
    match read_record(data_dir) {
        Ok(Some(r)) if r.key == RecordedHome::Keychain => Some(KeyHome::Keychain),
        Ok(Some(_)) => Some(KeyHome::Passphrase),
        _ => None,
    }
}

fn raw_key_from_hex(hex: &str) -> Option<[u8; 32]> {
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        let s = std::str::from_utf8(pair).ok()?;
        key[i] = u8::from_str_radix(s, 16).ok()?;
    }
    Some(key)
}

/// A new random key, stored in the keychain and read back before anything is encrypted with it.
fn new_keychain_key(secrets: &dyn SecretStore) -> Result<(String, DatabaseKey), SecretError> {
    let mut key = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let account = format!("database-key/{}", crate::export::new_uuid());
    secrets.put(&account, &Sensitive::new(hex.clone()))?;
    match secrets.get(&account)? {
        Some(back) if back.expose() == &hex => Ok((account, DatabaseKey::raw(&key))),
        _ => Err(SecretError::Other(
            "the keychain did not give back the key it was given".into(),
        )),
    }
}

/// Checks a passphrase the member is choosing.
pub(crate) fn check_new_passphrase(passphrase: &Sensitive<String>) -> Result<(), CoreError> {
    if passphrase.expose().chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(CoreError::PassphraseTooShort);
    }
    Ok(())
}

/// Opens the profile's database, creating its key (and the database) on first run and
/// encrypting a plain database left by an earlier Folio.
pub(crate) async fn open_store(
    data_dir: &DataDir,
    secrets: &dyn SecretStore,
    passphrase: Option<&Sensitive<String>>,
) -> Result<Store, CoreError> {
    let path = data_dir.database_path();
    data_dir.create().map_err(|source| {
        CoreError::Store(StoreError::CreateDir {
            path: data_dir.path().to_owned(),
            source,
        })
    })?;
    let file = DatabaseFile::at(&path).map_err(|source| {
        CoreError::Store(StoreError::Read {
            path: path.clone(),
            source,
        })
    })?;
    let fresh = file != DatabaseFile::Encrypted;
    let (key, by_passphrase) = match read_record(data_dir)? {
        Some(KeyRecord {
            key: RecordedHome::Keychain,
            account: Some(account),
            ..
        }) => match secrets.get(&account)? {
            Some(hex) => {
                let raw = raw_key_from_hex(hex.expose()).ok_or(CoreError::KeyMissing)?;
                (DatabaseKey::raw(&raw), false)
            }
            // Lost before anything was encrypted with it: make another.
            None if fresh => (
                create_key(data_dir, secrets, passphrase)?,
                passphrase.is_some(),
            ),
            None => return Err(CoreError::KeyMissing),
        },
        Some(_) => match passphrase {
            Some(p) if fresh => {
                check_new_passphrase(p)?;
                (DatabaseKey::passphrase(p.expose()), true)
            }
            Some(p) => (DatabaseKey::passphrase(p.expose()), true),
            None if fresh => return Err(CoreError::PassphraseToChoose(None)),
            None => return Err(CoreError::PassphraseNeeded),
        },
        None if !fresh => return Err(CoreError::KeyRecordMissing(record_path(data_dir))),
        None => (
            create_key(data_dir, secrets, passphrase)?,
            passphrase.is_some(),
        ),
    };
    if file == DatabaseFile::Plain {
        let done = Store::encrypt_in_place(&path, &key).await?;
        tracing::info!(
            tables = done.tables,
            "an earlier Folio's plain database is now encrypted"
        );
    }
    Store::open(&path, &key).await.map_err(|e| match e {
        StoreError::WrongKey { .. } if by_passphrase => CoreError::WrongPassphrase,
        other => CoreError::Store(other),
    })
}

/// Makes the profile's key: in the keychain when there is one, else from the passphrase the
/// member chose (or asks for one). The record is written only once the key is safe.
fn create_key(
    data_dir: &DataDir,
    secrets: &dyn SecretStore,
    passphrase: Option<&Sensitive<String>>,
) -> Result<DatabaseKey, CoreError> {
    match new_keychain_key(secrets) {
        Ok((account, key)) => {
            write_record(
                data_dir,
                &KeyRecord {
                    format: FORMAT.into(),
                    key: RecordedHome::Keychain,
                    account: Some(account),
                },
            )?;
            Ok(key)
        }
        Err(keychain) => match passphrase {
            Some(p) => {
                check_new_passphrase(p)?;
                write_record(
                    data_dir,
                    &KeyRecord {
                        format: FORMAT.into(),
                        key: RecordedHome::Passphrase,
                        account: None,
                    },
                )?;
                tracing::info!("no keychain: the database key comes from the member's passphrase");
                Ok(DatabaseKey::passphrase(p.expose()))
            }
            None => Err(CoreError::PassphraseToChoose(Some(keychain.to_string()))),
        },
    }
}

/// Deletes the key (keychain entry and record) once the database it opened is gone.
pub(crate) fn forget_key(data_dir: &DataDir, secrets: &dyn SecretStore) -> Result<(), CoreError> {
    if let Some(KeyRecord {
        account: Some(account),
        ..
    }) = read_record(data_dir)?
    {
        secrets.delete(&account)?;
    }
    match std::fs::remove_file(record_path(data_dir)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(CoreError::KeyRecord(format!(
            "{}: {e}",
            record_path(data_dir).display()
        ))),
        _ => Ok(()),
    }
}

/// The database file and everything SQLite keeps beside it.
pub(crate) fn database_files(path: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_keys_round_trip_and_junk_is_refused() {
        let hex = "00ff".repeat(16);
        let key = raw_key_from_hex(&hex).unwrap();
        assert_eq!(key[0], 0);
        assert_eq!(key[1], 0xff);
        assert!(raw_key_from_hex("abc").is_none());
        assert!(raw_key_from_hex(&"zz".repeat(32)).is_none());
    }

    #[test]
    fn short_passphrases_are_refused() {
        assert!(check_new_passphrase(&Sensitive::new("eleven-char".into())).is_err());
        assert!(check_new_passphrase(&Sensitive::new("twelve chars".into())).is_ok());
        assert!(check_new_passphrase(&Sensitive::new("ñandú ñandú ñ".into())).is_ok());
    }
}
