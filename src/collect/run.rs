//! One collection from start to snapshot: options, sign-in, start-up probes, the concurrent
//! ARM / Graph / membership work, and the assembly of the snapshot object.
//!
//! Dependencies only where the data requires them: subscriptions → their lists and workspaces →
//! each workspace's onboarding states → its Sentinel lists; role lists → memberships (streamed).
//! Everything else runs side by side, bounded by the client's concurrency limit.

use chrono::{SecondsFormat, Utc};
use futures::future::join_all;
use serde_json::{Map, Value, json};
use url::Url;

use super::auth::Auth;
use super::client::{Api, Failure, GetClient};
use super::graph;
use super::memberships::{self, PrincipalSink};
use super::record::Ctx;
use super::workspaces::{self, Named};
use super::{CollectError, CollectOptions, arm};

/// See [`super::collect`].
pub(crate) async fn collect(opts: &CollectOptions) -> Result<Value, CollectError> {
    validate(opts)?;
    let arm_url = endpoint("--arm-endpoint", &opts.arm_endpoint)?;
    let graph_url = endpoint("--graph-endpoint", &opts.graph_endpoint)?;
    let collected_at = Utc::now();
    let auth = Auth::start(opts, &origin(&arm_url), &origin(&graph_url)).await?;
    let ctx = Ctx::new(GetClient::new(opts, auth, arm_url, graph_url)?);

    let (subscriptions, organization) = tokio::join!(
        arm::subscriptions(&ctx, &opts.subscriptions),
        graph::organization(&ctx)
    );
    let (subscriptions, organization) = (subscriptions?, organization?);

    let tenant_id = match organization
        .as_ref()
        .and_then(|o| o.get("id"))
        .and_then(Value::as_str)
    {
        Some(id) => id.to_owned(),
        None => match opts.tenant.clone() {
            Some(id) => id,
            None => ctx.client.auth().token_tenant().await.ok_or_else(|| {
                CollectError::TenantUnknown {
                    request: "GET /v1.0/organization".into(),
                }
            })?,
        },
    };

    let named = Named::new(&opts.workspaces);
    let (sink, incoming) = PrincipalSink::channel();
    // Each sink clone is dropped when its future completes; memberships ends after the last one.
    let ((subscriptions, workspaces), mut graph, memberships) = tokio::join!(
        azure(&ctx, subscriptions, &named, sink.clone()),
        graph::directory(&ctx, sink),
        memberships::memberships(&ctx, incoming, &opts.operators),
    );
    graph.insert("memberships".into(), Value::Object(memberships));

    let mut tenant = Map::new();
    tenant.insert("id".into(), tenant_id.into());
    if let Some(organization) = organization {
        tenant.insert("organization".into(), organization);
    }
    let mut azure = Map::new();
    if let Some(subscriptions) = subscriptions {
        azure.insert("subscriptions".into(), Value::Array(subscriptions));
    }
    if let Some(workspaces) = workspaces {
        azure.insert("workspaces".into(), Value::Array(workspaces));
    }
    Ok(json!({
        "schema": "socready.snapshot/v1",
        "collectedAt": collected_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "collector": { "name": "socready", "version": env!("CARGO_PKG_VERSION"), "redacted": false },
        "tenant": tenant,
        "graph": graph,
        "azure": azure,
        "errors": ctx.take_errors(),
    }))
}

/// Subscription entries and workspace entries (`None` = not collected).
async fn azure(
    ctx: &Ctx,
    subscriptions: Option<Vec<Value>>,
    named: &Named,
    principals: PrincipalSink,
) -> (Option<Vec<Value>>, Option<Vec<Value>>) {
    let Some(subscriptions) = subscriptions else {
        return (None, None);
    };
    let per_subscription = join_all(subscriptions.into_iter().map(|sub| {
        let id = arm::subscription_id(&sub);
        let principals = principals.clone();
        async move {
            let workspaces = async {
                match &id {
                    Some(id) => workspaces::for_subscription(ctx, id, named).await,
                    None => Some(Vec::new()),
                }
            };
            tokio::join!(arm::subscription(ctx, sub, principals), workspaces)
        }
    }))
    .await;
    let mut any_listed = per_subscription.is_empty();
    let (mut entries, mut all_workspaces) = (Vec::new(), Vec::new());
    for (entry, workspaces) in per_subscription {
        entries.push(entry);
        if let Some(workspaces) = workspaces {
            any_listed = true;
            all_workspaces.extend(workspaces);
        }
    }
    (Some(entries), any_listed.then_some(all_workspaces))
}

/// Turns a failed start-up request into the error that stops the collection: no HTTP answer,
/// or 401 (the token was not accepted). Other failures are recorded by the caller.
pub(crate) fn probe(ctx: &Ctx, api: Api, failure: &Failure) -> Result<(), CollectError> {
    let endpoint = origin(ctx.client.origin(api));
    if failure.no_answer() {
        return Err(CollectError::Unreachable {
            request: failure.request.clone(),
            endpoint,
            reason: failure.message.clone(),
        });
    }
    if failure.status == 401 {
        return Err(CollectError::Rejected {
            request: failure.request.clone(),
            endpoint,
            status: failure.status,
            code: failure.code.clone(),
            message: failure.message.clone(),
        });
    }
    Ok(())
}

fn validate(opts: &CollectOptions) -> Result<(), CollectError> {
    if opts.concurrency == 0 || opts.concurrency > tokio::sync::Semaphore::MAX_PERMITS {
        return Err(CollectError::InvalidOptions(format!(
            "concurrency must be at least 1, got {}",
            opts.concurrency
        )));
    }
    if opts.max_attempts == 0 {
        return Err(CollectError::InvalidOptions(
            "max attempts must be at least 1".into(),
        ));
    }
    if opts.request_timeout.is_zero() {
        return Err(CollectError::InvalidOptions(
            "the request timeout must be above zero".into(),
        ));
    }
    Ok(())
}

/// `scheme://host[:port]` of an endpoint (what token scopes and messages use).
fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Parses an endpoint option: an `https` origin (plain `http` only on a loopback host).
fn endpoint(option: &'static str, value: &str) -> Result<Url, CollectError> {
    let invalid = |value: String, reason: &str| CollectError::InvalidEndpoint {
        option,
        value,
        reason: reason.to_owned(),
    };
    let url = Url::parse(value.trim()).map_err(|e| invalid(value.to_owned(), &e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("<hidden>".into(), "it must not carry credentials"));
    }
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(invalid(value.to_owned(), "it must use https")),
    }
    if url.host_str().is_none() {
        return Err(invalid(value.to_owned(), "it has no host"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            value.to_owned(),
            "give the origin only, without a path or query",
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_origins() {
        assert!(endpoint("--arm-endpoint", "https://management.azure.com").is_ok());
        assert!(endpoint("--arm-endpoint", "https://management.usgovcloudapi.net/").is_ok());
        assert!(endpoint("--arm-endpoint", "http://127.0.0.1:8080").is_ok());
        assert!(endpoint("--arm-endpoint", "http://management.azure.com").is_err());
        assert!(endpoint("--graph-endpoint", "https://graph.microsoft.com/v1.0").is_err());
        assert!(endpoint("--graph-endpoint", "not a url").is_err());
        let err = endpoint("--arm-endpoint", "https://user:hunter2@example.com").map(|_| ());
        let text = format!("{err:?}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn origin_drops_default_port_and_slash() {
        let url = endpoint("--arm-endpoint", "https://management.azure.com:443/").expect("valid");
        assert_eq!(origin(&url), "https://management.azure.com");
    }
}
