//! FHIR R4 as Folio reads it: resource identity, index fields, security labels and the pure
//! helpers over them.
//!
//! Owns: turning a resource's JSON into the facts Folio indexes (type, id, version, last update,
//! clinical date, codes, a display text, security labels) without losing the original bytes.
//!
//! Also owns reading claims and observations in the shape a member reads them, converting
//! lab units exactly, and making a resource's narrative (`text.div`, untrusted XHTML) safe to show.
//!
//! Must never: do IO, touch SQL, know about Tauri, or rewrite a resource. Resources are kept
//! verbatim elsewhere; this crate only reads them.

mod attachment;
mod care;
mod claim;
mod claim_words;
mod coverage;
mod dedupe;
mod error;
mod fields;
mod index;
mod labels;
mod medication;
mod narrative;
mod observation;
mod prior_auth;
mod readable;
mod references;
mod summary;
#[cfg(test)]
mod test_fixtures;
mod units;

pub use attachment::{attachments_of, Attachment};
pub use care::{
    care_appearances, concept_key, concept_text, party_name, AllergyFacts, CareAppearance,
    ConditionFacts, EncounterFacts, ImmunizationFacts, Party,
};
pub use claim::{
    AmountKind, BalanceFigure, BalanceKind, BenefitBalance, ClaimAmounts, ClaimFacts, ClaimKind,
    ClaimLine, ClaimReason, ClaimStatus, OtherAmount, PharmacyFill, ReasonKind,
};
pub use coverage::CoverageFacts;
pub use error::FhirError;
pub use index::{IndexFields, ResourceKey};
pub use labels::{is_sensitive_label, SecurityLabel};
pub use medication::{
    group_medications, medication_state, normalized_name, summarize_medicine, MedicationFacts,
    MedicationSource, MedicationState, Medicine, NDC, RXNORM,
};
pub use narrative::{narrative_div, sanitize_narrative, NARRATIVE_TAGS};
pub use observation::{Measure, ObservationFacts, LOINC};
pub use prior_auth::{
    is_prior_authorization, CodedText, PriorAuthFacts, PriorAuthItem, PriorAuthStatus,
    PDEX_PRIOR_AUTHORIZATION,
};
pub use readable::{
    looks_like_loinc_long_name, readable_name, short_loinc_name, unit_words, ReadableName,
};
pub use references::{linked_records, relative_reference};
pub use summary::{range_with_unit, record_facts, value_with_unit, Fact, FactValue, RecordFacts};
pub use units::convert as convert_unit;
