//! The baselines: the same pages fetched without Folio (HTTP only: no parsing beyond finding
//! the next link), optionally inserted bare into a plain or SQLCipher SQLite file.

use std::time::Instant;

/// What one chain of pages (one type's search, page after page) took.
#[derive(Debug, Clone)]
pub struct Chain {
    /// The search's first URL.
    pub first: String,
    pub pages: usize,
    pub entries: usize,
    pub bytes: usize,
    pub secs: f64,
}

/// The type a search URL searches (`…/fhir/Observation?…` → `Observation`).
pub fn type_of(url: &str) -> &str {
    let path = url.split('?').next().unwrap_or(url);
    path.rsplit('/').next().unwrap_or(path)
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
pub async fn bare_store(
    path: &std::path::Path,
    passphrase: Option<&str>,
) -> anyhow::Result<sqlx::SqlitePool> {
    use sqlx::sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
    };
    use sqlx::ConnectOptions;
    folio_store::crypto_ready();
    let mut options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    if let Some(p) = passphrase {
        options = options
            .pragma("key", format!("'{p}'"))
            .pragma(
                "cipher_page_size",
                folio_store::CIPHER_PAGE_SIZE.to_string(),
            )
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
/// ends, as in Folio's sync), each type's pages one after another; with `store`, also writes
/// each page's entries there. Returns each chain, in the order they ended.
pub async fn fetch(
    urls: &[String],
    token: &str,
    concurrency: usize,
    store: Option<&sqlx::SqlitePool>,
) -> anyhow::Result<Vec<Chain>> {
    use futures_util::StreamExt;
    let http = reqwest::Client::new();
    let runs = urls.iter().map(|first| {
        let http = http.clone();
        let mut url = first.clone();
        async move {
            let started = Instant::now();
            let mut chain = Chain {
                first: first.clone(),
                pages: 0,
                entries: 0,
                bytes: 0,
                secs: 0.0,
            };
            loop {
                let body = http
                    .get(&url)
                    .bearer_auth(token)
                    .send()
                    .await?
                    .error_for_status()?
                    .bytes()
                    .await?;
                chain.pages += 1;
                chain.entries += body.windows(10).filter(|w| w == b"\"fullUrl\":").count();
                chain.bytes += body.len();
                let next = next_link(&body);
                if let Some(pool) = store {
                    bare_insert(pool, &body).await?;
                }
                match next {
                    Some(next) => url = next,
                    None => {
                        chain.secs = started.elapsed().as_secs_f64();
                        return Ok::<_, anyhow::Error>(chain);
                    }
                }
            }
        }
    });
    futures_util::stream::iter(runs)
        .buffer_unordered(concurrency.max(1))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

/// The totals of `chains`: (pages, entries, bytes).
pub fn totals(chains: &[Chain]) -> (usize, usize, usize) {
    chains.iter().fold((0, 0, 0), |t, c| {
        (t.0 + c.pages, t.1 + c.entries, t.2 + c.bytes)
    })
}
