//! Bulk-style NDJSON: a folder with one `<Type>.ndjson` file per resource type (one resource
//! per line) and a `manifest.json` listing them, written in a temporary folder beside the
//! target and renamed into place.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use folio_store::ExportRow;
use serde_json::json;
use tempfile::TempDir;

use super::Sink;
use crate::data_dir::owner_only;

pub(super) struct NdjsonSink {
    dir: TempDir,
    timestamp: String,
    files: BTreeMap<String, (BufWriter<File>, u64)>,
}

impl NdjsonSink {
    /// Starts the export in a temporary folder in `parent`.
    pub(super) fn create(parent: &Path, timestamp: &str) -> std::io::Result<Self> {
        // Owner-only: the folder 0700 and every file in it 0600 (on Unix), whatever the umask.
        let dir = owner_only::temp_dir_builder(".folio-export-", ".partial").tempdir_in(parent)?;
        Ok(Self {
            dir,
            timestamp: timestamp.to_owned(),
            files: BTreeMap::new(),
        })
    }

    fn line(&mut self, resource_type: &str, json: &str) -> std::io::Result<()> {
        // Type names are letters only (checked when stored), so they are safe file names.
        if !resource_type.chars().all(|c| c.is_ascii_alphabetic()) || resource_type.is_empty() {
            return Err(std::io::Error::other("a resource type that is not a name"));
        }
        if !self.files.contains_key(resource_type) {
            let file = owner_only::create_new_file(
                &self.dir.path().join(format!("{resource_type}.ndjson")),
            )?;
            self.files.insert(
                resource_type.to_owned(),
                (BufWriter::with_capacity(256 * 1024, file), 0),
            );
        }
        let Some((out, count)) = self.files.get_mut(resource_type) else {
            return Err(std::io::Error::other("lost an output file"));
        };
        // A newline in valid JSON is whitespace between tokens (inside strings it is escaped),
        // so a space keeps the resource the same and on one line.
        if json.contains(['\n', '\r']) {
            out.write_all(json.replace(['\n', '\r'], " ").as_bytes())?;
        } else {
            out.write_all(json.as_bytes())?;
        }
        out.write_all(b"\n")?;
        *count += 1;
        Ok(())
    }
}

impl Sink for NdjsonSink {
    fn add(&mut self, row: &ExportRow, _: &str) -> std::io::Result<()> {
        self.line(&row.resource_type, &row.raw_json)
    }

    fn add_own(&mut self, resource_type: &str, _: &str, json: &str) -> std::io::Result<()> {
        self.line(resource_type, json)
    }

    fn publish(self: Box<Self>, target: &Path, _overwrite: bool) -> std::io::Result<(u64, u32)> {
        let Self {
            dir,
            timestamp,
            files,
        } = *self;
        let mut output = Vec::new();
        let mut bytes = 0;
        for (ty, (out, count)) in files {
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            bytes += file.metadata()?.len();
            output.push(json!({ "type": ty, "url": format!("{ty}.ndjson"), "count": count }));
        }
        let manifest = json!({
            "transactionTime": timestamp,
            "request": "folio export --format ndjson",
            "requiresAccessToken": false,
            "output": output,
            "error": []
        });
        let text = serde_json::to_string_pretty(&manifest)?;
        let mut m = owner_only::create_new_file(&dir.path().join("manifest.json"))?;
        m.write_all(text.as_bytes())?;
        m.sync_all()?;
        bytes += text.len() as u64;
        let files = u32::try_from(output.len() + 1).unwrap_or(u32::MAX);
        // A folder is never replaced: the target must not exist.
        if target.exists() {
            return Err(std::io::ErrorKind::AlreadyExists.into());
        }
        let staged = dir.keep();
        std::fs::rename(&staged, target).inspect_err(|_| {
            let _ = std::fs::remove_dir_all(&staged);
        })?;
        Ok((bytes, files))
    }
}
