//! Care as a member reads it: conditions, allergies, immunizations and visits in words, and the
//! clinicians and organizations a member's visits and claims name.
//!
//! Words come from the record: a concept's `text`, else its first coding's `display`, else the
//! code as sent. No code is given a meaning here.

use serde_json::Value;

use crate::fields::str_at;

/// A clinician or organization as a record names it: a reference to look its name up by,
/// and the name the record itself gives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Party {
    /// `Practitioner/…`, `Organization/…`, … when the record references one.
    pub reference: Option<String>,
    /// The reference's `display`.
    pub display: Option<String>,
}

impl Party {
    /// From a Reference element (`{reference, display}`); `None` when it holds neither.
    pub fn of(reference: &Value) -> Option<Self> {
        let party = Self {
            reference: str_at(reference, "reference")
                .filter(|r| !r.starts_with('#'))
                .map(str::to_owned),
            display: str_at(reference, "display").map(str::to_owned),
        };
        (party.reference.is_some() || party.display.is_some()).then_some(party)
    }

    /// The referenced `(type, id)`, when it is a relative reference (`Practitioner/123`).
    pub fn relative(&self) -> Option<(&str, &str)> {
        let r = self.reference.as_deref()?;
        let mut parts = r.split('/');
        let (kind, id) = (parts.next()?, parts.next()?);
        parts.next().is_none().then_some((kind, id))
    }

    /// The type a reference names, relative (`Practitioner/1`) or conditional
    /// (`Practitioner?identifier=…`).
    pub fn kind(&self) -> Option<&str> {
        let r = self.reference.as_deref()?;
        let end = r.find(['/', '?']).unwrap_or(r.len());
        let kind = &r[..end];
        (kind.chars().next()?.is_ascii_uppercase() && !kind.contains(':')).then_some(kind)
    }
}

/// A concept in words: its `text`, else the first coding's `display`, else the first code.
pub fn concept_text(concept: &Value) -> Option<String> {
    if let Some(t) = str_at(concept, "text").filter(|t| !t.trim().is_empty()) {
        return Some(t.to_owned());
    }
    let codings = concept.get("coding")?.as_array()?;
    codings
        .iter()
        .find_map(|c| str_at(c, "display").filter(|d| !d.trim().is_empty()))
        .or_else(|| codings.iter().find_map(|c| str_at(c, "code")))
        .map(str::to_owned)
}

/// The first coding as `system|code`, for telling one concept from another.
pub fn concept_key(concept: &Value) -> Option<String> {
    let c = concept.get("coding")?.as_array()?.first()?;
    Some(format!("{}|{}", str_at(c, "system")?, str_at(c, "code")?))
}

fn status_code(value: &Value, key: &str) -> Option<String> {
    value
        .pointer(&format!("/{key}/coding/0/code"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn first_of<'a>(value: &'a Value, paths: &[&str]) -> Option<&'a str> {
    paths.iter().find_map(|p| value.pointer(p)?.as_str())
}

/// A Condition in words.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionFacts {
    /// What it is.
    pub name: String,
    /// Its first coding, `system|code`.
    pub key: Option<String>,
    /// `clinicalStatus` code (active, recurrence, relapse, inactive, remission, resolved).
    pub clinical_status: Option<String>,
    /// `verificationStatus` code.
    pub verification: Option<String>,
    /// Onset.
    pub onset: Option<String>,
    /// Abatement (when it ended).
    pub abated: Option<String>,
    /// When it was recorded.
    pub recorded: Option<String>,
}

impl ConditionFacts {
    /// `None` for other types and for a record refuted or entered in error.
    pub fn from_value(v: &Value) -> Option<Self> {
        if str_at(v, "resourceType") != Some("Condition") {
            return None;
        }
        let verification = status_code(v, "verificationStatus");
        if matches!(
            verification.as_deref(),
            Some("entered-in-error" | "refuted")
        ) {
            return None;
        }
        let code = v.get("code")?;
        Some(Self {
            name: concept_text(code)?,
            key: concept_key(code),
            clinical_status: status_code(v, "clinicalStatus"),
            verification,
            onset: first_of(v, &["/onsetDateTime", "/onsetPeriod/start", "/onsetString"])
                .map(str::to_owned),
            abated: first_of(
                v,
                &[
                    "/abatementDateTime",
                    "/abatementPeriod/end",
                    "/abatementString",
                ],
            )
            .map(str::to_owned),
            recorded: str_at(v, "recordedDate").map(str::to_owned),
        })
    }

    /// Still a concern: active, recurrence or relapse, or no status but no end either.
    pub fn is_current(&self) -> bool {
        match self.clinical_status.as_deref() {
            Some("active" | "recurrence" | "relapse") => true,
            Some(_) => false,
            None => self.abated.is_none(),
        }
    }
}

/// An AllergyIntolerance in words.
#[derive(Debug, Clone, PartialEq)]
pub struct AllergyFacts {
    /// The substance.
    pub substance: String,
    /// Its first coding, `system|code`.
    pub key: Option<String>,
    /// `clinicalStatus` code.
    pub clinical_status: Option<String>,
    /// `criticality` (low, high, unable-to-assess).
    pub criticality: Option<String>,
    /// `category` (food, medication, environment, biologic).
    pub category: Option<String>,
    /// What happens: each reaction's manifestations, in words.
    pub reactions: Vec<String>,
    /// The worst reaction severity stated (mild, moderate, severe).
    pub severity: Option<String>,
    /// Onset, else when recorded.
    pub date: Option<String>,
}

impl AllergyFacts {
    /// `None` for other types and for a record refuted or entered in error.
    pub fn from_value(v: &Value) -> Option<Self> {
        if str_at(v, "resourceType") != Some("AllergyIntolerance") {
            return None;
        }
        if matches!(
            status_code(v, "verificationStatus").as_deref(),
            Some("entered-in-error" | "refuted")
        ) {
            return None;
        }
        let code = v.get("code")?;
        let reactions = v.get("reaction").and_then(Value::as_array);
        let mut words: Vec<String> = Vec::new();
        for m in reactions
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("manifestation")?.as_array())
            .flatten()
            .filter_map(concept_text)
        {
            if !words.contains(&m) {
                words.push(m);
            }
        }
        let rank = |s: &str| match s {
            "severe" => 3,
            "moderate" => 2,
            "mild" => 1,
            _ => 0,
        };
        let severity = reactions
            .into_iter()
            .flatten()
            .filter_map(|r| str_at(r, "severity"))
            .max_by_key(|s| rank(s))
            .map(str::to_owned);
        Some(Self {
            substance: concept_text(code)?,
            key: concept_key(code),
            clinical_status: status_code(v, "clinicalStatus"),
            criticality: str_at(v, "criticality").map(str::to_owned),
            category: v
                .pointer("/category/0")
                .and_then(Value::as_str)
                .map(str::to_owned),
            reactions: words,
            severity,
            date: first_of(
                v,
                &["/onsetDateTime", "/onsetPeriod/start", "/recordedDate"],
            )
            .map(str::to_owned),
        })
    }

    /// Still a concern: active, or no status stated.
    pub fn is_current(&self) -> bool {
        matches!(self.clinical_status.as_deref(), Some("active") | None)
    }
}

/// An Immunization in words.
#[derive(Debug, Clone, PartialEq)]
pub struct ImmunizationFacts {
    /// The vaccine.
    pub vaccine: String,
    /// Its first coding, `system|code` (CVX in US Core).
    pub key: Option<String>,
    /// `status` (completed, not-done).
    pub status: Option<String>,
    /// When it was given.
    pub date: Option<String>,
    /// Who gave it.
    pub performer: Option<Party>,
    /// Where (`location`).
    pub location: Option<Party>,
}

impl ImmunizationFacts {
    /// `None` for other types and for a record entered in error.
    pub fn from_value(v: &Value) -> Option<Self> {
        if str_at(v, "resourceType") != Some("Immunization") {
            return None;
        }
        let status = str_at(v, "status").map(str::to_owned);
        if status.as_deref() == Some("entered-in-error") {
            return None;
        }
        let code = v.get("vaccineCode")?;
        Some(Self {
            vaccine: concept_text(code)?,
            key: concept_key(code),
            status,
            date: first_of(
                v,
                &["/occurrenceDateTime", "/occurrenceString", "/recorded"],
            )
            .map(str::to_owned),
            performer: v.pointer("/performer/0/actor").and_then(Party::of),
            location: v.get("location").and_then(Party::of),
        })
    }
}

/// An Encounter (a visit) in words: when, where, who, why.
#[derive(Debug, Clone, PartialEq)]
pub struct EncounterFacts {
    /// What kind of visit: its `type` in words, else its `class` display or code.
    pub kind: Option<String>,
    /// `status`.
    pub status: Option<String>,
    /// Start.
    pub start: Option<String>,
    /// End.
    pub end: Option<String>,
    /// Where: the `serviceProvider`, and the first `location`.
    pub provider: Option<Party>,
    /// The first location.
    pub location: Option<Party>,
    /// Who: each participant's individual.
    pub clinicians: Vec<Party>,
    /// Why: each `reasonCode` in words.
    pub reasons: Vec<String>,
}

impl EncounterFacts {
    /// `None` for other types and for a record entered in error.
    pub fn from_value(v: &Value) -> Option<Self> {
        if str_at(v, "resourceType") != Some("Encounter") {
            return None;
        }
        let status = str_at(v, "status").map(str::to_owned);
        if status.as_deref() == Some("entered-in-error") {
            return None;
        }
        let kind = v.pointer("/type/0").and_then(concept_text).or_else(|| {
            let class = v.get("class")?;
            str_at(class, "display")
                .or_else(|| str_at(class, "code"))
                .map(str::to_owned)
        });
        let clinicians = v
            .get("participant")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| Party::of(p.get("individual")?))
            .collect();
        let reasons = v
            .get("reasonCode")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(concept_text)
            .collect();
        Some(Self {
            kind,
            status,
            start: v
                .pointer("/period/start")
                .and_then(Value::as_str)
                .map(str::to_owned),
            end: v
                .pointer("/period/end")
                .and_then(Value::as_str)
                .map(str::to_owned),
            provider: v.get("serviceProvider").and_then(Party::of),
            location: v.pointer("/location/0/location").and_then(Party::of),
            clinicians,
            reasons,
        })
    }
}

/// One appearance of a clinician or organization in a visit or claim, and in what role.
#[derive(Debug, Clone, PartialEq)]
pub struct CareAppearance {
    /// Who.
    pub party: Party,
    /// In what role, in the record's words ("Attending", "Billing provider", "Facility").
    pub role: Option<String>,
}

/// The clinicians and organizations an Encounter or a claim (ExplanationOfBenefit, not a prior
/// authorization) names, once each (by reference, else by name) with the first role given.
pub fn care_appearances(v: &Value) -> Vec<CareAppearance> {
    let mut out: Vec<CareAppearance> = Vec::new();
    let mut push = |party: Option<Party>, role: Option<String>| {
        if let Some(party) = party {
            if !out.iter().any(|a| a.party == party) {
                out.push(CareAppearance { party, role });
            }
        }
    };
    match str_at(v, "resourceType") {
        Some("Encounter") => {
            for p in v
                .get("participant")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let role = p.pointer("/type/0").and_then(concept_text);
                push(p.get("individual").and_then(Party::of), role);
            }
            push(
                v.get("serviceProvider").and_then(Party::of),
                Some("Where the visit took place".to_owned()),
            );
        }
        Some("ExplanationOfBenefit") if !crate::is_prior_authorization(v) => {
            for m in v
                .get("careTeam")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let role = m.get("role").and_then(concept_text);
                push(m.get("provider").and_then(Party::of), role);
            }
            push(
                v.get("provider").and_then(Party::of),
                Some("Billing provider".to_owned()),
            );
            push(
                v.get("facility").and_then(Party::of),
                Some("Facility".to_owned()),
            );
        }
        _ => {}
    }
    out
}

/// A Practitioner's or Organization's name as it gives it: `name.text`, else prefix, given and
/// family names and suffix; an Organization's `name`.
pub fn party_name(v: &Value) -> Option<String> {
    match str_at(v, "resourceType")? {
        "Organization" | "Location" => str_at(v, "name").map(str::to_owned),
        "Practitioner" | "RelatedPerson" | "Patient" => {
            let names = v.get("name")?.as_array()?;
            let name = names
                .iter()
                .find(|n| str_at(n, "use") == Some("official"))
                .or_else(|| names.first())?;
            if let Some(text) = str_at(name, "text") {
                return Some(text.to_owned());
            }
            let list = |k: &str| -> Vec<&str> {
                name.get(k)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect()
            };
            let mut parts = list("prefix");
            parts.extend(list("given"));
            parts.extend(str_at(name, "family"));
            let mut whole = parts.join(" ");
            let suffix = list("suffix");
            if !suffix.is_empty() {
                whole = format!("{whole}, {}", suffix.join(", "));
            }
            (!whole.trim().is_empty()).then_some(whole)
        }
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::test_fixtures::{first_line, fixture};
    use serde_json::json;

    #[test]
    fn conditions_in_words_with_since_and_until() {
        let burn = ConditionFacts::from_value(&fixture(
            "us-core/condition-encounter-diagnosis-example1.json",
        ))
        .unwrap();
        assert_eq!(burn.name, "Burnt Ear");
        assert_eq!(burn.key.as_deref(), Some("http://snomed.info/sct|39065001"));
        assert_eq!(burn.onset.as_deref(), Some("2015-10-31"));
        assert_eq!(burn.abated.as_deref(), Some("2015-12-01"));
        assert!(!burn.is_current());
        let ulcer =
            ConditionFacts::from_value(&fixture("us-core/condition-duodenal-ulcer.json")).unwrap();
        assert_eq!(ulcer.name, "Active Duodenal Ulcer");
        assert!(ulcer.is_current());
        let mut refuted = fixture("us-core/condition-duodenal-ulcer.json");
        refuted["verificationStatus"]["coding"][0]["code"] = json!("refuted");
        assert_eq!(ConditionFacts::from_value(&refuted), None);
    }

    #[test]
    fn allergies_name_substance_reaction_and_criticality() {
        let a =
            AllergyFacts::from_value(&fixture("us-core/allergyintolerance-example.json")).unwrap();
        assert_eq!(a.substance, "sulfonamide antibacterial");
        assert_eq!(a.reactions, vec!["skin rash".to_owned()]);
        assert_eq!(a.severity.as_deref(), Some("mild"));
        assert_eq!(a.criticality.as_deref(), Some("high"));
        assert_eq!(a.category.as_deref(), Some("medication"));
        assert!(a.is_current());
    }

    #[test]
    fn immunizations_and_visits_say_what_when_where_who_why() {
        let i = ImmunizationFacts::from_value(&fixture("us-core/imm-1.json")).unwrap();
        assert_eq!(i.vaccine, "influenza, high-dose, quadrivalent");
        assert_eq!(i.key.as_deref(), Some("http://hl7.org/fhir/sid/cvx|197"));
        assert_eq!(i.date.as_deref(), Some("2020-11-19T12:46:57-08:00"));
        assert_eq!(
            i.location.and_then(|l| l.display).as_deref(),
            Some("Holy Family Hospital")
        );

        let e =
            EncounterFacts::from_value(&first_line("bulk-ndjson-10-patients/Encounter.000.ndjson"))
                .unwrap();
        assert_eq!(e.kind.as_deref(), Some("Encounter for problem (procedure)"));
        assert_eq!(e.start.as_deref(), Some("1989-10-04T02:25:16-04:00"));
        assert_eq!(
            e.reasons,
            vec!["End-stage renal disease (disorder)".to_owned()]
        );
        let who = &e.clinicians[0];
        assert_eq!(who.display.as_deref(), Some("Dr. Chelsey293 Simonis280"));
        // A conditional reference names its type but is not a relative one.
        assert_eq!(who.kind(), Some("Practitioner"));
        assert_eq!(who.relative(), None);
        assert_eq!(
            e.provider.and_then(|p| p.display).as_deref(),
            Some("NEWMAN MEMORIAL COUNTY HOSPITAL")
        );

        // No type: the class says what kind of visit.
        let inpatient =
            EncounterFacts::from_value(&fixture("us-core/encounter-1036.json")).unwrap();
        assert_eq!(inpatient.kind.as_deref(), Some("Unknown (qualifier value)"));
        assert_eq!(
            inpatient.location.and_then(|l| l.display).as_deref(),
            Some("Holy Family Hospital")
        );
    }

    #[test]
    fn the_care_team_of_a_visit_and_of_a_claim() {
        let visit = first_line("bulk-ndjson-10-patients/Encounter.000.ndjson");
        let seen = care_appearances(&visit);
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].role.as_deref(), Some("primary performer"));
        assert_eq!(seen[1].party.kind(), Some("Organization"));

        let claim = fixture("carin-bb/ExplanationOfBenefit-EOBInpatient1.json");
        let seen = care_appearances(&claim);
        assert_eq!(seen.len(), 1);
        assert_eq!(
            seen[0].party.relative(),
            Some(("Organization", "ProviderOrganization1"))
        );
        assert_eq!(seen[0].role.as_deref(), Some("Billing provider"));

        // A prior authorization is not care the member had.
        let mut auth = claim.clone();
        auth["use"] = json!("preauthorization");
        assert!(care_appearances(&auth).is_empty());
    }

    #[test]
    fn names_of_clinicians_and_organizations() {
        let dr = fixture("carin-bb/Practitioner-Practitioner1.json");
        assert_eq!(party_name(&dr).as_deref(), Some("Dr. John Smith"));
        let org = fixture("carin-bb/Organization-ProviderOrganization1.json");
        assert_eq!(party_name(&org).as_deref(), Some("Orange Medical Group"));
        let with_suffix = json!({"resourceType": "Practitioner",
            "name": [{"family": "Lee", "given": ["Ann", "B"], "suffix": ["MD"]}]});
        assert_eq!(party_name(&with_suffix).as_deref(), Some("Ann B Lee, MD"));
    }
}
