//! A claim (ExplanationOfBenefit, CARIN Blue Button) in the terms a member reads on a paper EOB:
//! billed, allowed, plan paid, member owed, per claim and per line.

use serde_json::Value;

/// Money amounts of a claim or a line. `None` when the plan did not say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimAmounts {
    /// What the provider billed (`submitted`).
    pub billed: Option<f64>,
    /// What the plan allowed (`eligible`).
    pub allowed: Option<f64>,
    /// What the plan paid (`benefit`, or `paidtoprovider`).
    pub plan_paid: Option<f64>,
    /// What the member owed (`memberliability`, or `paidbypatient`, or copay + deductible +
    /// coinsurance).
    pub member_owed: Option<f64>,
}

/// One service line.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimLine {
    /// Line number.
    pub sequence: u32,
    /// The service, in words (or its code when the plan sent no words).
    pub service: String,
    /// When it was done.
    pub date: Option<String>,
    /// Its amounts.
    pub amounts: ClaimAmounts,
}

/// What a member needs to read a claim.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimFacts {
    /// Professional, institutional, pharmacy, oral, vision… in words.
    pub kind: String,
    /// A prior authorization (`use = preauthorization`) rather than a claim.
    pub prior_authorization: bool,
    /// `status` (active, cancelled, …).
    pub status: Option<String>,
    /// `outcome` (complete, partial, error, queued).
    pub outcome: Option<String>,
    /// Service period start.
    pub start: Option<String>,
    /// Service period end.
    pub end: Option<String>,
    /// The provider's name as the claim gives it.
    pub provider_display: Option<String>,
    /// The provider reference (`Organization/…`, `Practitioner/…`), to look the name up.
    pub provider_reference: Option<String>,
    /// In or out of network, when the plan says.
    pub network: Option<String>,
    /// Currency of the amounts.
    pub currency: String,
    /// Totals (from `total`, or summed from the lines).
    pub totals: ClaimAmounts,
    /// Service lines.
    pub lines: Vec<ClaimLine>,
    /// The visits the claim's lines name (`item.encounter`), as `Encounter/{id}`, in order,
    /// without duplicates.
    pub encounters: Vec<String>,
}

fn amounts(adjudications: Option<&Value>) -> ClaimAmounts {
    let mut a = ClaimAmounts::default();
    let (mut copay, mut deductible, mut coinsurance, mut any_share) = (0.0, 0.0, 0.0, false);
    for adj in adjudications
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(value) = adj.pointer("/amount/value").and_then(Value::as_f64) else {
            continue;
        };
        let codes = adj
            .pointer("/category/coding")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for code in codes.filter_map(|c| c.get("code").and_then(Value::as_str)) {
            match code {
                "submitted" => a.billed = Some(value),
                "eligible" => a.allowed = Some(value),
                "benefit" => a.plan_paid = Some(value),
                "paidtoprovider" if a.plan_paid.is_none() => a.plan_paid = Some(value),
                "memberliability" => a.member_owed = Some(value),
                "paidbypatient" if a.member_owed.is_none() => a.member_owed = Some(value),
                "copay" => (copay, any_share) = (copay + value, true),
                "deductible" => (deductible, any_share) = (deductible + value, true),
                "coinsurance" => (coinsurance, any_share) = (coinsurance + value, true),
                _ => {}
            }
        }
    }
    if a.member_owed.is_none() && any_share {
        a.member_owed = Some(copay + deductible + coinsurance);
    }
    a
}

fn sum(lines: &[ClaimLine], pick: impl Fn(&ClaimAmounts) -> Option<f64>) -> Option<f64> {
    let values: Vec<f64> = lines.iter().filter_map(|l| pick(&l.amounts)).collect();
    (!values.is_empty()).then(|| values.iter().sum())
}

fn network(adjudications: Option<&Value>) -> Option<String> {
    adjudications?.as_array()?.iter().find_map(|adj| {
        let is_status = adj
            .pointer("/category/coding")
            .and_then(Value::as_array)?
            .iter()
            .any(|c| c.get("code").and_then(Value::as_str) == Some("benefitpaymentstatus"));
        let code = adj
            .pointer("/reason/coding/0/code")
            .and_then(Value::as_str)?;
        match (is_status, code) {
            (true, "innetwork") => Some("In network".to_owned()),
            (true, "outofnetwork") => Some("Out of network".to_owned()),
            _ => None,
        }
    })
}

impl ClaimFacts {
    /// Reads an ExplanationOfBenefit; `None` for any other resource.
    pub fn from_value(eob: &Value) -> Option<Self> {
        if eob.get("resourceType").and_then(Value::as_str) != Some("ExplanationOfBenefit") {
            return None;
        }
        let text = |v: Option<&Value>| -> Option<String> {
            let v = v?;
            v.get("text")
                .and_then(Value::as_str)
                .or_else(|| v.pointer("/coding/0/display").and_then(Value::as_str))
                .or_else(|| v.pointer("/coding/0/code").and_then(Value::as_str))
                .map(str::to_owned)
        };
        let kind = match eob.pointer("/type/coding/0/code").and_then(Value::as_str) {
            Some("professional") => "Professional (doctor or clinic)".to_owned(),
            Some("institutional") => "Institutional (hospital or facility)".to_owned(),
            Some("pharmacy") => "Pharmacy".to_owned(),
            Some("oral") => "Dental".to_owned(),
            Some("vision") => "Vision".to_owned(),
            _ => text(eob.get("type")).unwrap_or_else(|| "Claim".to_owned()),
        };
        let lines: Vec<ClaimLine> = eob
            .get("item")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, item)| ClaimLine {
                sequence: item
                    .get("sequence")
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok())
                    .unwrap_or(i as u32 + 1),
                service: text(item.get("productOrService")).unwrap_or_else(|| "Service".to_owned()),
                date: item
                    .get("servicedDate")
                    .or_else(|| item.pointer("/servicedPeriod/start"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                amounts: amounts(item.get("adjudication")),
            })
            .collect();
        let mut encounters: Vec<String> = Vec::new();
        for r in eob
            .get("item")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|i| i.get("encounter").and_then(Value::as_array))
            .flatten()
            .filter_map(|e| e.get("reference").and_then(Value::as_str))
        {
            if r.starts_with("Encounter/") && !encounters.iter().any(|x| x == r) {
                encounters.push(r.to_owned());
            }
        }
        let header = amounts(eob.get("total"));
        let totals = ClaimAmounts {
            billed: header.billed.or_else(|| sum(&lines, |a| a.billed)),
            allowed: header.allowed.or_else(|| sum(&lines, |a| a.allowed)),
            plan_paid: header.plan_paid.or_else(|| sum(&lines, |a| a.plan_paid)),
            member_owed: header
                .member_owed
                .or_else(|| sum(&lines, |a| a.member_owed)),
        };
        let network = network(eob.get("adjudication")).or_else(|| {
            eob.get("item")
                .and_then(Value::as_array)?
                .iter()
                .find_map(|i| network(i.get("adjudication")))
        });
        let currency = eob
            .pointer("/total/0/amount/currency")
            .and_then(Value::as_str)
            .unwrap_or("USD")
            .to_owned();
        Some(Self {
            encounters,
            kind,
            prior_authorization: eob.get("use").and_then(Value::as_str) == Some("preauthorization"),
            status: eob.get("status").and_then(Value::as_str).map(str::to_owned),
            outcome: eob
                .get("outcome")
                .and_then(Value::as_str)
                .map(str::to_owned),
            start: eob
                .pointer("/billablePeriod/start")
                .and_then(Value::as_str)
                .map(str::to_owned),
            end: eob
                .pointer("/billablePeriod/end")
                .and_then(Value::as_str)
                .map(str::to_owned),
            provider_display: eob
                .pointer("/provider/display")
                .and_then(Value::as_str)
                .map(str::to_owned),
            provider_reference: eob
                .pointer("/provider/reference")
                .and_then(Value::as_str)
                .map(str::to_owned),
            network,
            currency,
            totals,
            lines,
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
        assert_eq!(c.kind, "Professional (doctor or clinic)");
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
                member_owed: Some(25.0)
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
