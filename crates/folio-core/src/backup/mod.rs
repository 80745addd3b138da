//! "Back up Folio" and "Restore from a backup" (issue 19, ADR 0011): the whole profile in one
//! file sealed with a passphrase the member chooses, and that file put back into a profile.
//!
//! The content is a stream of JSON lines inside the sealed chunks (`format.rs`): a first line
//! saying what follows, one line per entry (`folio_store::BackupEntry`: plans, settings,
//! connections without tokens, file sources, what plans take, sync bookkeeping, every record),
//! and a last line with the counts, checked on restore. Nothing secret is in it: tokens,
//! client secrets, private keys and registration tokens stay in the keychain, so a restored
//! connection waits for the member to sign in again, and a plan that needs a client secret or
//! key asks for it again (`ClientCredentialsMissing` when connecting).

mod format;

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use folio_secrets::Sensitive;
use folio_store::{BackupCounts, BackupEntry};
use serde::{Deserialize, Serialize};

use crate::api::{BackupSummary, FolioEvent};
use crate::{CoreError, Folio};

use format::FormatError;

/// The content's version: the shape of its lines. A later Folio reads every earlier one.
const CONTENT: u32 = 1;
/// The longest line a restore accepts (a record's JSON is capped well below by the page limit).
const MAX_LINE: usize = 64 * 1024 * 1024;

/// The first line of the content.
#[derive(Debug, Serialize, Deserialize)]
struct Begin {
    kind: String,
    content: u32,
    folio_version: String,
    created_at: String,
}

/// The last line: what came before it, so a restore knows it read everything.
#[derive(Debug, Serialize, Deserialize)]
struct End {
    kind: String,
    counts: BackupCounts,
}

impl From<FormatError> for CoreError {
    fn from(e: FormatError) -> Self {
        match e {
            FormatError::NotABackup => CoreError::NotABackup,
            FormatError::Newer(v) => CoreError::BackupFromNewerFolio(v),
            FormatError::WrongPassphrase => CoreError::BackupWrongPassphrase,
            FormatError::Damaged => CoreError::BackupDamaged,
            FormatError::Io(e) => CoreError::BackupFailed(e.to_string()),
        }
    }
}

fn summary(counts: &BackupCounts, bytes: u64) -> BackupSummary {
    let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    BackupSummary {
        records: n(counts.resources),
        sources: n(counts.connections),
        plans: n(counts.plans),
        bytes: bytes as f64,
    }
}

fn io_failed(path: &Path, e: &std::io::Error) -> CoreError {
    CoreError::BackupFailed(format!("{}: {e}", path.display()))
}

impl Folio {
    /// Whether this profile holds anything of the member's (records, sources, plans they
    /// added): restoring a backup over it needs the member's confirmation.
    pub async fn holds_member_data(&self) -> Result<bool, CoreError> {
        Ok(self.store().await?.holds_member_data().await?)
    }

    /// Writes the whole profile to `target`, sealed with `passphrase` (at least 12
    /// characters): into a file beside it (owner-only), synced, then renamed into place. An
    /// existing file is replaced only when `replace`.
    pub async fn backup(
        &self,
        target: &Path,
        passphrase: Sensitive<String>,
        replace: bool,
    ) -> Result<BackupSummary, CoreError> {
        crate::encryption::check_new_passphrase(&passphrase)?;
        if !replace && target.exists() {
            return Err(CoreError::ExportTargetExists(target.display().to_string()));
        }
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_owned();
        let store = self.store().await?;
        let tmp = crate::data_dir::owner_only::temp_file_builder(".folio-backup-", ".tmp")
            .tempfile_in(&parent)
            .map_err(|e| io_failed(target, &e))?;
        // Stretching the passphrase takes a moment of CPU and 64 MiB: not on the async threads.
        let sealer = tokio::task::spawn_blocking(move || {
            format::Sealer::new(BufWriter::with_capacity(256 * 1024, tmp), &passphrase)
        })
        .await
        .map_err(|e| CoreError::Internal(format!("backup task: {e}")))??;
        let mut out = BufWriter::with_capacity(256 * 1024, sealer);
        let begin = Begin {
            kind: "begin".into(),
            content: CONTENT,
            folio_version: crate::VERSION.into(),
            created_at: crate::export::now_rfc3339(),
        };
        let line = |out: &mut BufWriter<_>, value: &dyn erased::Json| -> Result<(), CoreError> {
            value.write(out).map_err(|e| io_failed(target, &e))?;
            out.write_all(b"\n").map_err(|e| io_failed(target, &e))
        };
        line(&mut out, &begin)?;
        let counts = store
            .backup_into::<CoreError>(&mut |entry| {
                serde_json::to_writer(&mut out, entry)
                    .map_err(|e| CoreError::BackupFailed(e.to_string()))?;
                out.write_all(b"\n").map_err(|e| io_failed(target, &e))
            })
            .await?;
        line(
            &mut out,
            &End {
                kind: "end".into(),
                counts,
            },
        )?;
        let sealer = out.into_inner().map_err(|e| io_failed(target, e.error()))?;
        let file = sealer.finish().map_err(|e| io_failed(target, &e))?;
        let file = file
            .into_inner()
            .map_err(|e| io_failed(target, e.error()))?;
        let target_owned = target.to_owned();
        let bytes = tokio::task::spawn_blocking(move || -> std::io::Result<u64> {
            file.as_file().sync_all()?;
            let bytes = file.as_file().metadata()?.len();
            if replace {
                file.persist(&target_owned).map_err(|e| e.error)?;
            } else {
                file.persist_noclobber(&target_owned).map_err(|e| e.error)?;
            }
            sync_dir(target_owned.parent());
            Ok(bytes)
        })
        .await
        .map_err(|e| CoreError::Internal(format!("backup task: {e}")))?
        .map_err(|e| io_failed(target, &e))?;
        tracing::info!(
            records = counts.resources,
            sources = counts.connections,
            bytes,
            "backup written"
        );
        Ok(summary(&counts, bytes))
    }

    /// Replaces the profile's data with a backup's. A profile holding data of the member's is
    /// replaced only when `replace` (the member confirmed). Nothing changes unless the whole
    /// file opened with `passphrase` and every chunk and the final counts checked out: the
    /// restore is one database transaction, rolled back on any failure. Restored connections
    /// wait for the member to sign in again; their sync bookkeeping is kept, so the next sync
    /// after that asks only for what changed.
    pub async fn restore(
        &self,
        source: &Path,
        passphrase: Sensitive<String>,
        replace: bool,
    ) -> Result<BackupSummary, CoreError> {
        if !self.running_syncs().is_empty() {
            return Err(CoreError::RestoreDuringSync);
        }
        let store = self.store().await?;
        if !replace && store.holds_member_data().await? {
            return Err(CoreError::RestoreWouldReplace);
        }
        let file = std::fs::File::open(source).map_err(|e| io_failed(source, &e))?;
        let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let opened = format::open(BufReader::with_capacity(256 * 1024, file))?;
        let unsealer = tokio::task::spawn_blocking(move || opened.unseal(&passphrase))
            .await
            .map_err(|e| CoreError::Internal(format!("restore task: {e}")))??;
        let mut lines = BufReader::with_capacity(256 * 1024, unsealer);
        let mut text = String::new();
        let mut next_line = |text: &mut String| -> Result<bool, CoreError> {
            text.clear();
            let n = std::io::Read::take(&mut lines, MAX_LINE as u64)
                .read_line(text)
                .map_err(|e| read_failed(source, e))?;
            Ok(n > 0)
        };
        if !next_line(&mut text)? {
            return Err(CoreError::BackupDamaged);
        }
        let begin: Begin = serde_json::from_str(&text).map_err(|_| CoreError::BackupDamaged)?;
        if begin.kind != "begin" {
            return Err(CoreError::BackupDamaged);
        }
        if begin.content > CONTENT {
            return Err(CoreError::BackupFromNewerFolio(begin.content));
        }
        let replaced: Vec<String> = store
            .connections()
            .await?
            .into_iter()
            .filter(|c| c.source_kind == folio_store::SourceKind::Plan)
            .map(|c| c.keychain_account)
            .collect();
        let mut restore = store.begin_restore().await?;
        let end = loop {
            if !next_line(&mut text)? {
                // The stream ended without its last line: the sealed chunks say where the
                // content ends, so this is a file cut short before it was sealed.
                return Err(CoreError::BackupDamaged);
            }
            if text.starts_with(r#"{"kind":"end""#) {
                let end: End = serde_json::from_str(&text).map_err(|_| CoreError::BackupDamaged)?;
                break end;
            }
            let entry: BackupEntry =
                serde_json::from_str(&text).map_err(|_| CoreError::BackupDamaged)?;
            restore.put(entry).await?;
        };
        if next_line(&mut text)? || end.counts != restore.counts() {
            return Err(CoreError::BackupDamaged);
        }
        let counts = restore.commit().await?;
        // The replaced connections' tokens: their rows are gone, so are they.
        for account in replaced {
            if let Err(e) = self.secrets.delete(&account) {
                tracing::warn!(error = %e, "a replaced connection's tokens could not be deleted from the keychain");
            }
        }
        for c in store.connections().await? {
            self.emit(FolioEvent::ConnectionChanged {
                connection_id: c.id.clone(),
            });
            self.emit(FolioEvent::RecordsChanged {
                connection_id: c.id,
                new_records: crate::api::NewRecordCounts::default(),
            });
        }
        tracing::info!(
            records = counts.resources,
            sources = counts.connections,
            "backup restored"
        );
        Ok(summary(&counts, bytes))
    }
}

fn read_failed(path: &Path, e: std::io::Error) -> CoreError {
    if e.kind() == std::io::ErrorKind::InvalidData {
        // A chunk failed authentication (or the content is not text).
        CoreError::BackupDamaged
    } else {
        io_failed(path, &e)
    }
}

/// Syncs the folder a file was renamed into, so the rename itself survives a power cut.
fn sync_dir(dir: Option<&Path>) {
    #[cfg(unix)]
    if let Some(dir) = dir.filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
}

mod erased {
    /// A value written as one JSON line.
    pub(super) trait Json {
        fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()>;
    }

    impl<T: serde::Serialize> Json for T {
        fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
            serde_json::to_writer(out, self).map_err(std::io::Error::other)
        }
    }
}
