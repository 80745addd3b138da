//! `folio-bench sync`: Folio's full sync of one large member from folio-sandbox on 127.0.0.1,
//! against a raw fetch of the same pages (HTTP only: no parsing beyond finding the next link,
//! no storing) in the same run, alone and with a bare insert into SQLite and SQLCipher; then
//! reading back through folio-core and `folio export`. Prints Markdown tables for
//! docs/performance.md.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::anyhow;
use folio_core::{Folio, SyncOptions};

use crate::plan::{self, PASSPHRASE};
use crate::raw;

/// Peak resident memory of this process so far (VmHWM), in MB.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Bytes this process has written through `write` so far (`wchar` of /proc/self/io): the
/// write-ahead log, checkpoints and database files, for comparing what each measure writes.
fn written_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("wchar:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time this process has used so far (user + system, every thread), in seconds.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name (which may hold spaces) in parentheses.
            let rest = &s[s.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            // utime and stime are fields 14 and 15, i.e. 11 and 12 after the state (field 3).
            Some(f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?)
        })
        // Clock ticks: 100 per second on Linux.
        .map_or(f64::NAN, |ticks| ticks / 100.0)
}

/// Runs the benchmark and prints its table.
pub async fn run(size: usize, page_size: u32) -> anyhow::Result<()> {
    let folio_bin = plan::sibling("folio", "folio-cli")?;
    let plan::Connected {
        folio, connection, ..
    } = &plan::connect(size, &[]).await?;
    let token = folio.access_token(&connection.id).await?;
    let options = SyncOptions {
        page_size: Some(page_size),
        full: true,
        ..Default::default()
    };
    let urls = folio.sync_search_urls(&connection.id, page_size).await?;

    let cpu = cpu_secs();
    let t = Instant::now();
    let (pages, entries, bytes) =
        raw::totals(&raw::fetch(&urls, token.expose(), options.concurrency, None).await?);
    let raw_secs = t.elapsed().as_secs_f64();
    let raw_cpu = cpu_secs() - cpu;
    let rss_before = peak_rss_mb();

    let mut bare_secs = [0.0; 2];
    let mut bare_cost = [(0.0, 0u64); 2];
    for ((secs, cost), passphrase) in bare_secs
        .iter_mut()
        .zip(bare_cost.iter_mut())
        .zip([None, Some(PASSPHRASE)])
    {
        let bare_dir = tempfile::tempdir()?;
        let bare = raw::bare_store(&bare_dir.path().join("bare.sqlite"), passphrase).await?;
        let (cpu, wrote) = (cpu_secs(), written_bytes());
        let t = Instant::now();
        raw::fetch(&urls, token.expose(), options.concurrency, Some(&bare)).await?;
        *secs = t.elapsed().as_secs_f64();
        *cost = (cpu_secs() - cpu, written_bytes() - wrote);
        bare.close().await;
        drop(bare_dir);
        // Its dirty pages written back now, not during the next run.
        let _ = Command::new("sync").status();
    }
    let [bare_secs, cipher_secs] = bare_secs;
    let [bare_cost, cipher_cost] = bare_cost;

    let (cpu, wrote) = (cpu_secs(), written_bytes());
    let t = Instant::now();
    let report = folio
        .sync_connection(&connection.id, options.clone())
        .await?;
    let sync_secs = t.elapsed().as_secs_f64();
    let sync_cost = (cpu_secs() - cpu, written_bytes() - wrote);
    if report
        .types
        .iter()
        .any(|r| r.outcome == folio_core::api::TypeOutcome::Failed)
    {
        return Err(anyhow!("the sync failed: {report:?}"));
    }
    let (counts, _) = folio.stats().await?;
    let held: i64 = counts.iter().map(|c| c.resources).sum();
    let rss = peak_rss_mb();

    let t = Instant::now();
    folio
        .sync_connection(
            &connection.id,
            SyncOptions {
                page_size: Some(page_size),
                ..Default::default()
            },
        )
        .await?;
    let resync_secs = t.elapsed().as_secs_f64();
    let db_mb = std::fs::metadata(folio.data_dir().database_path())
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(f64::NAN);

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "member: {size} resources generated; page size {page_size}; {} types, {} at a time",
        urls.len(),
        options.concurrency
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "| measure | raw HTTP fetch | raw fetch + bare SQLite insert | raw fetch + bare SQLCipher insert | Folio full sync (SQLCipher) |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|")?;
    writeln!(out, "| pages | {pages} | {pages} | {pages} | {pages} |")?;
    writeln!(
        out,
        "| entries received | {entries} | {entries} | {entries} | {entries} |"
    )?;
    writeln!(
        out,
        "| resources stored | – | {entries} (no dedupe) | {entries} (no dedupe) | {held} |"
    )?;
    let mb = bytes as f64 / 1e6;
    writeln!(
        out,
        "| bytes received | {mb:.1} MB | {mb:.1} MB | {mb:.1} MB | {mb:.1} MB |"
    )?;
    writeln!(
        out,
        "| wall time | {raw_secs:.2} s | {bare_secs:.2} s | {cipher_secs:.2} s | {sync_secs:.2} s |"
    )?;
    writeln!(
        out,
        "| CPU of this process (s) | {raw_cpu:.2} | {:.2} | {:.2} | {:.2} |",
        bare_cost.0, cipher_cost.0, sync_cost.0
    )?;
    let wmb = |b: u64| b as f64 / 1e6;
    writeln!(
        out,
        "| bytes written (write calls: WAL, checkpoints) | – | {:.0} MB | {:.0} MB | {:.0} MB |",
        wmb(bare_cost.1),
        wmb(cipher_cost.1),
        wmb(sync_cost.1)
    )?;
    let per_s = |secs: f64| entries as f64 / secs;
    writeln!(
        out,
        "| entries/s | {:.0} | {:.0} | {:.0} | {:.0} |",
        per_s(raw_secs),
        per_s(bare_secs),
        per_s(cipher_secs),
        per_s(sync_secs)
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "- Folio / raw throughput ratio: **{:.2}** (target ≥ 0.7)",
        raw_secs / sync_secs
    )?;
    writeln!(
        out,
        "- Folio / (raw fetch + bare insert) ratio: **{:.2}** (how close Folio comes to storing the bytes with nothing else)",
        bare_secs / sync_secs
    )?;
    writeln!(
        out,
        "- encryption: the bare insert through SQLCipher takes **{:.2}×** the plain one's time; Folio / (raw fetch + bare SQLCipher insert): **{:.2}**",
        cipher_secs / bare_secs,
        cipher_secs / sync_secs
    )?;
    writeln!(out, "- peak RSS of the Folio process: **{rss:.0} MB** (after the raw fetch alone: {rss_before:.0} MB; target < 300 MB)")?;
    writeln!(
        out,
        "- re-sync with nothing changed (incremental): **{resync_secs:.2} s** (target < 2 s)"
    )?;
    writeln!(out, "- database file after sync: {db_mb:.0} MB")?;
    drop(out);
    timeline_table(folio).await?;
    export_table(
        &folio_bin,
        folio.data_dir().path(),
        &folio.data_dir().database_path(),
    )
    .await?;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The timeline read back through folio-core, as the app's `timeline` command does.
async fn timeline_table(folio: &Folio) -> anyhow::Result<()> {
    use folio_core::api::TimelineQuery;
    let query = |cursor: Option<String>| TimelineQuery {
        cursor,
        limit: 100,
        ..Default::default()
    };
    let t = Instant::now();
    let first = folio.timeline(&query(None)).await?;
    let first_ms = ms(t.elapsed());
    let mut times = Vec::new();
    let mut cursor = first.next_cursor;
    let mut pages = 1;
    while let Some(c) = cursor.take() {
        let t = Instant::now();
        let page = folio.timeline(&query(Some(c))).await?;
        times.push(ms(t.elapsed()));
        pages += 1;
        cursor = page.next_cursor;
        if pages >= 200 {
            break;
        }
    }
    let deep_max = times.iter().copied().fold(0.0, f64::max);
    let t = Instant::now();
    folio
        .timeline(&TimelineQuery {
            types: vec!["Observation".into()],
            limit: 100,
            ..Default::default()
        })
        .await?;
    let typed = ms(t.elapsed());
    let t = Instant::now();
    folio
        .timeline(&TimelineQuery {
            text: Some("glucose".into()),
            limit: 100,
            ..Default::default()
        })
        .await?;
    let searched = ms(t.elapsed());
    let t = Instant::now();
    let labs = folio.lab_tests(false).await?;
    let labs_ms = ms(t.elapsed());
    let t = Instant::now();
    if let Some(test) = labs.first() {
        folio.lab_series(&test.key, false).await?;
    }
    let series_ms = ms(t.elapsed());
    let t = Instant::now();
    folio.overview(false).await?;
    let overview_ms = ms(t.elapsed());
    let mut out = std::io::stdout().lock();
    writeln!(out)?;
    writeln!(out, "| reading back (same profile) | ms |")?;
    writeln!(out, "|---|---:|")?;
    writeln!(out, "| first timeline page (100 items) | {first_ms:.1} |")?;
    writeln!(
        out,
        "| next {} pages, median / slowest | {:.1} / {deep_max:.1} |",
        times.len(),
        median(times.clone())
    )?;
    writeln!(out, "| one kind (Observation), first page | {typed:.1} |")?;
    writeln!(
        out,
        "| full-text search \"glucose\", first page | {searched:.1} |"
    )?;
    writeln!(
        out,
        "| labs and vitals list ({} tests) | {labs_ms:.1} |",
        labs.len()
    )?;
    writeln!(out, "| one test over time | {series_ms:.1} |")?;
    writeln!(out, "| overview | {overview_ms:.1} |")?;
    Ok(())
}

/// Peak resident memory of a child, polled from /proc while it runs (MB).
fn run_measured(cmd: &mut Command) -> anyhow::Result<(f64, f64)> {
    let t = Instant::now();
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn()?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0.0f64;
    loop {
        if let Some(status) = child.try_wait()? {
            if !status.success() {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    std::io::Read::read_to_string(&mut e, &mut err)?;
                }
                return Err(anyhow!("export failed: {err}"));
            }
            break;
        }
        if let Ok(s) = std::fs::read_to_string(&status_path) {
            if let Some(kb) = s
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok((t.elapsed().as_secs_f64(), peak_kb / 1024.0))
}

fn size_of(path: &std::path::Path) -> u64 {
    if path.is_dir() {
        std::fs::read_dir(path)
            .map(|d| d.filter_map(Result::ok).map(|e| size_of(&e.path())).sum())
            .unwrap_or(0)
    } else {
        std::fs::metadata(path).map_or(0, |m| m.len())
    }
}

/// Exports of the whole profile by `folio export` in a child process each (its memory is
/// measured alone), against a bare copy of every row's JSON into one file.
async fn export_table(
    folio_bin: &std::path::Path,
    data_dir: &std::path::Path,
    db: &std::path::Path,
) -> anyhow::Result<()> {
    let out_dir = tempfile::tempdir()?;
    // The floor: every stored JSON, read through sqlx and written one per line.
    let bare_path = out_dir.path().join("bare.txt");
    folio_store::crypto_ready();
    let t = Instant::now();
    {
        use futures_util::TryStreamExt;
        use sqlx::ConnectOptions;
        let pool = sqlx::SqlitePool::connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(db)
                .pragma("key", format!("'{PASSPHRASE}'"))
                .pragma(
                    "cipher_page_size",
                    folio_store::CIPHER_PAGE_SIZE.to_string(),
                )
                .read_only(true)
                // sqlx would log the connect statement, key included.
                .disable_statement_logging(),
        )
        .await?;
        let mut file = std::io::BufWriter::new(std::fs::File::create(&bare_path)?);
        let mut rows =
            sqlx::query_as::<_, (String,)>("SELECT raw_json FROM resources ORDER BY rowid")
                .fetch(&pool);
        while let Some((json,)) = rows.try_next().await? {
            file.write_all(json.as_bytes())?;
            file.write_all(b"\n")?;
        }
        file.flush()?;
        file.get_ref().sync_all()?;
        drop(rows);
        pool.close().await;
    }
    let bare_secs = t.elapsed().as_secs_f64();
    let mut rows = Vec::new();
    for (format, name) in [("bundle", "history.json"), ("ndjson", "history-ndjson")] {
        let target = out_dir.path().join(name);
        let (secs, peak) = run_measured(
            Command::new(folio_bin)
                .env("FOLIO_PASSPHRASE", PASSPHRASE)
                .arg("--data-dir")
                .arg(data_dir)
                .args(["export", "--format", format, "--include-sensitive"])
                .arg(&target),
        )?;
        rows.push((format, secs, peak, size_of(&target)));
    }
    let mut out = std::io::stdout().lock();
    writeln!(out)?;
    writeln!(
        out,
        "| export of the whole profile | wall (s) | peak RSS (MB) | size (MB) |"
    )?;
    writeln!(out, "|---|---:|---:|---:|")?;
    writeln!(
        out,
        "| bare copy of every stored JSON to one file (in this process) | {bare_secs:.2} | – | {:.0} |",
        size_of(&bare_path) as f64 / 1e6
    )?;
    for (format, secs, peak, size) in rows {
        writeln!(
            out,
            "| `folio export --format {format}` (its own process) | {secs:.2} | {peak:.0} | {:.0} |",
            size as f64 / 1e6
        )?;
    }
    writeln!(out)?;
    writeln!(out, "- export targets: peak RSS < 200 MB")?;
    Ok(())
}
