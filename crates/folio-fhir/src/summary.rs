//! A record's people's fields, in the order a member reads them: what it is, the value with its
//! unit, the usual range and the lab's flag, the dates, who (performer, prescriber, clinician)
//! and where (location, organization), and the status. What the record does not say is left
//! out, never guessed; codes are shown with the words the record carries.

use serde_json::{Map, Value};

use crate::care::Party;
use crate::fields::{main_concept, str_at};
use crate::observation::{Measure, ObservationFacts};
use crate::readable::{readable_name, unit_words, ReadableName};

/// One fact about a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// What the fact is, in words ("Result", "Prescribed by").
    pub label: &'static str,
    /// The fact.
    pub value: FactValue,
}

/// A fact's value: words, a date to show in the member's format, or a party to name.
#[derive(Debug, Clone, PartialEq)]
pub enum FactValue {
    /// Words.
    Text(String),
    /// A FHIR date or dateTime, as sent.
    Date(String),
    /// A clinician, organization or place; its name is looked up when only referenced.
    Party(Party),
}

/// What a record says, as a member reads it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordFacts {
    /// What it is, in words (a readable test name, a medicine, a condition).
    pub name: Option<ReadableName>,
    /// The lab's interpretation code (`H`, `L`, `N`, ...), for an Observation.
    pub flag: Option<String>,
    /// The facts, people's fields first.
    pub facts: Vec<Fact>,
}

/// A number as a lab prints it: no trailing zeros, at most three decimals.
fn number(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A value with its unit in words: "5.4 thousand per µL", "5.4%".
pub fn value_with_unit(m: &Measure) -> String {
    let value = format!(
        "{}{}",
        m.comparator.as_deref().unwrap_or(""),
        number(m.value)
    );
    match m.unit.as_deref().map(unit_words).filter(|u| !u.is_empty()) {
        Some(u) if u == "%" => format!("{value}%"),
        Some(u) => format!("{value} {u}"),
        None => value,
    }
}

/// The usual range with its unit in words: "70–99 mg/dL".
pub fn range_with_unit(m: &Measure) -> Option<String> {
    let unit = m
        .unit
        .as_deref()
        .map(unit_words)
        .filter(|u| !u.is_empty())
        .map(|u| format!(" {u}"))
        .unwrap_or_default();
    match (m.low, m.high) {
        (Some(l), Some(h)) => Some(format!("{}–{}{unit}", number(l), number(h))),
        (Some(l), None) => Some(format!("{} or more{unit}", number(l))),
        (None, Some(h)) => Some(format!("up to {}{unit}", number(h))),
        (None, None) => None,
    }
}

/// A concept's words: its `text`, then its codings' displays (plain first), else a code.
fn concept_name(concept: &Value) -> Option<ReadableName> {
    let codings: Vec<&Value> = concept
        .get("coding")
        .and_then(Value::as_array)
        .map(|c| c.iter().collect())
        .unwrap_or_default();
    let candidates = str_at(concept, "text")
        .into_iter()
        .chain(codings.iter().filter_map(|c| str_at(c, "display")));
    readable_name(candidates).or_else(|| {
        codings
            .iter()
            .find_map(|c| str_at(c, "code"))
            .map(|code| ReadableName {
                short: code.to_owned(),
                full: None,
            })
    })
}

fn concept_words(concept: &Value) -> Option<String> {
    concept_name(concept).map(|n| n.short)
}

/// A code written for reading: "entered-in-error" → "Entered in error".
fn code_words(code: &str) -> String {
    let spaced = code.replace(['-', '_'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => spaced,
    }
}

/// The first item of an array element, or the element itself.
fn first(v: &Value) -> &Value {
    v.as_array().and_then(|a| a.first()).unwrap_or(v)
}

struct Facts<'a> {
    obj: &'a Map<String, Value>,
    out: Vec<Fact>,
}

impl<'a> Facts<'a> {
    fn text(&mut self, label: &'static str, text: Option<String>) {
        if let Some(t) = text.filter(|t| !t.trim().is_empty()) {
            self.out.push(Fact {
                label,
                value: FactValue::Text(t),
            });
        }
    }
    fn date(&mut self, label: &'static str, path: &str) {
        if let Some(d) = self.at(path).and_then(Value::as_str) {
            self.out.push(Fact {
                label,
                value: FactValue::Date(d.to_owned()),
            });
        }
    }
    /// The first of several date paths that holds one.
    fn date_of(&mut self, label: &'static str, paths: &[&str]) {
        if let Some(path) = paths
            .iter()
            .find(|p| self.at(p).and_then(Value::as_str).is_some())
        {
            self.date(label, path);
        }
    }
    fn at(&self, path: &str) -> Option<&'a Value> {
        let mut parts = path.split('.');
        let mut current = self.obj.get(parts.next()?)?;
        for part in parts {
            current = first(current).get(part)?;
        }
        Some(current)
    }
    /// Each party an element (a Reference, or an array of them, or of `{<inner>: Reference}`) names.
    fn parties(&mut self, label: &'static str, path: &str, inner: Option<&str>) {
        let Some(v) = self.at(path) else { return };
        let items: Vec<&Value> = match v.as_array() {
            Some(a) => a.iter().collect(),
            None => vec![v],
        };
        for item in items {
            let reference = match inner {
                Some(k) => item.get(k),
                None => Some(item),
            };
            if let Some(party) = reference.and_then(Party::of) {
                self.out.push(Fact {
                    label,
                    value: FactValue::Party(party),
                });
            }
        }
    }
    fn concept(&mut self, label: &'static str, path: &str) {
        let words = self.at(path).map(first).and_then(concept_words);
        self.text(label, words);
    }
    /// Each concept of the array at `path`, in words.
    fn concepts(&mut self, label: &'static str, path: &str) {
        for c in self
            .at(path)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.text(label, concept_words(c));
        }
    }
    /// The string at `path`, as the record words it.
    fn string(&mut self, label: &'static str, path: &str) {
        let text = self.at(path).and_then(Value::as_str).map(str::to_owned);
        self.text(label, text);
    }
    fn status(&mut self) {
        if let Some(c) = self.at("clinicalStatus") {
            let words = concept_words(c).map(|w| code_words(&w));
            self.text("Status", words);
        } else {
            let words = self.at("status").and_then(Value::as_str).map(code_words);
            self.text("Status", words);
        }
    }
}

/// What a record says, people's fields first. Any resource type: the common elements are read
/// where they are, and each type's own (a result's value, a prescription's dose) besides.
pub fn record_facts(resource: &Value) -> RecordFacts {
    let Some(obj) = resource.as_object() else {
        return RecordFacts::default();
    };
    let kind = str_at(resource, "resourceType").unwrap_or_default();
    let mut name = main_concept(obj).and_then(concept_name);
    let mut flag = None;
    let mut f = Facts {
        obj,
        out: Vec::new(),
    };

    if let Some(o) = ObservationFacts::from_value(resource) {
        match o.measures.as_slice() {
            [] => f.text("Result", o.text_value.clone()),
            [one] if one.code == o.loinc && one.name == o.name => {
                f.text("Result", Some(value_with_unit(one)));
                f.text("Usual range", range_with_unit(one));
            }
            many => {
                for m in many {
                    let label = readable_name([m.name.as_str()]).map(|n| n.short);
                    f.text(
                        "Result",
                        Some(format!(
                            "{}: {}",
                            label.unwrap_or_default(),
                            value_with_unit(m)
                        )),
                    );
                    if let Some(r) = range_with_unit(m) {
                        f.text("Usual range", Some(r));
                    }
                }
            }
        }
        if o.measures.is_empty() {
            f.string("Usual range", "referenceRange.text");
        }
        flag = o.flag.clone();
        f.concept("Flag", "interpretation");
        f.date_of(
            "Measured",
            &[
                "effectiveDateTime",
                "effectivePeriod.start",
                "effectiveInstant",
            ],
        );
        f.date("Reported", "issued");
        f.concept("Specimen", "specimen.display");
        f.parties("Performed by", "performer", None);
    }

    match kind {
        "Condition" => {
            f.date_of("Since", &["onsetDateTime", "onsetPeriod.start"]);
            f.string("Since", "onsetString");
            f.date_of("Resolved", &["abatementDateTime", "abatementPeriod.start"]);
            f.date("Recorded", "recordedDate");
            f.concept("Confirmed", "verificationStatus");
            f.parties("Recorded by", "recorder", None);
            f.parties("Noted by", "asserter", None);
        }
        "AllergyIntolerance" => {
            f.text(
                "Criticality",
                f.at("criticality").and_then(Value::as_str).map(code_words),
            );
            for r in f
                .at("reaction")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                for m in r
                    .get("manifestation")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    f.text("Reaction", concept_words(m));
                }
            }
            f.date_of("Since", &["onsetDateTime", "onsetPeriod.start"]);
            f.date("Recorded", "recordedDate");
            f.parties("Recorded by", "recorder", None);
        }
        "MedicationRequest" => {
            f.string("How to take", "dosageInstruction.text");
            f.date("Prescribed", "authoredOn");
            f.parties("Prescribed by", "requester", None);
            f.text(
                "Refills",
                f.at("dispenseRequest.numberOfRepeatsAllowed")
                    .and_then(Value::as_u64)
                    .map(|n| n.to_string()),
            );
        }
        "MedicationDispense" => {
            f.text("Quantity", quantity(f.at("quantity")));
            f.text("Days' supply", quantity(f.at("daysSupply")));
            f.date_of("Filled", &["whenHandedOver", "whenPrepared"]);
            f.parties("Pharmacy", "performer", Some("actor"));
            f.parties("Pharmacy", "location", None);
        }
        "MedicationStatement" => {
            f.string("How to take", "dosage.text");
            f.date_of(
                "Taken from",
                &["effectivePeriod.start", "effectiveDateTime"],
            );
            f.date("Taken until", "effectivePeriod.end");
            f.parties("Noted by", "informationSource", None);
        }
        "Immunization" => {
            f.date("Given", "occurrenceDateTime");
            f.text("Dose", quantity(f.at("doseQuantity")));
            f.parties("Given by", "performer", Some("actor"));
            f.parties("Where", "location", None);
            f.string("Lot", "lotNumber");
        }
        "Encounter" => {
            if name.is_none() {
                name = f.at("class").and_then(|c| {
                    str_at(c, "display").map(|d| ReadableName {
                        short: d.to_owned(),
                        full: None,
                    })
                });
            }
            f.date("Began", "period.start");
            f.date("Ended", "period.end");
            f.concepts("Reason", "reasonCode");
            f.parties("Seen by", "participant", Some("individual"));
            f.parties("Where", "location", Some("location"));
            f.parties("Organization", "serviceProvider", None);
            f.concept("Discharge", "hospitalization.dischargeDisposition");
        }
        "Procedure" => {
            f.date_of("Done", &["performedDateTime", "performedPeriod.start"]);
            f.parties("Done by", "performer", Some("actor"));
            f.parties("Where", "location", None);
            f.concepts("Reason", "reasonCode");
        }
        "DiagnosticReport" => {
            f.date_of("Collected", &["effectiveDateTime", "effectivePeriod.start"]);
            f.date("Reported", "issued");
            f.parties("Reported by", "performer", None);
            f.string("Conclusion", "conclusion");
        }
        "DocumentReference" => {
            f.date("Written", "date");
            f.parties("Written by", "author", None);
            f.parties("Kept by", "custodian", None);
        }
        "CarePlan" | "CareTeam" | "Coverage" => {
            f.date("From", "period.start");
            f.date("Until", "period.end");
        }
        _ => {}
    }
    f.status();
    RecordFacts {
        name,
        flag,
        facts: f.out,
    }
}

/// A Quantity (or a SimpleQuantity) in words: "30 tablets", "90 days".
fn quantity(q: Option<&Value>) -> Option<String> {
    let q = q?;
    let value = number(q.get("value").and_then(Value::as_f64)?);
    let unit = str_at(q, "unit")
        .or_else(|| str_at(q, "code"))
        .map(unit_words);
    Some(match unit.filter(|u| !u.is_empty()) {
        Some(u) => format!("{value} {u}"),
        None => value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(facts: &RecordFacts, label: &str) -> Vec<String> {
        facts
            .facts
            .iter()
            .filter(|f| f.label == label)
            .map(|f| match &f.value {
                FactValue::Text(t) | FactValue::Date(t) => t.clone(),
                FactValue::Party(p) => p
                    .display
                    .clone()
                    .or(p.reference.clone())
                    .unwrap_or_default(),
            })
            .collect()
    }

    #[test]
    fn a_lab_result_reads_as_value_range_flag_dates_and_who() {
        let o = json!({
            "resourceType": "Observation", "id": "o1", "status": "final",
            "category": [{"coding": [{"code": "laboratory"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": "6690-2",
                "display": "Leukocytes [#/volume] in Blood by Automated count"}]},
            "effectiveDateTime": "2026-10-02T09:00:00Z", "issued": "2026-10-02T15:00:00Z",
            "valueQuantity": {"value": 11.2, "unit": "10*3/uL", "system": "http://unitsofmeasure.org", "code": "10*3/uL"},
            "referenceRange": [{"low": {"value": 4.5}, "high": {"value": 11.0}}],
            "interpretation": [{"coding": [{"code": "H", "display": "High"}]}],
            "performer": [{"reference": "Organization/lab1", "display": "Quest Diagnostics"}, {"reference": "Practitioner/p1"}]
        });
        let f = record_facts(&o);
        let name = f.name.clone().unwrap_or_else(|| ReadableName {
            short: String::new(),
            full: None,
        });
        assert_eq!(name.short, "Leukocytes");
        assert_eq!(
            name.full.as_deref(),
            Some("Leukocytes [#/volume] in Blood by Automated count")
        );
        assert_eq!(text(&f, "Result"), ["11.2 thousand per µL"]);
        assert_eq!(text(&f, "Usual range"), ["4.5–11 thousand per µL"]);
        assert_eq!(text(&f, "Flag"), ["High"]);
        assert_eq!(f.flag.as_deref(), Some("H"));
        assert_eq!(text(&f, "Measured"), ["2026-10-02T09:00:00Z"]);
        assert_eq!(text(&f, "Reported"), ["2026-10-02T15:00:00Z"]);
        assert_eq!(
            text(&f, "Performed by"),
            ["Quest Diagnostics", "Practitioner/p1"]
        );
        assert_eq!(text(&f, "Status"), ["Final"]);
        // People's fields first, the status last.
        assert_eq!(f.facts.first().map(|x| x.label), Some("Result"));
        assert_eq!(f.facts.last().map(|x| x.label), Some("Status"));
    }

    #[test]
    fn blood_pressure_reads_each_component() {
        let o = json!({
            "resourceType": "Observation", "status": "final",
            "code": {"text": "Blood pressure"},
            "component": [
                {"code": {"text": "Systolic blood pressure"}, "valueQuantity": {"value": 128, "unit": "mm[Hg]"}},
                {"code": {"text": "Diastolic blood pressure"}, "valueQuantity": {"value": 82, "unit": "mm[Hg]"}}
            ]
        });
        let f = record_facts(&o);
        assert_eq!(
            text(&f, "Result"),
            [
                "Systolic blood pressure: 128 mmHg",
                "Diastolic blood pressure: 82 mmHg"
            ]
        );
    }

    #[test]
    fn a_prescription_reads_as_dose_date_and_prescriber() {
        let m = json!({
            "resourceType": "MedicationRequest", "status": "active",
            "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "860975",
                "display": "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet"}]},
            "authoredOn": "2025-03-01",
            "requester": {"reference": "Practitioner/p9", "display": "Dr. Ana Ruiz"},
            "dosageInstruction": [{"text": "1 tablet by mouth daily with dinner"}],
            "dispenseRequest": {"numberOfRepeatsAllowed": 3}
        });
        let f = record_facts(&m);
        assert_eq!(
            f.name.as_ref().map(|n| n.short.as_str()),
            Some("24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet")
        );
        assert_eq!(
            text(&f, "How to take"),
            ["1 tablet by mouth daily with dinner"]
        );
        assert_eq!(text(&f, "Prescribed"), ["2025-03-01"]);
        assert_eq!(text(&f, "Prescribed by"), ["Dr. Ana Ruiz"]);
        assert_eq!(text(&f, "Refills"), ["3"]);
        assert_eq!(text(&f, "Status"), ["Active"]);
    }

    #[test]
    fn a_visit_reads_as_dates_who_and_where() {
        let e = json!({
            "resourceType": "Encounter", "status": "finished",
            "class": {"code": "AMB", "display": "ambulatory"},
            "type": [{"text": "Office visit"}],
            "period": {"start": "2026-10-02T09:00:00Z", "end": "2026-10-02T09:40:00Z"},
            "participant": [{"individual": {"reference": "Practitioner/p1", "display": "Dr. Lee"}}],
            "location": [{"location": {"reference": "Location/l1", "display": "Riverside Family Clinic"}}],
            "serviceProvider": {"reference": "Organization/o1"}
        });
        let f = record_facts(&e);
        assert_eq!(
            f.name.as_ref().map(|n| n.short.as_str()),
            Some("Office visit")
        );
        assert_eq!(text(&f, "Began"), ["2026-10-02T09:00:00Z"]);
        assert_eq!(text(&f, "Seen by"), ["Dr. Lee"]);
        assert_eq!(text(&f, "Where"), ["Riverside Family Clinic"]);
        assert_eq!(text(&f, "Organization"), ["Organization/o1"]);
        assert_eq!(text(&f, "Status"), ["Finished"]);
    }

    #[test]
    fn a_condition_reads_its_clinical_status_and_dates() {
        let c = json!({
            "resourceType": "Condition",
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "resolved"}]},
            "code": {"text": "Acute bronchitis"},
            "onsetDateTime": "2024-01-03", "abatementDateTime": "2024-02-01"
        });
        let f = record_facts(&c);
        assert_eq!(text(&f, "Since"), ["2024-01-03"]);
        assert_eq!(text(&f, "Resolved"), ["2024-02-01"]);
        assert_eq!(text(&f, "Status"), ["Resolved"]);
    }
}
