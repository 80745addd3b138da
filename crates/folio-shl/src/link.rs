//! The link itself: `shlink:/` followed by the base64url JSON payload
//! `{url, key, exp?, flag?, label?, v?}`, alone or after `#` in a viewer's address.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;

use crate::jwe::ContentKey;
use crate::ShlError;

/// The longest label the specification allows.
pub const MAX_LABEL_CHARS: usize = 80;

const PREFIX: &str = "shlink:/";

/// A link's payload. The key is held as a [`ContentKey`] (never printed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkPayload {
    /// Where the manifest (or, with flag `U`, the one encrypted file) is.
    pub url: String,
    /// The key that opens the file(s).
    pub key: ContentKey,
    /// When the link stops working, in seconds since 1970.
    pub exp: Option<i64>,
    /// The flags, single letters: `U` one file fetched directly, `P` a passcode is needed,
    /// `L` long-term.
    pub flag: String,
    /// A short description for the receiver.
    pub label: Option<String>,
    /// The payload version (1 when absent).
    pub v: Option<u32>,
}

#[derive(Deserialize)]
struct Raw {
    url: String,
    key: String,
    exp: Option<f64>,
    flag: Option<String>,
    label: Option<String>,
    v: Option<u32>,
}

impl LinkPayload {
    /// A link to one encrypted file fetched directly (flag `U`), as Folio makes them.
    pub fn direct_file(
        url: String,
        key: ContentKey,
        exp: Option<i64>,
        label: Option<String>,
    ) -> Result<Self, ShlError> {
        if label
            .as_deref()
            .is_some_and(|l| l.chars().count() > MAX_LABEL_CHARS)
        {
            return Err(ShlError::LabelTooLong {
                max: MAX_LABEL_CHARS,
            });
        }
        Ok(Self {
            url,
            key,
            exp,
            flag: "U".into(),
            label,
            v: Some(1),
        })
    }

    /// The link, `shlink:/…`. It carries the key: show it only to the member.
    pub fn to_link(&self) -> folio_secrets::Sensitive<String> {
        let mut obj = serde_json::Map::new();
        obj.insert("url".into(), self.url.clone().into());
        obj.insert(
            "key".into(),
            self.key.to_base64url().expose().clone().into(),
        );
        if let Some(exp) = self.exp {
            obj.insert("exp".into(), exp.into());
        }
        if !self.flag.is_empty() {
            obj.insert("flag".into(), self.flag.clone().into());
        }
        if let Some(label) = &self.label {
            obj.insert("label".into(), label.clone().into());
        }
        if let Some(v) = self.v {
            obj.insert("v".into(), v.into());
        }
        let json = serde_json::Value::Object(obj).to_string();
        folio_secrets::Sensitive::new(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(json)))
    }

    /// Reads a `shlink:/…` link, or a viewer's address whose fragment holds one
    /// (`https://viewer.example/#shlink:/…`). Surrounding spaces are ignored.
    pub fn parse(text: &str) -> Result<Self, ShlError> {
        let text = text.trim();
        let encoded = match text.strip_prefix(PREFIX) {
            Some(rest) => rest,
            None => {
                let (_, fragment) = text.split_once('#').ok_or(ShlError::NotALink)?;
                fragment.strip_prefix(PREFIX).ok_or(ShlError::NotALink)?
            }
        };
        let json = URL_SAFE_NO_PAD
            .decode(encoded.trim_end_matches('='))
            .map_err(|_| ShlError::BadPayload("the payload is not base64url".into()))?;
        let raw: Raw = serde_json::from_slice(&json).map_err(|e| {
            ShlError::BadPayload(format!(
                "the payload is not the expected JSON ({})",
                e.classify_name()
            ))
        })?;
        let flag = raw.flag.unwrap_or_default();
        if !flag.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(ShlError::BadPayload("its flags are not letters".into()));
        }
        if flag.contains('U') && flag.contains('P') {
            return Err(ShlError::BadPayload(
                "a direct-file link (U) cannot ask for a passcode (P)".into(),
            ));
        }
        if raw
            .label
            .as_deref()
            .is_some_and(|l| l.chars().count() > MAX_LABEL_CHARS)
        {
            return Err(ShlError::LabelTooLong {
                max: MAX_LABEL_CHARS,
            });
        }
        let url = url::Url::parse(&raw.url)
            .map_err(|_| ShlError::BadPayload("its address does not parse".into()))?;
        Ok(Self {
            url: url.to_string(),
            key: ContentKey::from_base64url(&raw.key)?,
            exp: raw.exp.map(|e| e.floor() as i64),
            flag,
            label: raw.label,
            v: raw.v,
        })
    }

    /// Flag `U`: the URL is the one encrypted file, fetched by GET.
    pub fn is_direct_file(&self) -> bool {
        self.flag.contains('U')
    }

    /// Flag `P`: the manifest asks for a passcode.
    pub fn needs_passcode(&self) -> bool {
        self.flag.contains('P')
    }

    /// Refuses a link whose `exp` is at or before `now` (seconds since 1970).
    pub fn check_not_expired(&self, now: i64) -> Result<(), ShlError> {
        match self.exp {
            Some(exp) if exp <= now => Err(ShlError::Expired { exp }),
            _ => Ok(()),
        }
    }
}

trait Classify {
    fn classify_name(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "unreadable",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "a field is missing or of the wrong kind",
            serde_json::error::Category::Eof => "cut off",
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sample() -> LinkPayload {
        LinkPayload::direct_file(
            "https://files.example.org/abc".into(),
            ContentKey::generate(),
            Some(1_900_000_000),
            Some("My summary".into()),
        )
        .unwrap()
    }

    #[test]
    fn a_link_reads_back_as_made_alone_or_in_a_viewer_address() {
        let p = sample();
        let link = p.to_link().expose().clone();
        assert!(link.starts_with("shlink:/"));
        assert_eq!(LinkPayload::parse(&link).unwrap(), p);
        let viewer = format!("https://viewer.example.org/view#{link}");
        assert_eq!(LinkPayload::parse(&viewer).unwrap(), p);
        assert!(p.is_direct_file() && !p.needs_passcode());
    }

    #[test]
    fn the_payload_has_the_fields_of_the_specification() {
        let link = sample().to_link().expose().clone();
        let json = URL_SAFE_NO_PAD.decode(&link[PREFIX.len()..]).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(v["flag"], "U");
        assert_eq!(v["label"], "My summary");
        assert_eq!(v["exp"], 1_900_000_000);
        assert_eq!(v["v"], 1);
        let key = v["key"].as_str().unwrap();
        assert_eq!(key.len(), 43);
        assert_eq!(URL_SAFE_NO_PAD.decode(key).unwrap().len(), 32);
    }

    #[test]
    fn other_text_long_labels_u_with_p_and_expiry_are_refused() {
        assert_eq!(
            LinkPayload::parse("https://example.org/"),
            Err(ShlError::NotALink)
        );
        assert!(matches!(
            LinkPayload::parse("shlink:/!!"),
            Err(ShlError::BadPayload(_))
        ));
        let long = "x".repeat(81);
        assert!(matches!(
            LinkPayload::direct_file(
                "https://a.example/".into(),
                ContentKey::generate(),
                None,
                Some(long)
            ),
            Err(ShlError::LabelTooLong { .. })
        ));
        let mut p = sample();
        p.flag = "UP".into();
        assert!(matches!(
            LinkPayload::parse(p.to_link().expose()),
            Err(ShlError::BadPayload(_))
        ));
        let p = sample();
        assert_eq!(p.check_not_expired(1_899_999_999), Ok(()));
        assert_eq!(
            p.check_not_expired(1_900_000_000),
            Err(ShlError::Expired { exp: 1_900_000_000 })
        );
    }
}
