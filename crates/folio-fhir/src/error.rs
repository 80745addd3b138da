//! What can be wrong with a resource handed to this crate.

/// Why a JSON value could not be read as a FHIR resource.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FhirError {
    /// The text is not JSON at all.
    #[error("not valid JSON: {0}")]
    InvalidJson(String),
    /// The JSON is not an object.
    #[error("a FHIR resource must be a JSON object")]
    NotAnObject,
    /// `resourceType` is missing or not a string.
    #[error("the resource has no resourceType")]
    MissingResourceType,
    /// `resourceType` is not a FHIR type name (letters only, starting upper case).
    #[error("resourceType is not a FHIR type name")]
    InvalidResourceType,
    /// `id` is missing.
    #[error("the {0} has no id")]
    MissingId(String),
    /// `id` breaks the R4 id rule `[A-Za-z0-9\-\.]{1,64}`.
    #[error("the {0} has an id that is not a valid FHIR id")]
    InvalidId(String),
}
