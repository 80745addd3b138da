//! `ConnectionChanged` comes from every change to the connections list, not only from a sync
//! (issue 16): connecting a plan, disconnecting it, importing a file (a new source) and removing
//! that source each send one, in that order, before the call returns, so a screen updates from
//! the event instead of reading the list again after the call. Tokens live in a memory secret
//! store (no keychain needed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use folio_core::api::{ConnectionStatus, FolioEvent, SourceKind};
use folio_core::{DataDir, Folio};
use folio_sandbox::{MemberSource, Sandbox, SandboxConfig};
use tokio::sync::broadcast::{self, error::TryRecvError};

mod common;

/// The one event sent since the last call, which must be `ConnectionChanged` for `id`.
fn changed(events: &mut broadcast::Receiver<FolioEvent>, id: &str, after: &str) {
    match events.try_recv() {
        Ok(FolioEvent::ConnectionChanged { connection_id }) => {
            assert_eq!(connection_id, id, "{after}: the connection that changed");
        }
        other => panic!("{after}: expected ConnectionChanged for {id}, got {other:?}"),
    }
    assert!(
        matches!(events.try_recv(), Err(TryRecvError::Empty)),
        "{after}: one event, no more"
    );
}

#[tokio::test]
async fn connect_disconnect_import_and_removal_each_send_connection_changed_in_order() {
    let sandbox = Sandbox::start(SandboxConfig {
        members: vec![MemberSource::Generated {
            login: "demo".into(),
            name: ("Ana".into(), "Rivera".into()),
            seed: 16,
            size: 20,
        }],
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(folio_secrets::MemoryStore::default());
    let folio =
        Arc::new(Folio::with_secrets(DataDir::at(dir.path().join("profile")), secrets).unwrap());
    folio.set_demo_plan_base(sandbox.fhir_base()).await.unwrap();
    let mut events = folio.subscribe();

    // Connect: the new connection is in the list when its event arrives.
    let c = common::connect_plan(&folio, "demo", "demo", &[])
        .await
        .unwrap();
    changed(&mut events, &c.id, "connect");
    let listed = folio.connections().await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|x| (x.id.as_str(), x.status))
            .collect::<Vec<_>>(),
        [(c.id.as_str(), ConnectionStatus::Connected)]
    );

    // Disconnect, keeping the records: its status changed.
    folio.disconnect(&c.id, false).await.unwrap();
    changed(&mut events, &c.id, "disconnect");
    assert_eq!(
        folio.connection(&c.id).await.unwrap().status,
        ConnectionStatus::Disconnected
    );

    // Import: a new file source.
    let file = dir.path().join("history.json");
    std::fs::write(
        &file,
        r#"{"resourceType":"Bundle","type":"collection","entry":[
            {"fullUrl":"urn:uuid:6a3c8f2e-0d7e-4b7a-9a59-1f1b7e3c2d10","resource":{"resourceType":"Patient","id":"p-16"}},
            {"resource":{"resourceType":"Condition","id":"cond-1","subject":{"reference":"Patient/p-16"},"code":{"text":"Asthma"}}}]}"#,
    )
    .unwrap();
    let imported = folio.import(&file).await.unwrap();
    changed(&mut events, &imported.connection_id, "import");
    let source = folio.connection(&imported.connection_id).await.unwrap();
    assert_eq!(source.kind, SourceKind::File);

    // Removing the file source (and its records).
    let removed = folio
        .disconnect(&imported.connection_id, true)
        .await
        .unwrap();
    assert!(removed.data_deleted);
    changed(
        &mut events,
        &imported.connection_id,
        "removing the file source",
    );
    assert_eq!(
        folio
            .connections()
            .await
            .unwrap()
            .iter()
            .map(|x| x.id.as_str())
            .collect::<Vec<_>>(),
        [c.id.as_str()],
        "only the disconnected plan is left"
    );

    // Deleting the plan connection's records too.
    folio.disconnect(&c.id, true).await.unwrap();
    changed(&mut events, &c.id, "deleting the plan connection");
    assert!(folio.connections().await.unwrap().is_empty());
}
