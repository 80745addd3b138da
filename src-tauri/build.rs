//! Tauri's build step, with Folio's own commands listed in the app manifest so that the
//! capabilities in `capabilities/` gate each of them.
#![allow(clippy::expect_used)] // A failed build script must stop the build; expect says why.

/// Every `#[tauri::command]` Folio registers. A command missing here cannot be allowed.
const COMMANDS: &[&str] = &[
    "app_status",
    "unlock",
    "list_plans",
    "add_plan",
    "start_demo_plan",
    "plan_support",
    "plan_jwks",
    "begin_connect",
    "finish_connect",
    "cancel_connect",
    "list_connections",
    "disconnect",
    "start_sync",
    "cancel_sync",
    "timeline",
    "record",
    "preferences",
    "set_show_sensitive",
    "claim_years",
    "claims",
    "claim",
    "cost_summary",
    "my_health",
    "lab_tests",
    "lab_series",
    "prior_authorizations",
    "prior_authorization",
    "prior_auth_overview",
    "overview",
    "export_history",
    "import_history",
    "remove_all_data",
    "save_attachment",
    "background_sync",
    "set_background_sync",
    "launch_at_login",
    "set_launch_at_login",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed: check tauri.conf.json and capabilities/");
}
