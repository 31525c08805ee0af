//! Errors that stop a collection before it starts (all map to exit code 4).
//!
//! Messages name the credential that was tried or the request (method, endpoint, path, status) and
//! say what to do. They never contain a token, a secret or a request header.

/// A collection could not start.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CollectError {
    /// `--auth env-token` without the token variable.
    #[error("--auth env-token: environment variable {variable} is not set or empty")]
    #[diagnostic(
        code(socready::collect::missing_env_token),
        help(
            "export a bearer token for the endpoint, e.g. `{variable}=$(az account get-access-token \
             --resource {resource} --query accessToken -o tsv)`, or choose another --auth method"
        )
    )]
    MissingEnvToken {
        /// The variable that was read.
        variable: &'static str,
        /// The resource the token must be issued for.
        resource: String,
    },

    /// A credential could not be set up (missing configuration).
    #[error("--auth {method}: {credential} is not configured: {reason}")]
    #[diagnostic(code(socready::collect::credential_setup), help("{help}"))]
    CredentialSetup {
        /// The `--auth` value.
        method: &'static str,
        /// The credential that was tried.
        credential: &'static str,
        /// What is missing.
        reason: String,
        /// What to do.
        help: &'static str,
    },

    /// The credential did not give a token.
    #[error("--auth {method}: {credential} could not get a token for {scope}: {reason}")]
    #[diagnostic(code(socready::collect::token), help("{help}"))]
    Token {
        /// The `--auth` value.
        method: &'static str,
        /// The credential that was tried.
        credential: &'static str,
        /// The scope requested.
        scope: String,
        /// Why it failed (from the credential; never the token).
        reason: String,
        /// What to do.
        help: &'static str,
    },

    /// Neither Graph `organization`, `--tenant` nor the token says which tenant is scanned.
    #[error("the scanned tenant is unknown: {request} failed and no --tenant was given")]
    #[diagnostic(
        code(socready::collect::tenant_unknown),
        help("pass --tenant <tenant id>, or grant the identity Graph Organization.Read.All")
    )]
    TenantUnknown {
        /// The organization request, as in the snapshot's `errors`.
        request: String,
    },

    /// An endpoint option is not a usable URL.
    #[error("{option} {value:?} is not a usable endpoint: {reason}")]
    #[diagnostic(
        code(socready::collect::endpoint),
        help(
            "give the endpoint origin, e.g. https://management.azure.com or https://graph.microsoft.com"
        )
    )]
    InvalidEndpoint {
        /// `--arm-endpoint` or `--graph-endpoint`.
        option: &'static str,
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },

    /// An option value is out of range.
    #[error("invalid collect option: {0}")]
    #[diagnostic(code(socready::collect::options))]
    InvalidOptions(String),

    /// The HTTP client could not be built.
    #[error("could not set up the HTTP client: {0}")]
    #[diagnostic(code(socready::collect::http_client))]
    HttpClient(String),

    /// The first request to an API got no HTTP answer.
    #[error("{request} on {endpoint} failed: {reason}")]
    #[diagnostic(
        code(socready::collect::unreachable),
        help(
            "check the network, proxy (HTTPS_PROXY) and the --arm-endpoint / --graph-endpoint values; \
             then run the command again"
        )
    )]
    Unreachable {
        /// Method and path of the request.
        request: String,
        /// The endpoint origin.
        endpoint: String,
        /// What went wrong (connection refused, timeout, ...).
        reason: String,
    },

    /// The first request to an API was refused as unauthenticated.
    #[error("{request} on {endpoint} was rejected with status {status} ({code}): {message}")]
    #[diagnostic(
        code(socready::collect::rejected),
        help(
            "the token was not accepted: sign in again (`az login`), check that the token was issued \
             for this endpoint and tenant, or choose another --auth method"
        )
    )]
    Rejected {
        /// Method and path of the request.
        request: String,
        /// The endpoint origin.
        endpoint: String,
        /// HTTP status.
        status: u16,
        /// Error code from the response body.
        code: String,
        /// Error message from the response body.
        message: String,
    },
}
