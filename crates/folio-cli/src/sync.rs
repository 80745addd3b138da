//! `folio sync`: download records from one connection or all, printing each type as it ends.

use std::io::Write;

use folio_core::Folio;

/// `folio sync`'s arguments.
#[derive(clap::Args, Debug)]
pub struct SyncArgs {
    /// The connection id (see `folio connections`); all connections when omitted.
    connection: Option<String>,
    /// Fetch everything again (otherwise only what changed since the last sync).
    #[arg(long)]
    full: bool,
    /// Resources asked for per page (default: up to 1000, as many as the plan gives).
    #[arg(long)]
    page_size: Option<u32>,
}

/// `folio sync [CONNECTION]`: fails when anything failed, after syncing every connection.
pub async fn run(folio: &Folio, args: SyncArgs) -> anyhow::Result<()> {
    let ids: Vec<String> = match args.connection {
        Some(id) => vec![id],
        None => folio
            .connections()
            .await?
            .into_iter()
            .filter(|c| {
                c.status == folio_core::api::ConnectionStatus::Connected
                    && c.kind == folio_core::api::SourceKind::Plan
            })
            .map(|c| c.id)
            .collect(),
    };
    if ids.is_empty() {
        anyhow::bail!("no connected plan to sync: see `folio connections`");
    }
    let options = folio_core::SyncOptions {
        full: args.full,
        page_size: args.page_size,
        ..Default::default()
    };
    let mut failed = false;
    for id in ids {
        failed |= !connection(folio, &id, options.clone()).await?;
    }
    if failed {
        anyhow::bail!(
            "some records could not be downloaded (see above); run `folio sync` again to resume"
        );
    }
    Ok(())
}

/// Syncs one connection, printing each type as it finishes; `Ok(false)` when a type failed.
pub async fn connection(
    folio: &Folio,
    id: &str,
    options: folio_core::SyncOptions,
) -> anyhow::Result<bool> {
    // Progress comes from Folio's event stream: each type as it finishes.
    let mut events = folio.subscribe();
    let this = id.to_owned();
    let printer = tokio::spawn(async move {
        use folio_core::api::FolioEvent;
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match events.recv().await {
                Ok(FolioEvent::SyncProgress { progress: p, .. }) if p.done => {
                    let _ = writeln!(
                        std::io::stderr().lock(),
                        "  {:<22} {:>7} records in {} pages",
                        p.resource_type,
                        p.resources,
                        p.pages
                    );
                }
                Ok(FolioEvent::SyncFinished { connection_id, .. }) if connection_id == this => {
                    break
                }
                Err(RecvError::Closed) => break,
                Ok(_) | Err(RecvError::Lagged(_)) => {}
            }
        }
    });
    let report = folio.sync_connection(id, options).await;
    if report.is_ok() {
        // SyncFinished is sent before the report returns: the printer has all it prints.
        let _ = printer.await;
    } else {
        // A sync refused before it started sends no SyncFinished.
        printer.abort();
    }
    let report = report?;
    let mut out = std::io::stdout().lock();
    let mut ok = true;
    for t in &report.types {
        use folio_core::api::TypeOutcome as O;
        match t.outcome {
            O::Done => {}
            O::NotShared => writeln!(
                out,
                "{id}: {} not shared: {}",
                t.resource_type,
                t.problem.as_deref().unwrap_or("not shared")
            )?,
            O::Cancelled => writeln!(out, "{id}: {} cancelled", t.resource_type)?,
            O::Failed => {
                ok = false;
                writeln!(
                    out,
                    "{id}: {} FAILED: {}",
                    t.resource_type,
                    t.problem.as_deref().unwrap_or("unknown")
                )?;
            }
        }
    }
    let fetched: u32 = report.types.iter().map(|t| t.fetched).sum();
    writeln!(
        out,
        "{id}: synced, {fetched} records fetched{}",
        if ok { "" } else { " (incomplete)" }
    )?;
    Ok(ok)
}
