//! `folio`: Folio from a terminal, over the same folio-core the desktop app uses.
//!
//! Owns: argument parsing and printing. Must never: hold business rules (they live in
//! folio-core) or print a token or health data it was not asked for.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use folio_core::api::RedirectStyle;
use folio_core::{DataDir, Folio};

/// Folio: your health plan records on your own computer.
#[derive(Parser, Debug)]
#[command(name = "folio", version = folio_core::VERSION, about)]
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

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Redirect {
    Loopback,
    CustomScheme,
}

fn main() -> std::process::ExitCode {
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
    let _ = writeln!(std::io::stderr().lock(), "folio: {error:#}");
    std::process::ExitCode::FAILURE
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let data_dir = DataDir::from_flag_or_env(cli.data_dir)
        .context("no data folder: set FOLIO_DATA_DIR or pass --data-dir")?;
    let folio = Folio::new(data_dir)?;
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
        Command::Connect { plan, timeout } => {
            drop(out);
            connect(&folio, &plan, Duration::from_secs(timeout)).await?;
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

async fn connect(folio: &Folio, plan: &str, timeout: Duration) -> anyhow::Result<()> {
    // The demo plan runs inside this process for as long as the command does.
    let mut sandbox = None;
    if plan == "demo" {
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
    if let Err(e) = folio_core::browser::open(&started.authorize_url) {
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
    if let Some(sb) = sandbox {
        sb.stop().await;
    }
    Ok(())
}
