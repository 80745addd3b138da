//! The same generated member synced through every strict-server combination of folio-sandbox
//! (issue 15): every record arrives exactly once, claims show their provider and insurer, and
//! the second sync sends no request the plan already refused and is incremental where
//! `_lastUpdated` works. Expected records come from the member's generated resources, not
//! from the server. Tokens live in a memory secret store (these need no keychain).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use folio_core::api::{PlanSupport, TypeOutcome};
use folio_core::{DataDir, Folio, SyncOptions};
use folio_sandbox::{Faults, MemberSource, Sandbox, SandboxConfig, StrictServer};
use oracle::{linked_paths, refs_at, SEARCHED};
use serde_json::Value;

mod common;
mod oracle;

const SEED: u64 = 31;
const SIZE: usize = 260;

/// US Core's Observation categories, as Folio asks for them when a plan requires one.
const OBSERVATION_CATEGORIES: &[&str] = &[
    "laboratory",
    "vital-signs",
    "social-history",
    "survey",
    "sdoh",
    "imaging",
    "procedure",
    "exam",
    "therapy",
    "activity",
    "functional-status",
];

fn key(r: &Value) -> (String, String) {
    (
        r["resourceType"].as_str().unwrap().to_owned(),
        r["id"].as_str().unwrap().to_owned(),
    )
}

fn sensitive(r: &Value) -> bool {
    r["meta"]["security"].as_array().is_some_and(|labels| {
        labels.iter().any(|l| {
            folio_fhir::is_sensitive_label(&folio_fhir::SecurityLabel {
                system: l["system"].as_str().map(str::to_owned),
                code: l["code"].as_str().map(str::to_owned),
            })
        })
    })
}

/// What the member (who withheld sensitive records at consent) should hold after a sync,
/// by type, computed from the generated resources.
fn expected(
    resources: &[Value],
    patient: &str,
    provenance: bool,
    category_required: bool,
) -> BTreeMap<String, usize> {
    let patient_ref = format!("Patient/{patient}");
    let by_key: BTreeMap<(String, String), &Value> =
        resources.iter().map(|r| (key(r), r)).collect();
    let in_compartment = |r: &Value| {
        r["resourceType"] == "Patient" && r["id"] == patient
            || ["patient", "subject", "beneficiary"]
                .iter()
                .any(|k| r[*k]["reference"].as_str() == Some(patient_ref.as_str()))
    };
    let mut held: BTreeSet<(String, String)> = BTreeSet::new();
    for r in resources {
        let ty = r["resourceType"].as_str().unwrap();
        if !SEARCHED.contains(&ty) || !in_compartment(r) || sensitive(r) {
            continue;
        }
        if ty == "MedicationRequest" && !matches!(r["intent"].as_str(), Some("order" | "plan")) {
            continue;
        }
        if ty == "Observation" && category_required {
            let codes: Vec<&str> = r["category"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|c| c["coding"].as_array().into_iter().flatten())
                .filter_map(|c| c["code"].as_str())
                .collect();
            if !codes.iter().any(|c| OBSERVATION_CATEGORIES.contains(c)) {
                continue;
            }
        }
        held.insert(key(r));
    }
    let matched: Vec<(String, String)> = held.iter().cloned().collect();
    for k in &matched {
        let r = by_key[k];
        for path in linked_paths(&k.0) {
            let mut out = Vec::new();
            refs_at(r, path, &mut out);
            for reference in out {
                let Some((t, id)) = reference.split_once('/') else {
                    continue;
                };
                if let Some(target) = by_key.get(&(t.to_owned(), id.to_owned())) {
                    if !sensitive(target) {
                        held.insert(key(target));
                    }
                }
            }
        }
    }
    if provenance {
        for r in resources
            .iter()
            .filter(|r| r["resourceType"] == "Provenance")
        {
            let targets_a_match = r["target"].as_array().into_iter().flatten().any(|t| {
                t["reference"]
                    .as_str()
                    .and_then(|s| s.split_once('/'))
                    .is_some_and(|(t, id)| {
                        t != "Patient" && held.contains(&(t.to_owned(), id.to_owned()))
                    })
            });
            if targets_a_match && !sensitive(r) {
                held.insert(key(r));
            }
        }
    }
    let mut counts = BTreeMap::new();
    for (t, _) in held {
        *counts.entry(t).or_insert(0) += 1;
    }
    counts
}

struct Row {
    name: &'static str,
    records: usize,
    sync1: (u64, usize),
    sync2: (u64, usize),
    incremental: bool,
}

fn all_at_once(overstate: bool) -> StrictServer {
    StrictServer {
        reject_include_wildcard: true,
        reject_include: true,
        reject_revinclude: true,
        reject_last_updated: true,
        ignore_count: true,
        max_count: Some(20),
        relative_links: true,
        no_total: true,
        require_observation_category: true,
        overstate_capabilities: overstate,
        ..StrictServer::default()
    }
}

fn combinations() -> Vec<(&'static str, StrictServer)> {
    let s = StrictServer::default;
    vec![
        ("lenient", s()),
        (
            "wildcard rejected",
            StrictServer {
                reject_include_wildcard: true,
                ..s()
            },
        ),
        (
            "wildcard rejected, declared",
            StrictServer {
                reject_include_wildcard: true,
                overstate_capabilities: true,
                ..s()
            },
        ),
        (
            "all includes rejected",
            StrictServer {
                reject_include: true,
                ..s()
            },
        ),
        (
            "revinclude rejected",
            StrictServer {
                reject_revinclude: true,
                ..s()
            },
        ),
        (
            "lastUpdated rejected",
            StrictServer {
                reject_last_updated: true,
                ..s()
            },
        ),
        (
            "lastUpdated rejected, declared",
            StrictServer {
                reject_last_updated: true,
                overstate_capabilities: true,
                ..s()
            },
        ),
        (
            "count ignored",
            StrictServer {
                ignore_count: true,
                ..s()
            },
        ),
        (
            "count capped at 20",
            StrictServer {
                max_count: Some(20),
                ..s()
            },
        ),
        (
            "relative links, no total",
            StrictServer {
                relative_links: true,
                no_total: true,
                ..s()
            },
        ),
        (
            "category required",
            StrictServer {
                require_observation_category: true,
                ..s()
            },
        ),
        (
            "include silently dropped",
            StrictServer {
                drop_include: true,
                ..s()
            },
        ),
        (
            "revinclude silently dropped",
            StrictServer {
                drop_revinclude: true,
                ..s()
            },
        ),
        (
            "lastUpdated silently dropped",
            StrictServer {
                drop_last_updated: true,
                ..s()
            },
        ),
        (
            "large count rejected",
            StrictServer {
                reject_count_above: Some(500),
                ..s()
            },
        ),
        (
            "all dropped silently, count capped at 30",
            StrictServer {
                drop_include: true,
                drop_revinclude: true,
                drop_last_updated: true,
                max_count: Some(30),
                ..s()
            },
        ),
        ("all at once", all_at_once(false)),
        ("all at once, declared", all_at_once(true)),
        (
            "revinclude, Provenance?target and lastUpdated rejected, declared",
            StrictServer {
                reject_revinclude: true,
                reject_provenance_target: true,
                reject_last_updated: true,
                overstate_capabilities: true,
                ..s()
            },
        ),
        (
            "revinclude rejected, Provenance?target not declared",
            StrictServer {
                reject_revinclude: true,
                undeclare_provenance_target: true,
                ..s()
            },
        ),
        (
            "_id searches rejected",
            StrictServer {
                reject_id_search: true,
                ..s()
            },
        ),
        (
            "_id searches and includes rejected",
            StrictServer {
                reject_id_search: true,
                reject_include: true,
                ..s()
            },
        ),
        (
            "patient matched only as Patient/<id>",
            StrictServer {
                patient_reference_only: true,
                ..s()
            },
        ),
        (
            "all at once, _id rejected, patient as Patient/<id>",
            StrictServer {
                reject_id_search: true,
                patient_reference_only: true,
                reject_provenance_target: true,
                ..all_at_once(false)
            },
        ),
    ]
}

/// Whether Provenance reaches the member: by `_revinclude`, or by `Provenance?target=` where
/// the plan declares and takes it.
fn provenance_arrives(strict: &StrictServer) -> bool {
    let revinclude = !strict.reject_revinclude && !strict.drop_revinclude;
    let by_target = !strict.reject_provenance_target && !strict.undeclare_provenance_target;
    revinclude || by_target
}

/// Whether the sandbox's CapabilityStatement declares `Provenance?target=` (written out here).
fn target_declared(strict: &StrictServer) -> bool {
    !strict.undeclare_provenance_target
        && (strict.overstate_capabilities || !strict.reject_provenance_target)
}

/// A request's query parameter, decoded.
fn query_param(request: &str, name: &str) -> Option<String> {
    let url = url::Url::parse("http://sandbox")
        .unwrap()
        .join(request)
        .unwrap();
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A request's path under the FHIR base (`/Organization/o1`; the sandbox logs it with or
/// without the base's `/fhir`).
fn path_of(request: &str) -> &str {
    let path = request.split('?').next().unwrap_or(request);
    path.strip_prefix("/fhir").unwrap_or(path)
}

/// What each sync sent that the fallbacks of issue 15 are about: reads of referenced records
/// once each, no `_id` search or bare-id search where the plan refused or ignored it, and
/// `Provenance?target=` only where it is declared.
fn check_requests(
    name: &str,
    strict: &StrictServer,
    generated: &[Value],
    patient: &str,
    sync1: &[String],
    sync2: &[String],
) {
    let provenance_searches = |reqs: &[String]| {
        reqs.iter()
            .filter(|r| path_of(r) == "/Provenance" && query_param(r, "target").is_some())
            .count()
    };
    let revinclude = !strict.reject_revinclude && !strict.drop_revinclude;
    if revinclude || !target_declared(strict) {
        assert_eq!(
            provenance_searches(sync1),
            0,
            "{name}: no Provenance?target= where _revinclude works or it is not declared"
        );
    } else {
        assert!(
            provenance_searches(sync1) > 0,
            "{name}: Provenance asked for by target: {sync1:?}"
        );
    }
    if strict.reject_provenance_target {
        assert!(
            provenance_searches(sync1) <= 1,
            "{name}: a refused Provenance?target= is not asked again in the sync"
        );
        assert_eq!(provenance_searches(sync2), 0, "{name}: nor in the next");
    }
    if strict.reject_id_search {
        // Each referenced record read once: no read repeated in a sync.
        let mut reads: BTreeMap<&str, usize> = BTreeMap::new();
        for r in sync1.iter().filter(|r| !r.contains('?')) {
            let path = path_of(r);
            let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
            let is_type = parts[0].starts_with(|c: char| c.is_ascii_uppercase());
            if parts.len() == 2 && is_type && parts[0] != "Patient" {
                *reads.entry(path).or_default() += 1;
            }
        }
        assert!(!reads.is_empty(), "{name}: referenced records were read");
        let repeated: Vec<_> = reads.iter().filter(|(_, n)| **n != 1).collect();
        assert!(
            repeated.is_empty(),
            "{name}: read more than once: {repeated:?}"
        );
        if strict.reject_include {
            // Nothing else brings a claim's provider and insurer: each was read exactly once.
            for eob in generated
                .iter()
                .filter(|r| r["resourceType"] == "ExplanationOfBenefit" && !sensitive(r))
            {
                // A practice named only by name (dental, vision) has nothing to read.
                for field in ["provider", "insurer"] {
                    let Some(reference) = eob[field]["reference"].as_str() else {
                        continue;
                    };
                    let read = format!("/{reference}");
                    assert_eq!(
                        reads.get(read.as_str()),
                        Some(&1),
                        "{name}: {read} read exactly once"
                    );
                }
            }
        }
        assert!(
            sync2.iter().all(|r| query_param(r, "_id").is_none()),
            "{name}: the second sync sends no _id search: {sync2:?}"
        );
    }
    let bare = |reqs: &[String]| {
        reqs.iter()
            .filter(|r| query_param(r, "patient").as_deref() == Some(patient))
            .count()
    };
    if strict.patient_reference_only {
        assert!(
            sync1
                .iter()
                .any(|r| query_param(r, "patient") == Some(format!("Patient/{patient}"))),
            "{name}: asked again as Patient/<id>"
        );
        assert_eq!(
            bare(sync2),
            0,
            "{name}: the second sync names the member as Patient/<id> only: {sync2:?}"
        );
    } else {
        assert!(
            sync1
                .iter()
                .chain(sync2)
                .all(|r| query_param(r, "patient") != Some(format!("Patient/{patient}"))),
            "{name}: the bare id works: no search names Patient/<id>"
        );
    }
}

/// What the plan's details say matches what the strict server did.
fn check_plan_support(name: &str, strict: &StrictServer, support: &PlanSupport) {
    use folio_core::api::SearchFeature;
    assert!(!support.unknown, "{name}: learned");
    let eob = support
        .types
        .iter()
        .find(|t| t.resource_type == "ExplanationOfBenefit")
        .unwrap();
    let no_includes = strict.reject_include || strict.drop_include;
    assert_eq!(
        support.linked_fetched_separately, no_includes,
        "{name}: claims' linked records fetched separately exactly when no include works"
    );
    assert_eq!(
        eob.dropped.contains(&SearchFeature::LinkedRecords)
            || eob.dropped.contains(&SearchFeature::AllLinkedRecords),
        strict.drop_include && !strict.reject_include,
        "{name}: a silently dropped _include is named: {eob:?}"
    );
    let sentence = |needle: &str| support.sentences.iter().any(|s| s.contains(needle));
    assert_eq!(
        sentence("does not send a claim's doctors and insurer with the claim; Folio fetched them separately"),
        no_includes,
        "{name}: {:?}",
        support.sentences
    );
    // Types the plan declares (those the member has records of) send what works there.
    let revinclude_works = !strict.reject_revinclude && !strict.drop_revinclude;
    let target_works = provenance_arrives(strict) && !revinclude_works;
    let last_updated_works = !strict.reject_last_updated && !strict.drop_last_updated;
    for ty in ["ExplanationOfBenefit", "Condition", "Encounter"] {
        let t = support
            .types
            .iter()
            .find(|t| t.resource_type == ty)
            .unwrap();
        assert_eq!(t.record_sources, revinclude_works, "{name}: {t:?}");
        assert_eq!(t.only_changes, Some(last_updated_works), "{name}: {t:?}");
        if strict.drop_revinclude && !strict.reject_revinclude {
            assert!(
                t.dropped.contains(&SearchFeature::RecordSources),
                "{name}: {t:?}"
            );
        }
        if strict.drop_last_updated && !strict.reject_last_updated {
            assert!(
                t.dropped.contains(&SearchFeature::OnlyChanges),
                "{name}: {t:?}"
            );
        }
    }
    assert_eq!(
        sentence("where each record came from") || sentence("where each one came from"),
        !revinclude_works,
        "{name}: {:?}",
        support.sentences
    );
    assert_eq!(
        sentence("Folio asked for it separately"),
        target_works,
        "{name}: Provenance by Provenance?target=: {:?}",
        support.sentences
    );
    assert_eq!(
        sentence("Folio keeps track of where it got each one"),
        !revinclude_works && !target_works,
        "{name}: {:?}",
        support.sentences
    );
    assert_eq!(
        sentence("only when asked with your full patient reference"),
        strict.patient_reference_only,
        "{name}: {:?}",
        support.sentences
    );
    assert_eq!(
        !support.read_one_by_one.is_empty(),
        strict.reject_id_search,
        "{name}: referenced records read one by one exactly where _id searches are refused"
    );
    if strict.reject_id_search {
        assert!(
            sentence("Folio fetched them one by one"),
            "{name}: {:?}",
            support.sentences
        );
    }
    // The sandbox declares Patient/$everything; Folio keeps it and says so.
    assert!(
        sentence("$everything offered"),
        "{name}: {:?}",
        support.sentences
    );
    assert_eq!(
        sentence("cannot send only what changed"),
        !last_updated_works,
        "{name}: {:?}",
        support.sentences
    );
    // The page size learned: the cap the plan applies silently, or the default where a large
    // page was refused; none when the plan gives all Folio asks for.
    let cap = match (strict.ignore_count, strict.max_count) {
        (_, Some(m)) => Some(m),
        (true, None) => Some(50),
        (false, None) => strict
            .reject_count_above
            .map(|_| folio_core::DEFAULT_PAGE_SIZE),
    };
    assert_eq!(support.page_size, cap, "{name}: {:?}", support.types);
    if let Some(n) = cap {
        assert!(
            sentence(&format!("This plan gives {n} records per page.")),
            "{name}"
        );
    }
    if strict.reject_count_above.is_some() {
        assert!(
            support
                .types
                .iter()
                .any(|t| t.refused.contains(&SearchFeature::LargePages)),
            "{name}: {:?}",
            support.types
        );
    }
    if *strict == StrictServer::default() {
        assert_eq!(
            support.sentences[0], "This plan gave everything Folio asked for.",
            "{name}: {:?}",
            support.sentences
        );
        assert_eq!(
            support.sentences.len(),
            2,
            "{name}: {:?}",
            support.sentences
        );
    }
}

async fn held(folio: &Folio, connection: &str) -> BTreeMap<String, usize> {
    let (counts, _) = folio.stats().await.unwrap();
    counts
        .into_iter()
        .filter(|c| c.connection_id == connection)
        .map(|c| (c.resource_type, c.resources as usize))
        .collect()
}

#[tokio::test]
async fn every_strict_combination_brings_every_record_once_and_a_resync_sends_nothing_refused() {
    let sandbox = Sandbox::start(SandboxConfig {
        members: vec![MemberSource::Generated {
            login: "demo".into(),
            name: ("Ana".into(), "Rivera".into()),
            seed: SEED,
            size: SIZE,
        }],
        ..Default::default()
    })
    .await
    .unwrap();
    let generated =
        folio_sandbox::generator::generate_member("demo", ("Ana", "Rivera"), SEED, SIZE);
    let mut table: Vec<Row> = Vec::new();
    for (name, strict) in combinations() {
        sandbox.set_faults(Faults {
            strict: strict.clone(),
            ..Default::default()
        });
        let dir = tempfile::tempdir().unwrap();
        let folio = Arc::new(
            Folio::with_secrets(
                DataDir::at(dir.path()),
                Arc::new(folio_secrets::MemoryStore::default()),
            )
            .unwrap(),
        );
        folio.set_demo_plan_base(sandbox.fhir_base()).await.unwrap();
        let c = common::connect_plan(&folio, "demo", "demo", &[])
            .await
            .unwrap();

        let (served, refused) = (sandbox.requests_served(), sandbox.rejected_requests().len());
        let log = sandbox.served_requests().len();
        let first = folio
            .sync_connection(&c.id, SyncOptions::default())
            .await
            .unwrap();
        let sync1 = (
            sandbox.requests_served() - served,
            sandbox.rejected_requests().len() - refused,
        );
        let refused_in_sync1: Vec<String> = sandbox.rejected_requests()[refused..].to_vec();
        let requests1: Vec<String> = sandbox.served_requests()[log..].to_vec();
        assert!(
            first.types.iter().all(|t| t.outcome == TypeOutcome::Done),
            "{name}: {:?}",
            first
                .types
                .iter()
                .filter(|t| t.outcome != TypeOutcome::Done)
                .collect::<Vec<_>>()
        );
        let want = expected(
            &generated.resources,
            &generated.patient_id,
            provenance_arrives(&strict),
            strict.require_observation_category,
        );
        let got = held(&folio, &c.id).await;
        assert_eq!(got, want, "{name}: every record, exactly once");

        // Claims show their provider and insurer as the plan names them.
        let eobs: Vec<&Value> = generated
            .resources
            .iter()
            .filter(|r| {
                r["resourceType"] == "ExplanationOfBenefit"
                    && r["use"] != "preauthorization"
                    && !sensitive(r)
            })
            .collect();
        assert!(!eobs.is_empty());
        for eob in &eobs {
            let id = eob["id"].as_str().unwrap();
            let record = folio
                .record(&c.id, "ExplanationOfBenefit", id)
                .await
                .unwrap();
            let claim = record.claim.expect("read as a claim");
            assert!(
                claim.provider.is_some(),
                "{name}: claim {id} names its provider"
            );
            for field in ["provider", "insurer"] {
                // A practice named only by name (dental, vision) is shown by that name.
                let Some(reference) = eob[field]["reference"].as_str() else {
                    assert!(
                        eob[field]["display"].is_string(),
                        "{name}: claim {id} names its {field}"
                    );
                    continue;
                };
                let (t, rid) = reference.split_once('/').unwrap();
                assert!(
                    folio.record(&c.id, t, rid).await.is_ok(),
                    "{name}: claim {id}'s {field} {reference} is held"
                );
            }
        }

        // The second sync: nothing the plan refused is asked again.
        let (served, refused) = (sandbox.requests_served(), sandbox.rejected_requests().len());
        let log = sandbox.served_requests().len();
        let second = folio
            .sync_connection(&c.id, SyncOptions::default())
            .await
            .unwrap();
        let sync2 = (
            sandbox.requests_served() - served,
            sandbox.rejected_requests().len() - refused,
        );
        let requests2: Vec<String> = sandbox.served_requests()[log..].to_vec();
        check_requests(
            name,
            &strict,
            &generated.resources,
            &generated.patient_id,
            &requests1,
            &requests2,
        );
        assert_eq!(
            sandbox.rejected_requests()[refused..],
            [] as [String; 0],
            "{name}: the second sync repeats no refused request (the first was refused: {refused_in_sync1:?})"
        );
        assert!(
            second.types.iter().all(|t| t.outcome == TypeOutcome::Done),
            "{name}: {second:?}"
        );
        let fetched: u32 = second
            .types
            .iter()
            .filter(|t| t.resource_type != "Patient")
            .map(|t| t.fetched)
            .sum();
        let incremental = fetched == 0;
        let last_updated_works = !strict.reject_last_updated && !strict.drop_last_updated;
        assert_eq!(
            incremental, last_updated_works,
            "{name}: incremental exactly where _lastUpdated works ({fetched} fetched again)"
        );
        check_plan_support(name, &strict, &folio.plan_support("demo").await.unwrap());
        assert_eq!(held(&folio, &c.id).await, want, "{name}: nothing doubled");
        table.push(Row {
            name,
            records: want.values().sum(),
            sync1,
            sync2,
            incremental,
        });
    }
    eprintln!();
    eprintln!(
        "| combination | records | sync 1 requests (refused) | sync 2 requests (refused) | sync 2 |"
    );
    eprintln!("|---|---:|---:|---:|---|");
    for r in &table {
        eprintln!(
            "| {} | {} | {} ({}) | {} ({}) | {} |",
            r.name,
            r.records,
            r.sync1.0,
            r.sync1.1,
            r.sync2.0,
            r.sync2.1,
            if r.incremental { "incremental" } else { "full" }
        );
    }
}
