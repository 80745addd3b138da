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

const REVIEW_ACTION: &str = "extension-reviewAction";
const REVIEW_ACTION_CODE: &str = "extension-reviewActionCode";
const WHEN_ADJUDICATED: &str = "base-ext-when-adjudicated";
const ITEM_PREAUTH_PERIOD: &str = "extension-itemPreAuthPeriod";
const ITEM_PREAUTH_ISSUE_DATE: &str = "extension-itemPreAuthIssueDate";
const LEVEL_OF_SERVICE: &str = "extension-levelOfServiceCode";
const UTILIZATION: &str = "PriorAuthorizationUtilization";

/// Where a prior authorization stands, in the member's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PriorAuthStatus {
    /// Not decided yet (X12 306 `A4` "Pended", or `outcome = queued`).
    Pending,
    /// Approved as asked (`A1` "Certified in total").
    Approved,
    /// Approved in part or with changes (`A2` "Certified - partial", `A6` "Modified", or
    /// approved and denied items together, or `outcome = partial`).
    PartlyApproved,
    /// Denied (`A3` "Not Certified").
    Denied,
    /// Cancelled (`C`, or the EOB's `status = cancelled`).
    Cancelled,
    /// The plan did not say.
    NotStated,
}

/// A coded reason or decision: the plan's words (the coding's display, or its text), and the
/// code beside them. When the plan sent no words, `text` is the code as is and `code` is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodedText {
    /// What to show.
    pub text: String,
    /// The code, shown small beside the words; `None` when `text` is already the code.
    pub code: Option<String>,
}

/// One item or service asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorAuthItem {
    /// Line number.
    pub sequence: u32,
    /// The service or item (`productOrService`), in the plan's words with its code.
    pub service: Option<CodedText>,
    /// The kind of service (`category`, X12 service type), in the plan's words.
    pub category: Option<CodedText>,
    /// This item's status.
    pub status: PriorAuthStatus,
    /// The review action as the plan worded it ("Certified in total").
    pub decision: Option<CodedText>,
    /// The plan's review number for this item.
    pub review_number: Option<String>,
    /// When this item was decided (`base-ext-when-adjudicated`).
    pub decided: Option<String>,
    /// When the item's approval was issued (PAS `itemPreAuthIssueDate`).
    pub issued: Option<String>,
    /// The period this item's approval is good for (PAS `itemPreAuthPeriod`).
    pub approved_from: Option<String>,
    /// End of that period.
    pub approved_until: Option<String>,
    /// How many were asked for (`quantity`).
    pub quantity_requested: Option<f64>,
    /// How many were approved (the `allowedunits` adjudication).
    pub quantity_approved: Option<f64>,
    /// How many have been used (the `consumedunits` adjudication).
    pub quantity_used: Option<f64>,
    /// Why it was denied, pended or partly approved (`denialreason` adjudications and the
    /// review action's `reasonCode`).
    pub reasons: Vec<CodedText>,
}

/// What a member needs to read a prior authorization.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorAuthFacts {
    /// Where it stands overall.
    pub status: PriorAuthStatus,
    /// The plan's number for it (the first `identifier`, else a review number).
    pub number: Option<String>,
    /// Professional, institutional… as the plan words the `type`.
    pub kind: Option<String>,
    /// Urgent, elective… (PDex `levelOfServiceCode`).
    pub urgency: Option<String>,
    /// When it was asked for (`created`).
    pub requested: Option<String>,
    /// When it was decided: the latest `base-ext-when-adjudicated`, for a decided one.
    pub decided: Option<String>,
    /// Start of the period the approval is good for (`preAuthRefPeriod`, else the items').
    pub approved_from: Option<String>,
    /// End of that period.
    pub approved_until: Option<String>,
    /// The requesting provider's name as the resource gives it.
    pub provider_display: Option<String>,
    /// The provider reference, to look the name up.
    pub provider_reference: Option<String>,
    /// The plan that decides (`insurer.display`).
    pub insurer_display: Option<String>,
    /// The items and services asked for.
    pub items: Vec<PriorAuthItem>,
    /// Reasons given for the whole request (header `denialreason` adjudications).
    pub reasons: Vec<CodedText>,
    /// How many units have been used so far (the `PriorAuthorizationUtilization` of a total).
    pub used: Option<f64>,
}

fn coded(concept: Option<&Value>) -> Option<CodedText> {
    let concept = concept?;
    let coding = concept.pointer("/coding/0");
    let code = coding
        .and_then(|c| c.get("code"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let words = coding
        .and_then(|c| c.get("display"))
        .and_then(Value::as_str)
        .or_else(|| concept.get("text").and_then(Value::as_str))
        .map(str::to_owned);
    match (words, code) {
        (Some(text), code) => Some(CodedText { text, code }),
        (None, Some(code)) => Some(CodedText {
            text: code,
            code: None,
        }),
        (None, None) => None,
    }
}

fn ends_with(url: Option<&Value>, name: &str) -> bool {
    url.and_then(Value::as_str)
        .is_some_and(|u| u.rsplit('/').next() == Some(name))
}

/// The extensions of `value` whose URL ends with `/{name}`.
fn extensions<'a>(value: &'a Value, name: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    value
        .get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(move |e| {
            ends_with(e.get("url"), name) || e.get("url").and_then(Value::as_str) == Some(name)
        })
}

fn has_code(adjudication: &Value, code: &str) -> bool {
    adjudication
        .pointer("/category/coding")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| c.get("code").and_then(Value::as_str) == Some(code))
}

/// The member's status for an X12 306 (HCR01) review action code. Codes as the Da Vinci PAS
/// and PDex IG examples use them (A1 "Certified in total", A3 "Not Certified", A4 "Pended")
/// and as the X12 278 response lists them (A2 "Certified - partial", A6 "Modified",
/// C "Cancelled"); any other code (CT "Contact Payer", NA "No Action Required") says nothing
/// about the decision, and the outcome decides.
fn status_of_action(code: &str) -> Option<PriorAuthStatus> {
    Some(match code {
        "A1" => PriorAuthStatus::Approved,
        "A2" | "A6" => PriorAuthStatus::PartlyApproved,
        "A3" => PriorAuthStatus::Denied,
        "A4" => PriorAuthStatus::Pending,
        "C" => PriorAuthStatus::Cancelled,
        _ => return None,
    })
}

/// What the adjudications of one level (an item, or the header) say.
#[derive(Default)]
struct Review {
    decision: Option<CodedText>,
    status: Option<PriorAuthStatus>,
    number: Option<String>,
    decided: Option<String>,
    reasons: Vec<CodedText>,
    allowed_units: Option<f64>,
    consumed_units: Option<f64>,
}

fn review(adjudications: Option<&Value>) -> Review {
    let mut r = Review::default();
    for adj in adjudications
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for action in extensions(adj, REVIEW_ACTION) {
            for part in action
                .get("extension")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let url = part.get("url");
                if ends_with(url, REVIEW_ACTION_CODE) || url.and_then(Value::as_str) == Some("code")
                {
                    let concept = part.get("valueCodeableConcept");
                    r.decision = coded(concept);
                    r.status = concept
                        .and_then(|c| c.pointer("/coding/0/code"))
                        .and_then(Value::as_str)
                        .and_then(status_of_action);
                } else if url.and_then(Value::as_str) == Some("number") {
                    r.number = part
                        .get("valueString")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                } else if url.and_then(Value::as_str) == Some("reasonCode") {
                    r.reasons.extend(coded(part.get("valueCodeableConcept")));
                }
            }
        }
        for when in extensions(adj, WHEN_ADJUDICATED) {
            if let Some(d) = when.get("valueDateTime").and_then(Value::as_str) {
                if r.decided.as_deref().is_none_or(|prev| prev < d) {
                    r.decided = Some(d.to_owned());
                }
            }
        }
        if has_code(adj, "denialreason") {
            r.reasons.extend(coded(adj.get("reason")));
        }
        let value = adj.get("value").and_then(Value::as_f64);
        if has_code(adj, "allowedunits") {
            r.allowed_units = value;
        }
        if has_code(adj, "consumedunits") {
            r.consumed_units = value;
        }
    }
    r
}

fn period(value: Option<&Value>) -> (Option<String>, Option<String>) {
    let field = |k: &str| {
        value
            .and_then(|p| p.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    (field("start"), field("end"))
}

/// The overall status from the items' (those that say one).
fn overall(statuses: &[PriorAuthStatus]) -> Option<PriorAuthStatus> {
    use PriorAuthStatus::*;
    let said: Vec<PriorAuthStatus> = statuses
        .iter()
        .copied()
        .filter(|s| *s != NotStated)
        .collect();
    let first = *said.first()?;
    Some(if said.contains(&Pending) {
        Pending
    } else if said.iter().all(|s| *s == first) {
        first
    } else if said.iter().all(|s| matches!(s, Denied | Cancelled)) {
        Denied
    } else {
        PartlyApproved
    })
}

impl PriorAuthFacts {
    /// Reads a prior authorization; `None` for anything [`is_prior_authorization`] refuses.
    pub fn from_value(eob: &Value) -> Option<Self> {
        if !is_prior_authorization(eob) {
            return None;
        }
        let str_at = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_owned);
        let items: Vec<PriorAuthItem> = eob
            .get("item")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, item)| {
                let r = review(item.get("adjudication"));
                let (approved_from, approved_until) = period(
                    extensions(item, ITEM_PREAUTH_PERIOD)
                        .next()
                        .and_then(|e| e.get("valuePeriod")),
                );
                PriorAuthItem {
                    sequence: item
                        .get("sequence")
                        .and_then(Value::as_u64)
                        .and_then(|n| u32::try_from(n).ok())
                        .unwrap_or(u32::try_from(i + 1).unwrap_or(u32::MAX)),
                    service: coded(item.get("productOrService")),
                    category: coded(item.get("category")),
                    status: r.status.unwrap_or(PriorAuthStatus::NotStated),
                    decision: r.decision,
                    review_number: r.number,
                    decided: r.decided,
                    issued: extensions(item, ITEM_PREAUTH_ISSUE_DATE)
                        .next()
                        .and_then(|e| e.get("valueDate"))
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    approved_from,
                    approved_until,
                    quantity_requested: item.pointer("/quantity/value").and_then(Value::as_f64),
                    quantity_approved: r.allowed_units,
                    quantity_used: r.consumed_units,
                    reasons: r.reasons,
                }
            })
            .collect();
        let header = review(eob.get("adjudication"));
        let item_statuses: Vec<PriorAuthStatus> = items.iter().map(|i| i.status).collect();
        let status = if eob.get("status").and_then(Value::as_str) == Some("cancelled") {
            PriorAuthStatus::Cancelled
        } else if let Some(s) = overall(&item_statuses).or(header.status) {
            s
        } else {
            let denied = !header.reasons.is_empty() || items.iter().any(|i| !i.reasons.is_empty());
            match eob.get("outcome").and_then(Value::as_str) {
                Some("queued") => PriorAuthStatus::Pending,
                Some("partial") => PriorAuthStatus::PartlyApproved,
                Some("complete") if denied => PriorAuthStatus::Denied,
                Some("complete") => PriorAuthStatus::Approved,
                _ => PriorAuthStatus::NotStated,
            }
        };
        let decided = if status == PriorAuthStatus::Pending {
            None
        } else {
            items
                .iter()
                .filter_map(|i| i.decided.clone())
                .chain(header.decided.clone())
                .max()
        };
        let (mut approved_from, mut approved_until) = period(eob.pointer("/preAuthRefPeriod/0"));
        if approved_from.is_none() && approved_until.is_none() {
            approved_from = items.iter().filter_map(|i| i.approved_from.clone()).min();
            approved_until = items.iter().filter_map(|i| i.approved_until.clone()).max();
        }
        let used = eob
            .get("total")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(|t| extensions(t, UTILIZATION))
            .find_map(|e| e.pointer("/valueQuantity/value").and_then(Value::as_f64));
        Some(Self {
            status,
            number: str_at(eob, "/identifier/0/value")
                .or_else(|| items.iter().find_map(|i| i.review_number.clone()))
                .or(header.number),
            kind: coded(eob.get("type")).map(|c| c.text),
            urgency: extensions(eob, LEVEL_OF_SERVICE)
                .next()
                .and_then(|e| coded(e.get("valueCodeableConcept")))
                .map(|c| c.text),
            requested: str_at(eob, "/created"),
            decided,
            approved_from,
            approved_until,
            provider_display: str_at(eob, "/provider/display"),
            provider_reference: str_at(eob, "/provider/reference"),
            insurer_display: str_at(eob, "/insurer/display"),
            items,
            reasons: header.reasons,
            used,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The Da Vinci PDex IG's own example (CC0; tests/fixtures/SOURCES.md).
    fn pdex_example() -> Value {
        serde_json::from_str(include_str!(
            "../../../tests/fixtures/pdex/ExplanationOfBenefit-PDexPriorAuth1.json"
        ))
        .unwrap()
    }

    /// The example with its one item's review action code replaced.
    fn with_action(code: &str, display: Option<&str>) -> Value {
        let mut eob = pdex_example();
        let coding = eob
            .pointer_mut(
                "/item/0/adjudication/0/extension/0/extension/1/valueCodeableConcept/coding/0",
            )
            .unwrap();
        coding["code"] = json!(code);
        match display {
            Some(d) => coding["display"] = json!(d),
            None => {
                coding.as_object_mut().unwrap().remove("display");
            }
        }
        eob
    }

    #[test]
    fn the_pdex_example_reads_as_an_approval_in_the_plans_words() {
        let pa = PriorAuthFacts::from_value(&pdex_example()).unwrap();
        assert_eq!(
            pa.status,
            PriorAuthStatus::Approved,
            "the item's review action (A1) decides over outcome = queued"
        );
        assert_eq!(pa.number.as_deref(), Some("PA123412341234123412341234"));
        assert_eq!(pa.kind.as_deref(), Some("Institutional"));
        assert_eq!(pa.urgency.as_deref(), Some("Urgent"));
        assert_eq!(pa.requested.as_deref(), Some("2021-09-20T00:00:00+00:00"));
        assert_eq!(pa.decided.as_deref(), Some("2024-07-23T17:26:23.217+00:00"));
        assert_eq!(
            (pa.approved_from.as_deref(), pa.approved_until.as_deref()),
            (Some("2021-10-01"), Some("2021-10-31"))
        );
        assert_eq!(
            pa.provider_display.as_deref(),
            Some("Another Example Health Plan")
        );
        assert_eq!(pa.insurer_display.as_deref(), Some("Example Health Plan"));
        assert_eq!(pa.used, Some(1.0));
        let item = &pa.items[0];
        assert_eq!(
            item.service,
            Some(CodedText {
                text: "Behavior Only, ADL Index 6 - 10/Medicare 5 day assessment (Full)".into(),
                code: Some("BB201".into())
            })
        );
        assert_eq!(item.category.as_ref().unwrap().text, "Consultation");
        assert_eq!(
            item.decision,
            Some(CodedText {
                text: "Certified in total".into(),
                code: Some("A1".into())
            })
        );
        assert_eq!(item.review_number.as_deref(), Some("AUTH0001"));
        assert!(pa.reasons.is_empty() && item.reasons.is_empty());
    }

    #[test]
    fn each_review_action_gives_the_members_status() {
        for (code, status) in [
            ("A1", PriorAuthStatus::Approved),
            ("A2", PriorAuthStatus::PartlyApproved),
            ("A3", PriorAuthStatus::Denied),
            ("A4", PriorAuthStatus::Pending),
            ("A6", PriorAuthStatus::PartlyApproved),
            ("C", PriorAuthStatus::Cancelled),
            // "Contact payer" says nothing of the decision: the example's outcome (queued) does.
            ("CT", PriorAuthStatus::Pending),
        ] {
            let pa = PriorAuthFacts::from_value(&with_action(code, None)).unwrap();
            assert_eq!(pa.status, status, "{code}");
            assert_eq!(
                pa.items[0].decision,
                Some(CodedText {
                    text: code.into(),
                    code: None
                }),
                "no display: the code as is"
            );
        }
        let pending = PriorAuthFacts::from_value(&with_action("A4", Some("Pended"))).unwrap();
        assert_eq!(
            pending.decided, None,
            "a pending request is not decided yet"
        );
    }

    #[test]
    fn a_denial_carries_its_reason_and_mixed_items_are_partly_approved() {
        let mut denied = with_action("A3", Some("Not Certified"));
        denied["outcome"] = json!("complete");
        denied["item"][0]["adjudication"]
            .as_array_mut()
            .unwrap()
            .push(json!({
                "category": {"coding": [{"system": "http://hl7.org/fhir/us/davinci-pdex/CodeSystem/PDexAdjudicationDiscriminator", "code": "denialreason"}]},
                "reason": {"coding": [{"system": "https://x12.org/codes/claim-adjustment-reason-codes", "code": "50", "display": "These are non-covered services because this is not deemed a medical necessity by the payer."}]}
            }));
        let pa = PriorAuthFacts::from_value(&denied).unwrap();
        assert_eq!(pa.status, PriorAuthStatus::Denied);
        assert_eq!(
            pa.items[0].reasons,
            vec![CodedText {
                text: "These are non-covered services because this is not deemed a medical necessity by the payer.".into(),
                code: Some("50".into())
            }]
        );

        let mut mixed = denied.clone();
        let mut approved = pdex_example()["item"][0].clone();
        approved["sequence"] = json!(2);
        approved["quantity"] = json!({"value": 12});
        approved["adjudication"]
            .as_array_mut()
            .unwrap()
            .push(json!({
                "category": {"coding": [{"code": "allowedunits"}]}, "value": 6
            }));
        mixed["item"].as_array_mut().unwrap().push(approved);
        let pa = PriorAuthFacts::from_value(&mixed).unwrap();
        assert_eq!(pa.status, PriorAuthStatus::PartlyApproved);
        assert_eq!(
            (
                pa.items[1].quantity_requested,
                pa.items[1].quantity_approved
            ),
            (Some(12.0), Some(6.0))
        );
    }

    #[test]
    fn without_a_review_action_the_outcome_and_status_decide() {
        let mut eob = pdex_example();
        eob["item"][0]["adjudication"][0]
            .as_object_mut()
            .unwrap()
            .remove("extension");
        let status = |eob: &Value| PriorAuthFacts::from_value(eob).unwrap().status;
        assert_eq!(status(&eob), PriorAuthStatus::Pending, "queued");
        eob["outcome"] = json!("complete");
        assert_eq!(status(&eob), PriorAuthStatus::Approved);
        eob["outcome"] = json!("partial");
        assert_eq!(status(&eob), PriorAuthStatus::PartlyApproved);
        eob.as_object_mut().unwrap().remove("outcome");
        assert_eq!(status(&eob), PriorAuthStatus::NotStated);
        eob["status"] = json!("cancelled");
        assert_eq!(status(&eob), PriorAuthStatus::Cancelled);
        assert!(PriorAuthFacts::from_value(
            &json!({"resourceType": "ExplanationOfBenefit", "use": "claim"})
        )
        .is_none());
    }

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
