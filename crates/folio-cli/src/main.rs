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
use folio_core::api::{ClientAuthMethod, RedirectStyle};
use folio_core::{DataDir, Folio, NewPlan, Sensitive};

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
        #[arg(
            long,
            required_unless_present = "register",
            conflicts_with = "register"
        )]
        client_id: Option<String>,
        /// Register Folio at the plan (RFC 7591 dynamic registration, when its SMART
        /// configuration offers it): the plan issues the client id.
        #[arg(long)]
        register: bool,
        /// Read the client secret the plan's portal gave you from standard input (one line).
        /// It goes to the system keychain only.
        #[arg(long)]
        client_secret_stdin: bool,
        /// How Folio proves who it is to the plan: none (a public client), secret-basic or
        /// secret-post (with --client-secret-stdin), private-key-jwt (a key pair Folio makes).
        /// Default: secret-basic with a secret, else none.
        #[arg(long, value_enum)]
        client_auth: Option<ClientAuthArg>,
        /// How the plan sends you back to Folio: loopback (any free port), loopback:PORT (the
        /// exact port registered at the plan's portal) or custom-scheme (Folio's link).
        #[arg(long, default_value = "loopback", value_parser = parse_redirect)]
        redirect: RedirectArg,
    },
    /// Print the public JWKS of the key Folio made for a private-key-jwt plan, to give the
    /// plan's developer portal.
    Jwks {
        /// The plan's id (see `folio plans`).
        plan: String,
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

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ClientAuthArg {
    None,
    SecretBasic,
    SecretPost,
    PrivateKeyJwt,
}

impl From<ClientAuthArg> for ClientAuthMethod {
    fn from(arg: ClientAuthArg) -> Self {
        match arg {
            ClientAuthArg::None => Self::None,
            ClientAuthArg::SecretBasic => Self::SecretBasic,
            ClientAuthArg::SecretPost => Self::SecretPost,
            ClientAuthArg::PrivateKeyJwt => Self::PrivateKeyJwt,
        }
    }
}

/// `--redirect`: the style, and a fixed loopback port if one was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RedirectArg(RedirectStyle, Option<u16>);

fn parse_redirect(text: &str) -> Result<RedirectArg, String> {
    match text.split_once(':') {
        None => RedirectStyle::parse(text)
            .map(|style| RedirectArg(style, None))
            .ok_or_else(|| "use loopback, loopback:PORT or custom-scheme".to_owned()),
        Some(("loopback", port)) => match port.parse::<u16>() {
            Ok(p) if p > 0 => Ok(RedirectArg(RedirectStyle::Loopback, Some(p))),
            _ => Err(format!("{port:?} is not a port (1 to 65535)")),
        },
        Some(_) => Err("use loopback, loopback:PORT or custom-scheme".to_owned()),
    }
}

/// The client secret from standard input: its first line, without the line ending.
fn read_secret(mut input: impl std::io::Read) -> anyhow::Result<Sensitive<String>> {
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .context("cannot read the client secret from standard input")?;
    let secret = Sensitive::new(text.lines().next().unwrap_or_default().to_owned());
    if secret.expose().is_empty() {
        anyhow::bail!("--client-secret-stdin: standard input held no secret");
    }
    Ok(secret)
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
                    register,
                    client_secret_stdin,
                    client_auth,
                    redirect: RedirectArg(redirect, loopback_port),
                }),
        } => {
            let method = match (client_auth, client_secret_stdin) {
                (Some(m), _) => ClientAuthMethod::from(m),
                (None, true) => ClientAuthMethod::SecretBasic,
                (None, false) => ClientAuthMethod::None,
            };
            if method.uses_secret() && !client_secret_stdin && !register {
                anyhow::bail!(
                    "--client-auth {} needs the plan's client secret: pass --client-secret-stdin and give it on standard input",
                    if client_auth == Some(ClientAuthArg::SecretPost) {
                        "secret-post"
                    } else {
                        "secret-basic"
                    }
                );
            }
            if client_secret_stdin && !method.uses_secret() {
                anyhow::bail!(
                    "--client-secret-stdin goes with --client-auth secret-basic or secret-post"
                );
            }
            let client_secret = if client_secret_stdin {
                Some(read_secret(std::io::stdin().lock())?)
            } else {
                None
            };
            let added = folio
                .add_plan_with(NewPlan {
                    name,
                    fhir_base,
                    client_id: client_id.unwrap_or_default(),
                    client_auth: method,
                    client_secret,
                    redirect,
                    loopback_port,
                    register,
                })
                .await?;
            let p = added.plan;
            if register {
                writeln!(
                    out,
                    "registered Folio at the plan (client id {})",
                    p.client_id
                )?;
            }
            writeln!(
                out,
                "added plan {} ({}); connect it with: folio connect {}",
                p.id, p.name, p.id
            )?;
            if let Some(jwks) = added.jwks {
                writeln!(
                    out,
                    "Give the plan's developer portal this public key set (JWKS); `folio plans jwks {}` prints it again:\n{jwks}",
                    p.id
                )?;
            }
        }
        Command::Plans {
            action: Some(PlansAction::Jwks { plan }),
        } => {
            writeln!(out, "{}", folio.plan_jwks(&plan).await?)?;
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
