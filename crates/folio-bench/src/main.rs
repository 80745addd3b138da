//! `folio-bench`: Folio's benchmarks, a dev-only program (never in the packages). Each prints
//! Markdown tables for docs/performance.md, with its baseline measured in the same run.
//!
//! It reaches Folio only through folio-core's public API and its `test-hooks` feature (a
//! connection's access token and a sync's first search URLs, for the baselines that fetch the
//! same pages without Folio); no shipped crate enables that feature. Build it in release, with
//! the `folio` and `folio-sandbox` programs it starts beside it:
//! `cargo build --release -p folio-cli -p folio-sandbox -p folio-bench`.

use std::io::Write;

use clap::{Parser, Subcommand};

mod latency;
mod plan;
mod raw;
mod sync;

/// Folio's benchmarks against folio-sandbox on 127.0.0.1 (build with --release).
#[derive(Parser, Debug)]
#[command(name = "folio-bench", version, about)]
struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand, Debug)]
enum What {
    /// Full sync of one large member, against a raw fetch of the same pages (alone, and with
    /// a bare insert into SQLite and SQLCipher); then reading back and exports.
    Sync {
        /// Resources of the generated member.
        #[arg(long, default_value_t = 100_000)]
        size: usize,
        /// Resources per page.
        #[arg(long, default_value_t = 1000)]
        page_size: u32,
    },
    /// A plan with real latency: a delay added to every FHIR response and pages capped, Folio's
    /// full sync against the chain of pages of the longest type at that latency.
    Latency {
        /// Resources of the generated member.
        #[arg(long, default_value_t = 5_000)]
        size: usize,
        /// Milliseconds the plan adds to every FHIR response.
        #[arg(long, default_value_t = 200)]
        latency_ms: u64,
        /// The largest page the plan gives.
        #[arg(long, default_value_t = 50)]
        max_count: u32,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let result = match args.what {
        What::Sync { size, page_size } => sync::run(size, page_size).await,
        What::Latency {
            size,
            latency_ms,
            max_count,
        } => latency::run(size, latency_ms, max_count).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "folio-bench: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
