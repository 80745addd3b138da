//! The plans a member can connect to: the bundled catalog (`catalog/plans.json`, format in
//! docs/plan-catalog.md) and plans the member adds by FHIR base URL and client id.

use serde::Deserialize;

use folio_store::PlanRow;

use crate::api::{PlanSummary, RedirectStyle};
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
    client_id: String,
    redirect: String,
    notes: Option<String>,
    /// Where the endpoint was published (kept in the file for reviewers; not shown).
    #[allow(dead_code)]
    endpoint_source: String,
}

/// The catalog's plans as rows. A demo plan's base is filled in when its sandbox starts.
pub(crate) fn catalog() -> Result<Vec<PlanRow>, CoreError> {
    let catalog: Catalog =
        serde_json::from_str(CATALOG).map_err(|e| CoreError::Catalog(e.to_string()))?;
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
            Ok(PlanRow {
                id: p.id,
                name: p.name,
                fhir_base: p.fhir_base.unwrap_or_default(),
                client_id: p.client_id,
                redirect_style: p.redirect,
                origin: "catalog".into(),
                logo: p.logo,
                notes: p.notes,
                is_demo: p.demo,
                // Catalog plans ship a public client id (issue 15 §3 adds the others).
                client_auth: "none".into(),
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
    fn slugs_are_url_path_safe() {
        assert_eq!(slug("Blue Cross — Test Plan!"), "blue-cross-test-plan");
        assert_eq!(slug("***"), "plan");
        assert_eq!(slug(&"a".repeat(80)).len(), 40);
    }
}
