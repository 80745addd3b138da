//! How Folio proves who it is to a plan's token service (code exchange, refresh, revocation):
//! as a public client (PKCE only), with the secret the plan's developer portal issued, sent in
//! an HTTP Basic header (`client_secret_basic`) or in the form (`client_secret_post`), or with a
//! client assertion signed by Folio's own key for the plan (`private_key_jwt`, RFC 7523).

use std::time::SystemTime;

use folio_secrets::Sensitive;
use url::Url;

use crate::client_key::ASSERTION_TYPE;
use crate::{ClientKey, SmartError};

/// Client authentication for one plan. `Debug` names the method, never the secret.
#[derive(Clone)]
pub enum ClientAuth {
    /// A public client: `client_id` in the form, no secret (PKCE protects the code).
    None,
    /// `client_secret_basic` (RFC 6749 §2.3.1): id and secret, each form-urlencoded, in an
    /// `Authorization: Basic` header.
    SecretBasic(Sensitive<String>),
    /// `client_secret_post`: `client_id` and `client_secret` in the form.
    SecretPost(Sensitive<String>),
    /// `private_key_jwt`: `client_id`, `client_assertion_type` and a new `client_assertion`
    /// signed with this key in the form.
    PrivateKeyJwt(Box<ClientKey>),
}

impl std::fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.method())
    }
}

impl ClientAuth {
    /// The method's name as in `token_endpoint_auth_method` (RFC 7591).
    pub fn method(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::SecretBasic(_) => "client_secret_basic",
            Self::SecretPost(_) => "client_secret_post",
            Self::PrivateKeyJwt(_) => "private_key_jwt",
        }
    }

    /// The form fields a signed client assertion adds to a request (none for other methods):
    /// a new assertion for `client_id` whose audience is the plan's token endpoint (SMART's
    /// rule, also accepted at revocation).
    pub(crate) fn assertion_fields(
        &self,
        client_id: &str,
        token_endpoint: &Url,
    ) -> Result<Vec<(&'static str, Sensitive<String>)>, SmartError> {
        match self {
            Self::PrivateKeyJwt(key) => Ok(vec![
                (
                    "client_assertion_type",
                    Sensitive::new(ASSERTION_TYPE.to_owned()),
                ),
                (
                    "client_assertion",
                    key.assertion(client_id, token_endpoint, SystemTime::now())?,
                ),
            ]),
            _ => Ok(Vec::new()),
        }
    }

    /// The error for a refusal of this client's authentication.
    pub(crate) fn rejected(&self) -> SmartError {
        match self {
            Self::PrivateKeyJwt(_) => SmartError::ClientAssertionRejected,
            _ => SmartError::ClientRejected,
        }
    }

    /// Adds this authentication to a plain form POST (revocation): the form fields and,
    /// for Basic, the header.
    pub(crate) fn apply_to_form(
        &self,
        request: reqwest::RequestBuilder,
        client_id: &str,
        token_endpoint: &Url,
        form: &mut Vec<(&'static str, String)>,
    ) -> Result<reqwest::RequestBuilder, SmartError> {
        Ok(match self {
            Self::None => {
                form.push(("client_id", client_id.to_owned()));
                request
            }
            Self::PrivateKeyJwt(_) => {
                form.push(("client_id", client_id.to_owned()));
                for (name, value) in self.assertion_fields(client_id, token_endpoint)? {
                    form.push((name, value.into_inner()));
                }
                request
            }
            Self::SecretBasic(secret) => {
                // RFC 6749 §2.3.1: both parts form-urlencoded before they are joined.
                let encode = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                request.basic_auth(encode(client_id), Some(encode(secret.expose())))
            }
            Self::SecretPost(secret) => {
                form.push(("client_id", client_id.to_owned()));
                form.push(("client_secret", secret.expose().clone()));
                request
            }
        })
    }
}
