//! SMART Health Links (issue 19): making a link to the member's IPS, history Bundle or PDF
//! summary (a fresh 256-bit key per link, the content encrypted as a JWE written where the
//! member chose, the key kept in the OS keychain only), listing and forgetting them; and
//! opening links, `.smart-health-card` files and QR images into a file source (`open.rs`).
//! The formats are folio-shl's; this module does the IO.

mod error;
mod open;

use std::path::Path;

use base64::Engine;
use folio_secrets::Sensitive;
use folio_shl::{ContentKey, LinkPayload};
use folio_store::SharedLinkRow;

pub use error::ShareError;
pub use open::{OpenOptions, MAX_SHARED_BYTES};

use crate::api::{ExportFormat, ExportRequest, ShareRequest, ShareWhat, SharedLink};
use crate::{CoreError, Folio};

/// The keychain account of a link's key.
fn key_account(id: &str) -> String {
    format!("shared-link:{id}")
}

fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// What a link made now gives back: the link (it holds the key) and its QR code.
#[derive(Debug)]
pub struct MadeLink {
    /// The link as listed.
    pub link: SharedLink,
    /// A PNG of the QR code of the link.
    pub qr_png: Vec<u8>,
}

/// The PDF summary as FHIR: a DocumentReference whose attachment is the PDF.
fn pdf_document_reference(pdf: &[u8], title: &str) -> String {
    serde_json::json!({
        "resourceType": "DocumentReference",
        "id": crate::export::new_uuid(),
        "status": "current",
        "type": {"coding": [{"system": "http://loinc.org", "code": "60591-5", "display": "Patient summary Document"}]},
        "date": crate::export::now_rfc3339(),
        "description": title,
        "content": [{"attachment": {
            "contentType": "application/pdf",
            "data": base64::engine::general_purpose::STANDARD.encode(pdf),
            "title": title,
        }}],
    })
    .to_string()
}

impl Folio {
    /// Makes a SMART Health Link (flag `U`) to what `request` names: encrypts it with a fresh
    /// key into `out` (a new file, never replacing one), keeps the key in the keychain and the
    /// link's description in the profile, and returns the link and its QR code.
    pub async fn share(&self, request: &ShareRequest, out: &Path) -> Result<MadeLink, CoreError> {
        let file_url =
            url::Url::parse(request.file_url.trim()).map_err(|_| ShareError::BadFileUrl)?;
        folio_smart::http::require_secure(&file_url, folio_smart::UrlRole::Browser)
            .map_err(|_| ShareError::BadFileUrl)?;
        if out.exists() {
            return Err(CoreError::ExportTargetExists(out.display().to_string()));
        }
        let label = request
            .label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned);
        let exp = request
            .expires_days
            .map(|d| now_unix() + i64::from(d) * 86_400);
        let key = ContentKey::generate();
        let payload =
            LinkPayload::direct_file(file_url.to_string(), key.clone(), exp, label.clone())
                .map_err(ShareError::from)?;
        let (content, resources) = self.share_content(request).await?;
        let jwe = folio_shl::encrypt(&content, folio_shl::CONTENT_FHIR, &key)
            .map_err(ShareError::from)?;
        drop(content);
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let id = format!("l-{}", &crate::export::new_uuid()[..13]);
        // The key first: a row never names a key that was not kept.
        self.secrets
            .put(&key_account(&id), &key.to_base64url())
            .map_err(CoreError::from)?;
        let bytes = match crate::export::publish_bytes(parent, out, false, jwe.as_bytes()) {
            Ok(b) => b,
            Err(e) => {
                let _ = self.secrets.delete(&key_account(&id));
                return Err(e);
            }
        };
        let path = std::fs::canonicalize(out).unwrap_or_else(|_| out.to_owned());
        let row = SharedLinkRow {
            id: id.clone(),
            label,
            what: request.what.as_str().to_owned(),
            file_url: file_url.to_string(),
            file_path: path.display().to_string(),
            expires_at: exp,
            created_at: crate::export::now_rfc3339(),
            resources: i64::from(resources),
            bytes: bytes as i64,
        };
        let store = self.store().await?;
        if let Err(e) = store.add_shared_link(&row).await {
            let _ = std::fs::remove_file(out);
            let _ = self.secrets.delete(&key_account(&id));
            return Err(e.into());
        }
        let link = payload.to_link();
        let qr_png = folio_shl::qr_png(link.expose()).map_err(ShareError::from)?;
        Ok(MadeLink {
            link: view(row, Some(link)),
            qr_png,
        })
    }

    /// The FHIR JSON a link will hold, and how many resources it has.
    async fn share_content(&self, request: &ShareRequest) -> Result<(Vec<u8>, u32), CoreError> {
        let format = match request.what {
            ShareWhat::Ips => ExportFormat::Ips,
            ShareWhat::Bundle => ExportFormat::Bundle,
            ShareWhat::Pdf => ExportFormat::Pdf,
        };
        // Built by the export into the profile's own folder (0700), read, then deleted.
        let dir = tempfile::Builder::new()
            .prefix(".folio-share-")
            .tempdir_in(self.data_dir().path())
            .map_err(|e| ShareError::Failed(format!("no room to build it: {e}")))?;
        let target = dir.path().join("content");
        let summary = self
            .export(
                &ExportRequest {
                    format,
                    connections: request.connections.clone(),
                    types: Vec::new(),
                    from: None,
                    until: None,
                    include_sensitive: false,
                    overwrite: false,
                },
                &target,
            )
            .await?;
        let bytes = std::fs::read(&target)
            .map_err(|e| ShareError::Failed(format!("could not read what was built: {e}")))?;
        let content = match request.what {
            ShareWhat::Pdf => {
                let title = request.label.as_deref().unwrap_or("Health summary");
                pdf_document_reference(&bytes, title).into_bytes()
            }
            ShareWhat::Ips | ShareWhat::Bundle => bytes,
        };
        let resources = if request.what == ShareWhat::Pdf {
            1
        } else {
            summary.resources
        };
        Ok((content, resources))
    }

    /// The links the member made, newest first, each with its link when its key is kept.
    pub async fn shared_links(&self) -> Result<Vec<SharedLink>, CoreError> {
        let store = self.store().await?;
        let mut out = Vec::new();
        for row in store.shared_links().await? {
            let link = self.link_text(&row)?;
            out.push(view(row, link));
        }
        Ok(out)
    }

    /// A PNG of a link's QR code.
    pub async fn shared_link_qr(&self, id: &str) -> Result<Vec<u8>, CoreError> {
        let store = self.store().await?;
        let row = store.shared_link(id).await?.ok_or(ShareError::NotFound)?;
        let link = self.link_text(&row)?.ok_or(ShareError::NotFound)?;
        Ok(folio_shl::qr_png(link.expose()).map_err(ShareError::from)?)
    }

    fn link_text(&self, row: &SharedLinkRow) -> Result<Option<Sensitive<String>>, CoreError> {
        let Some(key) = self.secrets.get(&key_account(&row.id))? else {
            return Ok(None);
        };
        let key = ContentKey::from_base64url(key.expose()).map_err(ShareError::from)?;
        let payload =
            LinkPayload::direct_file(row.file_url.clone(), key, row.expires_at, row.label.clone())
                .map_err(ShareError::from)?;
        Ok(Some(payload.to_link()))
    }

    /// Forgets a link: deletes the encrypted file Folio wrote (where it still is), discards
    /// the key, and removes it from the list. A copy the member put elsewhere cannot be opened
    /// by anyone without the link.
    pub async fn forget_shared_link(&self, id: &str) -> Result<(), CoreError> {
        let store = self.store().await?;
        let row = store.shared_link(id).await?.ok_or(ShareError::NotFound)?;
        match std::fs::remove_file(&row.file_path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(ShareError::Failed(format!(
                    "the encrypted file could not be deleted ({e}); the link is kept"
                ))
                .into())
            }
        }
        self.secrets.delete(&key_account(id))?;
        store.remove_shared_link(id).await?;
        Ok(())
    }
}

fn view(row: SharedLinkRow, link: Option<Sensitive<String>>) -> SharedLink {
    SharedLink {
        what: ShareWhat::parse(&row.what).unwrap_or(ShareWhat::Bundle),
        expired: row.expires_at.is_some_and(|e| e <= now_unix()),
        expires_at: row.expires_at.map(rfc3339),
        id: row.id,
        label: row.label,
        file_url: row.file_url,
        file_path: row.file_path,
        created_at: row.created_at,
        resources: u32::try_from(row.resources).unwrap_or(u32::MAX),
        bytes: row.bytes as f64,
        link: link.map(Sensitive::into_inner),
    }
}
