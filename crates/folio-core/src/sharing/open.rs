//! Opening what someone shared: a SMART Health Link (`shlink:/…` or a viewer address), a
//! `.smart-health-card` file, or an image with either in a QR code. Every address is https
//! (plain http only on this computer, as for plans: folio-smart's `require_secure`), no
//! redirect is followed, and every body is capped while it is read. What opens is imported as
//! a file source named by the link's label or the card's issuer.

use std::path::Path;

use folio_secrets::Sensitive;
use folio_shl::{Card, CardCheck, LinkPayload, ShlError};
use url::Url;

use super::{now_unix, ShareError};
use crate::api::OpenSummary;
use crate::import::{from_json_file, Prepared};
use crate::{CoreError, Folio};

/// The most bytes Folio reads of a shared file, a manifest, or a card file, and what a file
/// may inflate to.
pub const MAX_SHARED_BYTES: usize = 64 * 1024 * 1024;

/// An issuer's key set larger than this is refused.
const MAX_JWKS_BYTES: usize = 256 * 1024;

/// How to open.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// The passcode, for links that ask for one (flag `P`).
    pub passcode: Option<Sensitive<String>>,
    /// The name sent as `recipient` to the link's server.
    pub recipient: String,
    /// Import cards whose signature could not be verified (marked so).
    pub allow_unverified: bool,
    /// The size limit ([`MAX_SHARED_BYTES`] unless a test sets a smaller one).
    pub max_bytes: usize,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            passcode: None,
            recipient: "Folio".into(),
            allow_unverified: false,
            max_bytes: MAX_SHARED_BYTES,
        }
    }
}

/// What a link or file held, before it is imported.
enum Content {
    Fhir(Vec<u8>),
    Cards(Vec<String>),
}

/// Whether `text` is a link rather than a file's path.
fn looks_like_link(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("shlink:/") || t.contains("#shlink:/")
}

/// A success's body, or what went wrong.
fn checked(res: folio_smart::http::LimitedResponse, limit: usize) -> Result<Vec<u8>, ShareError> {
    if !(200..300).contains(&res.status) {
        return Err(ShareError::Unreachable(format!(
            "it answered with HTTP {}",
            res.status
        )));
    }
    res.body
        .ok_or(ShareError::Shl(ShlError::TooLarge { limit }))
}

fn secure(url: &Url, what: &'static str) -> Result<(), ShareError> {
    folio_smart::http::require_secure(url, folio_smart::UrlRole::FhirBase)
        .map_err(|_| ShareError::Insecure(what))
}

impl Folio {
    /// Opens a link, or a card file or QR image at a path, and imports what it holds.
    pub async fn open_shared(
        &self,
        link_or_path: &str,
        options: &OpenOptions,
    ) -> Result<OpenSummary, CoreError> {
        if looks_like_link(link_or_path) {
            return self.open_link(link_or_path, options).await;
        }
        let path = Path::new(link_or_path);
        let size = std::fs::metadata(path)
            .map_err(|e| CoreError::ImportFailed(format!("cannot read {}: {e}", path.display())))?
            .len();
        if size > options.max_bytes as u64 {
            return Err(ShareError::Shl(ShlError::TooLarge {
                limit: options.max_bytes,
            })
            .into());
        }
        let bytes = std::fs::read(path)
            .map_err(|e| CoreError::ImportFailed(format!("cannot read {}: {e}", path.display())))?;
        if let Ok(cards) = folio_shl::cards_in_file(&bytes) {
            return self
                .import_content(Content::Cards(cards), None, options)
                .await;
        }
        // Not a card file: an image with a QR code of a link or a card.
        let texts = folio_shl::read_qr(&bytes).map_err(ShareError::from)?;
        for text in &texts {
            if looks_like_link(text) {
                return self.open_link(text, options).await;
            }
            if text.trim().starts_with("shc:/") {
                let jws = folio_shl::card_jws_from_qr_text(text).map_err(ShareError::from)?;
                return self
                    .import_content(Content::Cards(vec![jws]), None, options)
                    .await;
            }
        }
        Err(ShareError::Shl(ShlError::NotALink).into())
    }

    async fn open_link(&self, text: &str, options: &OpenOptions) -> Result<OpenSummary, CoreError> {
        let payload = LinkPayload::parse(text).map_err(ShareError::from)?;
        payload
            .check_not_expired(now_unix())
            .map_err(ShareError::from)?;
        let url = Url::parse(&payload.url).map_err(|_| ShareError::Shl(ShlError::NotALink))?;
        secure(&url, "link's")?;
        let mut contents = Vec::new();
        if payload.is_direct_file() {
            let mut get = url.clone();
            get.query_pairs_mut()
                .append_pair("recipient", &options.recipient);
            let jwe = self.fetch(&get, options.max_bytes).await?;
            contents.push(self.decrypt(&jwe, &payload, None, options)?);
        } else {
            if payload.needs_passcode() && options.passcode.is_none() {
                return Err(ShareError::PasscodeNeeded.into());
            }
            let mut body = serde_json::json!({ "recipient": options.recipient });
            if let Some(p) = &options.passcode {
                body["passcode"] = p.expose().clone().into();
            }
            let res =
                folio_smart::http::post_json_limited(&self.http, &url, &body, options.max_bytes)
                    .await
                    .map_err(|e| ShareError::Unreachable(e.to_string()))?;
            if res.status == 401 {
                let remaining = res
                    .body
                    .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                    .and_then(|v| v.get("remainingAttempts")?.as_u64())
                    .and_then(|n| u32::try_from(n).ok());
                return Err(ShareError::PasscodeRefused { remaining }.into());
            }
            let manifest = checked(res, options.max_bytes)?;
            let manifest: serde_json::Value = serde_json::from_slice(&manifest).map_err(|_| {
                ShareError::Unreachable("the link's server sent no manifest".into())
            })?;
            let files = manifest
                .get("files")
                .and_then(|f| f.as_array())
                .cloned()
                .unwrap_or_default();
            for file in files {
                let content_type = file.get("contentType").and_then(|c| c.as_str());
                let jwe = if let Some(embedded) = file.get("embedded").and_then(|e| e.as_str()) {
                    embedded.as_bytes().to_vec()
                } else if let Some(location) = file.get("location").and_then(|l| l.as_str()) {
                    let location = Url::parse(location).map_err(|_| {
                        ShareError::Unreachable("a file's address does not parse".into())
                    })?;
                    secure(&location, "file's")?;
                    self.fetch(&location, options.max_bytes).await?
                } else {
                    continue;
                };
                contents.push(self.decrypt(&jwe, &payload, content_type, options)?);
            }
            if contents.is_empty() {
                return Err(ShareError::NothingToOpen.into());
            }
        }
        // Several files are imported as one source: FHIR resources and cards' bundles alike.
        let mut fhir = Vec::new();
        let mut cards = Vec::new();
        for c in contents {
            match c {
                Content::Fhir(b) => fhir.push(b),
                Content::Cards(c) => cards.extend(c),
            }
        }
        let label = payload.label.clone();
        if fhir.is_empty() {
            return self
                .import_content(Content::Cards(cards), label, options)
                .await;
        }
        let mut prepared = Vec::new();
        for b in &fhir {
            let text = std::str::from_utf8(b)
                .map_err(|_| ShareError::Shl(ShlError::NotFhir("not UTF-8 text".into())))?;
            prepared.extend(from_json_file(text).map_err(|_| {
                ShareError::Shl(ShlError::NotFhir(
                    "application/fhir+json that is not FHIR".into(),
                ))
            })?);
        }
        let (card_prepared, issuer, verified) = self.checked_cards(&cards, options).await?;
        prepared.extend(card_prepared);
        let name = format!(
            "Shared: {}",
            label.as_deref().unwrap_or("SMART Health Link")
        );
        self.import_opened(&name, prepared, issuer, verified).await
    }

    fn decrypt(
        &self,
        jwe: &[u8],
        payload: &LinkPayload,
        listed_type: Option<&str>,
        options: &OpenOptions,
    ) -> Result<Content, ShareError> {
        let jwe = std::str::from_utf8(jwe).map_err(|_| ShlError::NotJwe)?;
        let opened = folio_shl::decrypt(jwe, &payload.key, options.max_bytes)?;
        let content_type = opened
            .content_type
            .as_deref()
            .or(listed_type)
            .unwrap_or("not stated");
        if folio_shl::is_fhir_content_type(content_type) {
            Ok(Content::Fhir(opened.content))
        } else if content_type == folio_shl::CONTENT_SMART_CARD {
            Ok(Content::Cards(folio_shl::cards_in_file(&opened.content)?))
        } else {
            Err(ShlError::NotFhir(content_type.chars().take(60).collect()).into())
        }
    }

    async fn fetch(&self, url: &Url, limit: usize) -> Result<Vec<u8>, ShareError> {
        let res = folio_smart::http::get_limited(&self.http, url, limit)
            .await
            .map_err(|e| ShareError::Unreachable(e.to_string()))?;
        checked(res, limit)
    }

    /// Reads and verifies cards: their bundles' resources, the (first) issuer, and whether
    /// every signature held. Refuses unverified cards unless the member said to import them.
    async fn checked_cards(
        &self,
        cards: &[String],
        options: &OpenOptions,
    ) -> Result<(Vec<Prepared>, Option<String>, Option<bool>), CoreError> {
        if cards.is_empty() {
            return Ok((Vec::new(), None, None));
        }
        let mut prepared = Vec::new();
        let mut issuer = None;
        let mut all_verified = true;
        for jws in cards {
            let card = Card::parse(jws, options.max_bytes).map_err(ShareError::from)?;
            let check = self.verify_card(&card).await;
            if check != CardCheck::Verified {
                if !options.allow_unverified {
                    return Err(ShareError::CardNotVerified {
                        issuer: card.issuer.chars().take(200).collect(),
                        why: match check {
                            CardCheck::IssuerKeysUnavailable => {
                                "its issuer's keys could not be fetched over https"
                            }
                            CardCheck::UnknownKey => {
                                "its issuer publishes no key it was signed with"
                            }
                            CardCheck::BadSignature | CardCheck::Verified => {
                                "its signature does not hold"
                            }
                        },
                    }
                    .into());
                }
                all_verified = false;
            }
            issuer.get_or_insert_with(|| card.issuer.clone());
            prepared.extend(from_json_file(&card.fhir_bundle.to_string())?);
        }
        Ok((prepared, issuer, Some(all_verified)))
    }

    async fn verify_card(&self, card: &Card) -> CardCheck {
        let Ok(url) = folio_shl::jwks_url(&card.issuer) else {
            return CardCheck::IssuerKeysUnavailable;
        };
        if secure(&url, "issuer's").is_err() {
            return CardCheck::IssuerKeysUnavailable;
        }
        match self.fetch(&url, MAX_JWKS_BYTES).await {
            Ok(jwks) => card.verify(&jwks),
            Err(_) => CardCheck::IssuerKeysUnavailable,
        }
    }

    async fn import_content(
        &self,
        content: Content,
        label: Option<String>,
        options: &OpenOptions,
    ) -> Result<OpenSummary, CoreError> {
        let Content::Cards(cards) = content else {
            return Err(CoreError::Internal(
                "FHIR content is imported by open_link".into(),
            ));
        };
        let (prepared, issuer, verified) = self.checked_cards(&cards, options).await?;
        let name = match (&label, &issuer) {
            (Some(l), _) => format!("Shared: {l}"),
            (None, Some(i)) => format!("SMART Health Card from {i}"),
            (None, None) => "SMART Health Card".to_owned(),
        };
        self.import_opened(&name, prepared, issuer, verified).await
    }

    async fn import_opened(
        &self,
        name: &str,
        prepared: Vec<Prepared>,
        issuer: Option<String>,
        verified: Option<bool>,
    ) -> Result<OpenSummary, CoreError> {
        let name = if verified == Some(false) {
            format!("{name} (signature not verified)")
        } else {
            name.to_owned()
        };
        let mut batches = Vec::new();
        let mut it = prepared.into_iter().peekable();
        while it.peek().is_some() {
            batches.push(it.by_ref().take(500).collect());
        }
        let summary = self.import_prepared(&name, &name, batches, 1).await?;
        Ok(OpenSummary {
            connection_id: summary.connection_id,
            name: summary.name,
            resources: summary.resources,
            issuer,
            verified,
        })
    }
}
