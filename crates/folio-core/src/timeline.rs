//! The member's history read back: the timeline across plans and one record's detail.

use std::collections::HashMap;

use folio_store::TimelineFilter;

use crate::api::{RecordDetail, TimelineItem, TimelinePage, TimelineQuery};
use crate::{CoreError, Folio};

/// Plain words for what a record is, when it has no name of its own.
pub fn kind_of(resource_type: &str) -> &'static str {
    match resource_type {
        "Encounter" => "Visit",
        "ExplanationOfBenefit" => "Claim",
        "Observation" => "Lab or vital sign",
        "DiagnosticReport" => "Report",
        "MedicationRequest" => "Prescription",
        "Immunization" => "Immunization",
        "Procedure" => "Procedure",
        "Condition" => "Condition",
        "DocumentReference" => "Document",
        "AllergyIntolerance" => "Allergy",
        "CarePlan" => "Care plan",
        _ => "Record",
    }
}

/// What an ExplanationOfBenefit that is a prior authorization (not a claim) is called.
const PRIOR_AUTHORIZATION: &str = "Prior authorization";

/// A timeline row as the member reads it: a result's LOINC long name shortened to its readable
/// part (the full one kept), else the record's own name, else what kind of record it is.
pub(crate) fn timeline_item(r: folio_store::TimelineRow) -> TimelineItem {
    let prior_authorization = r
        .maybe_prior_authorization
        .as_deref()
        .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
        .is_some_and(|v| folio_fhir::is_prior_authorization(&v));
    let kind = if prior_authorization {
        PRIOR_AUTHORIZATION
    } else {
        kind_of(&r.resource_type)
    };
    // Every other ExplanationOfBenefit is a claim, shown on the claim screen.
    let opens_on = if prior_authorization {
        Some(crate::api::RecordScreen::PriorAuthorization)
    } else if r.resource_type == "ExplanationOfBenefit" {
        Some(crate::api::RecordScreen::Claim)
    } else {
        None
    };
    let display = r.display.as_deref().filter(|d| !d.trim().is_empty());
    let title = match (r.resource_type.as_str(), display) {
        ("Observation" | "DiagnosticReport", Some(d)) => folio_fhir::readable_name([d]),
        _ => None,
    }
    .unwrap_or_else(|| folio_fhir::ReadableName {
        short: display.unwrap_or(kind).to_owned(),
        full: None,
    });
    TimelineItem {
        connection_id: r.connection_id,
        plan_name: r.plan_name,
        resource_type: r.resource_type,
        resource_id: r.resource_id,
        date: r.clinical_date,
        title: title.short,
        full_title: title.full,
        kind: kind.to_owned(),
        sensitive: r.sensitive,
        other_sources: Vec::new(),
        opens_on,
    }
}

fn parse_cursor(cursor: &str) -> Option<(String, i64)> {
    let (date, rowid) = cursor.rsplit_once('|')?;
    Some((date.to_owned(), rowid.parse().ok()?))
}

impl Folio {
    /// A page of the timeline, newest first. The same item from several plans is shown once,
    /// naming the other plans.
    pub async fn timeline(&self, query: &TimelineQuery) -> Result<TimelinePage, CoreError> {
        let store = &self.store().await?;
        let limit = query.limit.clamp(1, 500);
        let cursor = match query.cursor.as_deref() {
            Some(c) => Some(parse_cursor(c).ok_or_else(|| {
                CoreError::InvalidPlan("that page of the timeline no longer exists".into())
            })?),
            None => None,
        };
        let text = query
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let filter = TimelineFilter {
            types: &query.types,
            connections: &query.connections,
            text,
            include_sensitive: query.include_sensitive,
            from: query.from.as_deref(),
            until: query.until.as_deref(),
        };
        let rows = store
            .timeline(
                &filter,
                cursor.as_ref().map(|(d, r)| (d.as_str(), *r)),
                limit,
            )
            .await?;
        let next_cursor = (rows.len() == limit as usize)
            .then(|| {
                rows.last()
                    .map(|r| format!("{}|{}", r.clinical_date, r.rowid))
            })
            .flatten();
        let mut items: Vec<TimelineItem> = Vec::with_capacity(rows.len());
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for r in rows {
            if let Some(key) = &r.dedupe_key {
                if let Some(&i) = by_key.get(key) {
                    if items[i].plan_name != r.plan_name
                        && !items[i].other_sources.contains(&r.plan_name)
                    {
                        items[i].other_sources.push(r.plan_name.clone());
                    }
                    continue;
                }
                by_key.insert(key.clone(), items.len());
            }
            items.push(timeline_item(r));
        }
        Ok(TimelinePage { items, next_cursor })
    }

    /// One record: everything the plan sent (re-indented for reading; the stored copy is verbatim),
    /// and its source.
    pub async fn record(
        &self,
        connection_id: &str,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<RecordDetail, CoreError> {
        let store = &self.store().await?;
        let row = store
            .record(connection_id, resource_type, resource_id)
            .await?
            .ok_or(CoreError::RecordNotFound)?;
        let value = serde_json::from_str::<serde_json::Value>(&row.raw_json).ok();
        let pretty = value
            .as_ref()
            .and_then(|v| serde_json::to_string_pretty(v).ok())
            .unwrap_or_else(|| row.raw_json.clone());
        // A prior authorization is an ExplanationOfBenefit too, but not a claim: it has a
        // screen of its own and no amounts to read as a claim's.
        let prior_authorization = value
            .as_ref()
            .is_some_and(folio_fhir::is_prior_authorization);
        let claim = match value
            .as_ref()
            .filter(|_| !prior_authorization)
            .and_then(folio_fhir::ClaimFacts::from_value)
        {
            Some(c) => Some(claim_view(store, connection_id, c).await?),
            None => None,
        };
        let opens_on = if prior_authorization {
            Some(crate::api::RecordScreen::PriorAuthorization)
        } else if claim.is_some() {
            Some(crate::api::RecordScreen::Claim)
        } else {
            None
        };
        let narrative_html = value
            .as_ref()
            .and_then(folio_fhir::narrative_div)
            .map(folio_fhir::sanitize_narrative);
        let attachments = value
            .as_ref()
            .map(folio_fhir::attachments_of)
            .unwrap_or_default()
            .iter()
            .map(crate::attachments::view)
            .collect();
        let mut other_sources = Vec::new();
        if let Some(key) = &row.dedupe_key {
            for (plan, conn, _, _) in store.copies(key).await? {
                if conn != connection_id && !other_sources.contains(&plan) {
                    other_sources.push(plan);
                }
            }
        }
        Ok(RecordDetail {
            connection_id: connection_id.to_owned(),
            resource_type: resource_type.to_owned(),
            resource_id: resource_id.to_owned(),
            kind: if prior_authorization {
                PRIOR_AUTHORIZATION
            } else {
                kind_of(resource_type)
            }
            .to_owned(),
            plan_name: row.plan_name,
            fhir_base: row.fhir_base,
            fetched_at: row.fetched_at,
            source_request: row.source_request,
            sensitive: row.sensitive,
            missing_since: row.missing_since,
            json: pretty,
            claim,
            opens_on,
            narrative_html,
            other_sources,
            attachments,
            summary: match value.as_ref() {
                Some(v) => summary(store, connection_id, v).await?,
                None => crate::api::RecordSummary {
                    title: None,
                    full_name: None,
                    flag: None,
                    facts: Vec::new(),
                },
            },
        })
    }
}

/// What a record says, people's fields first; a clinician or place it only references is named
/// from the record Folio holds for it (and linked), else shown as the plan wrote it.
async fn summary(
    store: &folio_store::Store,
    connection_id: &str,
    value: &serde_json::Value,
) -> Result<crate::api::RecordSummary, CoreError> {
    let facts = folio_fhir::record_facts(value);
    let mut out = Vec::with_capacity(facts.facts.len());
    for fact in facts.facts {
        let (text, date, link) = match fact.value {
            folio_fhir::FactValue::Text(t) => (Some(t), None, None),
            folio_fhir::FactValue::Date(d) => (None, Some(d), None),
            folio_fhir::FactValue::Party(p) => {
                let held = match p.relative() {
                    Some((ty, id)) => store
                        .display_of(connection_id, ty, id)
                        .await?
                        .map(|name| (name, ty.to_owned(), id.to_owned())),
                    None => None,
                };
                match held {
                    Some((name, resource_type, resource_id)) => (
                        Some(p.display.clone().unwrap_or(name)),
                        None,
                        Some(crate::api::RecordLink {
                            resource_type,
                            resource_id,
                        }),
                    ),
                    // Named only by reference and not held: the plan's words are all there is.
                    None => (p.display.clone().or(p.reference.clone()), None, None),
                }
            }
        };
        out.push(crate::api::RecordFact {
            label: fact.label.to_owned(),
            text,
            date,
            link,
        });
    }
    Ok(crate::api::RecordSummary {
        title: facts.name.as_ref().map(|n| n.short.clone()),
        full_name: facts.name.and_then(|n| n.full),
        flag: crate::labs::flag_of(facts.flag.as_deref()),
        facts: out,
    })
}

const SHOW_SENSITIVE: &str = "show_sensitive";

fn amounts(a: &folio_fhir::ClaimAmounts) -> crate::api::ClaimAmountsView {
    crate::api::ClaimAmountsView {
        billed: a.billed,
        allowed: a.allowed,
        plan_paid: a.plan_paid,
        member_owed: a.member_owed,
    }
}

/// The claim for the screen, with the provider's name looked up when the claim only links it.
async fn claim_view(
    store: &folio_store::Store,
    connection_id: &str,
    c: folio_fhir::ClaimFacts,
) -> Result<crate::api::ClaimView, CoreError> {
    let visit = match c.encounters.first() {
        Some(e) => visit_of(store, connection_id, e).await?,
        None => None,
    };
    let provider = match (&c.provider_display, &c.provider_reference) {
        (Some(name), _) => Some(name.clone()),
        (None, Some(reference)) => match reference.rsplit_once('/') {
            Some((ty, id)) => {
                store
                    .display_of(connection_id, ty.rsplit('/').next().unwrap_or(ty), id)
                    .await?
            }
            None => None,
        },
        (None, None) => None,
    };
    Ok(crate::api::ClaimView {
        kind: c.kind,
        status: c.status,
        outcome: c.outcome,
        start: c.start,
        end: c.end,
        provider,
        network: c.network,
        currency: c.currency,
        totals: amounts(&c.totals),
        lines: c
            .lines
            .iter()
            .map(|l| crate::api::ClaimLineView {
                sequence: l.sequence,
                service: l.service.clone(),
                date: l.date.clone(),
                amounts: amounts(&l.amounts),
            })
            .collect(),
        visit,
    })
}

/// The visit a claim names and the records of that day that point at it (read through the
/// date index: only that day's rows are parsed).
async fn visit_of(
    store: &folio_store::Store,
    connection_id: &str,
    encounter: &str,
) -> Result<Option<crate::api::VisitLink>, CoreError> {
    let Some(id) = encounter.strip_prefix("Encounter/") else {
        return Ok(None);
    };
    let Some(row) = store.record(connection_id, "Encounter", id).await? else {
        return Ok(None);
    };
    let Ok(enc) = serde_json::from_str::<serde_json::Value>(&row.raw_json) else {
        return Ok(None);
    };
    let fields = folio_fhir::IndexFields::from_value(&enc).ok();
    let date = fields.as_ref().and_then(|f| f.clinical_date.clone());
    let title = fields
        .and_then(|f| f.display)
        .unwrap_or_else(|| kind_of("Encounter").to_owned());
    let mut items = Vec::new();
    if let Some(day) = date.as_deref().and_then(|d| d.get(..10)) {
        let needle = format!("\"{encounter}\"");
        for (ty, rid, display, _, raw) in store.records_on_day(connection_id, day).await? {
            if ty == "Encounter" || ty == "ExplanationOfBenefit" || ty == "Provenance" {
                continue;
            }
            if raw.contains(&needle) {
                items.push(crate::api::VisitItem {
                    kind: kind_of(&ty).to_owned(),
                    title: display.map_or_else(
                        || kind_of(&ty).to_owned(),
                        |d| match ty.as_str() {
                            // A result's LOINC long name: its readable part.
                            "Observation" | "DiagnosticReport" => {
                                folio_fhir::short_loinc_name(&d).unwrap_or(d)
                            }
                            _ => d,
                        },
                    ),
                    resource_type: ty,
                    resource_id: rid,
                });
            }
        }
    }
    Ok(Some(crate::api::VisitLink {
        encounter_id: id.to_owned(),
        title,
        date,
        items,
    }))
}

impl Folio {
    /// The member's remembered choices.
    pub async fn preferences(&self) -> Result<crate::api::Preferences, CoreError> {
        let store = &self.store().await?;
        Ok(crate::api::Preferences {
            show_sensitive: store.setting(SHOW_SENSITIVE).await?.as_deref() == Some("true"),
        })
    }

    /// Remembers whether to show sensitive records.
    pub async fn set_show_sensitive(
        &self,
        show: bool,
    ) -> Result<crate::api::Preferences, CoreError> {
        self.store()
            .await?
            .set_setting(SHOW_SENSITIVE, if show { "true" } else { "false" })
            .await?;
        self.preferences().await
    }
}

impl Folio {
    /// Claims added up per plan and year of service, newest year first.
    pub async fn claim_years(
        &self,
        connections: &[String],
        include_sensitive: bool,
    ) -> Result<Vec<crate::api::ClaimYear>, CoreError> {
        let store = &self.store().await?;
        let mut years: std::collections::BTreeMap<(String, String), crate::api::ClaimYear> =
            std::collections::BTreeMap::new();
        for (plan, raw) in store.claims_json(connections, include_sensitive).await? {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&raw) else {
                continue;
            };
            let Some(c) = folio_fhir::ClaimFacts::from_value(&value) else {
                continue;
            };
            if c.prior_authorization {
                continue;
            }
            let year = c
                .start
                .as_deref()
                .and_then(|d| d.get(..4))
                .unwrap_or("unknown")
                .to_owned();
            let entry = years
                .entry((year.clone(), plan.clone()))
                .or_insert_with(|| crate::api::ClaimYear {
                    plan_name: plan.clone(),
                    year,
                    claims: 0,
                    totals: crate::api::ClaimAmountsView {
                        billed: None,
                        allowed: None,
                        plan_paid: None,
                        member_owed: None,
                    },
                    currency: c.currency.clone(),
                });
            entry.claims += 1;
            let add = |total: &mut Option<f64>, v: Option<f64>| {
                if let Some(v) = v {
                    *total = Some(total.unwrap_or(0.0) + v);
                }
            };
            add(&mut entry.totals.billed, c.totals.billed);
            add(&mut entry.totals.allowed, c.totals.allowed);
            add(&mut entry.totals.plan_paid, c.totals.plan_paid);
            add(&mut entry.totals.member_owed, c.totals.member_owed);
        }
        let mut out: Vec<crate::api::ClaimYear> = years.into_values().collect();
        out.sort_by(|a, b| b.year.cmp(&a.year).then(a.plan_name.cmp(&b.plan_name)));
        Ok(out)
    }
}
