//! Opening the plan's sign-in page in the member's system browser, never in a webview
//! (RFC 8252 §8.12). `$BROWSER` is honoured (a `:`-separated list of commands; `%s` stands
//! for the URL), which is also how tests play the member.

use std::process::{Command, Stdio};

/// Opens `url` in the member's browser.
pub fn open(url: &str) -> Result<(), String> {
    if let Ok(list) = std::env::var("BROWSER") {
        for candidate in list.split(':').filter(|c| !c.trim().is_empty()) {
            let mut parts = candidate.split_whitespace();
            let Some(program) = parts.next() else {
                continue;
            };
            let mut args: Vec<String> = parts.map(|a| a.replace("%s", url)).collect();
            if !candidate.contains("%s") {
                args.push(url.to_owned());
            }
            let spawned = Command::new(program)
                .args(&args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            if spawned.is_ok() {
                return Ok(());
            }
        }
        return Err("none of the programs in $BROWSER could be started".into());
    }
    let opener = if cfg!(target_os = "macos") {
        ("open", vec![])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", ""])
    } else {
        ("xdg-open", vec![])
    };
    Command::new(opener.0)
        .args(opener.1)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| format!("could not start the system browser ({}): {e}", opener.0))
}
