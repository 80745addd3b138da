//! A claim (ExplanationOfBenefit, CARIN Blue Button) in the terms a member reads on a paper EOB:
//! what kind of care, its status and network, who and where, every line with its service in
//! words and every amount the plan sent named in words, the reasons for a denial or adjustment,
//! a pharmacy fill, and the deductible and out-of-pocket balances (`benefitBalance`).
//!
//! An amount the plan did not send is `None` ("not stated"), never 0. Words come from the
//! coding's own display, or from the published tables in `claim_words.rs`, or the code is shown
//! as sent.

use serde_json::Value;

pub use crate::claim_words::AmountKind;
use crate::claim_words::{self as words, PaymentStatus};

/// An amount in a category Folio has no member word for, named as the plan named it.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherAmount {
    /// The category's display, or its code as sent.
    pub label: String,
    /// The amount.
    pub value: f64,
}

/// Money amounts of a claim or a line. `None` when the plan did not say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimAmounts {
    /// What the provider billed (`submitted`).
    pub billed: Option<f64>,
    /// What the plan allowed (`eligible`).
    pub allowed: Option<f64>,
    /// Applied to the deductible.
    pub deductible: Option<f64>,
    /// Copay.
    pub copay: Option<f64>,
    /// Coinsurance.
    pub coinsurance: Option<f64>,
    /// Not covered (`noncovered`).
    pub not_covered: Option<f64>,
    /// Discount.
    pub discount: Option<f64>,
    /// Paid by another plan first.
    pub prior_payer_paid: Option<f64>,
    /// What the plan paid (`benefit`, or `paidtoprovider` when no benefit is stated).
    pub plan_paid: Option<f64>,
    /// Paid to the provider.
    pub paid_to_provider: Option<f64>,
    /// Paid to the member.
    pub paid_to_member: Option<f64>,
    /// What the member paid already (`paidbypatient`…).
    pub paid_by_member: Option<f64>,
    /// What the member owed (`memberliability`, or `paidbypatient`, or copay + deductible +
    /// coinsurance).
    pub member_owed: Option<f64>,
    /// Categories without a member word, as the plan named them.
    pub other: Vec<OtherAmount>,
}

impl ClaimAmounts {
    /// The amount of one kind (as read, with `plan_paid`/`member_owed` fallbacks applied).
    pub fn get(&self, kind: AmountKind) -> Option<f64> {
        match kind {
            AmountKind::Submitted => self.billed,
            AmountKind::Allowed => self.allowed,
            AmountKind::Deductible => self.deductible,
            AmountKind::Copay => self.copay,
            AmountKind::Coinsurance => self.coinsurance,
            AmountKind::NotCovered => self.not_covered,
            AmountKind::Discount => self.discount,
            AmountKind::PriorPayerPaid => self.prior_payer_paid,
            AmountKind::PaidByPlan => self.plan_paid,
            AmountKind::PaidToProvider => self.paid_to_provider,
            AmountKind::PaidToMember => self.paid_to_member,
            AmountKind::PaidByMember => self.paid_by_member,
            AmountKind::MemberLiability => self.member_owed,
        }
    }

    fn slot(&mut self, kind: AmountKind) -> &mut Option<f64> {
        match kind {
            AmountKind::Submitted => &mut self.billed,
            AmountKind::Allowed => &mut self.allowed,
            AmountKind::Deductible => &mut self.deductible,
            AmountKind::Copay => &mut self.copay,
            AmountKind::Coinsurance => &mut self.coinsurance,
            AmountKind::NotCovered => &mut self.not_covered,
            AmountKind::Discount => &mut self.discount,
            AmountKind::PriorPayerPaid => &mut self.prior_payer_paid,
            AmountKind::PaidByPlan => &mut self.plan_paid,
            AmountKind::PaidToProvider => &mut self.paid_to_provider,
            AmountKind::PaidToMember => &mut self.paid_to_member,
            AmountKind::PaidByMember => &mut self.paid_by_member,
            AmountKind::MemberLiability => &mut self.member_owed,
        }
    }
}

/// Why a claim or line was denied or adjusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonKind {
    /// A denial reason.
    Denial,
    /// An adjustment reason.
    Adjustment,
    /// Another reason the plan gave with an amount.
    Other,
}

/// A reason in words, with its code beside.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimReason {
    /// Denial, adjustment or other.
    pub kind: ReasonKind,
    /// The reason's display (or text), else its code as sent.
    pub text: String,
    /// The code, when the plan sent one.
    pub code: Option<String>,
}

/// One service line.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimLine {
    /// Line number.
    pub sequence: u32,
    /// The service, in words (or its code when the plan sent no words).
    pub service: String,
    /// The service's code with its system's short name ("CPT 99213"), when it has one.
    pub code: Option<String>,
    /// The revenue center (institutional claims), in words, or its code.
    pub revenue: Option<String>,
    /// When it was done.
    pub date: Option<String>,
    /// How many or how much ("30 tablets").
    pub quantity: Option<String>,
    /// Its amounts.
    pub amounts: ClaimAmounts,
    /// Denial and adjustment reasons.
    pub reasons: Vec<ClaimReason>,
    /// The plan says this line was denied (a denial reason, or a `denied` status).
    pub denied: bool,
}

/// What kind of care a claim is for, in the member's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClaimKind {
    /// A doctor or clinic (professional).
    Doctor,
    /// A hospital stay (institutional inpatient).
    HospitalStay,
    /// Outpatient facility care (institutional outpatient).
    Outpatient,
    /// A hospital or facility claim without a subtype.
    Facility,
    /// A pharmacy fill.
    Pharmacy,
    /// Dental (oral).
    Dental,
    /// Vision.
    Vision,
    /// Another kind, named as the plan named it.
    Other,
}

impl ClaimKind {
    /// The member's words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Doctor => "Doctor",
            Self::HospitalStay => "Hospital stay",
            Self::Outpatient => "Outpatient",
            Self::Facility => "Hospital or facility",
            Self::Pharmacy => "Pharmacy",
            Self::Dental => "Dental",
            Self::Vision => "Vision",
            Self::Other => "Claim",
        }
    }
}

/// Where the claim stands, in the member's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClaimStatus {
    /// Processed and paid (all lines the plan decided on).
    Paid,
    /// Denied.
    Denied,
    /// Some lines denied.
    PartlyDenied,
    /// Not yet processed.
    Pending,
    /// Adjusted (a claim replacing an earlier one, or reversal lines).
    Adjusted,
    /// The plan processed only part of it (`outcome = partial`) and gave no denial.
    PartlyProcessed,
    /// The plan could not process it (`outcome = error`).
    NotProcessed,
    /// Cancelled or entered in error.
    Cancelled,
}

impl ClaimStatus {
    /// The member's words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Paid => "Paid",
            Self::Denied => "Denied",
            Self::PartlyDenied => "Partly denied",
            Self::Pending => "Pending",
            Self::Adjusted => "Adjusted",
            Self::PartlyProcessed => "Partly processed",
            Self::NotProcessed => "Not processed",
            Self::Cancelled => "Cancelled",
        }
    }
}

/// A pharmacy fill, from a pharmacy claim.
#[derive(Debug, Clone, PartialEq)]
pub struct PharmacyFill {
    /// The drug in words (the RxNorm/NDC display, or the line's text, or its code).
    pub drug: String,
    /// The drug's code ("NDC 0777-3105-02").
    pub drug_code: Option<String>,
    /// Quantity dispensed.
    pub quantity: Option<String>,
    /// Days' supply.
    pub days_supply: Option<f64>,
    /// Fill date.
    pub fill_date: Option<String>,
    /// Brand or generic.
    pub brand_generic: Option<String>,
    /// Compound or not.
    pub compound: Option<String>,
    /// Which fill of the prescription (0 = the first).
    pub refill_number: Option<f64>,
}

/// One figure of a benefit balance: allowed (the limit) and used so far.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceFigure {
    /// Deductible, out-of-pocket maximum, or another kind named as the plan named it.
    pub kind: BalanceKind,
    /// The figure's name in words.
    pub label: String,
    /// The limit for the term.
    pub allowed: Option<f64>,
    /// Used so far.
    pub used: Option<f64>,
}

/// What a balance figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BalanceKind {
    /// The deductible.
    Deductible,
    /// The out-of-pocket maximum.
    OutOfPocket,
    /// Anything else.
    Other,
}

/// A `benefitBalance` entry: one category, network, person or family, and term.
#[derive(Debug, Clone, PartialEq)]
pub struct BenefitBalance {
    /// The benefit category in words ("Medical care").
    pub category: Option<String>,
    /// In (`Some(true)`) or out of network, when said.
    pub in_network: Option<bool>,
    /// `Some(true)` for the family, `Some(false)` for the individual, when said.
    pub family: Option<bool>,
    /// The term in words ("Annual").
    pub term: Option<String>,
    /// Its figures.
    pub figures: Vec<BalanceFigure>,
}

/// What a member needs to read a claim.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimFacts {
    /// Doctor, hospital stay, outpatient, pharmacy, dental, vision… in words.
    pub kind: String,
    /// The kind, typed.
    pub kind_code: ClaimKind,
    /// A prior authorization (`use = preauthorization`) rather than a claim.
    pub prior_authorization: bool,
    /// `status` (active, cancelled, …).
    pub status: Option<String>,
    /// `outcome` (complete, partial, error, queued).
    pub outcome: Option<String>,
    /// Where the claim stands, in the member's terms.
    pub member_status: ClaimStatus,
    /// The claim number (the `uc` identifier, else the first identifier).
    pub claim_number: Option<String>,
    /// Service period start.
    pub start: Option<String>,
    /// Service period end.
    pub end: Option<String>,
    /// When the plan received the claim.
    pub received: Option<String>,
    /// When the plan processed it (`created`).
    pub processed: Option<String>,
    /// When the plan paid (`payment.date`).
    pub paid_on: Option<String>,
    /// The provider's name as the claim gives it.
    pub provider_display: Option<String>,
    /// The provider reference (`Organization/…`, `Practitioner/…`), to look the name up.
    pub provider_reference: Option<String>,
    /// The facility's name as the claim gives it.
    pub facility_display: Option<String>,
    /// The facility reference (`facility`, or the `servicefacility` supporting info).
    pub facility_reference: Option<String>,
    /// The care team: role in words and the reference or name.
    pub care_team: Vec<(Option<String>, String)>,
    /// In or out of network, when the plan says.
    pub network: Option<String>,
    /// In (`Some(true)`) or out of network, when the plan says.
    pub in_network: Option<bool>,
    /// Currency of the amounts.
    pub currency: String,
    /// Totals (from `total`, or summed from the lines).
    pub totals: ClaimAmounts,
    /// Claim-level denial and adjustment reasons.
    pub reasons: Vec<ClaimReason>,
    /// Service lines.
    pub lines: Vec<ClaimLine>,
    /// The pharmacy fill, for a pharmacy claim.
    pub pharmacy: Option<PharmacyFill>,
    /// Deductible and out-of-pocket balances the plan sent with this claim.
    pub balances: Vec<BenefitBalance>,
    /// The visits the claim's lines name (`item.encounter`), as `Encounter/{id}`, in order,
    /// without duplicates.
    pub encounters: Vec<String>,
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn codings(concept: Option<&Value>) -> impl Iterator<Item = &Value> {
    concept
        .and_then(|c| c.get("coding"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn codes(concept: Option<&Value>) -> impl Iterator<Item = &str> {
    codings(concept).filter_map(|c| str_of(c, "code"))
}

/// A concept in words: its text, else the first coding's display, else `table` for a code,
/// else the first code as sent.
fn words_of(
    concept: Option<&Value>,
    table: impl Fn(&str, &str) -> Option<&'static str>,
) -> Option<String> {
    let c = concept?;
    if let Some(text) = str_of(c, "text").filter(|t| !t.trim().is_empty()) {
        return Some(text.to_owned());
    }
    if let Some(display) = codings(Some(c)).find_map(|x| str_of(x, "display")) {
        return Some(display.to_owned());
    }
    if let Some(w) =
        codings(Some(c)).find_map(|x| table(str_of(x, "system").unwrap_or(""), str_of(x, "code")?))
    {
        return Some(w.to_owned());
    }
    codes(Some(c)).next().map(str::to_owned)
}

fn no_table(_: &str, _: &str) -> Option<&'static str> {
    None
}

/// "CPT 99213": the first coding that is not a data-absent reason, with its system's name.
fn code_label(concept: Option<&Value>) -> Option<String> {
    codings(concept)
        .filter(|c| {
            str_of(c, "system") != Some("http://terminology.hl7.org/CodeSystem/data-absent-reason")
        })
        .find_map(|c| {
            let code = str_of(c, "code")?;
            Some(match str_of(c, "system").and_then(words::system_name) {
                Some(name) => format!("{name} {code}"),
                None => code.to_owned(),
            })
        })
}

fn is_data_absent(concept: Option<&Value>) -> bool {
    codings(concept).all(|c| {
        str_of(c, "system") == Some("http://terminology.hl7.org/CodeSystem/data-absent-reason")
    }) && codings(concept).next().is_some()
}

fn quantity(q: Option<&Value>) -> Option<String> {
    let q = q?;
    let value = q.get("value").and_then(Value::as_f64)?;
    let number = if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        value.to_string()
    };
    Some(match str_of(q, "unit").or_else(|| str_of(q, "code")) {
        Some(unit) => format!("{number} {unit}"),
        None => number,
    })
}

fn add(slot: &mut Option<f64>, value: f64) {
    *slot = Some(slot.unwrap_or(0.0) + value);
}

/// Amounts, reasons, network and payment status of one `adjudication` (or `total`) list.
#[derive(Default)]
struct Adjudicated {
    amounts: ClaimAmounts,
    reasons: Vec<ClaimReason>,
    in_network: Vec<(u8, bool)>,
    payment: Option<PaymentStatus>,
}

fn adjudicate(adjudications: Option<&Value>) -> Adjudicated {
    let mut out = Adjudicated::default();
    let (mut share, mut any_share) = (0.0, false);
    for adj in adjudications
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let category = adj.get("category");
        let cat_codes: Vec<&str> = codes(category).collect();
        let reason = adj.get("reason");
        for code in codes(reason) {
            if let Some(n) = words::network_of(code) {
                let rank = match cat_codes.first().copied() {
                    Some("benefitpaymentstatus") => 0,
                    Some("billingnetworkstatus") => 1,
                    _ => 2,
                };
                out.in_network.push((rank, n));
            }
            if let Some(p) = words::payment_status_of(code) {
                out.payment = Some(p);
            }
        }
        let reason_kind = if cat_codes.iter().any(|c| words::is_denial_category(c)) {
            Some(ReasonKind::Denial)
        } else if cat_codes.iter().any(|c| words::is_adjustment_category(c)) {
            Some(ReasonKind::Adjustment)
        } else if reason.is_some() && !cat_codes.iter().any(|c| words::is_status_category(c)) {
            let status_only = codes(reason)
                .all(|c| words::network_of(c).is_some() || words::payment_status_of(c).is_some());
            (!status_only).then_some(ReasonKind::Other)
        } else {
            None
        };
        if let (Some(kind), Some(text)) = (reason_kind, words_of(reason, no_table)) {
            out.reasons.push(ClaimReason {
                kind,
                code: code_label(reason).filter(|c| *c != text),
                text,
            });
        }
        let Some(value) = adj.pointer("/amount/value").and_then(Value::as_f64) else {
            continue;
        };
        let known = cat_codes.iter().find_map(|c| AmountKind::from_code(c));
        match known {
            Some(kind) => {
                add(out.amounts.slot(kind), value);
                if matches!(
                    kind,
                    AmountKind::Copay | AmountKind::Deductible | AmountKind::Coinsurance
                ) {
                    share += value;
                    any_share = true;
                }
            }
            None if reason_kind.is_some() => {}
            None => {
                if let Some(label) = words_of(category, no_table) {
                    out.amounts.other.push(OtherAmount { label, value });
                }
            }
        }
    }
    let a = &mut out.amounts;
    if a.plan_paid.is_none() {
        a.plan_paid = a.paid_to_provider;
    }
    if a.member_owed.is_none() {
        a.member_owed = a.paid_by_member.or(any_share.then_some(share));
    }
    out
}

fn sum_lines(lines: &[ClaimLine], kind: AmountKind) -> Option<f64> {
    let values: Vec<f64> = lines.iter().filter_map(|l| l.amounts.get(kind)).collect();
    (!values.is_empty()).then(|| values.iter().sum())
}

const ALL_KINDS: [AmountKind; 13] = [
    AmountKind::Submitted,
    AmountKind::Allowed,
    AmountKind::Deductible,
    AmountKind::Copay,
    AmountKind::Coinsurance,
    AmountKind::NotCovered,
    AmountKind::Discount,
    AmountKind::PriorPayerPaid,
    AmountKind::PaidByPlan,
    AmountKind::PaidToProvider,
    AmountKind::PaidToMember,
    AmountKind::PaidByMember,
    AmountKind::MemberLiability,
];

fn supporting<'a>(eob: &'a Value, category: &str) -> Option<&'a Value> {
    eob.get("supportingInfo")
        .and_then(Value::as_array)?
        .iter()
        .find(|s| codes(s.get("category")).any(|c| c == category))
}

fn kind_of(eob: &Value) -> (ClaimKind, String) {
    let ty = eob.get("type");
    let sub: Vec<&str> = codes(eob.get("subType")).collect();
    let kind = match codes(ty).next() {
        Some("professional") => ClaimKind::Doctor,
        Some("institutional") if sub.contains(&"inpatient") => ClaimKind::HospitalStay,
        Some("institutional") if sub.contains(&"outpatient") => ClaimKind::Outpatient,
        Some("institutional") => ClaimKind::Facility,
        Some("pharmacy") => ClaimKind::Pharmacy,
        Some("oral") => ClaimKind::Dental,
        Some("vision") => ClaimKind::Vision,
        _ => ClaimKind::Other,
    };
    let label = match kind {
        ClaimKind::Other => words_of(ty, no_table).unwrap_or_else(|| "Claim".to_owned()),
        k => k.label().to_owned(),
    };
    (kind, label)
}

fn reference_or_display(v: Option<&Value>) -> (Option<String>, Option<String>) {
    let Some(v) = v else {
        return (None, None);
    };
    (
        str_of(v, "display").map(str::to_owned),
        str_of(v, "reference").map(str::to_owned),
    )
}

fn balances(eob: &Value) -> Vec<BenefitBalance> {
    eob.get("benefitBalance")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|b| {
            let network = codes(b.get("network")).find_map(|c| match c {
                "in" => Some(true),
                "out" => Some(false),
                _ => None,
            });
            let family = codes(b.get("unit")).find_map(|c| match c {
                "individual" => Some(false),
                "family" => Some(true),
                _ => None,
            });
            let figures = b
                .get("financial")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|f| {
                    let ty = f.get("type");
                    let label = words_of(ty, no_table).unwrap_or_else(|| "Benefit".to_owned());
                    let lower = label.to_lowercase();
                    let kind = if codes(ty).any(|c| c == "deductible")
                        || lower.contains("deductible")
                    {
                        BalanceKind::Deductible
                    } else if lower.contains("out-of-pocket") || lower.contains("out of pocket") {
                        BalanceKind::OutOfPocket
                    } else {
                        BalanceKind::Other
                    };
                    BalanceFigure {
                        kind,
                        label,
                        allowed: f
                            .pointer("/allowedMoney/value")
                            .and_then(Value::as_f64)
                            .or_else(|| f.get("allowedUnsignedInt").and_then(Value::as_f64)),
                        used: f
                            .pointer("/usedMoney/value")
                            .and_then(Value::as_f64)
                            .or_else(|| f.get("usedUnsignedInt").and_then(Value::as_f64)),
                    }
                })
                .collect();
            BenefitBalance {
                category: words_of(b.get("category"), no_table),
                in_network: network,
                family,
                term: words_of(b.get("term"), no_table),
                figures,
            }
        })
        .collect()
}

fn pharmacy_fill(eob: &Value, lines: &[ClaimLine], items: &[Value]) -> PharmacyFill {
    let first = items.first();
    let product = first.and_then(|i| i.get("productOrService"));
    let table = |system: &str, code: &str| -> Option<&'static str> {
        match system {
            words::BRAND_GENERIC_SYSTEM => words::brand_generic(code),
            words::COMPOUND_SYSTEM => words::compound(code),
            _ => None,
        }
    };
    PharmacyFill {
        drug: lines
            .first()
            .map(|l| l.service.clone())
            .unwrap_or_else(|| "Prescription".to_owned()),
        drug_code: code_label(product),
        quantity: lines.first().and_then(|l| l.quantity.clone()),
        days_supply: supporting(eob, "dayssupply")
            .and_then(|s| s.pointer("/valueQuantity/value"))
            .and_then(Value::as_f64),
        fill_date: lines.first().and_then(|l| l.date.clone()).or_else(|| {
            eob.pointer("/billablePeriod/start")
                .and_then(Value::as_str)
                .map(str::to_owned)
        }),
        brand_generic: supporting(eob, "brandgenericindicator")
            .and_then(|s| words_of(s.get("code"), table)),
        compound: supporting(eob, "compoundcode").and_then(|s| words_of(s.get("code"), table)),
        refill_number: supporting(eob, "refillnum")
            .and_then(|s| s.pointer("/valueQuantity/value"))
            .and_then(Value::as_f64),
    }
}

impl ClaimFacts {
    /// Reads an ExplanationOfBenefit; `None` for any other resource.
    pub fn from_value(eob: &Value) -> Option<Self> {
        if str_of(eob, "resourceType") != Some("ExplanationOfBenefit") {
            return None;
        }
        let (kind_code, kind) = kind_of(eob);
        let items: Vec<Value> = eob
            .get("item")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut in_network: Vec<(u8, bool)> = Vec::new();
        let lines: Vec<ClaimLine> = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let product = item.get("productOrService");
                let revenue_concept = item.get("revenue");
                let revenue = words_of(revenue_concept, no_table);
                let service = if is_data_absent(product)
                    && str_of(product.unwrap_or(&Value::Null), "text").is_none()
                {
                    codings(revenue_concept)
                        .find_map(|c| str_of(c, "display"))
                        .map(str::to_owned)
                        .unwrap_or_else(|| "Facility service".to_owned())
                } else {
                    words_of(product, no_table)
                        .filter(|w| codes(product).all(|c| c != w))
                        .or_else(|| code_label(product))
                        .unwrap_or_else(|| "Service".to_owned())
                };
                let code = code_label(product)
                    .or_else(|| code_label(revenue_concept))
                    .filter(|c| *c != service);
                let adj = adjudicate(item.get("adjudication"));
                in_network.extend(adj.in_network.iter().copied());
                let denied = adj.payment == Some(PaymentStatus::Denied)
                    || adj.reasons.iter().any(|r| r.kind == ReasonKind::Denial);
                ClaimLine {
                    sequence: item
                        .get("sequence")
                        .and_then(Value::as_u64)
                        .and_then(|n| u32::try_from(n).ok())
                        .unwrap_or(i as u32 + 1),
                    service,
                    code,
                    revenue: revenue.filter(|_| revenue_concept.is_some()),
                    date: item
                        .get("servicedDate")
                        .or_else(|| item.pointer("/servicedPeriod/start"))
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    quantity: quantity(item.get("quantity")),
                    amounts: adj.amounts,
                    reasons: adj.reasons,
                    denied,
                }
            })
            .collect();
        let mut encounters: Vec<String> = Vec::new();
        for r in items
            .iter()
            .filter_map(|i| i.get("encounter").and_then(Value::as_array))
            .flatten()
            .filter_map(|e| str_of(e, "reference"))
        {
            if r.starts_with("Encounter/") && !encounters.iter().any(|x| x == r) {
                encounters.push(r.to_owned());
            }
        }
        let header = adjudicate(eob.get("total"));
        let claim_level = adjudicate(eob.get("adjudication"));
        let mut totals = header.amounts.clone();
        for kind in ALL_KINDS {
            let slot = totals.slot(kind);
            if slot.is_none() {
                *slot = sum_lines(&lines, kind);
            }
        }
        if totals.other.is_empty() {
            totals.other = lines
                .iter()
                .flat_map(|l| l.amounts.other.iter().cloned())
                .collect();
        }
        // Network: the benefit payment status first, then billing, then the others; a
        // `contracted`/`noncontracted` supporting info last.
        let mut network_votes = claim_level.in_network.clone();
        network_votes.extend(in_network);
        network_votes.sort_by_key(|(rank, _)| *rank);
        let in_network = network_votes.first().map(|(_, n)| *n).or_else(|| {
            eob.get("supportingInfo")
                .and_then(Value::as_array)?
                .iter()
                .flat_map(|s| codes(s.get("code")))
                .find_map(words::network_of)
        });
        let network =
            in_network.map(|n| if n { "In network" } else { "Out of network" }.to_owned());

        let status = str_of(eob, "status").map(str::to_owned);
        let outcome = str_of(eob, "outcome").map(str::to_owned);
        let denied_lines = lines.iter().filter(|l| l.denied).count();
        let reversal = lines
            .iter()
            .any(|l| l.amounts.billed.is_some_and(|b| b < 0.0));
        let related_prior = eob
            .get("related")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|r| codes(r.get("relationship")).any(|c| c == "prior" || c == "replaced"));
        let member_status = match (status.as_deref(), outcome.as_deref()) {
            (Some("cancelled" | "entered-in-error"), _) => ClaimStatus::Cancelled,
            (_, Some("queued")) => ClaimStatus::Pending,
            (_, Some("error")) => ClaimStatus::NotProcessed,
            _ if claim_level.payment == Some(PaymentStatus::Denied) => ClaimStatus::Denied,
            _ if claim_level.payment == Some(PaymentStatus::PartiallyPaid) => {
                ClaimStatus::PartlyDenied
            }
            _ if !lines.is_empty() && denied_lines == lines.len() => ClaimStatus::Denied,
            _ if denied_lines > 0 => ClaimStatus::PartlyDenied,
            _ if related_prior || reversal => ClaimStatus::Adjusted,
            (_, Some("partial")) => ClaimStatus::PartlyProcessed,
            _ => ClaimStatus::Paid,
        };
        let claim_number = eob
            .get("identifier")
            .and_then(Value::as_array)
            .and_then(|ids| {
                ids.iter()
                    .find(|id| codes(id.get("type")).any(|c| c == "uc"))
                    .or_else(|| ids.first())
            })
            .and_then(|id| str_of(id, "value"))
            .map(str::to_owned);
        let (provider_display, provider_reference) = reference_or_display(eob.get("provider"));
        let (facility_display, facility_reference) = match eob.get("facility") {
            Some(f) => reference_or_display(Some(f)),
            None => reference_or_display(
                supporting(eob, "servicefacility").and_then(|s| s.get("valueReference")),
            ),
        };
        let care_team = eob
            .get("careTeam")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| {
                let p = m.get("provider")?;
                let who = str_of(p, "display").or_else(|| str_of(p, "reference"))?;
                let role = m.get("role").and_then(|r| {
                    codings(Some(r))
                        .find_map(|c| str_of(c, "display"))
                        .or_else(|| codes(Some(r)).next())
                        .map(str::to_owned)
                });
                Some((role, who.to_owned()))
            })
            .collect();
        let currency = eob
            .get("total")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .chain(
                items
                    .iter()
                    .filter_map(|i| i.get("adjudication").and_then(Value::as_array))
                    .flatten(),
            )
            .find_map(|a| a.pointer("/amount/currency").and_then(Value::as_str))
            .unwrap_or("USD")
            .to_owned();
        let pharmacy =
            (kind_code == ClaimKind::Pharmacy).then(|| pharmacy_fill(eob, &lines, &items));
        let mut reasons = claim_level.reasons;
        reasons.extend(header.reasons);
        Some(Self {
            encounters,
            kind,
            kind_code,
            prior_authorization: crate::is_prior_authorization(eob),
            status,
            outcome,
            member_status,
            claim_number,
            start: eob
                .pointer("/billablePeriod/start")
                .and_then(Value::as_str)
                .map(str::to_owned),
            end: eob
                .pointer("/billablePeriod/end")
                .and_then(Value::as_str)
                .map(str::to_owned),
            received: supporting(eob, "clmrecvddate")
                .and_then(|s| str_of(s, "timingDate"))
                .map(str::to_owned),
            processed: str_of(eob, "created").map(str::to_owned),
            paid_on: eob
                .pointer("/payment/date")
                .and_then(Value::as_str)
                .map(str::to_owned),
            provider_display,
            provider_reference,
            facility_display,
            facility_reference,
            care_team,
            network,
            in_network,
            currency,
            totals,
            reasons,
            lines,
            pharmacy,
            balances: balances(eob),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_carin_professional_claim_reads_like_a_paper_eob() {
        let eob = json!({
            "resourceType": "ExplanationOfBenefit", "status": "active", "use": "claim", "outcome": "complete",
            "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
            "billablePeriod": {"start": "2024-03-04", "end": "2024-03-04"},
            "provider": {"reference": "Organization/clinic-1"},
            "adjudication": [{"category": {"coding": [{"code": "benefitpaymentstatus"}]}, "reason": {"coding": [{"code": "innetwork"}]}}],
            "item": [
                {"sequence": 1, "servicedDate": "2024-03-04", "productOrService": {"coding": [{"code": "99213", "display": "Office visit, established patient"}]},
                 "adjudication": [
                    {"category": {"coding": [{"code": "submitted"}]}, "amount": {"value": 180.0, "currency": "USD"}},
                    {"category": {"coding": [{"code": "eligible"}]}, "amount": {"value": 120.0, "currency": "USD"}},
                    {"category": {"coding": [{"code": "benefit"}]}, "amount": {"value": 95.0, "currency": "USD"}},
                    {"category": {"coding": [{"code": "copay"}]}, "amount": {"value": 25.0, "currency": "USD"}}]},
                {"sequence": 2, "productOrService": {"text": "Comprehensive metabolic panel"},
                 "adjudication": [
                    {"category": {"coding": [{"code": "submitted"}]}, "amount": {"value": 60.0, "currency": "USD"}},
                    {"category": {"coding": [{"code": "eligible"}]}, "amount": {"value": 40.0, "currency": "USD"}},
                    {"category": {"coding": [{"code": "benefit"}]}, "amount": {"value": 40.0, "currency": "USD"}}]}
            ]
        });
        let c = ClaimFacts::from_value(&eob).unwrap();
        assert_eq!(c.kind, "Doctor");
        assert_eq!(c.member_status, ClaimStatus::Paid);
        assert_eq!(c.network.as_deref(), Some("In network"));
        assert_eq!(
            c.provider_reference.as_deref(),
            Some("Organization/clinic-1")
        );
        assert_eq!(
            c.totals,
            ClaimAmounts {
                billed: Some(240.0),
                allowed: Some(160.0),
                plan_paid: Some(135.0),
                member_owed: Some(25.0),
                copay: Some(25.0),
                ..ClaimAmounts::default()
            },
            "summed from the lines when there is no total"
        );
        assert_eq!(c.lines[0].service, "Office visit, established patient");
        assert_eq!(c.lines[1].service, "Comprehensive metabolic panel");
        assert_eq!(
            c.lines[1].amounts.member_owed, None,
            "absent means not said, not zero"
        );
        assert!(!c.prior_authorization);
    }

    #[test]
    fn header_totals_win_and_other_resources_are_not_claims() {
        let eob = json!({"resourceType": "ExplanationOfBenefit", "use": "preauthorization",
            "total": [{"category": {"coding": [{"code": "submitted"}]}, "amount": {"value": 2650, "currency": "USD"}},
                      {"category": {"coding": [{"code": "paidtoprovider"}]}, "amount": {"value": 620, "currency": "USD"}},
                      {"category": {"coding": [{"code": "paidbypatient"}]}, "amount": {"value": 0, "currency": "USD"}}],
            "item": [{"adjudication": [{"category": {"coding": [{"code": "submitted"}]}, "amount": {"value": 1000}}]}]});
        let c = ClaimFacts::from_value(&eob).unwrap();
        assert_eq!(
            (c.totals.billed, c.totals.plan_paid, c.totals.member_owed),
            (Some(2650.0), Some(620.0), Some(0.0))
        );
        assert!(c.prior_authorization);
        assert!(ClaimFacts::from_value(&json!({"resourceType": "Claim"})).is_none());
    }
}
