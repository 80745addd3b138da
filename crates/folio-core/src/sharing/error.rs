//! What can go wrong making or opening a shared link or card, and the codes the UI sees.

use folio_shl::ShlError;

use crate::api::ErrorCode;

/// A failure of sharing or opening, named for what failed. Messages carry no key, no link
/// and no health data.
#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    /// The link, file or card itself (see [`ShlError`]).
    #[error(transparent)]
    Shl(#[from] ShlError),
    /// An address that is not https (plain http only on this computer); which one.
    #[error("Folio opens shared links only over https:// (plain http:// only on this computer), and the {0} address is not")]
    Insecure(&'static str),
    /// The link's server could not be reached, or answered with an error.
    #[error("the link's server could not be reached or refused: {0}")]
    Unreachable(String),
    /// The link needs a passcode and none was given.
    #[error("this link is protected by a passcode: give it to open the link")]
    PasscodeNeeded,
    /// The server refused the passcode.
    #[error("the link's server refused the passcode{}", .remaining.map(|n| format!(" ({n} attempts left)")).unwrap_or_default())]
    PasscodeRefused {
        /// Attempts left, when the server says.
        remaining: Option<u32>,
    },
    /// A card whose signature was not verified, refused without the member's say-so.
    #[error("the SMART Health Card from {issuer} could not be verified ({why}); import it only if you trust where it came from (--allow-unverified)")]
    CardNotVerified {
        /// Who it says issued it.
        issuer: String,
        /// Why, in words.
        why: &'static str,
    },
    /// The manifest lists no file Folio can read.
    #[error("the link's manifest lists no FHIR file or SMART Health Card")]
    NothingToOpen,
    /// Making a link: the address given for the file is not usable.
    #[error("the address where the file will be served must be an https:// address (plain http:// only on this computer)")]
    BadFileUrl,
    /// Making a link: the file could not be written or built.
    #[error("the link could not be made: {0}")]
    Failed(String),
    /// No such link.
    #[error("no such shared link")]
    NotFound,
}

impl ShareError {
    /// The code the UI branches on.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::Shl(e) => match e {
                ShlError::NotALink
                | ShlError::BadPayload(_)
                | ShlError::BadKey
                | ShlError::LabelTooLong { .. } => ErrorCode::SharedLinkInvalid,
                ShlError::Expired { .. } => ErrorCode::SharedLinkExpired,
                ShlError::NotJwe | ShlError::NotDecrypted => ErrorCode::SharedFileNotOpened,
                ShlError::TooLarge { .. } => ErrorCode::SharedContentTooLarge,
                ShlError::NotFhir(_) => ErrorCode::SharedContentNotFhir,
                ShlError::NotACard(_) | ShlError::NoQrCode | ShlError::Image(_) => {
                    ErrorCode::CardInvalid
                }
                ShlError::Jose(_) => ErrorCode::ShareFailed,
            },
            Self::Insecure(_) => ErrorCode::SharedLinkInsecure,
            Self::Unreachable(_) => ErrorCode::SharedLinkUnreachable,
            Self::PasscodeNeeded => ErrorCode::PasscodeNeeded,
            Self::PasscodeRefused { .. } => ErrorCode::PasscodeRefused,
            Self::CardNotVerified { .. } => ErrorCode::CardNotVerified,
            Self::NothingToOpen => ErrorCode::SharedContentNotFhir,
            Self::BadFileUrl => ErrorCode::SharedLinkInsecure,
            Self::Failed(_) => ErrorCode::ShareFailed,
            Self::NotFound => ErrorCode::SharedLinkNotFound,
        }
    }
}
