//! What an Observation (a lab result or a vital sign) says, in the shape a member reads it:
//! which test, when, the value with its unit, the reference range and the lab's flag. Blood
//! pressure and other panels carry their values as components; each becomes a measure.

use serde_json::{Map, Value};

use crate::fields::{clinical_date, first_str, str_at};

/// LOINC's system URI.
pub const LOINC: &str = "http://loinc.org";

/// One measured value.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    /// The LOINC code of what was measured (the component's, for a component).
    pub code: Option<String>,
    /// What was measured, in words.
    pub name: String,
    /// The number.
    pub value: f64,
    /// `<`, `<=`, `>=`, `>` when the lab reported a bound rather than a value.
    pub comparator: Option<String>,
    /// The unit as shown (`unit`, else the UCUM code).
    pub unit: Option<String>,
    /// The UCUM code, when the unit is coded in UCUM.
    pub ucum: Option<String>,
    /// Reference range, low end.
    pub low: Option<f64>,
    /// Reference range, high end.
    pub high: Option<f64>,
}

/// The facts of one Observation.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservationFacts {
    /// The LOINC code of the test (`None` when the test is not coded in LOINC).
    pub loinc: Option<String>,
    /// The test's name in words.
    pub name: String,
    /// Category codes (`laboratory`, `vital-signs`, ...).
    pub categories: Vec<String>,
    /// When it was measured, as sent.
    pub effective: Option<String>,
    /// Numeric values: the value itself, or one per component.
    pub measures: Vec<Measure>,
    /// A result given in words (`valueString`, `valueCodeableConcept`).
    pub text_value: Option<String>,
    /// The lab's interpretation code (`H`, `L`, `N`, `A`, `HH`, `LL`, ...).
    pub flag: Option<String>,
    /// The status (`final`, `preliminary`, `amended`, `entered-in-error`, ...).
    pub status: Option<String>,
}

fn concept_loinc(concept: &Value) -> Option<String> {
    concept
        .get("coding")?
        .as_array()?
        .iter()
        .find(|c| str_at(c, "system") == Some(LOINC))
        .and_then(|c| str_at(c, "code"))
        .map(str::to_owned)
}

fn concept_text(concept: &Value) -> Option<String> {
    str_at(concept, "text")
        .filter(|t| !t.trim().is_empty())
        .or_else(|| {
            concept
                .get("coding")?
                .as_array()?
                .iter()
                .find_map(|c| str_at(c, "display").filter(|d| !d.trim().is_empty()))
        })
        .map(|t| t.trim().to_owned())
}

fn number(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64).filter(|n| n.is_finite())
}

fn quantity_measure(
    q: &Value,
    code: Option<String>,
    name: String,
    range: Option<&Value>,
) -> Option<Measure> {
    let value = number(q, "value")?;
    let ucum = (str_at(q, "system") == Some("http://unitsofmeasure.org"))
        .then(|| str_at(q, "code"))
        .flatten()
        .map(str::to_owned);
    let unit = str_at(q, "unit")
        .filter(|u| !u.trim().is_empty())
        .map(str::to_owned)
        .or_else(|| ucum.clone());
    let range = range.and_then(Value::as_array).and_then(|r| r.first());
    Some(Measure {
        code,
        name,
        value,
        comparator: str_at(q, "comparator").map(str::to_owned),
        unit,
        ucum,
        low: range
            .and_then(|r| r.get("low"))
            .and_then(|l| number(l, "value")),
        high: range
            .and_then(|r| r.get("high"))
            .and_then(|h| number(h, "value")),
    })
}

impl ObservationFacts {
    /// Reads an Observation; `None` for any other resource.
    pub fn from_value(value: &Value) -> Option<Self> {
        let obj: &Map<String, Value> = value.as_object()?;
        if str_at(value, "resourceType") != Some("Observation") {
            return None;
        }
        let code = obj.get("code");
        let loinc = code.and_then(concept_loinc);
        let name = code
            .and_then(concept_text)
            .or_else(|| loinc.clone())
            .unwrap_or_else(|| "Unnamed result".to_owned());
        let categories = obj
            .get("category")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("coding").and_then(Value::as_array))
            .flatten()
            .filter_map(|c| str_at(c, "code").map(str::to_owned))
            .collect();
        let mut measures = Vec::new();
        if let Some(q) = obj.get("valueQuantity") {
            measures.extend(quantity_measure(
                q,
                loinc.clone(),
                name.clone(),
                obj.get("referenceRange"),
            ));
        }
        for component in obj
            .get("component")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(q), Some(c)) = (component.get("valueQuantity"), component.get("code")) else {
                continue;
            };
            let c_loinc = concept_loinc(c);
            let c_name = concept_text(c)
                .or_else(|| c_loinc.clone())
                .unwrap_or_else(|| "Component".to_owned());
            measures.extend(quantity_measure(
                q,
                c_loinc,
                c_name,
                component.get("referenceRange"),
            ));
        }
        let text_value = first_str(obj, &["valueString"])
            .map(str::to_owned)
            .or_else(|| obj.get("valueCodeableConcept").and_then(concept_text));
        let flag = obj
            .get("interpretation")
            .and_then(Value::as_array)
            .and_then(|i| i.first())
            .and_then(|i| i.get("coding"))
            .and_then(Value::as_array)
            .and_then(|c| c.first())
            .and_then(|c| str_at(c, "code"))
            .map(str::to_owned);
        Some(Self {
            loinc,
            name,
            categories,
            effective: clinical_date("Observation", obj),
            measures,
            text_value,
            flag,
            status: str_at(value, "status").map(str::to_owned),
        })
    }

    /// A lab result or a vital sign (what the Labs screen lists); surveys, social history and
    /// the like are not.
    pub fn is_lab_or_vital(&self) -> bool {
        self.categories
            .iter()
            .any(|c| c == "laboratory" || c == "vital-signs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_lab_result_reads_value_unit_range_and_flag() {
        let o = json!({
            "resourceType": "Observation", "id": "g", "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7", "display": "Glucose [Mass/volume] in Serum or Plasma"}]},
            "effectiveDateTime": "2026-03-02T08:00:00Z",
            "valueQuantity": {"value": 104, "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL"},
            "interpretation": [{"coding": [{"code": "H"}]}],
            "referenceRange": [{"low": {"value": 70}, "high": {"value": 99}}]
        });
        let f = ObservationFacts::from_value(&o).expect("an observation");
        assert_eq!(f.loinc.as_deref(), Some("2345-7"));
        assert_eq!(f.name, "Glucose [Mass/volume] in Serum or Plasma");
        assert!(f.is_lab_or_vital());
        assert_eq!(f.effective.as_deref(), Some("2026-03-02T08:00:00Z"));
        assert_eq!(f.flag.as_deref(), Some("H"));
        assert_eq!(f.measures.len(), 1);
        let m = &f.measures[0];
        assert_eq!((m.value, m.low, m.high), (104.0, Some(70.0), Some(99.0)));
        assert_eq!(m.ucum.as_deref(), Some("mg/dL"));
    }

    #[test]
    fn blood_pressure_components_are_measures() {
        let o = json!({
            "resourceType": "Observation", "id": "bp",
            "category": [{"coding": [{"code": "vital-signs"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}], "text": "Blood pressure"},
            "component": [
                {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6", "display": "Systolic"}]},
                 "valueQuantity": {"value": 128, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}},
                {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4", "display": "Diastolic"}]},
                 "valueQuantity": {"value": 82, "unit": "mmHg"}},
                {"code": {"text": "no value"}}
            ]
        });
        let f = ObservationFacts::from_value(&o).expect("an observation");
        assert_eq!(f.name, "Blood pressure");
        let names: Vec<_> = f
            .measures
            .iter()
            .map(|m| (m.name.as_str(), m.value))
            .collect();
        assert_eq!(names, [("Systolic", 128.0), ("Diastolic", 82.0)]);
        assert_eq!(f.measures[1].ucum, None);
        assert_eq!(f.measures[1].unit.as_deref(), Some("mmHg"));
    }

    #[test]
    fn words_and_oddities_do_not_break_it() {
        let o = json!({"resourceType": "Observation", "id": "t",
            "code": {"coding": [{"system": "urn:local", "code": "x"}]},
            "valueCodeableConcept": {"text": "Negative"},
            "valueQuantity": {"value": "high"}, "category": "bad"});
        let f = ObservationFacts::from_value(&o).expect("an observation");
        assert_eq!(f.loinc, None);
        assert_eq!(f.name, "Unnamed result");
        assert!(f.measures.is_empty());
        assert_eq!(f.text_value.as_deref(), Some("Negative"));
        assert!(!f.is_lab_or_vital());
        assert!(ObservationFacts::from_value(&json!({"resourceType": "Condition"})).is_none());
    }
}
