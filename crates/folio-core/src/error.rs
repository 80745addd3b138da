//! Core errors, and the stable codes the UI branches on.

use folio_smart::SmartError;

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
    /// The keychain failed.
    #[error(transparent)]
    Secrets(#[from] folio_secrets::SecretError),
    /// Talking to a plan failed.
    #[error(transparent)]
    Smart(#[from] SmartError),
    /// The bundled plan catalog is damaged.
    #[error("the plan catalog is damaged: {0}")]
    Catalog(String),
    /// No such plan.
    #[error("no such plan")]
    PlanNotFound,
    /// No such connection.
    #[error("no such connection")]
    ConnectionNotFound,
    /// No such record.
    #[error("that record is no longer on this computer")]
    RecordNotFound,
    /// A plan the member typed in is not usable.
    #[error("{0}")]
    InvalidPlan(String),
    /// A plan's client secret or key is missing from the keychain.
    #[error("the client secret or key Folio uses at this plan is missing from the system keychain: add the plan again with the one the plan's portal gave you")]
    ClientCredentialsMissing,
    /// A catalog plan Folio holds no client id for: the member registers Folio at the plan's
    /// developer portal first (issue 15 §3).
    #[error("Folio is not registered at this plan yet: register it at the plan's developer portal, then enter the client id it gives you")]
    RegistrationNeeded,
    /// The demo plan is not running in this process.
    #[error("the demo plan is not running; start it from Folio's connections screen")]
    DemoNotRunning,
    /// No sign-in is waiting for this plan.
    #[error("no sign-in is in progress for this plan")]
    NoSignIn,
    /// The connection needs the member to sign in again.
    #[error("this plan needs you to connect again; your records are kept")]
    ReconnectNeeded,
    /// Access ended and the plan does not renew it (no refresh token): what arrived is kept,
    /// and signing in again lets the next sync finish.
    #[error("access to this plan ended and the plan does not renew it: what arrived is kept; connect again to finish")]
    AccessEnded,
    /// A sync of this connection is already running.
    #[error("this plan is already downloading; wait for it to finish or stop it")]
    SyncAlreadyRunning,
    /// A request to a plan failed during a sync.
    #[error(transparent)]
    Sync(#[from] crate::sync_failure::SyncFailure),
    /// An export would replace something already at its target.
    #[error(
        "{0} already exists; choose another name (Folio never replaces a file without asking)"
    )]
    ExportTargetExists(String),
    /// An export could not be written.
    #[error("{0}")]
    ExportFailed(String),
    /// A file could not be imported.
    #[error("{0}")]
    ImportFailed(String),
    /// The note of where the database key is kept cannot be read or written.
    #[error("where your records' key is kept cannot be read: {0}")]
    KeyRecord(String),
    /// The database is encrypted but the note of where its key is kept is gone.
    #[error("your records are encrypted, but {0}, which says where their key is kept, is missing")]
    KeyRecordMissing(std::path::PathBuf),
    /// The keychain no longer has the database key.
    #[error("the key that unlocks your records is missing from the system keychain, so Folio cannot read them; \"Remove all my data\" starts afresh, and your plans can be connected again")]
    KeyMissing,
    /// No keychain: the member must choose a passphrase before Folio can store anything.
    #[error("Folio encrypts your records; there is no system keychain here to keep their key{}, so choose a passphrase (at least 12 characters) to lock them with", .0.as_ref().map(|why| format!(" ({why})")).unwrap_or_default())]
    PassphraseToChoose(Option<String>),
    /// The database is locked with a passphrase the member has not entered yet.
    #[error("your records are locked with a passphrase: enter it to open them")]
    PassphraseNeeded,
    /// The passphrase given does not open the database.
    #[error("that passphrase does not open your records")]
    WrongPassphrase,
    /// A passphrase being chosen is too short.
    #[error("choose a passphrase of at least 12 characters")]
    PassphraseTooShort,
    /// The file chosen to restore is not a Folio backup.
    #[error("that file is not a Folio backup")]
    NotABackup,
    /// The backup was made by a newer Folio, whose format this one does not know.
    #[error(
        "that backup was made by a newer Folio (backup format {0}): update Folio, then restore it"
    )]
    BackupFromNewerFolio(u32),
    /// The passphrase given does not open the backup.
    #[error("that passphrase does not open this backup; nothing was changed")]
    BackupWrongPassphrase,
    /// The backup is damaged or incomplete (a changed byte, cut short, chunks out of order).
    #[error("this backup is damaged or incomplete, so it cannot be restored; nothing was changed")]
    BackupDamaged,
    /// The backup file could not be written or read.
    #[error("the backup could not be written or read: {0}")]
    BackupFailed(String),
    /// Restoring would replace the records and sources this profile holds, and the member has
    /// not confirmed that.
    #[error("this profile already holds records or sources; restoring replaces them all, so confirm first")]
    RestoreWouldReplace,
    /// A sync is running: restoring waits until it has finished or been stopped.
    #[error("a plan is downloading; wait for it to finish or stop it, then restore")]
    RestoreDuringSync,
    /// Sharing a link, or opening a link or card, failed.
    #[error(transparent)]
    Sharing(#[from] crate::sharing::ShareError),
    /// A bug.
    #[error("internal error: {0}")]
    Internal(String),
}

impl CoreError {
    /// The stable code for this error.
    pub fn code(&self) -> ErrorCode {
        use folio_store::StoreError as S;
        match self {
            Self::NoDataDir => ErrorCode::DataDirUnavailable,
            Self::Store(S::CreateDir { .. }) => ErrorCode::DataDirUnavailable,
            Self::Store(
                S::Open { .. }
                | S::Read { .. }
                | S::WrongKey { .. }
                | S::NotEncrypted { .. }
                | S::NoEncryption
                | S::Encrypt { .. },
            ) => ErrorCode::StorageUnavailable,
            Self::Store(S::Migrate(_)) => ErrorCode::StorageMigrationFailed,
            Self::Store(S::InvalidResource(_)) => ErrorCode::InvalidInput,
            Self::Store(S::Query(_)) => ErrorCode::StorageQueryFailed,
            Self::Store(S::DiskFull(_)) => ErrorCode::DiskFull,
            Self::Secrets(_) => ErrorCode::KeychainUnavailable,
            Self::Smart(e) => match e {
                SmartError::InvalidUrl(_) | SmartError::InsecureUrl { .. } => {
                    ErrorCode::InvalidPlan
                }
                SmartError::Unreachable(_) | SmartError::HttpStatus(_) => {
                    ErrorCode::PlanUnreachable
                }
                SmartError::NotSmart => ErrorCode::NotSmartServer,
                SmartError::InvalidResponse(_) => ErrorCode::PlanResponseInvalid,
                SmartError::StateMismatch | SmartError::RedirectMismatch => {
                    ErrorCode::StateMismatch
                }
                SmartError::IssuerMismatch => ErrorCode::IssuerMismatch,
                SmartError::Denied => ErrorCode::MemberDenied,
                SmartError::AuthorizationFailed(_) => ErrorCode::AuthorizationFailed,
                SmartError::GrantRevoked | SmartError::NoRefreshToken => ErrorCode::ReconnectNeeded,
                SmartError::TokenRefused(_)
                | SmartError::ClientRejected
                | SmartError::ClientAssertionRejected => ErrorCode::TokenError,
                SmartError::ClientKey(_) => ErrorCode::Internal,
                SmartError::RegistrationUnavailable
                | SmartError::RegistrationRefused(_)
                | SmartError::NoSigningAlgorithm(_) => ErrorCode::InvalidPlan,
                SmartError::RegistrationNotDeleted(_) => ErrorCode::PlanUnreachable,
                SmartError::ScopesRefused => ErrorCode::ScopesRefused,
                SmartError::CallbackTimeout => ErrorCode::SignInTimedOut,
                SmartError::Cancelled => ErrorCode::SignInCancelled,
                SmartError::Listener(_) => ErrorCode::Internal,
            },
            Self::Catalog(_) | Self::Internal(_) => ErrorCode::Internal,
            Self::KeyRecord(_) | Self::KeyRecordMissing(_) | Self::KeyMissing => {
                ErrorCode::DatabaseKeyMissing
            }
            Self::PassphraseToChoose(_) => ErrorCode::PassphraseToChoose,
            Self::PassphraseNeeded => ErrorCode::PassphraseNeeded,
            Self::WrongPassphrase => ErrorCode::WrongPassphrase,
            Self::PassphraseTooShort => ErrorCode::PassphraseTooShort,
            Self::ExportTargetExists(_) => ErrorCode::ExportTargetExists,
            Self::ExportFailed(_) => ErrorCode::ExportFailed,
            Self::ImportFailed(_) => ErrorCode::ImportFailed,
            Self::PlanNotFound => ErrorCode::PlanNotFound,
            Self::ConnectionNotFound => ErrorCode::ConnectionNotFound,
            Self::RecordNotFound => ErrorCode::RecordNotFound,
            Self::InvalidPlan(_) | Self::ClientCredentialsMissing | Self::RegistrationNeeded => {
                ErrorCode::InvalidPlan
            }
            Self::DemoNotRunning => ErrorCode::DemoUnavailable,
            Self::NoSignIn => ErrorCode::SignInCancelled,
            Self::ReconnectNeeded | Self::AccessEnded => ErrorCode::ReconnectNeeded,
            Self::Sync(failure) => failure.error_code(),
            Self::Sharing(e) => e.error_code(),
            Self::SyncAlreadyRunning | Self::RestoreDuringSync => ErrorCode::SyncAlreadyRunning,
            Self::NotABackup => ErrorCode::NotABackup,
            Self::BackupFromNewerFolio(_) => ErrorCode::BackupFromNewerFolio,
            Self::BackupWrongPassphrase => ErrorCode::BackupWrongPassphrase,
            Self::BackupDamaged => ErrorCode::BackupDamaged,
            Self::BackupFailed(_) => ErrorCode::BackupFailed,
            Self::RestoreWouldReplace => ErrorCode::RestoreWouldReplace,
        }
    }
}

impl From<CoreError> for ApiError {
    fn from(error: CoreError) -> Self {
        // The messages above name folders, plans and failures, never health data or tokens.
        ApiError {
            code: error.code(),
            message: error.to_string(),
        }
    }
}
