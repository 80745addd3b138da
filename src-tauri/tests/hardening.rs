//! The window's hardening, read from the files Tauri builds it from: a strict Content Security
//! Policy with no remote or inline code, and a capability that grants the web UI exactly Folio's
//! own commands and its sync events, nothing of Tauri's or a plugin's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

fn json(rel: &str) -> serde_json::Value {
    serde_json::from_str(&read(rel)).unwrap()
}

#[test]
fn the_content_security_policy_allows_no_remote_or_inline_code() {
    let conf = json("tauri.conf.json");
    let security = &conf["app"]["security"];
    let csp = security["csp"].as_object().expect("a CSP is set");
    let directive = |name: &str| {
        csp[name]
            .as_str()
            .unwrap_or_else(|| panic!("{name} is set"))
    };
    assert_eq!(directive("default-src"), "'self'");
    assert_eq!(directive("script-src"), "'self'");
    assert_eq!(directive("object-src"), "'none'");
    assert_eq!(directive("base-uri"), "'none'");
    assert_eq!(directive("form-action"), "'none'");
    assert_eq!(directive("frame-ancestors"), "'none'");
    // The page talks only to the host's IPC: no plan, no other server.
    assert_eq!(directive("connect-src"), "ipc: http://ipc.localhost");
    for (name, value) in csp {
        let value = value.as_str().unwrap();
        for banned in [
            "'unsafe-inline'",
            "'unsafe-eval'",
            "'wasm-unsafe-eval'",
            "*",
            "https:",
            "http:",
        ] {
            assert!(
                !value.split_whitespace().any(|v| v == banned),
                "{name} allows {banned}: {value}"
            );
        }
    }
    assert_eq!(security["freezePrototype"], true);
    assert_ne!(
        conf["app"]["withGlobalTauri"], true,
        "Tauri's API is not put on window for any script to use"
    );
    // Every window loads the bundled UI: none points at a remote URL.
    for window in conf["app"]["windows"].as_array().unwrap() {
        assert!(window
            .get("url")
            .is_none_or(|u| !u.as_str().unwrap().contains("://")));
    }
}

/// The commands `build.rs` declares to Tauri (each gets an `allow-…` permission).
fn declared_commands() -> BTreeSet<String> {
    let build = read("build.rs");
    let list = &build[build.find("const COMMANDS").unwrap()..];
    let list = &list[..list.find("];").unwrap()];
    list.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_window_may_call_exactly_folios_commands_and_listen_to_its_events() {
    let capability = json("capabilities/main.json");
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    assert!(
        capability.get("remote").is_none(),
        "no remote origin gets any capability"
    );
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().expect("plain permission names").to_owned())
        .collect();
    assert!(declared_commands().len() >= 20, "{:?}", declared_commands());
    assert!(declared_commands().contains("unlock"));
    let mut expected: BTreeSet<String> = declared_commands()
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    expected.insert("core:event:allow-listen".into());
    expected.insert("core:event:allow-unlisten".into());
    // Ctrl/Cmd + and − zoom the window: Tauri's zoomHotkeysEnabled polyfill calls set_webview_zoom.
    expected.insert("core:webview:allow-set-webview-zoom".into());
    assert_eq!(granted, expected);
    // Each declared command is registered with the app, and nothing else is.
    let lib = read("src/lib.rs");
    let registered = &lib[lib.find("collect_commands![").unwrap()..];
    let registered = &registered[..registered.find(']').unwrap()];
    let registered: BTreeSet<String> = registered
        .split(|c: char| c == ',' || c.is_whitespace() || c == '[')
        .filter_map(|s| s.rsplit("::").next())
        .filter(|s| !s.is_empty() && *s != "collect_commands!")
        .map(str::to_owned)
        .collect();
    assert_eq!(registered, declared_commands());
    // No other capability file grants anything.
    let files: Vec<_> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    assert_eq!(files, vec!["main.json".to_owned()]);
}
