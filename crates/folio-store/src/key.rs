//! The key that opens an encrypted database, and what kind of file lies at a path.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// The key of a SQLCipher database: 32 random bytes (used as the AES-256 key as they are) or a
/// passphrase (stretched by SQLCipher with PBKDF2-HMAC-SHA512, 256,000 rounds, and the file's
/// own salt). `Debug` never shows it.
#[derive(Clone)]
pub struct DatabaseKey {
    /// What SQLCipher is given as the key: `x'<64 hex digits>'` for a raw key, or the
    /// passphrase itself.
    value: String,
    raw: bool,
}

impl DatabaseKey {
    /// A raw 256-bit key.
    pub fn raw(bytes: &[u8; 32]) -> Self {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Self {
            value: format!("x'{hex}'"),
            raw: true,
        }
    }

    /// A passphrase chosen by the member.
    pub fn passphrase(passphrase: &str) -> Self {
        Self {
            value: passphrase.to_owned(),
            raw: false,
        }
    }

    /// The right-hand side of `PRAGMA key = …`, quoted as SQLCipher expects.
    pub(crate) fn pragma_value(&self) -> String {
        if self.raw {
            format!("\"{}\"", self.value)
        } else {
            format!("'{}'", self.value.replace('\'', "''"))
        }
    }

    /// The value bound to `ATTACH DATABASE … KEY ?`.
    pub(crate) fn attach_value(&self) -> &str {
        &self.value
    }
}

impl fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DatabaseKey(<redacted>)")
    }
}

/// What is at a database path, read from its first 16 bytes without opening it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseFile {
    /// Nothing yet.
    Missing,
    /// A plain (unencrypted) SQLite database: it starts with SQLite's own header.
    Plain,
    /// Anything else: an encrypted database (SQLCipher files start with their random salt), or
    /// a file that is not a database at all, which opening will tell.
    Encrypted,
}

/// SQLite's file header.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

impl DatabaseFile {
    /// Looks at the file at `path`. An empty file counts as missing (SQLite itself treats it as
    /// a new database).
    pub fn at(path: &Path) -> std::io::Result<Self> {
        let mut file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::Missing),
            Err(e) => return Err(e),
        };
        let mut head = Vec::with_capacity(16);
        file.by_ref().take(16).read_to_end(&mut head)?;
        Ok(if head.is_empty() {
            Self::Missing
        } else if head.as_slice() == SQLITE_HEADER {
            Self::Plain
        } else {
            Self::Encrypted
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_key_and_quotes_it_for_sqlcipher() {
        let raw = DatabaseKey::raw(&[0xab; 32]);
        assert_eq!(format!("{raw:?}"), "DatabaseKey(<redacted>)");
        assert_eq!(raw.pragma_value(), format!("\"x'{}'\"", "ab".repeat(32)));
        assert_eq!(raw.attach_value(), format!("x'{}'", "ab".repeat(32)));
        let phrase = DatabaseKey::passphrase("it's a long one");
        assert_eq!(format!("{phrase:?}"), "DatabaseKey(<redacted>)");
        assert_eq!(phrase.pragma_value(), "'it''s a long one'");
    }

    #[test]
    fn tells_plain_from_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.db");
        assert_eq!(DatabaseFile::at(&path).ok(), Some(DatabaseFile::Missing));
        std::fs::write(&path, b"").ok();
        assert_eq!(DatabaseFile::at(&path).ok(), Some(DatabaseFile::Missing));
        std::fs::write(&path, b"SQLite format 3\0rest of page").ok();
        assert_eq!(DatabaseFile::at(&path).ok(), Some(DatabaseFile::Plain));
        std::fs::write(&path, [7u8; 64]).ok();
        assert_eq!(DatabaseFile::at(&path).ok(), Some(DatabaseFile::Encrypted));
    }
}
