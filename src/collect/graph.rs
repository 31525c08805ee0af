//! Microsoft Graph: organization, licences, directory roles, Defender service principals and the
//! transitive group memberships of principals that hold roles.
//!
//! Memberships are read for every principal of a collected Azure role assignment or
//! eligibility, of an Entra directory role assignment or eligibility, and for each `--operator`:
//! the permission checks can be met by any role through its actions, and deny assignments name
//! principals through groups, so no role is "irrelevant" to them. Principals stream in while the
//! role lists are read and each is looked up once. A principal that no longer exists (404) has no
//! groups (`[]`), except an `--operator`, whose 404 is recorded as an error.

use std::collections::{BTreeMap, HashSet};

use futures::StreamExt;
use futures::future::join_all;
use futures::stream::FuturesUnordered;
use serde_json::{Map, Value};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::api;
use super::client::{Api, Failure};
use super::record::Ctx;
use super::{CollectError, paging, run};

/// Where role lists send the principal ids they contain.
#[derive(Clone)]
pub(crate) struct PrincipalSink(UnboundedSender<String>);

impl PrincipalSink {
    /// A sink and the receiver that [`memberships`] reads.
    pub(crate) fn channel() -> (Self, UnboundedReceiver<String>) {
        let (tx, rx) = unbounded_channel();
        (Self(tx), rx)
    }

    /// Sends a principal id if `value` is one.
    pub(crate) fn send(&self, value: Option<&Value>) {
        if let Some(id) = value.and_then(Value::as_str).filter(|id| !id.is_empty()) {
            // The receiver only goes away when the collection is over; nothing to do then.
            let _ = self.0.send(id.to_owned());
        }
    }
}

/// `value[0]` of `GET /v1.0/organization`. This is the start-up probe of Graph: no answer, or
/// 401, is a [`CollectError`].
pub(crate) async fn organization(ctx: &Ctx) -> Result<Option<Value>, CollectError> {
    let url = ctx.client.url(Api::Graph, "/v1.0/organization");
    let listing = paging::list(&ctx.client, Api::Graph, url, false).await;
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
                    principals.send(item.get("principalId"));
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
        paging::list(&ctx.client, Api::Graph, url, false)
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

/// `graph.memberships`: principal id → ids of the groups it belongs to, directly or not.
pub(crate) async fn memberships(
    ctx: &Ctx,
    mut incoming: UnboundedReceiver<String>,
    operators: &[String],
) -> Map<String, Value> {
    let mut seen = HashSet::new();
    let mut pending = FuturesUnordered::new();
    for operator in operators {
        if seen.insert(operator.to_ascii_lowercase()) {
            pending.push(membership(ctx, operator.clone(), true));
        }
    }
    let mut results = BTreeMap::new();
    let mut open = true;
    loop {
        tokio::select! {
            received = incoming.recv(), if open => match received {
                Some(id) => {
                    if seen.insert(id.to_ascii_lowercase()) {
                        pending.push(membership(ctx, id, false));
                    }
                }
                None => open = false,
            },
            Some((id, groups)) = pending.next(), if !pending.is_empty() => {
                if let Some(groups) = groups {
                    results.insert(id, groups);
                }
            }
            else => break,
        }
    }
    results.into_iter().collect()
}

/// The group ids of one principal (`None` when they could not be read).
async fn membership(ctx: &Ctx, id: String, operator: bool) -> (String, Option<Value>) {
    let target = format!("graph.memberships[{id}]");
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        let failure = Failure {
            request: "GET /v1.0/directoryObjects/{id}/transitiveMemberOf".into(),
            status: 0,
            code: "InvalidPrincipalId".into(),
            message: "a principal id is a GUID (object id); nothing was requested".into(),
        };
        ctx.record(&failure, &target);
        return (id, None);
    }
    let path =
        format!("/v1.0/directoryObjects/{id}/transitiveMemberOf/microsoft.graph.group?$select=id");
    let listing = ctx.list_eventual(&path).await;
    let gone = listing.pages == 0 && listing.failure.as_ref().is_some_and(|f| f.status == 404);
    if gone && !operator {
        return (id, Some(Value::Array(Vec::new())));
    }
    let groups = ctx.keep(listing, &target).map(|items| {
        items
            .iter()
            .filter_map(|g| g.get("id").cloned())
            .collect::<Vec<_>>()
            .into()
    });
    (id, groups)
}
