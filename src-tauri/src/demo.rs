//! The built-in demo plan: folio-sandbox started inside the app the first time the member asks
//! for it, on 127.0.0.1, and stopped with the app.

use folio_core::api::{ApiError, ErrorCode, PlanSummary, RedirectStyle};
use folio_core::Folio;
use folio_sandbox::{Sandbox, SandboxConfig};
use tokio::sync::Mutex;

/// The running demo plan, if started.
#[derive(Default)]
pub struct DemoPlan {
    sandbox: Mutex<Option<Sandbox>>,
}

impl DemoPlan {
    /// Starts the sandbox if needed and points the demo plan at it. The catalog lists the one
    /// sandbox twice (`demo` returns by loopback, `demo-app-link` through Folio's link): both
    /// entries get its address, and the loopback one is returned.
    pub async fn ensure_running(&self, folio: &Folio) -> Result<PlanSummary, ApiError> {
        let mut slot = self.sandbox.lock().await;
        if slot.is_none() {
            let sandbox = Sandbox::start(SandboxConfig::default())
                .await
                .map_err(|e| ApiError {
                    code: ErrorCode::DemoUnavailable,
                    message: format!("the demo plan could not start: {e}"),
                })?;
            folio
                .set_demo_plan_base(sandbox.fhir_base())
                .await
                .map_err(ApiError::from)?;
            *slot = Some(sandbox);
        }
        let plans = folio.plans().await.map_err(ApiError::from)?;
        let mut demos = plans.into_iter().filter(|p| p.is_demo).collect::<Vec<_>>();
        demos.sort_by_key(|p| p.redirect != RedirectStyle::Loopback);
        demos.into_iter().next().ok_or(ApiError {
            code: ErrorCode::PlanNotFound,
            message: "the demo plan is missing from the catalog".into(),
        })
    }

    /// Starts the demo plan when `plan_id` is one of its entries.
    pub async fn ensure_running_for(&self, folio: &Folio, plan_id: &str) -> Result<(), ApiError> {
        let plans = folio.plans().await.map_err(ApiError::from)?;
        if plans.iter().any(|p| p.is_demo && p.id == plan_id) {
            self.ensure_running(folio).await?;
        }
        Ok(())
    }
}
