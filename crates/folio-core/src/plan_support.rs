//! What a plan's FHIR server supports, as the sync found out (issue 15): per resource type
//! what it refused, what it silently ignored, the page size it gives, and the same in plain
//! sentences for the plan's details ("this plan does not send a claim's doctors and insurer
//! with the claim; Folio fetched them separately").

use folio_store::{PlanSearchSupport, SearchSupport};

use crate::api::{PlanSupport, SearchFeature, TypeSupport};
use crate::sync::LARGEST_PAGE;
use crate::{CoreError, Folio};

/// A stored parameter name (`search_support.refused` / `.dropped`) as a feature.
fn feature(word: &str) -> Option<SearchFeature> {
    Some(match word {
        "_include=*" | "_include=ExplanationOfBenefit:*" => SearchFeature::AllLinkedRecords,
        w if w == "_include" || w.starts_with("_include=") => SearchFeature::LinkedRecords,
        "_revinclude" => SearchFeature::RecordSources,
        "_lastUpdated" => SearchFeature::OnlyChanges,
        "_count" => SearchFeature::PageSize,
        "large_count" => SearchFeature::LargePages,
        "filters" | "category" | "status" => SearchFeature::Unfiltered,
        _ => return None,
    })
}

fn features(words: Option<&str>) -> Vec<SearchFeature> {
    let mut out = Vec::new();
    for f in words.unwrap_or("").split_whitespace().filter_map(feature) {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// A kind of record in the member's words, plural.
fn kind(resource_type: &str) -> String {
    match resource_type {
        "Organization" => "organizations".into(),
        "Practitioner" => "doctors".into(),
        "PractitionerRole" => "doctors' roles".into(),
        "Location" => "places".into(),
        "Coverage" => "insurance cards".into(),
        "Medication" => "medicines".into(),
        "Patient" => "member records".into(),
        "ExplanationOfBenefit" => "claims".into(),
        "Encounter" => "visits".into(),
        other => format!("{other} records"),
    }
}

fn describe(f: SearchFeature) -> &'static str {
    match f {
        SearchFeature::AllLinkedRecords | SearchFeature::LinkedRecords => {
            "a claim's doctors and insurer"
        }
        SearchFeature::RecordSources => "where records came from",
        SearchFeature::OnlyChanges => "only what changed",
        SearchFeature::PageSize | SearchFeature::LargePages => "the page size",
        SearchFeature::Unfiltered => "the categories asked for",
    }
}

fn type_support(s: &SearchSupport) -> TypeSupport {
    let includes = s.includes.as_deref().unwrap_or("");
    TypeSupport {
        resource_type: s.resource_type.clone(),
        refused: features(s.refused.as_deref()),
        dropped: features(s.dropped.as_deref()),
        linked_records_included: !includes.trim().is_empty(),
        record_sources: s.revinclude,
        only_changes: s.last_updated,
        filters_required: s.us_core_filters,
        // Without `_count` the plan picks; nothing was learned.
        page_size: s
            .page_size
            .filter(|_| s.count)
            .and_then(|n| u32::try_from(n).ok()),
        batch_lookup: s.id_search,
        probed_at: s.probed_at.clone(),
    }
}

/// The plan's details in plain sentences (`plan`: what is known of its searches as a whole).
fn sentences(p: &PlanSupport, plan: &PlanSearchSupport) -> Vec<String> {
    if p.unknown {
        return vec![
            "Folio has not synced with this plan yet, so it does not know what the plan supports."
                .into(),
        ];
    }
    let mut out = Vec::new();
    if p.linked_fetched_separately {
        out.push(
            "This plan does not send a claim's doctors and insurer with the claim; Folio fetched them separately."
                .into(),
        );
    }
    let searched = || p.types.iter();
    // Told when the plan lacks a feature everywhere, or refused or dropped it somewhere (a
    // type the plan does not list, e.g. one the member has none of, is not sent it either).
    let share = |lacks: &dyn Fn(&TypeSupport) -> bool, feature: SearchFeature| {
        let n = searched().filter(|t| lacks(t)).count();
        let told = searched()
            .any(|t| lacks(t) && (t.refused.contains(&feature) || t.dropped.contains(&feature)));
        (n > 0 && (told || n == p.types.len())).then_some(n == p.types.len())
    };
    // Where records came from: with them (`_revinclude`), asked for separately
    // (`Provenance?target=`), or only Folio's own bookkeeping.
    let asked_separately = plan.provenance_target == Some(true);
    match (
        share(&|t| !t.record_sources, SearchFeature::RecordSources),
        asked_separately,
    ) {
        (Some(true), false) => out.push(
            "This plan does not say where each record came from; Folio keeps track of where it got each one."
                .into(),
        ),
        (Some(false), false) => out.push(
            "For some kinds of records this plan does not say where each one came from; Folio keeps track of where it got each one."
                .into(),
        ),
        (Some(true), true) => out.push(
            "This plan does not send where each record came from with the record; Folio asked for it separately."
                .into(),
        ),
        (Some(false), true) => out.push(
            "For some kinds of records this plan does not send where each one came from with the record; Folio asked for it separately."
                .into(),
        ),
        (None, _) => {}
    }
    if plan.patient_reference == Some(true) {
        out.push(
            "This plan finds your records only when asked with your full patient reference; Folio asks that way."
                .into(),
        );
    }
    match share(&|t| t.only_changes == Some(false), SearchFeature::OnlyChanges) {
        Some(true) => out.push(
            "This plan cannot send only what changed, so each sync downloads all your records again."
                .into(),
        ),
        Some(false) => out.push(
            "For some kinds of records this plan cannot send only what changed, so each sync downloads those again."
                .into(),
        ),
        None => {}
    }
    if searched().any(|t| t.filters_required) {
        out.push(
            "This plan only gives test results and medicines asked for by category; Folio asks for every category."
                .into(),
        );
    }
    if searched().any(|t| t.refused.contains(&SearchFeature::LargePages)) {
        out.push(format!(
            "This plan refuses large pages; Folio asks for {} records at a time.",
            crate::sync::DEFAULT_PAGE_SIZE
        ));
    }
    if let Some(n) = p.page_size {
        out.push(format!(
            "This plan gives {n} record{} per page.",
            if n == 1 { "" } else { "s" }
        ));
    }
    let mut ignored: Vec<&str> = Vec::new();
    for t in searched() {
        for f in &t.dropped {
            // A claim's linked records have their own sentence.
            if matches!(
                f,
                SearchFeature::LinkedRecords | SearchFeature::AllLinkedRecords
            ) && p.linked_fetched_separately
            {
                continue;
            }
            if !ignored.contains(&describe(*f)) {
                ignored.push(describe(*f));
            }
        }
    }
    if !ignored.is_empty() {
        out.push(format!(
            "This plan ignored part of what Folio asked for without saying so ({}); Folio does not rely on it.",
            ignored.join(", ")
        ));
    }
    if !p.read_one_by_one.is_empty() {
        let kinds: Vec<String> = p.read_one_by_one.iter().map(|t| kind(t)).collect();
        out.push(format!(
            "This plan cannot look up several {} at once; Folio fetched them one by one.",
            kinds.join(" or ")
        ));
    }
    if out.is_empty() {
        out.push("This plan gave everything Folio asked for.".into());
    }
    let operations = plan.operations.as_deref().unwrap_or("");
    if operations
        .split_whitespace()
        .any(|o| o == "Patient/$everything")
    {
        // docs/plan-compatibility.md says why Folio does not use it.
        out.push(
            "$everything offered; Folio asks for each kind of record instead, so later syncs download only what changed."
                .into(),
        );
    }
    out
}

/// The summary of what a plan's searches take, from what the sync stored.
pub(crate) fn summary(
    plan_id: &str,
    rows: &[SearchSupport],
    plan: &PlanSearchSupport,
) -> PlanSupport {
    let types: Vec<TypeSupport> = rows
        .iter()
        .filter(|r| r.includes.is_some())
        .map(type_support)
        .collect();
    let read_one_by_one = rows
        .iter()
        .filter(|r| r.id_search == Some(false))
        .map(|r| r.resource_type.clone())
        .collect();
    let page_size = types
        .iter()
        .filter_map(|t| t.page_size)
        .filter(|n| *n < LARGEST_PAGE)
        .min();
    let linked_fetched_separately = types
        .iter()
        .any(|t| t.resource_type == "ExplanationOfBenefit" && !t.linked_records_included);
    let probed_at = types.iter().filter_map(|t| t.probed_at.clone()).max();
    let mut out = PlanSupport {
        plan_id: plan_id.to_owned(),
        unknown: types.is_empty(),
        page_size,
        linked_fetched_separately,
        read_one_by_one,
        probed_at,
        types,
        sentences: Vec::new(),
    };
    out.sentences = sentences(&out, plan);
    out
}

impl Folio {
    /// What `plan_id`'s FHIR server supports, as Folio found out by syncing with it.
    pub async fn plan_support(&self, plan_id: &str) -> Result<PlanSupport, CoreError> {
        let store = &self.store().await?;
        store.plan(plan_id).await?.ok_or(CoreError::PlanNotFound)?;
        let plan = store
            .plan_search_support(plan_id)
            .await?
            .unwrap_or_default();
        Ok(summary(
            plan_id,
            &store.search_supports(plan_id).await?,
            &plan,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ty: &str) -> SearchSupport {
        SearchSupport {
            resource_type: ty.into(),
            includes: Some(String::new()),
            revinclude: true,
            last_updated: Some(true),
            us_core_filters: false,
            count: true,
            id_search: None,
            probed_at: Some("2026-01-02T03:04:05Z".into()),
            dropped: Some(String::new()),
            refused: Some(String::new()),
            page_size: Some(i64::from(LARGEST_PAGE)),
        }
    }

    #[test]
    fn nothing_learned_says_so() {
        let s = summary("p", &[], &PlanSearchSupport::default());
        assert!(s.unknown);
        assert_eq!(s.sentences.len(), 1);
        assert!(s.sentences[0].contains("has not synced"));
    }

    #[test]
    fn a_plan_that_takes_everything_says_so_and_limits_are_told_plainly() {
        let mut eob = row("ExplanationOfBenefit");
        eob.includes = Some("ExplanationOfBenefit:*".into());
        let s = summary(
            "p",
            &[eob.clone(), row("Condition")],
            &PlanSearchSupport::default(),
        );
        assert_eq!(s.sentences, ["This plan gave everything Folio asked for."]);

        eob.includes = Some(String::new());
        eob.refused = Some("_include".into());
        eob.page_size = Some(50);
        let mut condition = row("Condition");
        condition.revinclude = false;
        condition.dropped = Some("_revinclude".into());
        let mut org = row("Organization");
        org.includes = None;
        org.id_search = Some(false);
        let s = summary(
            "p",
            &[eob.clone(), condition.clone(), org.clone()],
            &PlanSearchSupport::default(),
        );
        assert!(s.linked_fetched_separately);
        assert_eq!(s.page_size, Some(50));
        assert_eq!(s.read_one_by_one, ["Organization"]);
        assert_eq!(s.types.len(), 2, "referenced-only types are not searched");
        assert_eq!(s.types[0].refused, [SearchFeature::LinkedRecords]);
        assert_eq!(s.types[1].dropped, [SearchFeature::RecordSources]);
        let text = s.sentences.join(" ");
        for want in [
            "does not send a claim's doctors and insurer with the claim; Folio fetched them separately",
            "For some kinds of records this plan does not say where each one came from",
            "This plan gives 50 records per page.",
            "without saying so (where records came from)",
            "cannot look up several organizations at once; Folio fetched them one by one",
        ] {
            assert!(text.contains(want), "{want:?} in {text:?}");
        }
        assert!(!text.contains('_'), "no FHIR parameter names: {text}");

        // Provenance asked for separately, a plan matching only references, $everything.
        let plan = PlanSearchSupport {
            patient_reference: Some(true),
            provenance_target: Some(true),
            operations: Some("Patient/$everything".into()),
            ..PlanSearchSupport::default()
        };
        let text = summary("p", &[eob, condition, org], &plan)
            .sentences
            .join(" ");
        for want in [
            "For some kinds of records this plan does not send where each one came from with the record; Folio asked for it separately.",
            "only when asked with your full patient reference",
            "$everything offered",
        ] {
            assert!(text.contains(want), "{want:?} in {text:?}");
        }
        assert!(!text.contains("keeps track of where it got"), "{text}");
        assert!(!text.contains('_'), "no FHIR parameter names: {text}");
    }
}
