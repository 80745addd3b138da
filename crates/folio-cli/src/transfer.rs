//! `folio import` and `folio export`: FHIR files in and out.

use std::io::Write;
use std::path::{Path, PathBuf};

use folio_core::Folio;

/// `folio export`'s arguments.
#[derive(clap::Args, Debug)]
pub struct ExportArgs {
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
    path: PathBuf,
}

/// `folio export`.
pub async fn export(folio: &Folio, args: ExportArgs) -> anyhow::Result<()> {
    let request = folio_core::api::ExportRequest {
        format: match args.format.as_str() {
            "ndjson" => folio_core::api::ExportFormat::Ndjson,
            "ips" => folio_core::api::ExportFormat::Ips,
            "pdf" => folio_core::api::ExportFormat::Pdf,
            _ => folio_core::api::ExportFormat::Bundle,
        },
        connections: args.connections,
        types: args.types,
        from: args.from,
        until: args.until,
        include_sensitive: args.include_sensitive,
        overwrite: args.overwrite,
    };
    let summary = folio.export(&request, &args.path).await?;
    writeln!(
        std::io::stdout().lock(),
        "exported {} resources from {} plan(s) to {} ({} file(s), {} bytes){}",
        summary.resources,
        summary.sources,
        summary.path,
        summary.files,
        summary.bytes,
        if request.include_sensitive {
            ""
        } else {
            "; sensitive records left out (--include-sensitive to add them)"
        }
    )?;
    Ok(())
}

/// `folio import PATH`.
pub async fn import(folio: &Folio, path: &Path) -> anyhow::Result<()> {
    let summary = folio.import(path).await?;
    writeln!(
        std::io::stdout().lock(),
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
    Ok(())
}
