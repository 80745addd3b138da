//! Prior authorizations: Da Vinci PDex `pdex-priorauthorization` ExplanationOfBenefit
//! (`use = preauthorization`), one in each state a member meets: approved and still in effect,
//! approved and expired, partly approved, denied with its reason, and pending.
//!
//! The shapes follow the PDex IG's example `PDexPriorAuth1`: each item's adjudication carries
//! the review action (X12 306 code with its display, the plan's review number) and when it was
//! decided; the approved period is `preAuthRefPeriod` and each item's PAS `itemPreAuthPeriod`;
//! approved and used units are the `allowedunits` and `consumedunits` adjudications; a denial
//! reason is a `denialreason` adjudication with an X12 claim adjustment reason code.

use serde_json::Value;

use super::build::{claim_type, codeable, reference, Gen, Rt, Stamp, PAYER_NAME};
use super::catalog::CPT;
use super::clock::{self, DAY, LAST_DAY, YEAR_STARTS};
use super::plan::PRIOR_AUTHORIZATIONS;

const PROFILE: &str =
    "http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/pdex-priorauthorization";
const PDEX: &str = "http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/";
const PAS: &str = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/";
const REVIEW_ACTION: &str = "https://codesystem.x12.org/005010/306";
const LEVEL_OF_SERVICE: &str = "https://codesystem.x12.org/005010/1338";
const SERVICE_TYPE: &str = "https://x12.org/codes/service-type-codes";
const DISCRIMINATOR: &str =
    "http://hl7.org/fhir/us/davinci-pdex/CodeSystem/PDexAdjudicationDiscriminator";
const ADJUDICATION: &str = "http://terminology.hl7.org/CodeSystem/adjudication";
const CARC: &str = "https://x12.org/codes/claim-adjustment-reason-codes";

/// The review of one item.
#[derive(Clone, Copy)]
enum Action {
    /// A1, "Certified in total".
    Approved,
    /// A2, "Certified - partial": fewer units than asked.
    Partial { approved: u32 },
    /// A3, "Not Certified", with an X12 claim adjustment reason code.
    Denied {
        code: &'static str,
        display: &'static str,
    },
    /// A4, "Pended".
    Pended,
}

struct Ask {
    service: (&'static str, &'static str),
    category: (&'static str, &'static str),
    units: u32,
    used: u32,
    action: Action,
}

struct Request {
    /// Day (from 2016-01-01) it was asked for; decided two to five days later.
    asked: i64,
    decided_after: i64,
    /// Days the approval is good for, from the decision; `None` while pending or denied.
    lasts: Option<(i64, i64)>,
    urgent: bool,
    asks: &'static [Ask],
}

/// Medical necessity (X12 CARC 50), worded as the code list words it.
const NOT_NECESSARY: (&str, &str) = (
    "50",
    "These are non-covered services because this is not deemed a 'medical necessity' by the payer.",
);

const PHYSICAL_THERAPY: Ask = Ask {
    service: ("97110", "Therapeutic exercises, each 15 minutes"),
    category: ("PT", "Physical Therapy"),
    units: 12,
    used: 4,
    action: Action::Approved,
};

fn requests() -> [Request; PRIOR_AUTHORIZATIONS] {
    // 2027-06-30: day 180 of 2027.
    let june_30_2027 = YEAR_STARTS[11] + 180;
    [
        // Approved, in effect through 30 June 2027.
        Request {
            asked: LAST_DAY - 130,
            decided_after: 2,
            lasts: Some((LAST_DAY - 128, june_30_2027)),
            urgent: false,
            asks: &[PHYSICAL_THERAPY],
        },
        // Approved long ago, expired.
        Request {
            asked: LAST_DAY - 700,
            decided_after: 3,
            lasts: Some((LAST_DAY - 697, LAST_DAY - 607)),
            urgent: false,
            asks: &[Ask {
                service: ("29881", "Knee arthroscopy with partial meniscectomy"),
                category: ("2", "Surgical"),
                units: 1,
                used: 1,
                action: Action::Approved,
            }],
        },
        // Partly approved: fewer sessions than asked.
        Request {
            asked: LAST_DAY - 60,
            decided_after: 4,
            lasts: Some((LAST_DAY - 56, LAST_DAY + 124)),
            urgent: false,
            asks: &[Ask {
                service: (
                    "97535",
                    "Self-care and home management training, each 15 minutes",
                ),
                category: ("AD", "Occupational Therapy"),
                units: 24,
                used: 2,
                action: Action::Partial { approved: 12 },
            }],
        },
        // Denied, with the reason.
        Request {
            asked: LAST_DAY - 35,
            decided_after: 5,
            lasts: None,
            urgent: false,
            asks: &[Ask {
                service: ("70553", "MRI brain without and with contrast"),
                category: ("62", "MRI/CAT Scan"),
                units: 1,
                used: 0,
                action: Action::Denied {
                    code: NOT_NECESSARY.0,
                    display: NOT_NECESSARY.1,
                },
            }],
        },
        // Pending: asked a few days ago, not decided yet.
        Request {
            asked: LAST_DAY - 4,
            decided_after: 0,
            lasts: None,
            urgent: true,
            asks: &[Ask {
                service: ("72148", "MRI lumbar spine without contrast"),
                category: ("62", "MRI/CAT Scan"),
                units: 1,
                used: 0,
                action: Action::Pended,
            }],
        },
    ]
}

fn units(code: &str, display: &str, value: u32) -> Value {
    obj!(
        ("category", codeable(DISCRIMINATOR, code, display)),
        ("value", value)
    )
}

impl Gen<'_> {
    /// The member's prior authorizations (`PRIOR_AUTHORIZATIONS` of them).
    pub(super) fn prior_authorizations(&mut self) {
        for (n, request) in requests().iter().enumerate() {
            self.prior_authorization(n, request);
        }
    }

    fn prior_authorization(&mut self, n: usize, r: &Request) {
        let asked = r.asked * DAY + 9 * 3600 + n as i64 * 600;
        let pending = r.asks.iter().any(|a| matches!(a.action, Action::Pended));
        let decided = asked + r.decided_after * DAY + 5 * 3600;
        let pract = n % self.practs.len().max(1);
        let (pract_ref, pract_name) = self
            .practs
            .get(pract)
            .map(|p| (p.reference.clone(), p.name.clone()))
            .unwrap_or_default();
        let period = r.lasts.map(|(from, until)| {
            obj!(
                ("start", clock::date(from * DAY)),
                ("end", clock::date(until * DAY))
            )
        });
        let items: Vec<Value> = r
            .asks
            .iter()
            .enumerate()
            .map(|(i, ask)| {
                let (code, display) = match ask.action {
                    Action::Approved => ("A1", "Certified in total"),
                    Action::Partial { .. } => ("A2", "Certified - partial"),
                    Action::Denied { .. } => ("A3", "Not Certified"),
                    Action::Pended => ("A4", "Pended"),
                };
                let mut review = vec![
                    obj!(
                        ("url", "number"),
                        ("valueString", format!("AUTH{:04}{}", n + 1, i + 1))
                    ),
                    obj!(
                        ("url", format!("{PDEX}extension-reviewActionCode")),
                        (
                            "valueCodeableConcept",
                            codeable(REVIEW_ACTION, code, display)
                        )
                    ),
                ];
                if let Action::Denied { code, display } = ask.action {
                    review.push(obj!(
                        ("url", "reasonCode"),
                        ("valueCodeableConcept", codeable(CARC, code, display))
                    ));
                }
                let mut extension = vec![obj!(
                    ("url", format!("{PDEX}extension-reviewAction")),
                    ("extension", review)
                )];
                if !pending {
                    extension.push(obj!(
                        ("url", format!("{PDEX}base-ext-when-adjudicated")),
                        ("valueDateTime", clock::instant(decided))
                    ));
                }
                let mut adjudication = vec![obj!(
                    ("extension", extension),
                    (
                        "category",
                        codeable(ADJUDICATION, "submitted", "Submitted Amount")
                    )
                )];
                let approved = match ask.action {
                    Action::Approved => Some(ask.units),
                    Action::Partial { approved } => Some(approved),
                    Action::Denied { .. } | Action::Pended => None,
                };
                if let Some(approved) = approved {
                    adjudication.push(units("allowedunits", "allowed units", approved));
                    adjudication.push(units("consumedunits", "consumed units", ask.used));
                }
                if let Action::Denied { code, display } = ask.action {
                    adjudication.push(obj!(
                        (
                            "category",
                            codeable(DISCRIMINATOR, "denialreason", "Denial Reason")
                        ),
                        ("reason", codeable(CARC, code, display))
                    ));
                }
                let mut item = obj!(
                    ("sequence", i + 1),
                    (
                        "category",
                        codeable(SERVICE_TYPE, ask.category.0, ask.category.1)
                    ),
                    (
                        "productOrService",
                        codeable(CPT, ask.service.0, ask.service.1)
                    ),
                    ("quantity", obj!(("value", ask.units))),
                    ("adjudication", adjudication)
                );
                if let (Some(period), Some(_)) = (&period, approved) {
                    item["extension"] = Value::from(vec![
                        obj!(
                            ("url", format!("{PAS}extension-itemPreAuthIssueDate")),
                            ("valueDate", clock::date(decided))
                        ),
                        obj!(
                            ("url", format!("{PAS}extension-itemPreAuthPeriod")),
                            ("valuePeriod", period.clone())
                        ),
                    ]);
                }
                item
            })
            .collect();
        let (level, level_display) = if r.urgent {
            ("U", "Urgent")
        } else {
            ("E", "Elective")
        };
        let outcome = if pending { "queued" } else { "complete" };
        let mut body = obj!(
            (
                "extension",
                vec![obj!(
                    ("url", format!("{PDEX}extension-levelOfServiceCode")),
                    (
                        "valueCodeableConcept",
                        codeable(LEVEL_OF_SERVICE, level, level_display)
                    )
                )]
            ),
            (
                "identifier",
                vec![obj!(
                    (
                        "system",
                        "https://sandbox.folio.invalid/prior-authorization"
                    ),
                    ("value", format!("PA{}{:03}", clock::year(asked), n + 1))
                )]
            ),
            ("status", "active"),
            ("type", claim_type("professional", "Professional")),
            ("use", "preauthorization"),
            ("patient", reference(&self.patient)),
            ("created", clock::instant(asked)),
            (
                "insurer",
                obj!(("reference", self.payer.as_str()), ("display", PAYER_NAME))
            ),
            (
                "provider",
                obj!(
                    ("reference", pract_ref.as_str()),
                    ("display", pract_name.as_str())
                )
            ),
            ("outcome", outcome),
            (
                "careTeam",
                vec![obj!(
                    ("sequence", 1),
                    ("provider", reference(&pract_ref)),
                    ("responsible", true)
                )]
            ),
            (
                "insurance",
                vec![obj!(
                    ("focal", true),
                    ("coverage", reference(self.coverage_at(asked)))
                )]
            ),
            ("item", items)
        );
        if let Some(period) = period {
            body["preAuthRefPeriod"] = Value::from(vec![period]);
        }
        let summary = format!(
            "Prior authorization {} for {}.",
            if pending { "request" } else { "decision" },
            r.asks
                .iter()
                .map(|a| a.service.1)
                .collect::<Vec<_>>()
                .join(", ")
        );
        let at = if pending { asked } else { decided };
        self.add(
            Rt::ExplanationOfBenefit,
            body,
            Stamp::new(at, PROFILE, summary),
        );
    }
}
