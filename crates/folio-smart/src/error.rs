//! What can go wrong talking to a plan. Messages never carry a token, a code, a verifier or a
//! URL with its query string.

/// Which of a plan's addresses a check was about (named in messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlRole {
    /// The FHIR base (records).
    FhirBase,
    /// Where the member signs in.
    Authorization,
    /// Where codes and refresh tokens are redeemed.
    Token,
    /// Where tokens are revoked.
    Revocation,
    /// Where the member manages their authorizations at the plan.
    Management,
    /// Where apps register (RFC 7591).
    Registration,
    /// A page opened in the member's browser.
    Browser,
}

impl std::fmt::Display for UrlRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::FhirBase => "FHIR",
            Self::Authorization => "sign-in",
            Self::Token => "token",
            Self::Revocation => "revocation",
            Self::Management => "authorization management",
            Self::Registration => "registration",
            Self::Browser => "browser page",
        })
    }
}

/// A failure of the SMART client, named for what failed.
#[derive(Debug, thiserror::Error)]
pub enum SmartError {
    /// A URL could not be used (not http(s), has a query, does not parse).
    #[error("not a usable URL: {0}")]
    InvalidUrl(String),
    /// An address that would carry the sign-in, tokens or records in cleartext, or that is
    /// not a web address at all.
    #[error("Folio will not use the plan's {role} address: it must begin with https:// (plain http:// only for a plan on this computer), and this one begins with \"{scheme}:\"")]
    InsecureUrl {
        /// Which address.
        role: UrlRole,
        /// Its scheme (bounded), to tell a cleartext one from another kind.
        scheme: String,
    },
    /// The plan's server could not be reached (DNS, refused, TLS, timeout).
    #[error("the plan's server could not be reached: {0}")]
    Unreachable(String),
    /// The server answered but publishes no SMART configuration and no oauth-uris.
    #[error("this address is not a SMART on FHIR server (no .well-known/smart-configuration and no OAuth endpoints in /metadata)")]
    NotSmart,
    /// An unexpected HTTP status.
    #[error("the plan answered with HTTP {0}")]
    HttpStatus(u16),
    /// A response that could not be understood.
    #[error("the plan sent a response Folio cannot read: {0}")]
    InvalidResponse(String),
    /// The callback's `state` matches no pending sign-in (forged, replayed or too late).
    #[error("the sign-in answer does not belong to a sign-in Folio started (state mismatch)")]
    StateMismatch,
    /// The callback arrived on another plan's redirect path.
    #[error("the sign-in answer arrived at another plan's address")]
    RedirectMismatch,
    /// RFC 9207: the response names another issuer, or omits it when the plan sends it.
    #[error("the sign-in answer came from a different server than the plan (issuer mismatch)")]
    IssuerMismatch,
    /// The member said no at the plan.
    #[error("you did not allow access at the plan")]
    Denied,
    /// The plan refused the authorization request.
    #[error("the plan refused the sign-in: {0}")]
    AuthorizationFailed(String),
    /// The token endpoint refused the grant (`invalid_grant`): the member must sign in again.
    #[error("the plan no longer accepts this authorization; connect again")]
    GrantRevoked,
    /// The token service refused Folio's client authentication (`invalid_client`: a wrong
    /// secret, an unknown key, an assertion it does not accept).
    #[error("the plan refused Folio's client credentials (the client id and the secret or key Folio was given for it): check them at the plan's developer portal, then add the plan again with the right ones")]
    ClientRejected,
    /// The token service refused Folio's signed client assertion (`invalid_client` for a
    /// `private_key_jwt` client: an unknown key, a wrong audience, an expired assertion).
    #[error("the plan refused Folio's client credentials (the signed assertion made with Folio's key for it): check that the plan holds the public key `folio plans jwks` prints for it (the JWKS the app shows), and that this computer's date and time are right")]
    ClientAssertionRejected,
    /// The plan offers no dynamic client registration (RFC 7591).
    #[error("this plan does not let apps register themselves (its SMART configuration names no registration_endpoint): register Folio at the plan's developer portal, then add the plan with the client id it gives you")]
    RegistrationUnavailable,
    /// The plan refused to register Folio.
    #[error("the plan refused to register Folio: {0}; register Folio at the plan's developer portal instead, then add the plan with the client id it gives you")]
    RegistrationRefused(String),
    /// The plan did not delete Folio's registration (RFC 7592): its status, and its OAuth
    /// error code when it named one.
    #[error("the plan did not delete Folio's registration ({0}): remove Folio at the plan's developer portal if it lists it")]
    RegistrationNotDeleted(String),
    /// The plan's `token_endpoint_auth_signing_alg_values_supported` names neither ES384 nor
    /// RS384, the two algorithms SMART uses for signed client assertions (what it names is
    /// given, shortened).
    #[error("this plan verifies signed client assertions only with {0}, and Folio signs with ES384 or RS384 (as SMART asks): choose a client secret at the plan's developer portal instead, if it offers one")]
    NoSigningAlgorithm(String),
    /// Folio's key for a plan could not be made, read or used.
    #[error("Folio's key for this plan cannot be used: {0}")]
    ClientKey(String),
    /// The token endpoint refused for another reason.
    #[error("the plan's token service refused: {0}")]
    TokenRefused(String),
    /// The plan granted none of the data scopes Folio asked for.
    #[error("the plan granted no access to your records (scopes refused)")]
    ScopesRefused,
    /// No refresh token is held (the plan did not grant offline access).
    #[error("no refresh token: the plan did not grant offline access")]
    NoRefreshToken,
    /// The member did not finish signing in in time.
    #[error("the sign-in was not finished in time")]
    CallbackTimeout,
    /// The sign-in was cancelled.
    #[error("the sign-in was cancelled")]
    Cancelled,
    /// The redirect listener could not be opened.
    #[error("cannot listen for the plan's answer on this computer: {0}")]
    Listener(String),
}
