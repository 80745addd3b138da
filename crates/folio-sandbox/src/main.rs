//! `folio-sandbox`: the demo health plan as a program of its own.

use std::io::Write;
use std::time::Duration;

use clap::Parser;
use folio_sandbox::{Faults, MemberSource, Sandbox, SandboxConfig};

/// A demo health plan (SMART on FHIR + FHIR R4 Patient Access API) with synthetic members,
/// on 127.0.0.1.
#[derive(Parser, Debug)]
#[command(name = "folio-sandbox", version, about)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8700)]
    port: u16,
    /// A member: LOGIN=generated:SEED:SIZE[:Given:Family] or LOGIN=fixture:PATH[#PATIENT_ID].
    /// Repeat for several. Without any, two generated demo members are served.
    #[arg(long = "member", value_name = "SPEC")]
    members: Vec<String>,
    /// Access token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    token_ttl: u64,
    /// Another redirect URI registered for Folio's client id (repeatable), e.g.
    /// `http://127.0.0.1/cb/my-plan` for a plan added to Folio as "My Plan".
    #[arg(long = "redirect-uri", value_name = "URI")]
    redirect_uris: Vec<String>,
    /// Faults to start with, as JSON (see `Faults`), e.g. '{"rate_limit_every":5,"retry_after_secs":1}'.
    #[arg(long)]
    faults: Option<String>,
    /// Latency knob: milliseconds added to every FHIR response, as a real plan's 100–500 ms
    /// (the faults' `slow_ms`; beats --faults).
    #[arg(long, value_name = "MS")]
    latency_ms: Option<u64>,
    /// Page cap: a search's `_count` above this is lowered to it, as real plans cap pages at
    /// 50–100 (the faults' `strict.max_count`; beats --faults).
    #[arg(long, value_name = "N")]
    max_count: Option<u32>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FOLIO_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let mut config = SandboxConfig {
        port: args.port,
        access_token_ttl: Duration::from_secs(args.token_ttl),
        ..Default::default()
    };
    if !args.members.is_empty() {
        config.members = args
            .members
            .iter()
            .map(|s| MemberSource::parse(s))
            .collect::<Result<_, _>>()
            .map_err(anyhow::Error::msg)?;
    }
    if let Some(client) = config.clients.first_mut() {
        client.redirect_uris.extend(args.redirect_uris);
    }
    if let Some(json) = args.faults {
        config.faults = serde_json::from_str::<Faults>(&json)?;
    }
    if let Some(ms) = args.latency_ms {
        config.faults.slow_ms = ms;
    }
    if let Some(cap) = args.max_count {
        config.faults.strict.max_count = Some(cap);
    }
    let sandbox = Sandbox::start(config).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Folio Sandbox Health Plan")?;
    writeln!(out, "FHIR base: {}", sandbox.fhir_base())?;
    for m in sandbox.members() {
        writeln!(
            out,
            "member {:<12} patient {:<24} {} resources ({} sensitive)",
            m.login, m.patient_id, m.total, m.sensitive
        )?;
    }
    writeln!(out, "password for every member: demo; Ctrl-C stops")?;
    drop(out);
    tokio::signal::ctrl_c().await?;
    sandbox.stop().await;
    Ok(())
}
