//! Microsoft Graph: organization, licences, directory roles and the Defender service principals.
//!
//! The holders of directory role assignments and eligibilities go to the membership collector
//! (`memberships.rs`) as soon as their lists are read.

use futures::future::join_all;
use serde_json::{Map, Value};

use super::api;
use super::client::Api;
use super::memberships::PrincipalSink;
use super::record::Ctx;
use super::{CollectError, paging, run};

/// `value[0]` of `GET /v1.0/organization`. This is the start-up probe of Graph: no answer, or
/// 401, is a [`CollectError`].
pub(crate) async fn organization(ctx: &Ctx) -> Result<Option<Value>, CollectError> {
    let url = ctx.client.url(Api::Graph, "/v1.0/organization");
    let listing = paging::list(&ctx.client, Api::Graph, url).await;
    if listing.pages == 0 {
        if let Some(failure) = &listing.failure {
            run::probe(ctx, Api::Graph, failure)?;
        }
    }
    Ok(ctx
        .keep(listing, "tenant.organization")
        .and_then(|items| items.into_iter().next()))
}

/// The `graph` lists (without `memberships`), keyed as in the snapshot.
pub(crate) async fn directory(ctx: &Ctx, principals: PrincipalSink) -> Map<String, Value> {
    let lists = join_all(api::GRAPH_LISTS.iter().map(|(key, path)| {
        let principals = principals.clone();
        async move {
            let items = ctx.list(Api::Graph, path, &format!("graph.{key}")).await;
            if matches!(
                *key,
                "directoryRoleAssignments" | "directoryRoleEligibilities"
            ) {
                for item in items.iter().flatten() {
                    principals.holder(item.get("principalId"), None);
                }
            }
            (*key, items)
        }
    }));
    let (lists, service_principals) = tokio::join!(lists, service_principals(ctx));
    let mut graph = Map::new();
    for (key, items) in lists {
        if let Some(items) = items {
            graph.insert(key.into(), Value::Array(items));
        }
    }
    if let Some(items) = service_principals {
        graph.insert("servicePrincipals".into(), Value::Array(items));
    }
    graph
}

/// Service principals of the Defender apps, one filtered query per app id.
async fn service_principals(ctx: &Ctx) -> Option<Vec<Value>> {
    let listings = join_all(api::DEFENDER_APP_IDS.iter().map(|app_id| {
        let url = ctx.client.url(
            Api::Graph,
            &format!("/v1.0/servicePrincipals?$filter=appId eq '{app_id}'"),
        );
        paging::list(&ctx.client, Api::Graph, url)
    }))
    .await;
    let any_read = listings.iter().any(|l| l.pages > 0);
    let mut items = Vec::new();
    for listing in listings {
        if let Some(failure) = &listing.failure {
            ctx.record(failure, "graph.servicePrincipals");
        }
        items.extend(listing.items);
    }
    any_read.then_some(items)
}
