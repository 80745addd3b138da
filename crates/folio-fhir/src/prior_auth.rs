//! A prior authorization (Da Vinci PDex `pdex-priorauthorization`: an ExplanationOfBenefit with
//! `use = preauthorization`) as a member reads it.

use serde_json::Value;

/// The PDex prior-authorization profile's canonical URL.
pub const PDEX_PRIOR_AUTHORIZATION: &str =
    "http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/pdex-priorauthorization";

/// Whether this resource is a prior authorization rather than a claim: an ExplanationOfBenefit
/// whose `use` is `preauthorization`, or that claims the PDex prior-authorization profile. A
/// claim list leaves these out; the prior-authorization screen shows them.
pub fn is_prior_authorization(resource: &Value) -> bool {
    if resource.get("resourceType").and_then(Value::as_str) != Some("ExplanationOfBenefit") {
        return false;
    }
    if resource.get("use").and_then(Value::as_str) == Some("preauthorization") {
        return true;
    }
    resource
        .pointer("/meta/profile")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|p| p.split('|').next() == Some(PDEX_PRIOR_AUTHORIZATION))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_preauthorization_eob_is_a_prior_authorization_and_a_claim_is_not() {
        assert!(is_prior_authorization(
            &json!({"resourceType": "ExplanationOfBenefit", "use": "preauthorization"})
        ));
        assert!(is_prior_authorization(
            &json!({"resourceType": "ExplanationOfBenefit",
            "meta": {"profile": [format!("{PDEX_PRIOR_AUTHORIZATION}|2.1.0")]}})
        ));
        assert!(!is_prior_authorization(
            &json!({"resourceType": "ExplanationOfBenefit", "use": "claim"})
        ));
        assert!(!is_prior_authorization(
            &json!({"resourceType": "Claim", "use": "preauthorization"})
        ));
    }
}
