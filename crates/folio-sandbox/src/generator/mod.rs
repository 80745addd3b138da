//! Seeded generator of synthetic health-plan members, as FHIR R4 JSON resources.
//!
//! Owns: turning `(member_key, seed, target)` into one coherent member of the demo health plan,
//! with exactly `max(target, MIN_RESOURCES)` resources, Patient first:
//! - the CARIN Blue Button side: Patient, the payer and provider Organizations (NPI),
//!   Practitioners (NPI), Coverage periods, and ExplanationOfBenefit claims (professional,
//!   inpatient/outpatient institutional, pharmacy) whose line adjudications add up;
//! - the US Core clinical side: Encounters, Conditions, vital-sign and lab Observations whose
//!   values drift around member baselines (some out of range, ~3% of glucose in mmol/L),
//!   DiagnosticReports, MedicationRequests (with pharmacy fills), Immunizations,
//!   AllergyIntolerances, Procedures and DocumentReferences with base64 notes;
//! - PDex Provenance over batches of claims and over some clinical resources;
//! - test material the app must handle: security-labelled sensitive records (behavioural
//!   health, substance use, HIV; 2-4% of clinical resources, plus the claims of those visits)
//!   and narratives carrying markup a sanitizer must strip (~1%); see [`is_sensitive`] and
//!   [`has_hostile_narrative`].
//!
//! Must never: read the clock, the environment or any file, or describe a real person. All dates
//! derive from the seed; clinical and claim dates fall in 2016-01-01..=2026-10-31 (birth dates
//! earlier, `meta.lastUpdated` before 2026-11-01); randomness is ChaCha8 from the seed, so the same inputs give byte-identical
//! output on every platform. Every reference is relative (`Type/id`) and resolves inside the
//! member; every id is `<member_key>-<type>-<number>` (the Patient is `<member_key>-patient`).

/// Builds a JSON object from `("key", value)` pairs, moving each value in through
/// `Value::from`. (`serde_json::json!` deep-copies every interpolated `Value` through
/// `to_value`, which dominated generation time.)
macro_rules! obj {
    ($(($key:literal, $value:expr)),* $(,)?) => {{
        let mut map = ::serde_json::Map::new();
        $(map.insert(::std::string::String::from($key), ::serde_json::Value::from($value));)*
        ::serde_json::Value::Object(map)
    }};
}

mod build;
mod catalog;
mod claims;
mod clinical;
mod clock;
mod dice;
mod history;
mod labels;
mod plan;
mod prior_auth;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;

use std::collections::BTreeMap;

use serde_json::Value;

pub use build::{sanitize_member_key, MEMBER_ID_SYSTEM, PAYER_NAME};
pub use history::GeneratedMember;
pub use plan::MIN_RESOURCES;

/// Generates one member.
///
/// `member_key` (e.g. "ana") prefixes every resource id so two members never collide (see
/// [`sanitize_member_key`] for how it is made id-safe); `display_name` is (given, family) for the
/// Patient. The same (member_key, seed, target) gives byte-identical output. `target` is the
/// total number of resources; the result has exactly `max(target, MIN_RESOURCES)` resources.
/// The clinical story depends on `seed` only, not on `member_key`. Runs in time linear in
/// `target`.
pub fn generate_member(
    member_key: &str,
    display_name: (&str, &str),
    seed: u64,
    target: usize,
) -> GeneratedMember {
    history::generate(member_key, display_name, seed, target)
}

/// True when the resource carries a sensitivity label in `meta.security`: v3-Confidentiality
/// `R` or `V`, or a v3-ActCode sensitivity/privacy code (`PSY`, `ETH`, `SUD`, `HIV`,
/// `42CFRPart2`, `BH`, `STD`, `SDV`, `SEX`).
pub fn is_sensitive(resource: &Value) -> bool {
    labels::is_sensitive(resource)
}

/// True when `text.div` contains markup a sanitizer must remove (script, `javascript:` URL,
/// `onerror`/`onload` handler, iframe, style or form).
pub fn has_hostile_narrative(resource: &Value) -> bool {
    labels::has_hostile_narrative(resource)
}

/// Number of resources per `resourceType` (missing types are counted under `"(none)"`).
pub fn counts_by_type(resources: &[Value]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for resource in resources {
        let name = resource
            .get("resourceType")
            .and_then(Value::as_str)
            .unwrap_or("(none)");
        *counts.entry(name.to_owned()).or_insert(0) += 1;
    }
    counts
}
