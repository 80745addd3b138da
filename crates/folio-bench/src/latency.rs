//! `folio-bench latency`: a plan with real latency. folio-sandbox adds a fixed delay to every
//! FHIR response and caps pages (its latency knob, `--latency-ms` and `--max-count`), and
//! Folio's full sync of a member is set against the chain of pages of the longest type at
//! that latency (its pages fetched one after another, as a client that follows `next` links
//! must), measured in the same run. Issue 16's goal: the sync in at most half that chain.

use std::io::Write;
use std::time::Instant;

use anyhow::anyhow;
use folio_core::api::TypeOutcome;
use folio_core::SyncOptions;

use crate::plan;
use crate::raw;

/// Runs the scenario and prints its table.
pub async fn run(size: usize, latency_ms: u64, max_count: u32) -> anyhow::Result<()> {
    let plan::Connected {
        folio, connection, ..
    } = &plan::connect(
        size,
        &[
            "--latency-ms".into(),
            latency_ms.to_string(),
            "--max-count".into(),
            max_count.to_string(),
        ],
    )
    .await?;
    let token = folio.access_token(&connection.id).await?;
    let urls = folio.sync_search_urls(&connection.id, max_count).await?;

    // Every type's chain at once, to find the longest; then that chain alone: the baseline.
    let chains = raw::fetch(&urls, token.expose(), urls.len(), None).await?;
    let (pages, entries, _) = raw::totals(&chains);
    let longest = chains
        .iter()
        .max_by(|a, b| a.pages.cmp(&b.pages).then(a.secs.total_cmp(&b.secs)))
        .ok_or_else(|| anyhow!("the plan shares no type"))?;
    let alone = raw::fetch(
        std::slice::from_ref(&longest.first),
        token.expose(),
        1,
        None,
    )
    .await?;
    let chain = alone
        .first()
        .ok_or_else(|| anyhow!("the longest chain was not fetched"))?;

    // Folio's search pages per type, from its event stream (the last progress of each type).
    let mut events = folio.subscribe();
    let this = connection.id.clone();
    let counter = tokio::spawn(async move {
        use folio_core::api::FolioEvent;
        use tokio::sync::broadcast::error::RecvError;
        let mut pages = std::collections::HashMap::new();
        loop {
            match events.recv().await {
                Ok(FolioEvent::SyncProgress { progress: p, .. }) => {
                    pages.insert(p.resource_type, p.pages);
                }
                Ok(FolioEvent::SyncFinished { connection_id, .. }) if connection_id == this => {
                    break
                }
                Err(RecvError::Closed) => break,
                Ok(_) | Err(RecvError::Lagged(_)) => {}
            }
        }
        pages.into_values().map(u64::from).sum::<u64>()
    });
    let t = Instant::now();
    let report = folio
        .sync_connection(
            &connection.id,
            SyncOptions {
                full: true,
                ..Default::default()
            },
        )
        .await?;
    let sync_secs = t.elapsed().as_secs_f64();
    if report
        .types
        .iter()
        .any(|r| r.outcome == TypeOutcome::Failed)
    {
        return Err(anyhow!("the sync failed: {report:?}"));
    }
    let fetched: u32 = report.types.iter().map(|t| t.fetched).sum();
    // SyncFinished is sent before the report returns.
    let folio_pages = counter.await?;

    let t = Instant::now();
    folio
        .sync_connection(&connection.id, SyncOptions::default())
        .await?;
    let resync_secs = t.elapsed().as_secs_f64();

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "plan: {latency_ms} ms added to every FHIR response, pages capped at {max_count}; member: {size} resources generated; {} types ({pages} pages, {entries} entries when every type is fetched at once)",
        urls.len()
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "| measure | chain of pages of the longest type ({}, alone) | Folio full sync |",
        raw::type_of(&chain.first)
    )?;
    writeln!(out, "|---|---:|---:|")?;
    writeln!(
        out,
        "| search pages | {} | {folio_pages} (all types) |",
        chain.pages
    )?;
    writeln!(out, "| entries | {} | {fetched} fetched |", chain.entries)?;
    writeln!(
        out,
        "| wall time | {:.2} s | {sync_secs:.2} s |",
        chain.secs
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "- Folio / chain of the longest type: **{:.2}** (goal ≤ 0.5)",
        sync_secs / chain.secs
    )?;
    writeln!(
        out,
        "- every type's chain at once (a client paging all types side by side, one page after another within each): {:.2} s",
        chains.iter().map(|c| c.secs).fold(0.0, f64::max)
    )?;
    writeln!(
        out,
        "- re-sync with nothing changed (incremental): **{resync_secs:.2} s** (goal < 1 s)"
    )?;
    Ok(())
}
