//! Attachments a record carries (a DocumentReference's content, a DiagnosticReport's
//! presented form): what they are, and their bytes when the record holds them inline.

use base64::Engine as _;
use serde_json::Value;

/// One attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// MIME type as sent (`text/plain`, `application/pdf`, ...), lower case, without
    /// parameters; empty when not given.
    pub content_type: String,
    /// Its title.
    pub title: Option<String>,
    /// The bytes, when sent inline (`data`) and valid base64.
    pub data: Option<Vec<u8>>,
    /// Where it lives, when sent by reference (`url`). Folio does not fetch it.
    pub url: Option<String>,
    /// The size the plan stated.
    pub size: Option<u64>,
}

fn read(a: &Value) -> Attachment {
    let s = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_owned);
    Attachment {
        content_type: s("contentType")
            .map(|c| {
                c.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default(),
        title: s("title"),
        data: a.get("data").and_then(Value::as_str).and_then(|d| {
            // Plans wrap base64 at 76 columns now and then.
            let clean: String = d.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            base64::engine::general_purpose::STANDARD.decode(clean).ok()
        }),
        url: s("url"),
        size: a.get("size").and_then(Value::as_u64),
    }
}

/// The attachments of a resource, in order.
pub fn attachments_of(resource: &Value) -> Vec<Attachment> {
    let content = resource
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("attachment"));
    let presented = resource
        .get("presentedForm")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    content.chain(presented).map(read).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inline_data_is_decoded_and_references_are_kept() {
        let doc = json!({"resourceType": "DocumentReference", "content": [
            {"attachment": {"contentType": "text/plain; charset=utf-8", "data": "SGVs\nbG8=", "title": "Note"}},
            {"attachment": {"contentType": "application/pdf", "url": "https://plan.example/Binary/1", "size": 1024}},
            {"attachment": {"contentType": "image/png", "data": "not base64!"}}
        ]});
        let a = attachments_of(&doc);
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].content_type, "text/plain");
        assert_eq!(a[0].data.as_deref(), Some(&b"Hello"[..]));
        assert_eq!(a[1].url.as_deref(), Some("https://plan.example/Binary/1"));
        assert_eq!((a[1].data.as_ref(), a[1].size), (None, Some(1024)));
        assert_eq!(a[2].data, None, "bad base64 is not guessed at");
        let report = json!({"resourceType": "DiagnosticReport", "presentedForm": [{"contentType": "text/html", "data": "PHA+aGk8L3A+"}]});
        assert_eq!(
            attachments_of(&report)[0].data.as_deref(),
            Some(&b"<p>hi</p>"[..])
        );
        assert!(attachments_of(&json!({"resourceType": "Patient"})).is_empty());
    }
}
