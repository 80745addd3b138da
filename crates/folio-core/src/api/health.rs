//! "My health" as it crosses IPC: medicines, conditions, allergies, immunizations, visits and
//! the care team, each item with the records it was read from.

use serde::Serialize;

/// A record an item was read from, to open it (and come back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SourceRecord {
    /// Connection it came through.
    pub connection_id: String,
    /// FHIR type.
    pub resource_type: String,
    /// Id at the plan.
    pub resource_id: String,
    /// The plan's name.
    pub plan_name: String,
    /// Its date, when it has one.
    pub date: Option<String>,
}

/// Whether the member takes a medicine, as its latest prescription or statement says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum MedicineStatus {
    /// Active.
    Active,
    /// On hold.
    OnHold,
    /// Stopped, completed or cancelled.
    Stopped,
    /// Only pharmacy fills (or a status such as `unknown`): nothing says.
    NotStated,
}

/// One medicine, merged from its prescriptions, statements, dispenses and pharmacy claims.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MedicineView {
    /// Its name, as the records give it.
    pub name: String,
    /// Taken or not.
    pub status: MedicineStatus,
    /// How to take it, in the prescription's words.
    pub dosage: Option<String>,
    /// Who prescribed it.
    pub prescriber: Option<String>,
    /// When it was last filled.
    pub last_filled: Option<String>,
    /// Where it was last filled.
    pub pharmacy: Option<String>,
    /// Days' supply of the last fill.
    pub days_supply: Option<f64>,
    /// How many fills the records show.
    pub fills: u32,
    /// The earliest date its records give.
    pub since: Option<String>,
    /// The latest date its records give.
    pub latest: Option<String>,
    /// Its RxNorm code, when a record carries one.
    pub rxnorm: Option<String>,
    /// The records it was read from, newest first.
    pub sources: Vec<SourceRecord>,
}

/// One condition, merged from its records (same code or same name).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConditionView {
    /// What it is.
    pub name: String,
    /// Still a concern (active, recurrence, relapse), as the latest record says.
    pub current: bool,
    /// The latest record's clinical status as sent (active, resolved, remission…).
    pub status: Option<String>,
    /// Since when: the earliest onset (else recorded date).
    pub since: Option<String>,
    /// Until when, for one that ended: the latest abatement.
    pub until: Option<String>,
    /// The records it was read from, newest first.
    pub sources: Vec<SourceRecord>,
}

/// One allergy or intolerance.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AllergyView {
    /// The substance.
    pub substance: String,
    /// Active (or no status stated).
    pub current: bool,
    /// `criticality` as sent (low, high, unable-to-assess).
    pub criticality: Option<String>,
    /// food, medication, environment, biologic.
    pub category: Option<String>,
    /// What happens, in words.
    pub reactions: Vec<String>,
    /// The worst severity stated (mild, moderate, severe).
    pub severity: Option<String>,
    /// Onset or recorded date.
    pub since: Option<String>,
    /// The records it was read from.
    pub sources: Vec<SourceRecord>,
}

/// One vaccine and every dose of it.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImmunizationView {
    /// The vaccine.
    pub vaccine: String,
    /// Dates of the doses given, newest first (one per dose, whichever plans sent it).
    pub dates: Vec<String>,
    /// The records it was read from, newest first.
    pub sources: Vec<SourceRecord>,
}

/// One visit: when, where, who, why.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VisitView {
    /// Start.
    pub start: Option<String>,
    /// End.
    pub end: Option<String>,
    /// What kind of visit, in the record's words.
    pub kind: Option<String>,
    /// Where.
    pub place: Option<String>,
    /// Who.
    pub clinicians: Vec<String>,
    /// Why.
    pub reasons: Vec<String>,
    /// The record (and its copies from other plans).
    pub sources: Vec<SourceRecord>,
}

/// A clinician or an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CareKind {
    /// A Practitioner (or PractitionerRole).
    Clinician,
    /// An Organization or Location.
    Organization,
    /// The records do not say which.
    Unknown,
}

/// Someone who appears in the member's visits and claims.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CareTeamMember {
    /// Name, from their own record, else as the visit or claim gives it.
    pub name: Option<String>,
    /// Clinician or organization.
    pub kind: CareKind,
    /// The roles the records give them, in their words, most frequent first.
    pub roles: Vec<String>,
    /// Visits they appear in.
    pub visits: u32,
    /// Claims they appear in.
    pub claims: u32,
    /// When last seen (the latest visit or claim).
    pub last_seen: Option<String>,
    /// Their own record, when the plan sent it.
    pub record: Option<SourceRecord>,
    /// The visits and claims they appear in, newest first (at most 20).
    pub sources: Vec<SourceRecord>,
}

/// Everything "My health" shows.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MyHealth {
    /// Medicines: those taken first, then those whose status is not stated, then stopped.
    pub medications: Vec<MedicineView>,
    /// Conditions: current first, then the rest, each newest first.
    pub conditions: Vec<ConditionView>,
    /// Allergies: current first.
    pub allergies: Vec<AllergyView>,
    /// Immunizations, by vaccine, latest dose first.
    pub immunizations: Vec<ImmunizationView>,
    /// The newest visits, newest first (at most `visitsShown`).
    pub visits: Vec<VisitView>,
    /// How many visits there are in all.
    pub visits_total: u32,
    /// Clinicians and organizations, most often seen first.
    pub care_team: Vec<CareTeamMember>,
    /// How many of each type's newest records were read; a type with more is read only that
    /// far (named in `readInPart`).
    pub read_limit: u32,
    /// The types that held more records than were read.
    pub read_in_part: Vec<String>,
}
