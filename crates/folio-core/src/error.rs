//! Core errors, and the stable codes the UI branches on.

use crate::api::{ApiError, ErrorCode};

/// A failed use case, named for what failed.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The platform has no app-data directory and none was given.
    #[error("no data folder: set FOLIO_DATA_DIR or pass --data-dir")]
    NoDataDir,
    /// The database could not be opened or brought up to date.
    #[error(transparent)]
    Store(#[from] folio_store::StoreError),
}

impl CoreError {
    /// The stable code for this error.
    pub fn code(&self) -> ErrorCode {
        use folio_store::StoreError as S;
        match self {
            Self::NoDataDir => ErrorCode::DataDirUnavailable,
            Self::Store(S::CreateDir { .. }) => ErrorCode::DataDirUnavailable,
            Self::Store(S::Open { .. }) => ErrorCode::StorageUnavailable,
            Self::Store(S::Migrate(_)) => ErrorCode::StorageMigrationFailed,
            Self::Store(S::InvalidResource(_)) => ErrorCode::InvalidInput,
            Self::Store(S::Query(_)) => ErrorCode::StorageQueryFailed,
        }
    }
}

impl From<CoreError> for ApiError {
    fn from(error: CoreError) -> Self {
        // The messages above name folders and failures, never health data or tokens.
        ApiError {
            code: error.code(),
            message: error.to_string(),
        }
    }
}
