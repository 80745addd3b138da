//! Claims: CARIN Blue Button ExplanationOfBenefit (professional, institutional, pharmacy, and
//! dental and vision: a member's first office-visit claims that bill nothing else become a
//! dental cleaning and an eye exam, then one in ten) with line-level adjudication that adds up,
//! and the PDex Provenance for claims and clinical data.
//!
//! Amounts are whole cents throughout: per line, allowed (eligible) is at most submitted, member
//! liability is copay + deductible + coinsurance, and benefit (= paid to provider) plus member
//! liability equals allowed. Header totals are the per-category sums of the lines, and
//! `payment.amount` is the total benefit.
//!
//! Denials: the first claim of two lines or more after a member's second claim has its last
//! line denied, and the first single-line doctor's claim after the fourth is denied in full
//! (then a few percent of either; never a hospital stay, pharmacy or sensitive claim); a denied
//! line is allowed nothing, its charge is not covered, and the provider may not bill the member
//! for it (the reasons are X12 claim adjustment reason codes of group CO, with the published
//! X12 descriptions). Every other line the plan allowed less than billed carries the
//! contractual adjustment (CARC 45) as an `adjustmentreason`. Each medical claim carries the
//! member's `benefitBalance` after it: the in-network deductible and out-of-pocket maximum of
//! the plan year, for the individual and the family (the family figures count this member's
//! claims only).

use serde_json::{Map, Value};

use super::build::{
    claim_type, codeable, coding, concept, dollars, money, reference, Ctx, Gen, Rt, Stamp,
};
use super::catalog::{
    Code, Drug, Service, BIKTARVY, EMERGENCY_VISITS, HOSPITAL_DISCHARGE, HOSPITAL_INITIAL,
    HOSPITAL_SUBSEQUENT, INPATIENT_PHARMACY, NOT_APPLICABLE, OFFICE_VISITS, PREVENTIVE_VISITS,
    REV_PHARMACY, REV_ROOM, ROOM_AND_BOARD_DAILY,
};
use super::clock::{self, DAY, END};
use super::plan::{Kind, Sensitive};

macro_rules! carin {
    ($name:literal) => {
        concat!(
            "http://hl7.org/fhir/us/carin-bb/StructureDefinition/",
            $name
        )
    };
}

const INSTITUTIONAL_SUBTYPE: &str =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBInstitutionalClaimSubType";
const ADJUDICATION: &str = "http://terminology.hl7.org/CodeSystem/adjudication";
const C4BB_ADJUDICATION: &str = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication";
const C4BB_SUPPORTING: &str = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType";
const PDEX_SOURCE_FROM: &str =
    "http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/ProvenanceSourceFrom";
const PDEX_SOURCE: &str =
    "http://hl7.org/fhir/us/davinci-pdex/CodeSystem/ProvenancePayerDataSource";
const PDEX_PROVENANCE: &str =
    "http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/provenance-1";
const C4BB_DISCRIMINATOR: &str =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator";
/// X12 Claim Adjustment Reason Codes (x12.org/codes/claim-adjustment-reason-codes), the
/// system CARIN Blue Button names for denial and adjustment reasons.
const CARC: &str = "https://x12.org/codes/claim-adjustment-reason-codes";
/// Denial reasons used here, with their published X12 descriptions.
const DENIALS: [(&str, &str); 3] = [
    (
        "50",
        "These are non-covered services because this is not deemed a 'medical necessity' by the payer.",
    ),
    (
        "197",
        "Precertification/authorization/notification/pre-treatment absent.",
    ),
    ("96", "Non-covered charge(s)."),
];
const CONTRACTUAL: (&str, &str) = (
    "45",
    "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement.",
);
const CDT: &str = "http://www.ada.org/cdt";
/// The member's dental and eye practices (named on their claims only).
const DENTAL_PRACTICES: [&str; 3] = [
    "Lakeside Family Dentistry",
    "Maple Street Dental Group",
    "Bright Path Dental Care",
];
const EYE_PRACTICES: [&str; 2] = ["Clear View Eye Care", "Harbor Optometry"];
const CPT: &str = "http://www.ama-assn.org/go/cpt";
static DENTAL_SERVICES: [(Code, (i64, i64)); 3] = [
    (
        Code {
            system: CDT,
            code: "D0120",
            display: "Periodic oral evaluation",
        },
        (55, 90),
    ),
    (
        Code {
            system: CDT,
            code: "D1110",
            display: "Prophylaxis - Adult",
        },
        (95, 140),
    ),
    (
        Code {
            system: CDT,
            code: "D0274",
            display: "Bitewings - four radiographic images",
        },
        (60, 95),
    ),
];
static VISION_SERVICES: [(Code, (i64, i64)); 2] = [
    (
        Code {
            system: CPT,
            code: "92014",
            display: "Eye exam, established patient, comprehensive",
        },
        (140, 210),
    ),
    (
        Code {
            system: CPT,
            code: "92015",
            display: "Determination of refractive state",
        },
        (40, 70),
    ),
];

/// How the member shares the cost of a line.
#[derive(Clone, Copy, Debug)]
pub(super) enum Share {
    /// Fixed copay (cents), capped at the allowed amount.
    Copay(i64),
    /// Preventive care: the plan pays all of the allowed amount.
    Preventive,
    /// Deductible first, then coinsurance.
    Coinsurance,
}

pub(super) struct Line {
    pub(super) product: &'static Code,
    pub(super) text: Option<String>,
    pub(super) revenue: Option<&'static Code>,
    pub(super) qty: i64,
    pub(super) unit: Option<&'static str>,
    /// Submitted charge for the whole line, cents.
    pub(super) charge: i64,
    pub(super) share: Share,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ClaimClass {
    Professional,
    Outpatient,
    Inpatient,
    Pharmacy,
    Dental,
    Vision,
}

pub(super) struct Claim<'a> {
    pub(super) class: ClaimClass,
    pub(super) start: i64,
    pub(super) end: i64,
    pub(super) org: usize,
    pub(super) pract: usize,
    pub(super) place: Option<&'static Code>,
    pub(super) encounter: Option<&'a str>,
    pub(super) prescription: Option<&'a str>,
    pub(super) diagnoses: &'a [&'static Code],
    pub(super) lines: Vec<Line>,
    pub(super) security: Option<Sensitive>,
    pub(super) days_supply: Option<i64>,
}

/// What a claims Provenance needs to know about an EOB.
pub(super) struct ClaimRef {
    pub(super) reference: String,
    pub(super) org: usize,
    pub(super) created: i64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Amounts {
    submitted: i64,
    allowed: i64,
    deductible: i64,
    copay: i64,
    coinsurance: i64,
    benefit: i64,
    liability: i64,
    /// Not covered (a denied line's charge).
    noncovered: i64,
    /// Billed above the allowed amount on a line that was not denied.
    contractual: i64,
    /// Why the line was denied (CARC code and description).
    denial: Option<(&'static str, &'static str)>,
}

impl Amounts {
    fn add(&mut self, other: &Amounts) {
        self.submitted += other.submitted;
        self.allowed += other.allowed;
        self.deductible += other.deductible;
        self.copay += other.copay;
        self.coinsurance += other.coinsurance;
        self.benefit += other.benefit;
        self.liability += other.liability;
        self.noncovered += other.noncovered;
        self.contractual += other.contractual;
    }
}

/// The adjudication categories with their amounts, for `item.adjudication` and `total`:
/// submitted, eligible, deductible, copay, coinsurance, benefit, member liability and
/// paid-to-provider always (a plan that applied none of the member's share says 0); not covered
/// when not zero; on a line, the denial or contractual adjustment reason (`reasons`).
fn adjudication(a: &Amounts, reasons: bool) -> Value {
    let entries = [
        (
            ADJUDICATION,
            "submitted",
            "Submitted Amount",
            a.submitted,
            true,
        ),
        (ADJUDICATION, "eligible", "Eligible Amount", a.allowed, true),
        (ADJUDICATION, "deductible", "Deductible", a.deductible, true),
        (ADJUDICATION, "copay", "CoPay", a.copay, true),
        (
            C4BB_ADJUDICATION,
            "coinsurance",
            "Co-insurance",
            a.coinsurance,
            true,
        ),
        (
            C4BB_ADJUDICATION,
            "noncovered",
            "Noncovered",
            a.noncovered,
            false,
        ),
        (ADJUDICATION, "benefit", "Benefit Amount", a.benefit, true),
        (
            C4BB_ADJUDICATION,
            "memberliability",
            "Member liability",
            a.liability,
            true,
        ),
        (
            C4BB_ADJUDICATION,
            "paidtoprovider",
            "Paid to provider",
            a.benefit,
            true,
        ),
    ];
    let mut out: Vec<Value> = entries
        .iter()
        .filter(|&&(_, _, _, cents, always)| always || cents != 0)
        .map(|&(system, code, display, cents, _)| {
            obj!(
                ("category", codeable(system, code, display)),
                ("amount", money(cents))
            )
        })
        .collect();
    if reasons {
        let reason = match a.denial {
            Some(denial) => Some(("denialreason", "Denial Reason", denial, a.noncovered)),
            None if a.contractual > 0 => Some((
                "adjustmentreason",
                "Adjustment Reason",
                CONTRACTUAL,
                a.contractual,
            )),
            None => None,
        };
        if let Some((category, label, (code, display), cents)) = reason {
            out.push(obj!(
                ("category", codeable(C4BB_DISCRIMINATOR, category, label)),
                ("reason", codeable(CARC, code, display)),
                ("amount", money(cents))
            ));
        }
    }
    Value::Array(out)
}

fn supporting(sequence: usize, code: &str, display: &str) -> Value {
    obj!(
        ("sequence", sequence),
        ("category", codeable(C4BB_SUPPORTING, code, display))
    )
}

impl Gen<'_> {
    /// A claim line for `service`, priced from its range.
    pub(super) fn line(
        &mut self,
        service: &'static Service,
        institutional: bool,
        share: Share,
    ) -> Line {
        Line {
            product: &service.code,
            text: None,
            revenue: institutional.then_some(service.revenue),
            qty: 1,
            unit: None,
            charge: self.d.int(service.price.0, service.price.1) * 100,
            share,
        }
    }

    fn line_times(&mut self, service: &'static Service, qty: i64, share: Share) -> Line {
        let mut line = self.line(service, false, share);
        line.qty = qty;
        line.charge *= qty;
        line
    }

    /// The visit-level lines: the E/M service, or facility lines for hospital visits.
    pub(super) fn base_lines(&mut self, ctx: &Ctx, preventive: bool) -> Vec<Line> {
        match ctx.kind {
            Kind::Ambulatory if preventive => {
                let age = self.age_at(ctx.start);
                let index = if age < 40 {
                    0
                } else if age < 65 {
                    1
                } else {
                    2
                };
                vec![self.line(&PREVENTIVE_VISITS[index], false, Share::Preventive)]
            }
            Kind::Ambulatory => {
                let index = self.d.weighted(&[6, 3, 1]);
                let share = Share::Copay(self.office_copay);
                vec![self.line(&OFFICE_VISITS[index], false, share)]
            }
            Kind::Emergency => {
                let index = self.d.index(EMERGENCY_VISITS.len());
                let share = Share::Copay(self.emergency_copay);
                vec![self.line(&EMERGENCY_VISITS[index], true, share)]
            }
            Kind::Inpatient => {
                let days = ((ctx.end - ctx.start + DAY / 2) / DAY).max(1);
                let daily = self.d.int(ROOM_AND_BOARD_DAILY.0, ROOM_AND_BOARD_DAILY.1) * 100;
                let pharmacy = self.d.int(INPATIENT_PHARMACY.0, INPATIENT_PHARMACY.1) * 100;
                vec![
                    Line {
                        product: &NOT_APPLICABLE,
                        text: Some(format!("Room and board, semi-private, {days} day(s)")),
                        revenue: Some(&REV_ROOM),
                        qty: days,
                        unit: None,
                        charge: daily * days,
                        share: Share::Coinsurance,
                    },
                    Line {
                        product: &NOT_APPLICABLE,
                        text: Some("Inpatient pharmacy".to_owned()),
                        revenue: Some(&REV_PHARMACY),
                        qty: 1,
                        unit: None,
                        charge: pharmacy,
                        share: Share::Coinsurance,
                    },
                ]
            }
        }
    }

    /// The physician's own claim for a hospital visit.
    pub(super) fn professional_lines(&mut self, ctx: &Ctx) -> Vec<Line> {
        match ctx.kind {
            Kind::Inpatient => {
                let days = ((ctx.end - ctx.start + DAY / 2) / DAY).max(1);
                let mut lines = vec![self.line(&HOSPITAL_INITIAL, false, Share::Coinsurance)];
                if days > 1 {
                    lines.push(self.line_times(&HOSPITAL_SUBSEQUENT, days - 1, Share::Coinsurance));
                }
                lines.push(self.line(&HOSPITAL_DISCHARGE, false, Share::Coinsurance));
                lines
            }
            _ => {
                let index = self.d.index(EMERGENCY_VISITS.len());
                let mut line = self.line(&EMERGENCY_VISITS[index], false, Share::Coinsurance);
                line.charge = self.d.int(180, 520) * 100;
                vec![line]
            }
        }
    }

    fn adjudicate(
        &mut self,
        line: &Line,
        year: i32,
        in_network: bool,
        pharmacy: bool,
        denial: Option<(&'static str, &'static str)>,
    ) -> Amounts {
        if let Some(denial) = denial {
            return Amounts {
                submitted: line.charge,
                noncovered: line.charge,
                denial: Some(denial),
                ..Amounts::default()
            };
        }
        let percent = if pharmacy {
            self.d.int(78, 95)
        } else if in_network {
            self.d.int(45, 85)
        } else {
            self.d.int(35, 60)
        };
        let submitted = line.charge;
        let allowed = (submitted * percent + 50) / 100;
        let (copay, deductible, coinsurance) = match line.share {
            Share::Preventive => (0, 0, 0),
            Share::Copay(copay) => (copay.min(allowed), 0, 0),
            Share::Coinsurance => {
                let left = self
                    .deductible_left
                    .entry(year)
                    .or_insert(self.annual_deductible);
                let deductible = (*left).min(allowed);
                *left -= deductible;
                let rate = if in_network { 20 } else { 40 };
                (0, deductible, ((allowed - deductible) * rate + 50) / 100)
            }
        };
        let liability = copay + deductible + coinsurance;
        Amounts {
            submitted,
            allowed,
            deductible,
            copay,
            coinsurance,
            benefit: allowed - liability,
            liability,
            contractual: if pharmacy { 0 } else { submitted - allowed },
            ..Amounts::default()
        }
    }

    /// A member's first office-visit claims that bill only the visit become a dental cleaning
    /// and an eye exam, and one in ten after that; such a claim names no visit, and its
    /// provider by name only (the member's dental and eye practices are not among the
    /// generated Organizations).
    fn routine_care<'c>(&mut self, mut c: Claim<'c>) -> (Claim<'c>, Option<&'static str>) {
        let plain_visit = c.class == ClaimClass::Professional
            && c.security.is_none()
            && c.lines.len() == 1
            && OFFICE_VISITS
                .iter()
                .any(|s| std::ptr::eq(&s.code, c.lines[0].product));
        if !plain_visit {
            return (c, None);
        }
        let class = match self.routine_claims {
            0 => ClaimClass::Dental,
            1 => ClaimClass::Vision,
            _ if self.d.chance(0.1) => *self.d.pick(&[ClaimClass::Dental, ClaimClass::Vision]),
            _ => return (c, None),
        };
        self.routine_claims += 1;
        let services: &'static [(Code, (i64, i64))] = if class == ClaimClass::Dental {
            &DENTAL_SERVICES
        } else {
            &VISION_SERVICES
        };
        c.lines = services
            .iter()
            .map(|(code, price)| Line {
                product: code,
                text: None,
                revenue: None,
                qty: 1,
                unit: None,
                charge: self.d.int(price.0, price.1) * 100,
                share: Share::Copay(self.office_copay / 2),
            })
            .collect();
        c.class = class;
        c.place = None;
        c.encounter = None;
        c.diagnoses = &[];
        let name = if class == ClaimClass::Dental {
            *self.d.pick(&DENTAL_PRACTICES)
        } else {
            *self.d.pick(&EYE_PRACTICES)
        };
        (c, Some(name))
    }

    /// Which lines of a claim the plan denies, and why (see the module's note).
    fn denials(&mut self, c: &Claim<'_>) -> Vec<Option<(&'static str, &'static str)>> {
        let mut out = vec![None; c.lines.len()];
        let eligible = c.security.is_none()
            && !matches!(c.class, ClaimClass::Pharmacy | ClaimClass::Inpatient);
        if !eligible || out.is_empty() {
            return out;
        }
        if out.len() >= 2 {
            let (partial, _) = self.denials;
            let due = partial == 0 && self.claims_issued >= 2;
            if due || self.d.chance(0.05) {
                let reason = if due {
                    DENIALS[0]
                } else {
                    *self.d.pick(&DENIALS)
                };
                if let Some(last) = out.last_mut() {
                    *last = Some(reason);
                }
                self.denials.0 += 1;
            }
        } else if c.class == ClaimClass::Professional {
            let (_, full) = self.denials;
            let due = full == 0 && self.claims_issued >= 4;
            if due || self.d.chance(0.02) {
                out[0] = Some(if due {
                    DENIALS[1]
                } else {
                    *self.d.pick(&DENIALS)
                });
                self.denials.1 += 1;
            }
        }
        out
    }

    /// The member's in-network balances for the plan year of `year`, after this claim.
    fn benefit_balance(&self, year: i32) -> Value {
        let deductible_used = self.annual_deductible
            - self
                .deductible_left
                .get(&year)
                .copied()
                .unwrap_or(self.annual_deductible);
        let oop_max = self.annual_deductible * 3;
        let oop_used = self.oop_used.get(&year).copied().unwrap_or(0).min(oop_max);
        let entry = |unit: (&str, &str), factor: i64| {
            obj!(
                (
                    "category",
                    codeable(
                        "http://terminology.hl7.org/CodeSystem/ex-benefitcategory",
                        "30",
                        "Health Benefit Plan Coverage"
                    )
                ),
                (
                    "network",
                    codeable(
                        "http://terminology.hl7.org/CodeSystem/benefit-network",
                        "in",
                        "In Network"
                    )
                ),
                (
                    "unit",
                    codeable(
                        "http://terminology.hl7.org/CodeSystem/benefit-unit",
                        unit.0,
                        unit.1
                    )
                ),
                (
                    "term",
                    codeable(
                        "http://terminology.hl7.org/CodeSystem/benefit-term",
                        "annual",
                        "Annual"
                    )
                ),
                (
                    "financial",
                    vec![
                        obj!(
                            (
                                "type",
                                codeable(
                                    "http://terminology.hl7.org/CodeSystem/benefit-type",
                                    "deductible",
                                    "Deductible"
                                )
                            ),
                            ("allowedMoney", money(self.annual_deductible * factor)),
                            ("usedMoney", money(deductible_used))
                        ),
                        obj!(
                            ("type", obj!(("text", "Out-of-pocket maximum"))),
                            ("allowedMoney", money(oop_max * factor)),
                            ("usedMoney", money(oop_used))
                        )
                    ]
                )
            )
        };
        Value::Array(vec![
            entry(("individual", "Individual"), 1),
            entry(("family", "Family"), 2),
        ])
    }

    pub(super) fn claim(&mut self, c: Claim<'_>) -> ClaimRef {
        let (c, practice) = self.routine_care(c);
        let denials = self.denials(&c);
        let (type_code, type_display, profile, role, role_display) = match c.class {
            ClaimClass::Professional => (
                "professional",
                "Professional",
                carin!("C4BB-ExplanationOfBenefit-Professional-NonClinician"),
                "performing",
                "Performing provider",
            ),
            ClaimClass::Outpatient => (
                "institutional",
                "Institutional",
                carin!("C4BB-ExplanationOfBenefit-Outpatient-Institutional"),
                "attending",
                "Attending",
            ),
            ClaimClass::Inpatient => (
                "institutional",
                "Institutional",
                carin!("C4BB-ExplanationOfBenefit-Inpatient-Institutional"),
                "attending",
                "Attending",
            ),
            ClaimClass::Pharmacy => (
                "pharmacy",
                "Pharmacy",
                carin!("C4BB-ExplanationOfBenefit-Pharmacy"),
                "prescribing",
                "Prescribing provider",
            ),
            ClaimClass::Dental => (
                "oral",
                "Oral",
                carin!("C4BB-ExplanationOfBenefit-Oral"),
                "rendering",
                "Rendering provider",
            ),
            ClaimClass::Vision => (
                "vision",
                "Vision",
                carin!("C4BB-ExplanationOfBenefit-Professional-NonClinician"),
                "performing",
                "Performing provider",
            ),
        };
        let pharmacy = c.class == ClaimClass::Pharmacy;
        let in_network = pharmacy || self.d.chance(0.92);
        let received = (c.end + self.d.int(0, 6) * DAY).min(END - 1);
        let created = (received + self.d.int(0, 3) * DAY + self.d.int(0, DAY - 1)).min(END - 1);
        let paid = (created + self.d.int(5, 25) * DAY).min(END - 1);
        let year = clock::year(c.start);
        let claim_number = self.next_claim_number();
        let mut total = Amounts::default();
        let mut items = Vec::with_capacity(c.lines.len());
        for (i, line) in c.lines.iter().enumerate() {
            let amounts = self.adjudicate(line, year, in_network, pharmacy, denials[i]);
            total.add(&amounts);
            let mut item = Map::new();
            item.insert("sequence".into(), Value::from(i + 1));
            if let Some(revenue) = line.revenue {
                item.insert("revenue".into(), concept(revenue));
            }
            let text = line.text.as_deref().unwrap_or(line.product.display);
            item.insert(
                "productOrService".into(),
                obj!(("coding", vec![coding(line.product)]), ("text", text)),
            );
            item.insert("servicedDate".into(), Value::from(clock::date(c.start)));
            if let Some(place) = c.place {
                item.insert(
                    "locationCodeableConcept".into(),
                    obj!(("coding", vec![coding(place)])),
                );
            }
            match line.unit {
                Some(unit) => {
                    item.insert("quantity".into(), obj!(("value", line.qty), ("unit", unit)));
                }
                None if line.qty != 1 => {
                    item.insert("quantity".into(), obj!(("value", line.qty)));
                }
                None => {}
            }
            if !c.diagnoses.is_empty() {
                item.insert("diagnosisSequence".into(), Value::from(vec![1]));
            }
            if let Some(encounter) = c.encounter.filter(|_| i == 0) {
                item.insert("encounter".into(), Value::from(vec![reference(encounter)]));
            }
            item.insert("adjudication".into(), adjudication(&amounts, true));
            items.push(Value::Object(item));
        }

        let network = if in_network {
            ("contracted", "Contracted")
        } else {
            ("noncontracted", "Non-Contracted")
        };
        let mut network_info = supporting(
            2,
            "billingnetworkcontractingstatus",
            "Billing Network Contracting Status",
        );
        network_info["code"] = codeable(
            "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBPayerAdjudicationStatus",
            network.0,
            network.1,
        );
        let mut received_info = supporting(1, "clmrecvddate", "Claim Received Date");
        received_info["timingDate"] = Value::from(clock::date(received));
        let mut supporting_info = vec![received_info, network_info];
        if let Some(days) = c.days_supply {
            let mut info = supporting(3, "dayssupply", "Days Supply");
            info["valueQuantity"] = obj!(("value", days));
            supporting_info.push(info);
            // The catalog's drugs are dispensed as generics, but for the HIV medicine, which
            // has none.
            let brand = c
                .lines
                .first()
                .is_some_and(|l| l.product.code == BIKTARVY.ndc.code);
            let (code, display) = if brand {
                ("1", "Brand")
            } else {
                ("2", "Generic")
            };
            let mut info = supporting(4, "brandgenericindicator", "Brand Generic Indicator");
            info["code"] = codeable(
                "http://terminology.hl7.org/CodeSystem/NCPDPBrandGenericIndicator",
                code,
                display,
            );
            supporting_info.push(info);
        }
        if c.class == ClaimClass::Inpatient {
            let mut info = supporting(3, "admissionperiod", "Admission Period");
            info["timingPeriod"] = obj!(
                ("start", clock::instant(c.start)),
                ("end", clock::instant(c.end))
            );
            supporting_info.push(info);
        }

        let mut body = obj!(
            (
                "identifier",
                vec![obj!(
                    (
                        "type",
                        codeable(
                            "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType",
                            "uc",
                            "Unique Claim ID"
                        )
                    ),
                    ("system", "https://sandbox.folio.invalid/claim-id"),
                    ("value", claim_number.as_str())
                )]
            ),
            ("status", "active"),
            ("type", claim_type(type_code, type_display)),
            ("use", "claim"),
            ("patient", reference(&self.patient)),
            (
                "billablePeriod",
                obj!(("start", clock::date(c.start)), ("end", clock::date(c.end)))
            ),
            ("created", clock::instant(created)),
            ("insurer", reference(&self.payer)),
            (
                "provider",
                match practice {
                    Some(name) => obj!(("display", name)),
                    None => reference(&self.orgs[c.org].reference),
                }
            ),
            ("outcome", "complete"),
            (
                "careTeam",
                vec![obj!(
                    ("sequence", 1),
                    (
                        "provider",
                        match practice {
                            Some(name) => obj!(("display", name)),
                            None => reference(&self.practs[c.pract].reference),
                        }
                    ),
                    (
                        "role",
                        codeable(
                            "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole",
                            role,
                            role_display
                        )
                    )
                )]
            ),
            ("supportingInfo", supporting_info),
            (
                "insurance",
                vec![obj!(
                    ("focal", true),
                    ("coverage", reference(self.coverage_at(c.start)))
                )]
            ),
            ("item", items),
            ("total", adjudication(&total, false)),
            (
                "payment",
                obj!(
                    (
                        "type",
                        codeable(
                            "http://terminology.hl7.org/CodeSystem/ex-paymenttype",
                            "complete",
                            "Complete"
                        )
                    ),
                    ("date", clock::date(paid)),
                    ("amount", money(total.benefit))
                )
            )
        );
        match c.class {
            ClaimClass::Outpatient | ClaimClass::Inpatient => {
                let (code, display) = if c.class == ClaimClass::Inpatient {
                    ("inpatient", "Inpatient")
                } else {
                    ("outpatient", "Outpatient")
                };
                body["subType"] = obj!(
                    (
                        "coding",
                        vec![obj!(
                            ("system", INSTITUTIONAL_SUBTYPE),
                            ("code", code),
                            ("display", display)
                        )]
                    ),
                    ("text", display)
                );
            }
            ClaimClass::Professional
            | ClaimClass::Pharmacy
            | ClaimClass::Dental
            | ClaimClass::Vision => {}
        }
        let mut diagnoses: Vec<&Code> = Vec::with_capacity(c.diagnoses.len());
        for &dx in c.diagnoses {
            if !diagnoses.iter().any(|seen| seen.code == dx.code) {
                diagnoses.push(dx);
            }
        }
        if !diagnoses.is_empty() {
            let list: Vec<Value> = diagnoses
                .iter()
                .enumerate()
                .map(|(i, dx)| {
                    let kind = if i == 0 {
                        codeable(
                            "http://terminology.hl7.org/CodeSystem/ex-diagnosistype",
                            "principal",
                            "Principal Diagnosis",
                        )
                    } else {
                        codeable(
                            "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimDiagnosisType",
                            "secondary",
                            "secondary",
                        )
                    };
                    obj!(
                        ("sequence", i + 1),
                        ("diagnosisCodeableConcept", concept(dx)),
                        ("type", vec![kind])
                    )
                })
                .collect();
            body["diagnosis"] = Value::Array(list);
        }
        if !pharmacy {
            if in_network {
                *self.oop_used.entry(year).or_insert(0) += total.liability;
            }
            body["benefitBalance"] = self.benefit_balance(year);
        }
        if let Some(prescription) = c.prescription {
            body["prescription"] = reference(prescription);
        }
        let summary = format!(
            "{type_display} claim {claim_number} for services on {}: billed ${}, plan paid ${}, \
             member owes ${}.",
            clock::date(c.start),
            dollars(total.submitted),
            dollars(total.benefit),
            dollars(total.liability)
        );
        let stamp = Stamp::new(paid, profile, summary).secured(c.security);
        let reference = self.add(Rt::ExplanationOfBenefit, body, stamp);
        ClaimRef {
            reference,
            org: c.org,
            created,
        }
    }

    /// The pharmacy EOB for fill number `fill` of a prescription.
    pub(super) fn pharmacy_claim(
        &mut self,
        ctx: &Ctx,
        drug: &'static Drug,
        prescription: &str,
        authored: i64,
        fill: usize,
        security: Option<Sensitive>,
    ) -> ClaimRef {
        let at = (authored + fill as i64 * drug.days * DAY + self.d.int(600, 2 * DAY)).min(END - 1);
        let org = self.pharmacy_org();
        let copay = drug.copay;
        let line = Line {
            product: &drug.ndc,
            text: Some(drug.rx.display.to_owned()),
            revenue: None,
            qty: drug.qty,
            unit: Some(drug.unit),
            charge: self.d.int(drug.price.0, drug.price.1) * 100,
            share: Share::Copay(copay),
        };
        let claim = Claim {
            class: ClaimClass::Pharmacy,
            start: at,
            end: at,
            org,
            pract: ctx.pract,
            place: None,
            encounter: None,
            prescription: Some(prescription),
            diagnoses: &[],
            lines: vec![line],
            security,
            days_supply: Some(drug.days),
        };
        self.claim(claim)
    }

    /// One Provenance over a batch of EOBs: transmitted by the payer, authored by the providers.
    pub(super) fn claims_provenance(&mut self, batch: &[ClaimRef]) {
        let recorded = batch.iter().map(|c| c.created).max().unwrap_or(0);
        let recorded = (recorded + self.d.int(0, 3 * DAY)).min(END - 1);
        let mut authors: Vec<usize> = Vec::new();
        for claim in batch {
            if !authors.contains(&claim.org) {
                authors.push(claim.org);
            }
        }
        let targets: Vec<Value> = batch.iter().map(|c| reference(&c.reference)).collect();
        self.provenance(
            targets,
            recorded,
            &authors,
            ("x12837", "X12 837", "Claims received from providers"),
        );
    }

    /// One Provenance over some clinical resources of a visit.
    pub(super) fn clinical_provenance(&mut self, ctx: &Ctx, targets: &[String]) {
        let recorded = (ctx.end + self.d.int(3600, 3 * DAY)).min(END - 1);
        let source = if targets.len() == 1 {
            (
                "hl7v2adt",
                "HL7 v2 ADT",
                "Admission, discharge and transfer feed",
            )
        } else {
            (
                "clinical",
                "Clinical",
                "Clinical data received from the provider",
            )
        };
        let targets: Vec<Value> = targets.iter().map(|t| reference(t)).collect();
        self.provenance(targets, recorded, &[ctx.org], source);
    }

    fn provenance(
        &mut self,
        targets: Vec<Value>,
        recorded: i64,
        authors: &[usize],
        source: (&str, &str, &str),
    ) {
        let mut agents = vec![obj!(
            (
                "type",
                codeable(
                    "http://hl7.org/fhir/us/core/CodeSystem/us-core-provenance-participant-type",
                    "transmitter",
                    "Transmitter"
                )
            ),
            ("who", reference(&self.payer))
        )];
        for &org in authors {
            agents.push(obj!(
                (
                    "type",
                    codeable(
                        "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                        "author",
                        "Author"
                    )
                ),
                ("who", reference(&self.orgs[org].reference))
            ));
        }
        let (code, display, what) = source;
        let body = obj!(
            ("target", targets),
            ("recorded", clock::instant(recorded)),
            ("agent", agents),
            (
                "entity",
                vec![obj!(
                    (
                        "extension",
                        vec![obj!(
                            ("url", PDEX_SOURCE_FROM),
                            ("valueCodeableConcept", codeable(PDEX_SOURCE, code, display))
                        )]
                    ),
                    ("role", "source"),
                    ("what", obj!(("display", what)))
                )]
            )
        );
        let stamp = Stamp {
            at: recorded,
            profile: Some(PDEX_PROVENANCE),
            security: None,
            summary: None,
            force_hostile: false,
        };
        self.add(Rt::Provenance, body, stamp);
    }
}
