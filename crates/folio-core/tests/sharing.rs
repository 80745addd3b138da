//! SMART Health Links and Cards end to end (issue 19): a link Folio makes is read from its QR
//! image by rqrr and decrypted by an independent AES-GCM (RustCrypto `aes-gcm`, not the
//! OpenSSL that Folio's josekit uses), then opened by Folio in a second profile over a
//! loopback server; expired, tampered, plain-HTTP and oversize links are refused; a SMART
//! Health Card signed by a test issuer (its ES256 key made here, its JWKS served on loopback)
//! is verified and imported, and one signed by another key is not, unless the member says so.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use folio_core::api::{ErrorCode, ShareRequest, ShareWhat};
use folio_core::sharing::OpenOptions;
use folio_core::{DataDir, Folio};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn profile(dir: &std::path::Path) -> Folio {
    Folio::with_secrets(
        DataDir::at(dir),
        Arc::new(folio_secrets::MemoryStore::default()),
    )
    .unwrap()
}

const BUNDLE: &str = r#"{"resourceType":"Bundle","type":"collection","entry":[
 {"fullUrl":"urn:uuid:0b3f6a5e-1111-4c4c-9a9a-000000000001","resource":{"resourceType":"Patient","id":"p1","name":[{"family":"Example","given":["Pat"]}]}},
 {"resource":{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},"code":{"text":"Seasonal allergic rhinitis"}}},
 {"resource":{"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p1"},"code":{"text":"Body weight"},"valueQuantity":{"value":70,"unit":"kg"}}}
]}"#;

/// A loopback HTTP server answering every request with `body` (status 200); the request
/// lines it saw are kept.
async fn serve(body: Arc<Mutex<Vec<u8>>>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let body = body.lock().unwrap().clone();
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                log.lock()
                    .unwrap()
                    .push(head.lines().next().unwrap_or("").to_owned());
                let _ = sock
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .await;
                let _ = sock.write_all(&body).await;
            });
        }
    });
    (origin, seen)
}

fn code(e: folio_core::CoreError) -> ErrorCode {
    e.code()
}

/// Decrypts a compact JWE (dir, A256GCM) with RustCrypto's AES-GCM and inflates it.
fn independent_decrypt(jwe: &str, key: &[u8]) -> (serde_json::Value, Vec<u8>) {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let parts: Vec<&str> = jwe.split('.').collect();
    assert_eq!(parts.len(), 5);
    assert_eq!(parts[1], "", "dir: no encrypted key");
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let iv = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    let mut ct = URL_SAFE_NO_PAD.decode(parts[3]).unwrap();
    ct.extend(URL_SAFE_NO_PAD.decode(parts[4]).unwrap());
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(key).unwrap();
    let plain = cipher
        .decrypt(
            aes_gcm::Nonce::from_slice(&iv),
            Payload {
                msg: &ct,
                aad: parts[0].as_bytes(),
            },
        )
        .unwrap();
    let mut inflated = Vec::new();
    flate2::read::DeflateDecoder::new(&plain[..])
        .read_to_end(&mut inflated)
        .unwrap();
    (header, inflated)
}

#[tokio::test]
async fn a_link_made_by_folio_is_read_independently_and_opened_in_a_second_profile() {
    let a_dir = tempfile::tempdir().unwrap();
    let a = profile(a_dir.path());
    let file = a_dir.path().join("history.json");
    std::fs::write(&file, BUNDLE).unwrap();
    a.import(&file).await.unwrap();

    let served = Arc::new(Mutex::new(Vec::new()));
    let (origin, seen) = serve(served.clone()).await;
    let out = tempfile::tempdir().unwrap();
    let jwe_path = out.path().join("summary.jwe");
    let made = a
        .share(
            &ShareRequest {
                what: ShareWhat::Bundle,
                label: Some("For Dr. Example".into()),
                expires_days: Some(7),
                file_url: format!("{origin}/files/summary"),
                connections: Vec::new(),
            },
            &jwe_path,
        )
        .await
        .unwrap();
    *served.lock().unwrap() = std::fs::read(&jwe_path).unwrap();

    // The link as a clinician's phone reads it: from the QR image, with rqrr.
    let img = image::load_from_memory(&made.qr_png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, link) = grids[0].decode().unwrap();
    assert_eq!(
        Some(link.clone()),
        made.link.link,
        "the QR code holds the link"
    );
    let payload: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(link.strip_prefix("shlink:/").unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(payload["flag"], "U");
    assert_eq!(payload["label"], "For Dr. Example");
    assert_eq!(payload["url"], format!("{origin}/files/summary"));
    let exp = payload["exp"].as_i64().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(
        (now + 7 * 86_400 - exp).abs() < 120,
        "expires in seven days"
    );
    let key = URL_SAFE_NO_PAD
        .decode(payload["key"].as_str().unwrap())
        .unwrap();
    assert_eq!(key.len(), 32);

    let jwe = std::fs::read_to_string(&jwe_path).unwrap();
    let (header, content) = independent_decrypt(&jwe, &key);
    assert_eq!(header["alg"], "dir");
    assert_eq!(header["enc"], "A256GCM");
    assert_eq!(header["cty"], "application/fhir+json");
    let bundle: serde_json::Value = serde_json::from_slice(&content).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    let texts: Vec<&str> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["resource"]["code"]["text"].as_str())
        .collect();
    assert!(texts.contains(&"Seasonal allergic rhinitis"), "{texts:?}");
    assert!(texts.contains(&"Body weight"), "{texts:?}");

    // Listed with what it holds, the link rebuilt from the keychain.
    let listed = a.shared_links().await.unwrap();
    assert_eq!(listed.len(), 1);
    let types: Vec<&str> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["resource"]["resourceType"].as_str())
        .collect();
    let held = types.iter().filter(|t| **t != "Provenance").count();
    assert_eq!(listed[0].resources as usize, held, "{types:?}");
    assert_eq!(listed[0].link.as_deref(), Some(link.as_str()));

    // A second profile opens it over loopback (U: GET with a recipient).
    let b_dir = tempfile::tempdir().unwrap();
    let b = profile(b_dir.path());
    let opened = b
        .open_shared(
            &format!("https://viewer.example.org/#{link}"),
            &OpenOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        opened.resources as usize,
        types.len(),
        "every entry imported"
    );
    assert_eq!(opened.name, "Shared: For Dr. Example");
    assert!(seen.lock().unwrap()[0].contains("/files/summary?recipient=Folio"));

    // A changed byte of ciphertext is refused.
    let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
    let mut ct = URL_SAFE_NO_PAD.decode(&parts[3]).unwrap();
    ct[3] ^= 0x20;
    parts[3] = URL_SAFE_NO_PAD.encode(ct);
    *served.lock().unwrap() = parts.join(".").into_bytes();
    let e = b
        .open_shared(&link, &OpenOptions::default())
        .await
        .unwrap_err();
    assert_eq!(code(e), ErrorCode::SharedFileNotOpened);

    // A file over the limit is refused while it is read.
    *served.lock().unwrap() = jwe.clone().into_bytes();
    let small = OpenOptions {
        max_bytes: 100,
        ..OpenOptions::default()
    };
    let e = b.open_shared(&link, &small).await.unwrap_err();
    assert_eq!(code(e), ErrorCode::SharedContentTooLarge);

    // Forgetting deletes the file Folio wrote and the key.
    a.forget_shared_link(&listed[0].id).await.unwrap();
    assert!(!jwe_path.exists());
    assert!(a.shared_links().await.unwrap().is_empty());
}

#[tokio::test]
async fn expired_plain_http_and_non_fhir_links_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let folio = profile(dir.path());
    let key = folio_shl::ContentKey::generate();
    let past = time::OffsetDateTime::now_utc().unix_timestamp() - 10;
    let expired = folio_shl::LinkPayload::direct_file(
        "https://files.example.org/x".into(),
        key.clone(),
        Some(past),
        None,
    )
    .unwrap();
    let e = folio
        .open_shared(expired.to_link().expose(), &OpenOptions::default())
        .await
        .unwrap_err();
    assert_eq!(code(e), ErrorCode::SharedLinkExpired);

    let plain = folio_shl::LinkPayload::direct_file(
        "http://files.example.org/x".into(),
        key.clone(),
        None,
        None,
    )
    .unwrap();
    let e = folio
        .open_shared(plain.to_link().expose(), &OpenOptions::default())
        .await
        .unwrap_err();
    assert_eq!(code(e), ErrorCode::SharedLinkInsecure);

    // A PDF is not FHIR: a link's file must say application/fhir+json or a card.
    let served = Arc::new(Mutex::new(
        folio_shl::encrypt(b"%PDF-1.4", "application/pdf", &key)
            .unwrap()
            .into_bytes(),
    ));
    let (origin, _) = serve(served).await;
    let pdf =
        folio_shl::LinkPayload::direct_file(format!("{origin}/pdf"), key, None, None).unwrap();
    let e = folio
        .open_shared(pdf.to_link().expose(), &OpenOptions::default())
        .await
        .unwrap_err();
    assert_eq!(code(e), ErrorCode::SharedContentNotFhir);
}

/// A test issuer's card: ES256 (P-256) over the raw-DEFLATE'd payload, kid = the key's
/// RFC 7638 thumbprint (computed here, independently of folio-shl).
fn issue_card(
    issuer: &str,
    signer_pem_key: &josekit::jws::alg::ecdsa::EcdsaJwsSigner,
    kid: &str,
) -> String {
    let payload = serde_json::json!({
        "iss": issuer,
        "nbf": 1_700_000_000,
        "vc": {
            "type": ["https://smarthealth.cards#health-card"],
            "credentialSubject": {
                "fhirVersion": "4.0.1",
                "fhirBundle": {"resourceType": "Bundle", "type": "collection", "entry": [
                    {"fullUrl": "resource:0", "resource": {"resourceType": "Patient", "id": "0", "name": [{"family": "Example"}]}},
                    {"fullUrl": "resource:1", "resource": {"resourceType": "Immunization", "id": "1", "status": "completed",
                        "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "207"}]},
                        "patient": {"reference": "Patient/0"}, "occurrenceDateTime": "2021-01-01"}}
                ]}
            }
        }
    });
    let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    deflate.write_all(payload.to_string().as_bytes()).unwrap();
    let compressed = deflate.finish().unwrap();
    let mut header = josekit::jws::JwsHeader::new();
    header.set_key_id(kid);
    header.set_claim("zip", Some("DEF".into())).unwrap();
    josekit::jws::serialize_compact(&compressed, &header, signer_pem_key).unwrap()
}

fn thumbprint(jwk: &serde_json::Value) -> String {
    use sha2::Digest;
    let canonical = format!(
        r#"{{"crv":"{}","kty":"{}","x":"{}","y":"{}"}}"#,
        jwk["crv"].as_str().unwrap(),
        jwk["kty"].as_str().unwrap(),
        jwk["x"].as_str().unwrap(),
        jwk["y"].as_str().unwrap()
    );
    URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(canonical.as_bytes()))
}

#[tokio::test]
async fn a_card_signed_by_a_test_issuer_is_verified_and_imported() {
    let pair = josekit::jws::ES256.generate_key_pair().unwrap();
    let public: serde_json::Value =
        serde_json::to_value(pair.to_jwk_public_key().as_ref()).unwrap();
    let kid = thumbprint(&public);
    let mut published = public.clone();
    published["kid"] = kid.clone().into();
    published["use"] = "sig".into();
    published["alg"] = "ES256".into();
    let jwks = Arc::new(Mutex::new(
        serde_json::json!({ "keys": [published] })
            .to_string()
            .into_bytes(),
    ));
    let (issuer, seen) = serve(jwks).await;
    let signer = josekit::jws::ES256
        .signer_from_jwk(&pair.to_jwk_private_key())
        .unwrap();
    let card = issue_card(&issuer, &signer, &kid);

    let dir = tempfile::tempdir().unwrap();
    let folio = profile(dir.path());
    let file = dir.path().join("vaccine.smart-health-card");
    std::fs::write(
        &file,
        serde_json::json!({ "verifiableCredential": [card] }).to_string(),
    )
    .unwrap();
    let opened = folio
        .open_shared(file.to_str().unwrap(), &OpenOptions::default())
        .await
        .unwrap();
    assert_eq!(opened.verified, Some(true));
    assert_eq!(opened.issuer.as_deref(), Some(issuer.as_str()));
    assert_eq!(opened.resources, 2);
    assert!(seen.lock().unwrap()[0].starts_with("GET /.well-known/jwks.json"));

    // Signed by another key under the same kid: not verified, refused, then imported marked
    // as such when the member says so.
    let other = josekit::jws::ES256.generate_key_pair().unwrap();
    let forged = issue_card(
        &issuer,
        &josekit::jws::ES256
            .signer_from_jwk(&other.to_jwk_private_key())
            .unwrap(),
        &kid,
    );
    let file = dir.path().join("forged.smart-health-card");
    std::fs::write(
        &file,
        serde_json::json!({ "verifiableCredential": [forged] }).to_string(),
    )
    .unwrap();
    let e = folio
        .open_shared(file.to_str().unwrap(), &OpenOptions::default())
        .await
        .unwrap_err();
    assert_eq!(code(e), ErrorCode::CardNotVerified);
    let allowed = OpenOptions {
        allow_unverified: true,
        ..OpenOptions::default()
    };
    let opened = folio
        .open_shared(file.to_str().unwrap(), &allowed)
        .await
        .unwrap();
    assert_eq!(opened.verified, Some(false));
    assert!(
        opened.name.ends_with("(signature not verified)"),
        "{}",
        opened.name
    );
}
