//! The authorization request (standalone launch, PKCE S256, `aud`, `state`) and the checks on
//! the answer that comes back to the redirect URI.

use folio_secrets::Sensitive;
use url::Url;

use crate::{random_state, PkcePair, SmartConfiguration, SmartError};

/// One sign-in in progress: everything needed to check its answer and redeem its code.
/// `Debug` shows no secret.
pub struct PendingAuthorization {
    config: SmartConfiguration,
    client_id: String,
    redirect_uri: String,
    state: String,
    pkce: PkcePair,
    scopes: Vec<String>,
}

impl std::fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("fhir_base", &self.config.fhir_base.as_str())
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

/// A code the plan issued, ready to be exchanged once. `Debug` shows no code.
#[derive(Debug)]
pub struct AuthorizationCode(pub(crate) Sensitive<String>);

impl PendingAuthorization {
    /// Starts a sign-in: a fresh `state` and PKCE pair, bound to this plan's discovered
    /// endpoints and to `redirect_uri`.
    pub fn new(
        config: SmartConfiguration,
        client_id: &str,
        redirect_uri: &str,
        scopes: Vec<String>,
    ) -> Self {
        Self {
            config,
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            state: random_state(),
            pkce: PkcePair::generate(),
            scopes,
        }
    }

    /// The URL to open in the member's browser.
    pub fn authorize_url(&self) -> Url {
        let mut url = self.config.authorization_endpoint.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("scope", &self.scopes.join(" "))
            .append_pair("state", &self.state)
            .append_pair("aud", self.config.fhir_base.as_str())
            .append_pair("code_challenge", self.pkce.challenge())
            .append_pair("code_challenge_method", "S256");
        url
    }

    /// This sign-in's `state`.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// Where the plan must send the member back.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The plan's configuration this sign-in is bound to.
    pub fn config(&self) -> &SmartConfiguration {
        &self.config
    }

    /// The client id used.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The scopes asked for.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    pub(crate) fn verifier(&self) -> &str {
        self.pkce.verifier()
    }

    /// Checks an answer that arrived at `arrived_at` (the redirect URI it reached, without query)
    /// with `params` (its query): same redirect URI, same `state`, the right `iss` (RFC 9207),
    /// then either a code or the plan's error.
    pub fn accept(
        &self,
        arrived_at: &str,
        params: &[(String, String)],
    ) -> Result<AuthorizationCode, SmartError> {
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        if arrived_at != self.redirect_uri {
            return Err(SmartError::RedirectMismatch);
        }
        if get("state") != Some(self.state.as_str()) {
            return Err(SmartError::StateMismatch);
        }
        let expected_iss = self
            .config
            .issuer
            .as_deref()
            .unwrap_or(self.config.fhir_base.as_str());
        // RFC 9207 §2.4: simple string comparison, character for character (no trimming or
        // normalising: `https://plan/` and `https://plan` are two issuers).
        match get("iss") {
            Some(iss) if iss != expected_iss => return Err(SmartError::IssuerMismatch),
            None if self.config.iss_parameter_supported => return Err(SmartError::IssuerMismatch),
            _ => {}
        }
        if let Some(error) = get("error") {
            return Err(if error == "access_denied" {
                SmartError::Denied
            } else {
                let detail = get("error_description")
                    .map(|d| format!("{error}: {}", truncate(d)))
                    .unwrap_or_else(|| error.to_owned());
                SmartError::AuthorizationFailed(detail)
            });
        }
        match get("code") {
            Some(code) if !code.is_empty() => {
                Ok(AuthorizationCode(Sensitive::new(code.to_owned())))
            }
            _ => Err(SmartError::InvalidResponse(
                "the answer has neither a code nor an error".into(),
            )),
        }
    }
}

/// Server-supplied text, bounded so a hostile server cannot flood the screen.
pub(crate) fn truncate(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DiscoverySource;

    fn config(iss_supported: bool) -> SmartConfiguration {
        let base = Url::parse("https://plan.example/fhir").unwrap();
        SmartConfiguration {
            fhir_base: base.clone(),
            issuer: Some("https://plan.example/fhir".into()),
            authorization_endpoint: Url::parse("https://plan.example/auth?tenant=1").unwrap(),
            token_endpoint: Url::parse("https://plan.example/token").unwrap(),
            revocation_endpoint: None,
            management_endpoint: None,
            registration_endpoint: None,
            capabilities: vec![],
            scopes_supported: vec![],
            token_endpoint_auth_signing_alg_values_supported: Vec::new(),
            iss_parameter_supported: iss_supported,
            source: DiscoverySource::WellKnown,
        }
    }

    fn pending(iss: bool) -> PendingAuthorization {
        PendingAuthorization::new(
            config(iss),
            "folio",
            "http://127.0.0.1:5000/cb/demo",
            vec!["patient/*.read".into()],
        )
    }

    fn p(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn the_authorize_url_carries_every_smart_parameter() {
        let pa = pending(true);
        let url = pa.authorize_url();
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| {
            q.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        assert_eq!(get("tenant"), "1", "the endpoint's own query is kept");
        assert_eq!(get("response_type"), "code");
        assert_eq!(get("aud"), "https://plan.example/fhir");
        assert_eq!(get("code_challenge_method"), "S256");
        assert_eq!(
            get("code_challenge"),
            PkcePair::from_verifier(pa.verifier().into()).challenge()
        );
        assert_eq!(get("state"), pa.state());
        assert!(pa.state().len() >= 43, "at least 256 bits of state");
    }

    #[test]
    fn answers_are_checked_before_a_code_is_accepted() {
        let pa = pending(true);
        let st = pa.state().to_owned();
        let ok = p(&[
            ("code", "c1"),
            ("state", &st),
            ("iss", "https://plan.example/fhir"),
        ]);
        assert!(pa.accept("http://127.0.0.1:5000/cb/demo", &ok).is_ok());
        assert!(matches!(
            pa.accept("http://127.0.0.1:5000/cb/other", &ok),
            Err(SmartError::RedirectMismatch)
        ));
        let forged = p(&[
            ("code", "c1"),
            ("state", "forged"),
            ("iss", "https://plan.example/fhir"),
        ]);
        assert!(matches!(
            pa.accept("http://127.0.0.1:5000/cb/demo", &forged),
            Err(SmartError::StateMismatch)
        ));
        let mixup = p(&[
            ("code", "c1"),
            ("state", &st),
            ("iss", "https://evil.example/fhir"),
        ]);
        assert!(matches!(
            pa.accept("http://127.0.0.1:5000/cb/demo", &mixup),
            Err(SmartError::IssuerMismatch)
        ));
        let no_iss = p(&[("code", "c1"), ("state", &st)]);
        assert!(matches!(
            pa.accept("http://127.0.0.1:5000/cb/demo", &no_iss),
            Err(SmartError::IssuerMismatch)
        ));
        assert!(pending(false)
            .accept(
                "http://127.0.0.1:5000/cb/demo",
                &p(&[("code", "c"), ("state", "x")])
            )
            .is_err());
        let denied = p(&[
            ("error", "access_denied"),
            ("state", &st),
            ("iss", "https://plan.example/fhir"),
        ]);
        assert!(matches!(
            pa.accept("http://127.0.0.1:5000/cb/demo", &denied),
            Err(SmartError::Denied)
        ));
        let refused = p(&[
            ("error", "invalid_scope"),
            ("error_description", "no\nway"),
            ("state", &st),
            ("iss", "https://plan.example/fhir"),
        ]);
        match pa.accept("http://127.0.0.1:5000/cb/demo", &refused) {
            Err(SmartError::AuthorizationFailed(d)) => assert_eq!(d, "invalid_scope: noway"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_issuer_is_compared_character_for_character() {
        let pa = pending(true);
        let st = pa.state().to_owned();
        for near in [
            "https://plan.example/fhir/",
            "https://plan.example/fhir//",
            "HTTPS://plan.example/fhir",
            "https://PLAN.example/fhir",
            " https://plan.example/fhir",
        ] {
            assert!(
                matches!(
                    pa.accept(
                        "http://127.0.0.1:5000/cb/demo",
                        &p(&[("code", "c"), ("state", &st), ("iss", near)])
                    ),
                    Err(SmartError::IssuerMismatch)
                ),
                "{near:?} is not the issuer"
            );
        }
    }

    #[test]
    fn a_plan_without_iss_support_may_omit_it() {
        let pa = pending(false);
        let st = pa.state().to_owned();
        assert!(pa
            .accept(
                "http://127.0.0.1:5000/cb/demo",
                &p(&[("code", "c"), ("state", &st)])
            )
            .is_ok());
    }
}
