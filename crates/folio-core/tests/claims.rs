//! Claims and costs against folio-sandbox's demo member: the list, a denied line's reason, a
//! pharmacy fill, and the year's cost summary checked against what the generated claims add up
//! to (computed here from the generator's JSON, not through folio-fhir). Tokens live in the
//! real OS keychain (scripts/test.sh runs these in a D-Bus session).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use folio_core::api::{ClaimKindView, ClaimQuery, ClaimStatusView};
use serde_json::Value;

use common::*;

mod common;

const SEED: u64 = 2026;
const SIZE: usize = 2_000;

fn cents(v: &Value) -> i64 {
    (v.as_f64().unwrap() * 100.0).round() as i64
}

fn money(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

/// The member's claims as generated (not prior authorizations, not sensitive: Folio hides
/// those until the member asks).
fn generated_claims() -> Vec<Value> {
    folio_sandbox::generator::generate_member("demo", ("Ana", "Rivera"), SEED, SIZE)
        .resources
        .into_iter()
        .filter(|r| r["resourceType"] == "ExplanationOfBenefit" && r["use"] == "claim")
        .filter(|r| !folio_sandbox::generator::is_sensitive(r))
        .collect()
}

fn start(eob: &Value) -> &str {
    eob["billablePeriod"]["start"].as_str().unwrap()
}

fn total(eob: &Value, code: &str) -> Option<i64> {
    eob["total"]
        .as_array()?
        .iter()
        .find(|t| t["category"]["coding"][0]["code"] == code)
        .map(|t| cents(&t["amount"]["value"]))
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one"]
async fn the_demo_members_claims_and_costs_add_up() {
    let e = env(demo_member(SEED, SIZE)).await;
    connect_and_sync(&e, "demo").await;
    let generated = generated_claims();

    // The list: every claim once, newest service first, a page at a time.
    let mut all = Vec::new();
    let mut offset = 0;
    loop {
        let page = e
            .folio
            .claims(ClaimQuery {
                year: None,
                offset,
                limit: 100,
            })
            .await
            .unwrap();
        assert_eq!(page.total as usize, generated.len());
        all.extend(page.items);
        match page.next_offset {
            Some(next) => offset = next,
            None => break,
        }
    }
    assert_eq!(all.len(), generated.len());
    assert!(
        all.windows(2).all(|w| w[0].start >= w[1].start),
        "newest first"
    );
    for kind in [
        ClaimKindView::Doctor,
        ClaimKindView::HospitalStay,
        ClaimKindView::Outpatient,
        ClaimKindView::Pharmacy,
        ClaimKindView::Dental,
        ClaimKindView::Vision,
    ] {
        assert!(all.iter().any(|c| c.kind == kind), "{kind:?}");
    }
    assert!(all.iter().all(|c| c.provider.is_some()), "providers named");

    // A partly denied claim: the denied line's reason in words, its code beside.
    let partly = all
        .iter()
        .find(|c| c.status == ClaimStatusView::PartlyDenied)
        .expect("a partly denied claim");
    let detail = e
        .folio
        .claim(&partly.connection_id, &partly.resource_id)
        .await
        .unwrap();
    let denied = detail.lines.iter().find(|l| l.denied).unwrap();
    let reason = denied.reasons.iter().find(|r| r.kind == "denial").unwrap();
    assert!(
        reason.text.contains("non-covered")
            || reason.text.contains("Non-covered")
            || reason.text.contains("Precertification"),
        "{reason:?}"
    );
    assert!(reason
        .code
        .as_deref()
        .unwrap()
        .starts_with(char::is_numeric));
    assert!(all.iter().any(|c| c.status == ClaimStatusView::Denied));

    // A doctor's claim links to the records it names that Folio holds: the provider (and the
    // care team's), each opening as a record of this connection.
    let doctor = all
        .iter()
        .find(|c| c.kind == ClaimKindView::Doctor)
        .unwrap();
    let detail = e
        .folio
        .claim(&doctor.connection_id, &doctor.resource_id)
        .await
        .unwrap();
    let provider = detail
        .provider_record
        .as_ref()
        .expect("the provider's record is held");
    for link in std::iter::once(provider).chain(detail.care_team.iter().flat_map(|m| &m.record)) {
        assert!(
            ["Practitioner", "Organization", "PractitionerRole"]
                .contains(&link.resource_type.as_str()),
            "{link:?}"
        );
        let held = e
            .folio
            .record(
                &doctor.connection_id,
                &link.resource_type,
                &link.resource_id,
            )
            .await
            .unwrap();
        assert_eq!(held.resource_id, link.resource_id);
    }

    // A pharmacy claim: the drug, its supply and what it cost the member.
    let fill = all
        .iter()
        .find(|c| c.kind == ClaimKindView::Pharmacy)
        .unwrap();
    let detail = e
        .folio
        .claim(&fill.connection_id, &fill.resource_id)
        .await
        .unwrap();
    let rx = detail.pharmacy.unwrap();
    assert!(rx.days_supply.is_some() && rx.quantity.is_some() && rx.pharmacy.is_some());
    assert!(matches!(
        rx.brand_generic.as_deref(),
        Some("Generic" | "Brand")
    ));
    assert_eq!(rx.your_cost, fill.you_owe);

    // The newest year's costs equal what the generated claims of that year add up to.
    let summary = e.folio.cost_summary(None).await.unwrap();
    let year = summary.year.unwrap();
    let of_year: Vec<&Value> = generated
        .iter()
        .filter(|g| start(g).starts_with(&year.to_string()))
        .collect();
    let plan = &summary.plans[0];
    assert_eq!(plan.claims as usize, of_year.len());
    let owed: i64 = of_year
        .iter()
        .filter_map(|g| total(g, "memberliability"))
        .sum();
    assert_eq!(money(plan.you_owe.unwrap()), owed, "from your claims");
    // The deductible and out-of-pocket progress of the year's latest medical claim.
    let latest = of_year
        .iter()
        .filter(|g| g["benefitBalance"].is_array())
        .max_by_key(|g| {
            let used: i64 = g["benefitBalance"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|b| b["financial"].as_array().unwrap())
                .map(|f| cents(&f["usedMoney"]["value"]))
                .sum();
            (start(g).to_owned(), used)
        })
        .unwrap();
    let individual = &latest["benefitBalance"][0]["financial"];
    let deductible = plan
        .balances
        .iter()
        .find(|b| b.kind == "deductible" && b.family == Some(false))
        .unwrap();
    assert_eq!(
        (
            money(deductible.used.unwrap()),
            money(deductible.allowed.unwrap())
        ),
        (
            cents(&individual[0]["usedMoney"]["value"]),
            cents(&individual[0]["allowedMoney"]["value"])
        )
    );
    let oop = plan
        .balances
        .iter()
        .find(|b| b.kind == "out_of_pocket" && b.family == Some(false))
        .unwrap();
    assert_eq!(
        money(oop.used.unwrap()),
        cents(&individual[1]["usedMoney"]["value"])
    );
    assert_eq!(
        plan.balances.len(),
        4,
        "individual and family, deductible and out of pocket"
    );

    // FOLIO_CLAIMS_DUMP=<file>: write these answers as the UI receives them, for the Chromium
    // test that renders the demo member's own claims (ui/tests/browser/fixtures/claims-demo.json).
    if let Some(path) = std::env::var_os("FOLIO_CLAIMS_DUMP") {
        let page = e
            .folio
            .claims(ClaimQuery {
                year: Some(year),
                offset: 0,
                limit: 200,
            })
            .await
            .unwrap();
        let mut details = serde_json::Map::new();
        let mut picked: Vec<&folio_core::api::ClaimSummary> = Vec::new();
        for want in [ClaimStatusView::PartlyDenied, ClaimStatusView::Denied] {
            picked.extend(all.iter().find(|c| c.status == want));
        }
        for kind in [
            ClaimKindView::Pharmacy,
            ClaimKindView::HospitalStay,
            ClaimKindView::Dental,
            ClaimKindView::Vision,
        ] {
            picked.extend(all.iter().find(|c| c.kind == kind));
        }
        for c in picked {
            let d = e
                .folio
                .claim(&c.connection_id, &c.resource_id)
                .await
                .unwrap();
            details.insert(c.resource_id.clone(), serde_json::to_value(d).unwrap());
        }
        let dump = serde_json::json!({ "summary": summary, "page": page, "details": details });
        std::fs::write(path, serde_json::to_string_pretty(&dump).unwrap()).unwrap();
    }
}
