//! Medicines as a member reads them: what each MedicationRequest, MedicationStatement,
//! MedicationDispense and pharmacy claim (ExplanationOfBenefit of type `pharmacy`) says about a
//! medicine, and which of those records are the same medicine.
//!
//! Records are merged conservatively: the same RxNorm code, the same NDC package code, the same
//! name once case and spacing are set aside, or an explicit link (a dispense's
//! `authorizingPrescription`, a claim's `prescription`, a statement's `basedOn` naming the
//! request). Nothing else: an NDC is never matched to an RxNorm code, and two names that merely
//! look alike stay two medicines.

use std::collections::HashMap;

use serde_json::Value;

use crate::care::{concept_text, Party};
use crate::fields::str_at;

/// RxNorm's code system.
pub const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
/// The National Drug Code's system.
pub const NDC: &str = "http://hl7.org/fhir/sid/ndc";

/// Which kind of record said it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MedicationSource {
    /// A prescription or order (MedicationRequest).
    Request,
    /// What the member takes, as someone stated it (MedicationStatement).
    Statement,
    /// A pharmacy handing it over (MedicationDispense).
    Dispense,
    /// A pharmacy claim (ExplanationOfBenefit, type pharmacy).
    PharmacyClaim,
}

impl MedicationSource {
    /// A fill: the pharmacy handed it over (a dispense or a pharmacy claim).
    pub fn is_fill(self) -> bool {
        matches!(self, Self::Dispense | Self::PharmacyClaim)
    }
}

/// Whether the member takes a medicine, from its latest request or statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MedicationState {
    /// Active (or intended, for a statement).
    Active,
    /// On hold.
    OnHold,
    /// Stopped, completed, cancelled, not taken.
    Stopped,
    /// No request or statement says (fills only, or `unknown`, `draft`).
    NotStated,
}

/// What one record says about a medicine.
#[derive(Debug, Clone, PartialEq)]
pub struct MedicationFacts {
    /// The kind of record.
    pub source: MedicationSource,
    /// The record's `Type/id`.
    pub reference: String,
    /// The medicine in words, when the record names it.
    pub name: Option<String>,
    /// Its RxNorm code.
    pub rxnorm: Option<String>,
    /// Its NDC code.
    pub ndc: Option<String>,
    /// `status` as sent (requests and statements; a fill's status is about the fill).
    pub status: Option<String>,
    /// When: authored, taken, handed over, or the claim's service date.
    pub date: Option<String>,
    /// How to take it, in the record's words.
    pub dosage: Option<String>,
    /// Who prescribed it (a request's `requester`, a claim's prescribing care-team member).
    pub prescriber: Option<Party>,
    /// Who filled it (a dispense's performer, a pharmacy claim's provider).
    pub pharmacy: Option<Party>,
    /// The request it fills or follows (`MedicationRequest/id`).
    pub prescription: Option<String>,
    /// Days' supply of a fill.
    pub days_supply: Option<f64>,
}

/// Which status words say the member takes it, or no longer does.
pub fn medication_state(source: MedicationSource, status: Option<&str>) -> MedicationState {
    if source.is_fill() {
        return MedicationState::NotStated;
    }
    match status {
        Some("active" | "intended") => MedicationState::Active,
        Some("on-hold") => MedicationState::OnHold,
        Some("stopped" | "completed" | "cancelled" | "not-taken") => MedicationState::Stopped,
        _ => MedicationState::NotStated,
    }
}

fn code_in(concept: &Value, system: &str) -> Option<String> {
    concept
        .get("coding")?
        .as_array()?
        .iter()
        .find(|c| str_at(c, "system") == Some(system))
        .and_then(|c| str_at(c, "code"))
        .map(str::to_owned)
}

/// The medicine concept: `medicationCodeableConcept`, or a contained Medication's `code`.
fn medication_concept(obj: &Value) -> Option<&Value> {
    if let Some(c) = obj.get("medicationCodeableConcept") {
        return Some(c);
    }
    let reference = obj.pointer("/medicationReference/reference")?.as_str()?;
    let local = reference.strip_prefix('#')?;
    obj.get("contained")?
        .as_array()?
        .iter()
        .find(|r| str_at(r, "resourceType") == Some("Medication") && str_at(r, "id") == Some(local))
        .and_then(|m| m.get("code"))
}

fn first_dosage(list: Option<&Value>) -> Option<String> {
    list?
        .as_array()?
        .iter()
        .find_map(|d| str_at(d, "text"))
        .map(str::to_owned)
}

fn reference_to(value: Option<&Value>, prefix: &str) -> Option<String> {
    let r = value?.get("reference")?.as_str()?;
    r.starts_with(prefix).then(|| r.to_owned())
}

fn is_pharmacy_claim(obj: &Value) -> bool {
    obj.pointer("/type/coding")
        .and_then(Value::as_array)
        .is_some_and(|cs| cs.iter().any(|c| str_at(c, "code") == Some("pharmacy")))
        && !crate::is_prior_authorization(obj)
}

fn days_supply_of_claim(obj: &Value) -> Option<f64> {
    obj.get("supportingInfo")?.as_array()?.iter().find_map(|s| {
        let is_days = s
            .pointer("/category/coding")?
            .as_array()?
            .iter()
            .any(|c| str_at(c, "code") == Some("dayssupply"));
        if is_days {
            s.pointer("/valueQuantity/value")?.as_f64()
        } else {
            None
        }
    })
}

fn prescriber_of_claim(obj: &Value) -> Option<Party> {
    obj.get("careTeam")?.as_array()?.iter().find_map(|m| {
        let prescribing = m
            .pointer("/role/coding")?
            .as_array()?
            .iter()
            .any(|c| str_at(c, "code") == Some("prescribing"));
        if prescribing {
            Party::of(m.get("provider")?)
        } else {
            None
        }
    })
}

impl MedicationFacts {
    /// What the record says, or `None` when it is not about a medicine (an ExplanationOfBenefit
    /// that is not a pharmacy claim, any other type, a record entered in error).
    pub fn from_value(resource: &Value) -> Option<Self> {
        let kind = str_at(resource, "resourceType")?;
        let id = str_at(resource, "id")?;
        let status = str_at(resource, "status").map(str::to_owned);
        if status.as_deref() == Some("entered-in-error") {
            return None;
        }
        let reference = format!("{kind}/{id}");
        let from_concept = |concept: Option<&Value>| {
            (
                concept.and_then(concept_text),
                concept.and_then(|c| code_in(c, RXNORM)),
                concept.and_then(|c| code_in(c, NDC)),
            )
        };
        match kind {
            "MedicationRequest" | "MedicationStatement" | "MedicationDispense" => {
                let (name, rxnorm, ndc) = from_concept(medication_concept(resource));
                let base = Self {
                    source: MedicationSource::Request,
                    reference,
                    name,
                    rxnorm,
                    ndc,
                    status,
                    date: None,
                    dosage: None,
                    prescriber: None,
                    pharmacy: None,
                    prescription: None,
                    days_supply: None,
                };
                Some(match kind {
                    "MedicationRequest" => Self {
                        date: str_at(resource, "authoredOn").map(str::to_owned),
                        dosage: first_dosage(resource.get("dosageInstruction")),
                        prescriber: resource.get("requester").and_then(Party::of),
                        ..base
                    },
                    "MedicationStatement" => Self {
                        source: MedicationSource::Statement,
                        date: ["effectiveDateTime", "dateAsserted"]
                            .iter()
                            .find_map(|k| str_at(resource, k))
                            .or_else(|| resource.pointer("/effectivePeriod/start")?.as_str())
                            .map(str::to_owned),
                        dosage: first_dosage(resource.get("dosage")),
                        prescription: resource.get("basedOn").and_then(Value::as_array).and_then(
                            |b| {
                                b.iter()
                                    .find_map(|r| reference_to(Some(r), "MedicationRequest/"))
                            },
                        ),
                        ..base
                    },
                    _ => Self {
                        source: MedicationSource::Dispense,
                        date: ["whenHandedOver", "whenPrepared"]
                            .iter()
                            .find_map(|k| str_at(resource, k))
                            .map(str::to_owned),
                        dosage: first_dosage(resource.get("dosageInstruction")),
                        pharmacy: resource.pointer("/performer/0/actor").and_then(Party::of),
                        prescription: resource
                            .get("authorizingPrescription")
                            .and_then(Value::as_array)
                            .and_then(|b| {
                                b.iter()
                                    .find_map(|r| reference_to(Some(r), "MedicationRequest/"))
                            }),
                        days_supply: resource
                            .pointer("/daysSupply/value")
                            .and_then(Value::as_f64),
                        ..base
                    },
                })
            }
            "ExplanationOfBenefit" if is_pharmacy_claim(resource) => {
                let item = resource.pointer("/item/0");
                let (name, rxnorm, ndc) =
                    from_concept(item.and_then(|i| i.get("productOrService")));
                let date = item
                    .and_then(|i| str_at(i, "servicedDate"))
                    .or_else(|| resource.pointer("/billablePeriod/start")?.as_str())
                    .map(str::to_owned);
                Some(Self {
                    source: MedicationSource::PharmacyClaim,
                    reference,
                    name,
                    rxnorm,
                    ndc,
                    status,
                    date,
                    dosage: None,
                    prescriber: prescriber_of_claim(resource),
                    pharmacy: resource.get("provider").and_then(Party::of),
                    prescription: reference_to(resource.get("prescription"), "MedicationRequest/"),
                    days_supply: days_supply_of_claim(resource),
                })
            }
            _ => None,
        }
    }
}

/// A name as compared for merging: lower case, single spaces.
pub fn normalized_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Union-find over record positions.
struct Groups(Vec<usize>);

impl Groups {
    fn root(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.root(a), self.root(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

/// Which records are the same medicine. Each record comes with the scope its references
/// resolve in (its connection), so `MedicationRequest/1` at one plan is not another plan's.
/// Returns groups of positions, each in input order, groups ordered by their first record.
pub fn group_medications(records: &[(&str, &MedicationFacts)]) -> Vec<Vec<usize>> {
    let mut groups = Groups((0..records.len()).collect());
    let mut first_with: HashMap<String, usize> = HashMap::new();
    for (i, (scope, f)) in records.iter().enumerate() {
        let mut keys = Vec::new();
        if let Some(rx) = &f.rxnorm {
            keys.push(format!("rxnorm|{rx}"));
        }
        if let Some(ndc) = &f.ndc {
            keys.push(format!("ndc|{ndc}"));
        }
        if let Some(name) = f.name.as_deref().map(normalized_name) {
            if !name.is_empty() {
                keys.push(format!("name|{name}"));
            }
        }
        if f.source == MedicationSource::Request {
            keys.push(format!("ref|{scope}|{}", f.reference));
        }
        if let Some(p) = &f.prescription {
            keys.push(format!("ref|{scope}|{p}"));
        }
        for key in keys {
            match first_with.get(&key) {
                Some(&j) => groups.join(i, j),
                None => {
                    first_with.insert(key, i);
                }
            }
        }
    }
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut slot: HashMap<usize, usize> = HashMap::new();
    for i in 0..records.len() {
        let root = groups.root(i);
        let at = *slot.entry(root).or_insert_with(|| {
            out.push(Vec::new());
            out.len() - 1
        });
        out[at].push(i);
    }
    out
}

/// One medicine, summed up from its records.
#[derive(Debug, Clone, PartialEq)]
pub struct Medicine {
    /// Its name: the latest request's or statement's, else the latest fill's.
    pub name: Option<String>,
    /// RxNorm code, when a record carries one.
    pub rxnorm: Option<String>,
    /// Whether the member takes it: the latest request's or statement's status.
    pub state: MedicationState,
    /// That status as sent.
    pub status: Option<String>,
    /// How to take it: the latest instructions.
    pub dosage: Option<String>,
    /// The latest prescriber named.
    pub prescriber: Option<Party>,
    /// When it was last filled (the latest dispense or pharmacy claim).
    pub last_filled: Option<String>,
    /// Where it was last filled.
    pub pharmacy: Option<Party>,
    /// Days' supply of the last fill.
    pub days_supply: Option<f64>,
    /// How many fills.
    pub fills: u32,
    /// The earliest date any record gives.
    pub since: Option<String>,
    /// The latest date any record gives.
    pub latest: Option<String>,
}

/// Sums up one group of records (from [`group_medications`]).
pub fn summarize_medicine(records: &[&MedicationFacts]) -> Medicine {
    // Newest first; undated records last.
    let mut by_date: Vec<&MedicationFacts> = records.to_vec();
    by_date.sort_by(|a, b| match (&a.date, &b.date) {
        (Some(x), Some(y)) => y.cmp(x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let orders: Vec<&&MedicationFacts> = by_date.iter().filter(|f| !f.source.is_fill()).collect();
    let fills: Vec<&&MedicationFacts> = by_date.iter().filter(|f| f.source.is_fill()).collect();
    let latest_order = orders.first();
    let name = orders
        .iter()
        .chain(fills.iter())
        .find_map(|f| f.name.clone());
    Medicine {
        name,
        rxnorm: by_date.iter().find_map(|f| f.rxnorm.clone()),
        state: latest_order
            .map(|f| medication_state(f.source, f.status.as_deref()))
            .unwrap_or(MedicationState::NotStated),
        status: latest_order.and_then(|f| f.status.clone()),
        dosage: orders
            .iter()
            .chain(fills.iter())
            .find_map(|f| f.dosage.clone()),
        prescriber: orders
            .iter()
            .chain(fills.iter())
            .find_map(|f| f.prescriber.clone()),
        last_filled: fills.first().and_then(|f| f.date.clone()),
        pharmacy: fills.first().and_then(|f| f.pharmacy.clone()),
        days_supply: fills.first().and_then(|f| f.days_supply),
        fills: u32::try_from(fills.len()).unwrap_or(u32::MAX),
        since: by_date.iter().rev().find_map(|f| f.date.clone()),
        latest: by_date.first().and_then(|f| f.date.clone()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::test_fixtures::fixture;
    use serde_json::json;

    fn facts(v: &Value) -> MedicationFacts {
        MedicationFacts::from_value(v).unwrap()
    }

    fn request(id: &str, rx: Option<&str>, name: &str, status: &str, date: &str) -> Value {
        let mut coding = vec![];
        if let Some(rx) = rx {
            coding.push(json!({"system": RXNORM, "code": rx, "display": name}));
        }
        json!({"resourceType": "MedicationRequest", "id": id, "status": status,
            "intent": "order", "authoredOn": date,
            "medicationCodeableConcept": {"coding": coding, "text": name},
            "requester": {"reference": "Practitioner/p1", "display": "Dr. One"},
            "dosageInstruction": [{"text": "1 tablet daily"}]})
    }

    fn pharmacy_claim(id: &str, prescription: Option<&str>, ndc: &str, date: &str) -> Value {
        let mut v = json!({"resourceType": "ExplanationOfBenefit", "id": id, "use": "claim",
            "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "pharmacy"}]},
            "provider": {"reference": "Organization/pharm"},
            "item": [{"sequence": 1, "servicedDate": date,
                "productOrService": {"coding": [{"system": NDC, "code": ndc, "display": format!("package {ndc}")}]}}]});
        if let Some(p) = prescription {
            v["prescription"] = json!({"reference": p});
        }
        v
    }

    #[test]
    fn us_core_requests_read_name_code_status_dose_and_prescriber() {
        let coded = facts(&fixture("us-core/medicationrequest-coded-oral-axid.json"));
        assert_eq!(coded.source, MedicationSource::Request);
        assert_eq!(
            coded.name.as_deref(),
            Some("Nizatidine 15 MG/ML Oral Solution")
        );
        assert_eq!(coded.rxnorm.as_deref(), Some("476872"));
        assert_eq!(coded.status.as_deref(), Some("active"));
        assert_eq!(coded.date.as_deref(), Some("2008-04-05"));
        assert_eq!(coded.dosage.as_deref(), Some("10 mL bid"));
        let prescriber = coded.prescriber.clone().unwrap();
        assert_eq!(prescriber.display.as_deref(), Some("Ronald Bone, MD"));
        assert_eq!(
            prescriber.reference.as_deref(),
            Some("Practitioner/practitioner-1")
        );

        // A contained Medication names the medicine; a different RxNorm code and name is
        // another medicine: no merge on a resemblance.
        let contained = facts(&fixture(
            "us-core/medicationrequest-contained-oral-axid.json",
        ));
        assert_eq!(contained.rxnorm.as_deref(), Some("582620"));
        assert_eq!(
            contained.name.as_deref(),
            Some("Nizatidine 15 MG/ML Oral Solution [Axid]")
        );
        let groups = group_medications(&[("a", &coded), ("a", &contained)]);
        assert_eq!(groups, vec![vec![0], vec![1]]);
    }

    #[test]
    fn fills_from_a_pdex_dispense_and_a_carin_pharmacy_claim() {
        let dispense = facts(&fixture("pdex/MedicationDispense-1000001.json"));
        assert_eq!(dispense.source, MedicationSource::Dispense);
        assert_eq!(dispense.ndc.as_deref(), Some("54458-872-10"));
        assert_eq!(
            dispense.date.as_deref(),
            Some("2024-04-15T09:00:23.217+00:00")
        );
        assert_eq!(dispense.days_supply, Some(30.0));
        assert_eq!(
            dispense.pharmacy.and_then(|p| p.reference).as_deref(),
            Some("Practitioner/4")
        );

        let claim = facts(&fixture("carin-bb/ExplanationOfBenefit-EOBPharmacy1.json"));
        assert_eq!(claim.source, MedicationSource::PharmacyClaim);
        assert_eq!(claim.ndc.as_deref(), Some("0777-3105-02"));
        assert!(claim.name.as_deref().unwrap().starts_with("Prozac"));
        assert_eq!(claim.date.as_deref(), Some("2019-07-02"));
        assert_eq!(claim.days_supply, Some(30.0));
        assert_eq!(
            claim.pharmacy.and_then(|p| p.display).as_deref(),
            Some("XXX Health Plan")
        );
        // A fill says nothing of whether the member still takes it.
        assert_eq!(
            medication_state(claim.source, claim.status.as_deref()),
            MedicationState::NotStated
        );

        // Other claims are not medicines.
        let professional = fixture("carin-bb/ExplanationOfBenefit-EOBProfessional1.json");
        assert_eq!(MedicationFacts::from_value(&professional), None);
    }

    #[test]
    fn same_code_same_name_or_a_link_is_one_medicine_and_the_latest_status_wins() {
        let old = facts(&request(
            "r1",
            Some("314076"),
            "lisinopril 10 MG Oral Tablet",
            "completed",
            "2020-01-10",
        ));
        let new = facts(&request(
            "r2",
            Some("314076"),
            "Lisinopril 10 mg oral tablet",
            "active",
            "2024-03-01",
        ));
        // Linked to r1 by its prescription, though its NDC says nothing RxNorm does.
        let fill = facts(&pharmacy_claim(
            "c1",
            Some("MedicationRequest/r1"),
            "68180051401",
            "2024-04-02",
        ));
        // Same name once case and spaces are set aside, no code at all.
        let stated = facts(
            &json!({"resourceType": "MedicationStatement", "id": "s1", "status": "active",
            "effectiveDateTime": "2023-06-01",
            "medicationCodeableConcept": {"text": "LISINOPRIL  10 MG ORAL TABLET"}}),
        );
        let other = facts(&request(
            "r3",
            Some("197361"),
            "amlodipine 5 MG Oral Tablet",
            "stopped",
            "2022-01-01",
        ));
        // The same request id at another plan is another record.
        let elsewhere = facts(&pharmacy_claim(
            "c9",
            Some("MedicationRequest/r1"),
            "00069152030",
            "2021-01-01",
        ));
        let records = [
            ("a", &old),
            ("a", &new),
            ("a", &fill),
            ("a", &stated),
            ("a", &other),
            ("b", &elsewhere),
        ];
        let groups = group_medications(&records);
        assert_eq!(groups, vec![vec![0, 1, 2, 3], vec![4], vec![5]]);

        let members: Vec<&MedicationFacts> = groups[0].iter().map(|&i| records[i].1).collect();
        let m = summarize_medicine(&members);
        assert_eq!(m.state, MedicationState::Active);
        assert_eq!(m.name.as_deref(), Some("Lisinopril 10 mg oral tablet"));
        assert_eq!(m.rxnorm.as_deref(), Some("314076"));
        assert_eq!(m.dosage.as_deref(), Some("1 tablet daily"));
        assert_eq!(m.last_filled.as_deref(), Some("2024-04-02"));
        assert_eq!(m.fills, 1);
        assert_eq!(m.since.as_deref(), Some("2020-01-10"));
        assert_eq!(
            m.prescriber.and_then(|p| p.display).as_deref(),
            Some("Dr. One")
        );

        // A later stop wins over an earlier active.
        let stop = facts(&request(
            "r4",
            Some("314076"),
            "lisinopril",
            "stopped",
            "2025-01-01",
        ));
        let m = summarize_medicine(&[&old, &new, &stop]);
        assert_eq!(m.state, MedicationState::Stopped);
        assert_eq!(m.status.as_deref(), Some("stopped"));

        // Fills alone: the status is not stated.
        let m = summarize_medicine(&[&elsewhere]);
        assert_eq!(m.state, MedicationState::NotStated);
        assert_eq!(m.last_filled.as_deref(), Some("2021-01-01"));
    }

    #[test]
    fn a_record_entered_in_error_is_not_a_medicine() {
        let mut v = request("r1", Some("1"), "x", "entered-in-error", "2020-01-01");
        assert_eq!(MedicationFacts::from_value(&v), None);
        v["status"] = json!("on-hold");
        let f = facts(&v);
        assert_eq!(
            medication_state(f.source, f.status.as_deref()),
            MedicationState::OnHold
        );
    }
}
