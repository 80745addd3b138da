//! The unit tests' way to the repository's shared FHIR fixtures (tests/fixtures).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;

/// The text of `tests/fixtures/{path}`.
pub(crate) fn fixture_text(path: &str) -> String {
    let full = format!("{}/../../tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(full).unwrap()
}

/// The JSON resource at `tests/fixtures/{path}`.
pub(crate) fn fixture(path: &str) -> Value {
    serde_json::from_str(&fixture_text(path)).unwrap()
}

/// The first resource of the NDJSON file at `tests/fixtures/{path}`.
pub(crate) fn first_line(path: &str) -> Value {
    serde_json::from_str(fixture_text(path).lines().next().unwrap()).unwrap()
}
