//! Folio's key pair at one plan, for `private_key_jwt` (RFC 7523; SMART App Launch
//! "client-confidential-asymmetric"): an ES384 key made on this computer, whose private half
//! stays in the OS keychain (as PKCS#8 PEM) and whose public half the member gives the plan as
//! a JWKS. Each token request carries a new client assertion signed with it.
//!
//! The JOSE work (JWS signing, the JWK and its RFC 7638 thumbprint) is `jsonwebtoken`'s; the
//! key pair is RustCrypto's `p384`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use folio_secrets::Sensitive;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p384::elliptic_curve::Generate as _;
use p384::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, LineEnding};
use rand::RngCore as _;
use serde::Serialize;
use url::Url;

use crate::SmartError;

/// How long a client assertion is valid: SMART allows at most five minutes.
pub const ASSERTION_LIFETIME: Duration = Duration::from_secs(300);

/// RFC 7523 §2.2's assertion type.
pub(crate) const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A plan's client key. `Debug` shows only its key id.
#[derive(Clone)]
pub struct ClientKey {
    /// PKCS#8 DER of the private key.
    der: Sensitive<Vec<u8>>,
    /// The JWK thumbprint (RFC 7638) of the public key: the `kid`.
    kid: String,
    /// The public key as a JWK (with `kid`, `alg`, `use`).
    public: Jwk,
}

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientKey").field("kid", &self.kid).finish()
    }
}

/// The claims of a client assertion (RFC 7523 §3).
#[derive(Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    jti: String,
    iat: u64,
    exp: u64,
}

fn key_error(what: &str) -> SmartError {
    SmartError::ClientKey(what.to_owned())
}

impl ClientKey {
    /// Makes a new ES384 key pair from the operating system's random source.
    pub fn generate() -> Result<Self, SmartError> {
        let secret = p384::SecretKey::try_generate()
            .map_err(|_| key_error("the system's random source failed"))?;
        let der = secret
            .to_pkcs8_der()
            .map_err(|_| key_error("the new key could not be encoded"))?;
        Self::from_der(der.as_bytes().to_vec())
    }

    /// The key as kept in the keychain (PKCS#8 PEM).
    pub fn to_pem(&self) -> Result<Sensitive<String>, SmartError> {
        let secret = p384::SecretKey::from_pkcs8_der(self.der.expose())
            .map_err(|_| key_error("the key could not be read"))?;
        let pem = secret
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|_| key_error("the key could not be encoded"))?;
        Ok(Sensitive::new(pem.as_str().to_owned()))
    }

    /// The key from the keychain's PKCS#8 PEM.
    pub fn from_pem(pem: &Sensitive<String>) -> Result<Self, SmartError> {
        let secret = p384::SecretKey::from_pkcs8_pem(pem.expose())
            .map_err(|_| key_error("the key kept for this plan is not an ES384 private key"))?;
        let der = secret
            .to_pkcs8_der()
            .map_err(|_| key_error("the key could not be encoded"))?;
        Self::from_der(der.as_bytes().to_vec())
    }

    fn from_der(der: Vec<u8>) -> Result<Self, SmartError> {
        let encoding = EncodingKey::from_ec_der(&der);
        let mut public = Jwk::from_encoding_key(&encoding, Algorithm::ES384)
            .map_err(|_| key_error("the public key could not be derived"))?;
        let kid = public
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|_| key_error("the key's thumbprint could not be computed"))?;
        public.common.key_id = Some(kid.clone());
        public.common.public_key_use = Some(PublicKeyUse::Signature);
        Ok(Self {
            der: Sensitive::new(der),
            kid,
            public,
        })
    }

    /// The key id (`kid`): the RFC 7638 thumbprint of the public key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public JWKS to give the plan (pretty-printed JSON, no private part).
    pub fn public_jwks(&self) -> Result<String, SmartError> {
        let set = JwkSet {
            keys: vec![self.public.clone()],
        };
        serde_json::to_string_pretty(&set).map_err(|_| key_error("the JWKS could not be written"))
    }

    /// A client assertion for `client_id` at `token_endpoint`, issued `now`: `iss` = `sub` =
    /// the client id, `aud` = the token endpoint, a random `jti`, and an expiry
    /// [`ASSERTION_LIFETIME`] later; the header names `alg` (ES384) and `kid`.
    pub fn assertion(
        &self,
        client_id: &str,
        token_endpoint: &Url,
        now: SystemTime,
    ) -> Result<Sensitive<String>, SmartError> {
        let iat = now
            .duration_since(UNIX_EPOCH)
            .map_err(|_| key_error("this computer's clock is before 1970"))?
            .as_secs();
        let mut jti = [0u8; 32];
        rand::rng().fill_bytes(&mut jti);
        let claims = AssertionClaims {
            iss: client_id,
            sub: client_id,
            aud: token_endpoint.as_str(),
            jti: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(jti),
            iat,
            exp: iat + ASSERTION_LIFETIME.as_secs(),
        };
        let mut header = Header::new(Algorithm::ES384);
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".into());
        let jwt = jsonwebtoken::encode(
            &header,
            &claims,
            &EncodingKey::from_ec_der(self.der.expose()),
        )
        .map_err(|_| key_error("the client assertion could not be signed"))?;
        Ok(Sensitive::new(jwt))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    #[derive(serde::Deserialize)]
    struct Claims {
        iss: String,
        sub: String,
        aud: String,
        jti: String,
        iat: u64,
        exp: u64,
    }

    #[test]
    fn assertions_are_es384_with_kid_and_verify_with_the_printed_jwks() {
        let key = ClientKey::generate().unwrap();
        let endpoint = Url::parse("https://plan.example/oauth/token").unwrap();
        let now = SystemTime::now();
        let a = key.assertion("folio-client", &endpoint, now).unwrap();
        let b = key.assertion("folio-client", &endpoint, now).unwrap();

        let jwks: JwkSet = serde_json::from_str(&key.public_jwks().unwrap()).unwrap();
        assert_eq!(jwks.keys.len(), 1);
        let jwk = &jwks.keys[0];
        assert_eq!(jwk.common.key_id.as_deref(), Some(key.kid()));
        let printed = key.public_jwks().unwrap();
        assert!(!printed.contains("\"d\""), "no private part: {printed}");

        let header = jsonwebtoken::decode_header(a.expose()).unwrap();
        assert_eq!(header.alg, Algorithm::ES384);
        assert_eq!(header.kid.as_deref(), Some(key.kid()));
        let mut validation = Validation::new(Algorithm::ES384);
        validation.set_audience(&[endpoint.as_str()]);
        validation.set_issuer(&["folio-client"]);
        let decoding = DecodingKey::from_jwk(jwk).unwrap();
        let ca = jsonwebtoken::decode::<Claims>(a.expose(), &decoding, &validation)
            .unwrap()
            .claims;
        let cb = jsonwebtoken::decode::<Claims>(b.expose(), &decoding, &validation)
            .unwrap()
            .claims;
        assert_eq!(
            (ca.iss.as_str(), ca.sub.as_str()),
            ("folio-client", "folio-client")
        );
        assert_eq!(ca.aud, endpoint.as_str());
        assert!(
            ca.exp > ca.iat && ca.exp - ca.iat <= 300,
            "at most five minutes"
        );
        assert_ne!(ca.jti, cb.jti, "a new jti each time");
        assert!(ca.jti.len() >= 32);

        // Another key's JWKS does not verify it.
        let other = ClientKey::generate().unwrap();
        let other_jwks: JwkSet = serde_json::from_str(&other.public_jwks().unwrap()).unwrap();
        let wrong = DecodingKey::from_jwk(&other_jwks.keys[0]).unwrap();
        assert!(jsonwebtoken::decode::<Claims>(a.expose(), &wrong, &validation).is_err());
    }

    #[test]
    fn a_key_survives_the_keychain_and_never_prints() {
        let key = ClientKey::generate().unwrap();
        let pem = key.to_pem().unwrap();
        assert!(pem.expose().starts_with("-----BEGIN PRIVATE KEY-----"));
        let back = ClientKey::from_pem(&pem).unwrap();
        assert_eq!(back.kid(), key.kid());
        assert_eq!(back.public_jwks().unwrap(), key.public_jwks().unwrap());
        assert!(!format!("{key:?}").contains("PRIVATE"));
        assert!(ClientKey::from_pem(&Sensitive::new("not a key".into())).is_err());
    }
}
