//! SMART Health Links the member makes, and what opening a link or card brought (issue 19).

use serde::{Deserialize, Serialize};

/// What a shared link holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ShareWhat {
    /// The International Patient Summary (a FHIR document Bundle).
    Ips,
    /// The whole history as one FHIR Bundle.
    Bundle,
    /// The PDF summary, inside a FHIR DocumentReference (a link carries FHIR, not bare PDF).
    Pdf,
}

impl ShareWhat {
    /// The word stored for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ips => "ips",
            Self::Bundle => "bundle",
            Self::Pdf => "pdf",
        }
    }

    /// From the stored word.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ips" => Some(Self::Ips),
            "bundle" => Some(Self::Bundle),
            "pdf" => Some(Self::Pdf),
            _ => None,
        }
    }
}

/// A link to make.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ShareRequest {
    /// What it holds.
    pub what: ShareWhat,
    /// The label the receiver sees (at most 80 characters).
    pub label: Option<String>,
    /// Days until the link expires (none: it does not).
    pub expires_days: Option<u32>,
    /// Where the member will put the encrypted file (https).
    pub file_url: String,
    /// Only these sources (all when empty; the IPS and the PDF take one).
    pub connections: Vec<String>,
}

/// A link the member made.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SharedLink {
    /// Folio's id of it.
    pub id: String,
    /// Its label.
    pub label: Option<String>,
    /// What it holds.
    pub what: ShareWhat,
    /// Where the encrypted file is to be served.
    pub file_url: String,
    /// Where Folio wrote the encrypted file.
    pub file_path: String,
    /// When it expires (RFC 3339), if it does.
    pub expires_at: Option<String>,
    /// Whether it has expired.
    pub expired: bool,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// Resources it holds.
    pub resources: u32,
    /// Bytes of the encrypted file.
    pub bytes: f64,
    /// The link itself (`shlink:/…`, holding the key): shown only to the member. `None` when
    /// its key is no longer in the keychain.
    pub link: Option<String>,
}

/// What opening a link, a card file or a QR code imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OpenSummary {
    /// The new source (a connection of kind `file`).
    pub connection_id: String,
    /// Its name (the link's label, or the card's issuer).
    pub name: String,
    /// Resources saved.
    pub resources: u32,
    /// For cards: who issued them.
    pub issuer: Option<String>,
    /// For cards: whether every signature was verified against its issuer's key.
    pub verified: Option<bool>,
}
