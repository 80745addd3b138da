//! The Folio desktop app's entry point.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    // `folio-desktop --version` answers in the terminal without opening a window. A desktop
    // never passes it: the desktop entry gives a folio link or nothing.
    if std::env::args()
        .nth(1)
        .is_some_and(|a| a == "--version" || a == "-V")
    {
        use std::io::Write;
        let written = writeln!(std::io::stdout(), "folio-desktop {}", folio_core::VERSION);
        return if written.is_ok() {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        };
    }
    match folio_desktop::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "Folio could not start");
            std::process::ExitCode::FAILURE
        }
    }
}
