//! Saving an imported file as a source: every batch of its resources in one transaction (all
//! or nothing), each resource with the entry's original fullUrl as its source.

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
    /// Saves an imported file as a new source holding `batches`, all in one transaction: if
    /// anything fails (a full disk, say), nothing of the file is kept. Entries that are not
    /// FHIR resources are counted as rejected. When no entry is a resource, nothing is saved
    /// either (`inserted` is 0).
    pub async fn import_file_source(
        &self,
        connection_id: &str,
        name: &str,
        patient_id: Option<&str>,
        batches: &[Vec<ImportedResource<'_>>],
    ) -> Result<PageOutcome, StoreError> {
        let mut outcome = PageOutcome::default();
        let now = now_rfc3339();
        let _writer = self.write_lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        crate::plans::insert_file_source(&mut tx, connection_id, name, patient_id, &now).await?;
        for batch in batches {
            let parsed: Vec<(IndexFields, &ImportedResource<'_>)> = batch
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
                    full_url: None,
                })
                .collect();
            write_resources(&mut tx, connection_id, &rows, &now).await?;
            outcome.inserted += u32::try_from(rows.len()).unwrap_or(u32::MAX);
        }
        if outcome.inserted == 0 {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(outcome)
    }
}
