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

    /// Creates the folder if it is missing, for the member's account alone (0700 on Unix;
    /// parents it needs are made as the system makes folders), and narrows an existing one that
    /// other accounts could read or enter, such as one an earlier Folio or the webview made.
    pub fn create(&self) -> std::io::Result<()> {
        owner_only::create_dir(&self.path)
    }
}

/// What Folio writes is readable by the member's account alone: folders 0700 and files 0600 on
/// Unix, whatever the process umask. (Elsewhere the platform's per-user folders and ACLs decide.)
pub(crate) mod owner_only {
    use std::fs::File;
    use std::io;
    use std::path::Path;

    /// Folder mode on Unix.
    #[cfg(unix)]
    const DIR_MODE: u32 = 0o700;
    /// File mode on Unix.
    #[cfg(unix)]
    const FILE_MODE: u32 = 0o600;

    /// Creates `path` (its parents as the system makes them) as an owner-only folder; an
    /// existing folder that is looser is narrowed to owner-only. A folder whose mode cannot be
    /// changed (not the member's, or on a file system without modes) is used as it is, and a
    /// warning says so.
    pub(crate) fn create_dir(path: &Path) -> io::Result<()> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
        match builder.create(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => {
                narrow(path);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    #[cfg(unix)]
    fn narrow(path: &Path) {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        if meta.permissions().mode() & 0o077 == 0 {
            return;
        }
        if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(DIR_MODE)) {
            tracing::warn!(
                error = %e.kind(),
                "the data folder is readable by other accounts and its mode cannot be changed"
            );
        }
    }

    #[cfg(not(unix))]
    fn narrow(_: &Path) {}

    /// Creates a new file for writing, owner-only (0600 on Unix); an existing one is an error.
    pub(crate) fn create_new_file(path: &Path) -> io::Result<File> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
        options.open(path)
    }

    /// A `tempfile` builder for staging files, owner-only (0600 on Unix).
    pub(crate) fn temp_file_builder<'a, 'b>(
        prefix: &'a str,
        suffix: &'b str,
    ) -> tempfile::Builder<'a, 'b> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(prefix).suffix(suffix);
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(FILE_MODE));
        builder
    }

    /// A `tempfile` builder for staging folders, owner-only (0700 on Unix: `tempfile` would
    /// make them 0777 less the umask).
    pub(crate) fn temp_dir_builder<'a, 'b>(
        prefix: &'a str,
        suffix: &'b str,
    ) -> tempfile::Builder<'a, 'b> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(prefix).suffix(suffix);
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(DIR_MODE));
        builder
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

    #[cfg(unix)]
    #[test]
    fn the_folder_is_made_owner_only_and_a_looser_one_is_narrowed() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let base = tempfile::tempdir().unwrap();
        let made = DataDir::at(base.path().join("a/profile"));
        made.create().unwrap();
        assert_eq!(mode(made.path()), 0o700);
        made.create().unwrap();
        assert_eq!(
            mode(made.path()),
            0o700,
            "creating it again changes nothing"
        );

        let earlier = DataDir::at(base.path().join("earlier"));
        std::fs::create_dir(earlier.path()).unwrap();
        std::fs::set_permissions(earlier.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        earlier.create().unwrap();
        assert_eq!(
            mode(earlier.path()),
            0o700,
            "an earlier 0755 folder is narrowed"
        );
    }
}
