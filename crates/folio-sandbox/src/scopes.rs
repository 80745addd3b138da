//! SMART scopes as the sandbox grants and enforces them (v1 `.read` and v2 `.rs` alike).

/// Whether `scopes` let the holder read and search `resource_type` for their patient.
pub fn allows_type(scopes: &[String], resource_type: &str) -> bool {
    scopes.iter().any(|scope| {
        let Some(rest) = scope
            .strip_prefix("patient/")
            .or_else(|| scope.strip_prefix("user/"))
        else {
            return false;
        };
        let rest = rest.split('?').next().unwrap_or(rest);
        let Some((ty, access)) = rest.split_once('.') else {
            return false;
        };
        (ty == "*" || ty == resource_type)
            && (access == "read" || access == "*" || access.contains('r') || access.contains('s'))
    })
}

/// A plain-words description of one scope for the consent page.
pub fn describe(scope: &str) -> String {
    match scope {
        "openid" | "fhirUser" => "Confirm who you are (your member identity)".into(),
        "launch/patient" => "Know which member's records it is reading".into(),
        "offline_access" => "Keep access when you are not signed in, until you revoke it".into(),
        other => {
            let body = other
                .strip_prefix("patient/")
                .or_else(|| other.strip_prefix("user/"));
            let ty = body.and_then(|b| b.split('.').next()).unwrap_or(other);
            let what = match ty {
                "*" => "All of your records",
                "ExplanationOfBenefit" => "Your claims and what was paid (Explanation of Benefit)",
                "Coverage" => "Your coverage and plan details",
                "Patient" => "Your member profile (name, birth date, address)",
                "Observation" => "Lab results and vital signs",
                "Condition" => "Conditions and diagnoses",
                "MedicationRequest" => "Prescriptions",
                "Immunization" => "Immunizations",
                "AllergyIntolerance" => "Allergies",
                "Procedure" => "Procedures",
                "Encounter" => "Visits and stays",
                "DiagnosticReport" => "Lab and imaging reports",
                "DocumentReference" => "Clinical notes and documents",
                "Provenance" => "Where each record came from",
                "Organization" | "Practitioner" => "Your providers and their organizations",
                _ => return format!("Read {ty} records"),
            };
            what.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(list: &[&str]) -> Vec<String> {
        list.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn v1_and_v2_and_wildcards() {
        assert!(allows_type(&s(&["patient/*.read"]), "Observation"));
        assert!(allows_type(&s(&["patient/*.rs"]), "Observation"));
        assert!(allows_type(
            &s(&["patient/Observation.rs?category=laboratory"]),
            "Observation"
        ));
        assert!(allows_type(&s(&["patient/Coverage.read"]), "Coverage"));
        assert!(!allows_type(&s(&["patient/Coverage.read"]), "Observation"));
        assert!(
            !allows_type(&s(&["patient/Observation.c"]), "Observation"),
            "create is not read"
        );
        assert!(!allows_type(&s(&["openid", "launch/patient"]), "Patient"));
    }

    #[test]
    fn descriptions_are_plain_words() {
        assert_eq!(
            describe("patient/ExplanationOfBenefit.read"),
            "Your claims and what was paid (Explanation of Benefit)"
        );
        assert_eq!(describe("patient/Goal.rs"), "Read Goal records");
    }
}
