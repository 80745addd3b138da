//! The statuses and kinds the store keeps as text, typed. Each is written and read through
//! sqlx (`#[derive(sqlx::Type)]`), spelled in snake_case exactly as the migrations' `CHECK`
//! constraints list them (and as every earlier version wrote them), so no stored row changes.
//! `as_str` is the same spelling, for logs; folio-core's `api` twins serialize to it too.

use std::fmt;

/// Where a connection stands (`connections.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// Signing in.
    Connecting,
    /// Working.
    Connected,
    /// The plan no longer accepts the authorization; records are kept.
    ReconnectNeeded,
    /// Disconnected by the member; records kept.
    Disconnected,
}

/// What a source is (`connections.source_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(rename_all = "snake_case")]
pub enum SourceKind {
    /// A connection to a plan's Patient Access API.
    Plan,
    /// A file the member imported (no tokens, nothing to download).
    File,
}

/// Where one resource type's sync stands (`sync_state.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(rename_all = "snake_case")]
pub enum TypeSyncStatus {
    /// Never synced.
    Pending,
    /// A pass is under way (or was cut off: the next sync resumes it).
    Running,
    /// The last pass finished.
    Done,
    /// The last attempt failed; its unfinished pass is kept.
    Failed,
    /// The plan or the member does not share this type.
    NotShared,
}

/// How a sync run ended (`sync_runs.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(rename_all = "snake_case")]
pub enum RunStatus {
    /// Under way (or the process ended during it).
    Running,
    /// Every type finished, or was not shared.
    Succeeded,
    /// One or more types failed.
    Failed,
    /// Stopped on request.
    Cancelled,
}

impl ConnectionStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [
        Self::Connecting,
        Self::Connected,
        Self::ReconnectNeeded,
        Self::Disconnected,
    ];

    /// The stored spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Connected => "connected",
            Self::ReconnectNeeded => "reconnect_needed",
            Self::Disconnected => "disconnected",
        }
    }
}

impl SourceKind {
    /// Every kind.
    pub const ALL: [Self; 2] = [Self::Plan, Self::File];

    /// The stored spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Plan => "plan",
            Self::File => "file",
        }
    }
}

impl TypeSyncStatus {
    /// Every status.
    pub const ALL: [Self; 5] = [
        Self::Pending,
        Self::Running,
        Self::Done,
        Self::Failed,
        Self::NotShared,
    ];

    /// The stored spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::NotShared => "not_shared",
        }
    }
}

impl RunStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [
        Self::Running,
        Self::Succeeded,
        Self::Failed,
        Self::Cancelled,
    ];

    /// The stored spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
display_as_str!(ConnectionStatus, SourceKind, TypeSyncStatus, RunStatus);
