//! Live, read-only collection of a tenant snapshot (`socready.snapshot/v1`, DESIGN §2).
//!
//! The collector signs in with `azure_identity` (or takes bearer tokens as given), sends only GET
//! requests to Azure Resource Manager and Microsoft Graph, follows `nextLink` / `@odata.nextLink`
//! on the configured hosts only, retries throttled and failed calls a bounded number of times, and
//! stores every resource exactly as the API returned it.
//!
//! Limits: the collector never interprets what it collects (checks do that). A failed call becomes
//! an entry of the snapshot's `errors` list and leaves its key absent (or partial when paging broke
//! part-way); only failures that prevent collection from starting are returned as
//! [`CollectError`]. Tokens are never logged, stored in the snapshot or put in an error message.

mod api;
mod arm;
mod auth;
mod claims;
mod client;
mod error;
mod graph;
mod memberships;
mod paging;
mod record;
mod retry;
mod run;
mod workspaces;

use std::fmt;
use std::time::Duration;

pub use error::CollectError;

/// How the collector obtains its bearer tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMethod {
    /// The first configured of: client secret (`AZURE_CLIENT_SECRET`), workload identity
    /// (`AZURE_FEDERATED_TOKEN_FILE`), managed identity (when its environment is present), then the
    /// developer tools (Azure CLI, then Azure Developer CLI).
    Auto,
    /// The Azure CLI (`az login`).
    Cli,
    /// The managed identity of the host (App Service, Functions, Container Apps, VM via IMDS).
    ManagedIdentity,
    /// Workload identity federation (`AZURE_TENANT_ID`, `AZURE_CLIENT_ID`,
    /// `AZURE_FEDERATED_TOKEN_FILE`).
    WorkloadIdentity,
    /// A service principal secret (`AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`).
    ClientSecret,
    /// Bearer tokens from `SOCREADY_ARM_TOKEN` and `SOCREADY_GRAPH_TOKEN`.
    EnvToken,
}

/// Bearer tokens given directly, used by [`AuthMethod::EnvToken`] instead of the environment.
///
/// For tests and for programs that embed socready and already hold tokens. `Debug` never shows
/// the tokens.
#[derive(Clone)]
pub struct StaticTokens {
    /// Token for the Azure Resource Manager endpoint.
    pub arm: String,
    /// Token for the Microsoft Graph endpoint.
    pub graph: String,
}

impl fmt::Debug for StaticTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticTokens { arm: <redacted>, graph: <redacted> }")
    }
}

/// What to collect and how.
#[derive(Clone, Debug)]
pub struct CollectOptions {
    /// Tenant to sign in to (credentials that accept one) and fallback for `tenant.id`.
    pub tenant: Option<String>,
    /// Subscription ids to collect; empty = every subscription the identity can see.
    pub subscriptions: Vec<String>,
    /// Workspaces (ARM id or unique name) whose Sentinel data is collected even when Sentinel
    /// does not look enabled on them.
    pub workspaces: Vec<String>,
    /// Principal ids whose transitive group memberships must be collected.
    pub operators: Vec<String>,
    /// How to obtain tokens.
    pub auth: AuthMethod,
    /// Azure Resource Manager endpoint (origin), e.g. `https://management.azure.com`.
    pub arm_endpoint: String,
    /// Microsoft Graph endpoint (origin), e.g. `https://graph.microsoft.com`.
    pub graph_endpoint: String,
    /// Maximum number of requests in flight.
    pub concurrency: usize,
    /// Maximum attempts per request (first try included).
    pub max_attempts: u32,
    /// Timeout of one attempt (connect, send, read the whole body).
    pub request_timeout: Duration,
    /// Upper bound of one wait between attempts, whether from `Retry-After` or from backoff.
    pub max_retry_delay: Duration,
    /// First backoff delay when the server gives no `Retry-After`; doubles per attempt, jittered.
    pub backoff_base: Duration,
    /// Tokens to use with [`AuthMethod::EnvToken`] instead of reading the environment.
    pub static_tokens: Option<StaticTokens>,
}

impl Default for CollectOptions {
    fn default() -> Self {
        Self {
            tenant: None,
            subscriptions: Vec::new(),
            workspaces: Vec::new(),
            operators: Vec::new(),
            auth: AuthMethod::Auto,
            arm_endpoint: "https://management.azure.com".to_owned(),
            graph_endpoint: "https://graph.microsoft.com".to_owned(),
            concurrency: 8,
            max_attempts: 5,
            request_timeout: Duration::from_secs(60),
            max_retry_delay: Duration::from_secs(60),
            backoff_base: Duration::from_millis(500),
            static_tokens: None,
        }
    }
}

/// Collects a snapshot (`socready.snapshot/v1`, DESIGN §2) as a JSON value.
///
/// Failed calls become entries of `errors` (with the corresponding key left absent, or kept
/// partial when paging broke mid-way); only failures that prevent collection from starting (no
/// credential, token failure, the very first ARM/Graph call unreachable or rejected) are `Err`.
pub async fn collect(opts: &CollectOptions) -> Result<serde_json::Value, CollectError> {
    run::collect(opts).await
}
