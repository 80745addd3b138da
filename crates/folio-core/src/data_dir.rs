//! Where a profile keeps its data: the OS app-data directory unless told otherwise.

use std::path::{Path, PathBuf};

/// Folio's application identifier: names the app-data folder and the keychain service.
pub const APP_IDENTIFIER: &str = "health.folio.desktop";

/// The environment variable that overrides the data directory (tests, several profiles).
pub const DATA_DIR_ENV: &str = "FOLIO_DATA_DIR";

/// Why this data directory was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataDirSource {
    /// `--data-dir` on the command line.
    Flag,
    /// The `FOLIO_DATA_DIR` environment variable.
    Environment,
    /// The platform's app-data directory.
    Platform,
}

/// A profile's data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    path: PathBuf,
    source: DataDirSource,
}

impl DataDir {
    /// Picks the directory: `flag` first, then `env_value` (the value of `FOLIO_DATA_DIR`), then
    /// the platform app-data directory (`$XDG_DATA_HOME/health.folio.desktop` on Linux, the
    /// same folder Tauri's `app_data_dir` names). `None` when the platform has no such directory.
    pub fn resolve(flag: Option<PathBuf>, env_value: Option<PathBuf>) -> Option<Self> {
        let non_empty = |p: PathBuf| (!p.as_os_str().is_empty()).then_some(p);
        if let Some(path) = flag.and_then(non_empty) {
            return Some(Self {
                path,
                source: DataDirSource::Flag,
            });
        }
        if let Some(path) = env_value.and_then(non_empty) {
            return Some(Self {
                path,
                source: DataDirSource::Environment,
            });
        }
        dirs::data_dir().map(|base| Self {
            path: base.join(APP_IDENTIFIER),
            source: DataDirSource::Platform,
        })
    }

    /// [`DataDir::resolve`] with the flag given and the process environment.
    pub fn from_flag_or_env(flag: Option<PathBuf>) -> Option<Self> {
        Self::resolve(flag, std::env::var_os(DATA_DIR_ENV).map(PathBuf::from))
    }

    /// A data directory at a given path (tests, embedding).
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            source: DataDirSource::Flag,
        }
    }

    /// The platform app-data folder as the shell found it (Tauri's `app_data_dir`).
    pub fn platform(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            source: DataDirSource::Platform,
        }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why it was chosen.
    pub fn source(&self) -> DataDirSource {
        self.source
    }

    /// The profile's database file.
    pub fn database_path(&self) -> PathBuf {
        self.path.join("folio.db")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_beats_environment_beats_platform() {
        let d = DataDir::resolve(Some("/a".into()), Some("/b".into())).unwrap();
        assert_eq!(
            (d.path(), d.source()),
            (Path::new("/a"), DataDirSource::Flag)
        );
        let d = DataDir::resolve(None, Some("/b".into())).unwrap();
        assert_eq!(
            (d.path(), d.source()),
            (Path::new("/b"), DataDirSource::Environment)
        );
        let d = DataDir::resolve(Some("".into()), Some("".into())).unwrap();
        assert_eq!(
            d.source(),
            DataDirSource::Platform,
            "empty values do not count"
        );
        assert!(d.path().ends_with(APP_IDENTIFIER));
        assert_eq!(d.database_path(), d.path().join("folio.db"));
    }
}
