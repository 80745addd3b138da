//! Saving the resources of an imported file: a batch at a time, each batch in one
//! transaction, each resource with the entry's original fullUrl as its source.

use folio_fhir::IndexFields;

use crate::store::now_rfc3339;
use crate::sync::{write_resources, WriteRow};
use crate::{PageOutcome, Store, StoreError};

/// One resource of an imported file.
#[derive(Debug, Clone, Copy)]
pub struct ImportedResource<'a> {
    /// Its JSON (verbatim, or with `urn:uuid` references resolved).
    pub raw_json: &'a str,
    /// The entry's fullUrl in the file, when it had one.
    pub full_url: Option<&'a str>,
}

impl Store {
    /// Saves a batch of an imported file's resources for `connection_id` (a file source).
    /// Entries that are not valid resources are counted as rejected; the rest are saved.
    pub async fn save_imported(
        &self,
        connection_id: &str,
        resources: &[ImportedResource<'_>],
    ) -> Result<PageOutcome, StoreError> {
        let mut outcome = PageOutcome::default();
        let parsed: Vec<(IndexFields, &ImportedResource<'_>)> = resources
            .iter()
            .filter_map(|r| match IndexFields::from_json_str(r.raw_json) {
                Ok(f) => Some((f, r)),
                Err(_) => {
                    outcome.rejected += 1;
                    None
                }
            })
            .collect();
        let rows: Vec<WriteRow<'_>> = parsed
            .iter()
            .map(|(fields, r)| WriteRow {
                fields,
                raw_json: r.raw_json,
                seen_pass: None,
                source_request: r.full_url,
            })
            .collect();
        let _writer = self.write_lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        write_resources(&mut tx, connection_id, &rows, &now_rfc3339()).await?;
        tx.commit().await?;
        outcome.inserted = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        Ok(outcome)
    }
}
