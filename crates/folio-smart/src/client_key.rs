//! Folio's key pair at one plan, for `private_key_jwt` (RFC 7523; SMART App Launch
//! "client-confidential-asymmetric"): an ES384 key (or, for a plan that takes only RSA, a
//! 3072-bit RS384 key) made on this computer, whose private half stays in the OS keychain (as
//! PKCS#8 PEM, which also says which algorithm it is for) and whose public half the member
//! gives the plan as a JWKS. Each token request carries a new client assertion signed with it.
//!
//! The JOSE work (JWS signing, the JWK and its RFC 7638 thumbprint) is `jsonwebtoken`'s; the
//! key pairs are RustCrypto's `p384` and `rsa`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use folio_secrets::Sensitive;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p384::elliptic_curve::Generate as _;
use p384::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, LineEnding};
use rand::RngCore as _;
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use serde::Serialize;
use url::Url;

use crate::SmartError;

/// How long a client assertion is valid: SMART allows at most five minutes.
pub const ASSERTION_LIFETIME: Duration = Duration::from_secs(300);

/// RFC 7523 §2.2's assertion type.
pub(crate) const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The algorithm of Folio's client assertions at a plan: SMART's two asymmetric ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningAlg {
    /// ECDSA on P-384 with SHA-384 (Folio's choice wherever the plan takes it).
    Es384,
    /// RSASSA-PKCS1-v1_5 with SHA-384, for plans that take only RSA.
    Rs384,
}

impl SigningAlg {
    /// The JOSE name (`ES384`, `RS384`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Es384 => "ES384",
            Self::Rs384 => "RS384",
        }
    }

    fn jose(self) -> Algorithm {
        match self {
            Self::Es384 => Algorithm::ES384,
            Self::Rs384 => Algorithm::RS384,
        }
    }

    /// The algorithm to use at a plan that lists `offered` as its
    /// `token_endpoint_auth_signing_alg_values_supported`: ES384 when it is offered, else
    /// RS384 when that is; a plan that lists neither cannot verify anything Folio signs. A plan
    /// that lists nothing gets ES384, which SMART requires of every server that takes signed
    /// client assertions.
    pub fn for_plan(offered: &[String]) -> Result<Self, SmartError> {
        if offered.is_empty() || offered.iter().any(|a| a == "ES384") {
            Ok(Self::Es384)
        } else if offered.iter().any(|a| a == "RS384") {
            Ok(Self::Rs384)
        } else {
            Err(SmartError::NoSigningAlgorithm(crate::authorize::truncate(
                &offered.join(", "),
            )))
        }
    }
}

/// A plan's client key. `Debug` shows only its key id and algorithm.
#[derive(Clone)]
pub struct ClientKey {
    /// What it signs with.
    alg: SigningAlg,
    /// PKCS#8 DER of the private key.
    der: Sensitive<Vec<u8>>,
    /// The private key as `jsonwebtoken` signs with it: PKCS#8 DER for ES384, PKCS#1 DER for
    /// RS384.
    signing: Sensitive<Vec<u8>>,
    /// The JWK thumbprint (RFC 7638) of the public key: the `kid`.
    kid: String,
    /// The public key as a JWK (with `kid`, `alg`, `use`).
    public: Jwk,
}

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish()
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
    /// Makes a new key pair for `alg` from the operating system's random source (an RS384 key
    /// has a 3072-bit modulus).
    pub fn generate(alg: SigningAlg) -> Result<Self, SmartError> {
        let der = match alg {
            SigningAlg::Es384 => p384::SecretKey::try_generate()
                .map_err(|_| key_error("the system's random source failed"))?
                .to_pkcs8_der()
                .map_err(|_| key_error("the new key could not be encoded"))?,
            SigningAlg::Rs384 => {
                // `rsa`'s `Generate` makes a key of its default size, 3072 bits.
                let key: rsa::PrivateKey = rsa::Generate::try_generate()
                    .map_err(|_| key_error("the system's random source failed"))?;
                rsa::pkcs8::EncodePrivateKey::to_pkcs8_der(&key)
                    .map_err(|_| key_error("the new key could not be encoded"))?
            }
        };
        Self::from_der(der.as_bytes().to_vec())
    }

    /// The algorithm this key signs with.
    pub fn alg(&self) -> SigningAlg {
        self.alg
    }

    /// The key as kept in the keychain (PKCS#8 PEM).
    pub fn to_pem(&self) -> Result<Sensitive<String>, SmartError> {
        let pem = match self.alg {
            SigningAlg::Es384 => p384::SecretKey::from_pkcs8_der(self.der.expose())
                .map_err(|_| key_error("the key could not be read"))?
                .to_pkcs8_pem(LineEnding::LF),
            SigningAlg::Rs384 => {
                let key: rsa::PrivateKey =
                    rsa::pkcs8::DecodePrivateKey::from_pkcs8_der(self.der.expose())
                        .map_err(|_| key_error("the key could not be read"))?;
                rsa::pkcs8::EncodePrivateKey::to_pkcs8_pem(&key, LineEnding::LF)
            }
        }
        .map_err(|_| key_error("the key could not be encoded"))?;
        Ok(Sensitive::new(pem.as_str().to_owned()))
    }

    /// The key from the keychain's PKCS#8 PEM; its type says its algorithm (a P-384 key signs
    /// ES384, an RSA key RS384).
    pub fn from_pem(pem: &Sensitive<String>) -> Result<Self, SmartError> {
        let not_a_key =
            || key_error("the key kept for this plan is not an ES384 or RS384 private key");
        if let Ok(secret) = p384::SecretKey::from_pkcs8_pem(pem.expose()) {
            let der = secret
                .to_pkcs8_der()
                .map_err(|_| key_error("the key could not be encoded"))?;
            return Self::from_der(der.as_bytes().to_vec());
        }
        let key: rsa::PrivateKey =
            rsa::pkcs8::DecodePrivateKey::from_pkcs8_pem(pem.expose()).map_err(|_| not_a_key())?;
        let der = rsa::pkcs8::EncodePrivateKey::to_pkcs8_der(&key)
            .map_err(|_| key_error("the key could not be encoded"))?;
        Self::from_der(der.as_bytes().to_vec())
    }

    /// The key from PKCS#8 DER: a P-384 key (ES384) or an RSA key of at least 2048 bits
    /// (RS384).
    fn from_der(der: Vec<u8>) -> Result<Self, SmartError> {
        let (alg, signing) = if p384::SecretKey::from_pkcs8_der(&der).is_ok() {
            (SigningAlg::Es384, der.clone())
        } else {
            let key: rsa::PrivateKey = rsa::pkcs8::DecodePrivateKey::from_pkcs8_der(&der)
                .map_err(|_| key_error("the key is not an ES384 or RS384 private key"))?;
            if rsa::traits::PublicKeyParts::size(&key) < 256 {
                return Err(key_error("the RSA key is shorter than 2048 bits"));
            }
            let pkcs1 = key
                .to_pkcs1_der()
                .map_err(|_| key_error("the key could not be encoded"))?;
            (SigningAlg::Rs384, pkcs1.as_bytes().to_vec())
        };
        let encoding = Self::encoding_key(alg, &signing);
        let mut public = Jwk::from_encoding_key(&encoding, alg.jose())
            .map_err(|_| key_error("the public key could not be derived"))?;
        let kid = public
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|_| key_error("the key's thumbprint could not be computed"))?;
        public.common.key_id = Some(kid.clone());
        public.common.public_key_use = Some(PublicKeyUse::Signature);
        Ok(Self {
            alg,
            der: Sensitive::new(der),
            signing: Sensitive::new(signing),
            kid,
            public,
        })
    }

    fn encoding_key(alg: SigningAlg, signing: &[u8]) -> EncodingKey {
        match alg {
            SigningAlg::Es384 => EncodingKey::from_ec_der(signing),
            SigningAlg::Rs384 => EncodingKey::from_rsa_der(signing),
        }
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
    /// [`ASSERTION_LIFETIME`] later; the header names `alg` (ES384 or RS384) and `kid`.
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
        let mut header = Header::new(self.alg.jose());
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".into());
        let jwt = jsonwebtoken::encode(
            &header,
            &claims,
            &Self::encoding_key(self.alg, self.signing.expose()),
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

    /// Signs two assertions with `key` and checks them against its printed JWKS: `alg` and
    /// `kid` in the header, the claims, a new `jti` each time, and another key's JWKS refusing.
    fn assertions_verify_with_the_printed_jwks(key: &ClientKey, other: &ClientKey) {
        let alg = key.alg().jose();
        let endpoint = Url::parse("https://plan.example/oauth/token").unwrap();
        let now = SystemTime::now();
        let a = key.assertion("folio-client", &endpoint, now).unwrap();
        let b = key.assertion("folio-client", &endpoint, now).unwrap();

        let jwks: JwkSet = serde_json::from_str(&key.public_jwks().unwrap()).unwrap();
        assert_eq!(jwks.keys.len(), 1);
        let jwk = &jwks.keys[0];
        assert_eq!(jwk.common.key_id.as_deref(), Some(key.kid()));
        let printed = key.public_jwks().unwrap();
        for private in ["\"d\"", "\"p\"", "\"q\"", "\"dp\""] {
            assert!(!printed.contains(private), "no private part: {printed}");
        }

        let header = jsonwebtoken::decode_header(a.expose()).unwrap();
        assert_eq!(header.alg, alg);
        assert_eq!(header.kid.as_deref(), Some(key.kid()));
        let mut validation = Validation::new(alg);
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
        let other_jwks: JwkSet = serde_json::from_str(&other.public_jwks().unwrap()).unwrap();
        let wrong = DecodingKey::from_jwk(&other_jwks.keys[0]).unwrap();
        assert!(jsonwebtoken::decode::<Claims>(a.expose(), &wrong, &validation).is_err());
    }

    #[test]
    fn assertions_are_es384_with_kid_and_verify_with_the_printed_jwks() {
        let key = ClientKey::generate(SigningAlg::Es384).unwrap();
        let jwks: serde_json::Value = serde_json::from_str(&key.public_jwks().unwrap()).unwrap();
        assert_eq!(
            (
                &jwks["keys"][0]["kty"],
                &jwks["keys"][0]["crv"],
                &jwks["keys"][0]["alg"]
            ),
            (&"EC".into(), &"P-384".into(), &"ES384".into())
        );
        let other = ClientKey::generate(SigningAlg::Es384).unwrap();
        assertions_verify_with_the_printed_jwks(&key, &other);
    }

    #[test]
    fn an_rsa_key_is_3072_bits_signs_rs384_and_its_jwks_has_n_and_e() {
        let key = ClientKey::generate(SigningAlg::Rs384).unwrap();
        assert_eq!(key.alg(), SigningAlg::Rs384);
        let jwks: serde_json::Value = serde_json::from_str(&key.public_jwks().unwrap()).unwrap();
        let jwk = &jwks["keys"][0];
        assert_eq!(
            (jwk["kty"].as_str(), jwk["alg"].as_str()),
            (Some("RSA"), Some("RS384"))
        );
        assert_eq!(jwk["kid"].as_str(), Some(key.kid()));
        assert_eq!(jwk["e"], "AQAB");
        let n = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(jwk["n"].as_str().unwrap())
            .unwrap();
        assert_eq!(n.len() * 8, 3072, "a 3072-bit modulus");
        // Back from the keychain it is the same RS384 key.
        let back = ClientKey::from_pem(&key.to_pem().unwrap()).unwrap();
        assert_eq!(back.alg(), SigningAlg::Rs384);
        assert_eq!(back.kid(), key.kid());
        assert_eq!(back.public_jwks().unwrap(), key.public_jwks().unwrap());
        // An EC key's JWKS does not verify an RSA assertion.
        let other = ClientKey::generate(SigningAlg::Es384).unwrap();
        assertions_verify_with_the_printed_jwks(&back, &other);
    }

    #[test]
    fn the_algorithm_is_es384_where_offered_else_rs384_else_a_plain_refusal() {
        let offered =
            |algs: &[&str]| -> Vec<String> { algs.iter().map(|a| a.to_string()).collect() };
        assert_eq!(
            SigningAlg::for_plan(&offered(&["RS384", "ES384"])).unwrap(),
            SigningAlg::Es384
        );
        assert_eq!(
            SigningAlg::for_plan(&offered(&["ES384"])).unwrap(),
            SigningAlg::Es384
        );
        assert_eq!(
            SigningAlg::for_plan(&offered(&["RS256", "RS384"])).unwrap(),
            SigningAlg::Rs384
        );
        // SMART requires ES384 of a server that names nothing.
        assert_eq!(SigningAlg::for_plan(&[]).unwrap(), SigningAlg::Es384);
        let err = SigningAlg::for_plan(&offered(&["RS256", "PS256"])).unwrap_err();
        assert!(
            matches!(err, SmartError::NoSigningAlgorithm(ref named) if named == "RS256, PS256")
        );
        assert!(err.to_string().contains("ES384 or RS384"), "{err}");
    }

    #[test]
    fn a_key_survives_the_keychain_and_never_prints() {
        let key = ClientKey::generate(SigningAlg::Es384).unwrap();
        let pem = key.to_pem().unwrap();
        assert!(pem.expose().starts_with("-----BEGIN PRIVATE KEY-----"));
        let back = ClientKey::from_pem(&pem).unwrap();
        assert_eq!(back.kid(), key.kid());
        assert_eq!(back.alg(), SigningAlg::Es384);
        assert_eq!(back.public_jwks().unwrap(), key.public_jwks().unwrap());
        assert!(!format!("{key:?}").contains("PRIVATE"));
        assert!(ClientKey::from_pem(&Sensitive::new("not a key".into())).is_err());
    }
}
