//! `folio share` and `folio open` as a member runs them (issue 19): a link made in one profile,
//! its file served on loopback, opened in another; the QR image written and opened too. Uses the
//! real keychain (run through scripts/rust-tests.sh).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::process::Command;

fn folio(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_folio"));
    cmd.env_remove("FOLIO_DATA_DIR")
        .env_remove("FOLIO_PASSPHRASE")
        .arg("--data-dir")
        .arg(dir);
    cmd
}

const BUNDLE: &str = r#"{"resourceType":"Bundle","type":"collection","entry":[
 {"resource":{"resourceType":"Patient","id":"p1","name":[{"family":"Example"}]}},
 {"resource":{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},"code":{"text":"Seasonal allergic rhinitis"}}}
]}"#;

#[test]
fn a_link_shared_from_one_profile_opens_in_another_from_its_text_and_its_qr_image() {
    let a = tempfile::tempdir().unwrap();
    let file = a.path().join("history.json");
    std::fs::write(&file, BUNDLE).unwrap();
    let out = folio(a.path()).arg("import").arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The file's address is known before the file exists: reserve the server's port first.
    let work = tempfile::tempdir().unwrap();
    let jwe = work.path().join("summary.jwe");
    let qr = work.path().join("summary.png");
    let placeholder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = placeholder.local_addr().unwrap().port();
    drop(placeholder);
    let out = folio(a.path())
        .args(["share", "--what", "bundle", "--label", "For my new doctor"])
        .args(["--expires-days", "3"])
        .arg("--file-url")
        .arg(format!("http://127.0.0.1:{port}/f"))
        .arg("--out")
        .arg(&jwe)
        .arg("--qr")
        .arg(&qr)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let link = stdout
        .lines()
        .find(|l| l.starts_with("shlink:/"))
        .expect("the link on its own line")
        .to_owned();

    // Served where the link says (bind fails loudly if the port was taken meanwhile).
    let origin = serve_on(port, std::fs::read(&jwe).unwrap());
    assert!(origin.ends_with(&port.to_string()));

    let b = tempfile::tempdir().unwrap();
    let out = folio(b.path()).arg("open").arg(&link).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(said.contains("\"Shared: For my new doctor\""), "{said}");

    let c = tempfile::tempdir().unwrap();
    let out = folio(c.path()).arg("open").arg(&qr).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Listed, then forgotten: the encrypted file is deleted.
    let out = folio(a.path()).arg("shared-links").output().unwrap();
    let listed = String::from_utf8(out.stdout).unwrap();
    assert!(listed.contains("For my new doctor"), "{listed}");
    let id = listed.split('\t').next().unwrap().to_owned();
    let out = folio(a.path())
        .args(["shared-links", "--forget", &id])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!jwe.exists());
}

/// Serves `body` to every request on loopback `port`, from a thread.
fn serve_on(port: u16, body: Vec<u8>) -> String {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let origin = format!("http://127.0.0.1:{port}");
    std::thread::spawn(move || {
        for sock in listener.incoming() {
            let Ok(mut sock) = sock else { return };
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf);
            let _ = sock.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            );
            let _ = sock.write_all(&body);
        }
    });
    origin
}
