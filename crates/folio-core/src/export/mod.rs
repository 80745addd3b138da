//! Exporting the member's history as real FHIR: a Bundle of type `collection` (resources
//! verbatim, their original `fullUrl`s, a Provenance per plan) or Bulk-style NDJSON (one file
//! per type and a manifest).
//!
//! Writing is streamed a page of rows at a time into a temporary file (or folder) beside the
//! target, synced, then renamed into place: the target path never holds half an export, and an
//! existing file is only replaced when the member said so. What is written is the member's
//! alone (files 0600, an NDJSON folder 0700 on Unix), whatever the umask.

mod bundle;
mod ips;
mod ndjson;
mod pdf;
mod pdf_writer;
mod provenance;

use std::collections::HashMap;
use std::path::Path;

use folio_store::{ExportFilter, ExportRow};

use crate::api::{ExportFormat, ExportRequest, ExportSummary};
use crate::{CoreError, Folio};

/// Types that give the records their context (who the member is, who paid, who treated):
/// exported with any selection of types and whatever their dates.
pub const CONTEXT_TYPES: &[&str] = &[
    "Patient",
    "Coverage",
    "Organization",
    "Practitioner",
    "PractitionerRole",
    "Location",
];

/// Rows read per store query.
const PAGE: u32 = 500;

/// What a format writer does with the rows, in order.
trait Sink {
    /// Adds one resource; `full_url` is where it lives at its plan.
    fn add(&mut self, row: &ExportRow, full_url: &str) -> std::io::Result<()>;
    /// Adds one resource Folio made (a Provenance).
    fn add_own(&mut self, resource_type: &str, full_url: &str, json: &str) -> std::io::Result<()>;
    /// Ends the output, syncs it to disk and moves it to `target` (replacing a file there only
    /// when `overwrite`); returns (bytes, files). An existing target fails with
    /// `ErrorKind::AlreadyExists` and leaves it untouched.
    fn publish(self: Box<Self>, target: &Path, overwrite: bool) -> std::io::Result<(u64, u32)>;
}

/// Where a resource lives at its plan: `{base}/{Type}/{id}`.
pub(crate) fn full_url(fhir_base: &str, resource_type: &str, id: &str) -> String {
    format!("{}/{resource_type}/{id}", fhir_base.trim_end_matches('/'))
}

/// An absolute `http(s)` URL with a host: the only fullUrls of a plan an export repeats.
pub(super) fn is_absolute_http(u: &str) -> bool {
    url::Url::parse(u).is_ok_and(|p| matches!(p.scheme(), "http" | "https") && p.has_host())
}

pub(crate) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub(crate) fn new_uuid() -> String {
    let mut b = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn io_error(target: &Path, e: &std::io::Error) -> CoreError {
    CoreError::ExportFailed(format!("could not write {}: {e}", target.display()))
}

/// Writes `bytes` beside `target`, syncs them and renames the file into place (replacing a
/// file only when `overwrite`).
pub(crate) fn publish_bytes(
    parent: &Path,
    target: &Path,
    overwrite: bool,
    bytes: &[u8],
) -> Result<u64, CoreError> {
    use std::io::Write;
    let write = || -> std::io::Result<u64> {
        let mut file = crate::data_dir::owner_only::temp_file_builder(".folio-export-", ".partial")
            .tempfile_in(parent)?;
        file.write_all(bytes)?;
        file.as_file().sync_all()?;
        if overwrite {
            file.persist(target).map_err(|e| e.error)?;
        } else {
            file.persist_noclobber(target).map_err(|e| e.error)?;
        }
        Ok(bytes.len() as u64)
    };
    write().map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => {
            CoreError::ExportTargetExists(target.display().to_string())
        }
        _ => io_error(target, &e),
    })
}

/// Per plan: who it is and every fullUrl exported from it, for its Provenance.
#[derive(Default)]
struct Sources {
    order: Vec<String>,
    by_connection: HashMap<String, provenance::Source>,
}

impl Folio {
    /// Exports the history `request` selects to `target` (a file for `bundle`, a new folder
    /// for `ndjson`).
    pub async fn export(
        &self,
        request: &ExportRequest,
        target: &Path,
    ) -> Result<ExportSummary, CoreError> {
        let store = &self.store().await?;
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_owned();
        if !parent.is_dir() {
            return Err(CoreError::ExportFailed(format!(
                "the folder {} does not exist",
                parent.display()
            )));
        }
        if target.exists() && !(request.overwrite && target.is_file()) {
            return Err(CoreError::ExportTargetExists(target.display().to_string()));
        }
        if matches!(request.format, ExportFormat::Ips | ExportFormat::Pdf) {
            return self.export_summary(store, request, &parent, target).await;
        }
        let mut sink: Box<dyn Sink + Send> = match request.format {
            ExportFormat::Bundle => Box::new(
                bundle::BundleSink::create(&parent, &now_rfc3339())
                    .map_err(|e| io_error(target, &e))?,
            ),
            ExportFormat::Ndjson => Box::new(
                ndjson::NdjsonSink::create(&parent, &now_rfc3339())
                    .map_err(|e| io_error(target, &e))?,
            ),
            ExportFormat::Ips | ExportFormat::Pdf => {
                return Err(CoreError::Internal("unreachable format".into()))
            }
        };
        let context: Vec<String> = CONTEXT_TYPES.iter().map(|t| (*t).to_owned()).collect();
        let mut types = request.types.clone();
        if !types.is_empty() {
            for t in CONTEXT_TYPES {
                if !types.iter().any(|x| x == t) {
                    types.push((*t).to_owned());
                }
            }
        }
        let filter = ExportFilter {
            connections: &request.connections,
            types: &types,
            from: request.from.as_deref(),
            until: request.until.as_deref(),
            include_sensitive: request.include_sensitive,
            any_date_types: &context,
        };
        let mut sources = Sources::default();
        let mut seen = std::collections::HashSet::new();
        let mut resources: u32 = 0;
        let mut after = 0;
        loop {
            let rows = store.export_page(&filter, after, PAGE).await?;
            let Some(last) = rows.last() else { break };
            after = last.rowid;
            for row in &rows {
                // A plan's record lives at its plan; an imported one keeps the fullUrl it had
                // in its file when that was absolute.
                let url = match (row.source_kind, row.source_request.as_deref()) {
                    (folio_store::SourceKind::File, Some(u))
                        if u.starts_with("http://")
                            || u.starts_with("https://")
                            || u.starts_with("urn:uuid:") =>
                    {
                        u.to_owned()
                    }
                    (folio_store::SourceKind::File, _) => format!("urn:uuid:{}", new_uuid()),
                    // The fullUrl the plan's search page gave it (standards item 19), when
                    // absolute; else where it lives by the FHIR REST convention.
                    _ => match row.full_url.as_deref() {
                        Some(u) if is_absolute_http(u) => u.to_owned(),
                        _ => full_url(&row.fhir_base, &row.resource_type, &row.resource_id),
                    },
                };
                // The same resource held by two connections at one plan goes in once (bdl-7).
                if !seen.insert(url.clone()) {
                    continue;
                }
                sink.add(row, &url).map_err(|e| io_error(target, &e))?;
                resources += 1;
                let source = sources
                    .by_connection
                    .entry(row.connection_id.clone())
                    .or_insert_with(|| {
                        sources.order.push(row.connection_id.clone());
                        provenance::Source::new(&row.plan_name, &row.fhir_base)
                    });
                source.add(url, &row.fetched_at);
            }
        }
        for connection in &sources.order {
            if let Some(source) = sources.by_connection.get(connection) {
                let id = new_uuid();
                let json = source.provenance(&id);
                sink.add_own("Provenance", &format!("urn:uuid:{id}"), &json)
                    .map_err(|e| io_error(target, &e))?;
            }
        }
        let (bytes, files) =
            sink.publish(target, request.overwrite)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => {
                        CoreError::ExportTargetExists(target.display().to_string())
                    }
                    _ => io_error(target, &e),
                })?;
        Ok(ExportSummary {
            path: target.display().to_string(),
            format: request.format,
            resources,
            sources: u32::try_from(sources.order.len()).unwrap_or(u32::MAX),
            bytes: bytes as f64,
            files,
        })
    }
}

impl Folio {
    /// The IPS document or the PDF summary of one source (the one chosen, or the only one
    /// there is).
    async fn export_summary(
        &self,
        store: &folio_store::Store,
        request: &ExportRequest,
        parent: &Path,
        target: &Path,
    ) -> Result<ExportSummary, CoreError> {
        let connection = match request.connections.as_slice() {
            [one] => one.clone(),
            [] => {
                let all = self.connections().await?;
                match all.as_slice() {
                    [one] => one.id.clone(),
                    [] => {
                        return Err(CoreError::ExportFailed(
                            "there are no records to summarize yet".into(),
                        ))
                    }
                    _ => {
                        return Err(CoreError::ExportFailed(
                            "a patient summary is about one person: choose the plan (or file) to summarize"
                                .into(),
                        ))
                    }
                }
            }
            _ => {
                return Err(CoreError::ExportFailed(
                    "a patient summary is about one person: choose one plan (or file)".into(),
                ))
            }
        };
        let (bytes, resources) = if request.format == ExportFormat::Pdf {
            self.summary_pdf(&connection, request.include_sensitive)
                .await?
        } else {
            let (text, n) = ips::document(store, &connection, request.include_sensitive).await?;
            (text.into_bytes(), n)
        };
        let bytes = publish_bytes(parent, target, request.overwrite, &bytes)?;
        Ok(ExportSummary {
            path: target.display().to_string(),
            format: request.format,
            resources,
            sources: 1,
            bytes: bytes as f64,
            files: 1,
        })
    }
}
