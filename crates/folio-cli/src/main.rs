//! `folio`: Folio from a terminal, over the same folio-core the desktop app uses.
//!
//! Owns: argument parsing and printing. Must never: hold business rules (they live in
//! folio-core) or print a token or health data it was not asked for.
//!
//! This file parses the command line and dispatches; each command area is a module:
//! `profile` (status, stats, remove-all-data), `plans`, `connections` (connect, connections,
//! disconnect), `sync`, `transfer` (import, export), `backup` (backup, restore), `share`
//! (share, shared-links, open).

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

mod backup;
mod connections;
mod plans;
mod profile;
mod share;
mod sync;
mod transfer;

use anyhow::Context;
use clap::{Parser, Subcommand};
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
        action: Option<plans::PlansAction>,
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
    Sync(sync::SyncArgs),
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
        path: PathBuf,
    },
    /// Export your history as FHIR: a Bundle of type collection (`bundle`, one JSON file),
    /// Bulk-style NDJSON (`ndjson`, a new folder with one file per type and a manifest), or an
    /// International Patient Summary of one source (`ips`, a document Bundle).
    Export(transfer::ExportArgs),
    /// Back up the whole profile (plans, sources, settings, every record, sync bookkeeping; no
    /// tokens or secrets) into one file sealed with a passphrase of at least 12 characters,
    /// from FOLIO_BACKUP_PASSPHRASE or standard input's first line.
    Backup {
        /// The backup file to write.
        path: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        replace: bool,
    },
    /// Restore a backup into this profile (passphrase from FOLIO_BACKUP_PASSPHRASE or standard
    /// input). Connections come back waiting for you to connect again; the next sync after
    /// that fetches only what changed. A wrong passphrase or a damaged file changes nothing.
    Restore {
        /// The backup file.
        path: PathBuf,
        /// Replace the records and sources this profile already holds.
        #[arg(long)]
        force: bool,
    },
    /// Share as a SMART Health Link: encrypts what you choose into --out (put that file at
    /// --file-url) and prints the `shlink:/` link (it holds the key: give it only to whom you
    /// share with) on its own line; --qr writes its QR code.
    Share(share::ShareArgs),
    /// The SMART Health Links you made; --forget ID deletes its encrypted file here and
    /// discards its key.
    SharedLinks {
        /// The link to forget.
        #[arg(long, value_name = "ID")]
        forget: Option<String>,
    },
    /// Open a SMART Health Link, a `.smart-health-card` file or a QR image, and import what it
    /// holds as a source beside your plans.
    Open(share::OpenArgs),
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

/// Opens the profile and runs the command.
async fn run(cli: Cli) -> anyhow::Result<()> {
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
    match cli.command {
        Command::Status => profile::status(&folio).await,
        Command::Plans { action } => plans::run(&folio, action).await,
        Command::Connect {
            plan,
            timeout,
            sync,
        } => connections::connect(&folio, &plan, Duration::from_secs(timeout), sync).await,
        Command::Sync(args) => sync::run(&folio, args).await,
        Command::Stats => profile::stats(&folio).await,
        Command::RemoveAllData { yes } => profile::remove_all_data(&folio, yes).await,
        Command::Import { path } => transfer::import(&folio, &path).await,
        Command::Export(args) => transfer::export(&folio, args).await,
        Command::Backup { path, replace } => backup::backup(&folio, &path, replace).await,
        Command::Restore { path, force } => backup::restore(&folio, &path, force).await,
        Command::Share(args) => share::share(&folio, args).await,
        Command::SharedLinks { forget } => share::list(&folio, forget).await,
        Command::Open(args) => share::open(&folio, args).await,
        Command::Connections => connections::list(&folio).await,
        Command::Disconnect {
            connection,
            delete_data,
        } => connections::disconnect(&folio, &connection, delete_data).await,
    }
}
