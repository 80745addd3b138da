//! The overview: coverage cards, counts by kind, and what arrived since the member's last
//! visit (the visit before this process started): counted by kind, and the newest of them by
//! name, each with its address.

use folio_fhir::CoverageFacts;

use crate::api::{CoverageCard, KindCount, Overview};
use crate::{CoreError, Folio};

const LAST_VISIT: &str = "last_visit_at";

/// How many of the records new since the last visit the overview lists by name.
const NEW_ITEMS_SHOWN: u32 = 8;

/// Plural plain words for a type, for counts.
fn kinds_of(resource_type: &str) -> String {
    match resource_type {
        "Encounter" => "Visits",
        "ExplanationOfBenefit" => "Claims",
        "Observation" => "Labs and vital signs",
        "DiagnosticReport" => "Reports",
        "MedicationRequest" => "Prescriptions",
        "MedicationDispense" => "Pharmacy fills",
        "Immunization" => "Immunizations",
        "Procedure" => "Procedures",
        "Condition" => "Conditions",
        "DocumentReference" => "Documents",
        "AllergyIntolerance" => "Allergies",
        "CarePlan" => "Care plans",
        "Coverage" => "Coverages",
        "Patient" => "Your details",
        "Organization" => "Organizations",
        "Practitioner" => "Clinicians",
        "Provenance" => "Source notes (Provenance)",
        other => return other.to_owned(),
    }
    .to_owned()
}

fn kind_counts(rows: Vec<(String, i64)>) -> Vec<KindCount> {
    rows.into_iter()
        .map(|(t, n)| KindCount {
            kind: kinds_of(&t),
            resource_type: t,
            count: u32::try_from(n).unwrap_or(u32::MAX),
        })
        .collect()
}

impl Folio {
    /// The overview. The first call in a process records this visit; every call in the same
    /// process compares with the visit before it.
    pub async fn overview(&self, include_sensitive: bool) -> Result<Overview, CoreError> {
        let store = &self.store().await?;
        let last_visit = self
            .previous_visit
            .get_or_try_init(|| async {
                let previous = store.setting(LAST_VISIT).await?;
                let now = time::OffsetDateTime::now_utc()
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default();
                store.set_setting(LAST_VISIT, &now).await?;
                Ok::<_, CoreError>(previous)
            })
            .await?
            .clone();
        let mut coverages = Vec::new();
        for (plan_name, connection_id, raw) in store.coverages().await? {
            let Some(c) = serde_json::from_str::<serde_json::Value>(&raw)
                .ok()
                .as_ref()
                .and_then(CoverageFacts::from_value)
            else {
                continue;
            };
            // The insurer by name: as written on the Coverage, else the Organization it names.
            let payor = match (
                c.payor,
                c.payor_reference.as_deref().and_then(|r| r.split_once('/')),
            ) {
                (Some(p), _) => Some(p),
                (None, Some((ty, id))) => store.display_of(&connection_id, ty, id).await?,
                (None, None) => None,
            };
            coverages.push(CoverageCard {
                plan_name,
                connection_id,
                payor,
                member_id: c.member_id,
                plan: c.plan,
                group: c.group,
                kind: c.kind,
                start: c.start,
                end: c.end,
                status: c.status,
                relationship: c.relationship,
            });
        }
        let counts = kind_counts(store.counts_by_type(include_sensitive, None).await?);
        let (changed, new_items) = match &last_visit {
            Some(since) => (
                kind_counts(
                    store
                        .counts_by_type(include_sensitive, Some(since.as_str()))
                        .await?,
                ),
                store
                    .arrived_since(since, include_sensitive, NEW_ITEMS_SHOWN)
                    .await?
                    .into_iter()
                    .map(crate::timeline::timeline_item)
                    .collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        Ok(Overview {
            coverages,
            counts,
            last_visit,
            changed,
            new_items,
        })
    }
}
