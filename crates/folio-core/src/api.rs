//! The plain data types that cross IPC to the UI. TypeScript twins are generated from these by
//! tauri-specta; nothing else crosses (no FHIR, row or OAuth types).
//!
//! Numbers are `u32`/`f64` because JavaScript has no 64-bit integers.

use serde::Serialize;

mod health;
mod sharing;
pub use health::{
    AllergyView, CareKind, CareTeamMember, ConditionView, ImmunizationView, MedicineStatus,
    MedicineView, MyHealth, SourceRecord, VisitView,
};
pub use sharing::{OpenSummary, ShareRequest, ShareWhat, SharedLink};

/// A failure as the UI receives it: branch on `code`, show `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// What failed, stable across versions.
    pub code: ErrorCode,
    /// A sentence for the member. No health data, no tokens, no query strings.
    pub message: String,
}

/// Stable error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No usable data folder.
    DataDirUnavailable,
    /// The database file could not be opened.
    StorageUnavailable,
    /// The database schema could not be brought up to date.
    StorageMigrationFailed,
    /// A database query failed.
    StorageQueryFailed,
    /// The disk is full: nothing more could be saved (what was saved is kept).
    DiskFull,
    /// Input was rejected.
    InvalidInput,
    /// The OS keychain is missing, locked or refused access.
    KeychainUnavailable,
    /// No such plan.
    PlanNotFound,
    /// No such connection.
    ConnectionNotFound,
    /// No such record.
    RecordNotFound,
    /// A plan's address or client id is not usable.
    InvalidPlan,
    /// The demo plan is not running.
    DemoUnavailable,
    /// The plan's server could not be reached.
    PlanUnreachable,
    /// The address is not a SMART on FHIR server.
    NotSmartServer,
    /// The plan sent something Folio cannot read.
    PlanResponseInvalid,
    /// The member said no at the plan.
    MemberDenied,
    /// The answer did not match a sign-in Folio started (forged, replayed, late, wrong plan).
    StateMismatch,
    /// The answer came from another server than the plan (mix-up defence).
    IssuerMismatch,
    /// The plan refused the sign-in request.
    AuthorizationFailed,
    /// The plan's token service refused.
    TokenError,
    /// The plan granted no access to records.
    ScopesRefused,
    /// The connection must be made again (its records are kept).
    ReconnectNeeded,
    /// The member did not finish signing in in time.
    SignInTimedOut,
    /// The sign-in was cancelled.
    SignInCancelled,
    /// An export's target already exists and was not to be replaced.
    ExportTargetExists,
    /// An export could not be written (disk full, no permission, ...).
    ExportFailed,
    /// A file could not be imported (not FHIR, unreadable, nothing in it).
    ImportFailed,
    /// Not a SMART Health Link, or a damaged one (its payload, key or label).
    SharedLinkInvalid,
    /// The SMART Health Link has expired.
    SharedLinkExpired,
    /// The link (or a file, manifest or issuer it names) is not https (plain http only on
    /// this computer).
    SharedLinkInsecure,
    /// The shared file does not open with the link's key: a wrong key or an altered file.
    SharedFileNotOpened,
    /// The shared file, or what it holds, is over Folio's size limit.
    SharedContentTooLarge,
    /// The shared content is not FHIR, nor a SMART Health Card.
    SharedContentNotFhir,
    /// The link's server could not be reached, or refused.
    SharedLinkUnreachable,
    /// The link asks for a passcode and none was given.
    PasscodeNeeded,
    /// The link's server refused the passcode.
    PasscodeRefused,
    /// A SMART Health Card's signature could not be verified; it is imported only when the
    /// member says so.
    CardNotVerified,
    /// Not a readable SMART Health Card, or an image without a QR code.
    CardInvalid,
    /// No such shared link.
    SharedLinkNotFound,
    /// A link could not be made.
    ShareFailed,
    /// The key that unlocks the database is gone (keychain entry or its record).
    DatabaseKeyMissing,
    /// There is no keychain: the member must choose a passphrase for the database.
    PassphraseToChoose,
    /// The database is locked with a passphrase: the member must enter it.
    PassphraseNeeded,
    /// The passphrase does not open the database.
    WrongPassphrase,
    /// A new passphrase is too short.
    PassphraseTooShort,
    /// That connection is already syncing: one sync per connection at a time (or a restore
    /// waits for syncs to end).
    SyncAlreadyRunning,
    /// The file is not a Folio backup.
    NotABackup,
    /// The backup was made by a newer Folio.
    BackupFromNewerFolio,
    /// The passphrase does not open the backup (nothing was changed).
    BackupWrongPassphrase,
    /// The backup is damaged or incomplete (nothing was changed).
    BackupDamaged,
    /// The backup file could not be written or read.
    BackupFailed,
    /// Restoring would replace the profile's data: the member must confirm.
    RestoreWouldReplace,
    /// A bug in Folio.
    Internal,
}

/// A plan Folio can connect to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanSummary {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: String,
    /// FHIR base URL (empty for the demo plan until it runs).
    pub fhir_base: String,
    /// The client id Folio is registered with at this plan.
    pub client_id: String,
    /// How the plan sends the member back to Folio.
    pub redirect: RedirectStyle,
    /// From Folio's bundled catalog (otherwise added by the member).
    pub from_catalog: bool,
    /// The built-in demo plan.
    pub is_demo: bool,
    /// Notes for the member.
    pub notes: Option<String>,
    /// How Folio authenticates at the plan (a `private-key-jwt` plan has a public JWKS to
    /// show: `plan_jwks`).
    pub client_auth: ClientAuthMethod,
    /// For a real plan in Folio's catalog that Folio holds no client id for: what the member
    /// needs to register Folio at the plan's developer portal (issue 15 §3). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[specta(optional)]
    pub registration: Option<CatalogRegistration>,
}

/// What registering Folio at a catalog plan's developer portal takes: where, as what kind of
/// app, and where each fact was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CatalogRegistration {
    /// The plan's developer portal (shown as text: the member opens it themselves).
    pub portal: String,
    /// The public page(s) that publish the plan's FHIR base URL.
    pub endpoint_source: String,
    /// How the plan wants Folio to prove who it is.
    pub client_auth: ClientAuthMethod,
    /// The app type to pick at the portal: `confidential` or `public` (native).
    pub app_type: String,
    /// The scopes to ask for, space-separated, when the plan documents them.
    pub scopes: Option<String>,
    /// What the plan's documentation says about redirect addresses, if anything.
    pub redirect_note: Option<String>,
    /// The id the member's own entry gets when they save what the portal gave them (so the
    /// redirect address `/cb/{id}` is known before they register).
    pub member_plan_id: String,
}

/// How a plan sends the member back to Folio after signing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum RedirectStyle {
    /// `http://127.0.0.1:{port}/cb/{plan}` (RFC 8252 §7.3).
    Loopback,
    /// `health.folio.desktop:/cb/{plan}` through the desktop's URL handler.
    CustomScheme,
}

/// How Folio proves who it is to a plan's token service (issue 15).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, specta::Type,
)]
#[serde(rename_all = "kebab-case")]
pub enum ClientAuthMethod {
    /// A public client: no secret (PKCE protects the sign-in).
    #[default]
    None,
    /// A secret from the plan's developer portal, sent as HTTP Basic (`client_secret_basic`).
    SecretBasic,
    /// A secret from the plan's developer portal, sent in the form (`client_secret_post`).
    SecretPost,
    /// A key pair Folio makes; the plan holds the public key (`private_key_jwt`, RFC 7523).
    PrivateKeyJwt,
}

/// A plan the member adds in the app: the same choices as `folio plans add` (issue 15). The
/// secret goes straight to the OS keychain; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AddPlanRequest {
    /// Display name.
    pub name: String,
    /// The FHIR base URL of the plan's Patient Access API.
    pub fhir_base: String,
    /// The client id the plan's developer portal issued (empty when Folio registers itself).
    pub client_id: String,
    /// How Folio proves who it is to the plan.
    pub client_auth: ClientAuthMethod,
    /// The client secret, for the two secret methods.
    pub client_secret: Option<String>,
    /// How the plan sends the member back.
    pub redirect: RedirectStyle,
    /// A fixed loopback port (1 to 65535), when the portal registered one exact redirect URI.
    pub loopback_port: Option<u32>,
    /// Register Folio at the plan (RFC 7591) instead of using a client id from its portal.
    pub register: bool,
}

impl std::fmt::Debug for AddPlanRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddPlanRequest")
            .field("name", &self.name)
            .field("client_auth", &self.client_auth)
            .field("register", &self.register)
            .finish_non_exhaustive()
    }
}

/// A plan just added, with the public JWKS to give its portal when Folio made a key for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AddedPlanView {
    /// The plan as listed.
    pub plan: PlanSummary,
    /// The public JWKS (JSON text, no private part), for `private-key-jwt`.
    pub jwks: Option<String>,
}

/// A sign-in waiting for the member in their browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SignInStarted {
    /// The plan.
    pub plan_id: String,
    /// The plan's sign-in page (opened in the system browser; shown in case it did not open).
    pub authorize_url: String,
}

/// Where a connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// Signing in.
    Connecting,
    /// Working.
    Connected,
    /// The plan no longer accepts the authorization; records are kept.
    ReconnectNeeded,
    /// Access ended during a sync and the plan does not renew it: what arrived is kept, and
    /// the next sync after the member signs in again finishes where this one stopped.
    ReconnectToFinish,
    /// Restored from a backup (tokens never travel): the records are here, and signing in
    /// again keeps them current; the next sync asks only for what changed since the backup.
    ReconnectAfterRestore,
    /// Disconnected by the member; records kept.
    Disconnected,
}

/// What a backup holds, or what a restore put back.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BackupSummary {
    /// Records.
    pub records: u32,
    /// Sources: connections to plans and imported files.
    pub sources: u32,
    /// Plans (the catalog's and the member's).
    pub plans: u32,
    /// The backup file's size in bytes.
    pub bytes: f64,
}

/// A connection as the connections screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionSummary {
    /// Id.
    pub id: String,
    /// Its plan.
    pub plan_id: String,
    /// The plan's name.
    pub plan_name: String,
    /// The patient the plan's records are about (tells a parent's and a child's apart).
    pub patient_id: String,
    /// Status.
    pub status: ConnectionStatus,
    /// What the member shared.
    pub granted_scopes: Vec<String>,
    /// What Folio asked for and the plan did not grant.
    pub scopes_not_granted: Vec<String>,
    /// When the current access token expires.
    pub token_expires_at: Option<String>,
    /// How long access lasts and whether Folio renews it, as the plan said at the last sign-in
    /// or refresh; `None` when not known (connected before Folio kept it, or a file).
    pub access: Option<ConnectionAccess>,
    /// Last finished sync.
    pub last_synced_at: Option<String>,
    /// Records cached from this connection.
    pub records: u32,
    /// The last problem, in words.
    pub problem: Option<String>,
    /// A plan connection, or a file the member imported.
    pub kind: SourceKind,
}

/// How long a connection's access lasts, as the plan said (issue 15 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionAccess {
    /// Seconds an access token lasts (`expires_in`); `None` when the plan did not say.
    pub lasts_seconds: Option<u32>,
    /// The plan gave a refresh token: Folio renews access without the member. Otherwise each
    /// access ends with the member signing in again.
    pub renewable: bool,
}

/// Where a source's records come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A connection to a plan's Patient Access API.
    Plan,
    /// An imported file (nothing to download, no tokens).
    File,
}

/// What the status screen shows: the app and its storage.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    /// Folio's version.
    pub version: String,
    /// The profile's data folder.
    pub data_dir: String,
    /// Why that folder: `flag`, `environment` or `platform`.
    pub data_dir_source: DataDirOrigin,
    /// The database.
    pub storage: StorageStatus,
}

/// Why the data folder was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DataDirOrigin {
    /// `--data-dir`.
    Flag,
    /// `FOLIO_DATA_DIR`.
    Environment,
    /// The platform's app-data folder.
    Platform,
}

/// The database as the status screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StorageStatus {
    /// The database file.
    pub path: String,
    /// The newest schema migration applied.
    pub schema_version: u32,
    /// Migrations applied / known to this build.
    pub migrations_applied: u32,
    /// Migrations this build carries.
    pub migrations_known: u32,
    /// Size on disk in bytes (database and write-ahead log).
    pub size_bytes: f64,
    /// SQLite journal mode.
    pub journal_mode: String,
    /// Plans known.
    pub plans: u32,
    /// Connections to plans.
    pub connections: u32,
    /// Records cached.
    pub resources: u32,
    /// Sync runs recorded.
    pub sync_runs: u32,
    /// Where the key that encrypts the database is kept.
    pub key_home: KeyHome,
}

/// Where the key that encrypts the database (SQLCipher, AES-256) is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum KeyHome {
    /// A random key in the OS keychain.
    Keychain,
    /// Derived from a passphrase only the member knows.
    Passphrase,
}

/// What a disconnect did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DisconnectResult {
    /// The plan confirmed the revocation.
    pub revoked_at_plan: bool,
    /// The cached records were deleted.
    pub data_deleted: bool,
}

/// Progress of a sync, after every page.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    /// Connection.
    pub connection_id: String,
    /// Resource type being fetched.
    pub resource_type: String,
    /// Pages so far in this pass.
    pub pages: u32,
    /// Resources so far in this pass.
    pub resources: u32,
    /// Bytes so far in this pass.
    pub bytes: f64,
    /// This type is finished.
    pub done: bool,
}

/// How one resource type went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum TypeOutcome {
    /// Fetched completely.
    Done,
    /// The member did not share it, or the plan does not share it.
    NotShared,
    /// Failed; retried by the next sync from where it stopped.
    Failed,
    /// Stopped on request.
    Cancelled,
}

/// One resource type's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TypeResult {
    /// Resource type.
    pub resource_type: String,
    /// Outcome.
    pub outcome: TypeOutcome,
    /// Resources fetched in this pass.
    pub fetched: u32,
    /// Resources the plan no longer returned (kept, marked).
    pub marked_missing: u32,
    /// What went wrong, in words.
    pub problem: Option<String>,
    /// What went wrong, as a code to branch on (`None` unless it failed or is not shared).
    pub failure: Option<SyncFailureCode>,
}

/// Why a sync or one of its types failed: one spelling, stored in the database, logged and
/// sent to the UI (see `SyncFailureCode::as_str`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SyncFailureCode {
    /// The plan refused the token even after refreshing it.
    ReconnectNeeded,
    /// The plan (or the member) does not share this type.
    NotShared,
    /// The plan refused every form of the request.
    Rejected,
    /// The plan kept answering "too many requests".
    RateLimited,
    /// The plan kept failing.
    ServerError,
    /// The plan could not be reached.
    Network,
    /// A page was larger than Folio accepts.
    TooLarge,
    /// The plan sent something Folio cannot read.
    Malformed,
    /// A link led away from the plan.
    ForeignLink,
    /// The plan's pages loop or never end.
    PagingLoop,
    /// One or more types failed (a whole sync's code).
    TypesFailed,
    /// A database query failed.
    StorageQueryFailed,
    /// The database could not be opened.
    StorageUnavailable,
    /// The disk is full.
    DiskFull,
    /// The keychain failed.
    KeychainUnavailable,
    /// The plan's token service refused.
    TokenError,
    /// Access to the plan ended before this finished and the plan does not renew it: signing
    /// in again lets the next sync finish where this one stopped.
    ReconnectToFinish,
    /// A bug in Folio.
    Internal,
}

/// A finished sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    /// Connection.
    pub connection_id: String,
    /// Stopped on request.
    pub cancelled: bool,
    /// Per type.
    pub types: Vec<TypeResult>,
}

/// A sync running now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RunningSync {
    /// The run (one run may cover several connections: "sync all").
    pub run_id: u32,
    /// The connection it is downloading.
    pub connection_id: String,
}

/// Something that happened in Folio, in the order it happened. The desktop shell forwards
/// each to the window as one event; the CLI prints them.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum FolioEvent {
    /// A sync of a connection started.
    SyncStarted {
        /// The run.
        #[serde(rename = "runId")]
        run_id: u32,
        /// The connection.
        #[serde(rename = "connectionId")]
        connection_id: String,
    },
    /// A sync saved a page (or finished a type).
    SyncProgress {
        /// The run.
        #[serde(rename = "runId")]
        run_id: u32,
        /// What it has done so far.
        progress: SyncProgress,
    },
    /// A sync of a connection ended: its report, or why it could not run to the end.
    SyncFinished {
        /// The run.
        #[serde(rename = "runId")]
        run_id: u32,
        /// The connection.
        #[serde(rename = "connectionId")]
        connection_id: String,
        /// Per type, when the sync ran to its end (finished, failed types or cancelled).
        report: Option<SyncReport>,
        /// What stopped it otherwise (the plan needs the member to connect again, ...).
        error: Option<ApiError>,
    },
    /// A connection's records changed (a sync saved some): screens showing them re-read.
    RecordsChanged {
        /// The connection whose records changed.
        #[serde(rename = "connectionId")]
        connection_id: String,
        /// Of what it saved, the claims, results and prior-authorization decisions Folio did
        /// not hold before (counted on a connection's later syncs, not its first download).
        #[serde(rename = "newRecords")]
        new_records: NewRecordCounts,
    },
    /// A background sync brought new claims, results or prior-authorization decisions: one
    /// notice for the whole batch (the shell shows it as one desktop notification).
    NewRecordsNotice {
        /// How many of each arrived, over every connection the batch synced.
        counts: NewRecordCounts,
        /// The screen that shows them.
        screen: NoticeScreen,
    },
    /// A connection was added, changed or removed (connect, import, sync, disconnect).
    ConnectionChanged {
        /// The connection.
        #[serde(rename = "connectionId")]
        connection_id: String,
    },
}

/// New records of the kinds a member is told about, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NewRecordCounts {
    /// Claims (ExplanationOfBenefit that are not prior authorizations).
    pub claims: u32,
    /// Results: laboratory Observations and DiagnosticReports.
    pub results: u32,
    /// Prior-authorization decisions: ClaimResponse, and ExplanationOfBenefit with
    /// `use` = `preauthorization` or `predetermination`.
    pub prior_authorizations: u32,
}

/// The screen a new-records notice opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum NoticeScreen {
    /// What is new, across kinds (more than one kind arrived).
    Overview,
    /// The records (claims or prior authorizations only).
    Records,
    /// Labs and vitals (results only).
    Labs,
}

/// How often connections sync in the background while Folio is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BackgroundSync {
    /// Every this many hours (1 to 720); `None`: never in the background.
    pub every_hours: Option<u32>,
}

/// What part of the timeline to show.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TimelineQuery {
    /// Only these resource types (all when empty).
    pub types: Vec<String>,
    /// Only these connections (all when empty).
    pub connections: Vec<String>,
    /// Words to find.
    pub text: Option<String>,
    /// Show records with sensitive labels.
    pub include_sensitive: bool,
    /// From this date (YYYY-MM-DD).
    pub from: Option<String>,
    /// Until this date (YYYY-MM-DD, exclusive).
    pub until: Option<String>,
    /// Where the previous page ended.
    pub cursor: Option<String>,
    /// Items per page (1 to 500).
    pub limit: u32,
}

/// One item of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TimelineItem {
    /// Connection it came from.
    pub connection_id: String,
    /// The plan's name.
    pub plan_name: String,
    /// FHIR type.
    pub resource_type: String,
    /// Id at the plan.
    pub resource_id: String,
    /// When it happened, as the plan wrote it.
    pub date: String,
    /// Its name, or what kind of record it is (a lab's readable name: "Cholesterol").
    pub title: String,
    /// The full name when `title` shortened it ("Cholesterol [Mass/volume] in Serum or Plasma").
    pub full_title: Option<String>,
    /// What kind of record, in plain words.
    pub kind: String,
    /// Carries a sensitive security label.
    pub sensitive: bool,
    /// Other plans that sent the same item.
    pub other_sources: Vec<String>,
    /// The screen that shows it in full instead of the record's detail (a claim, a prior
    /// authorization); absent for any other record.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[specta(optional)]
    pub opens_on: Option<RecordScreen>,
}

/// An attachment as the record screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentView {
    /// Its title.
    pub title: Option<String>,
    /// MIME type.
    pub content_type: String,
    /// How it is shown.
    pub kind: AttachmentKind,
    /// Its size in bytes (as held, or as the plan stated).
    pub bytes: f64,
    /// Plain text, for `text`.
    pub text: Option<String>,
    /// HTML reduced to safe formatting, for `html`.
    pub html: Option<String>,
    /// A `data:` URL, for `image`.
    pub data_url: Option<String>,
    /// Where the plan keeps it, when it sent only that (Folio does not fetch it).
    pub url: Option<String>,
    /// The text was cut for showing (the record holds all of it).
    pub shortened: bool,
}

/// How an attachment is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    /// Plain text.
    Text,
    /// Sanitized HTML.
    Html,
    /// An image.
    Image,
    /// A PDF (saved, not shown inline).
    Pdf,
    /// Held at the plan only (a URL).
    Link,
    /// Another format (saved, not shown).
    Other,
}

/// Billed, allowed, plan paid, member owed: `None` when the plan did not say.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClaimAmountsView {
    /// What the provider billed.
    pub billed: Option<f64>,
    /// What the plan allowed.
    pub allowed: Option<f64>,
    /// What the plan paid.
    pub plan_paid: Option<f64>,
    /// What the member owed.
    pub member_owed: Option<f64>,
}

/// One service line of a claim.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClaimLineView {
    /// Line number.
    pub sequence: u32,
    /// The service in words.
    pub service: String,
    /// When.
    pub date: Option<String>,
    /// Its amounts.
    pub amounts: ClaimAmountsView,
}

/// A claim in plain language.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClaimView {
    /// Professional, institutional, pharmacy… in words.
    pub kind: String,
    /// Claim status.
    pub status: Option<String>,
    /// Processing outcome.
    pub outcome: Option<String>,
    /// Service period.
    pub start: Option<String>,
    /// Service period end.
    pub end: Option<String>,
    /// The provider's name, when known.
    pub provider: Option<String>,
    /// In or out of network, when the plan says.
    pub network: Option<String>,
    /// Currency (ISO 4217).
    pub currency: String,
    /// Totals.
    pub totals: ClaimAmountsView,
    /// Service lines.
    pub lines: Vec<ClaimLineView>,
    /// The visit the claim is for and the records of that visit, when the claim names it.
    pub visit: Option<VisitLink>,
}

/// A visit a claim names, with the clinical records of that visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VisitLink {
    /// The Encounter's id (same connection as the claim).
    pub encounter_id: String,
    /// What the visit is called.
    pub title: String,
    /// When.
    pub date: Option<String>,
    /// The visit's other records (labs, conditions, procedures, notes...).
    pub items: Vec<VisitItem>,
}

/// One record of a visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VisitItem {
    /// FHIR type.
    pub resource_type: String,
    /// Id.
    pub resource_id: String,
    /// What it is called.
    pub title: String,
    /// What kind of record, in plain words.
    pub kind: String,
}

/// A page of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TimelinePage {
    /// Items, newest first.
    pub items: Vec<TimelineItem>,
    /// Pass back to get the next page; none at the end.
    pub next_cursor: Option<String>,
}

/// One record with where it came from. The JSON is sent as text on purpose (a "view source"
/// panel); it is never interpreted as markup.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RecordDetail {
    /// Connection.
    pub connection_id: String,
    /// FHIR type.
    pub resource_type: String,
    /// Id at the plan.
    pub resource_id: String,
    /// What kind of record, in plain words.
    pub kind: String,
    /// The plan's name.
    pub plan_name: String,
    /// The plan's FHIR base.
    pub fhir_base: String,
    /// When Folio fetched it.
    pub fetched_at: String,
    /// The request that returned it.
    pub source_request: Option<String>,
    /// Carries a sensitive security label.
    pub sensitive: bool,
    /// When the plan stopped returning it, if it did.
    pub missing_since: Option<String>,
    /// The resource as the plan sent it, indented.
    pub json: String,
    /// The claim in plain language, when the record is a claim (a prior authorization is not).
    pub claim: Option<ClaimView>,
    /// The screen that shows this record in full, when one does (a claim, a prior
    /// authorization).
    pub opens_on: Option<RecordScreen>,
    /// The record's narrative, reduced to safe formatting (no scripts, styles, handlers,
    /// images, forms or outside links); none when it has none.
    pub narrative_html: Option<String>,
    /// Other plans that sent the same item.
    pub other_sources: Vec<String>,
    /// The record's attachments (documents, report forms).
    pub attachments: Vec<AttachmentView>,
    /// What the record says, people's fields first (value, range, flag, dates, who, where).
    pub summary: RecordSummary,
}

/// A screen of its own for a kind of record, beside the record's detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum RecordScreen {
    /// The claim screen (`#/claims/{id}`): an ExplanationOfBenefit that is a claim.
    Claim,
    /// The prior-authorization screen: an ExplanationOfBenefit that is a prior authorization.
    PriorAuthorization,
}

/// A record as a member reads it: what it is, then its facts in words.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RecordSummary {
    /// What it is, in words ("Cholesterol", "Office visit"); none when the record does not say.
    pub title: Option<String>,
    /// The full name when `title` shortened it (a LOINC long name).
    pub full_name: Option<String>,
    /// The lab's interpretation, for a result.
    pub flag: Option<LabFlag>,
    /// The facts, in reading order.
    pub facts: Vec<RecordFact>,
}

/// One fact about a record: "Result: 11.2 thousand per µL", "Prescribed by: Dr. Ana Ruiz".
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RecordFact {
    /// What the fact is.
    pub label: String,
    /// The fact in words (none for a date).
    pub text: Option<String>,
    /// A FHIR date or dateTime to show in the member's format.
    pub date: Option<String>,
    /// The record the fact names (a clinician, a place), when Folio holds it.
    pub link: Option<RecordLink>,
}

/// A record of the same connection, to open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RecordLink {
    /// FHIR type.
    pub resource_type: String,
    /// Id at the plan.
    pub resource_id: String,
}

/// The member's remembered choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Preferences {
    /// Show records with sensitive labels (hidden until the member chooses).
    pub show_sensitive: bool,
}

/// One plan year of claims, added up.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClaimYear {
    /// The plan's name.
    pub plan_name: String,
    /// Calendar year of service.
    pub year: String,
    /// Claims (prior authorizations are not counted).
    pub claims: u32,
    /// Sums of what each claim stated (claims that did not state an amount add nothing).
    pub totals: ClaimAmountsView,
    /// Currency.
    pub currency: String,
}

/// One lab test or vital sign the member has results for, with its latest result.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LabTest {
    /// Which test: its coding as `system|code` (pass back to [`LabSeries`] queries).
    pub key: String,
    /// The LOINC code, when the test has one.
    pub loinc: Option<String>,
    /// The test's name, readable ("Cholesterol").
    pub name: String,
    /// The full name when `name` shortened it ("Cholesterol [Mass/volume] in Serum or Plasma").
    pub full_name: Option<String>,
    /// `lab` or `vital`.
    pub category: LabCategory,
    /// Results held (copies of one result from several plans count once).
    pub results: u32,
    /// The newest result.
    pub latest: LabReading,
}

/// Lab test or vital sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum LabCategory {
    /// A laboratory result.
    Lab,
    /// A vital sign (blood pressure, weight, ...).
    Vital,
}

/// One result as a member reads it.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LabReading {
    /// When it was measured.
    pub date: Option<String>,
    /// The value with its unit ("104 mg/dL", "128/82 mmHg", "Negative").
    pub value: String,
    /// The reference range in words ("70–99 mg/dL"), when the lab gave one.
    pub range: Option<String>,
    /// The lab's flag in words, when it gave one.
    pub flag: Option<LabFlag>,
    /// Where it came from.
    pub plan_name: String,
    /// Connection, type is Observation, id: to open the record.
    pub connection_id: String,
    /// The Observation's id.
    pub resource_id: String,
}

/// The lab's interpretation, in the words a member needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum LabFlag {
    /// Within range.
    Normal,
    /// Above range.
    High,
    /// Below range.
    Low,
    /// Critically high.
    CriticalHigh,
    /// Critically low.
    CriticalLow,
    /// Abnormal, direction not given.
    Abnormal,
}

/// One test's results over time, on one scale per measured value.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LabSeries {
    /// As in [`LabTest::key`].
    pub key: String,
    /// The test's name.
    pub name: String,
    /// One line per measured value (blood pressure has two).
    pub lines: Vec<LabLine>,
}

/// One measured value over time, every point in `unit`.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LabLine {
    /// What is measured.
    pub name: String,
    /// The unit every point is in (the one most results used).
    pub unit: Option<String>,
    /// Reference range of the newest result that gave one, in `unit`.
    pub low: Option<f64>,
    /// Reference range, high end.
    pub high: Option<f64>,
    /// Oldest first.
    pub points: Vec<LabPoint>,
    /// Results left off the line because their unit could not be converted exactly.
    pub unconverted: u32,
}

/// One result on a line.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LabPoint {
    /// When.
    pub date: String,
    /// The value in the line's unit.
    pub value: f64,
    /// The value as the lab reported it, when it was converted ("5.5 mmol/L").
    pub reported_as: Option<String>,
    /// The lab's flag.
    pub flag: Option<LabFlag>,
    /// Where it came from.
    pub plan_name: String,
    /// To open the record.
    pub connection_id: String,
    /// The Observation's id.
    pub resource_id: String,
}

/// The first screen: coverage cards, what is held, what is new since the last visit.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    /// One card per Coverage the plans sent.
    pub coverages: Vec<CoverageCard>,
    /// Records held, by kind, most first.
    pub counts: Vec<KindCount>,
    /// When the member last opened Folio before this session (`None`: first visit).
    pub last_visit: Option<String>,
    /// Records downloaded new or changed since then, by kind.
    pub changed: Vec<KindCount>,
    /// The newest of those (by when they happened) that the member can open, each with its
    /// address (at most eight); empty on a first visit.
    pub new_items: Vec<TimelineItem>,
}

/// An insurance card, from a Coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CoverageCard {
    /// The connected plan that sent it.
    pub plan_name: String,
    /// Its connection.
    pub connection_id: String,
    /// The insurer named on it.
    pub payor: Option<String>,
    /// Member id.
    pub member_id: Option<String>,
    /// Benefit plan.
    pub plan: Option<String>,
    /// Group.
    pub group: Option<String>,
    /// Kind of coverage.
    pub kind: Option<String>,
    /// From.
    pub start: Option<String>,
    /// Until (none: ongoing).
    pub end: Option<String>,
    /// `active`, `cancelled`, ...
    pub status: Option<String>,
    /// The member's relationship to the subscriber.
    pub relationship: Option<String>,
}

/// How many records of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct KindCount {
    /// FHIR type.
    pub resource_type: String,
    /// In words ("Claims", "Labs and vital signs").
    pub kind: String,
    /// How many.
    pub count: u32,
}

/// The formats Folio exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// One FHIR R4 Bundle of type `collection` (JSON).
    Bundle,
    /// Bulk-style NDJSON: a folder with one file per resource type and a manifest.
    Ndjson,
    /// An International Patient Summary (IPS 2.0) document Bundle for one source.
    Ips,
    /// A printable summary of one source for a doctor, as a PDF.
    Pdf,
}

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    /// The format.
    pub format: ExportFormat,
    /// Only these connections (all when empty).
    pub connections: Vec<String>,
    /// Only these resource types (all when empty); the member, coverage, organizations,
    /// clinicians and locations come along with any selection.
    pub types: Vec<String>,
    /// Dated records from this day (YYYY-MM-DD); undated ones are always included.
    pub from: Option<String>,
    /// Dated records before this day (exclusive).
    pub until: Option<String>,
    /// Include records with sensitive security labels (the member is asked).
    pub include_sensitive: bool,
    /// Replace an existing file at the target (only after the member confirmed it).
    pub overwrite: bool,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportSummary {
    /// Where.
    pub path: String,
    /// The format.
    pub format: ExportFormat,
    /// Resources exported (Folio's Provenance not counted).
    pub resources: u32,
    /// Plans they came from (one Provenance each).
    pub sources: u32,
    /// Bytes written.
    pub bytes: f64,
    /// Files written.
    pub files: u32,
}

/// What an import added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    /// The new file source (a connection of kind `file`).
    pub connection_id: String,
    /// Its name ("File: history.json").
    pub name: String,
    /// Resources saved.
    pub resources: u32,
    /// Entries refused (not valid resources).
    pub rejected: u32,
    /// Files read.
    pub files: u32,
}

/// What "remove all my data" did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RemovedData {
    /// Sources removed (plan connections and imported files).
    pub sources: u32,
    /// Of which plan connections (their keychain entries deleted).
    pub plan_connections: u32,
    /// Plans that confirmed revoking Folio's access.
    pub revoked_at_plans: u32,
    /// Plans Folio had registered itself at (RFC 7591) that deleted that registration when
    /// asked (RFC 7592).
    pub registrations_deleted: u32,
    /// Plans Folio had registered itself at that could not be asked or did not delete it (the
    /// member can remove Folio at the plan's developer portal); their keychain entries are
    /// deleted all the same.
    pub registrations_not_deleted: u32,
}

/// A part of Folio's searches that a plan refused or silently ignored (issue 15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum SearchFeature {
    /// Everything a claim points at, in one go (`_include=ExplanationOfBenefit:*`).
    AllLinkedRecords,
    /// The records a claim points at (any `_include`).
    LinkedRecords,
    /// Where each record came from (`_revinclude=Provenance:target`).
    RecordSources,
    /// Only what changed since the last sync (`_lastUpdated`).
    OnlyChanges,
    /// A page size (`_count`).
    PageSize,
    /// A page size above the default (a large `_count`).
    LargePages,
    /// Lab results and measurements asked for without a category (US Core filters).
    Unfiltered,
}

/// What one kind of record's searches take at a plan, as Folio found out by syncing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TypeSupport {
    /// FHIR resource type (`ExplanationOfBenefit`, …).
    pub resource_type: String,
    /// What the plan refused (answered 400/422) when Folio asked.
    pub refused: Vec<SearchFeature>,
    /// What the plan accepted but silently did not do (left out of its answer's self link).
    pub dropped: Vec<SearchFeature>,
    /// The records these point at (a claim's provider and insurer, …) come with them.
    pub linked_records_included: bool,
    /// Where each record came from comes with it.
    pub record_sources: bool,
    /// Later syncs ask only for what changed; `None` when not known yet.
    pub only_changes: Option<bool>,
    /// The plan needs lab results and measurements asked for by category.
    pub filters_required: bool,
    /// Records per page the plan gives; `None` when not learned.
    pub page_size: Option<u32>,
    /// Several of these records can be looked up at once; `None` when not tried.
    pub batch_lookup: Option<bool>,
    /// When Folio last probed this type from the top (RFC 3339).
    pub probed_at: Option<String>,
}

/// What a plan's FHIR server supports, as Folio found out by syncing with it: per kind of
/// record, and as plain sentences for the plan's details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanSupport {
    /// The plan.
    pub plan_id: String,
    /// Nothing learned yet (no sync has reached the plan).
    pub unknown: bool,
    /// The fewest records per page the plan gives, when it gives fewer than Folio asks.
    pub page_size: Option<u32>,
    /// Whether Folio fetched the records claims and visits point at itself.
    pub linked_fetched_separately: bool,
    /// Kinds of records the plan cannot look up several at once (read one by one).
    pub read_one_by_one: Vec<String>,
    /// When Folio last probed the plan (RFC 3339).
    pub probed_at: Option<String>,
    /// Per resource type.
    pub types: Vec<TypeSupport>,
    /// What the member should know, in plain sentences.
    pub sentences: Vec<String>,
}

pub use crate::prior_auths::{
    CodedWords, PriorAuthDetail, PriorAuthItemView, PriorAuthOverview, PriorAuthStatus,
    PriorAuthSummary,
};

pub use crate::claims::{
    AmountColumn, BalanceView, CareTeamEntry, ClaimDetail, ClaimKindView, ClaimLineDetail,
    ClaimList, ClaimQuery, ClaimReasonView, ClaimStatusView, ClaimSummary, CostSummary,
    PharmacyFillView, PlanCosts, MAX_CLAIMS_PAGE,
};
