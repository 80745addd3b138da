//! Folio's client credentials at a plan (issue 15): a plan the member registered Folio at
//! themselves may have issued a client secret, or holds the public half of a key pair Folio
//! made for it (`private_key_jwt`). The secret lives in the OS keychain only, under
//! `plan-secret/{plan id}`, and the private key under `plan-key/{plan id}`; the plan row names
//! the method, never the secret or the key.

use folio_secrets::{SecretStore, Sensitive};
use folio_smart::{ClientAuth, ClientKey, SigningAlg};
use folio_store::PlanRow;

use crate::api::{AddPlanRequest, AddedPlanView, ClientAuthMethod, PlanSummary, RedirectStyle};
use crate::CoreError;

/// The longest client secret Folio keeps (portals issue 32–128 characters).
const MAX_SECRET_CHARS: usize = 1000;

/// A plan the member adds: where it is, the client id its portal issued, how Folio
/// authenticates there, and how the member comes back to Folio.
#[derive(Debug, Clone)]
pub struct NewPlan {
    /// Display name.
    pub name: String,
    /// The FHIR base URL of the plan's Patient Access API.
    pub fhir_base: String,
    /// The client id the plan's developer portal issued.
    pub client_id: String,
    /// How Folio authenticates to the plan's token service.
    pub client_auth: ClientAuthMethod,
    /// The client secret, for [`ClientAuthMethod::SecretBasic`] and [`ClientAuthMethod::SecretPost`].
    pub client_secret: Option<Sensitive<String>>,
    /// How the plan sends the member back.
    pub redirect: RedirectStyle,
    /// A fixed loopback port, when the plan's portal registered one exact redirect URI.
    pub loopback_port: Option<u16>,
    /// Register Folio at the plan first (RFC 7591 dynamic registration): the plan issues the
    /// client id, so `client_id` is left empty.
    pub register: bool,
}

impl NewPlan {
    /// A public client (no secret) returning as `redirect`.
    pub fn public(name: &str, fhir_base: &str, client_id: &str, redirect: RedirectStyle) -> Self {
        Self {
            name: name.to_owned(),
            fhir_base: fhir_base.to_owned(),
            client_id: client_id.to_owned(),
            client_auth: ClientAuthMethod::None,
            client_secret: None,
            redirect,
            loopback_port: None,
            register: false,
        }
    }
}

impl TryFrom<AddPlanRequest> for NewPlan {
    type Error = CoreError;

    fn try_from(r: AddPlanRequest) -> Result<Self, CoreError> {
        let loopback_port = r
            .loopback_port
            .map(|p| {
                u16::try_from(p).ok().filter(|p| *p > 0).ok_or_else(|| {
                    CoreError::InvalidPlan("the loopback port must be between 1 and 65535".into())
                })
            })
            .transpose()?;
        Ok(Self {
            name: r.name,
            fhir_base: r.fhir_base,
            client_id: r.client_id,
            client_auth: r.client_auth,
            client_secret: r.client_secret.map(Sensitive::new),
            redirect: r.redirect,
            loopback_port,
            register: r.register,
        })
    }
}

impl From<AddedPlan> for AddedPlanView {
    fn from(added: AddedPlan) -> Self {
        Self {
            plan: added.plan,
            jwks: added.jwks,
        }
    }
}

/// A plan just added.
#[derive(Debug, Clone)]
pub struct AddedPlan {
    /// The plan as listed.
    pub plan: PlanSummary,
    /// For `private_key_jwt`: the public JWKS to give the plan's developer portal.
    pub jwks: Option<String>,
}

impl ClientAuthMethod {
    /// The stored spelling (RFC 7591's `token_endpoint_auth_method`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::SecretBasic => "client_secret_basic",
            Self::SecretPost => "client_secret_post",
            Self::PrivateKeyJwt => "private_key_jwt",
        }
    }

    /// From the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "none" => Some(Self::None),
            "client_secret_basic" => Some(Self::SecretBasic),
            "client_secret_post" => Some(Self::SecretPost),
            "private_key_jwt" => Some(Self::PrivateKeyJwt),
            _ => None,
        }
    }

    /// Whether the plan issued a secret for this method.
    pub fn uses_secret(self) -> bool {
        matches!(self, Self::SecretBasic | Self::SecretPost)
    }
}

/// The keychain account of a plan's client secret.
pub(crate) fn secret_account(plan_id: &str) -> String {
    format!("plan-secret/{plan_id}")
}

/// The keychain account of a plan's RFC 7592 registration: its access token and where the
/// registration is managed (a [`KeptRegistration`] as JSON).
pub(crate) fn registration_account(plan_id: &str) -> String {
    format!("plan-registration/{plan_id}")
}

/// What the keychain keeps of a registration Folio made at a plan: the registration access
/// token, and the `registration_client_uri` it is used at (absent if the plan gave none).
#[derive(serde::Serialize, serde::Deserialize)]
struct KeptRegistration {
    registration_client_uri: Option<String>,
    registration_access_token: String,
}

/// Keeps a registration's access token and management address in the keychain.
pub(crate) fn keep_registration(
    secrets: &dyn SecretStore,
    plan_id: &str,
    token: &Sensitive<String>,
    uri: Option<&folio_smart::Url>,
) -> Result<(), CoreError> {
    let kept = KeptRegistration {
        registration_client_uri: uri.map(|u| u.to_string()),
        registration_access_token: token.expose().clone(),
    };
    let json = serde_json::to_string(&kept)
        .map_err(|_| CoreError::Internal("a registration could not be written".into()))?;
    secrets.put(&registration_account(plan_id), &Sensitive::new(json))?;
    Ok(())
}

/// The registration Folio made at `plan_id`, from the keychain: where it is managed and its
/// access token; `None` when Folio registered nothing there, or the plan gave no address or
/// token to manage it with.
pub(crate) fn kept_registration(
    secrets: &dyn SecretStore,
    plan_id: &str,
) -> Result<Option<(folio_smart::Url, Sensitive<String>)>, CoreError> {
    let Some(kept) = secrets.get(&registration_account(plan_id))? else {
        return Ok(None);
    };
    let Ok(kept) = serde_json::from_str::<KeptRegistration>(kept.expose()) else {
        return Ok(None);
    };
    let Some(uri) = kept
        .registration_client_uri
        .as_deref()
        .and_then(|u| folio_smart::Url::parse(u).ok())
    else {
        return Ok(None);
    };
    Ok(Some((uri, Sensitive::new(kept.registration_access_token))))
}

/// The keychain account of a plan's private key.
pub(crate) fn key_account(plan_id: &str) -> String {
    format!("plan-key/{plan_id}")
}

/// Makes a new key pair signing with `alg` for `plan_id` and keeps its private half in the
/// keychain (its PKCS#8 type says the algorithm); returns the public JWKS and the algorithm.
/// The key is made on a blocking thread: finding an RSA key's primes takes a while, and the
/// runtime's tasks (an HTTP connection the plan is closing, say) must go on meanwhile.
pub(crate) async fn new_key(
    secrets: &dyn SecretStore,
    plan_id: &str,
    alg: SigningAlg,
) -> Result<(String, SigningAlg), CoreError> {
    let key = tokio::task::spawn_blocking(move || ClientKey::generate(alg))
        .await
        .map_err(|_| CoreError::Internal("making the plan's key pair stopped".into()))??;
    secrets.put(&key_account(plan_id), &key.to_pem()?)?;
    Ok((key.public_jwks()?, key.alg()))
}

/// The redirect URIs Folio registers for `plan_id`: the loopback one (any port, RFC 8252
/// §7.3, or the fixed port) and Folio's link.
pub(crate) fn redirect_uris(plan_id: &str, loopback_port: Option<u16>) -> Vec<String> {
    let loopback = match loopback_port {
        Some(port) => format!("http://127.0.0.1:{port}/cb/{plan_id}"),
        None => format!("http://127.0.0.1/cb/{plan_id}"),
    };
    vec![loopback, format!("{}:/cb/{plan_id}", crate::URL_SCHEME)]
}

/// The plan's key pair, from the keychain.
pub(crate) fn key(secrets: &dyn SecretStore, plan_id: &str) -> Result<ClientKey, CoreError> {
    let pem = secrets
        .get(&key_account(plan_id))?
        .ok_or(CoreError::ClientCredentialsMissing)?;
    Ok(ClientKey::from_pem(&pem)?)
}

/// Checks the secret that comes with `method`: one for a secret method (a line of up to
/// [`MAX_SECRET_CHARS`] characters), none for the others.
pub(crate) fn check_secret(
    method: ClientAuthMethod,
    secret: Option<&Sensitive<String>>,
) -> Result<(), CoreError> {
    match (method.uses_secret(), secret) {
        (true, None) => Err(CoreError::InvalidPlan(
            "this way of signing in needs the client secret the plan's portal gave you".into(),
        )),
        (true, Some(s))
            if s.expose().is_empty()
                || s.expose().chars().count() > MAX_SECRET_CHARS
                || s.expose().chars().any(char::is_control) =>
        {
            Err(CoreError::InvalidPlan(format!(
                "the client secret must be one line of up to {MAX_SECRET_CHARS} characters, as the plan's portal gave it"
            )))
        }
        (false, Some(_)) => Err(CoreError::InvalidPlan(
            "a client secret is only used with secret-basic or secret-post".into(),
        )),
        _ => Ok(()),
    }
}

/// How Folio authenticates at `plan`, with its secret read from the keychain.
pub(crate) fn client_auth(
    secrets: &dyn SecretStore,
    plan: &PlanRow,
) -> Result<ClientAuth, CoreError> {
    let method = ClientAuthMethod::parse(&plan.client_auth).ok_or_else(|| {
        CoreError::Internal("a plan's client authentication method is unknown".into())
    })?;
    let secret = || -> Result<Sensitive<String>, CoreError> {
        secrets
            .get(&secret_account(&plan.id))?
            .ok_or(CoreError::ClientCredentialsMissing)
    };
    Ok(match method {
        ClientAuthMethod::None => ClientAuth::None,
        ClientAuthMethod::SecretBasic => ClientAuth::SecretBasic(secret()?),
        ClientAuthMethod::SecretPost => ClientAuth::SecretPost(secret()?),
        ClientAuthMethod::PrivateKeyJwt => {
            ClientAuth::PrivateKeyJwt(Box::new(key(secrets, &plan.id)?))
        }
    })
}

/// Deletes whatever the keychain holds for `plan_id`'s client credentials.
pub(crate) fn forget(secrets: &dyn SecretStore, plan_id: &str) -> Result<(), CoreError> {
    secrets.delete(&secret_account(plan_id))?;
    secrets.delete(&key_account(plan_id))?;
    secrets.delete(&registration_account(plan_id))?;
    Ok(())
}
