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
mod labels;
mod plan;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;

use std::collections::BTreeMap;

use serde_json::Value;

/// The smallest coherent member: Patient, payer, three provider organizations (clinic,
/// hospital, pharmacy), two practitioners, one coverage, one allergy, a full visit (encounter,
/// diagnosis, vital sign, lab result and report, procedure, prescription with its pharmacy
/// claim, immunization, note, professional claim, clinical provenance), a sensitive visit
/// (condition, procedure, claim) and the claims provenance. Every resource type is present.
pub const MIN_RESOURCES: usize = 26;

/// System of the member identifier on the Patient (and the subscriber id on Coverage).
pub const MEMBER_ID_SYSTEM: &str = "https://sandbox.folio.invalid/member-id";

/// Name of the payer Organization.
pub const PAYER_NAME: &str = "Folio Sandbox Health Plan";

/// One generated member: the Patient first, then everything else.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedMember {
    /// Id (not reference) of the Patient, `<member_key>-patient`.
    pub patient_id: String,
    /// FHIR R4 resources as JSON; `resources[0]` is the Patient.
    pub resources: Vec<Value>,
}

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
    build::generate(member_key, display_name, seed, target)
}

/// The id prefix used for `member_key`: characters outside `[A-Za-z0-9-.]` become `-`, it is
/// cut to 40 characters (so every id stays within FHIR's 64), and an empty key becomes
/// `member`. Keys that sanitize to the same prefix produce colliding ids.
pub fn sanitize_member_key(member_key: &str) -> String {
    let key: String = member_key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    if key.is_empty() {
        "member".to_owned()
    } else {
        key
    }
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
