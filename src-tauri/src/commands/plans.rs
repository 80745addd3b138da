//! Plans: the catalog, plans the member adds, and the built-in demo plan.

use folio_core::api::{ApiError, PlanSummary, PlanSupport, RedirectStyle};
use folio_core::Folio;

use crate::demo::DemoPlan;

/// Every plan Folio can connect to.
#[tauri::command]
#[specta::specta]
pub async fn list_plans(folio: tauri::State<'_, Folio>) -> Result<Vec<PlanSummary>, ApiError> {
    folio.plans().await.map_err(ApiError::from)
}

/// Adds a plan by FHIR base URL and the client id its developer portal issued.
#[tauri::command]
#[specta::specta]
pub async fn add_plan(
    folio: tauri::State<'_, Folio>,
    name: String,
    fhir_base: String,
    client_id: String,
    redirect: RedirectStyle,
) -> Result<PlanSummary, ApiError> {
    folio
        .add_plan(&name, &fhir_base, &client_id, redirect)
        .await
        .map_err(ApiError::from)
}

/// Starts the demo plan inside Folio (once) and returns it.
#[tauri::command]
#[specta::specta]
pub async fn start_demo_plan(
    folio: tauri::State<'_, Folio>,
    demo: tauri::State<'_, DemoPlan>,
) -> Result<PlanSummary, ApiError> {
    demo.ensure_running(&folio).await
}

/// What a plan's FHIR server supports, as Folio found out by syncing with it (for the plan's
/// details: what it refused or ignored, the page size it gives, in plain sentences).
#[tauri::command]
#[specta::specta]
pub async fn plan_support(
    folio: tauri::State<'_, Folio>,
    plan_id: String,
) -> Result<PlanSupport, ApiError> {
    folio.plan_support(&plan_id).await.map_err(ApiError::from)
}
