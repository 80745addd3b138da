//! Claims and costs: the claim list (newest service first, by year, a page at a time), one claim
//! as the best paper EOB shows it, and a year's costs per plan: what the member's claims add up
//! to for them, and the deductible and out-of-pocket progress where the plan sends it
//! (`benefitBalance`).
//!
//! The api types live here and `api` re-exports them; folio-fhir reads the claims
//! (`ClaimFacts`), folio-store finds their rows. Prior authorizations are left to
//! `prior_auths.rs`. Sensitive claims follow the member's "show sensitive records" choice.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use folio_fhir::{AmountKind, BalanceKind, ClaimFacts, ClaimKind, ClaimStatus, ReasonKind};
use folio_store::{ClaimRow, Store};

use crate::{CoreError, Folio};

/// The most claims one page returns.
pub const MAX_CLAIMS_PAGE: u32 = 200;

/// What kind of care a claim is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKindView {
    /// A doctor or clinic.
    Doctor,
    /// A hospital stay.
    HospitalStay,
    /// Outpatient facility care.
    Outpatient,
    /// A hospital or facility (no subtype).
    Facility,
    /// A pharmacy fill.
    Pharmacy,
    /// Dental.
    Dental,
    /// Vision.
    Vision,
    /// Another kind.
    Other,
}

impl From<ClaimKind> for ClaimKindView {
    fn from(k: ClaimKind) -> Self {
        match k {
            ClaimKind::Doctor => Self::Doctor,
            ClaimKind::HospitalStay => Self::HospitalStay,
            ClaimKind::Outpatient => Self::Outpatient,
            ClaimKind::Facility => Self::Facility,
            ClaimKind::Pharmacy => Self::Pharmacy,
            ClaimKind::Dental => Self::Dental,
            ClaimKind::Vision => Self::Vision,
            ClaimKind::Other => Self::Other,
        }
    }
}

/// Where a claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatusView {
    /// Paid.
    Paid,
    /// Denied.
    Denied,
    /// Some lines denied.
    PartlyDenied,
    /// Not processed yet.
    Pending,
    /// Adjusted.
    Adjusted,
    /// Partly processed, no denial given.
    PartlyProcessed,
    /// Could not be processed.
    NotProcessed,
    /// Cancelled.
    Cancelled,
}

impl From<ClaimStatus> for ClaimStatusView {
    fn from(s: ClaimStatus) -> Self {
        match s {
            ClaimStatus::Paid => Self::Paid,
            ClaimStatus::Denied => Self::Denied,
            ClaimStatus::PartlyDenied => Self::PartlyDenied,
            ClaimStatus::Pending => Self::Pending,
            ClaimStatus::Adjusted => Self::Adjusted,
            ClaimStatus::PartlyProcessed => Self::PartlyProcessed,
            ClaimStatus::NotProcessed => Self::NotProcessed,
            ClaimStatus::Cancelled => Self::Cancelled,
        }
    }
}

/// Which claims to list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClaimQuery {
    /// Only claims whose service began in this year.
    pub year: Option<u32>,
    /// Skip this many (from a previous page's `nextOffset`).
    pub offset: u32,
    /// At most this many (capped at [`MAX_CLAIMS_PAGE`]).
    pub limit: u32,
}

/// One claim in the list.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClaimSummary {
    /// The connection it came from (with `resource_id`, its address).
    pub connection_id: String,
    /// The ExplanationOfBenefit's id.
    pub resource_id: String,
    /// The plan's name.
    pub plan_name: String,
    /// The claim number.
    pub claim_number: Option<String>,
    /// Date of service (start).
    pub start: Option<String>,
    /// Date of service (end).
    pub end: Option<String>,
    /// The provider (or pharmacy), by name when Folio holds it.
    pub provider: Option<String>,
    /// What kind of care.
    pub kind: ClaimKindView,
    /// The kind in words.
    pub kind_label: String,
    /// Where it stands.
    pub status: ClaimStatusView,
    /// The status in words.
    pub status_label: String,
    /// In (`true`) or out of network; none when the plan did not say.
    pub in_network: Option<bool>,
    /// Currency of the amounts (ISO 4217).
    pub currency: String,
    /// Billed; none when not stated.
    pub billed: Option<f64>,
    /// Paid by the plan; none when not stated.
    pub plan_paid: Option<f64>,
    /// What the member owes (member liability); none when not stated.
    pub you_owe: Option<f64>,
    /// For a pharmacy claim, the drug.
    pub drug: Option<String>,
}

/// A page of claims.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClaimList {
    /// Newest service first.
    pub items: Vec<ClaimSummary>,
    /// Claims matching the query in all.
    pub total: u32,
    /// Pass back as `offset` for the next page; none at the end.
    pub next_offset: Option<u32>,
    /// The years that have claims, newest first (for the year filter).
    pub years: Vec<u32>,
}

/// An amount column of a claim (an adjudication category), in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AmountColumn {
    /// A stable key: the category (`submitted`, `allowed`, `deductible`, `copay`,
    /// `coinsurance`, `not_covered`, `discount`, `prior_payer_paid`, `plan_paid`,
    /// `paid_to_provider`, `paid_to_member`, `paid_by_member`, `member_liability`) or `other`.
    pub key: String,
    /// Its name in words.
    pub label: String,
}

/// A denial or adjustment reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClaimReasonView {
    /// `denial`, `adjustment` or `other`.
    pub kind: String,
    /// In words (the code as sent when the plan gave no words).
    pub text: String,
    /// The code, to show beside.
    pub code: Option<String>,
}

/// One service line.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClaimLineDetail {
    /// Line number.
    pub sequence: u32,
    /// The service in words.
    pub service: String,
    /// Its code ("CPT 99213"), to show small beside.
    pub code: Option<String>,
    /// The revenue center (facility claims).
    pub revenue: Option<String>,
    /// When.
    pub date: Option<String>,
    /// How many.
    pub quantity: Option<String>,
    /// One amount per column of [`ClaimDetail::columns`]; none where not stated.
    pub amounts: Vec<Option<f64>>,
    /// Denial and adjustment reasons.
    pub reasons: Vec<ClaimReasonView>,
    /// The plan denied this line.
    pub denied: bool,
}

/// A pharmacy fill.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PharmacyFillView {
    /// The drug in words.
    pub drug: String,
    /// Its code ("NDC 0777-3105-02").
    pub drug_code: Option<String>,
    /// Quantity.
    pub quantity: Option<String>,
    /// Days' supply.
    pub days_supply: Option<f64>,
    /// Fill date.
    pub fill_date: Option<String>,
    /// Brand or generic.
    pub brand_generic: Option<String>,
    /// Compound or not.
    pub compound: Option<String>,
    /// The pharmacy.
    pub pharmacy: Option<String>,
    /// What the member paid or owes for it.
    pub your_cost: Option<f64>,
}

/// One deductible or out-of-pocket figure.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BalanceView {
    /// `deductible`, `out_of_pocket` or `other`.
    pub kind: String,
    /// Its name in words.
    pub label: String,
    /// The benefit category in words.
    pub category: Option<String>,
    /// In (`true`) or out of network, when said.
    pub in_network: Option<bool>,
    /// For the family (`true`) or the individual, when said.
    pub family: Option<bool>,
    /// The term ("Annual").
    pub term: Option<String>,
    /// The limit.
    pub allowed: Option<f64>,
    /// Used so far.
    pub used: Option<f64>,
}

/// A member of the claim's care team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CareTeamEntry {
    /// Their role in words.
    pub role: Option<String>,
    /// Their name (as Folio holds it), else the reference.
    pub name: String,
    /// Their record, when Folio holds it.
    pub record: Option<crate::api::RecordLink>,
}

/// One claim as the best paper EOB shows it.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClaimDetail {
    /// The list row's facts.
    pub summary: ClaimSummary,
    /// When the plan received it.
    pub received: Option<String>,
    /// When the plan processed it.
    pub processed: Option<String>,
    /// When the plan paid.
    pub paid_on: Option<String>,
    /// The facility, by name when Folio holds it.
    pub facility: Option<String>,
    /// The provider's (or pharmacy's) record, when Folio holds it.
    pub provider_record: Option<crate::api::RecordLink>,
    /// The facility's record, when Folio holds it.
    pub facility_record: Option<crate::api::RecordLink>,
    /// The care team.
    pub care_team: Vec<CareTeamEntry>,
    /// The amount columns, in paper-EOB order: the main ones always, the others when sent.
    pub columns: Vec<AmountColumn>,
    /// The claim's totals, one per column.
    pub totals: Vec<Option<f64>>,
    /// Service lines.
    pub lines: Vec<ClaimLineDetail>,
    /// Claim-level reasons.
    pub reasons: Vec<ClaimReasonView>,
    /// The fill, for a pharmacy claim.
    pub pharmacy: Option<PharmacyFillView>,
    /// Deductible and out-of-pocket balances the plan sent with this claim.
    pub balances: Vec<BalanceView>,
    /// The visit the claim is for (`Encounter` id, same connection), when it names one.
    pub encounter_id: Option<String>,
}

/// One plan's costs for a year.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanCosts {
    /// The connection.
    pub connection_id: String,
    /// The plan's name.
    pub plan_name: String,
    /// Currency.
    pub currency: String,
    /// Claims of the year.
    pub claims: u32,
    /// Sum of what those claims billed (claims not stating it add nothing).
    pub billed: Option<f64>,
    /// Sum of what the plan paid.
    pub plan_paid: Option<f64>,
    /// Sum of the member's responsibility on those claims: "from your claims".
    pub you_owe: Option<f64>,
    /// Claims that did not state the member's responsibility.
    pub claims_without_your_share: u32,
    /// Deductible and out-of-pocket progress, from the newest claim of the year that sent
    /// `benefitBalance`; empty when the plan sends none.
    pub balances: Vec<BalanceView>,
    /// The service date of the claim the balances come from.
    pub balances_as_of: Option<String>,
}

/// A year's costs.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CostSummary {
    /// The year (of service); none when there are no claims.
    pub year: Option<u32>,
    /// The years that have claims, newest first.
    pub years: Vec<u32>,
    /// Per plan.
    pub plans: Vec<PlanCosts>,
}

fn amount_key(kind: AmountKind) -> &'static str {
    match kind {
        AmountKind::Submitted => "submitted",
        AmountKind::Allowed => "allowed",
        AmountKind::Deductible => "deductible",
        AmountKind::Copay => "copay",
        AmountKind::Coinsurance => "coinsurance",
        AmountKind::NotCovered => "not_covered",
        AmountKind::Discount => "discount",
        AmountKind::PriorPayerPaid => "prior_payer_paid",
        AmountKind::PaidByPlan => "plan_paid",
        AmountKind::PaidToProvider => "paid_to_provider",
        AmountKind::PaidToMember => "paid_to_member",
        AmountKind::PaidByMember => "paid_by_member",
        AmountKind::MemberLiability => "member_liability",
    }
}

/// Paper-EOB order; `true` = always shown ("not stated" when absent).
const COLUMNS: [(AmountKind, bool); 13] = [
    (AmountKind::Submitted, true),
    (AmountKind::Discount, false),
    (AmountKind::Allowed, true),
    (AmountKind::NotCovered, true),
    (AmountKind::PriorPayerPaid, false),
    (AmountKind::PaidByPlan, true),
    (AmountKind::PaidToProvider, false),
    (AmountKind::PaidToMember, false),
    (AmountKind::Deductible, true),
    (AmountKind::Copay, true),
    (AmountKind::Coinsurance, true),
    (AmountKind::PaidByMember, false),
    (AmountKind::MemberLiability, true),
];

fn reason(r: &folio_fhir::ClaimReason) -> ClaimReasonView {
    ClaimReasonView {
        kind: match r.kind {
            ReasonKind::Denial => "denial",
            ReasonKind::Adjustment => "adjustment",
            ReasonKind::Other => "other",
        }
        .to_owned(),
        text: r.text.clone(),
        code: r.code.clone(),
    }
}

fn balance_views(balances: &[folio_fhir::BenefitBalance]) -> Vec<BalanceView> {
    balances
        .iter()
        .flat_map(|b| {
            b.figures.iter().map(move |f| BalanceView {
                kind: match f.kind {
                    BalanceKind::Deductible => "deductible",
                    BalanceKind::OutOfPocket => "out_of_pocket",
                    BalanceKind::Other => "other",
                }
                .to_owned(),
                label: f.label.clone(),
                category: b.category.clone(),
                in_network: b.in_network,
                family: b.family,
                term: b.term.clone(),
                allowed: f.allowed,
                used: f.used,
            })
        })
        .collect()
}

/// The record a claim's reference names, when Folio holds it (same connection), to link to.
async fn held(
    store: &Store,
    connection_id: &str,
    reference: Option<&str>,
) -> Result<Option<crate::api::RecordLink>, CoreError> {
    let Some((ty, id)) = reference.and_then(|r| r.rsplit_once('/')) else {
        return Ok(None);
    };
    let ty = ty.rsplit('/').next().unwrap_or(ty);
    Ok(store
        .record(connection_id, ty, id)
        .await?
        .map(|_| crate::api::RecordLink {
            resource_type: ty.to_owned(),
            resource_id: id.to_owned(),
        }))
}

/// Names of the records a claim points at, looked up once each.
struct Names<'a> {
    store: &'a Store,
    cache: HashMap<(String, String), Option<String>>,
}

impl<'a> Names<'a> {
    fn new(store: &'a Store) -> Self {
        Self {
            store,
            cache: HashMap::new(),
        }
    }

    /// The name the claim gives, else the name of the record it references.
    async fn name(
        &mut self,
        connection_id: &str,
        display: Option<&str>,
        reference: Option<&str>,
    ) -> Result<Option<String>, CoreError> {
        if let Some(d) = display {
            return Ok(Some(d.to_owned()));
        }
        let Some((ty, id)) = reference.and_then(|r| r.rsplit_once('/')) else {
            return Ok(None);
        };
        let ty = ty.rsplit('/').next().unwrap_or(ty);
        let key = (connection_id.to_owned(), format!("{ty}/{id}"));
        if let Some(hit) = self.cache.get(&key) {
            return Ok(hit.clone());
        }
        let found = self.store.display_of(connection_id, ty, id).await?;
        self.cache.insert(key, found.clone());
        Ok(found)
    }
}

fn facts(row: &ClaimRow) -> Option<ClaimFacts> {
    let value = serde_json::from_str::<serde_json::Value>(&row.raw_json).ok()?;
    if folio_fhir::is_prior_authorization(&value) {
        return None;
    }
    ClaimFacts::from_value(&value)
}

async fn summary(
    names: &mut Names<'_>,
    row: &ClaimRow,
    c: &ClaimFacts,
) -> Result<ClaimSummary, CoreError> {
    let provider = names
        .name(
            &row.connection_id,
            c.provider_display.as_deref(),
            c.provider_reference.as_deref(),
        )
        .await?;
    Ok(ClaimSummary {
        connection_id: row.connection_id.clone(),
        resource_id: row.resource_id.clone(),
        plan_name: row.plan_name.clone(),
        claim_number: c.claim_number.clone(),
        start: c.start.clone(),
        end: c.end.clone(),
        provider,
        kind: c.kind_code.into(),
        kind_label: c.kind.clone(),
        status: c.member_status.into(),
        status_label: c.member_status.label().to_owned(),
        in_network: c.in_network,
        currency: c.currency.clone(),
        billed: c.totals.billed,
        plan_paid: c.totals.plan_paid,
        you_owe: c.totals.member_owed,
        drug: c.pharmacy.as_ref().map(|p| p.drug.clone()),
    })
}

fn year_of(c: &ClaimFacts) -> Option<u32> {
    c.start.as_deref()?.get(..4)?.parse().ok()
}

impl Folio {
    async fn show_sensitive(&self) -> Result<bool, CoreError> {
        Ok(self.preferences().await?.show_sensitive)
    }

    async fn claim_years_held(
        &self,
        store: &Store,
        sensitive: bool,
    ) -> Result<Vec<u32>, CoreError> {
        Ok(store
            .claim_row_years(sensitive)
            .await?
            .iter()
            .filter_map(|y| y.parse().ok())
            .collect())
    }

    /// A page of the member's claims, newest service first (prior authorizations left out).
    pub async fn claims(&self, query: ClaimQuery) -> Result<ClaimList, CoreError> {
        let store = &self.store().await?;
        let sensitive = self.show_sensitive().await?;
        let rows = store.claim_rows(sensitive, query.year).await?;
        let claims: Vec<(&ClaimRow, ClaimFacts)> =
            rows.iter().filter_map(|r| Some((r, facts(r)?))).collect();
        let limit = query.limit.clamp(1, MAX_CLAIMS_PAGE) as usize;
        let offset = query.offset as usize;
        let mut names = Names::new(store);
        let mut items = Vec::new();
        for (row, c) in claims.iter().skip(offset).take(limit) {
            items.push(summary(&mut names, row, c).await?);
        }
        let end = offset + items.len();
        Ok(ClaimList {
            total: u32::try_from(claims.len()).unwrap_or(u32::MAX),
            next_offset: (end < claims.len()).then(|| u32::try_from(end).unwrap_or(u32::MAX)),
            items,
            years: self.claim_years_held(store, sensitive).await?,
        })
    }

    /// One claim in full.
    pub async fn claim(
        &self,
        connection_id: &str,
        resource_id: &str,
    ) -> Result<ClaimDetail, CoreError> {
        let store = &self.store().await?;
        let row = store
            .claim_row(connection_id, resource_id)
            .await?
            .ok_or(CoreError::RecordNotFound)?;
        let c = facts(&row).ok_or(CoreError::RecordNotFound)?;
        let mut names = Names::new(store);
        let summary = summary(&mut names, &row, &c).await?;
        let facility = names
            .name(
                connection_id,
                c.facility_display.as_deref(),
                c.facility_reference.as_deref(),
            )
            .await?;
        let mut care_team = Vec::new();
        for (role, who) in &c.care_team {
            let name = if who.contains('/') {
                names.name(connection_id, None, Some(who)).await?
            } else {
                Some(who.clone())
            };
            let record = if who.contains('/') {
                held(store, connection_id, Some(who)).await?
            } else {
                None
            };
            care_team.push(CareTeamEntry {
                role: role.clone(),
                name: name.unwrap_or_else(|| who.clone()),
                record,
            });
        }
        let sent = |kind: AmountKind| {
            c.totals.get(kind).is_some() || c.lines.iter().any(|l| l.amounts.get(kind).is_some())
        };
        let kinds: Vec<AmountKind> = COLUMNS
            .iter()
            .filter(|(kind, always)| *always || sent(*kind))
            .map(|(kind, _)| *kind)
            .collect();
        let mut other_labels: Vec<String> = Vec::new();
        for o in c
            .totals
            .other
            .iter()
            .chain(c.lines.iter().flat_map(|l| l.amounts.other.iter()))
        {
            if !other_labels.contains(&o.label) {
                other_labels.push(o.label.clone());
            }
        }
        let mut columns: Vec<AmountColumn> = kinds
            .iter()
            .map(|k| AmountColumn {
                key: amount_key(*k).to_owned(),
                label: k.label().to_owned(),
            })
            .collect();
        columns.extend(other_labels.iter().map(|l| AmountColumn {
            key: "other".to_owned(),
            label: l.clone(),
        }));
        let row_of = |a: &folio_fhir::ClaimAmounts| -> Vec<Option<f64>> {
            kinds
                .iter()
                .map(|k| a.get(*k))
                .chain(other_labels.iter().map(|l| {
                    let v: Vec<f64> = a
                        .other
                        .iter()
                        .filter(|o| &o.label == l)
                        .map(|o| o.value)
                        .collect();
                    (!v.is_empty()).then(|| v.iter().sum())
                }))
                .collect()
        };
        let pharmacy = c.pharmacy.as_ref().map(|p| PharmacyFillView {
            drug: p.drug.clone(),
            drug_code: p.drug_code.clone(),
            quantity: p.quantity.clone(),
            days_supply: p.days_supply,
            fill_date: p.fill_date.clone(),
            brand_generic: p.brand_generic.clone(),
            compound: p.compound.clone(),
            pharmacy: summary.provider.clone(),
            your_cost: c.totals.member_owed.or(c.totals.paid_by_member),
        });
        let provider_record = held(store, connection_id, c.provider_reference.as_deref()).await?;
        let facility_record = held(store, connection_id, c.facility_reference.as_deref()).await?;
        Ok(ClaimDetail {
            provider_record,
            facility_record,
            received: c.received.clone(),
            processed: c.processed.clone(),
            paid_on: c.paid_on.clone(),
            facility,
            care_team,
            totals: row_of(&c.totals),
            lines: c
                .lines
                .iter()
                .map(|l| ClaimLineDetail {
                    sequence: l.sequence,
                    service: l.service.clone(),
                    code: l.code.clone(),
                    revenue: l.revenue.clone(),
                    date: l.date.clone(),
                    quantity: l.quantity.clone(),
                    amounts: row_of(&l.amounts),
                    reasons: l.reasons.iter().map(reason).collect(),
                    denied: l.denied,
                })
                .collect(),
            columns,
            reasons: c.reasons.iter().map(reason).collect(),
            pharmacy,
            balances: balance_views(&c.balances),
            encounter_id: c
                .encounters
                .first()
                .and_then(|e| e.strip_prefix("Encounter/"))
                .map(str::to_owned),
            summary,
        })
    }

    /// A year's costs per plan (the newest year with claims when `year` is none): what the
    /// member's claims add up to for them, and the deductible and out-of-pocket progress from
    /// the newest claim of the year that sent it (balances only grow within a plan year, so of
    /// two claims of the same day the one that used more is the later).
    pub async fn cost_summary(&self, year: Option<u32>) -> Result<CostSummary, CoreError> {
        let store = &self.store().await?;
        let sensitive = self.show_sensitive().await?;
        let years = self.claim_years_held(store, sensitive).await?;
        let Some(year) = year.or_else(|| years.first().copied()) else {
            return Ok(CostSummary {
                year: None,
                years,
                plans: Vec::new(),
            });
        };
        let rows = store.claim_rows(sensitive, Some(year)).await?;
        struct Acc {
            plan: PlanCosts,
            newest: Option<(String, f64)>,
        }
        let mut plans: BTreeMap<String, Acc> = BTreeMap::new();
        let mut seen_claims: BTreeSet<(String, String)> = BTreeSet::new();
        for row in &rows {
            let Some(c) = facts(row) else { continue };
            if year_of(&c) != Some(year)
                || !seen_claims.insert((row.connection_id.clone(), row.resource_id.clone()))
            {
                continue;
            }
            let acc = plans
                .entry(row.connection_id.clone())
                .or_insert_with(|| Acc {
                    plan: PlanCosts {
                        connection_id: row.connection_id.clone(),
                        plan_name: row.plan_name.clone(),
                        currency: c.currency.clone(),
                        claims: 0,
                        billed: None,
                        plan_paid: None,
                        you_owe: None,
                        claims_without_your_share: 0,
                        balances: Vec::new(),
                        balances_as_of: None,
                    },
                    newest: None,
                });
            let p = &mut acc.plan;
            p.claims += 1;
            let add = |total: &mut Option<f64>, v: Option<f64>| {
                if let Some(v) = v {
                    *total = Some(total.unwrap_or(0.0) + v);
                }
            };
            add(&mut p.billed, c.totals.billed);
            add(&mut p.plan_paid, c.totals.plan_paid);
            add(&mut p.you_owe, c.totals.member_owed);
            if c.totals.member_owed.is_none() {
                p.claims_without_your_share += 1;
            }
            if c.balances.is_empty() {
                continue;
            }
            let date = c.start.clone().unwrap_or_default();
            let used: f64 = c
                .balances
                .iter()
                .flat_map(|b| b.figures.iter())
                .filter_map(|f| f.used)
                .sum();
            let newer = match &acc.newest {
                None => true,
                Some((d, u)) => date > *d || (date == *d && used > *u),
            };
            if newer {
                acc.plan.balances = balance_views(&c.balances);
                acc.plan.balances_as_of = c.start.clone();
                acc.newest = Some((date, used));
            }
        }
        let mut plans: Vec<PlanCosts> = plans.into_values().map(|a| a.plan).collect();
        plans.sort_by(|a, b| a.plan_name.cmp(&b.plan_name));
        Ok(CostSummary {
            year: Some(year),
            years,
            plans,
        })
    }
}
