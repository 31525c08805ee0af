//! `graph.memberships`: for each principal that holds a role, each `--operator` and each member
//! of a group that holds a role, the groups it belongs to, directly or through nesting, among the
//! groups that matter for permissions.
//!
//! The groups that matter are those that hold an Azure role assignment or eligibility, an Entra
//! directory role assignment or eligibility, or that a deny assignment names (or excludes): a
//! principal's permissions only ever depend on its membership in those. Rather than asking Graph
//! for the groups of every principal (one request each; tens of thousands in a large tenant),
//! the collector lists the transitive members of each such group
//! (`GET /v1.0/groups/{id}/transitiveMembers?$select=id`) and inverts the result. Principals and
//! groups stream in while the role lists are read, and each group is listed once.
//!
//! A principal whose type is not known (Entra role holders, operators) is also tried as a group;
//! a 404 there means "not a group". A group whose members could not be read is recorded with
//! target `graph.memberships`, which marks every entry partial.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde_json::{Map, Value};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::client::{Api, Failure};
use super::paging;
use super::record::Ctx;

/// What a role list says about a principal's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Group,
    NotGroup,
    Unknown,
}

/// A principal found in a role or deny list.
#[derive(Debug)]
pub(crate) struct Found {
    id: String,
    /// Holds an assignment or eligibility (gets a `memberships` entry).
    holder: bool,
    kind: Kind,
}

/// Where role lists send the principals they contain.
#[derive(Clone)]
pub(crate) struct PrincipalSink(UnboundedSender<Found>);

impl PrincipalSink {
    /// A sink and the receiver that [`memberships`] reads.
    pub(crate) fn channel() -> (Self, UnboundedReceiver<Found>) {
        let (tx, rx) = unbounded_channel();
        (Self(tx), rx)
    }

    /// A principal holding an assignment or eligibility; `principal_type` when the API gives one.
    pub(crate) fn holder(&self, id: Option<&Value>, principal_type: Option<&Value>) {
        self.send(id, principal_type, true);
    }

    /// A principal named (or excluded) by a deny assignment.
    pub(crate) fn denied(&self, id: Option<&Value>, principal_type: Option<&Value>) {
        self.send(id, principal_type, false);
    }

    fn send(&self, id: Option<&Value>, principal_type: Option<&Value>, holder: bool) {
        let Some(id) = id.and_then(Value::as_str).filter(|id| !id.is_empty()) else {
            return;
        };
        let kind = match principal_type.and_then(Value::as_str) {
            Some(t) if t.eq_ignore_ascii_case("Group") => Kind::Group,
            Some(_) => Kind::NotGroup,
            None => Kind::Unknown,
        };
        // The receiver only goes away when the collection is over; nothing to do then.
        let _ = self.0.send(Found {
            id: id.to_owned(),
            holder,
            kind,
        });
    }
}

fn is_object_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// What the membership collector has learnt so far.
#[derive(Default)]
struct Learnt {
    /// Lower-cased id → id as found, for every principal that gets an entry.
    principals: BTreeMap<String, String>,
    /// Lower-cased ids of the groups already listed (or being listed).
    listed: HashSet<String>,
    /// Lower-cased member id → ids of the relevant groups it belongs to.
    groups_of: HashMap<String, BTreeSet<String>>,
}

impl Learnt {
    /// Records a principal; returns its id when it must be listed as a group.
    fn found(&mut self, found: Found) -> Option<String> {
        let key = found.id.to_ascii_lowercase();
        if found.holder {
            self.principals
                .entry(key.clone())
                .or_insert_with(|| found.id.clone());
        }
        let list =
            found.kind != Kind::NotGroup && is_object_id(&found.id) && self.listed.insert(key);
        list.then_some(found.id)
    }

    fn members(&mut self, group: &str, members: Vec<String>) {
        for member in members {
            let key = member.to_ascii_lowercase();
            self.groups_of
                .entry(key.clone())
                .or_default()
                .insert(group.to_owned());
            self.principals.entry(key).or_insert(member);
        }
    }

    fn into_map(mut self) -> Map<String, Value> {
        let principals = std::mem::take(&mut self.principals);
        principals
            .into_iter()
            .map(|(key, id)| {
                let groups = self.groups_of.remove(&key).unwrap_or_default();
                (
                    id,
                    Value::Array(groups.into_iter().map(Value::String).collect()),
                )
            })
            .collect()
    }
}

/// Reads principals until every sink is dropped, lists the members of each relevant group, and
/// returns principal id → sorted group ids for every holder, operator and member found.
pub(crate) async fn memberships(
    ctx: &Ctx,
    mut incoming: UnboundedReceiver<Found>,
    operators: &[String],
) -> Map<String, Value> {
    let mut learnt = Learnt::default();
    let mut pending = FuturesUnordered::new();
    for operator in operators {
        if !is_object_id(operator) {
            let failure = Failure {
                request: "GET /v1.0/groups/{id}/transitiveMembers".into(),
                status: 0,
                code: "InvalidPrincipalId".into(),
                message: "a principal id is an object id (GUID); nothing was requested".into(),
            };
            ctx.record(&failure, &format!("graph.memberships[{operator}]"));
            continue;
        }
        let operator = Found {
            id: operator.clone(),
            holder: true,
            kind: Kind::Unknown,
        };
        if let Some(group) = learnt.found(operator) {
            pending.push(members(ctx, group));
        }
    }
    let mut open = true;
    loop {
        tokio::select! {
            received = incoming.recv(), if open => match received {
                Some(found) => {
                    if let Some(group) = learnt.found(found) {
                        pending.push(members(ctx, group));
                    }
                }
                None => open = false,
            },
            Some((group, ids)) = pending.next(), if !pending.is_empty() => learnt.members(&group, ids),
            else => break,
        }
    }
    learnt.into_map()
}

/// The ids of the transitive members of `group` (empty when it is not a group).
async fn members(ctx: &Ctx, group: String) -> (String, Vec<String>) {
    let path = format!("/v1.0/groups/{group}/transitiveMembers?$select=id&$top=999");
    let url = ctx.client.url(Api::Graph, &path);
    let listing = paging::list(&ctx.client, Api::Graph, url).await;
    if let Some(failure) = &listing.failure {
        // 404 on the first page: a user or service principal tried as a group, or a deleted
        // group; either way it has no members.
        let absent = listing.pages == 0 && failure.status == 404;
        if !absent {
            ctx.record(failure, "graph.memberships");
        }
    }
    let ids = listing
        .items
        .iter()
        .filter_map(|m| m.get("id").and_then(Value::as_str))
        .map(str::to_owned)
        .collect();
    (group, ids)
}
