//! Why a sync (or one of its types) failed: [`SyncFailure`], typed, with one spelling of its
//! code ([`SyncFailureCode::as_str`]) stored in `sync_state`/`sync_runs`, logged, and sent over
//! IPC (the same snake_case serde gives the UI).

use folio_smart::FhirError;

use crate::api::{ErrorCode, SyncFailureCode};

/// A request to a plan during a sync failed, named for how. The message names the failure,
/// never health data, tokens or query strings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncFailure {
    /// The plan refused the token even after refreshing it.
    #[error("{0}")]
    ReconnectNeeded(String),
    /// The plan does not share this type (403/404).
    #[error("{0}")]
    NotShared(String),
    /// The plan refused the request (4xx).
    #[error("{0}")]
    Rejected(String),
    /// The plan kept answering 429.
    #[error("{0}")]
    RateLimited(String),
    /// The plan kept failing (5xx).
    #[error("{0}")]
    ServerError(String),
    /// The plan could not be reached.
    #[error("{0}")]
    Network(String),
    /// A page was larger than Folio accepts.
    #[error("{0}")]
    TooLarge(String),
    /// The plan sent something Folio cannot read.
    #[error("{0}")]
    Malformed(String),
    /// A link led away from the plan's FHIR origin.
    #[error("{0}")]
    ForeignLink(String),
    /// The plan's pages loop, or never end.
    #[error("{0}")]
    PagingLoop(String),
}

impl SyncFailure {
    /// The stable code of this failure.
    pub fn code(&self) -> SyncFailureCode {
        match self {
            Self::ReconnectNeeded(_) => SyncFailureCode::ReconnectNeeded,
            Self::NotShared(_) => SyncFailureCode::NotShared,
            Self::Rejected(_) => SyncFailureCode::Rejected,
            Self::RateLimited(_) => SyncFailureCode::RateLimited,
            Self::ServerError(_) => SyncFailureCode::ServerError,
            Self::Network(_) => SyncFailureCode::Network,
            Self::TooLarge(_) => SyncFailureCode::TooLarge,
            Self::Malformed(_) => SyncFailureCode::Malformed,
            Self::ForeignLink(_) => SyncFailureCode::ForeignLink,
            Self::PagingLoop(_) => SyncFailureCode::PagingLoop,
        }
    }

    /// The error code the UI receives when this failure ends a use case.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::Network(_) | Self::ServerError(_) | Self::RateLimited(_) => {
                ErrorCode::PlanUnreachable
            }
            _ => ErrorCode::PlanResponseInvalid,
        }
    }
}

impl From<&FhirError> for SyncFailure {
    fn from(error: &FhirError) -> Self {
        let m = error.to_string();
        match error {
            FhirError::Unauthorized => Self::ReconnectNeeded(m),
            FhirError::Forbidden | FhirError::NotFound(_) => Self::NotShared(m),
            FhirError::Rejected { .. } => Self::Rejected(m),
            FhirError::RateLimited => Self::RateLimited(m),
            FhirError::Server(_) => Self::ServerError(m),
            FhirError::Network(_) => Self::Network(m),
            FhirError::TooLarge(_) => Self::TooLarge(m),
            FhirError::Malformed(_) => Self::Malformed(m),
            FhirError::ForeignOrigin(_) => Self::ForeignLink(m),
        }
    }
}

impl From<FhirError> for SyncFailure {
    fn from(error: FhirError) -> Self {
        Self::from(&error)
    }
}

impl SyncFailureCode {
    /// Every code, for reading stored values.
    pub const ALL: [SyncFailureCode; 18] = [
        Self::ReconnectNeeded,
        Self::NotShared,
        Self::Rejected,
        Self::RateLimited,
        Self::ServerError,
        Self::Network,
        Self::TooLarge,
        Self::Malformed,
        Self::ForeignLink,
        Self::PagingLoop,
        Self::TypesFailed,
        Self::StorageQueryFailed,
        Self::StorageUnavailable,
        Self::DiskFull,
        Self::KeychainUnavailable,
        Self::TokenError,
        Self::ReconnectToFinish,
        Self::Internal,
    ];

    /// The one spelling stored, logged and sent (the same as its serde name).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ReconnectNeeded => "reconnect_needed",
            Self::NotShared => "not_shared",
            Self::Rejected => "rejected",
            Self::RateLimited => "rate_limited",
            Self::ServerError => "server_error",
            Self::Network => "network",
            Self::TooLarge => "too_large",
            Self::Malformed => "malformed",
            Self::ForeignLink => "foreign_link",
            Self::PagingLoop => "paging_loop",
            Self::TypesFailed => "types_failed",
            Self::StorageQueryFailed => "storage_query_failed",
            Self::StorageUnavailable => "storage_unavailable",
            Self::DiskFull => "disk_full",
            Self::KeychainUnavailable => "keychain_unavailable",
            Self::TokenError => "token_error",
            Self::ReconnectToFinish => "reconnect_to_finish",
            Self::Internal => "internal",
        }
    }

    /// Reads a stored code, including the spelling Folio stored before this type existed for
    /// failures other than a plan's (the error code's Debug name in lower case, without
    /// underscores: `storagequeryfailed`). `None` for a code Folio never wrote.
    pub fn from_stored(stored: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == stored)
            .or_else(|| {
                Self::ALL
                    .into_iter()
                    .find(|c| c.as_str().replace('_', "") == stored)
            })
    }

    /// The code stored, logged and sent for a type that failed with `error`.
    pub(crate) fn of(error: &crate::CoreError) -> Self {
        match error {
            crate::CoreError::Sync(failure) => failure.code(),
            crate::CoreError::AccessEnded => Self::ReconnectToFinish,
            other => Self::of_error(other.code()),
        }
    }

    /// The code stored for a failure that was not the plan's (the store, the keychain, a
    /// token refresh, a bug), from the use case's error code.
    pub fn of_error(code: ErrorCode) -> Self {
        match code {
            ErrorCode::StorageQueryFailed | ErrorCode::InvalidInput => Self::StorageQueryFailed,
            ErrorCode::StorageUnavailable
            | ErrorCode::StorageMigrationFailed
            | ErrorCode::DataDirUnavailable => Self::StorageUnavailable,
            ErrorCode::DiskFull => Self::DiskFull,
            ErrorCode::KeychainUnavailable | ErrorCode::DatabaseKeyMissing => {
                Self::KeychainUnavailable
            }
            ErrorCode::TokenError | ErrorCode::AuthorizationFailed | ErrorCode::ScopesRefused => {
                Self::TokenError
            }
            ErrorCode::ReconnectNeeded => Self::ReconnectNeeded,
            ErrorCode::PlanUnreachable => Self::Network,
            ErrorCode::PlanResponseInvalid | ErrorCode::NotSmartServer => Self::Malformed,
            _ => Self::Internal,
        }
    }
}

impl std::fmt::Display for SyncFailureCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_is_spelled_as_it_crosses_ipc() {
        for code in SyncFailureCode::ALL {
            let wire = serde_json::to_value(code).unwrap();
            assert_eq!(wire.as_str(), Some(code.as_str()), "{code:?}");
            assert_eq!(SyncFailureCode::from_stored(code.as_str()), Some(code));
        }
    }

    #[test]
    fn the_legacy_debug_spelling_is_read() {
        assert_eq!(
            SyncFailureCode::from_stored("storagequeryfailed"),
            Some(SyncFailureCode::StorageQueryFailed)
        );
        assert_eq!(
            SyncFailureCode::from_stored("diskfull"),
            Some(SyncFailureCode::DiskFull)
        );
        assert_eq!(SyncFailureCode::from_stored("no_such_code"), None);
    }

    #[test]
    fn a_store_failure_is_stored_as_it_is_sent() {
        // A type failing on a query stored `storagequeryfailed` while the UI received
        // `storage_query_failed` for the same error: now both are one spelling.
        let error =
            crate::CoreError::Store(folio_store::StoreError::Query(sqlx::Error::RowNotFound));
        let sent = serde_json::to_value(error.code()).unwrap();
        assert_eq!(SyncFailureCode::of(&error).as_str(), sent.as_str().unwrap());
        let plan = crate::CoreError::Sync(SyncFailure::PagingLoop("loop".into()));
        assert_eq!(SyncFailureCode::of(&plan).as_str(), "paging_loop");
    }
}
