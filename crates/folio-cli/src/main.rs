//! `folio`: Folio from a terminal, over the same folio-core the desktop app uses.
//!
//! Owns: argument parsing and printing. Must never: hold business rules (they live in
//! folio-core) or print a token or health data it was not asked for.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

mod bench;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use folio_core::api::RedirectStyle;
use folio_core::{DataDir, Folio};

/// Folio: your health plan records on your own computer.
///
/// The records are kept encrypted (SQLCipher). The key is in the system keychain; where there
/// is none, set FOLIO_PASSPHRASE to the passphrase that locks them (at least 12 characters when
/// it is first chosen).
#[derive(Parser, Debug)]
#[command(name = "folio", version = folio_core::VERSION, about, long_about)]
struct Cli {
    /// Profile data folder (overrides FOLIO_DATA_DIR and the platform app-data folder).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Show the profile's data folder and database.
    Status,
    /// List the plans Folio can connect to, or add one.
    Plans {
        #[command(subcommand)]
        action: Option<PlansAction>,
    },
    /// Connect a plan: sign in in your browser ($BROWSER is honoured) and wait for the answer.
    Connect {
        /// The plan's id (see `folio plans`); `demo` starts the built-in demo plan.
        plan: String,
        /// Give up waiting for the sign-in after this many seconds.
        #[arg(long, default_value_t = 600)]
        timeout: u64,
        /// Sync right after connecting (the demo plan only runs while this command does).
        #[arg(long)]
        sync: bool,
    },
    /// Download records from one connection, or from all of them. Exits non-zero when anything
    /// failed; the next sync resumes where this one stopped.
    Sync {
        /// The connection id (see `folio connections`); all connections when omitted.
        connection: Option<String>,
        /// Fetch everything again (otherwise only what changed since the last sync).
        #[arg(long)]
        full: bool,
        /// Resources asked for per page (default: up to 1000, as many as the plan gives).
        #[arg(long)]
        page_size: Option<u32>,
    },
    /// Records held per connection and type, items linked across plans, and a database check.
    Stats,
    /// Remove everything Folio keeps for you on this computer: revoke its access at your plans
    /// (where they allow it), delete its keychain entries, and erase every record, imported
    /// file and setting from the database.
    RemoveAllData {
        /// Confirm: without it nothing is removed.
        #[arg(long)]
        yes: bool,
    },
    /// Import a FHIR Bundle file (collection, transaction, searchset, document) or a folder of
    /// NDJSON files as a new source beside your plans.
    Import {
        /// The file or folder.
        path: std::path::PathBuf,
    },
    /// Export your history as FHIR: a Bundle of type collection (`bundle`, one JSON file),
    /// Bulk-style NDJSON (`ndjson`, a new folder with one file per type and a manifest), or an
    /// International Patient Summary of one source (`ips`, a document Bundle).
    Export {
        /// `bundle`, `ndjson`, `ips` (an International Patient Summary of one source) or `pdf`
        /// (a printable summary of one source for a doctor).
        #[arg(long, value_parser = ["bundle", "ndjson", "ips", "pdf"])]
        format: String,
        /// Only this connection (repeat for several; all when omitted).
        #[arg(long = "connection")]
        connections: Vec<String>,
        /// Only this resource type (repeat for several; all when omitted). Your details,
        /// coverage, organizations, clinicians and locations come along with any selection.
        #[arg(long = "type")]
        types: Vec<String>,
        /// Dated records from this day (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// Dated records before this day (YYYY-MM-DD).
        #[arg(long)]
        until: Option<String>,
        /// Include records your plans marked sensitive (left out unless you ask).
        #[arg(long)]
        include_sensitive: bool,
        /// Replace an existing file at PATH.
        #[arg(long)]
        overwrite: bool,
        /// Where to write: a file for `bundle`, a folder that does not exist yet for `ndjson`.
        path: std::path::PathBuf,
    },
    /// Benchmarks (build with --release; they print Markdown tables).
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
    /// List connections: plan, patient id, status, granted scopes.
    Connections,
    /// Disconnect: revoke at the plan when offered and delete the keychain entry.
    Disconnect {
        /// The connection id (see `folio connections`).
        connection: String,
        /// Also delete the records cached from this connection.
        #[arg(long)]
        delete_data: bool,
    },
}

#[derive(Subcommand, Debug)]
enum PlansAction {
    /// Add a plan by its FHIR base URL and the client id its developer portal issued.
    Add {
        /// Display name.
        #[arg(long)]
        name: String,
        /// FHIR base URL of the plan's Patient Access API.
        #[arg(long)]
        fhir_base: String,
        /// Client id Folio is registered with at that plan.
        #[arg(long)]
        client_id: String,
        /// How the plan sends you back to Folio.
        #[arg(long, value_enum, default_value_t = Redirect::Loopback)]
        redirect: Redirect,
    },
}

#[derive(Subcommand, Debug)]
enum BenchWhat {
    /// Full sync of one large member from folio-sandbox, against a raw fetch of the same pages.
    Sync {
        /// Resources of the generated member.
        #[arg(long, default_value_t = 100_000)]
        size: usize,
        /// Resources per page.
        #[arg(long, default_value_t = 1000)]
        page_size: u32,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Redirect {
    Loopback,
    CustomScheme,
}

fn main() -> std::process::ExitCode {
    // Logs go to stderr, filtered by FOLIO_LOG (default: warnings). Folio logs ids, codes and
    // counts, never tokens, names, identifiers or URLs with queries.
    let filter = tracing_subscriber::EnvFilter::try_from_env("FOLIO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&anyhow::Error::from(e)),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(error: &anyhow::Error) -> std::process::ExitCode {
    let _ = writeln!(std::io::stderr().lock(), "folio: {}", error_chain(error));
    std::process::ExitCode::FAILURE
}

/// The environment variable that gives the passphrase where there is no keychain.
const PASSPHRASE_ENV: &str = "FOLIO_PASSPHRASE";

/// The error and its causes, each cause once: Folio's messages often already name their cause,
/// and repeating it would bury the message.
fn error_chain(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Bench {
        what: BenchWhat::Sync { size, page_size },
    } = cli.command
    {
        return bench::sync(size, page_size).await;
    }
    let data_dir = DataDir::from_flag_or_env(cli.data_dir)
        .context("no data folder: set FOLIO_DATA_DIR or pass --data-dir")?;
    let folio = Folio::new(data_dir)?;
    // Where there is no keychain, the database key comes from the member's passphrase.
    if let Some(passphrase) = std::env::var_os(PASSPHRASE_ENV) {
        let passphrase = passphrase
            .into_string()
            .map_err(|_| anyhow::anyhow!("{PASSPHRASE_ENV} is not valid UTF-8"))?;
        folio.use_passphrase(folio_secrets::Sensitive::new(passphrase))?;
    }
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Status => {
            let s = folio.status().await?;
            writeln!(out, "Folio {}", s.version)?;
            writeln!(
                out,
                "data folder: {} (from {:?})",
                s.data_dir, s.data_dir_source
            )?;
            writeln!(out, "database:    {}", s.storage.path)?;
            writeln!(
                out,
                "schema:      version {} ({} of {} migrations applied), journal {}",
                s.storage.schema_version,
                s.storage.migrations_applied,
                s.storage.migrations_known,
                s.storage.journal_mode
            )?;
            writeln!(
                out,
                "contents:    plans {}, connections {}, records {}, sync runs {}",
                s.storage.plans, s.storage.connections, s.storage.resources, s.storage.sync_runs
            )?;
            writeln!(
                out,
                "encryption:  SQLCipher (AES-256), key {}",
                match s.storage.key_home {
                    folio_core::api::KeyHome::Keychain => "in the system keychain",
                    folio_core::api::KeyHome::Passphrase => "from your passphrase",
                }
            )?;
        }
        Command::Plans { action: None } => {
            for p in folio.plans().await? {
                let base = if p.fhir_base.is_empty() {
                    "(starts inside Folio)"
                } else {
                    &p.fhir_base
                };
                let origin = if p.is_demo {
                    "demo"
                } else if p.from_catalog {
                    "catalog"
                } else {
                    "added"
                };
                writeln!(
                    out,
                    "{:<24} {:<40} {} [{}, {}]",
                    p.id,
                    p.name,
                    base,
                    origin,
                    p.redirect.as_str()
                )?;
            }
        }
        Command::Plans {
            action:
                Some(PlansAction::Add {
                    name,
                    fhir_base,
                    client_id,
                    redirect,
                }),
        } => {
            let style = match redirect {
                Redirect::Loopback => RedirectStyle::Loopback,
                Redirect::CustomScheme => RedirectStyle::CustomScheme,
            };
            let p = folio.add_plan(&name, &fhir_base, &client_id, style).await?;
            writeln!(
                out,
                "added plan {} ({}); connect it with: folio connect {}",
                p.id, p.name, p.id
            )?;
        }
        Command::Connect {
            plan,
            timeout,
            sync,
        } => {
            drop(out);
            connect(&folio, &plan, Duration::from_secs(timeout), sync).await?;
        }
        Command::Sync {
            connection,
            full,
            page_size,
        } => {
            drop(out);
            let ids: Vec<String> = match connection {
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
                full,
                page_size,
                ..Default::default()
            };
            let mut failed = false;
            for id in ids {
                failed |= !sync(&folio, &id, options.clone()).await?;
            }
            if failed {
                anyhow::bail!("some records could not be downloaded (see above); run `folio sync` again to resume");
            }
        }
        Command::Bench {
            what: BenchWhat::Sync { size, page_size },
        } => {
            drop(out);
            bench::sync(size, page_size).await?;
        }
        Command::Stats => {
            let (counts, linked) = folio.stats().await?;
            for c in &counts {
                writeln!(
                    out,
                    "{}  {:<22} {:>7} records  {:>5} missing at the plan  {:>5} sensitive",
                    c.connection_id, c.resource_type, c.resources, c.missing, c.sensitive
                )?;
            }
            let total: i64 = counts.iter().map(|c| c.resources).sum();
            writeln!(
                out,
                "total: {total} records; {linked} items held from more than one source"
            )?;
            writeln!(
                out,
                "database integrity: {}",
                if folio.integrity_ok().await? {
                    "ok"
                } else {
                    "FAILED"
                }
            )?;
        }
        Command::Export {
            format,
            connections,
            types,
            from,
            until,
            include_sensitive,
            overwrite,
            path,
        } => {
            let request = folio_core::api::ExportRequest {
                format: match format.as_str() {
                    "ndjson" => folio_core::api::ExportFormat::Ndjson,
                    "ips" => folio_core::api::ExportFormat::Ips,
                    "pdf" => folio_core::api::ExportFormat::Pdf,
                    _ => folio_core::api::ExportFormat::Bundle,
                },
                connections,
                types,
                from,
                until,
                include_sensitive,
                overwrite,
            };
            let summary = folio.export(&request, &path).await?;
            writeln!(
                out,
                "exported {} resources from {} plan(s) to {} ({} file(s), {} bytes){}",
                summary.resources,
                summary.sources,
                summary.path,
                summary.files,
                summary.bytes,
                if include_sensitive {
                    ""
                } else {
                    "; sensitive records left out (--include-sensitive to add them)"
                }
            )?;
        }
        Command::RemoveAllData { yes } => {
            if !yes {
                anyhow::bail!(
                    "this removes every record, connection and keychain entry Folio has here; run again with --yes to do it"
                );
            }
            let removed = folio.remove_all_data().await?;
            writeln!(
                out,
                "removed {} source(s); {} plan connection(s): tokens deleted from the keychain, access revoked at {} plan(s); database erased",
                removed.sources, removed.plan_connections, removed.revoked_at_plans
            )?;
        }
        Command::Import { path } => {
            let summary = folio.import(&path).await?;
            writeln!(
                out,
                "imported {} resources from {} file(s) as {} ({}){}",
                summary.resources,
                summary.files,
                summary.connection_id,
                summary.name,
                if summary.rejected > 0 {
                    format!(
                        "; {} entries were not FHIR resources and were left out",
                        summary.rejected
                    )
                } else {
                    String::new()
                }
            )?;
        }
        Command::Connections => {
            let list = folio.connections().await?;
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
                    serde_status(c.status),
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
        }
        Command::Disconnect {
            connection,
            delete_data,
        } => {
            let outcome = folio.disconnect(&connection, delete_data).await?;
            writeln!(
                out,
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
        }
    }
    Ok(())
}

fn serde_status(status: folio_core::api::ConnectionStatus) -> &'static str {
    use folio_core::api::ConnectionStatus as S;
    match status {
        S::Connecting => "connecting",
        S::Connected => "connected",
        S::ReconnectNeeded => "reconnect-needed",
        S::Disconnected => "disconnected",
    }
}

/// Syncs one connection, printing each type as it finishes; `Ok(false)` when a type failed.
async fn sync(folio: &Folio, id: &str, options: folio_core::SyncOptions) -> anyhow::Result<bool> {
    let report = folio
        .sync_connection(id, options, &|p: folio_core::api::SyncProgress| {
            if p.done {
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "  {:<22} {:>7} records in {} pages",
                    p.resource_type,
                    p.resources,
                    p.pages
                );
            }
        })
        .await?;
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

async fn connect(
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
        sync(folio, &c.id, folio_core::SyncOptions::default()).await?
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
