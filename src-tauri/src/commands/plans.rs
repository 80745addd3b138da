//! Plans: the catalog, plans the member adds, and the built-in demo plan.

use folio_core::api::{AddPlanRequest, AddedPlanView, ApiError, PlanSummary, PlanSupport};
use folio_core::{Folio, NewPlan};

use crate::demo::DemoPlan;

/// Every plan Folio can connect to.
#[tauri::command]
#[specta::specta]
pub async fn list_plans(folio: tauri::State<'_, Folio>) -> Result<Vec<PlanSummary>, ApiError> {
    folio.plans().await.map_err(ApiError::from)
}

/// Adds a plan by FHIR base URL and the client id its developer portal issued (or by
/// registering Folio at it), with the client authentication it requires; a client secret goes
/// to the OS keychain only.
#[tauri::command]
#[specta::specta]
pub async fn add_plan(
    folio: tauri::State<'_, Folio>,
    request: AddPlanRequest,
) -> Result<AddedPlanView, ApiError> {
    let new = NewPlan::try_from(request).map_err(ApiError::from)?;
    folio
        .add_plan_with(new)
        .await
        .map(AddedPlanView::from)
        .map_err(ApiError::from)
}

/// The public JWKS of the key Folio made for a `private-key-jwt` plan, to paste into the
/// plan's developer portal (no private part).
#[tauri::command]
#[specta::specta]
pub async fn plan_jwks(
    folio: tauri::State<'_, Folio>,
    plan_id: String,
) -> Result<String, ApiError> {
    folio.plan_jwks(&plan_id).await.map_err(ApiError::from)
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
