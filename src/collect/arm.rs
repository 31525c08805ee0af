//! Azure Resource Manager: subscriptions and their per-subscription lists.
//!
//! `GET /subscriptions` lists every subscription the identity can see, including those of other
//! tenants reached through Azure Lighthouse (SOC002 needs them); `--subscription` narrows it to
//! the named ones, read one by one. Per subscription: resource groups, role definitions, role
//! assignments (all, so management-group inheritance is included), deny assignments, PIM
//! eligibility schedule instances and Defender for Cloud pricings, each stored as returned.

use futures::future::join_all;
use serde_json::{Map, Value};

use super::api::{self, versioned};
use super::client::Api;
use super::memberships::PrincipalSink;
use super::record::Ctx;
use super::{CollectError, paging, run};

/// The subscriptions to collect (`None` when they could not be listed). The first request is the
/// start-up probe of ARM: no answer, or 401, is a [`CollectError`].
pub(crate) async fn subscriptions(
    ctx: &Ctx,
    named: &[String],
) -> Result<Option<Vec<Value>>, CollectError> {
    let path = |id: &str| versioned(&format!("/subscriptions/{id}"), api::SUBSCRIPTIONS);
    let Some((first, rest)) = named.split_first() else {
        let url = ctx
            .client
            .url(Api::Arm, &versioned("/subscriptions", api::SUBSCRIPTIONS));
        let listing = paging::list(&ctx.client, Api::Arm, url).await;
        if listing.pages == 0 {
            if let Some(failure) = &listing.failure {
                run::probe(ctx, Api::Arm, failure)?;
            }
        }
        return Ok(ctx.keep(listing, "azure.subscriptions"));
    };
    let url = ctx.client.url(Api::Arm, &path(first));
    let first = match ctx.client.get_json(Api::Arm, &url).await {
        Ok(sub) => Some(sub),
        Err(failure) => {
            run::probe(ctx, Api::Arm, &failure)?;
            ctx.record(&failure, &format!("azure.subscriptions[{first}]"));
            None
        }
    };
    let rest = join_all(rest.iter().map(|id| {
        let target = format!("azure.subscriptions[{id}]");
        let path = path(id);
        async move { ctx.get(Api::Arm, &path, &target).await }
    }))
    .await;
    Ok(Some(
        first
            .into_iter()
            .chain(rest.into_iter().flatten())
            .collect(),
    ))
}

/// The subscription id of a `GET /subscriptions` item.
pub(crate) fn subscription_id(sub: &Value) -> Option<String> {
    if let Some(id) = sub.get("subscriptionId").and_then(Value::as_str) {
        return Some(id.to_owned());
    }
    let id = sub.get("id").and_then(Value::as_str)?;
    id.trim_matches('/').split('/').nth(1).map(str::to_owned)
}

/// The snapshot entry of one subscription: `{"subscription": ..., "<list>": [...], ...}`.
/// Principals of role assignments, eligibilities and deny assignments go to `principals` as soon
/// as their list is read.
pub(crate) async fn subscription(ctx: &Ctx, sub: Value, principals: PrincipalSink) -> Value {
    let mut entry = Map::new();
    let Some(id) = subscription_id(&sub) else {
        entry.insert("subscription".into(), sub);
        return Value::Object(entry);
    };
    let lists = join_all(
        api::SUBSCRIPTION_LISTS
            .iter()
            .map(|(key, suffix, version)| {
                let path = versioned(&format!("/subscriptions/{id}{suffix}"), version);
                let target = format!("azure.subscriptions[{id}].{key}");
                let principals = principals.clone();
                async move {
                    let items = ctx.list(Api::Arm, &path, &target).await;
                    for item in items.iter().flatten() {
                        report_principals(&principals, key, item);
                    }
                    (*key, items)
                }
            }),
    )
    .await;
    entry.insert("subscription".into(), sub);
    for (key, items) in lists {
        if let Some(items) = items {
            entry.insert(key.into(), Value::Array(items));
        }
    }
    Value::Object(entry)
}

/// Sends the principals an item of list `key` names to the membership collector.
fn report_principals(principals: &PrincipalSink, key: &str, item: &Value) {
    match key {
        "roleAssignments" | "roleEligibilities" => principals.holder(
            item.pointer("/properties/principalId"),
            item.pointer("/properties/principalType"),
        ),
        "denyAssignments" => {
            for list in ["principals", "excludePrincipals"] {
                let named = item.pointer(&format!("/properties/{list}"));
                for principal in named.and_then(Value::as_array).into_iter().flatten() {
                    principals.denied(principal.get("id"), principal.get("type"));
                }
            }
        }
        _ => {}
    }
}
