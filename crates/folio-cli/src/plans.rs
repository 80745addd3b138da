//! `folio plans`: list the plans, add one, print a key plan's public key set.

use std::io::Write;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use folio_core::api::{ClientAuthMethod, RedirectStyle};
use folio_core::{Folio, NewPlan, Sensitive};

/// What `folio plans` does besides listing.
#[derive(Subcommand, Debug)]
pub enum PlansAction {
    /// Add a plan by its FHIR base URL and the client id its developer portal issued.
    Add {
        /// Display name.
        #[arg(long)]
        name: String,
        /// FHIR base URL of the plan's Patient Access API.
        #[arg(long)]
        fhir_base: String,
        /// Client id Folio is registered with at that plan.
        #[arg(
            long,
            required_unless_present = "register",
            conflicts_with = "register"
        )]
        client_id: Option<String>,
        /// Register Folio at the plan (RFC 7591 dynamic registration, when its SMART
        /// configuration offers it): the plan issues the client id.
        #[arg(long)]
        register: bool,
        /// Read the client secret the plan's portal gave you from standard input (one line).
        /// It goes to the system keychain only.
        #[arg(long)]
        client_secret_stdin: bool,
        /// How Folio proves who it is to the plan: none (a public client), secret-basic or
        /// secret-post (with --client-secret-stdin), private-key-jwt (a key pair Folio makes).
        /// Default: secret-basic with a secret, else none.
        #[arg(long, value_enum)]
        client_auth: Option<ClientAuthArg>,
        /// How the plan sends you back to Folio: loopback (any free port), loopback:PORT (the
        /// exact port registered at the plan's portal) or custom-scheme (Folio's link).
        #[arg(long, default_value = "loopback", value_parser = parse_redirect)]
        redirect: RedirectArg,
    },
    /// Print the public JWKS of the key Folio made for a private-key-jwt plan, to give the
    /// plan's developer portal.
    Jwks {
        /// The plan's id (see `folio plans`).
        plan: String,
    },
}

/// `--client-auth`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuthArg {
    None,
    SecretBasic,
    SecretPost,
    PrivateKeyJwt,
}

impl From<ClientAuthArg> for ClientAuthMethod {
    fn from(arg: ClientAuthArg) -> Self {
        match arg {
            ClientAuthArg::None => Self::None,
            ClientAuthArg::SecretBasic => Self::SecretBasic,
            ClientAuthArg::SecretPost => Self::SecretPost,
            ClientAuthArg::PrivateKeyJwt => Self::PrivateKeyJwt,
        }
    }
}

/// `--redirect`: the style, and a fixed loopback port if one was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RedirectArg(RedirectStyle, Option<u16>);

fn parse_redirect(text: &str) -> Result<RedirectArg, String> {
    match text.split_once(':') {
        None => RedirectStyle::parse(text)
            .map(|style| RedirectArg(style, None))
            .ok_or_else(|| "use loopback, loopback:PORT or custom-scheme".to_owned()),
        Some(("loopback", port)) => match port.parse::<u16>() {
            Ok(p) if p > 0 => Ok(RedirectArg(RedirectStyle::Loopback, Some(p))),
            _ => Err(format!("{port:?} is not a port (1 to 65535)")),
        },
        Some(_) => Err("use loopback, loopback:PORT or custom-scheme".to_owned()),
    }
}

/// The client secret from standard input: its first line, without the line ending.
fn read_secret(mut input: impl std::io::Read) -> anyhow::Result<Sensitive<String>> {
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .context("cannot read the client secret from standard input")?;
    let secret = Sensitive::new(text.lines().next().unwrap_or_default().to_owned());
    if secret.expose().is_empty() {
        anyhow::bail!("--client-secret-stdin: standard input held no secret");
    }
    Ok(secret)
}

/// `folio plans [ACTION]`.
pub async fn run(folio: &Folio, action: Option<PlansAction>) -> anyhow::Result<()> {
    match action {
        None => list(folio).await,
        Some(PlansAction::Add {
            name,
            fhir_base,
            client_id,
            register,
            client_secret_stdin,
            client_auth,
            redirect: RedirectArg(redirect, loopback_port),
        }) => {
            let method = match (client_auth, client_secret_stdin) {
                (Some(m), _) => ClientAuthMethod::from(m),
                (None, true) => ClientAuthMethod::SecretBasic,
                (None, false) => ClientAuthMethod::None,
            };
            if method.uses_secret() && !client_secret_stdin && !register {
                anyhow::bail!(
                    "--client-auth {} needs the plan's client secret: pass --client-secret-stdin and give it on standard input",
                    if client_auth == Some(ClientAuthArg::SecretPost) {
                        "secret-post"
                    } else {
                        "secret-basic"
                    }
                );
            }
            if client_secret_stdin && !method.uses_secret() {
                anyhow::bail!(
                    "--client-secret-stdin goes with --client-auth secret-basic or secret-post"
                );
            }
            let client_secret = if client_secret_stdin {
                Some(read_secret(std::io::stdin().lock())?)
            } else {
                None
            };
            let added = folio
                .add_plan_with(NewPlan {
                    name,
                    fhir_base,
                    client_id: client_id.unwrap_or_default(),
                    client_auth: method,
                    client_secret,
                    redirect,
                    loopback_port,
                    register,
                })
                .await?;
            let p = added.plan;
            let mut out = std::io::stdout().lock();
            if register {
                writeln!(
                    out,
                    "registered Folio at the plan (client id {})",
                    p.client_id
                )?;
            }
            writeln!(
                out,
                "added plan {} ({}); connect it with: folio connect {}",
                p.id, p.name, p.id
            )?;
            if let Some(jwks) = added.jwks {
                writeln!(
                    out,
                    "Give the plan's developer portal this public key set (JWKS); `folio plans jwks {}` prints it again:\n{jwks}",
                    p.id
                )?;
            }
            Ok(())
        }
        Some(PlansAction::Jwks { plan }) => {
            writeln!(
                std::io::stdout().lock(),
                "{}",
                folio.plan_jwks(&plan).await?
            )?;
            Ok(())
        }
    }
}

/// `folio plans`: every plan Folio can connect to.
async fn list(folio: &Folio) -> anyhow::Result<()> {
    let plans = folio.plans().await?;
    let mut out = std::io::stdout().lock();
    for p in plans {
        let base = if p.fhir_base.is_empty() {
            "(starts inside Folio)"
        } else {
            &p.fhir_base
        };
        let origin = if p.is_demo {
            "demo"
        } else if p.from_catalog {
            "catalog"
        } else {
            "added"
        };
        writeln!(
            out,
            "{:<24} {:<40} {} [{}, {}]",
            p.id,
            p.name,
            base,
            origin,
            p.redirect.as_str()
        )?;
    }
    Ok(())
}
