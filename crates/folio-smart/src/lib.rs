//! The SMART on FHIR client side of Folio: everything said to a plan's authorization server and
//! FHIR API.
//!
//! Owns: PKCE and `state` generation, and (as they land) discovery, the authorization request,
//! the loopback redirect listener, token exchange, refresh and revocation, and the FHIR HTTP
//! client with paging, retries and rate limits.
//!
//! Must never: store a token anywhere (tokens go to folio-secrets through folio-core), send a
//! bearer token to any origin but the plan's own FHIR origin, log a token, a code or a verifier,
//! or open a login page in a webview.

mod pkce;

pub use pkce::{random_state, PkcePair};
