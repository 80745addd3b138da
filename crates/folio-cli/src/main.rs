//! `folio`: Folio from a terminal, over the same folio-core the desktop app uses.
//!
//! Owns: argument parsing and printing. Must never: hold business rules (they live in
//! folio-core) or print a token or health data it was not asked for.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
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
    let folio = Folio::new(data_dir);
    match cli.command {
        Command::Status => {
            let s = folio.status().await?;
            let mut out = std::io::stdout().lock();
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
                "contents:    {} plans, {} connections, {} records, {} sync runs",
                s.storage.plans, s.storage.connections, s.storage.resources, s.storage.sync_runs
            )?;
        }
    }
    Ok(())
}
