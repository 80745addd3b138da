//! Opening the plan's sign-in page in the member's system browser, never in a webview
//! (RFC 8252 §8.12).
//!
//! Only web addresses are opened: `https`, or `http` on this computer (`localhost`, 127.0.0.0/8,
//! `::1`, where the demo plan and tests run). Anything else (`file:`, `smb:`, `javascript:`, a
//! custom scheme, cleartext `http` to another host) is refused before any program starts, so a
//! plan's discovery document cannot make Folio launch whatever handler the system maps to a
//! scheme. What is opened is the checked URL's serialization, never the raw text.
//!
//! `$BROWSER` is honoured first (a list of commands; `%s` stands for the URL, otherwise the URL
//! is added last), which is also how tests play the member: each command is started directly
//! with the URL as one argument, never through a shell. The list is written as the platform
//! writes such lists (`ListSyntax`): `:` between commands on Unix; on Windows `;` (as in
//! `PATH`, since `C:\` holds a colon) and the program's path may be in double quotes
//! (`"C:\Program Files\Mozilla Firefox\firefox.exe" -new-tab %s`). On Windows Rust's
//! `Command` quotes each argument for the program's own parser (and escapes or refuses one it
//! cannot pass safely to a `.bat`/`.cmd`), and nothing goes through `cmd /c start`, which
//! would split the URL at its `&`. Without `$BROWSER`
//! the caller's platform opener does the work: a maintained library that launches the default
//! browser safely on each platform (the CLI passes the `webbrowser` crate, the desktop app
//! Tauri's opener plugin), so folio-core stays free of Tauri.

use std::ffi::OsStr;
use std::process::{Child, Command, Stdio};

use url::{Host, Url};

/// The environment variable naming the member's browser command(s).
pub const BROWSER_ENV: &str = "BROWSER";

/// Why a sign-in page was not opened. Messages never contain the URL.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// The address is not a web address (`https`, or `http` on this computer).
    #[error("the sign-in address is not a web address, so Folio did not open it")]
    NotWebAddress,
    /// Plain `http` to another computer: the sign-in would travel unencrypted.
    #[error(
        "the sign-in address uses plain http to another computer, so Folio did not open it (only https is allowed)"
    )]
    Cleartext,
    /// `$BROWSER` is set but none of its commands could be started.
    #[error("none of the programs in $BROWSER could be started")]
    BrowserEnv,
    /// The platform opener (the system's default browser) failed. The cause is kept as the
    /// error's source, not in its message: an opener's message may quote the URL.
    #[error("could not open the system browser")]
    SystemBrowser(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Opens `url` in the member's browser: `$BROWSER` if set, else `platform_opener` (called with
/// the checked URL). Refuses anything but `https` (or `http` on this computer) before any
/// program starts.
pub fn open<F, E>(url: &str, platform_opener: F) -> Result<(), BrowserError>
where
    F: FnOnce(&str) -> Result<(), E>,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let browser_env = std::env::var_os(BROWSER_ENV);
    match open_with(url, browser_env.as_deref(), platform_opener)? {
        // Reaped when it exits, so a long-running app leaves no zombie per sign-in.
        Launched::Program(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Launched::PlatformOpener => {}
    }
    Ok(())
}

/// Who was asked to open the page.
#[derive(Debug)]
enum Launched {
    /// A `$BROWSER` command, still running or exited.
    Program(Child),
    /// The caller's platform opener.
    PlatformOpener,
}

/// [`open`] with `$BROWSER`'s value given, so tests need not change the process environment.
fn open_with<F, E>(
    url: &str,
    browser_env: Option<&OsStr>,
    platform_opener: F,
) -> Result<Launched, BrowserError>
where
    F: FnOnce(&str) -> Result<(), E>,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let url = checked(url)?;
    let url = url.as_str();
    match browser_env {
        Some(list) => spawn_from_list(&list.to_string_lossy(), url).map(Launched::Program),
        None => platform_opener(url)
            .map(|()| Launched::PlatformOpener)
            .map_err(|e| BrowserError::SystemBrowser(e.into())),
    }
}

/// The URL, if it is one Folio may open.
fn checked(url: &str) -> Result<Url, BrowserError> {
    let url = Url::parse(url).map_err(|_| BrowserError::NotWebAddress)?;
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if url.host().is_some() => {
            if on_this_computer(&url) {
                Ok(url)
            } else {
                Err(BrowserError::Cleartext)
            }
        }
        _ => Err(BrowserError::NotWebAddress),
    }
}

/// `localhost` or a loopback IP address.
fn on_this_computer(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// How a `$BROWSER` list is written: the one platform difference of this module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListSyntax {
    /// Commands separated by `:`, each split into words at whitespace.
    Unix,
    /// Commands separated by `;` (a path such as `C:\bin\b.exe` holds a colon); the program's
    /// path may be enclosed in double quotes, so it can hold spaces (`C:\Program Files\…`); the
    /// arguments after it are split at whitespace.
    Windows,
}

impl ListSyntax {
    /// The syntax of the platform Folio was built for.
    const NATIVE: Self = if cfg!(windows) {
        Self::Windows
    } else {
        Self::Unix
    };
}

/// One command of a `$BROWSER` list, ready to start: its program and its arguments, the URL
/// among them as one argument.
#[derive(Debug, PartialEq, Eq)]
struct BrowserCommand {
    program: String,
    args: Vec<String>,
}

/// The commands of a `$BROWSER` list, in order, with `url` placed at `%s` or added last. An
/// empty entry, or one whose quoted program is empty or never closes, is left out.
fn browser_commands(list: &str, url: &str, syntax: ListSyntax) -> Vec<BrowserCommand> {
    let separator = match syntax {
        ListSyntax::Unix => ':',
        ListSyntax::Windows => ';',
    };
    list.split(separator)
        .filter_map(|candidate| {
            let candidate = candidate.trim();
            let (program, rest) = match (syntax, candidate.strip_prefix('"')) {
                (ListSyntax::Windows, Some(quoted)) => quoted.split_once('"')?,
                _ => candidate
                    .split_once(char::is_whitespace)
                    .unwrap_or((candidate, "")),
            };
            if program.is_empty() {
                return None;
            }
            let mut args: Vec<String> = rest
                .split_whitespace()
                .map(|a| a.replace("%s", url))
                .collect();
            if !rest.contains("%s") {
                args.push(url.to_owned());
            }
            Some(BrowserCommand {
                program: program.to_owned(),
                args,
            })
        })
        .collect()
}

/// Starts the first command of `$BROWSER` that can be started, with `url` as one argument.
fn spawn_from_list(list: &str, url: &str) -> Result<Child, BrowserError> {
    for command in browser_commands(list, url, ListSyntax::NATIVE) {
        let spawned = Command::new(&command.program)
            .args(&command.args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        if let Ok(child) = spawned {
            return Ok(child);
        }
    }
    Err(BrowserError::BrowserEnv)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use std::cell::RefCell;

    /// A platform opener that records what it was asked to open.
    fn recording(seen: &RefCell<Vec<String>>) -> impl FnOnce(&str) -> std::io::Result<()> + '_ {
        move |url| {
            seen.borrow_mut().push(url.to_owned());
            Ok(())
        }
    }

    const REFUSED: [&str; 9] = [
        "file:///etc/passwd",
        "smb://x/y",
        "javascript:alert(1)",
        "http://plan.example/authorize?state=s",
        "ftp://plan.example/",
        "ms-settings:",
        "calc",
        "",
        " file:///etc/passwd",
    ];

    #[test]
    fn other_schemes_and_remote_cleartext_are_refused_before_the_platform_opener() {
        for url in REFUSED {
            let seen = RefCell::new(Vec::new());
            let result = open_with(url, None, recording(&seen));
            assert!(
                matches!(
                    result,
                    Err(BrowserError::NotWebAddress | BrowserError::Cleartext)
                ),
                "{url:?} was not refused: {result:?}"
            );
            assert!(seen.borrow().is_empty(), "{url:?} reached the opener");
        }
        assert!(matches!(
            open_with("http://plan.example/", None, recording(&RefCell::default())),
            Err(BrowserError::Cleartext)
        ));
        assert!(matches!(
            open_with("smb://x/y", None, recording(&RefCell::default())),
            Err(BrowserError::NotWebAddress)
        ));
    }

    /// `true` starts and exits 0 on every Unix, so had Folio started it the answer would be
    /// `Ok`: an error proves nothing was launched.
    #[cfg(unix)]
    #[test]
    fn other_schemes_and_remote_cleartext_are_refused_before_browser_env() {
        for url in REFUSED {
            let result = open_with(
                url,
                Some(OsStr::new("true")),
                recording(&RefCell::default()),
            );
            assert!(
                matches!(
                    result,
                    Err(BrowserError::NotWebAddress | BrowserError::Cleartext)
                ),
                "{url:?} was not refused: {result:?}"
            );
        }
    }

    #[test]
    fn https_and_loopback_http_reach_the_platform_opener() {
        for url in [
            "https://plan.example/authorize?response_type=code&state=a&aud=https%3A%2F%2Fplan.example%2Ffhir",
            "http://127.0.0.1:49152/authorize?a=1&b=2",
            "http://[::1]:8080/authorize",
            "http://localhost:8080/authorize",
        ] {
            let seen = RefCell::new(Vec::new());
            let launched = open_with(url, None, recording(&seen)).unwrap();
            assert!(matches!(launched, Launched::PlatformOpener));
            assert_eq!(*seen.borrow(), [url]);
        }
    }

    #[test]
    fn a_failing_platform_opener_is_reported() {
        let result = open_with("https://plan.example/a", None, |_: &str| {
            Err(std::io::Error::other("no browser"))
        });
        assert!(matches!(result, Err(BrowserError::SystemBrowser(_))));
    }

    #[test]
    fn browser_env_with_no_program_that_starts_is_reported_not_passed_on() {
        let seen = RefCell::new(Vec::new());
        let result = open_with(
            "https://plan.example/a",
            Some(OsStr::new("/nonexistent/folio-browser-a: :/nonexistent/b")),
            recording(&seen),
        );
        assert!(matches!(result, Err(BrowserError::BrowserEnv)));
        assert!(seen.borrow().is_empty());
    }

    /// A `$BROWSER` script that writes each argument it gets, NUL-terminated, to `out`.
    #[cfg(unix)]
    fn argv_recorder(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
        let out = dir.join("argv");
        let script = dir.join("browser.sh");
        std::fs::write(
            &script,
            format!("printf '%s\\0' \"$@\" > '{}'\n", out.display()),
        )
        .unwrap();
        (script, out)
    }

    #[cfg(unix)]
    fn args_received(launched: Launched, out: &std::path::Path) -> Vec<String> {
        let Launched::Program(mut child) = launched else {
            panic!("$BROWSER was not used");
        };
        assert!(child.wait().unwrap().success());
        let bytes = std::fs::read(out).unwrap();
        String::from_utf8(bytes)
            .unwrap()
            .split_terminator('\0')
            .map(str::to_owned)
            .collect()
    }

    /// Shell metacharacters in the URL reach `$BROWSER` as one intact argument: nothing splits,
    /// quotes or interprets them. A `"` or space is percent-encoded (the URL's serialization);
    /// `&`, `;`, `|`, `$(…)`, backquotes and `^` stay as they are.
    #[cfg(unix)]
    #[test]
    fn browser_env_gets_the_url_as_one_argument() {
        let dir = tempfile::tempdir().unwrap();
        let (script, out) = argv_recorder(dir.path());
        let url =
            "https://plan.example/authorize?a=1&b=\"two words\"&c=$(touch pwned)|x;y`id`^&calc";
        let env = format!("/nonexistent/first-choice:sh {}", script.display());
        let launched = open_with(url, Some(OsStr::new(&env)), |_: &str| {
            Err(std::io::Error::other(
                "the platform opener is not used with $BROWSER",
            ))
        })
        .unwrap();
        assert_eq!(
            args_received(launched, &out),
            ["https://plan.example/authorize?a=1&b=%22two%20words%22&c=$(touch%20pwned)|x;y`id`^&calc"]
        );
        assert!(!dir.path().join("pwned").exists());
    }

    fn command(program: &str, args: &[&str]) -> BrowserCommand {
        BrowserCommand {
            program: program.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    /// A checked URL can still hold what a command line would misread: `&`, `;`, `:`, `^`,
    /// backquotes, `$(…)`, `%`.
    const AWKWARD_URL: &str =
        "https://plan.example/authorize?a=1&b=%22x%22&c=$(id)|x;y`id`^&calc%20%25s:z";

    /// Windows: `;` between commands, a quoted program path with spaces and a drive colon, the
    /// URL one argument whatever it holds, placed at `%s` or last. Runs on every platform: it
    /// is the reading Folio does on Windows.
    #[test]
    fn a_windows_browser_list_keeps_drive_paths_and_quoted_programs_whole() {
        let list = r#""C:\Program Files\Mozilla Firefox\firefox.exe" -new-tab %s ; C:\tools\b.exe;;  "" ;"C:\unclosed -x"#;
        assert_eq!(
            browser_commands(list, AWKWARD_URL, ListSyntax::Windows),
            [
                command(
                    r"C:\Program Files\Mozilla Firefox\firefox.exe",
                    &["-new-tab", AWKWARD_URL]
                ),
                command(r"C:\tools\b.exe", &[AWKWARD_URL]),
            ]
        );
    }

    /// The same path read the Unix way falls apart at the drive colon: why Windows needs its
    /// own reading (before it, Folio on Windows tried to start a program named `C`).
    #[test]
    fn a_windows_path_read_the_unix_way_is_not_the_program() {
        let commands = browser_commands(
            r"C:\tools\b.exe",
            "https://plan.example/a",
            ListSyntax::Unix,
        );
        assert_eq!(commands[0].program, "C");
        assert_eq!(
            browser_commands(
                "/usr/bin/firefox --new-tab %s: :sh /x/member.sh",
                AWKWARD_URL,
                ListSyntax::Unix
            ),
            [
                command("/usr/bin/firefox", &["--new-tab", AWKWARD_URL]),
                command("sh", &["/x/member.sh", AWKWARD_URL]),
            ]
        );
    }

    #[test]
    fn the_native_syntax_is_the_platform_s() {
        let expected = if cfg!(windows) {
            ListSyntax::Windows
        } else {
            ListSyntax::Unix
        };
        assert_eq!(ListSyntax::NATIVE, expected);
    }

    /// `%s` in a `$BROWSER` command places the URL, still one argument.
    #[cfg(unix)]
    #[test]
    fn browser_env_places_the_url_at_percent_s() {
        let dir = tempfile::tempdir().unwrap();
        let (script, out) = argv_recorder(dir.path());
        let url = "http://127.0.0.1:49152/authorize?x=1&y=2";
        let env = format!("sh {} --new-tab %s --flag", script.display());
        let launched =
            open_with(url, Some(OsStr::new(&env)), recording(&RefCell::default())).unwrap();
        assert_eq!(args_received(launched, &out), ["--new-tab", url, "--flag"]);
    }
}
