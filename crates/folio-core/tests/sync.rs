//! Sync against folio-sandbox: completeness, incremental passes, every fault mode, resume
//! after a failure, types not shared, and items linked across two plans. Tokens live in the
//! real OS keychain (scripts/test.sh runs these in a D-Bus session).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use folio_core::api::{FolioEvent, SyncFailureCode, SyncProgress, TypeOutcome};
use folio_core::SyncOptions;
use folio_sandbox::{Faults, MemberSource, SandboxConfig};

use common::*;

mod common;

fn member(size: usize) -> SandboxConfig {
    demo_member(11, size)
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn a_sync_fetches_everything_shared_and_a_resync_changes_nothing() {
    let e = env(member(900)).await;
    let c = connect(&e, "demo", &[]).await.unwrap();
    let summary = e.sandbox.members().remove(0);
    let mut events = e.folio.subscribe();
    let report = e
        .folio
        .sync_connection(
            &c.id,
            SyncOptions {
                page_size: Some(50),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        report
            .types
            .iter()
            .all(|t| t.outcome != TypeOutcome::Failed),
        "{report:?}"
    );
    let counts = held(&e, &c.id).await;
    let total: i64 = counts.values().sum();
    // The member withheld sensitive records at the plan: everything else arrives, once.
    assert_eq!(
        searched(&counts),
        expected_searched(&summary),
        "every searched type, complete"
    );
    for t in ["Organization", "Practitioner", "Provenance"] {
        assert!(
            counts[t] > 0 && counts[t] as usize <= summary.counts[t],
            "{t} arrives through _include/_revinclude"
        );
    }
    assert!(total as usize <= summary.total - summary.sensitive);
    for (ty, n) in &summary.counts {
        assert!(counts.get(ty).copied().unwrap_or(0) as usize <= *n, "{ty}");
    }
    let mut seen: Vec<SyncProgress> = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let FolioEvent::SyncProgress { progress, .. } = event {
            seen.push(progress);
        }
    }
    assert!(
        seen.iter()
            .any(|p| p.resource_type == "Observation" && p.pages > 1),
        "page-by-page progress"
    );
    assert!(seen.iter().any(|p| p.done));
    // Incremental: nothing changed at the plan, nothing is fetched again.
    let again = e
        .folio
        .sync_connection(&c.id, SyncOptions::default())
        .await
        .unwrap();
    let fetched: u32 = again
        .types
        .iter()
        .filter(|t| t.resource_type != "Patient")
        .map(|t| t.fetched)
        .sum();
    assert_eq!(fetched, 0, "{again:?}");
    assert_eq!(held(&e, &c.id).await, counts);
    assert!(e
        .folio
        .connection(&c.id)
        .await
        .unwrap()
        .last_synced_at
        .is_some());
    // A forced full pass fetches everything again and still doubles nothing.
    let full = e
        .folio
        .sync_connection(
            &c.id,
            SyncOptions {
                full: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(full.types.iter().all(|t| t.marked_missing == 0));
    assert_eq!(held(&e, &c.id).await, counts);
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn transient_faults_are_retried_and_tokens_refreshed_mid_sync() {
    let e = env(member(500)).await;
    let c = connect(&e, "demo", &[]).await.unwrap();
    e.sandbox.set_faults(Faults {
        rate_limit_every: Some(3),
        retry_after_secs: 1,
        server_error_every: Some(7),
        server_error_status: Some(503),
        drop_connection_every: Some(11),
        access_token_max_requests: Some(9),
        ..Default::default()
    });
    // One type at a time: the plan's tokens here die after 9 requests, so with types in
    // parallel a token refreshed for one request could be used up by the others before that
    // request's 429-delayed retry gets through, and whether the sync then succeeds would depend
    // on timing (it failed about 1 run in 3 so). In sequence the request that refreshed is the
    // first to use the new token, every time.
    let report = e
        .folio
        .sync_connection(
            &c.id,
            SyncOptions {
                page_size: Some(40),
                concurrency: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        report
            .types
            .iter()
            .all(|t| t.outcome != TypeOutcome::Failed),
        "{report:?}"
    );
    e.sandbox.set_faults(Faults::default());
    let faulty = held(&e, &c.id).await;
    // The same as a clean sync into a fresh profile.
    let clean = env(member(500)).await;
    let c2 = connect(&clean, "demo", &[]).await.unwrap();
    let reference = clean
        .folio
        .sync_connection(&c2.id, SyncOptions::default())
        .await
        .unwrap();
    assert!(
        reference
            .types
            .iter()
            .all(|t| t.outcome != TypeOutcome::Failed),
        "{reference:?}"
    );
    assert_eq!(faulty, held(&clean, &c2.id).await);
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn broken_pages_fail_their_type_only_and_the_next_sync_resumes() {
    let e = env(member(600)).await;
    let c = connect(&e, "demo", &[]).await.unwrap();
    e.sandbox.set_faults(Faults {
        malformed_page: Some(2),
        ..Default::default()
    });
    let report = e
        .folio
        .sync_connection(
            &c.id,
            SyncOptions {
                page_size: Some(30),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let failed: Vec<&str> = report
        .types
        .iter()
        .filter(|t| t.outcome == TypeOutcome::Failed)
        .map(|t| t.resource_type.as_str())
        .collect();
    assert!(failed.contains(&"Observation"), "{report:?}");
    assert!(
        report
            .types
            .iter()
            .any(|t| t.outcome == TypeOutcome::Done && t.resource_type == "Coverage"),
        "one page only: unaffected"
    );
    let problem = report
        .types
        .iter()
        .find(|t| t.resource_type == "Observation")
        .unwrap()
        .problem
        .clone()
        .unwrap();
    assert!(problem.contains("not valid FHIR JSON"), "{problem}");
    let partial = held(&e, &c.id).await;
    e.sandbox.set_faults(Faults::default());
    let resumed = e
        .folio
        .sync_connection(
            &c.id,
            SyncOptions {
                page_size: Some(30),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        resumed
            .types
            .iter()
            .all(|t| t.outcome != TypeOutcome::Failed),
        "{resumed:?}"
    );
    let complete = held(&e, &c.id).await;
    assert!(complete["Observation"] > partial["Observation"]);
    let summary = e.sandbox.members().remove(0);
    assert_eq!(
        searched(&complete),
        expected_searched(&summary),
        "complete, nothing doubled"
    );
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn loops_oversized_pages_and_unshared_types_are_reported() {
    let e = env(member(400)).await;
    let c = connect(&e, "demo", &[]).await.unwrap();
    e.sandbox.set_faults(Faults {
        paging_loop: true,
        ..Default::default()
    });
    let report = e
        .folio
        .sync_connection(
            &c.id,
            SyncOptions {
                page_size: Some(20),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let obs = report
        .types
        .iter()
        .find(|t| t.resource_type == "Observation")
        .unwrap();
    assert_eq!(obs.outcome, TypeOutcome::Failed);
    assert_eq!(obs.failure, Some(SyncFailureCode::PagingLoop));
    assert!(
        obs.problem.as_ref().unwrap().contains("paging loop"),
        "{obs:?}"
    );
    e.sandbox.set_faults(Faults {
        oversized_page_bytes: Some(3_000_000),
        ..Default::default()
    });
    let report = e
        .folio
        .sync_connection(
            &c.id,
            SyncOptions {
                full: true,
                max_page_bytes: 1_000_000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        report
            .types
            .iter()
            .filter(|t| t.outcome == TypeOutcome::Failed)
            .all(|t| t.problem.as_ref().unwrap().contains("larger than")
                && t.failure == Some(SyncFailureCode::TooLarge)),
        "{report:?}"
    );
    assert!(report
        .types
        .iter()
        .any(|t| t.outcome == TypeOutcome::Failed));
    e.sandbox.set_faults(Faults::default());

    // A plan that does not share one type with apps: that type is "not shared", the rest
    // arrives, and the sync as a whole succeeds.
    e.sandbox.set_faults(Faults {
        forbidden_types: vec!["Immunization".into()],
        ..Default::default()
    });
    let report = e
        .folio
        .sync_connection(&c.id, SyncOptions::default())
        .await
        .unwrap();
    let imm = report
        .types
        .iter()
        .find(|t| t.resource_type == "Immunization")
        .unwrap();
    assert_eq!(imm.outcome, TypeOutcome::NotShared, "{report:?}");
    assert!(
        report
            .types
            .iter()
            .filter(|t| t.resource_type != "Immunization")
            .all(|t| t.outcome != TypeOutcome::Failed),
        "{report:?}"
    );
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn the_same_records_from_two_plans_are_linked_not_merged() {
    let e = env(member(300)).await;
    let (_other, plan) = second_plan(&e, member(300)).await;
    let a = connect(&e, "demo", &[]).await.unwrap();
    let b = connect_plan(&e.folio, &plan.id, "demo", &[]).await.unwrap();
    e.folio
        .sync_connection(&a.id, SyncOptions::default())
        .await
        .unwrap();
    e.folio
        .sync_connection(&b.id, SyncOptions::default())
        .await
        .unwrap();
    let (counts, linked) = e.folio.stats().await.unwrap();
    let per: BTreeMap<&str, i64> = counts.iter().fold(BTreeMap::new(), |mut m, c| {
        *m.entry(c.connection_id.as_str()).or_default() += c.resources;
        m
    });
    assert_eq!(
        per[a.id.as_str()],
        per[b.id.as_str()],
        "each plan keeps its own copy"
    );
    assert!(
        linked > 50,
        "claims, labs, immunizations... linked across the two plans: {linked}"
    );
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn public_fixtures_sync_completely() {
    let fixtures =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let config = SandboxConfig {
        members: vec![
            MemberSource::Fixture {
                login: "demo".into(),
                path: fixtures
                    .join("synthea-r4/Adan_Portillo_22bbe238-220e-495c-8abc-0ce3aa28a605.json"),
                patient_id: None,
            },
            MemberSource::Fixture {
                login: "carin".into(),
                path: fixtures.join("carin-bb"),
                patient_id: Some("Patient1".into()),
            },
            MemberSource::Fixture {
                login: "bulk".into(),
                path: fixtures.join("bulk-ndjson-10-patients"),
                patient_id: None,
            },
        ],
        ..Default::default()
    };
    let e = env(config).await;
    let members = e.sandbox.members();
    for (login, summary) in ["demo", "carin", "bulk"].iter().zip(&members) {
        let c = connect(&e, login, &[]).await.unwrap();
        let report = e
            .folio
            .sync_connection(
                &c.id,
                SyncOptions {
                    page_size: Some(50),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(
            report
                .types
                .iter()
                .all(|t| t.outcome != TypeOutcome::Failed),
            "{login}: {report:?}"
        );
        let got = held(&e, &c.id).await;
        // Every type Folio searches arrives complete; Synthea's Claim and ImagingStudy are not
        // among the Patient Access types Folio asks for.
        for (ty, n) in &summary.counts {
            let searched = [
                "Patient",
                "Coverage",
                "ExplanationOfBenefit",
                "Encounter",
                "Condition",
                "Observation",
                "DiagnosticReport",
                "MedicationRequest",
                "Immunization",
                "AllergyIntolerance",
                "Procedure",
                "DocumentReference",
                "CarePlan",
                "Goal",
                "Device",
            ];
            if searched.contains(&ty.as_str()) {
                assert_eq!(
                    got.get(ty).copied().unwrap_or(0) as usize,
                    *n,
                    "{login}: {ty}"
                );
            }
        }
    }
    let (counts, _) = e.folio.stats().await.unwrap();
    assert!(counts
        .iter()
        .any(|c| c.resource_type == "ExplanationOfBenefit" && c.resources > 0));
    assert!(e.folio.integrity_ok().await.unwrap());
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn the_timeline_pages_filters_searches_and_shows_linked_items_once() {
    use folio_core::api::TimelineQuery;
    let e = env(member(600)).await;
    let (_other, plan) = second_plan(&e, member(600)).await;
    let a = connect(&e, "demo", &[]).await.unwrap();
    e.folio
        .sync_connection(&a.id, SyncOptions::default())
        .await
        .unwrap();

    // Page through everything of plan A, 37 at a time: newest first, nothing twice.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = e
            .folio
            .timeline(&TimelineQuery {
                cursor: cursor.clone(),
                limit: 37,
                ..Default::default()
            })
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|i| {
            (
                i.date.clone(),
                format!("{}/{}", i.resource_type, i.resource_id),
            )
        }));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let mut ids: Vec<&String> = seen.iter().map(|(_, id)| id).collect();
    ids.sort();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "no item twice across pages");
    assert!(seen.windows(2).all(|w| w[0].0 >= w[1].0), "newest first");
    assert!(seen.len() > 300);
    assert!(
        !seen.iter().any(|(_, id)| id.starts_with("Coverage/")),
        "only things that happened"
    );

    // Filters: one kind, words, sensitive records only on request.
    let labs = e
        .folio
        .timeline(&TimelineQuery {
            types: vec!["Observation".into()],
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(labs
        .items
        .iter()
        .all(|i| i.resource_type == "Observation" && i.kind == "Lab or vital sign"));
    let found = e
        .folio
        .timeline(&TimelineQuery {
            text: Some("glucose".into()),
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        !found.items.is_empty()
            && found
                .items
                .iter()
                .all(|i| i.title.to_lowercase().contains("glucose")),
        "{:?}",
        found.items.first()
    );
    let hidden = e
        .folio
        .timeline(&TimelineQuery {
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        hidden.items.iter().all(|i| !i.sensitive),
        "sensitive records are hidden by default"
    );

    // The record behind an item: the plan's JSON, verbatim in content, and its source.
    let first = &labs.items[0];
    let detail = e
        .folio
        .record(
            &first.connection_id,
            &first.resource_type,
            &first.resource_id,
        )
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&detail.json).unwrap();
    assert_eq!(json["id"], first.resource_id.as_str());
    assert_eq!(detail.plan_name, "Folio Sandbox Health Plan (demo)");
    let request = detail.source_request.unwrap();
    assert!(
        request.starts_with("/fhir/"),
        "the request without host or token: {request}"
    );

    // ExplanationOfBenefits are claims and prior authorizations (use = preauthorization): a
    // prior authorization is named as one, is not read as a claim, and opens on its own screen.
    let eobs = e
        .folio
        .timeline(&TimelineQuery {
            types: vec!["ExplanationOfBenefit".into()],
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    let kinds: std::collections::BTreeSet<&str> =
        eobs.items.iter().map(|i| i.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["Claim", "Prior authorization"].into(),
        "claims and prior authorizations told apart"
    );
    let pa = eobs
        .items
        .iter()
        .find(|i| i.kind == "Prior authorization")
        .unwrap();
    let pa_detail = e
        .folio
        .record(&pa.connection_id, &pa.resource_type, &pa.resource_id)
        .await
        .unwrap();
    let pa_json: serde_json::Value = serde_json::from_str(&pa_detail.json).unwrap();
    assert_eq!(pa_json["use"], "preauthorization");
    assert!(pa_detail.claim.is_none(), "not read as a claim");
    assert_eq!(pa_detail.kind, "Prior authorization");
    assert_eq!(
        pa_detail.opens_on,
        Some(folio_core::api::RecordScreen::PriorAuthorization)
    );
    // A claim reads like a paper EOB, with the provider's name looked up.
    let c = eobs.items.iter().find(|i| i.kind == "Claim").unwrap();
    let detail = e
        .folio
        .record(&c.connection_id, &c.resource_type, &c.resource_id)
        .await
        .unwrap();
    assert_eq!(detail.opens_on, Some(folio_core::api::RecordScreen::Claim));
    let claim = detail.claim.expect("a claim");
    assert!(claim.provider.is_some(), "provider named: {claim:?}");
    let t = &claim.totals;
    assert!(
        t.billed.unwrap() >= t.allowed.unwrap() && t.allowed.unwrap() > 0.0,
        "{t:?}"
    );
    assert!(
        (t.plan_paid.unwrap() + t.member_owed.unwrap() - t.allowed.unwrap()).abs() < 0.01,
        "paid + owed = allowed: {t:?}"
    );
    assert!(!claim.lines.is_empty() && claim.lines.iter().all(|l| !l.service.is_empty()));

    // Claims add up per plan year: the yearly sums equal the sum over every claim.
    let years = e.folio.claim_years(&[], false).await.unwrap();
    assert!(
        !years.is_empty() && years.windows(2).all(|w| w[0].year >= w[1].year),
        "newest year first"
    );
    let all_claims = e
        .folio
        .timeline(&TimelineQuery {
            types: vec!["ExplanationOfBenefit".into()],
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(all_claims.next_cursor.is_none());
    // Prior authorizations are left out of the sums: only the claims are added up.
    let all_claims: Vec<_> = all_claims
        .items
        .iter()
        .filter(|i| i.kind == "Claim")
        .collect();
    let mut paid = 0.0;
    for i in &all_claims {
        let d = e
            .folio
            .record(&i.connection_id, &i.resource_type, &i.resource_id)
            .await
            .unwrap();
        paid += d.claim.unwrap().totals.plan_paid.unwrap_or(0.0);
    }
    let yearly: f64 = years
        .iter()
        .map(|y| y.totals.plan_paid.unwrap_or(0.0))
        .sum();
    assert!((paid - yearly).abs() < 0.01, "{paid} vs {yearly}");
    assert_eq!(
        years.iter().map(|y| y.claims as usize).sum::<usize>(),
        all_claims.len(),
        "a year's claims are the claims, without prior authorizations"
    );

    // Narratives arrive hostile in some records (the generator plants them) and leave safe.
    let all = e
        .folio
        .timeline(&TimelineQuery {
            include_sensitive: true,
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut hostile_seen = 0;
    for i in &all.items {
        let d = e
            .folio
            .record(&i.connection_id, &i.resource_type, &i.resource_id)
            .await
            .unwrap();
        if d.json.contains("<script") {
            hostile_seen += 1;
        }
        if let Some(html) = &d.narrative_html {
            for bad in [
                "<script",
                "onerror",
                "javascript:",
                "<img",
                "<iframe",
                "<form",
                "<style",
            ] {
                assert!(!html.contains(bad), "{bad} reached the screen: {html}");
            }
        }
    }
    assert!(
        hostile_seen > 0,
        "the sandbox sent hostile narratives to sanitize"
    );

    // The same member at a second plan: shared items appear once, naming the other plan.
    let b = connect_plan(&e.folio, &plan.id, "demo", &[]).await.unwrap();
    e.folio
        .sync_connection(&b.id, SyncOptions::default())
        .await
        .unwrap();
    let both = e
        .folio
        .timeline(&TimelineQuery {
            types: vec!["Immunization".into()],
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    let only_a = e
        .folio
        .timeline(&TimelineQuery {
            types: vec!["Immunization".into()],
            connections: vec![a.id.clone()],
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(both.items.len(), only_a.items.len(), "linked, shown once");
    assert!(
        both.items
            .iter()
            .all(|i| i.other_sources == vec!["Second Plan".to_owned()]
                || i.plan_name == "Second Plan"),
        "{:?}",
        both.items.first()
    );
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn labs_are_listed_and_charted_on_one_scale_once_across_plans() {
    let e = env(member(4000)).await;
    let (_other, plan) = second_plan(&e, member(4000)).await;
    let a = connect(&e, "demo", &[]).await.unwrap();
    let b = connect_plan(&e.folio, &plan.id, "demo", &[]).await.unwrap();
    for c in [&a, &b] {
        e.folio
            .sync_connection(&c.id, SyncOptions::default())
            .await
            .unwrap();
    }
    let tests = e.folio.lab_tests(false).await.unwrap();
    let glucose = tests
        .iter()
        .find(|t| t.key == "http://loinc.org|2345-7")
        .expect("glucose is listed");
    assert_eq!(glucose.category, folio_core::api::LabCategory::Lab);
    assert!(glucose.latest.value.ends_with("mg/dL") || glucose.latest.value.ends_with("mmol/L"));
    assert!(
        tests
            .iter()
            .any(|t| t.category == folio_core::api::LabCategory::Vital
                && t.latest.value.contains('/')
                && t.latest.value.ends_with("mmHg")),
        "blood pressure reads as systolic/diastolic: {tests:?}"
    );
    // Labs before vitals.
    let first_vital = tests
        .iter()
        .position(|t| t.category == folio_core::api::LabCategory::Vital)
        .unwrap();
    assert!(tests[first_vital..]
        .iter()
        .all(|t| t.category == folio_core::api::LabCategory::Vital));

    let series = e
        .folio
        .lab_series("http://loinc.org|2345-7", false)
        .await
        .unwrap();
    assert_eq!(series.lines.len(), 1);
    let line = &series.lines[0];
    assert_eq!(line.unit.as_deref(), Some("mg/dL"));
    assert_eq!(line.unconverted, 0);
    // Two plans hold every result: each is drawn once.
    assert_eq!(
        line.points.len() as u32,
        glucose.results,
        "one point per result, not per copy"
    );
    let converted: Vec<_> = line
        .points
        .iter()
        .filter_map(|p| Some((p.value, p.reported_as.as_deref()?)))
        .collect();
    assert!(!converted.is_empty(), "some results came in mmol/L");
    for (value, reported) in converted {
        let mmol: f64 = reported.trim_end_matches(" mmol/L").parse().unwrap();
        assert!(
            (value - mmol * 18.0156).abs() < 0.01,
            "{value} vs {reported}"
        );
    }
    assert!(line.points.iter().all(|p| (30.0..600.0).contains(&p.value)));
    assert!(line.points.windows(2).all(|w| w[0].date <= w[1].date));
    assert!(matches!((line.low, line.high), (Some(l), Some(h)) if l < h));

    let bp = tests
        .iter()
        .find(|t| t.latest.value.ends_with("mmHg") && t.latest.value.contains('/'))
        .unwrap();
    let bp = e.folio.lab_series(&bp.key, false).await.unwrap();
    assert_eq!(bp.lines.len(), 2, "systolic and diastolic");
    assert!(bp.lines[0].points.len() == bp.lines[1].points.len());
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn the_overview_shows_coverage_counts_and_what_arrived_since_the_last_visit() {
    let e = env(member(600)).await;
    let first = e.folio.overview(false).await.unwrap();
    assert_eq!(first.last_visit, None, "a first visit");
    assert!(first.counts.is_empty() && first.coverages.is_empty());
    let c = connect_and_sync(&e, "demo").await;
    // Same process: still compared with the visit before it.
    assert_eq!(e.folio.overview(false).await.unwrap().last_visit, None);

    // The next time Folio opens, everything downloaded since is new.
    let again =
        folio_core::Folio::with_secrets(folio_core::DataDir::at(e._dir.path()), e.secrets.clone())
            .unwrap();
    let o = again.overview(false).await.unwrap();
    assert!(o.last_visit.is_some());
    let card = o.coverages.first().expect("a coverage card");
    assert!(card.member_id.is_some() && card.payor.is_some(), "{card:?}");
    assert_eq!(card.connection_id, c.id);
    let claims = o
        .counts
        .iter()
        .find(|k| k.resource_type == "ExplanationOfBenefit")
        .unwrap();
    assert_eq!(claims.kind, "Claims");
    assert!(claims.count > 0);
    assert_eq!(
        o.changed, o.counts,
        "all of it arrived since the last visit"
    );
    assert!(o.counts.windows(2).all(|w| w[0].count >= w[1].count));

    // And the visit after that sees nothing new.
    let third =
        folio_core::Folio::with_secrets(folio_core::DataDir::at(e._dir.path()), e.secrets.clone())
            .unwrap();
    assert!(third.overview(false).await.unwrap().changed.is_empty());
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn remove_all_my_data_revokes_deletes_tokens_and_leaves_no_record_in_the_file() {
    let e = env(member(300)).await;
    let c = connect_and_sync(&e, "demo").await;
    let fixtures =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    e.folio
        .import(
            &fixtures.join("synthea-r4/Adan_Portillo_22bbe238-220e-495c-8abc-0ce3aa28a605.json"),
        )
        .await
        .unwrap();
    e.folio.set_show_sensitive(true).await.unwrap();
    let token = e.folio.access_token(&c.id).await.unwrap();
    let entry =
        folio_secrets::SecretStore::get(e.secrets.as_ref(), &format!("connection/{}", c.id))
            .unwrap()
            .unwrap();
    let entry: serde_json::Value = serde_json::from_str(entry.expose()).unwrap();
    let refresh = entry["refresh_token"].as_str().unwrap().to_owned();
    let db = e.folio.data_dir().database_path();
    assert!(
        e.folio.stats().await.unwrap().0.len() > 3,
        "the member's records are there before"
    );
    assert!(db.is_file());

    let removed = e.folio.remove_all_data().await.unwrap();
    assert_eq!(
        (
            removed.sources,
            removed.plan_connections,
            removed.revoked_at_plans
        ),
        (2, 1, 1)
    );
    assert!(e.folio.connections().await.unwrap().is_empty());
    assert!(e.folio.stats().await.unwrap().0.is_empty());
    assert!(
        !e.folio.preferences().await.unwrap().show_sensitive,
        "settings reset"
    );
    assert!(
        folio_secrets::SecretStore::get(e.secrets.as_ref(), &format!("connection/{}", c.id))
            .unwrap()
            .is_none(),
        "no token left in the keychain"
    );
    let res = reqwest::Client::new()
        .get(format!("{}/Coverage", e.sandbox.fhir_base()))
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "revoked at the plan");
    // The encrypted database was not just emptied: its files are gone and Folio started a new
    // one (with a new key) for the calls above. Nothing of the member and no token is in any
    // of its rows (read through its key, not as ciphertext) or in any other file of the profile.
    let profile = e.folio.data_dir().path();
    let disk = on_disk::read_profile(
        profile,
        &on_disk::DbKey::from_keychain(profile, e.secrets.as_ref()),
    )
    .await;
    assert!(
        disk.holding(b"demo")
            .iter()
            .any(|p| p.starts_with("plans.")),
        "the new database's rows are read (the catalog is in them)"
    );
    for name in ["Portillo", "Rivera"] {
        assert_eq!(
            disk.holding_any_case(name),
            Vec::<String>::new(),
            "still holds {name:?}"
        );
    }
    for word in ["ExplanationOfBenefit\"", "FSH"] {
        assert_eq!(
            disk.holding(word.as_bytes()),
            Vec::<String>::new(),
            "still holds {word:?}"
        );
    }
    for secret in [token.expose().as_str(), refresh.as_str()] {
        assert_eq!(
            disk.holding(secret.as_bytes()),
            Vec::<String>::new(),
            "a token is still on disk"
        );
    }
    assert!(e.folio.integrity_ok().await.unwrap());
    assert!(
        e.folio
            .plans()
            .await
            .unwrap()
            .iter()
            .any(|p| p.id == "demo"),
        "the catalog stays"
    );
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn a_claim_links_to_its_visit_and_the_visits_clinical_records() {
    let e = env(member(400)).await;
    connect_and_sync(&e, "demo").await;
    let claims = claim_details(&e, 50).await;
    let mut linked = 0;
    for record in &claims {
        let Some(visit) = record.claim.as_ref().and_then(|cl| cl.visit.as_ref()) else {
            continue;
        };
        let encounter = e
            .folio
            .record(&record.connection_id, "Encounter", &visit.encounter_id)
            .await
            .unwrap();
        assert_eq!(encounter.resource_type, "Encounter");
        for v in &visit.items {
            let r = e
                .folio
                .record(&record.connection_id, &v.resource_type, &v.resource_id)
                .await
                .unwrap();
            assert!(
                r.json
                    .contains(&format!("\"Encounter/{}\"", visit.encounter_id)),
                "{} {} belongs to the visit",
                v.resource_type,
                v.resource_id
            );
        }
        if !visit.items.is_empty() {
            linked += 1;
        }
    }
    assert!(
        linked > 5,
        "claims lead to their visits' records ({linked} of {})",
        claims.len()
    );
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn a_plan_gone_offline_is_named_and_nothing_saved_is_lost() {
    let e = env(member(300)).await;
    let c = connect_and_sync(&e, "demo").await;
    let before = held(&e, &c.id).await;
    let common::Env {
        _dir,
        folio,
        sandbox,
        ..
    } = e;
    sandbox.stop().await;

    let full = SyncOptions {
        full: true,
        ..Default::default()
    };
    let outcome = folio.sync_connection(&c.id, full).await;
    match &outcome {
        Ok(report) => {
            assert!(!report.types.is_empty());
            assert!(
                report
                    .types
                    .iter()
                    .all(|t| t.outcome == TypeOutcome::Failed),
                "{report:?}"
            );
            for t in &report.types {
                let problem = t.problem.as_deref().unwrap_or_default();
                assert!(problem.contains("could not be reached"), "{problem}");
            }
            // The first request that found the plan gone (the member's Patient) is enough:
            // the other kinds are not each retried for seconds.
            let not_tried = report
                .types
                .iter()
                .filter(|t| {
                    t.problem
                        .as_deref()
                        .is_some_and(|p| p.ends_with("not tried again in this sync"))
                })
                .count();
            assert_eq!(not_tried, report.types.len() - 1, "{report:?}");
        }
        Err(err) => assert_eq!(
            err.code(),
            folio_core::api::ErrorCode::PlanUnreachable,
            "{err}"
        ),
    }
    eprintln!("offline sync: {outcome:?}");
    let (counts, _) = folio.stats().await.unwrap();
    let after: BTreeMap<String, i64> = counts
        .into_iter()
        .filter(|k| k.connection_id == c.id)
        .map(|k| (k.resource_type, k.resources))
        .collect();
    assert_eq!(after, before, "nothing saved is lost");
    assert!(folio.integrity_ok().await.unwrap());
    let connection = folio.connection(&c.id).await.unwrap();
    assert_ne!(
        connection.status,
        folio_core::api::ConnectionStatus::ReconnectNeeded,
        "an offline plan does not cost the member their sign-in"
    );
}
