//! SMART Health Cards: a compact JWS signed with ES256 whose payload is raw-DEFLATE'd JSON
//! `{iss, nbf, vc: {type, credentialSubject: {fhirVersion, fhirBundle}}}`; the issuer's public
//! keys are at `{iss}/.well-known/jwks.json`, the right one named by `kid` (the key's RFC 7638
//! thumbprint). A `.smart-health-card` file is `{"verifiableCredential": [jws, …]}`; a QR code
//! holds `shc:/` and two digits per character.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use josekit::jwk::Jwk;
use serde::Deserialize;
use sha2::Digest;

use crate::jwe::inflate_bounded;
use crate::ShlError;

/// A card read (not yet verified).
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// The JWS as received.
    pub jws: String,
    /// Who issued it (`iss`), an https address.
    pub issuer: String,
    /// The key it names.
    pub kid: String,
    /// `nbf`, seconds since 1970.
    pub not_before: Option<i64>,
    /// The FHIR Bundle it carries.
    pub fhir_bundle: serde_json::Value,
}

/// Whether a card's signature holds against its issuer's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardCheck {
    /// Signed by the key the issuer publishes under the card's `kid`.
    Verified,
    /// The issuer's keys could not be fetched or read.
    IssuerKeysUnavailable,
    /// The issuer publishes no P-256 key under this `kid` (or the `kid` is not the key's
    /// thumbprint).
    UnknownKey,
    /// The key is there and the signature does not hold.
    BadSignature,
}

fn not_a_card(why: &str) -> ShlError {
    ShlError::NotACard(why.to_owned())
}

#[derive(Deserialize)]
struct CardFile {
    #[serde(rename = "verifiableCredential")]
    verifiable_credential: Vec<String>,
}

/// The cards (JWS) in a `.smart-health-card` file.
pub fn cards_in_file(bytes: &[u8]) -> Result<Vec<String>, ShlError> {
    let file: CardFile = serde_json::from_slice(bytes)
        .map_err(|_| not_a_card("the file has no verifiableCredential list"))?;
    if file.verifiable_credential.is_empty() {
        return Err(not_a_card("the file's verifiableCredential list is empty"));
    }
    Ok(file.verifiable_credential)
}

/// The JWS in a card's QR code text (`shc:/` and two digits per character). Chunked codes
/// (`shc:/1/2/…`, deprecated by the specification) are refused.
pub fn card_jws_from_qr_text(text: &str) -> Result<String, ShlError> {
    let digits = text
        .trim()
        .strip_prefix("shc:/")
        .ok_or_else(|| not_a_card("the QR code does not begin with shc:/"))?;
    if digits.contains('/') {
        return Err(not_a_card("the card is split over several QR codes"));
    }
    let bytes = digits.as_bytes();
    if bytes.len() % 2 != 0 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(not_a_card("the QR code's numbers are not pairs of digits"));
    }
    bytes
        .chunks(2)
        .map(|p| {
            let n = (p[0] - b'0') * 10 + (p[1] - b'0');
            if n > 77 {
                None
            } else {
                Some(char::from(n + 45))
            }
        })
        .collect::<Option<String>>()
        .ok_or_else(|| not_a_card("the QR code's numbers are out of range"))
}

/// Where an issuer publishes its keys.
pub fn jwks_url(issuer: &str) -> Result<url::Url, ShlError> {
    url::Url::parse(&format!(
        "{}/.well-known/jwks.json",
        issuer.trim_end_matches('/')
    ))
    .map_err(|_| not_a_card("its issuer is not an address"))
}

/// RFC 7638 thumbprint of an EC public key (`crv`, `kty`, `x`, `y`), base64url SHA-256.
pub fn thumbprint(jwk: &serde_json::Value) -> Option<String> {
    let field = |k: &str| jwk.get(k)?.as_str().map(str::to_owned);
    let canonical = serde_json::json!({
        "crv": field("crv")?, "kty": field("kty")?, "x": field("x")?, "y": field("y")?,
    });
    // serde_json's map is ordered by key (no preserve_order feature): the canonical form.
    let digest = sha2::Sha256::digest(canonical.to_string().as_bytes());
    Some(URL_SAFE_NO_PAD.encode(digest))
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    zip: Option<String>,
    kid: Option<String>,
}

impl Card {
    /// Reads a card's JWS (its payload may inflate to at most `limit` bytes). The signature is
    /// not checked here: see [`Card::verify`].
    pub fn parse(jws: &str, limit: usize) -> Result<Self, ShlError> {
        let jws = jws.trim();
        let parts: Vec<&str> = jws.split('.').collect();
        if parts.len() != 3 {
            return Err(not_a_card("it is not a compact JWS"));
        }
        let header: Header = URL_SAFE_NO_PAD
            .decode(parts[0])
            .ok()
            .and_then(|h| serde_json::from_slice(&h).ok())
            .ok_or_else(|| not_a_card("its header is not readable"))?;
        if header.alg != "ES256" {
            return Err(not_a_card("it is not signed with ES256"));
        }
        let kid = header
            .kid
            .ok_or_else(|| not_a_card("its header names no key (kid)"))?;
        let compressed = URL_SAFE_NO_PAD
            .decode(parts[1])
            .map_err(|_| not_a_card("its payload is not base64url"))?;
        let payload = match header.zip.as_deref() {
            Some("DEF") => inflate_bounded(&compressed, limit).map_err(|e| {
                if e.kind() == std::io::ErrorKind::FileTooLarge {
                    ShlError::TooLarge { limit }
                } else {
                    not_a_card("its payload does not inflate")
                }
            })?,
            None => compressed,
            Some(_) => return Err(not_a_card("its payload is compressed in an unknown way")),
        };
        let value: serde_json::Value =
            serde_json::from_slice(&payload).map_err(|_| not_a_card("its payload is not JSON"))?;
        let issuer = value
            .get("iss")
            .and_then(|v| v.as_str())
            .ok_or_else(|| not_a_card("it names no issuer"))?
            .to_owned();
        let fhir_bundle = value
            .pointer("/vc/credentialSubject/fhirBundle")
            .filter(|b| b.get("resourceType").and_then(|t| t.as_str()) == Some("Bundle"))
            .cloned()
            .ok_or_else(|| not_a_card("it carries no FHIR Bundle"))?;
        Ok(Self {
            jws: jws.to_owned(),
            issuer,
            kid,
            not_before: value.get("nbf").and_then(|v| v.as_f64()).map(|n| n as i64),
            fhir_bundle,
        })
    }

    /// Checks the signature against the issuer's key set (`{iss}/.well-known/jwks.json`'s
    /// bytes): the P-256 key whose `kid` is the card's and is that key's thumbprint.
    pub fn verify(&self, jwks: &[u8]) -> CardCheck {
        let Ok(set) = serde_json::from_slice::<serde_json::Value>(jwks) else {
            return CardCheck::IssuerKeysUnavailable;
        };
        let Some(keys) = set.get("keys").and_then(|k| k.as_array()) else {
            return CardCheck::IssuerKeysUnavailable;
        };
        let Some(key) = keys.iter().find(|k| {
            k.get("kid").and_then(|v| v.as_str()) == Some(self.kid.as_str())
                && k.get("kty").and_then(|v| v.as_str()) == Some("EC")
                && k.get("crv").and_then(|v| v.as_str()) == Some("P-256")
                && thumbprint(k).as_deref() == Some(self.kid.as_str())
        }) else {
            return CardCheck::UnknownKey;
        };
        // Only the public members: a published private `d` is not used.
        let public = serde_json::json!({
            "kty": "EC", "crv": "P-256", "x": key["x"], "y": key["y"],
        });
        let Some(map) = public.as_object().cloned() else {
            return CardCheck::UnknownKey;
        };
        let Ok(jwk) = Jwk::from_map(map) else {
            return CardCheck::UnknownKey;
        };
        let Ok(verifier) = josekit::jws::ES256.verifier_from_jwk(&jwk) else {
            return CardCheck::UnknownKey;
        };
        match josekit::jws::deserialize_compact(&self.jws, &verifier) {
            Ok(_) => CardCheck::Verified,
            Err(_) => CardCheck::BadSignature,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn qr_digits_are_two_per_character() {
        // "e" is 101 = 56 + 45; "y" 121 = 76 + 45.
        assert_eq!(card_jws_from_qr_text("shc:/5676").unwrap(), "ey");
        assert!(card_jws_from_qr_text("shc:/1/2/5676").is_err());
        assert!(card_jws_from_qr_text("shc:/567").is_err());
        assert!(card_jws_from_qr_text("shc:/99").is_err());
    }

    #[test]
    fn thumbprints_hash_the_canonical_members_in_order() {
        // RFC 7638 section 3.1 is RSA; RFC 8037 gives none for EC, so this checks the
        // canonical member order and encoding against a hand computation of the same bytes.
        let jwk = serde_json::json!({"kty":"EC","crv":"P-256","x":"AAA","y":"BBB","kid":"z"});
        let expected = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(
            br#"{"crv":"P-256","kty":"EC","x":"AAA","y":"BBB"}"#,
        ));
        assert_eq!(thumbprint(&jwk).unwrap(), expected);
    }

    #[test]
    fn files_without_credentials_are_not_cards() {
        assert!(cards_in_file(br#"{"verifiableCredential":["a.b.c"]}"#).is_ok());
        assert!(cards_in_file(br#"{"verifiableCredential":[]}"#).is_err());
        assert!(cards_in_file(b"{}").is_err());
        assert!(Card::parse("a.b", 1000).is_err());
    }
}
