//! The plans a member can connect to: the bundled catalog (`catalog/plans.json`, format in
//! docs/plan-catalog.md) and plans the member adds by FHIR base URL and client id.
//!
//! The plan use cases on [`Folio`]: listing the plans, adding one (a public client, with a
//! client secret or a key pair, or by registering Folio at it, RFC 7591), a key plan's public
//! JWKS, and pointing the demo plan at a running sandbox. Connecting, refreshing and
//! disconnecting are `connections.rs`'s.

use std::sync::OnceLock;

use serde::Deserialize;

use folio_smart::SmartError;
use folio_store::{PlanRow, Store};

use crate::api::{CatalogRegistration, ClientAuthMethod, PlanSummary, RedirectStyle};
use crate::credentials::{self, AddedPlan, NewPlan};
use crate::ids::new_id;
use crate::{CoreError, Folio};

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

impl Folio {
    /// Every plan, after refreshing the catalog entries.
    pub async fn plans(&self) -> Result<Vec<PlanSummary>, CoreError> {
        let store = &self.store().await?;
        Ok(store.plans().await?.iter().map(summary).collect())
    }

    /// Adds a plan by FHIR base URL and client id (as the plan's developer portal issued it),
    /// as a public client.
    pub async fn add_plan(
        &self,
        name: &str,
        fhir_base: &str,
        client_id: &str,
        redirect: RedirectStyle,
    ) -> Result<PlanSummary, CoreError> {
        let added = self
            .add_plan_with(NewPlan::public(name, fhir_base, client_id, redirect))
            .await?;
        Ok(added.plan)
    }

    /// Adds a plan with the client authentication it requires: a client secret goes to the OS
    /// keychain (`plan-secret/{plan id}`) before the plan row that names the method is saved.
    pub async fn add_plan_with(&self, new: NewPlan) -> Result<AddedPlan, CoreError> {
        let NewPlan {
            name,
            fhir_base,
            client_id,
            client_auth,
            client_secret,
            redirect,
            loopback_port,
            register,
        } = new;
        let name = name.trim();
        let client_id = client_id.trim();
        let fhir_base = fhir_base.as_str();
        if name.is_empty() || name.len() > 120 {
            return Err(CoreError::InvalidPlan(
                "give the plan a name (up to 120 characters)".into(),
            ));
        }
        // A plan Folio registers at issues the client id itself.
        if !register
            && (client_id.is_empty()
                || client_id.len() > 200
                || client_id.chars().any(char::is_whitespace))
        {
            return Err(CoreError::InvalidPlan(
                "the client id must be one word, as the plan issued it".into(),
            ));
        }
        if register && client_secret.is_some() {
            return Err(CoreError::InvalidPlan(
                "a plan Folio registers at issues its own secret, if any".into(),
            ));
        }
        if !register {
            credentials::check_secret(client_auth, client_secret.as_ref())?;
        }
        if loopback_port.is_some() && redirect != RedirectStyle::Loopback {
            return Err(CoreError::InvalidPlan(
                "a fixed port is only for the loopback redirect".into(),
            ));
        }
        if loopback_port == Some(0) {
            return Err(CoreError::InvalidPlan(
                "the loopback port must be between 1 and 65535".into(),
            ));
        }
        let base = folio_smart::parse_fhir_base(fhir_base).map_err(|e| match e {
            // Says which address and why: https is required (http only on this computer).
            SmartError::InsecureUrl { .. } => CoreError::Smart(e),
            _ => CoreError::InvalidPlan(
                "the FHIR base must be an https:// address without a query".into(),
            ),
        })?;
        let store = &self.store().await?;
        let mut id = slug(name);
        if store.plan(&id).await?.is_some() {
            id = format!("{id}-{}", &new_id("x")[2..8]);
        }
        let fhir_base = base.to_string().trim_end_matches('/').to_owned();
        if register {
            return self
                .register_plan(
                    store,
                    id,
                    name,
                    &fhir_base,
                    client_auth,
                    redirect,
                    loopback_port,
                )
                .await;
        }
        let row = PlanRow {
            id,
            name: name.to_owned(),
            fhir_base,
            client_id: client_id.to_owned(),
            redirect_style: redirect.as_str().to_owned(),
            origin: "member".into(),
            logo: None,
            notes: None,
            is_demo: false,
            client_auth: client_auth.as_str().to_owned(),
            loopback_port: loopback_port.map(i64::from),
        };
        // Keychain first: a row never names a secret or key that is not there.
        if let Some(secret) = &client_secret {
            self.secrets
                .put(&credentials::secret_account(&row.id), secret)?;
        }
        let jwks = match client_auth {
            ClientAuthMethod::PrivateKeyJwt => {
                // The key's type follows what the plan verifies assertions with.
                let config = folio_smart::discover(&self.http, &base).await?;
                let alg = folio_smart::SigningAlg::for_plan(
                    &config.token_endpoint_auth_signing_alg_values_supported,
                )?;
                Some(
                    credentials::new_key(self.secrets.as_ref(), &row.id, alg)
                        .await?
                        .0,
                )
            }
            _ => None,
        };
        if let Err(e) = store.save_plan(&row).await {
            credentials::forget(self.secrets.as_ref(), &row.id)?;
            return Err(e.into());
        }
        tracing::info!(plan = %row.id, method = client_auth.as_str(), "plan added");
        Ok(AddedPlan {
            plan: summary(&row),
            jwks,
        })
    }

    /// Adds a plan by registering Folio at it (RFC 7591): discovery must name a
    /// `registration_endpoint`; Folio registers as a native app with its redirect URIs and
    /// `method` (`none`, `private_key_jwt` with a new key's JWKS, or a secret method whose
    /// secret the plan issues), then keeps what the plan issued: the client id in the plan
    /// row, any secret and registration access token in the keychain.
    #[allow(clippy::too_many_arguments)]
    async fn register_plan(
        &self,
        store: &Store,
        id: String,
        name: &str,
        fhir_base: &str,
        method: ClientAuthMethod,
        redirect: RedirectStyle,
        loopback_port: Option<u16>,
    ) -> Result<AddedPlan, CoreError> {
        let config =
            folio_smart::discover(&self.http, &folio_smart::parse_fhir_base(fhir_base)?).await?;
        let endpoint = config
            .registration_endpoint
            .clone()
            .ok_or(SmartError::RegistrationUnavailable)?;
        let key = match method {
            ClientAuthMethod::PrivateKeyJwt => {
                let alg = folio_smart::SigningAlg::for_plan(
                    &config.token_endpoint_auth_signing_alg_values_supported,
                )?;
                Some(credentials::new_key(self.secrets.as_ref(), &id, alg).await?)
            }
            _ => None,
        };
        let jwks = key.as_ref().map(|(jwks, _)| jwks.clone());
        let registered_key = key
            .map(|(jwks, alg)| {
                serde_json::from_str::<serde_json::Value>(&jwks)
                    .map(|value| (value, alg))
                    .map_err(|_| CoreError::Internal("Folio's JWKS is not JSON".into()))
            })
            .transpose()?;
        let metadata = folio_smart::ClientMetadata::native(
            credentials::redirect_uris(&id, loopback_port),
            method.as_str(),
            registered_key,
        );
        let registered = match folio_smart::register(&self.http, &endpoint, &metadata).await {
            Ok(r) => r,
            Err(e) => {
                credentials::forget(self.secrets.as_ref(), &id)?;
                return Err(e.into());
            }
        };
        let kept = (|| -> Result<(), CoreError> {
            if method.uses_secret() {
                let secret = registered.client_secret.as_ref().ok_or_else(|| {
                    SmartError::InvalidResponse(
                        "the plan registered Folio without the client secret it asked for".into(),
                    )
                })?;
                self.secrets
                    .put(&credentials::secret_account(&id), secret)?;
            }
            if let Some(token) = &registered.registration_access_token {
                credentials::keep_registration(
                    self.secrets.as_ref(),
                    &id,
                    token,
                    registered.registration_client_uri.as_ref(),
                )?;
            }
            Ok(())
        })();
        let row = PlanRow {
            id,
            name: name.to_owned(),
            fhir_base: fhir_base.to_owned(),
            client_id: registered.client_id.clone(),
            redirect_style: redirect.as_str().to_owned(),
            origin: "member".into(),
            logo: None,
            notes: None,
            is_demo: false,
            client_auth: method.as_str().to_owned(),
            loopback_port: loopback_port.map(i64::from),
        };
        let saved = match kept {
            Ok(()) => store.save_plan(&row).await.map_err(CoreError::from),
            Err(e) => Err(e),
        };
        if let Err(e) = saved {
            credentials::forget(self.secrets.as_ref(), &row.id)?;
            return Err(e);
        }
        tracing::info!(plan = %row.id, method = method.as_str(), "registered at the plan and added");
        Ok(AddedPlan {
            plan: summary(&row),
            jwks,
        })
    }

    /// The public JWKS of the key Folio made for a `private_key_jwt` plan, to give the plan's
    /// developer portal (no private part).
    pub async fn plan_jwks(&self, plan_id: &str) -> Result<String, CoreError> {
        let plan = self.plan_row(plan_id).await?;
        if plan.client_auth != ClientAuthMethod::PrivateKeyJwt.as_str() {
            return Err(CoreError::InvalidPlan(
                "this plan does not sign in with a key pair (private-key-jwt), so it has no JWKS"
                    .into(),
            ));
        }
        Ok(credentials::key(self.secrets.as_ref(), &plan.id)?.public_jwks()?)
    }

    /// Points the demo plan at a running sandbox (the shell or the CLI starts it).
    pub async fn set_demo_plan_base(&self, fhir_base: &str) -> Result<(), CoreError> {
        let store = &self.store().await?;
        for mut plan in store.plans().await?.into_iter().filter(|p| p.is_demo) {
            plan.fhir_base = fhir_base.to_owned();
            store.save_plan(&plan).await?;
            self.forget_configuration(&plan.id);
        }
        Ok(())
    }

    pub(crate) async fn plan_row(&self, plan_id: &str) -> Result<PlanRow, CoreError> {
        self.store()
            .await?
            .plan(plan_id)
            .await?
            .ok_or(CoreError::PlanNotFound)
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
