//! Security labels (`meta.security`) and which of them mark a record as sensitive.

use serde::{Deserialize, Serialize};

const CONFIDENTIALITY: &str = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

/// One `meta.security` coding, kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityLabel {
    /// The code system URL, when sent.
    pub system: Option<String>,
    /// The code, when sent.
    pub code: Option<String>,
}

/// Sensitivity codes of the v3 ActCode system that make a record sensitive
/// (standards.md §6.1: behavioural health, substance use, HIV, sexual and reproductive health...).
const SENSITIVE_ACT_CODES: &[&str] = &[
    "ETH",
    "PSY",
    "HIV",
    "SDV",
    "STD",
    "SUD",
    "BH",
    "MH",
    "SEX",
    "GDIS",
    "42CFRPart2",
    "PSYTHPN",
    "ETHUD",
    "OPIOIDUD",
    "SICKLE",
    "PREGNANT",
    "MST",
];

/// Whether a label marks the record as sensitive: confidentiality `R` or `V`, or one of the
/// sensitivity policies above.
pub fn is_sensitive_label(label: &SecurityLabel) -> bool {
    let (Some(system), Some(code)) = (label.system.as_deref(), label.code.as_deref()) else {
        return false;
    };
    match system {
        CONFIDENTIALITY => code == "R" || code == "V",
        ACT_CODE => SENSITIVE_ACT_CODES.contains(&code),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(system: &str, code: &str) -> SecurityLabel {
        SecurityLabel {
            system: Some(system.into()),
            code: Some(code.into()),
        }
    }

    #[test]
    fn restricted_and_very_restricted_are_sensitive() {
        assert!(is_sensitive_label(&label(CONFIDENTIALITY, "R")));
        assert!(is_sensitive_label(&label(CONFIDENTIALITY, "V")));
        assert!(
            !is_sensitive_label(&label(CONFIDENTIALITY, "N")),
            "normal is not sensitive"
        );
    }

    #[test]
    fn policy_codes_are_sensitive_only_in_their_system() {
        assert!(is_sensitive_label(&label(ACT_CODE, "42CFRPart2")));
        assert!(is_sensitive_label(&label(ACT_CODE, "HIV")));
        assert!(!is_sensitive_label(&label(
            "http://example.org/other",
            "HIV"
        )));
        assert!(!is_sensitive_label(&SecurityLabel {
            system: None,
            code: Some("R".into())
        }));
    }
}
