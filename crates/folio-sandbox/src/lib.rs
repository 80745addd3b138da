//! folio-sandbox: a complete demo health plan on 127.0.0.1, for the in-app demo and for tests.
//!
//! Owns: a SMART App Launch 2.2 authorization server (member login page, consent page with the
//! PDex choice to share or withhold sensitive data, PKCE S256 only, `iss` in responses, rotated
//! refresh tokens with reuse detection, revocation); a FHIR R4 Patient Access API for the token's
//! patient only (reads, searches by patient with opaque paging, `_lastUpdated`, `_include` for
//! ExplanationOfBenefit, `_revinclude=Provenance:target`, `Patient/$everything`,
//! OperationOutcome errors); a seeded generator of synthetic members and loaders for the public
//! fixtures; and fault modes that can be switched per run and at runtime.
//!
//! Must never: serve real patient data, listen on anything but loopback, let one member's token
//! reach another member's data, or be a dependency of folio-core (Folio reaches it only over
//! HTTP, like any plan).

mod auth;
mod bundle;
mod config;
mod control;
mod faults;
mod fhir;
mod fixtures;
mod gate;
pub mod generator;
mod grants;
mod members;
mod pages;
mod scopes;
mod server;
mod state;

pub use config::{ClientRegistration, MemberSource, SandboxConfig};
pub use faults::{Faults, StrictServer};
pub use fixtures::load_fixture;
pub use gate::{GateStatus, HeldRequest};
pub use members::{Member, MemberSummary};
pub use server::{Sandbox, SandboxError};
