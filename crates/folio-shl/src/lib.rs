//! SMART Health Links and SMART Health Cards (HL7 "SMART Health Cards and Links" IG), without
//! any IO: what a link says and how it is written (`link.rs`), the encrypted files it points at
//! (`jwe.rs`: compact JWE, `dir` + `A256GCM`, `zip: DEF`), signed cards (`card.rs`: compact JWS,
//! ES256 over a raw-DEFLATE payload, the issuer's key found by `kid`), and QR codes (`qr.rs`:
//! made with `qrcode`, read with `rqrr`). Fetching files, manifests and issuers' keys is the
//! caller's (folio-core), which passes the bytes in.

mod card;
mod error;
mod jwe;
mod link;
mod qr;

pub use card::{card_jws_from_qr_text, cards_in_file, jwks_url, thumbprint, Card, CardCheck};
pub use error::ShlError;
pub use jwe::{
    decrypt, encrypt, is_fhir_content_type, ContentKey, Decrypted, CONTENT_FHIR, CONTENT_SMART_CARD,
};
pub use link::{LinkPayload, MAX_LABEL_CHARS};
pub use qr::{qr_png, read_qr};
