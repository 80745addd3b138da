//! `folio bench sync`: Folio's full sync of one large member from folio-sandbox on 127.0.0.1,
//! against a raw fetch of the same pages (HTTP only: no parsing beyond finding the next link,
//! no storing) in the same run. Prints a Markdown table for docs/performance.md.
//!
//! The sandbox runs as its own process (its memory is not Folio's). Tokens are kept in this
//! process's memory for the run (a benchmark store, not the OS keychain): the keychain is not
//! what is measured.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use folio_core::api::RedirectStyle;
use folio_core::{DataDir, Folio, SyncOptions};
use folio_secrets::{SecretError, SecretStore, Sensitive};

/// The bench profile's database is locked with this passphrase (SQLCipher, as always), so
/// that the `folio export` processes it starts can open it without a keychain.
const BENCH_PASSPHRASE: &str = "folio bench passphrase";

/// Tokens in memory for the length of a benchmark. It keeps no database key, so the profile's
/// key comes from [`BENCH_PASSPHRASE`].
#[derive(Default)]
struct BenchSecrets(Mutex<HashMap<String, String>>);

impl SecretStore for BenchSecrets {
    fn put(&self, account: &str, secret: &Sensitive<String>) -> Result<(), SecretError> {
        if account.starts_with("database-key/") {
            return Err(SecretError::Unavailable(
                "the bench keeps no database key".into(),
            ));
        }
        self.0
            .lock()
            .map_err(|_| SecretError::Other("poisoned".into()))?
            .insert(account.into(), secret.expose().clone());
        Ok(())
    }
    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>, SecretError> {
        Ok(self
            .0
            .lock()
            .map_err(|_| SecretError::Other("poisoned".into()))?
            .get(account)
            .cloned()
            .map(Sensitive::new))
    }
    fn delete(&self, account: &str) -> Result<bool, SecretError> {
        Ok(self
            .0
            .lock()
            .map_err(|_| SecretError::Other("poisoned".into()))?
            .remove(account)
            .is_some())
    }
}

struct PlanProcess(Child);

impl Drop for PlanProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

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

/// The member's part at the sandbox's pages: sign in, share everything, allow.
async fn play_member(authorize_url: &str) -> anyhow::Result<String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let page = http.get(authorize_url).send().await?.text().await?;
    let field = |page: &str| -> Option<String> {
        let at = page.find(r#"name="request" value=""#)? + 22;
        Some(page[at..at + page[at..].find('"')?].to_owned())
    };
    let request = field(&page).ok_or_else(|| anyhow!("no login form"))?;
    let origin = authorize_url.split("/auth/").next().unwrap_or_default();
    let consent = http
        .post(format!("{origin}/auth/login"))
        .form(&[
            ("request", request.as_str()),
            ("username", "bench"),
            ("password", "demo"),
        ])
        .send()
        .await?
        .text()
        .await?;
    let mut form: Vec<(&str, String)> = vec![
        ("request", request.clone()),
        ("sensitive", "share".into()),
        ("decision", "allow".into()),
    ];
    let mut rest = consent.as_str();
    while let Some(at) = rest.find(r#"name="scope" value=""#) {
        let v = &rest[at + 20..];
        let end = v.find('"').unwrap_or(0);
        form.push(("scope", v[..end].to_owned()));
        rest = &v[end..];
    }
    let done = http
        .post(format!("{origin}/auth/consent"))
        .form(&form)
        .send()
        .await?;
    let back = done
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| anyhow!("no redirect"))?
        .to_owned();
    http.get(&back).send().await?;
    Ok(back)
}

fn next_link(body: &[u8]) -> Option<String> {
    let head = std::str::from_utf8(&body[..body.len().min(8192)]).ok()?;
    const NEEDLE: &str = r#""relation":"next","url":""#;
    let at = head.find(NEEDLE)? + NEEDLE.len();
    Some(head[at..at + head[at..].find('"')?].to_owned())
}

/// The entries of a search page, borrowed from its body: the least a store-everything client
/// must read.
#[derive(serde::Deserialize)]
struct BareBundle<'a> {
    #[serde(borrow, default)]
    entry: Vec<BareEntry<'a>>,
}

#[derive(serde::Deserialize)]
struct BareEntry<'a> {
    #[serde(borrow)]
    resource: Option<&'a serde_json::value::RawValue>,
}

/// A plain SQLite table in a fresh file, through sqlx with Folio's journal settings: the
/// floor for storing every entry verbatim (no index fields, no indexes, no full-text search).
/// With `passphrase`, the same table encrypted by SQLCipher as Folio's database is.
async fn bare_store(
    path: &std::path::Path,
    passphrase: Option<&str>,
) -> anyhow::Result<sqlx::SqlitePool> {
    use sqlx::sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
    };
    use sqlx::ConnectOptions;
    folio_core::crypto_ready();
    let mut options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    if let Some(p) = passphrase {
        options = options
            .pragma("key", format!("'{p}'"))
            .pragma("cipher_page_size", folio_core::CIPHER_PAGE_SIZE.to_string())
            // sqlx would log the connect statement, key included.
            .disable_statement_logging();
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    sqlx::query("CREATE TABLE entries (id INTEGER PRIMARY KEY, json TEXT NOT NULL)")
        .execute(&pool)
        .await?;
    Ok(pool)
}

/// Stores a page's entries, 64 rows per statement, in one transaction.
async fn bare_insert(pool: &sqlx::SqlitePool, body: &[u8]) -> anyhow::Result<()> {
    let bundle: BareBundle<'_> = serde_json::from_slice(body)?;
    let rows: Vec<&str> = bundle
        .entry
        .iter()
        .filter_map(|e| Some(e.resource?.get()))
        .collect();
    let mut tx = pool.begin().await?;
    for chunk in rows.chunks(64) {
        let sql = format!(
            "INSERT INTO entries (json) VALUES {}",
            vec!["(?)"; chunk.len()].join(", ")
        );
        let mut q = sqlx::query(&sql);
        for json in chunk {
            q = q.bind(*json);
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Fetches every page of `urls`, `concurrency` types at a time (a type starts when another
/// ends, as in Folio's sync); with `store`, also writes each page's entries there. Returns
/// (pages, entries, bytes).
async fn raw_fetch(
    urls: &[String],
    token: &str,
    concurrency: usize,
    store: Option<&sqlx::SqlitePool>,
) -> anyhow::Result<(usize, usize, usize)> {
    use futures_util::StreamExt;
    let http = reqwest::Client::new();
    let runs = urls.iter().map(|first| {
        let http = http.clone();
        let mut url = first.clone();
        async move {
            let mut t = (0usize, 0usize, 0usize);
            loop {
                let body = http
                    .get(&url)
                    .bearer_auth(token)
                    .send()
                    .await?
                    .bytes()
                    .await?;
                t.0 += 1;
                t.1 += body.windows(10).filter(|w| w == b"\"fullUrl\":").count();
                t.2 += body.len();
                let next = next_link(&body);
                if let Some(pool) = store {
                    bare_insert(pool, &body).await?;
                }
                match next {
                    Some(next) => url = next,
                    None => return Ok::<_, anyhow::Error>(t),
                }
            }
        }
    });
    let mut totals = (0, 0, 0);
    for r in futures_util::stream::iter(runs)
        .buffer_unordered(concurrency)
        .collect::<Vec<_>>()
        .await
    {
        let (p, e, b) = r?;
        totals = (totals.0 + p, totals.1 + e, totals.2 + b);
    }
    Ok(totals)
}

/// Runs the benchmark and prints its table.
pub async fn sync(size: usize, page_size: u32) -> anyhow::Result<()> {
    let sandbox_bin = std::env::current_exe()?.with_file_name("folio-sandbox");
    let mut child = Command::new(&sandbox_bin)
        .args([
            "--port",
            "0",
            "--member",
            &format!("bench=generated:100:{size}:Bench:Member"),
            "--redirect-uri",
            "http://127.0.0.1/cb/bench-plan",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| {
            format!(
                "start {} (build it: cargo build --release -p folio-sandbox)",
                sandbox_bin.display()
            )
        })?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow!("no sandbox output"))?;
    let _plan = PlanProcess(child);
    let mut lines = std::io::BufReader::new(stdout).lines();
    let fhir_base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("FHIR base: ").map(str::to_owned))
        .ok_or_else(|| anyhow!("the sandbox did not start"))?;
    std::thread::spawn(move || lines.for_each(drop));

    let dir = tempfile::tempdir()?;
    let folio = Arc::new(Folio::with_secrets(
        DataDir::at(dir.path()),
        Arc::new(BenchSecrets::default()),
    )?);
    folio.use_passphrase(Sensitive::new(BENCH_PASSPHRASE.to_owned()))?;
    let plan = folio
        .add_plan(
            "Bench Plan",
            &fhir_base,
            "folio-desktop",
            RedirectStyle::Loopback,
        )
        .await?;
    let started = folio.begin_sign_in(&plan.id).await?;
    let f = folio.clone();
    let id = plan.id.clone();
    let finish = tokio::spawn(async move { f.finish_sign_in(&id, Duration::from_secs(60)).await });
    play_member(&started.authorize_url).await?;
    let connection = finish.await??;
    let token = folio.access_token(&connection.id).await?;
    let options = SyncOptions {
        page_size: Some(page_size),
        full: true,
        ..Default::default()
    };
    let urls = folio.sync_search_urls(&connection.id, page_size).await?;

    let t = Instant::now();
    let (pages, entries, bytes) =
        raw_fetch(&urls, token.expose(), options.concurrency, None).await?;
    let raw_secs = t.elapsed().as_secs_f64();
    let rss_before = peak_rss_mb();

    let mut bare_secs = [0.0; 2];
    for (secs, passphrase) in bare_secs.iter_mut().zip([None, Some(BENCH_PASSPHRASE)]) {
        let bare_dir = tempfile::tempdir()?;
        let bare = bare_store(&bare_dir.path().join("bare.sqlite"), passphrase).await?;
        let t = Instant::now();
        raw_fetch(&urls, token.expose(), options.concurrency, Some(&bare)).await?;
        *secs = t.elapsed().as_secs_f64();
        bare.close().await;
        drop(bare_dir);
        // Its dirty pages written back now, not during the next run.
        let _ = Command::new("sync").status();
    }
    let [bare_secs, cipher_secs] = bare_secs;

    let t = Instant::now();
    let report = folio
        .sync_connection(&connection.id, options.clone())
        .await?;
    let sync_secs = t.elapsed().as_secs_f64();
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
    timeline_table(&folio).await?;
    export_table(folio.data_dir().path(), &folio.data_dir().database_path()).await?;
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
async fn export_table(data_dir: &std::path::Path, db: &std::path::Path) -> anyhow::Result<()> {
    let out_dir = tempfile::tempdir()?;
    // The floor: every stored JSON, read through sqlx and written one per line.
    let bare_path = out_dir.path().join("bare.txt");
    folio_core::crypto_ready();
    let t = Instant::now();
    {
        use futures_util::TryStreamExt;
        use sqlx::ConnectOptions;
        let pool = sqlx::SqlitePool::connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(db)
                .pragma("key", format!("'{BENCH_PASSPHRASE}'"))
                .pragma("cipher_page_size", folio_core::CIPHER_PAGE_SIZE.to_string())
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
    let exe = std::env::current_exe()?;
    let mut rows = Vec::new();
    for (format, name) in [("bundle", "history.json"), ("ndjson", "history-ndjson")] {
        let target = out_dir.path().join(name);
        let (secs, peak) = run_measured(
            Command::new(&exe)
                .env("FOLIO_PASSPHRASE", BENCH_PASSPHRASE)
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
