//! A FHIR R4 Bundle of type `collection`, streamed: the opening, one entry per resource with
//! its JSON verbatim, the closing.

use std::io::{BufWriter, Write};
use std::path::Path;

use folio_store::ExportRow;
use tempfile::NamedTempFile;

use super::{new_uuid, Sink};

pub(super) struct BundleSink {
    out: BufWriter<NamedTempFile>,
    first: bool,
}

impl BundleSink {
    /// Starts the Bundle in a temporary file in `dir`.
    pub(super) fn create(dir: &Path, timestamp: &str) -> std::io::Result<Self> {
        let file = crate::data_dir::owner_only::temp_file_builder(".folio-export-", ".partial")
            .tempfile_in(dir)?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let id = new_uuid();
        write!(
            out,
            r#"{{"resourceType":"Bundle","id":"{id}","meta":{{"lastUpdated":"{timestamp}"}},"identifier":{{"system":"urn:ietf:rfc:3986","value":"urn:uuid:{id}"}},"type":"collection","timestamp":"{timestamp}","entry":["#
        )?;
        Ok(Self { out, first: true })
    }

    fn entry(&mut self, full_url: &str, json: &str) -> std::io::Result<()> {
        if !self.first {
            self.out.write_all(b",\n")?;
        }
        self.first = false;
        self.out.write_all(b"{\"fullUrl\":")?;
        serde_json::to_writer(&mut self.out, full_url)?;
        self.out.write_all(b",\"resource\":")?;
        self.out.write_all(json.as_bytes())?;
        self.out.write_all(b"}")
    }
}

impl Sink for BundleSink {
    fn add(&mut self, row: &ExportRow, full_url: &str) -> std::io::Result<()> {
        self.entry(full_url, &row.raw_json)
    }

    fn add_own(&mut self, _: &str, full_url: &str, json: &str) -> std::io::Result<()> {
        self.entry(full_url, json)
    }

    fn publish(self: Box<Self>, target: &Path, overwrite: bool) -> std::io::Result<(u64, u32)> {
        let mut out = self.out;
        out.write_all(b"]}\n")?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.as_file().sync_all()?;
        let bytes = file.as_file().metadata()?.len();
        if overwrite {
            file.persist(target).map_err(|e| e.error)?;
        } else {
            file.persist_noclobber(target).map_err(|e| e.error)?;
        }
        Ok((bytes, 1))
    }
}
