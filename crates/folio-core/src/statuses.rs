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
            assert_eq!(wire(api::ConnectionStatus::from(status)), status.as_str());
        }
        for kind in folio_store::SourceKind::ALL {
            assert_eq!(wire(api::SourceKind::from(kind)), kind.as_str());
        }
    }
}
