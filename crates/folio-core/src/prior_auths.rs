//! Prior authorizations (Da Vinci PDex `pdex-priorauthorization`): the list, pending first and
//! then newest, one in full, and the overview's tile (how many in each state, and the approvals
//! that end soonest).
//!
//! The api types live here and `api` re-exports them; folio-fhir reads the resources
//! (`PriorAuthFacts`), folio-store finds their rows.

use serde::Serialize;

use folio_fhir::{CodedText, PriorAuthFacts, PriorAuthItem};
use folio_store::{PriorAuthRow, Store};

use crate::{CoreError, Folio};

/// Where a prior authorization stands, in the member's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum PriorAuthStatus {
    /// Not decided yet.
    Pending,
    /// Approved as asked.
    Approved,
    /// Approved in part, or with changes.
    PartlyApproved,
    /// Denied.
    Denied,
    /// Cancelled.
    Cancelled,
    /// The plan did not say.
    NotStated,
}

impl From<folio_fhir::PriorAuthStatus> for PriorAuthStatus {
    fn from(s: folio_fhir::PriorAuthStatus) -> Self {
        use folio_fhir::PriorAuthStatus as F;
        match s {
            F::Pending => Self::Pending,
            F::Approved => Self::Approved,
            F::PartlyApproved => Self::PartlyApproved,
            F::Denied => Self::Denied,
            F::Cancelled => Self::Cancelled,
            F::NotStated => Self::NotStated,
        }
    }
}

/// A coded fact in the plan's words, with the code to show small beside them (`None` when the
/// plan sent no words and `text` is the code itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CodedWords {
    /// What to show.
    pub text: String,
    /// The code.
    pub code: Option<String>,
}

impl From<CodedText> for CodedWords {
    fn from(c: CodedText) -> Self {
        Self {
            text: c.text,
            code: c.code,
        }
    }
}

/// One prior authorization in the list.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PriorAuthSummary {
    /// The connection it came from (with `resource_id`, its address).
    pub connection_id: String,
    /// The ExplanationOfBenefit's id.
    pub resource_id: String,
    /// The plan's name.
    pub plan_name: String,
    /// Where it stands.
    pub status: PriorAuthStatus,
    /// The plan's number for it.
    pub number: Option<String>,
    /// The items and services asked for, in words.
    pub services: Vec<String>,
    /// Who asked for it (the requesting provider).
    pub provider: Option<String>,
    /// When it was asked for.
    pub requested: Option<String>,
    /// When it was decided.
    pub decided: Option<String>,
    /// First day of the approval.
    pub approved_from: Option<String>,
    /// Last day of the approval.
    pub approved_until: Option<String>,
}

/// One item or service of a prior authorization.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PriorAuthItemView {
    /// Line number.
    pub sequence: u32,
    /// The service or item.
    pub service: Option<CodedWords>,
    /// The kind of service.
    pub category: Option<CodedWords>,
    /// This item's status.
    pub status: PriorAuthStatus,
    /// The plan's decision in its own words ("Certified in total").
    pub decision: Option<CodedWords>,
    /// The plan's review number.
    pub review_number: Option<String>,
    /// When it was decided.
    pub decided: Option<String>,
    /// First day of this item's approval.
    pub approved_from: Option<String>,
    /// Last day of this item's approval.
    pub approved_until: Option<String>,
    /// How many were asked for.
    pub quantity_requested: Option<f64>,
    /// How many were approved.
    pub quantity_approved: Option<f64>,
    /// How many have been used.
    pub quantity_used: Option<f64>,
    /// Why it was denied or cut.
    pub reasons: Vec<CodedWords>,
}

/// One prior authorization in full.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PriorAuthDetail {
    /// What the list shows.
    pub summary: PriorAuthSummary,
    /// Professional, institutional… as the plan words it.
    pub kind: Option<String>,
    /// Urgent, elective…
    pub urgency: Option<String>,
    /// The plan that decides, as the record names it.
    pub insurer: Option<String>,
    /// Each item or service.
    pub items: Vec<PriorAuthItemView>,
    /// Reasons given for the whole request.
    pub reasons: Vec<CodedWords>,
    /// Units used so far, when the plan says.
    pub used: Option<f64>,
}

/// The overview's tile: how many prior authorizations in each state, and the approvals that
/// end soonest.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PriorAuthOverview {
    /// All of them.
    pub total: u32,
    /// Not decided yet.
    pub pending: u32,
    /// Approved as asked.
    pub approved: u32,
    /// Approved in part.
    pub partly_approved: u32,
    /// Denied.
    pub denied: u32,
    /// Approvals still in effect, the one ending first first (at most three).
    pub expiring: Vec<PriorAuthSummary>,
}

/// How many approvals the overview names.
const EXPIRING_SHOWN: usize = 3;

fn item_view(i: PriorAuthItem) -> PriorAuthItemView {
    PriorAuthItemView {
        sequence: i.sequence,
        service: i.service.map(Into::into),
        category: i.category.map(Into::into),
        status: i.status.into(),
        decision: i.decision.map(Into::into),
        review_number: i.review_number,
        decided: i.decided,
        approved_from: i.approved_from,
        approved_until: i.approved_until,
        quantity_requested: i.quantity_requested,
        quantity_approved: i.quantity_approved,
        quantity_used: i.quantity_used,
        reasons: i.reasons.into_iter().map(Into::into).collect(),
    }
}

fn parse(row: &PriorAuthRow) -> Option<PriorAuthFacts> {
    serde_json::from_str::<serde_json::Value>(&row.raw_json)
        .ok()
        .as_ref()
        .and_then(PriorAuthFacts::from_value)
}

/// The requesting provider's name: as the record gives it, else the referenced record's.
async fn provider(
    store: &Store,
    connection_id: &str,
    f: &PriorAuthFacts,
) -> Result<Option<String>, CoreError> {
    if f.provider_display.is_some() {
        return Ok(f.provider_display.clone());
    }
    let Some((kind, id)) = f
        .provider_reference
        .as_deref()
        .and_then(|r| r.split_once('/'))
    else {
        return Ok(None);
    };
    Ok(store.display_of(connection_id, kind, id).await?)
}

fn summary(row: &PriorAuthRow, f: &PriorAuthFacts, provider: Option<String>) -> PriorAuthSummary {
    PriorAuthSummary {
        connection_id: row.connection_id.clone(),
        resource_id: row.resource_id.clone(),
        plan_name: row.plan_name.clone(),
        status: f.status.into(),
        number: f.number.clone(),
        services: f
            .items
            .iter()
            .filter_map(|i| i.service.as_ref().or(i.category.as_ref()))
            .map(|c| c.text.clone())
            .collect(),
        provider,
        requested: f.requested.clone(),
        decided: f.decided.clone(),
        approved_from: f.approved_from.clone(),
        approved_until: f.approved_until.clone(),
    }
}

/// Pending first, then the newest (asked for, else decided) first.
pub(crate) fn sort_list(list: &mut [PriorAuthSummary]) {
    list.sort_by(|a, b| {
        let pending = |s: &PriorAuthSummary| s.status != PriorAuthStatus::Pending;
        let when = |s: &PriorAuthSummary| s.requested.clone().or_else(|| s.decided.clone());
        pending(a)
            .cmp(&pending(b))
            .then_with(|| when(b).cmp(&when(a)))
            .then_with(|| a.resource_id.cmp(&b.resource_id))
    });
}

/// The overview's counts, and the approvals in effect on `today` (`YYYY-MM-DD`) that end first.
pub(crate) fn overview_of(list: &[PriorAuthSummary], today: &str) -> PriorAuthOverview {
    let count = |s: PriorAuthStatus| {
        u32::try_from(list.iter().filter(|p| p.status == s).count()).unwrap_or(u32::MAX)
    };
    let mut expiring: Vec<PriorAuthSummary> = list
        .iter()
        .filter(|p| {
            matches!(
                p.status,
                PriorAuthStatus::Approved | PriorAuthStatus::PartlyApproved
            )
        })
        .filter(|p| {
            p.approved_until
                .as_deref()
                .is_some_and(|until| until.get(..10).unwrap_or(until) >= today)
        })
        .cloned()
        .collect();
    expiring.sort_by(|a, b| a.approved_until.cmp(&b.approved_until));
    expiring.truncate(EXPIRING_SHOWN);
    PriorAuthOverview {
        total: u32::try_from(list.len()).unwrap_or(u32::MAX),
        pending: count(PriorAuthStatus::Pending),
        approved: count(PriorAuthStatus::Approved),
        partly_approved: count(PriorAuthStatus::PartlyApproved),
        denied: count(PriorAuthStatus::Denied),
        expiring,
    }
}

fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

impl Folio {
    /// Every prior authorization held, pending first, then the newest.
    pub async fn prior_authorizations(
        &self,
        include_sensitive: bool,
    ) -> Result<Vec<PriorAuthSummary>, CoreError> {
        let store = &self.store().await?;
        let mut list = Vec::new();
        for row in store.prior_authorization_rows(include_sensitive).await? {
            let Some(f) = parse(&row) else {
                continue;
            };
            let provider = provider(store, &row.connection_id, &f).await?;
            list.push(summary(&row, &f, provider));
        }
        sort_list(&mut list);
        Ok(list)
    }

    /// One prior authorization in full; `RecordNotFound` when it is not held or is not one.
    pub async fn prior_authorization(
        &self,
        connection_id: &str,
        resource_id: &str,
    ) -> Result<PriorAuthDetail, CoreError> {
        let store = &self.store().await?;
        let row = store
            .prior_authorization_row(connection_id, resource_id)
            .await?
            .ok_or(CoreError::RecordNotFound)?;
        let f = parse(&row).ok_or(CoreError::RecordNotFound)?;
        let provider = provider(store, connection_id, &f).await?;
        let summary = summary(&row, &f, provider);
        Ok(PriorAuthDetail {
            summary,
            kind: f.kind,
            urgency: f.urgency,
            insurer: f.insurer_display,
            items: f.items.into_iter().map(item_view).collect(),
            reasons: f.reasons.into_iter().map(Into::into).collect(),
            used: f.used,
        })
    }

    /// The overview's prior-authorization tile.
    pub async fn prior_auth_overview(
        &self,
        include_sensitive: bool,
    ) -> Result<PriorAuthOverview, CoreError> {
        let list = self.prior_authorizations(include_sensitive).await?;
        Ok(overview_of(&list, &today()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pa(
        id: &str,
        status: PriorAuthStatus,
        requested: &str,
        until: Option<&str>,
    ) -> PriorAuthSummary {
        PriorAuthSummary {
            connection_id: "c".into(),
            resource_id: id.into(),
            plan_name: "Plan".into(),
            status,
            number: None,
            services: vec![],
            provider: None,
            requested: Some(requested.into()),
            decided: None,
            approved_from: None,
            approved_until: until.map(Into::into),
        }
    }

    #[test]
    fn the_list_puts_pending_first_then_the_newest() {
        use PriorAuthStatus::*;
        let mut list = vec![
            pa("old", Approved, "2025-01-02T09:00:00Z", None),
            pa("new", Denied, "2026-09-01T09:00:00Z", None),
            pa("waiting-old", Pending, "2024-05-01T09:00:00Z", None),
            pa("waiting", Pending, "2026-10-27T09:00:00Z", None),
        ];
        sort_list(&mut list);
        let ids: Vec<&str> = list.iter().map(|p| p.resource_id.as_str()).collect();
        assert_eq!(ids, ["waiting", "waiting-old", "new", "old"]);
    }

    #[test]
    fn the_overview_counts_each_state_and_names_the_approvals_ending_first() {
        use PriorAuthStatus::*;
        let list = vec![
            pa("a", Approved, "2026-01-01", Some("2027-06-30")),
            pa("b", PartlyApproved, "2026-01-01", Some("2027-03-03")),
            pa("expired", Approved, "2024-01-01", Some("2025-01-31")),
            pa("d", Denied, "2026-01-01", None),
            pa("p", Pending, "2026-01-01", None),
            pa("x", Approved, "2026-01-01", Some("2026-12-08T00:00:00Z")),
            pa("y", Approved, "2026-01-01", Some("2028-01-01")),
        ];
        let o = overview_of(&list, "2026-12-08");
        assert_eq!(
            (o.total, o.pending, o.approved, o.partly_approved, o.denied),
            (7, 1, 4, 1, 1)
        );
        let ids: Vec<&str> = o.expiring.iter().map(|p| p.resource_id.as_str()).collect();
        assert_eq!(
            ids,
            ["x", "b", "a"],
            "in effect today, ending first, three at most"
        );
    }
}
