//! Background sync in the app: the scheduler on the computer's clock, and one desktop
//! notification per `NewRecordsNotice` (tauri-plugin-notification). A click on the
//! notification, where the platform reports it, brings the window forward and tells it which
//! screen to open (`OpenScreenMessage`); where it is not reported, the window opens that
//! screen the next time the member brings it forward (see ui/src/App.svelte).

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};

use folio_core::api::{FolioEvent, NewRecordCounts, NoticeScreen};
use folio_core::{Folio, Scheduler, SchedulerHandle, SystemClock};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tauri_specta::Event;

/// The screen a clicked notification opens, sent to the window.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct OpenScreenMessage(pub NoticeScreen);

/// The running background schedule (managed state; the settings command wakes it).
pub struct Background(pub SchedulerHandle);

/// Notifications shown, by id, with the screen each opens.
#[derive(Default)]
struct Shown {
    next_id: AtomicI32,
    screens: Mutex<HashMap<i32, NoticeScreen>>,
}

/// Starts the background schedule and the notifier. Call inside the Tauri runtime's setup.
pub fn start(app: &AppHandle, folio: &Folio) -> Background {
    let shown = Arc::new(Shown::default());
    let handle = app.clone();
    let clicked = shown.clone();
    if let Err(e) = app.notification().on_action(move |performed| {
        if performed.action_id() != "tap" {
            return;
        }
        let screens = clicked.screens.lock();
        let screen = screens.ok().and_then(|mut s| {
            performed
                .notification()
                .and_then(|n| s.remove(&n.id()))
                // The platform did not say which: the latest one.
                .or_else(|| s.iter().max_by_key(|(id, _)| **id).map(|(_, v)| *v))
        });
        bring_forward(&handle);
        if let Some(screen) = screen {
            if let Err(e) = OpenScreenMessage(screen).emit(&handle) {
                tracing::warn!(error = %e, "the window could not be told which screen to open");
            }
        }
    }) {
        tracing::warn!(error = %e, "notification clicks will not be reported");
    }
    notify_on_notices(app.clone(), folio, shown);
    let folio = folio.clone();
    let scheduler = tauri::async_runtime::block_on(async move {
        Scheduler::new(folio, Arc::new(SystemClock)).spawn()
    });
    Background(scheduler)
}

/// Shows one notification per `NewRecordsNotice`, until the app exits.
fn notify_on_notices(app: AppHandle, folio: &Folio, shown: Arc<Shown>) {
    use tokio::sync::broadcast::error::RecvError;
    let mut events = folio.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(FolioEvent::NewRecordsNotice { counts, screen }) => {
                    let id = shown.next_id.fetch_add(1, Ordering::Relaxed) + 1;
                    if let Ok(mut s) = shown.screens.lock() {
                        s.insert(id, screen);
                    }
                    let shown = app
                        .notification()
                        .builder()
                        .id(id)
                        .title("New in Folio")
                        .body(notice_text(counts))
                        .show();
                    if let Err(e) = shown {
                        tracing::warn!(error = %e, "a new-records notification could not be shown");
                    }
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => break,
            }
        }
    });
}

/// Shows, un-minimizes and focuses the main window.
fn bring_forward<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// The notification's words: counts only (no plan, no record, nothing about the member).
pub fn notice_text(c: NewRecordCounts) -> String {
    let mut parts = Vec::new();
    let mut add = |n: u32, one: &str, many: &str| {
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    };
    add(c.claims, "new claim", "new claims");
    add(c.results, "new result", "new results");
    add(
        c.prior_authorizations,
        "prior-authorization decision",
        "prior-authorization decisions",
    );
    let list = match parts.as_slice() {
        [] => return "Your health plans sent new records.".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    format!("Your health plans sent {list}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_says_how_many_of_each_kind_and_nothing_else() {
        let c = |claims, results, prior_authorizations| NewRecordCounts {
            claims,
            results,
            prior_authorizations,
        };
        assert_eq!(
            notice_text(c(3, 4, 1)),
            "Your health plans sent 3 new claims, 4 new results and 1 prior-authorization decision."
        );
        assert_eq!(
            notice_text(c(0, 1, 0)),
            "Your health plans sent 1 new result."
        );
        assert_eq!(
            notice_text(c(2, 0, 2)),
            "Your health plans sent 2 new claims and 2 prior-authorization decisions."
        );
    }
}
