//! Shared by the keychain-backed integration tests: a profile, a sandbox plan, and a scripted
//! member at the plan's pages.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use folio_core::api::{ConnectionSummary, RecordDetail, TimelineQuery};
use folio_core::{DataDir, Folio, SyncOptions};
use folio_sandbox::{MemberSource, Sandbox, SandboxConfig};
use folio_secrets::KeychainStore;

pub mod on_disk;

const KEYCHAIN: &str =
    "needs an unlocked Secret Service on a D-Bus session; scripts/test.sh provides one";

pub struct Env {
    pub _dir: tempfile::TempDir,
    pub folio: Arc<Folio>,
    pub secrets: Arc<KeychainStore>,
    pub sandbox: Sandbox,
}

pub async fn env(config: SandboxConfig) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let service = format!(
        "health.folio.test.{}",
        dir.path().file_name().unwrap().to_string_lossy()
    );
    let secrets = Arc::new(KeychainStore::new(service));
    let folio = Arc::new(Folio::with_secrets(DataDir::at(dir.path()), secrets.clone()).unwrap());
    let sandbox = Sandbox::start(config).await.unwrap();
    folio.set_demo_plan_base(sandbox.fhir_base()).await.unwrap();
    Env {
        _dir: dir,
        folio,
        secrets,
        sandbox,
    }
}

/// The sandbox serving one generated member, Ana Rivera (login `demo`), built from `seed` with
/// about `size` records.
pub fn demo_member(seed: u64, size: usize) -> SandboxConfig {
    SandboxConfig {
        members: vec![MemberSource::Generated {
            login: "demo".into(),
            name: ("Ana".into(), "Rivera".into()),
            seed,
            size,
        }],
        ..Default::default()
    }
}

pub fn small_members() -> SandboxConfig {
    SandboxConfig {
        members: vec![
            MemberSource::Generated {
                login: "demo".into(),
                name: ("Ana".into(), "Rivera".into()),
                seed: 1,
                size: 80,
            },
            MemberSource::Generated {
                login: "demo-child".into(),
                name: ("Leo".into(), "Rivera".into()),
                seed: 2,
                size: 60,
            },
        ],
        ..Default::default()
    }
}

/// The member at the sandbox's pages: sign in, consent (optionally unticking scopes), and
/// return the redirect URL the browser would follow back to Folio.
pub async fn member_consents(
    authorize_url: &str,
    login: &str,
    untick: &[&str],
    allow: bool,
) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http
        .get(authorize_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let field = |page: &str, name: &str| {
        let at = page.find(&format!(r#"name="{name}" value=""#)).unwrap() + name.len() + 15;
        page[at..at + page[at..].find('"').unwrap()].to_owned()
    };
    let request = field(&page, "request");
    let origin = authorize_url.split("/auth/").next().unwrap();
    let consent = http
        .post(format!("{origin}/auth/login"))
        .form(&[
            ("request", request.as_str()),
            ("username", login),
            ("password", "demo"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let scopes: Vec<String> = url_scopes(authorize_url);
    let mut form: Vec<(String, String)> = vec![("request".into(), request)];
    for s in scopes.iter().filter(|s| !untick.contains(&s.as_str())) {
        form.push(("scope".into(), s.clone()));
    }
    assert!(
        consent.contains("Sensitive information"),
        "the PDex choice is offered"
    );
    form.push(("sensitive".into(), "withhold".into()));
    form.push((
        "decision".into(),
        if allow { "allow" } else { "deny" }.into(),
    ));
    let done = http
        .post(format!("{origin}/auth/consent"))
        .form(&form)
        .send()
        .await
        .unwrap();
    done.headers()["location"].to_str().unwrap().to_owned()
}

pub fn url_scopes(authorize_url: &str) -> Vec<String> {
    let url = reqwest::Url::parse(authorize_url).unwrap();
    let scope = url
        .query_pairs()
        .find(|(k, _)| k == "scope")
        .unwrap()
        .1
        .to_string();
    scope.split(' ').map(str::to_owned).collect()
}

/// Runs a whole connect: begin, the member's part, the browser following the redirect.
pub async fn connect(
    e: &Env,
    login: &str,
    untick: &[&str],
) -> Result<folio_core::api::ConnectionSummary, folio_core::CoreError> {
    connect_plan(&e.folio, "demo", login, untick).await
}

/// Connects `plan_id` as `login` through the plan's pages.
pub async fn connect_plan(
    folio: &Arc<Folio>,
    plan_id: &str,
    login: &str,
    untick: &[&str],
) -> Result<folio_core::api::ConnectionSummary, folio_core::CoreError> {
    let started = folio.begin_sign_in(plan_id).await?;
    let f = folio.clone();
    let plan = plan_id.to_owned();
    let finish =
        tokio::spawn(async move { f.finish_sign_in(&plan, Duration::from_secs(30)).await });
    let back = member_consents(&started.authorize_url, login, untick, true).await;
    let page = reqwest::get(&back).await.unwrap().text().await.unwrap();
    assert!(
        page.contains("Folio"),
        "the loopback page answers the browser"
    );
    finish.await.unwrap()
}

/// A second demo plan ("Second Plan") serving `config`, added to the profile.
pub async fn second_plan(
    e: &Env,
    mut config: SandboxConfig,
) -> (Sandbox, folio_core::api::PlanSummary) {
    config.clients = vec![folio_sandbox::ClientRegistration {
        client_id: "folio-desktop".into(),
        name: "Folio".into(),
        redirect_uris: vec!["http://127.0.0.1/cb/second-plan".into()],
    }];
    let other = Sandbox::start(config).await.unwrap();
    let plan = e
        .folio
        .add_plan(
            "Second Plan",
            other.fhir_base(),
            "folio-desktop",
            folio_core::api::RedirectStyle::Loopback,
        )
        .await
        .unwrap();
    (other, plan)
}

/// Connects the demo plan as `login` and syncs the connection once, in full.
pub async fn connect_and_sync(e: &Env, login: &str) -> ConnectionSummary {
    let c = connect(e, login, &[]).await.unwrap();
    e.folio
        .sync_connection(&c.id, SyncOptions::default())
        .await
        .unwrap();
    c
}

/// The detail of each claim (ExplanationOfBenefit) on the timeline, the newest `limit`.
pub async fn claim_details(e: &Env, limit: u32) -> Vec<RecordDetail> {
    let claims = e
        .folio
        .timeline(&TimelineQuery {
            types: vec!["ExplanationOfBenefit".into()],
            limit,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut details = Vec::with_capacity(claims.items.len());
    for item in &claims.items {
        let record = e
            .folio
            .record(
                &item.connection_id,
                "ExplanationOfBenefit",
                &item.resource_id,
            )
            .await
            .unwrap();
        details.push(record);
    }
    details
}

/// Types that arrive only when a search includes them: not searched for themselves.
fn included_only(resource_type: &str) -> bool {
    matches!(
        resource_type,
        "Organization" | "Practitioner" | "Provenance"
    )
}

/// What a member who withheld sensitive records should end up with, for the types Folio
/// searches (shared resources such as Organization arrive only when a search includes them).
pub fn expected_searched(summary: &folio_sandbox::MemberSummary) -> BTreeMap<String, i64> {
    summary
        .counts
        .iter()
        .filter(|(t, _)| !included_only(t))
        .map(|(t, n)| {
            (
                t.clone(),
                (*n - summary.sensitive_by_type.get(t).copied().unwrap_or(0)) as i64,
            )
        })
        .collect()
}

/// `held` less the types that arrive only when a search includes them.
pub fn searched(held: &BTreeMap<String, i64>) -> BTreeMap<String, i64> {
    held.iter()
        .filter(|(t, _)| !included_only(t))
        .map(|(t, n)| (t.clone(), *n))
        .collect()
}

/// What the store holds for a connection, by type.
pub async fn held(e: &Env, connection: &str) -> BTreeMap<String, i64> {
    let (counts, _) = e.folio.stats().await.unwrap();
    counts
        .into_iter()
        .filter(|c| c.connection_id == connection)
        .map(|c| (c.resource_type, c.resources))
        .collect()
}
