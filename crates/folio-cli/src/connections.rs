//! `folio connect`, `folio connections` and `folio disconnect`.

use std::io::Write;
use std::time::Duration;

use folio_core::api::RedirectStyle;
use folio_core::Folio;

/// `folio connections`: each connection, and what its plan supports.
pub async fn list(folio: &Folio) -> anyhow::Result<()> {
    let list = folio.connections().await?;
    let mut out = std::io::stdout().lock();
    if list.is_empty() {
        writeln!(
            out,
            "no connections yet: see `folio plans` and `folio connect <plan>`"
        )?;
    }
    for c in list {
        if c.kind == folio_core::api::SourceKind::File {
            writeln!(
                out,
                "{}  imported file  name={}  patient={}  records={}",
                c.id, c.plan_name, c.patient_id, c.records
            )?;
            continue;
        }
        writeln!(
            out,
            "{}  plan={}  patient={}  status={}  records={}  scopes={}{}",
            c.id,
            c.plan_id,
            c.patient_id,
            c.status,
            c.records,
            c.granted_scopes.join(" "),
            if c.scopes_not_granted.is_empty() {
                String::new()
            } else {
                format!("  not-granted={}", c.scopes_not_granted.join(" "))
            }
        )?;
        for sentence in folio.plan_support(&c.plan_id).await?.sentences {
            writeln!(out, "    {sentence}")?;
        }
    }
    Ok(())
}

/// `folio disconnect CONNECTION`.
pub async fn disconnect(folio: &Folio, connection: &str, delete_data: bool) -> anyhow::Result<()> {
    let outcome = folio.disconnect(connection, delete_data).await?;
    writeln!(
        std::io::stdout().lock(),
        "disconnected {connection}: {}; keychain entry deleted; records {}",
        if outcome.revoked_at_plan {
            "access revoked at the plan"
        } else {
            "the plan offers no revocation (revoke it at the plan too)"
        },
        if outcome.data_deleted {
            "deleted"
        } else {
            "kept"
        }
    )?;
    Ok(())
}

/// `folio connect PLAN`: sign in in the browser, wait for the answer, and sync if asked.
pub async fn connect(
    folio: &Folio,
    plan: &str,
    timeout: Duration,
    then_sync: bool,
) -> anyhow::Result<()> {
    let summary = folio.plans().await?.into_iter().find(|p| p.id == plan);
    if let Some(p) = summary.as_ref() {
        if p.redirect == RedirectStyle::CustomScheme {
            anyhow::bail!(
                "{} sends you back through Folio's link (health.folio.desktop:), which only the Folio app receives: connect it in the app",
                p.name
            );
        }
    }
    // The demo plan runs inside this process for as long as the command does.
    let mut sandbox = None;
    if summary.as_ref().is_some_and(|p| p.is_demo) {
        let sb = folio_sandbox::Sandbox::start(folio_sandbox::SandboxConfig::default()).await?;
        folio.set_demo_plan_base(sb.fhir_base()).await?;
        sandbox = Some(sb);
    }
    let started = folio.begin_sign_in(plan).await?;
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "Sign in at your plan in your browser. If it did not open, visit:\n  {}",
        started.authorize_url
    )?;
    if let Err(e) = folio_core::browser::open(&started.authorize_url, webbrowser::open) {
        writeln!(err, "({e})")?;
    }
    writeln!(err, "Waiting for the plan's answer (Ctrl-C to cancel)...")?;
    drop(err);
    let c = folio.finish_sign_in(plan, timeout).await?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "connected {} to {} (patient {})",
        c.id, c.plan_name, c.patient_id
    )?;
    writeln!(out, "granted: {}", c.granted_scopes.join(" "))?;
    if !c.scopes_not_granted.is_empty() {
        writeln!(
            out,
            "not granted (narrower than asked): {}",
            c.scopes_not_granted.join(" ")
        )?;
    }
    drop(out);
    let synced = if then_sync {
        crate::sync::connection(folio, &c.id, folio_core::SyncOptions::default()).await?
    } else {
        true
    };
    if let Some(sb) = sandbox {
        sb.stop().await;
    }
    if !synced {
        anyhow::bail!("some records could not be downloaded (see above)");
    }
    Ok(())
}
