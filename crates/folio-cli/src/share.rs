//! `folio share`, `folio shared-links` and `folio open`: SMART Health Links made and opened.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use folio_core::api::{ShareRequest, ShareWhat};
use folio_core::sharing::OpenOptions;
use folio_core::Folio;

/// `folio share`'s arguments.
#[derive(clap::Args, Debug)]
pub struct ShareArgs {
    /// What the link holds: `ips` (the International Patient Summary), `bundle` (the whole
    /// history) or `pdf` (the PDF summary, inside a FHIR DocumentReference).
    #[arg(long, value_parser = ["ips", "bundle", "pdf"], default_value = "ips")]
    what: String,
    /// What the receiver sees (at most 80 characters).
    #[arg(long)]
    label: Option<String>,
    /// Days until the link stops working.
    #[arg(long)]
    expires_days: Option<u32>,
    /// The https address where you will put the encrypted file.
    #[arg(long)]
    file_url: String,
    /// Only this connection (repeat for several; the IPS and the PDF take one).
    #[arg(long = "connection")]
    connections: Vec<String>,
    /// Where to write the encrypted file (a new file).
    #[arg(long)]
    out: PathBuf,
    /// Also write the link's QR code as a PNG image here.
    #[arg(long)]
    qr: Option<PathBuf>,
}

/// `folio share`: prints the link on its own line.
pub async fn share(folio: &Folio, args: ShareArgs) -> anyhow::Result<()> {
    let request = ShareRequest {
        what: match args.what.as_str() {
            "bundle" => ShareWhat::Bundle,
            "pdf" => ShareWhat::Pdf,
            _ => ShareWhat::Ips,
        },
        label: args.label,
        expires_days: args.expires_days,
        file_url: args.file_url,
        connections: args.connections,
    };
    let made = folio.share(&request, &args.out).await?;
    if let Some(qr) = &args.qr {
        std::fs::write(qr, &made.qr_png)
            .map_err(|e| anyhow::anyhow!("could not write {}: {e}", qr.display()))?;
    }
    let link = made
        .link
        .link
        .ok_or_else(|| anyhow::anyhow!("the link's key was not kept"))?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "wrote {} ({} resources, {} bytes, encrypted): put it at {}",
        made.link.file_path, made.link.resources, made.link.bytes, made.link.file_url
    )?;
    writeln!(out, "{link}")?;
    Ok(())
}

/// `folio shared-links`: the links made, or forgets one.
pub async fn list(folio: &Folio, forget: Option<String>) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if let Some(id) = forget {
        folio.forget_shared_link(&id).await?;
        writeln!(
            out,
            "forgot {id}: its encrypted file here is deleted and its key discarded"
        )?;
        return Ok(());
    }
    for l in folio.shared_links().await? {
        writeln!(
            out,
            "{}\t{:?}\t{}\t{} resources\t{}\t{}{}",
            l.id,
            l.what,
            l.label.as_deref().unwrap_or("(no label)"),
            l.resources,
            l.file_url,
            l.expires_at
                .as_deref()
                .map_or_else(|| "no expiry".to_owned(), |e| format!("expires {e}")),
            if l.expired { " (expired)" } else { "" },
        )?;
    }
    Ok(())
}

/// `folio open`'s arguments.
#[derive(clap::Args, Debug)]
pub struct OpenArgs {
    /// A `shlink:/…` link, a viewer address holding one, a `.smart-health-card` file, or an
    /// image with a QR code of either.
    link_or_file: String,
    /// Read the link's passcode from standard input's first line.
    #[arg(long)]
    passcode_stdin: bool,
    /// Import SMART Health Cards whose signature cannot be verified (marked so).
    #[arg(long)]
    allow_unverified: bool,
}

/// `folio open`.
pub async fn open(folio: &Folio, args: OpenArgs) -> anyhow::Result<()> {
    let mut options = OpenOptions {
        allow_unverified: args.allow_unverified,
        ..OpenOptions::default()
    };
    if args.passcode_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        options.passcode = Some(folio_secrets::Sensitive::new(
            line.trim_end_matches(['\r', '\n']).to_owned(),
        ));
    }
    let summary = folio.open_shared(&args.link_or_file, &options).await?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "imported {} resources as \"{}\" ({})",
        summary.resources, summary.name, summary.connection_id
    )?;
    if let Some(issuer) = &summary.issuer {
        writeln!(
            out,
            "issuer: {issuer}\nsignature: {}",
            if summary.verified == Some(true) {
                "verified"
            } else {
                "NOT verified"
            }
        )?;
    }
    Ok(())
}
