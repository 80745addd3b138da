//! The encrypted files a link points at: compact JWE, `alg: dir`, `enc: A256GCM`, the content
//! raw-DEFLATE'd (`zip: DEF`), its type in `cty`. Made and opened by `josekit`; Folio only
//! checks the header's shape first, so that "not such a file" and "does not open with this key"
//! are told apart, and bounds what the content inflates to.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use folio_secrets::Sensitive;
use josekit::jwe::{Dir, JweCompression, JweContext, JweHeader};

use crate::ShlError;

/// FHIR JSON (a resource, usually a Bundle).
pub const CONTENT_FHIR: &str = "application/fhir+json";
/// A SMART Health Card file (`{"verifiableCredential": [...]}`).
pub const CONTENT_SMART_CARD: &str = "application/smart-health-card";

/// Whether a declared content type is FHIR JSON (parameters such as `;fhirVersion=4.0.1`
/// allowed).
pub fn is_fhir_content_type(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(CONTENT_FHIR))
}

/// A link's 256-bit key. Never printed; written out only by [`ContentKey::to_base64url`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentKey(Sensitive<[u8; 32]>);

impl ContentKey {
    /// A fresh random key (the operating system's generator, through `rand`).
    pub fn generate() -> Self {
        let mut k = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut k);
        Self(Sensitive::new(k))
    }

    /// Reads the 43 base64url characters of a link's `key`.
    pub fn from_base64url(text: &str) -> Result<Self, ShlError> {
        if text.len() != 43 {
            return Err(ShlError::BadKey);
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| ShlError::BadKey)?;
        let k: [u8; 32] = bytes.try_into().map_err(|_| ShlError::BadKey)?;
        Ok(Self(Sensitive::new(k)))
    }

    /// The key as a link writes it.
    pub fn to_base64url(&self) -> Sensitive<String> {
        Sensitive::new(URL_SAFE_NO_PAD.encode(self.0.expose()))
    }
}

/// What a file held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decrypted {
    /// The `cty` header, when present.
    pub content_type: Option<String>,
    /// The content, inflated.
    pub content: Vec<u8>,
}

/// Raw DEFLATE that stops at a limit (a small file must not inflate into gigabytes).
#[derive(Debug, Clone)]
struct BoundedDeflate {
    limit: usize,
    over: Arc<AtomicBool>,
}

impl JweCompression for BoundedDeflate {
    fn name(&self) -> &str {
        "DEF"
    }

    fn compress(&self, message: &[u8]) -> Result<Vec<u8>, std::io::Error> {
        use std::io::Write;
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(message)?;
        e.finish()
    }

    fn decompress(&self, message: &[u8]) -> Result<Vec<u8>, std::io::Error> {
        inflate_bounded(message, self.limit).inspect_err(|e| {
            if e.kind() == std::io::ErrorKind::FileTooLarge {
                self.over.store(true, Ordering::SeqCst);
            }
        })
    }

    fn box_clone(&self) -> Box<dyn JweCompression> {
        Box::new(self.clone())
    }
}

/// Inflates raw DEFLATE data, failing with `FileTooLarge` past `limit` bytes.
pub(crate) fn inflate_bounded(data: &[u8], limit: usize) -> Result<Vec<u8>, std::io::Error> {
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(data)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)?;
    if out.len() > limit {
        return Err(std::io::Error::from(std::io::ErrorKind::FileTooLarge));
    }
    Ok(out)
}

fn context(limit: usize) -> (JweContext, Arc<AtomicBool>) {
    let over = Arc::new(AtomicBool::new(false));
    let mut ctx = JweContext::new();
    ctx.add_compression(Box::new(BoundedDeflate {
        limit,
        over: over.clone(),
    }));
    (ctx, over)
}

/// Encrypts `content` of type `content_type` with `key`: a compact JWE (`dir`, `A256GCM`,
/// `zip: DEF`, `cty`).
pub fn encrypt(content: &[u8], content_type: &str, key: &ContentKey) -> Result<String, ShlError> {
    let mut header = JweHeader::new();
    header.set_content_encryption("A256GCM");
    header.set_content_type(content_type);
    header.set_compression("DEF");
    let encrypter = Dir
        .encrypter_from_bytes(key.0.expose())
        .map_err(|e| ShlError::Jose(e.to_string()))?;
    let (ctx, _) = context(usize::MAX);
    ctx.serialize_compact(content, &header, &encrypter)
        .map_err(|e| ShlError::Jose(e.to_string()))
}

/// Opens a compact JWE with `key`; its content may inflate to at most `limit` bytes.
pub fn decrypt(jwe: &str, key: &ContentKey, limit: usize) -> Result<Decrypted, ShlError> {
    let jwe = jwe.trim();
    let parts: Vec<&str> = jwe.split('.').collect();
    if parts.len() != 5 || !parts[1].is_empty() {
        return Err(ShlError::NotJwe);
    }
    let header: serde_json::Value = URL_SAFE_NO_PAD
        .decode(parts[0])
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or(ShlError::NotJwe)?;
    if header.get("alg").and_then(|v| v.as_str()) != Some("dir")
        || header.get("enc").and_then(|v| v.as_str()) != Some("A256GCM")
    {
        return Err(ShlError::NotJwe);
    }
    let decrypter = Dir
        .decrypter_from_bytes(key.0.expose())
        .map_err(|e| ShlError::Jose(e.to_string()))?;
    let (ctx, over) = context(limit);
    let (content, header) = ctx.deserialize_compact(jwe, &decrypter).map_err(|_| {
        if over.load(Ordering::SeqCst) {
            ShlError::TooLarge { limit }
        } else {
            ShlError::NotDecrypted
        }
    })?;
    if content.len() > limit {
        return Err(ShlError::TooLarge { limit });
    }
    Ok(Decrypted {
        content_type: header.content_type().map(str::to_owned),
        content,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn what_is_encrypted_opens_with_its_key_only() {
        let key = ContentKey::generate();
        let jwe = encrypt(br#"{"resourceType":"Bundle"}"#, CONTENT_FHIR, &key).unwrap();
        let header: serde_json::Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(jwe.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["alg"], "dir");
        assert_eq!(header["enc"], "A256GCM");
        assert_eq!(header["zip"], "DEF");
        assert_eq!(header["cty"], CONTENT_FHIR);
        let opened = decrypt(&jwe, &key, 1 << 20).unwrap();
        assert_eq!(opened.content, br#"{"resourceType":"Bundle"}"#);
        assert_eq!(opened.content_type.as_deref(), Some(CONTENT_FHIR));
        assert_eq!(
            decrypt(&jwe, &ContentKey::generate(), 1 << 20),
            Err(ShlError::NotDecrypted)
        );
    }

    #[test]
    fn a_changed_ciphertext_or_a_foreign_header_is_refused() {
        let key = ContentKey::generate();
        let jwe = encrypt(b"{}", CONTENT_FHIR, &key).unwrap();
        let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
        let mut ct = URL_SAFE_NO_PAD.decode(&parts[3]).unwrap();
        ct[0] ^= 1;
        parts[3] = URL_SAFE_NO_PAD.encode(ct);
        assert_eq!(
            decrypt(&parts.join("."), &key, 1 << 20),
            Err(ShlError::NotDecrypted)
        );
        let other = URL_SAFE_NO_PAD.encode(r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#);
        let foreign = format!("{other}..{}.{}.{}", parts[2], parts[3], parts[4]);
        assert_eq!(decrypt(&foreign, &key, 1 << 20), Err(ShlError::NotJwe));
        assert_eq!(decrypt("not a jwe", &key, 1 << 20), Err(ShlError::NotJwe));
    }

    #[test]
    fn content_that_inflates_past_the_limit_is_refused() {
        let key = ContentKey::generate();
        let big = vec![b' '; 100_000];
        let jwe = encrypt(&big, CONTENT_FHIR, &key).unwrap();
        assert!(jwe.len() < 2_000, "zeros compress");
        assert_eq!(
            decrypt(&jwe, &key, 10_000),
            Err(ShlError::TooLarge { limit: 10_000 })
        );
        assert_eq!(decrypt(&jwe, &key, 100_000).unwrap().content.len(), 100_000);
    }

    #[test]
    fn keys_are_43_base64url_characters_of_32_bytes() {
        let k = ContentKey::generate();
        let text = k.to_base64url().expose().clone();
        assert_eq!(text.len(), 43);
        assert_eq!(ContentKey::from_base64url(&text).unwrap(), k);
        assert_eq!(ContentKey::from_base64url("short"), Err(ShlError::BadKey));
        assert!(format!("{k:?}").contains("redacted"));
        assert!(is_fhir_content_type(
            "application/fhir+json;fhirVersion=4.0.1"
        ));
        assert!(!is_fhir_content_type("application/pdf"));
    }
}
