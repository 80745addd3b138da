//! What's new: which of the records a sync saved for the first time are claims, results or
//! prior-authorization decisions (the kinds a member is told about by a background sync's one
//! notice, see `schedule.rs`), and which screen shows them.
//!
//! Only records the store did not hold before count (the store says which, per page), and
//! only on a connection's later syncs: a first download is the member's whole history, not
//! news.

use std::sync::atomic::{AtomicU32, Ordering};

use serde::Deserialize;

use crate::api::{NewRecordCounts, NoticeScreen};

/// A kind a member is told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NewsKind {
    Claim,
    Result,
    PriorAuthorization,
}

/// The few elements the kinds depend on; everything else in the resource is skipped.
#[derive(Deserialize)]
struct Shape {
    #[serde(rename = "resourceType")]
    resource_type: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    #[serde(default)]
    category: Vec<Concept>,
}

#[derive(Deserialize)]
struct Concept {
    #[serde(default)]
    coding: Vec<Coding>,
}

#[derive(Deserialize)]
struct Coding {
    code: Option<String>,
}

/// The kind of one resource (its JSON as the plan sent it), if it is one a member is told
/// about: an ExplanationOfBenefit is a claim unless its `use` is `preauthorization` or
/// `predetermination` (a decision); a ClaimResponse is a decision unless its `use` is
/// `claim`; an Observation is a result when a category is `laboratory`; every
/// DiagnosticReport is a result.
pub(crate) fn kind_of(raw_json: &str) -> Option<NewsKind> {
    let shape: Shape = serde_json::from_str(raw_json).ok()?;
    let use_ = shape.use_.as_deref();
    let decision = matches!(use_, Some("preauthorization" | "predetermination"));
    match shape.resource_type.as_deref()? {
        "ExplanationOfBenefit" if decision => Some(NewsKind::PriorAuthorization),
        "ExplanationOfBenefit" => Some(NewsKind::Claim),
        "ClaimResponse" if use_ == Some("claim") => Some(NewsKind::Claim),
        "ClaimResponse" => Some(NewsKind::PriorAuthorization),
        "DiagnosticReport" => Some(NewsKind::Result),
        "Observation"
            if shape
                .category
                .iter()
                .flat_map(|c| &c.coding)
                .any(|c| c.code.as_deref() == Some("laboratory")) =>
        {
            Some(NewsKind::Result)
        }
        _ => None,
    }
}

/// New records of each kind, counted by a sync's concurrent page saves.
#[derive(Debug, Default)]
pub(crate) struct NewsTally {
    claims: AtomicU32,
    results: AtomicU32,
    prior_authorizations: AtomicU32,
}

impl NewsTally {
    /// Counts one new record of `kind`.
    pub(crate) fn add(&self, kind: NewsKind) {
        let counter = match kind {
            NewsKind::Claim => &self.claims,
            NewsKind::Result => &self.results,
            NewsKind::PriorAuthorization => &self.prior_authorizations,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts the records of a saved page the store did not hold before (`inserted_at`, their
    /// positions in `resources`), of the kinds a member is told about.
    pub(crate) fn count_page(
        &self,
        resources: &[folio_store::PageResource<'_>],
        inserted_at: &[usize],
    ) {
        for r in inserted_at.iter().filter_map(|i| resources.get(*i)) {
            if let Some(kind) = kind_of(r.raw_json) {
                self.add(kind);
            }
        }
    }

    /// What was counted.
    pub(crate) fn counts(&self) -> NewRecordCounts {
        NewRecordCounts {
            claims: self.claims.load(Ordering::Relaxed),
            results: self.results.load(Ordering::Relaxed),
            prior_authorizations: self.prior_authorizations.load(Ordering::Relaxed),
        }
    }
}

/// `a` and `b` together.
pub(crate) fn sum(a: NewRecordCounts, b: NewRecordCounts) -> NewRecordCounts {
    NewRecordCounts {
        claims: a.claims.saturating_add(b.claims),
        results: a.results.saturating_add(b.results),
        prior_authorizations: a
            .prior_authorizations
            .saturating_add(b.prior_authorizations),
    }
}

/// Whether anything a member is told about arrived.
pub(crate) fn any(c: NewRecordCounts) -> bool {
    c.claims > 0 || c.results > 0 || c.prior_authorizations > 0
}

/// The screen that shows `c`: labs for results alone, the records for claims and decisions
/// alone, the overview (what is new since the last visit) when several kinds arrived.
pub(crate) fn screen_for(c: NewRecordCounts) -> NoticeScreen {
    match (c.claims > 0 || c.prior_authorizations > 0, c.results > 0) {
        (false, true) => NoticeScreen::Labs,
        (true, false) => NoticeScreen::Records,
        _ => NoticeScreen::Overview,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_type_use_and_category() {
        let k = |s: &str| kind_of(s);
        assert_eq!(
            k(r#"{"resourceType":"ExplanationOfBenefit","use":"claim","id":"1"}"#),
            Some(NewsKind::Claim)
        );
        assert_eq!(
            k(r#"{"resourceType":"ExplanationOfBenefit","id":"1"}"#),
            Some(NewsKind::Claim)
        );
        assert_eq!(
            k(r#"{"resourceType":"ExplanationOfBenefit","use":"preauthorization"}"#),
            Some(NewsKind::PriorAuthorization)
        );
        assert_eq!(
            k(r#"{"resourceType":"ClaimResponse","use":"preauthorization"}"#),
            Some(NewsKind::PriorAuthorization)
        );
        assert_eq!(
            k(r#"{"resourceType":"ClaimResponse","use":"claim"}"#),
            Some(NewsKind::Claim)
        );
        assert_eq!(
            k(
                r#"{"resourceType":"Observation","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}]}"#
            ),
            Some(NewsKind::Result)
        );
        assert_eq!(
            k(r#"{"resourceType":"Observation","category":[{"coding":[{"code":"vital-signs"}]}]}"#),
            None
        );
        assert_eq!(
            k(r#"{"resourceType":"DiagnosticReport"}"#),
            Some(NewsKind::Result)
        );
        assert_eq!(k(r#"{"resourceType":"Condition"}"#), None);
        assert_eq!(k("not json"), None);
    }

    #[test]
    fn the_screen_follows_what_arrived() {
        let c = |claims, results, prior_authorizations| NewRecordCounts {
            claims,
            results,
            prior_authorizations,
        };
        assert_eq!(screen_for(c(0, 3, 0)), NoticeScreen::Labs);
        assert_eq!(screen_for(c(2, 0, 0)), NoticeScreen::Records);
        assert_eq!(screen_for(c(0, 0, 1)), NoticeScreen::Records);
        assert_eq!(screen_for(c(1, 1, 0)), NoticeScreen::Overview);
        assert!(!any(c(0, 0, 0)));
        assert_eq!(sum(c(1, 2, 3), c(1, 0, 1)), c(2, 2, 4));
    }
}
