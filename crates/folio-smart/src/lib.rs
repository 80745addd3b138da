//! The SMART on FHIR client side of Folio: everything said to a plan's authorization server and
//! FHIR API.
//!
//! Owns: discovery (`.well-known/smart-configuration`, then the CapabilityStatement), PKCE and
//! `state`, the authorization request and the checks on its answer (state, redirect, RFC 9207
//! `iss`), the loopback redirect listener, token exchange, refresh and revocation (through the
//! `oauth2` crate), and (as it lands) the FHIR HTTP client with paging, retries and rate limits.
//!
//! Must never: store a token anywhere (tokens go to folio-secrets through folio-core), send a
//! bearer token to any origin but the plan's own FHIR origin, follow a redirect, log a token, a
//! code or a verifier, or open a login page in a webview.

mod authorize;
mod client_auth;
mod client_key;
mod discovery;
mod error;
mod fhir;
pub mod http;
mod in_flight;
mod loopback;
mod pkce;
mod registration;
pub mod scopes;
mod tokens;

pub use authorize::{AuthorizationCode, PendingAuthorization};
pub use client_auth::ClientAuth;
pub use client_key::{ClientKey, SigningAlg, ASSERTION_LIFETIME};
pub use discovery::{discover, parse_fhir_base, DiscoverySource, SmartConfiguration};
pub use error::{SmartError, UrlRole};
pub use fhir::{
    retry_after, Capabilities, FhirClient, FhirError, Page, PageEntry, RetryPolicy,
    TypeCapabilities,
};
pub use in_flight::{RequestLimit, RequestPermit};
pub use loopback::{Callback, LoopbackListener};
pub use pkce::{random_state, PkcePair};
pub use registration::{register, unregister, ClientMetadata, Registered};
pub use tokens::{exchange_code, refresh, revoke, TokenSet};
pub use url::Url;
