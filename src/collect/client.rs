//! The HTTP client of the collector: GET only, bounded concurrency, retries, timeouts.
//!
//! [`GetClient`] wraps `reqwest` and exposes no way to send any other method. Every attempt holds
//! one permit of a semaphore (`--concurrency`) while it is on the wire, never while it waits to
//! retry. 408/429/5xx and transport errors are retried up to `max_attempts`, waiting for the
//! server's `Retry-After` when it gives one and otherwise backing off exponentially with jitter,
//! always capped. Redirects are followed only on the same origin. Logs (tracing, `debug`) carry
//! the method, path and status, never the query, a header or a token.

use std::time::Duration;

use chrono::Utc;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue};
use serde_json::Value;
use tokio::sync::Semaphore;
use url::Url;

use super::auth::Auth;
use super::retry;
use super::{CollectError, CollectOptions};

/// Which API a request goes to (selects the endpoint and the token).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Api {
    /// Azure Resource Manager.
    Arm,
    /// Microsoft Graph.
    Graph,
}

/// A request that did not give a usable answer; becomes an entry of the snapshot's `errors`.
#[derive(Clone, Debug)]
pub(crate) struct Failure {
    /// `GET <path>?<query>`, with values of unknown query parameters hidden.
    pub(crate) request: String,
    /// HTTP status; 0 when there was no HTTP answer.
    pub(crate) status: u16,
    /// Error code from the body, or a socready code (`NetworkError`, `Timeout`, ...).
    pub(crate) code: String,
    /// Error message from the body, or what went wrong.
    pub(crate) message: String,
}

impl Failure {
    /// No HTTP answer was received (connection failure or timeout).
    pub(crate) fn no_answer(&self) -> bool {
        self.status == 0 && matches!(self.code.as_str(), "NetworkError" | "Timeout")
    }
}

/// The GET-only client.
pub(crate) struct GetClient {
    http: reqwest::Client,
    auth: Auth,
    arm: Url,
    graph: Url,
    permits: Semaphore,
    max_attempts: u32,
    timeout: Duration,
    max_retry_delay: Duration,
    backoff_base: Duration,
}

/// Query parameters whose values are shown in error entries; others are hidden (`***`).
const SHOWN_QUERY: &[&str] = &[
    "api-version",
    "$filter",
    "$select",
    "$expand",
    "$top",
    "$count",
];

/// `GET <path>?<query>` for error entries and messages.
pub(crate) fn describe(url: &Url) -> String {
    let mut out = format!("GET {}", url.path());
    let mut sep = '?';
    for (key, value) in url.query_pairs() {
        let shown = SHOWN_QUERY.iter().any(|k| k.eq_ignore_ascii_case(&key));
        let value = if shown { value } else { "***".into() };
        out.push(sep);
        out.push_str(&format!("{key}={value}"));
        sep = '&';
    }
    out
}

/// Scheme, host and port are the same.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

impl GetClient {
    /// Builds the client for the given endpoint origins.
    pub(crate) fn new(
        opts: &CollectOptions,
        auth: Auth,
        arm: Url,
        graph: Url,
    ) -> Result<Self, CollectError> {
        let redirect = reqwest::redirect::Policy::custom(|attempt| {
            let same = attempt
                .previous()
                .first()
                .is_some_and(|first| same_origin(first, attempt.url()));
            if same && attempt.previous().len() < 5 {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        let http = reqwest::Client::builder()
            .redirect(redirect)
            .connect_timeout(opts.request_timeout.min(Duration::from_secs(15)))
            .timeout(opts.request_timeout)
            .user_agent(concat!("socready/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CollectError::HttpClient(root_cause(&e)))?;
        Ok(Self {
            http,
            auth,
            arm,
            graph,
            permits: Semaphore::new(opts.concurrency),
            max_attempts: opts.max_attempts,
            timeout: opts.request_timeout,
            max_retry_delay: opts.max_retry_delay,
            backoff_base: opts.backoff_base,
        })
    }

    /// The configured origin of `api`.
    pub(crate) fn origin(&self, api: Api) -> &Url {
        match api {
            Api::Arm => &self.arm,
            Api::Graph => &self.graph,
        }
    }

    /// The sign-in behind the client.
    pub(crate) fn auth(&self) -> &Auth {
        &self.auth
    }

    /// `path_and_query` (starting with `/`) on the endpoint of `api`.
    pub(crate) fn url(&self, api: Api, path_and_query: &str) -> Url {
        let mut url = self.origin(api).clone();
        match path_and_query.split_once('?') {
            Some((path, query)) => {
                url.set_path(path);
                url.set_query(Some(query));
            }
            None => url.set_path(path_and_query),
        }
        url
    }

    /// GETs `url` and parses the JSON body, retrying as described in the module docs.
    pub(crate) async fn get_json(&self, api: Api, url: &Url) -> Result<Value, Failure> {
        let request = describe(url);
        let fail = |status: u16, code: &str, message: String| Failure {
            request: request.clone(),
            status,
            code: code.to_owned(),
            message,
        };
        if !same_origin(url, self.origin(api)) {
            let to = url.origin().ascii_serialization();
            let configured = self.origin(api).origin().ascii_serialization();
            let message = format!("refused to follow a link to {to}: only {configured} is queried");
            return Err(fail(0, "ForeignHost", message));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let token = self
                .auth
                .token(api)
                .await
                .map_err(|e| fail(0, "TokenError", e.to_string()))?;
            let mut headers = HeaderMap::new();
            let auth = token.header().ok_or_else(|| {
                fail(
                    0,
                    "TokenError",
                    "the token is not a valid header value".into(),
                )
            })?;
            headers.insert(AUTHORIZATION, auth);
            headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
            let outcome = {
                let _permit = self
                    .permits
                    .acquire()
                    .await
                    .map_err(|_| fail(0, "Cancelled", "collection stopped".into()))?;
                self.send(url, headers).await
            };
            let last = attempt >= self.max_attempts;
            let delay = match outcome {
                Ok((status, _, body)) if (200..300).contains(&status) => {
                    tracing::debug!(
                        method = "GET",
                        path = url.path(),
                        status,
                        attempt,
                        "collect request"
                    );
                    return serde_json::from_slice(&body).map_err(|e| {
                        fail(
                            status,
                            "InvalidResponse",
                            format!("the body is not JSON: {e}"),
                        )
                    });
                }
                Ok((status, headers, body)) => {
                    tracing::debug!(
                        method = "GET",
                        path = url.path(),
                        status,
                        attempt,
                        "collect request"
                    );
                    if last || !retry::is_retryable(status) {
                        let (code, message) = error_body(status, &body);
                        return Err(fail(status, &code, message));
                    }
                    retry::server_delay(&headers, Utc::now()).unwrap_or_else(|| {
                        retry::backoff(attempt, self.backoff_base, self.max_retry_delay)
                    })
                }
                Err(e) => {
                    tracing::debug!(method = "GET", path = url.path(), attempt, error = %root_cause(&e), "collect request failed");
                    if last {
                        return Err(if e.is_timeout() {
                            fail(
                                0,
                                "Timeout",
                                format!("no complete answer within {:?}", self.timeout),
                            )
                        } else {
                            fail(0, "NetworkError", root_cause(&e))
                        });
                    }
                    retry::backoff(attempt, self.backoff_base, self.max_retry_delay)
                }
            };
            tokio::time::sleep(delay.min(self.max_retry_delay)).await;
        }
    }

    async fn send(
        &self,
        url: &Url,
        headers: HeaderMap,
    ) -> Result<(u16, HeaderMap, Vec<u8>), reqwest::Error> {
        let response = self.http.get(url.clone()).headers(headers).send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await?.to_vec();
        Ok((status, headers, body))
    }
}

/// Code and message from an ARM / Graph error body (`{"error": {"code", "message"}}`).
fn error_body(status: u16, body: &[u8]) -> (String, String) {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let error = parsed.as_ref().and_then(|v| v.get("error"));
    let text = |key: &str| {
        error
            .and_then(|e| e.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("HttpError");
    let code = text("code").unwrap_or_else(|| reason.replace(' ', ""));
    let message = text("message").unwrap_or_else(|| {
        let raw = String::from_utf8_lossy(body);
        let raw: String = raw.chars().take(300).collect();
        if raw.trim().is_empty() {
            reason.to_owned()
        } else {
            raw
        }
    });
    (code, message)
}

/// The innermost error message of a reqwest error (without the URL).
fn root_cause(error: &reqwest::Error) -> String {
    let mut current: &dyn std::error::Error = error;
    while let Some(source) = current.source() {
        current = source;
    }
    let text = current.to_string();
    if error.is_connect() && !text.contains("connect") {
        format!("could not connect: {text}")
    } else {
        text
    }
}
