//! The Provenance an export adds per plan: which plan (and API) each resource came from and
//! when Folio downloaded it.

use serde_json::json;

/// One plan's part of an export.
pub(super) struct Source {
    plan_name: String,
    fhir_base: String,
    targets: Vec<String>,
    last_fetched: String,
}

impl Source {
    pub(super) fn new(plan_name: &str, fhir_base: &str) -> Self {
        Self {
            plan_name: plan_name.to_owned(),
            fhir_base: fhir_base.to_owned(),
            targets: Vec::new(),
            last_fetched: String::new(),
        }
    }

    pub(super) fn add(&mut self, full_url: String, fetched_at: &str) {
        self.targets.push(full_url);
        if fetched_at > self.last_fetched.as_str() {
            fetched_at.clone_into(&mut self.last_fetched);
        }
    }

    /// The Provenance resource, as JSON text (its target list written straight out: a plan
    /// can be the source of a hundred thousand records).
    pub(super) fn provenance(&self, id: &str) -> String {
        let mut targets = String::with_capacity(self.targets.len() * 64);
        for (i, t) in self.targets.iter().enumerate() {
            if i > 0 {
                targets.push(',');
            }
            targets.push_str(r#"{"reference":"#);
            targets.push_str(&serde_json::Value::from(t.as_str()).to_string());
            targets.push('}');
        }
        let rest = json!({
            "recorded": self.last_fetched,
            "agent": [
                {
                    "type": { "coding": [{
                        "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                        "code": "author", "display": "Author" }] },
                    "who": { "display": self.plan_name }
                },
                {
                    "type": { "coding": [{
                        "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                        "code": "assembler", "display": "Assembler" }] },
                    "who": { "display": format!("Folio {}", crate::VERSION) }
                }
            ],
            "entity": [{
                "role": "source",
                "what": { "display": format!("{}: Patient Access API at {}", self.plan_name, self.fhir_base) }
            }]
        })
        .to_string();
        // `rest` is an object: splice the type, id and targets in front of its members.
        format!(
            r#"{{"resourceType":"Provenance","id":{},"target":[{targets}],{}"#,
            serde_json::Value::from(id),
            &rest[1..]
        )
    }
}
