//! A record's attachments as the record screen shows them: plain text as text, HTML reduced to
//! safe formatting, images as data URLs, everything else (PDF, ...) named with its size and
//! saved on request. Nothing is fetched from a plan's URL.

use std::path::Path;

use folio_fhir::Attachment;

use crate::api::{AttachmentKind, AttachmentView};
use crate::{CoreError, Folio};

/// Text shown inline at most (longer notes are cut, and say so).
const MAX_TEXT: usize = 200_000;
/// Images shown inline at most.
const MAX_IMAGE: usize = 5_000_000;

pub(crate) fn view(a: &Attachment) -> AttachmentView {
    let bytes = a
        .data
        .as_ref()
        .map(Vec::len)
        .or_else(|| a.size.and_then(|s| usize::try_from(s).ok()))
        .unwrap_or(0);
    let mut v = AttachmentView {
        title: a.title.clone(),
        content_type: a.content_type.clone(),
        kind: AttachmentKind::Other,
        bytes: bytes as f64,
        text: None,
        html: None,
        data_url: None,
        url: a.url.clone(),
        shortened: false,
    };
    let Some(data) = &a.data else {
        v.kind = AttachmentKind::Link;
        return v;
    };
    match a.content_type.as_str() {
        "text/plain" | "text/markdown" | "text/csv" | "" => {
            let text = String::from_utf8_lossy(data);
            v.shortened = text.chars().count() > MAX_TEXT;
            v.text = Some(text.chars().take(MAX_TEXT).collect());
            v.kind = AttachmentKind::Text;
        }
        "text/html" | "application/xhtml+xml" => {
            let html = String::from_utf8_lossy(data);
            v.html = Some(folio_fhir::sanitize_narrative(&html));
            v.kind = AttachmentKind::Html;
        }
        t @ ("image/png" | "image/jpeg" | "image/gif" | "image/webp")
            if data.len() <= MAX_IMAGE =>
        {
            use base64::Engine as _;
            v.data_url = Some(format!(
                "data:{t};base64,{}",
                base64::engine::general_purpose::STANDARD.encode(data)
            ));
            v.kind = AttachmentKind::Image;
        }
        "application/pdf" => v.kind = AttachmentKind::Pdf,
        _ => {}
    }
    v
}

impl Folio {
    /// Saves attachment `index` of a record to `target` (its bytes as the plan sent them),
    /// never replacing a file unless `overwrite`.
    pub async fn save_attachment(
        &self,
        connection_id: &str,
        resource_type: &str,
        resource_id: &str,
        index: u32,
        target: &Path,
        overwrite: bool,
    ) -> Result<u64, CoreError> {
        let store = &self.store().await?;
        let row = store
            .record(connection_id, resource_type, resource_id)
            .await?
            .ok_or(CoreError::RecordNotFound)?;
        let value: serde_json::Value =
            serde_json::from_str(&row.raw_json).map_err(|_| CoreError::RecordNotFound)?;
        let attachment = folio_fhir::attachments_of(&value)
            .into_iter()
            .nth(index as usize)
            .ok_or(CoreError::RecordNotFound)?;
        let Some(data) = attachment.data else {
            return Err(CoreError::ExportFailed(
                "this attachment is not in the record: the plan only sent where it lives".into(),
            ));
        };
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        crate::export::publish_bytes(parent, target, overwrite, &data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attachment(content_type: &str, data: &[u8]) -> Attachment {
        Attachment {
            content_type: content_type.into(),
            title: Some("t".into()),
            data: Some(data.to_vec()),
            url: None,
            size: None,
        }
    }

    #[test]
    fn each_kind_is_shown_safely() {
        let text = view(&attachment("text/plain", b"Visit note\nAll well."));
        assert_eq!(
            (text.kind, text.text.as_deref()),
            (AttachmentKind::Text, Some("Visit note\nAll well."))
        );
        let html = view(&attachment(
            "text/html",
            b"<h1>Note</h1><script>alert(1)</script><img src=x onerror=alert(2)><a href=\"javascript:alert(3)\">x</a>",
        ));
        assert_eq!(html.kind, AttachmentKind::Html);
        let safe = html.html.unwrap_or_default();
        assert!(safe.contains("Note"));
        for bad in ["<script", "onerror", "javascript:", "<img"] {
            assert!(!safe.contains(bad), "{bad} in {safe}");
        }
        let png = view(&attachment("image/png", &[0x89, b'P', b'N', b'G']));
        assert_eq!(png.kind, AttachmentKind::Image);
        assert_eq!(
            png.data_url.as_deref(),
            Some("data:image/png;base64,iVBORw==")
        );
        let pdf = view(&attachment("application/pdf", b"%PDF-1.4"));
        assert_eq!((pdf.kind, pdf.bytes), (AttachmentKind::Pdf, 8.0));
        assert!(pdf.text.is_none() && pdf.data_url.is_none());
        let svg = view(&attachment("image/svg+xml", b"<svg onload=alert(1)>"));
        assert_eq!(
            svg.kind,
            AttachmentKind::Other,
            "SVG can script: saved, never shown"
        );
        let link = view(&Attachment {
            url: Some("https://plan.example/Binary/1".into()),
            data: None,
            ..attachment("application/pdf", b"")
        });
        assert_eq!(link.kind, AttachmentKind::Link);
        let long = view(&attachment(
            "text/plain",
            "x".repeat(MAX_TEXT + 5).as_bytes(),
        ));
        assert!(long.shortened);
        assert_eq!(long.text.map(|t| t.len()), Some(MAX_TEXT));
    }
}
