//! PKCE (RFC 7636, S256 only) and the unpredictable `state` of each authorization request.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A PKCE verifier and its S256 challenge. `Debug` never shows the verifier.
pub struct PkcePair {
    verifier: String,
    challenge: String,
}

impl std::fmt::Debug for PkcePair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PkcePair")
            .field("verifier", &"<redacted>")
            .field("challenge", &self.challenge)
            .finish()
    }
}

impl PkcePair {
    /// A fresh pair: 32 random bytes (256 bits) as a 43-character base64url verifier.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self::from_verifier(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The pair for a given verifier: `BASE64URL(SHA256(ASCII(verifier)))`, no padding.
    pub fn from_verifier(verifier: String) -> Self {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Self {
            verifier,
            challenge,
        }
    }

    /// The secret half, sent only in the token request.
    pub fn verifier(&self) -> &str {
        &self.verifier
    }

    /// The public half, sent in the authorization request with `code_challenge_method=S256`.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

/// A `state` value: 32 random bytes (256 bits, above SMART's 122-bit floor) in base64url.
pub fn random_state() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let pair = PkcePair::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(
            pair.challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn smart_example_vector_with_a_128_char_verifier() {
        let verifier = "o28xyrYY7-lGYfnKwRjHEZWlFIPlzVnFPYMWbH-g_BsNnQNem-IAg9fDh92X0KtvHCPO5_C-RJd2QhApKQ-2cRp-S_W3qmTidTEPkeWyniKQSF9Q_k10Q5wMc8fGzoyF";
        assert_eq!(verifier.len(), 128);
        let pair = PkcePair::from_verifier(verifier.into());
        assert_eq!(
            pair.challenge(),
            "YPXe7B8ghKrj8PsT4L6ltupgI12NQJ5vblB07F4rGaw"
        );
    }

    #[test]
    fn generated_verifiers_are_43_unreserved_chars_and_differ() {
        let a = PkcePair::generate();
        let b = PkcePair::generate();
        assert_eq!(a.verifier().len(), 43);
        assert!(a
            .verifier()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c)));
        assert_ne!(a.verifier(), b.verifier());
        assert_ne!(random_state(), random_state());
        assert!(
            !format!("{a:?}").contains(a.verifier()),
            "Debug must not show the verifier"
        );
    }
}
