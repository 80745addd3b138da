//! FHIR R4 as Folio reads it: resource identity, index fields, security labels and the pure
//! helpers over them.
//!
//! Owns: turning a resource's JSON into the facts Folio indexes (type, id, version, last update,
//! clinical date, codes, a display text, security labels) without losing the original bytes.
//!
//! Must never: do IO, touch SQL, know about Tauri, or rewrite a resource. Resources are kept
//! verbatim elsewhere; this crate only reads them.

mod dedupe;
mod error;
mod index;
mod labels;

pub use error::FhirError;
pub use index::{IndexFields, ResourceKey};
pub use labels::{is_sensitive_label, SecurityLabel};
