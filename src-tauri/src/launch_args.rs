//! The app's own command-line options (the rest of argv may be a deep link).

use std::path::PathBuf;

/// The value of `--data-dir DIR` or `--data-dir=DIR`, if given.
pub fn data_dir_flag(args: &[String]) -> Option<PathBuf> {
    let mut iter = args.iter().skip(1);
    while let Some(arg) = iter.next() {
        if arg == "--data-dir" {
            return iter.next().map(PathBuf::from);
        }
        if let Some(value) = arg.strip_prefix("--data-dir=") {
            return Some(PathBuf::from(value));
        }
    }
    None
}

/// The flag a start at login passes (`tauri-plugin-autostart`): the window opens minimized.
pub const MINIMIZED: &str = "--minimized";

/// Whether Folio was started at login (with [`MINIMIZED`]).
pub fn minimized(args: &[String]) -> bool {
    args.iter().skip(1).any(|a| a == MINIMIZED)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn both_spellings_are_understood() {
        assert_eq!(
            data_dir_flag(&args(&["folio", "--data-dir", "/p"])),
            Some("/p".into())
        );
        assert_eq!(
            data_dir_flag(&args(&["folio", "--data-dir=/q"])),
            Some("/q".into())
        );
        assert_eq!(
            data_dir_flag(&args(&["folio", "health.folio.desktop:/cb/x"])),
            None
        );
        assert_eq!(
            data_dir_flag(&args(&["--data-dir"])),
            None,
            "argv[0] is never an option"
        );
    }
}
