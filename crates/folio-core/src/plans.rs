//! The plans a member can connect to: the bundled catalog (`catalog/plans.json`, format in
//! docs/plan-catalog.md) and plans the member adds by FHIR base URL and client id.

use std::sync::OnceLock;

use serde::Deserialize;

use folio_store::PlanRow;

use crate::api::{CatalogRegistration, ClientAuthMethod, PlanSummary, RedirectStyle};
use crate::CoreError;

/// The catalog file, compiled in.
const CATALOG: &str = include_str!("../catalog/plans.json");

#[derive(Deserialize)]
struct Catalog {
    format: String,
    plans: Vec<CatalogPlan>,
}

#[derive(Deserialize)]
struct CatalogPlan {
    id: String,
    name: String,
    logo: Option<String>,
    fhir_base: Option<String>,
    #[serde(default)]
    demo: bool,
    /// A public client id issued to Folio; `null` for a plan each member registers Folio at.
    client_id: Option<String>,
    redirect: String,
    notes: Option<String>,
    /// Where the endpoint was published (every real plan has one; docs/plan-catalog.md).
    endpoint_source: String,
    /// The plan's developer portal (required without a client id).
    #[serde(default)]
    portal: Option<String>,
    /// `none`, `secret-basic`, `secret-post` or `private-key-jwt`.
    #[serde(default)]
    client_auth: Option<ClientAuthMethod>,
    /// `confidential` or `public`: the app type to pick at the portal.
    #[serde(default)]
    app_type: Option<String>,
    #[serde(default)]
    scopes: Option<String>,
    #[serde(default)]
    redirect_note: Option<String>,
}

impl CatalogPlan {
    /// What a member needs to register Folio at this plan, for a real plan without a client id.
    fn registration(&self) -> Option<CatalogRegistration> {
        if self.client_id.is_some() || self.demo {
            return None;
        }
        Some(CatalogRegistration {
            portal: self.portal.clone().unwrap_or_default(),
            endpoint_source: self.endpoint_source.clone(),
            client_auth: self.client_auth.unwrap_or_default(),
            app_type: self.app_type.clone().unwrap_or_else(|| "public".into()),
            scopes: self.scopes.clone(),
            redirect_note: self.redirect_note.clone(),
            member_plan_id: slug(&self.name),
        })
    }
}

fn parsed() -> Result<Catalog, CoreError> {
    serde_json::from_str(CATALOG).map_err(|e| CoreError::Catalog(e.to_string()))
}

/// The registration facts of the catalog's plans, by plan id (parsed once).
fn registrations() -> &'static [(String, CatalogRegistration)] {
    static REGISTRATIONS: OnceLock<Vec<(String, CatalogRegistration)>> = OnceLock::new();
    REGISTRATIONS.get_or_init(|| {
        parsed()
            .map(|c| {
                c.plans
                    .iter()
                    .filter_map(|p| p.registration().map(|r| (p.id.clone(), r)))
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// The catalog's plans as rows. A demo plan's base is filled in when its sandbox starts.
pub(crate) fn catalog() -> Result<Vec<PlanRow>, CoreError> {
    let catalog = parsed()?;
    if catalog.format != "folio-plan-catalog/1" {
        return Err(CoreError::Catalog(format!(
            "unknown format {}",
            catalog.format
        )));
    }
    catalog
        .plans
        .into_iter()
        .map(|p| {
            if RedirectStyle::parse(&p.redirect).is_none() {
                return Err(CoreError::Catalog(format!(
                    "plan {}: redirect must be loopback or custom-scheme",
                    p.id
                )));
            }
            if !p.demo && p.fhir_base.is_none() {
                return Err(CoreError::Catalog(format!(
                    "plan {} has no fhir_base",
                    p.id
                )));
            }
            if let Some(r) = p.registration() {
                // The member's own entry must not take the catalog entry's id.
                if r.portal.is_empty() || r.endpoint_source.is_empty() || r.member_plan_id == p.id
                {
                    return Err(CoreError::Catalog(format!(
                        "plan {} needs a portal, an endpoint_source and a name whose slug is not its id",
                        p.id
                    )));
                }
            }
            let client_auth = p.client_auth.unwrap_or_default();
            Ok(PlanRow {
                id: p.id,
                name: p.name,
                fhir_base: p.fhir_base.unwrap_or_default(),
                client_id: p.client_id.unwrap_or_default(),
                redirect_style: p.redirect,
                origin: "catalog".into(),
                logo: p.logo,
                notes: p.notes,
                is_demo: p.demo,
                client_auth: client_auth.as_str().into(),
                loopback_port: None,
            })
        })
        .collect()
}

impl RedirectStyle {
    /// `loopback` or `custom-scheme`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "loopback" => Some(Self::Loopback),
            "custom-scheme" => Some(Self::CustomScheme),
            _ => None,
        }
    }

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Loopback => "loopback",
            Self::CustomScheme => "custom-scheme",
        }
    }
}

pub(crate) fn summary(row: &PlanRow) -> PlanSummary {
    PlanSummary {
        id: row.id.clone(),
        name: row.name.clone(),
        fhir_base: row.fhir_base.clone(),
        client_id: row.client_id.clone(),
        redirect: RedirectStyle::parse(&row.redirect_style).unwrap_or(RedirectStyle::Loopback),
        from_catalog: row.origin == "catalog",
        is_demo: row.is_demo,
        notes: row.notes.clone(),
        client_auth: ClientAuthMethod::parse(&row.client_auth).unwrap_or_default(),
        registration: if row.origin == "catalog" && row.client_id.is_empty() {
            registrations()
                .iter()
                .find(|(id, _)| *id == row.id)
                .map(|(_, r)| r.clone())
        } else {
            None
        },
    }
}

/// A plan id from a name: lower-case letters, digits and dashes, at most 40 characters.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(40).collect();
    if out.is_empty() {
        "plan".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_catalog_is_valid_and_has_the_demo_plan() {
        let plans = catalog().unwrap();
        let demo = plans.iter().find(|p| p.is_demo).unwrap();
        assert_eq!(demo.id, "demo");
        assert_eq!(demo.redirect_style, "loopback");
        // The same in-app demo plan, returning through Folio's link (the sandbox registers
        // `health.folio.desktop:/cb/demo-app-link` for Folio's client id).
        let link = plans.iter().find(|p| p.id == "demo-app-link").unwrap();
        assert!(link.is_demo);
        assert_eq!(link.redirect_style, "custom-scheme");
        assert_eq!(link.client_id, demo.client_id);
    }

    #[test]
    fn real_catalog_plans_say_where_to_register_and_have_a_public_source() {
        let plans = catalog().unwrap();
        let real: Vec<_> = plans.iter().filter(|p| !p.is_demo).collect();
        assert!(
            real.len() >= 4,
            "Blue Button (sandbox, production), Humana, Capital Blue Cross"
        );
        for row in real {
            // No client id ships for a real plan: the member registers Folio themselves.
            assert_eq!(row.client_id, "", "{}", row.id);
            assert!(row.fhir_base.starts_with("https://"), "{}", row.id);
            let summary = summary(row);
            let reg = summary.registration.unwrap();
            assert!(reg.portal.starts_with("https://"), "{}", row.id);
            assert!(reg.endpoint_source.contains("https://"), "{}", row.id);
            assert_ne!(reg.member_plan_id, row.id);
            assert_eq!(reg.member_plan_id, slug(&row.name));
        }
        let bb = plans
            .iter()
            .find(|p| p.id == "cms-blue-button-sandbox")
            .unwrap();
        assert_eq!(bb.fhir_base, "https://sandbox.bluebutton.cms.gov/v2/fhir");
        assert_eq!(bb.client_auth, "client_secret_basic");
        let reg = summary(bb).registration.unwrap();
        assert_eq!(reg.app_type, "confidential");
        // The redirect path the guide shows (the app's tests use the same id).
        assert_eq!(reg.member_plan_id, "medicare-blue-button-2-0-sandbox-cms");
        assert!(reg
            .scopes
            .unwrap()
            .contains("patient/ExplanationOfBenefit.rs"));
        // The demo plans ship Folio's client id and need no registration.
        let demo = plans.iter().find(|p| p.id == "demo").unwrap();
        assert!(summary(demo).registration.is_none());
    }

    #[test]
    fn slugs_are_url_path_safe() {
        assert_eq!(slug("Blue Cross — Test Plan!"), "blue-cross-test-plan");
        assert_eq!(slug("***"), "plan");
        assert_eq!(slug(&"a".repeat(80)).len(), 40);
    }
}
