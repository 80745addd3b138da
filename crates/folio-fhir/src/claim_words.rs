//! The words for the codes a claim carries, from published code systems only. A leaf: imports
//! nothing from the crate.
//!
//! Sources (each table names its own):
//! - adjudication categories: FHIR R4 `http://terminology.hl7.org/CodeSystem/adjudication` and
//!   CARIN Blue Button 2.0 `C4BBAdjudication` / `C4BBAdjudicationDiscriminator`
//!   (hl7.org/fhir/us/carin-bb), put in a member's words;
//! - network status: CARIN Blue Button 2.0 `C4BBPayerAdjudicationStatus`;
//! - brand/generic and compound: the NCPDP code systems published on terminology.hl7.org
//!   (`NCPDPBrandGenericIndicator`, `NCPDPCompoundCode`).
//!
//! A code found in none of these tables is shown as the plan sent it (its display, else the
//! code itself); no meaning is ever guessed.

/// What an adjudication amount is, in the categories a paper EOB prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AmountKind {
    /// What the provider billed (`submitted`).
    Submitted,
    /// What the plan allows for the service (`eligible`).
    Allowed,
    /// Applied to the member's deductible (`deductible`).
    Deductible,
    /// The member's copay (`copay`).
    Copay,
    /// The member's coinsurance (`coinsurance`).
    Coinsurance,
    /// Not covered by the plan (`noncovered`).
    NotCovered,
    /// Discount the provider or pharmacy gave (`discount`).
    Discount,
    /// Paid by another plan first (`priorpayerpaid`).
    PriorPayerPaid,
    /// What the plan paid (`benefit`).
    PaidByPlan,
    /// Paid to the provider (`paidtoprovider`).
    PaidToProvider,
    /// Paid to the member (`paidtopatient`).
    PaidToMember,
    /// What the member paid already (`paidbypatient` and its cash/other/account variants).
    PaidByMember,
    /// What the member is responsible for (`memberliability`).
    MemberLiability,
}

impl AmountKind {
    /// The category code (FHIR adjudication or CARIN C4BBAdjudication) this kind stands for.
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "submitted" => Self::Submitted,
            "eligible" => Self::Allowed,
            "deductible" => Self::Deductible,
            "copay" => Self::Copay,
            "coinsurance" => Self::Coinsurance,
            "noncovered" => Self::NotCovered,
            "discount" => Self::Discount,
            "priorpayerpaid" => Self::PriorPayerPaid,
            "benefit" => Self::PaidByPlan,
            "paidtoprovider" => Self::PaidToProvider,
            "paidtopatient" => Self::PaidToMember,
            "paidbypatient"
            | "paidbypatientcash"
            | "paidbypatientother"
            | "paidbypatienthealthaccount" => Self::PaidByMember,
            "memberliability" => Self::MemberLiability,
            _ => return None,
        })
    }

    /// The member's words for it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Submitted => "Billed by the provider",
            Self::Allowed => "Allowed by your plan",
            Self::Deductible => "Deductible",
            Self::Copay => "Copay",
            Self::Coinsurance => "Coinsurance",
            Self::NotCovered => "Not covered",
            Self::Discount => "Discount",
            Self::PriorPayerPaid => "Paid by another plan first",
            Self::PaidByPlan => "Paid by your plan",
            Self::PaidToProvider => "Paid to the provider",
            Self::PaidToMember => "Paid to you",
            Self::PaidByMember => "You paid",
            Self::MemberLiability => "Your responsibility",
        }
    }
}

/// Where an adjudication's `reason` says why something was denied or adjusted
/// (CARIN `C4BBAdjudicationDiscriminator`).
pub(crate) fn is_denial_category(code: &str) -> bool {
    matches!(code, "denialreason")
}

pub(crate) fn is_adjustment_category(code: &str) -> bool {
    matches!(code, "adjustmentreason")
}

/// Adjudication categories that carry a network or payment status in `reason`, not an amount
/// (CARIN `C4BBAdjudicationDiscriminator`).
pub(crate) fn is_status_category(code: &str) -> bool {
    matches!(
        code,
        "benefitpaymentstatus" | "billingnetworkstatus" | "renderingnetworkstatus"
    )
}

/// In (`true`) or out of network, from CARIN `C4BBPayerAdjudicationStatus`.
pub(crate) fn network_of(code: &str) -> Option<bool> {
    match code {
        "innetwork" | "contracted" => Some(true),
        "outofnetwork" | "noncontracted" => Some(false),
        _ => None,
    }
}

/// A payment status from CARIN `C4BBPayerAdjudicationStatus` (`paid`, `denied`,
/// `partiallypaid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PaymentStatus {
    Paid,
    Denied,
    PartiallyPaid,
}

pub(crate) fn payment_status_of(code: &str) -> Option<PaymentStatus> {
    match code {
        "paid" => Some(PaymentStatus::Paid),
        "denied" => Some(PaymentStatus::Denied),
        "partiallypaid" => Some(PaymentStatus::PartiallyPaid),
        _ => None,
    }
}

/// A short name for a code system, shown before a code ("CPT 99213").
pub(crate) fn system_name(system: &str) -> Option<&'static str> {
    let s = system.trim_end_matches('/');
    Some(match s {
        "http://www.ama-assn.org/go/cpt" => "CPT",
        "https://bluebutton.cms.gov/resources/codesystem/hcpcs"
        | "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
        | "urn:oid:2.16.840.1.113883.6.285" => "HCPCS",
        "http://www.ada.org/cdt" | "http://ada.org/cdt" => "CDT",
        "http://hl7.org/fhir/sid/ndc" => "NDC",
        "http://www.nlm.nih.gov/research/umls/rxnorm" => "RxNorm",
        "https://www.nubc.org/CodeSystem/RevenueCodes" => "Revenue code",
        "http://snomed.info/sct" => "SNOMED CT",
        "http://hl7.org/fhir/sid/icd-10-cm" => "ICD-10-CM",
        "http://www.cms.gov/Medicare/Coding/ICD10" => "ICD-10-PCS",
        _ => return None,
    })
}

/// NCPDP Brand Generic Indicator (terminology.hl7.org `NCPDPBrandGenericIndicator`).
pub(crate) fn brand_generic(code: &str) -> Option<&'static str> {
    match code {
        "1" => Some("Brand"),
        "2" => Some("Generic"),
        _ => None,
    }
}

/// NCPDP Compound Code (terminology.hl7.org `NCPDPCompoundCode`).
pub(crate) fn compound(code: &str) -> Option<&'static str> {
    match code {
        "0" => Some("Not specified"),
        "1" => Some("Not a compound"),
        "2" => Some("Compound"),
        _ => None,
    }
}

pub(crate) const BRAND_GENERIC_SYSTEM: &str =
    "http://terminology.hl7.org/CodeSystem/NCPDPBrandGenericIndicator";
pub(crate) const COMPOUND_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/NCPDPCompoundCode";
