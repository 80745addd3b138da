//! The store's typed statuses as the UI receives them. folio-store keeps them as sqlx types;
//! `api` has their serde/specta twins. Both spell every value the same way (snake_case), so a
//! status reads the same on disk, in logs and over IPC (tested below).

use crate::api;

impl From<folio_store::ConnectionStatus> for api::ConnectionStatus {
    fn from(status: folio_store::ConnectionStatus) -> Self {
        use folio_store::ConnectionStatus as S;
        match status {
            S::Connecting => Self::Connecting,
            S::Connected => Self::Connected,
            S::ReconnectNeeded => Self::ReconnectNeeded,
            S::Disconnected => Self::Disconnected,
        }
    }
}

impl From<folio_store::SourceKind> for api::SourceKind {
    fn from(kind: folio_store::SourceKind) -> Self {
        match kind {
            folio_store::SourceKind::Plan => Self::Plan,
            folio_store::SourceKind::File => Self::File,
        }
    }
}

impl api::ConnectionStatus {
    /// Every status.
    pub const ALL: [Self; 6] = [
        Self::Connecting,
        Self::Connected,
        Self::ReconnectNeeded,
        Self::ReconnectToFinish,
        Self::ReconnectAfterRestore,
        Self::Disconnected,
    ];

    /// The one spelling: sent over IPC (its serde name), logged and printed by the CLI; for a
    /// stored status, the stored spelling. (`ReconnectToFinish` is stored as
    /// `reconnect_needed` with the failure code `reconnect_to_finish`, `ReconnectAfterRestore`
    /// as `reconnect_needed` with the reason `restored_from_backup`.)
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Connected => "connected",
            Self::ReconnectNeeded => "reconnect_needed",
            Self::ReconnectToFinish => "reconnect_to_finish",
            Self::ReconnectAfterRestore => "reconnect_after_restore",
            Self::Disconnected => "disconnected",
        }
    }
}

impl api::SourceKind {
    /// Every kind.
    pub const ALL: [Self; 2] = [Self::Plan, Self::File];

    /// The one spelling (IPC, logs, the CLI, and the stored `source_kind`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Plan => "plan",
            Self::File => "file",
        }
    }
}

impl std::fmt::Display for api::ConnectionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for api::SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn wire<T: serde::Serialize>(value: T) -> String {
        serde_json::to_value(value)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn a_status_is_spelled_the_same_on_disk_and_over_ipc() {
        for status in folio_store::ConnectionStatus::ALL {
            let sent = api::ConnectionStatus::from(status);
            assert_eq!(wire(sent), status.as_str());
            assert_eq!(sent.as_str(), status.as_str());
        }
        for kind in folio_store::SourceKind::ALL {
            let sent = api::SourceKind::from(kind);
            assert_eq!(wire(sent), kind.as_str());
            assert_eq!(sent.as_str(), kind.as_str());
        }
    }

    #[test]
    fn what_the_cli_and_logs_print_is_what_the_ui_receives() {
        for status in api::ConnectionStatus::ALL {
            assert_eq!(status.to_string(), wire(status));
        }
        for kind in api::SourceKind::ALL {
            assert_eq!(kind.to_string(), wire(kind));
        }
    }
}
