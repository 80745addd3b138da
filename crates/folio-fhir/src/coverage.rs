//! What a Coverage says, as the front of an insurance card: who pays, the member id, the plan
//! and group, the dates and whether it is active.

use serde_json::Value;

use crate::fields::str_at;

/// The facts of one Coverage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageFacts {
    /// The insurer (`payor[0].display`).
    pub payor: Option<String>,
    /// The insurer's reference (`Organization/…`), to name it when `payor` is not given.
    pub payor_reference: Option<String>,
    /// The member id: the identifier typed `MB` (member number), else `subscriberId`.
    pub member_id: Option<String>,
    /// The benefit plan's name (`class` of type `plan`), else its value.
    pub plan: Option<String>,
    /// The group's name (`class` of type `group`), else its value.
    pub group: Option<String>,
    /// The kind of coverage (`type` in words: "health insurance plan policy", "dental").
    pub kind: Option<String>,
    /// Start of the period.
    pub start: Option<String>,
    /// End of the period (none: ongoing).
    pub end: Option<String>,
    /// `active`, `cancelled`, `draft`, `entered-in-error`.
    pub status: Option<String>,
    /// The member's relationship to the subscriber ("Self", "Child").
    pub relationship: Option<String>,
}

fn concept_words(c: &Value) -> Option<String> {
    let coded = c.get("coding").and_then(Value::as_array).and_then(|cs| {
        cs.iter()
            .find_map(|x| str_at(x, "display").or(str_at(x, "code")))
    });
    str_at(c, "text")
        .filter(|t| !t.trim().is_empty() && t.len() <= 60)
        .or(coded)
        .map(|t| t.trim().to_owned())
}

fn class_of(v: &Value, kind: &str) -> Option<String> {
    v.get("class")?.as_array()?.iter().find_map(|c| {
        let typed = c
            .get("type")?
            .get("coding")?
            .as_array()?
            .iter()
            .any(|x| str_at(x, "code") == Some(kind));
        typed.then(|| str_at(c, "name").or(str_at(c, "value")).map(str::to_owned))?
    })
}

impl CoverageFacts {
    /// Reads a Coverage; `None` for any other resource.
    pub fn from_value(v: &Value) -> Option<Self> {
        if str_at(v, "resourceType") != Some("Coverage") {
            return None;
        }
        let member_number = v
            .get("identifier")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|i| {
                i.get("type")
                    .and_then(|t| t.get("coding"))
                    .and_then(Value::as_array)
                    .is_some_and(|cs| cs.iter().any(|c| str_at(c, "code") == Some("MB")))
            })
            .and_then(|i| str_at(i, "value"));
        let period = v.get("period");
        let payor = v
            .get("payor")
            .and_then(Value::as_array)
            .and_then(|p| p.first());
        Some(Self {
            payor: payor.and_then(|p| str_at(p, "display")).map(str::to_owned),
            payor_reference: payor
                .and_then(|p| str_at(p, "reference"))
                .map(str::to_owned),
            member_id: member_number
                .or(str_at(v, "subscriberId"))
                .map(str::to_owned),
            plan: class_of(v, "plan"),
            group: class_of(v, "group"),
            kind: v.get("type").and_then(concept_words),
            start: period.and_then(|p| str_at(p, "start")).map(str::to_owned),
            end: period.and_then(|p| str_at(p, "end")).map(str::to_owned),
            status: str_at(v, "status").map(str::to_owned),
            relationship: v.get("relationship").and_then(concept_words),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_carin_example_reads_like_an_insurance_card() {
        let text = include_str!("../../../tests/fixtures/carin-bb/Coverage-Coverage1.json");
        let v: Value = serde_json::from_str(text).expect("json");
        let c = CoverageFacts::from_value(&v).expect("a coverage");
        assert_eq!(c.payor.as_deref(), Some("UPMC Health Plan"));
        assert_eq!(c.payor_reference.as_deref(), Some("Organization/Payer2"));
        assert_eq!(c.member_id.as_deref(), Some("88800933501"));
        assert_eq!(c.group.as_deref(), Some("MEDICARE HMO PLAN"));
        assert!(c.plan.is_some());
        assert_eq!(c.start.as_deref(), Some("2020-01-01"));
        assert_eq!(c.end, None);
        assert_eq!(c.status.as_deref(), Some("active"));
        assert_eq!(c.relationship.as_deref(), Some("Self"));
    }

    #[test]
    fn a_bare_coverage_has_nothing_made_up() {
        let v = serde_json::json!({"resourceType": "Coverage", "id": "x", "subscriberId": "S1", "class": [{"value": "G"}]});
        let c = CoverageFacts::from_value(&v).expect("a coverage");
        assert_eq!(c.member_id.as_deref(), Some("S1"));
        assert_eq!((c.payor, c.plan, c.group, c.kind), (None, None, None, None));
        assert!(
            CoverageFacts::from_value(&serde_json::json!({"resourceType": "Patient"})).is_none()
        );
    }
}
