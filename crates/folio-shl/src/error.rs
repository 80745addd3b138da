//! What can go wrong reading or making a link or a card. No message carries a key, a link's
//! payload or health data.

/// A failure of a link, an encrypted file, a card or a QR code, named for what failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShlError {
    /// The text is neither a `shlink:/…` link nor an address ending in `#shlink:/…`.
    #[error("this is not a SMART Health Link (it must begin with shlink:/ or hold #shlink:/)")]
    NotALink,
    /// The link's payload could not be read (what was wrong, without its content).
    #[error("the SMART Health Link is damaged: {0}")]
    BadPayload(String),
    /// The key in the link is not 32 bytes written as 43 base64url characters.
    #[error("the SMART Health Link's key is not a 256-bit key")]
    BadKey,
    /// The label is longer than the specification allows.
    #[error("a link's label may have at most {max} characters")]
    LabelTooLong {
        /// The limit.
        max: usize,
    },
    /// The link's expiry (`exp`, seconds since 1970) has passed.
    #[error("this SMART Health Link has expired")]
    Expired {
        /// When it expired.
        exp: i64,
    },
    /// Not a compact JWE made with `dir` and `A256GCM`.
    #[error("the shared file is not an encrypted SMART Health Link file (a compact JWE with dir and A256GCM)")]
    NotJwe,
    /// AES-GCM refused the file: the key is not the one it was encrypted with, or the file
    /// was altered. (AES-GCM cannot tell these two apart.)
    #[error("the shared file does not open with the link's key: the key is wrong or the file was altered")]
    NotDecrypted,
    /// More bytes than allowed (the file, or what it inflates to).
    #[error("the shared content is larger than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The content is not FHIR JSON (its declared type, bounded).
    #[error("the shared content is not FHIR (its type is \"{0}\")")]
    NotFhir(String),
    /// A SMART Health Card that could not be read (what was wrong).
    #[error("this is not a readable SMART Health Card: {0}")]
    NotACard(String),
    /// No QR code could be read in the image.
    #[error("no QR code could be read in this image")]
    NoQrCode,
    /// A QR code could not be made or an image read (why).
    #[error("the image could not be made or read: {0}")]
    Image(String),
    /// The JOSE library failed while making something (why, without secrets).
    #[error("could not encrypt or sign: {0}")]
    Jose(String),
}
