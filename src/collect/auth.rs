//! Bearer tokens for ARM and Graph: the `--auth` credential chain, token caching, env tokens.
//!
//! `azure_identity` 1.0 has no `DefaultAzureCredential`, so `auto` picks the first *configured*
//! credential (client secret → workload identity → managed identity when its environment is
//! present → Azure CLI, then Azure Developer CLI) and reports that one if it fails, rather than
//! silently signing in as somebody else. Tokens are cached until shortly before they expire (the
//! CLI credentials do not cache). A token never leaves this module except as a sensitive header.

use std::fmt;
use std::sync::Arc;

use azure_core::credentials::{Secret, TokenCredential};
use azure_core::time::{Duration as AzDuration, OffsetDateTime};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, AzureDeveloperCliCredential,
    AzureDeveloperCliCredentialOptions, ClientSecretCredential, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};
use reqwest::header::HeaderValue;
use tokio::sync::Mutex;

use super::client::Api;
use super::{AuthMethod, CollectError, CollectOptions};

/// A bearer token. `Debug` never shows it.
#[derive(Clone)]
pub(crate) struct Bearer(String);

impl Bearer {
    /// The `Authorization` header value, marked sensitive so that no `Debug` output shows it.
    pub(crate) fn header(&self) -> Option<HeaderValue> {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", self.0)).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

impl fmt::Debug for Bearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bearer(<redacted>)")
    }
}

/// One credential candidate: its type name, the help shown when it fails, the credential.
struct Candidate {
    name: &'static str,
    help: &'static str,
    credential: Arc<dyn TokenCredential>,
}

enum Source {
    Static { arm: Bearer, graph: Bearer },
    Credential(Candidate),
}

/// Gives tokens for ARM and Graph.
pub(crate) struct Auth {
    method: &'static str,
    source: Source,
    arm_scope: String,
    graph_scope: String,
    arm_cache: Mutex<Option<(Bearer, OffsetDateTime)>>,
    graph_cache: Mutex<Option<(Bearer, OffsetDateTime)>>,
}

const HELP_SECRET: &str = "set AZURE_TENANT_ID (or --tenant), AZURE_CLIENT_ID and AZURE_CLIENT_SECRET \
     for a service principal, and check that the secret has not expired";
const HELP_WORKLOAD: &str = "set AZURE_TENANT_ID (or --tenant), AZURE_CLIENT_ID and \
     AZURE_FEDERATED_TOKEN_FILE, and check the federated credential's issuer and subject";
const HELP_MANAGED: &str = "run on a host with a managed identity (App Service, Functions, Container \
     Apps, a VM); for a user-assigned identity set AZURE_CLIENT_ID to its client id";
const HELP_CLI: &str =
    "run `az login` (add --tenant if needed) and try again, or choose another --auth";
const HELP_AZD: &str = "run `azd auth login` and try again, or choose another --auth";

fn method_name(method: AuthMethod) -> &'static str {
    match method {
        AuthMethod::Auto => "auto",
        AuthMethod::Cli => "cli",
        AuthMethod::ManagedIdentity => "managed-identity",
        AuthMethod::WorkloadIdentity => "workload-identity",
        AuthMethod::ClientSecret => "client-secret",
        AuthMethod::EnvToken => "env-token",
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Auth {
    /// Picks the credential for `opts.auth`, gets one token per API (so that a sign-in problem
    /// is reported before anything is collected) and returns the ready source.
    pub(crate) async fn start(
        opts: &CollectOptions,
        arm_origin: &str,
        graph_origin: &str,
    ) -> Result<Self, CollectError> {
        let method = method_name(opts.auth);
        let arm_scope = format!("{arm_origin}/.default");
        let graph_scope = format!("{graph_origin}/.default");
        let (source, first) = if opts.auth == AuthMethod::EnvToken {
            (static_source(opts, arm_origin, graph_origin)?, None)
        } else {
            let candidates = candidates(opts, method)?;
            let (candidate, token) = pick(candidates, method, &arm_scope).await?;
            (Source::Credential(candidate), Some(token))
        };
        let auth = Self {
            method,
            source,
            arm_scope,
            graph_scope,
            arm_cache: Mutex::new(first),
            graph_cache: Mutex::new(None),
        };
        auth.token(Api::Arm).await?;
        auth.token(Api::Graph).await?;
        Ok(auth)
    }

    /// The tenant the ARM token was issued in (`tid` claim), when the token is a JWT.
    pub(crate) async fn token_tenant(&self) -> Option<String> {
        let token = self.token(Api::Arm).await.ok()?;
        super::claims::tenant_id(&token.0)
    }

    /// A token for `api`, from the cache while it is valid for at least two more minutes.
    pub(crate) async fn token(&self, api: Api) -> Result<Bearer, CollectError> {
        let candidate = match &self.source {
            Source::Static { arm, graph } => {
                return Ok(match api {
                    Api::Arm => arm.clone(),
                    Api::Graph => graph.clone(),
                });
            }
            Source::Credential(candidate) => candidate,
        };
        let (cache, scope) = match api {
            Api::Arm => (&self.arm_cache, &self.arm_scope),
            Api::Graph => (&self.graph_cache, &self.graph_scope),
        };
        let mut cached = cache.lock().await;
        if let Some((token, expires_on)) = cached.as_ref() {
            if *expires_on > OffsetDateTime::now_utc() + AzDuration::minutes(2) {
                return Ok(token.clone());
            }
        }
        let access = candidate
            .credential
            .get_token(&[scope.as_str()], None)
            .await
            .map_err(|e| token_error(self.method, candidate, scope, &e))?;
        let token = Bearer(access.token.secret().to_owned());
        *cached = Some((token.clone(), access.expires_on));
        Ok(token)
    }
}

fn token_error(
    method: &'static str,
    candidate: &Candidate,
    scope: &str,
    error: &azure_core::Error,
) -> CollectError {
    CollectError::Token {
        method,
        credential: candidate.name,
        scope: scope.to_owned(),
        reason: error.to_string().trim().to_owned(),
        help: candidate.help,
    }
}

fn static_source(
    opts: &CollectOptions,
    arm_origin: &str,
    graph_origin: &str,
) -> Result<Source, CollectError> {
    if let Some(tokens) = &opts.static_tokens {
        return Ok(Source::Static {
            arm: Bearer(tokens.arm.trim().to_owned()),
            graph: Bearer(tokens.graph.trim().to_owned()),
        });
    }
    let read = |variable: &'static str, resource: &str| {
        env(variable)
            .map(|t| Bearer(t.trim().to_owned()))
            .ok_or_else(|| CollectError::MissingEnvToken {
                variable,
                resource: resource.to_owned(),
            })
    };
    Ok(Source::Static {
        arm: read("SOCREADY_ARM_TOKEN", arm_origin)?,
        graph: read("SOCREADY_GRAPH_TOKEN", graph_origin)?,
    })
}

/// The credentials to try for `opts.auth`, in order (several only for the developer tools).
fn candidates(opts: &CollectOptions, method: &'static str) -> Result<Vec<Candidate>, CollectError> {
    let tenant = opts.tenant.clone().or_else(|| env("AZURE_TENANT_ID"));
    let setup = |credential: &'static str, help: &'static str| {
        move |e: azure_core::Error| CollectError::CredentialSetup {
            method,
            credential,
            reason: e.to_string().trim().to_owned(),
            help,
        }
    };
    let missing =
        |credential: &'static str, help: &'static str, what: &str| CollectError::CredentialSetup {
            method,
            credential,
            reason: format!("{what} is not set"),
            help,
        };
    let client_secret = || -> Result<Candidate, CollectError> {
        const NAME: &str = "ClientSecretCredential";
        let tenant = tenant
            .clone()
            .ok_or_else(|| missing(NAME, HELP_SECRET, "AZURE_TENANT_ID"))?;
        let client =
            env("AZURE_CLIENT_ID").ok_or_else(|| missing(NAME, HELP_SECRET, "AZURE_CLIENT_ID"))?;
        let secret = env("AZURE_CLIENT_SECRET")
            .ok_or_else(|| missing(NAME, HELP_SECRET, "AZURE_CLIENT_SECRET"))?;
        let credential = ClientSecretCredential::new(&tenant, client, Secret::new(secret), None)
            .map_err(setup(NAME, HELP_SECRET))?;
        Ok(Candidate {
            name: NAME,
            help: HELP_SECRET,
            credential,
        })
    };
    let workload = || -> Result<Candidate, CollectError> {
        const NAME: &str = "WorkloadIdentityCredential";
        let options = WorkloadIdentityCredentialOptions {
            tenant_id: tenant.clone(),
            ..Default::default()
        };
        let credential =
            WorkloadIdentityCredential::new(Some(options)).map_err(setup(NAME, HELP_WORKLOAD))?;
        Ok(Candidate {
            name: NAME,
            help: HELP_WORKLOAD,
            credential,
        })
    };
    let managed = || -> Result<Candidate, CollectError> {
        const NAME: &str = "ManagedIdentityCredential";
        let options = ManagedIdentityCredentialOptions {
            user_assigned_id: env("AZURE_CLIENT_ID").map(UserAssignedId::ClientId),
            ..Default::default()
        };
        let credential =
            ManagedIdentityCredential::new(Some(options)).map_err(setup(NAME, HELP_MANAGED))?;
        Ok(Candidate {
            name: NAME,
            help: HELP_MANAGED,
            credential,
        })
    };
    let cli = || -> Result<Candidate, CollectError> {
        const NAME: &str = "AzureCliCredential";
        let options = AzureCliCredentialOptions {
            tenant_id: opts.tenant.clone(),
            ..Default::default()
        };
        let credential = AzureCliCredential::new(Some(options)).map_err(setup(NAME, HELP_CLI))?;
        Ok(Candidate {
            name: NAME,
            help: HELP_CLI,
            credential,
        })
    };
    let azd = || -> Result<Candidate, CollectError> {
        const NAME: &str = "AzureDeveloperCliCredential";
        let options = AzureDeveloperCliCredentialOptions {
            tenant_id: opts.tenant.clone(),
            ..Default::default()
        };
        let credential =
            AzureDeveloperCliCredential::new(Some(options)).map_err(setup(NAME, HELP_AZD))?;
        Ok(Candidate {
            name: NAME,
            help: HELP_AZD,
            credential,
        })
    };

    Ok(match opts.auth {
        AuthMethod::ClientSecret => vec![client_secret()?],
        AuthMethod::WorkloadIdentity => vec![workload()?],
        AuthMethod::ManagedIdentity => vec![managed()?],
        AuthMethod::Cli => vec![cli()?],
        AuthMethod::EnvToken => Vec::new(),
        AuthMethod::Auto => {
            let has_client = env("AZURE_CLIENT_ID").is_some() && tenant.is_some();
            if has_client && env("AZURE_CLIENT_SECRET").is_some() {
                vec![client_secret()?]
            } else if has_client && env("AZURE_FEDERATED_TOKEN_FILE").is_some() {
                vec![workload()?]
            } else if env("IDENTITY_ENDPOINT").is_some() || env("MSI_ENDPOINT").is_some() {
                vec![managed()?]
            } else {
                vec![cli()?, azd()?]
            }
        }
    })
}

/// The first candidate that gives an ARM token (with that token); the error of the first one
/// when none does.
async fn pick(
    candidates: Vec<Candidate>,
    method: &'static str,
    arm_scope: &str,
) -> Result<(Candidate, (Bearer, OffsetDateTime)), CollectError> {
    let mut first_error = None;
    for candidate in candidates {
        match candidate.credential.get_token(&[arm_scope], None).await {
            Ok(access) => {
                let token = Bearer(access.token.secret().to_owned());
                return Ok((candidate, (token, access.expires_on)));
            }
            Err(e) => {
                tracing::debug!(credential = candidate.name, "credential gave no token");
                first_error.get_or_insert_with(|| token_error(method, &candidate, arm_scope, &e));
            }
        }
    }
    Err(first_error.unwrap_or_else(|| {
        CollectError::InvalidOptions(format!("--auth {method}: no credential to try"))
    }))
}
