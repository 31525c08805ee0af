//! What a check sees: the snapshot, indexes built once over it, the scope plan and the options.
//!
//! Indexes key ARM ids lower-cased (ARM returns mixed case) and keep each object's JSON Pointer so
//! evidence can point into the snapshot.

use std::collections::HashMap;

use super::options::EvalOptions;
use super::scopes::ScopePlan;
use crate::snapshot::{
    CollectionError, Resource, Snapshot, SubscriptionData, WorkspaceData, pointer_token, str_at,
};

/// Lower-cases an ARM id and drops a trailing `/`, the form every comparison uses.
pub fn norm_id(id: &str) -> String {
    id.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// The GUID at the end of an ARM or Graph id (`.../roleDefinitions/<guid>` → `<guid>`), lower-cased.
pub fn last_segment(id: &str) -> String {
    id.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The subscription GUID of an ARM id, lower-cased.
pub fn subscription_of(id: &str) -> Option<String> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case("subscriptions") {
            return parts.next().map(str::to_ascii_lowercase);
        }
    }
    None
}

/// The resource group of an ARM id, lower-cased.
pub fn resource_group_of(id: &str) -> Option<String> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case("resourcegroups") {
            return parts.next().map(str::to_ascii_lowercase);
        }
    }
    None
}

/// A collection as a check may use it.
#[derive(Debug)]
pub enum Avail<'a> {
    /// Collected in full.
    Complete(&'a [Resource]),
    /// Collected, but the listing broke part-way (the errors say where).
    Partial(&'a [Resource], Vec<&'a CollectionError>),
    /// Not collected; the errors (possibly none) say why.
    Missing(Vec<&'a CollectionError>),
}

impl<'a> Avail<'a> {
    pub fn items(&self) -> &'a [Resource] {
        match self {
            Avail::Complete(v) | Avail::Partial(v, _) => v,
            Avail::Missing(_) => &[],
        }
    }
    pub fn is_missing(&self) -> bool {
        matches!(self, Avail::Missing(_))
    }
    pub fn is_complete(&self) -> bool {
        matches!(self, Avail::Complete(_))
    }
    /// Why this collection is missing or partial, for messages: `<what> was not collected (GET … → 403)`.
    pub fn reason(&self, what: &str) -> String {
        match self {
            Avail::Complete(_) => format!("{what} was collected"),
            Avail::Partial(_, errs) => format!(
                "{what} is incomplete: the listing failed part-way ({})",
                describe_all(errs)
            ),
            Avail::Missing(errs) if errs.is_empty() => format!("{what} was not collected"),
            Avail::Missing(errs) => format!("{what} was not collected ({})", describe_all(errs)),
        }
    }
}

fn describe_all(errs: &[&CollectionError]) -> String {
    errs.iter()
        .map(|e| e.describe())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A workspace in the snapshot, with its keys precomputed.
#[derive(Debug)]
pub struct WorkspaceView<'a> {
    /// Position in `azure.workspaces`.
    pub index: usize,
    pub id: String,
    pub arm_id: &'a str,
    pub name: String,
    pub subscription_id: String,
    pub resource_group: String,
    pub data: &'a WorkspaceData,
    /// `Some(true)` when `onboardingStates` has an entry, `None` when it was not collected.
    pub sentinel: Option<bool>,
}

impl WorkspaceView<'_> {
    pub fn pointer(&self) -> String {
        format!("/azure/workspaces/{}", self.index)
    }
}

/// A subscription in the snapshot.
#[derive(Debug)]
pub struct SubscriptionView<'a> {
    pub index: usize,
    pub id: String,
    pub tenant_id: Option<String>,
    pub data: &'a SubscriptionData,
}

/// Indexes over one snapshot, built once per scan.
#[derive(Debug)]
pub struct Index<'a> {
    pub snapshot: &'a Snapshot,
    pub tenant_id: String,
    pub workspaces: Vec<WorkspaceView<'a>>,
    pub workspace_by_id: HashMap<String, usize>,
    pub subscriptions: Vec<SubscriptionView<'a>>,
    pub subscription_by_id: HashMap<String, usize>,
}

impl<'a> Index<'a> {
    pub fn build(snapshot: &'a Snapshot) -> Self {
        let mut workspaces = Vec::new();
        let mut workspace_by_id = HashMap::new();
        let mut subscriptions = Vec::new();
        let mut subscription_by_id = HashMap::new();
        if let Some(az) = &snapshot.azure {
            for (i, w) in az.workspaces.iter().flatten().enumerate() {
                let arm_id = str_at(&w.workspace, "id").unwrap_or("");
                let id = norm_id(arm_id);
                let name = str_at(&w.workspace, "name")
                    .map(str::to_string)
                    .unwrap_or_else(|| last_segment(arm_id));
                workspace_by_id
                    .entry(id.clone())
                    .or_insert(workspaces.len());
                workspaces.push(WorkspaceView {
                    index: i,
                    subscription_id: subscription_of(arm_id).unwrap_or_default(),
                    resource_group: resource_group_of(arm_id).unwrap_or_default(),
                    id,
                    arm_id,
                    name,
                    data: w,
                    sentinel: w.onboarding_states.as_ref().map(|s| !s.is_empty()),
                });
            }
            for (i, s) in az.subscriptions.iter().flatten().enumerate() {
                let id = str_at(&s.subscription, "subscriptionId")
                    .map(str::to_ascii_lowercase)
                    .or_else(|| str_at(&s.subscription, "id").map(last_segment))
                    .unwrap_or_default();
                subscription_by_id
                    .entry(id.clone())
                    .or_insert(subscriptions.len());
                subscriptions.push(SubscriptionView {
                    index: i,
                    id,
                    tenant_id: str_at(&s.subscription, "tenantId").map(str::to_ascii_lowercase),
                    data: s,
                });
            }
        }
        Index {
            snapshot,
            tenant_id: snapshot.tenant.id.trim().to_ascii_lowercase(),
            workspaces,
            workspace_by_id,
            subscriptions,
            subscription_by_id,
        }
    }

    pub fn workspace(&self, id: &str) -> Option<&WorkspaceView<'a>> {
        self.workspace_by_id
            .get(&norm_id(id))
            .map(|&i| &self.workspaces[i])
    }

    pub fn subscription(&self, id: &str) -> Option<&SubscriptionView<'a>> {
        self.subscription_by_id
            .get(&id.to_ascii_lowercase())
            .map(|&i| &self.subscriptions[i])
    }

    /// Errors whose target names `path` (e.g. `graph.subscribedSkus`) or a parent of it.
    pub fn errors_for(&self, path: &str) -> Vec<&'a CollectionError> {
        self.snapshot
            .errors
            .iter()
            .filter(|e| e.target.as_deref().is_some_and(|t| target_covers(t, path)))
            .collect()
    }

    /// A Graph collection by its snapshot key.
    pub fn graph(
        &self,
        key: &str,
        get: impl Fn(&'a crate::snapshot::Graph) -> Option<&'a Vec<Resource>>,
    ) -> Avail<'a> {
        let path = format!("graph.{key}");
        let list = self.snapshot.graph.as_ref().and_then(get);
        avail(list, self.errors_for(&path))
    }

    /// A workspace collection by its snapshot key (`alertRules`, ...).
    pub fn ws_collection(
        &self,
        ws: &WorkspaceView<'a>,
        key: &str,
        get: impl Fn(&'a WorkspaceData) -> Option<&'a Vec<Resource>>,
    ) -> Avail<'a> {
        let mut errs: Vec<&CollectionError> = Vec::new();
        for alias in [ws.id.as_str(), ws.name.as_str(), &ws.index.to_string()] {
            for e in self.errors_for(&format!("azure.workspaces[{alias}].{key}")) {
                if !errs.iter().any(|x| std::ptr::eq(*x, e)) {
                    errs.push(e);
                }
            }
        }
        avail(get(ws.data), errs)
    }

    /// A subscription collection by its snapshot key (`roleAssignments`, ...).
    pub fn sub_collection(
        &self,
        sub: &SubscriptionView<'a>,
        key: &str,
        get: impl Fn(&'a SubscriptionData) -> Option<&'a Vec<Resource>>,
    ) -> Avail<'a> {
        let mut errs: Vec<&CollectionError> = Vec::new();
        for alias in [
            sub.id.as_str(),
            &sub.index.to_string(),
            &format!("/subscriptions/{}", sub.id),
        ] {
            for e in self.errors_for(&format!("azure.subscriptions[{alias}].{key}")) {
                if !errs.iter().any(|x| std::ptr::eq(*x, e)) {
                    errs.push(e);
                }
            }
        }
        avail(get(sub.data), errs)
    }

    /// JSON Pointer of a Graph collection item.
    pub fn graph_pointer(key: &str, i: usize) -> String {
        format!("/graph/{}/{i}", pointer_token(key))
    }
}

fn avail<'a>(list: Option<&'a Vec<Resource>>, errs: Vec<&'a CollectionError>) -> Avail<'a> {
    match list {
        None => Avail::Missing(errs),
        Some(v) if errs.is_empty() => Avail::Complete(v),
        Some(v) => Avail::Partial(v, errs),
    }
}

/// Whether an error target (`azure.workspaces[/subscriptions/x/...].alertRules`) covers `path`.
///
/// Matching is case-insensitive (ARM ids inside brackets) and a target also covers everything
/// below it (`graph` covers `graph.subscribedSkus`).
pub fn target_covers(target: &str, path: &str) -> bool {
    let t = target.trim().trim_end_matches('/').to_ascii_lowercase();
    let p = path.to_ascii_lowercase();
    let t = t.replace("/]", "]");
    if p == t {
        return true;
    }
    p.starts_with(&t) && matches!(p.as_bytes().get(t.len()), Some(b'.') | Some(b'['))
}

/// What a check is evaluating.
#[derive(Debug)]
pub enum ScopeRef<'a> {
    Tenant,
    Workspace(&'a WorkspaceView<'a>),
}

/// Everything a check can read.
pub struct Context<'a> {
    pub index: &'a Index<'a>,
    pub plan: &'a ScopePlan,
    pub opts: &'a EvalOptions,
    pub rbac: &'a crate::rbac::Rbac<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_cover_children_case_insensitively() {
        assert!(target_covers("graph", "graph.subscribedSkus"));
        assert!(target_covers(
            "azure.workspaces[/SUBSCRIPTIONS/A/x].alertRules",
            "azure.workspaces[/subscriptions/a/x].alertrules"
        ));
        assert!(!target_covers("graph.subscribed", "graph.subscribedSkus"));
    }

    #[test]
    fn ids_normalise() {
        assert_eq!(norm_id("/Subscriptions/AB/"), "/subscriptions/ab");
        assert_eq!(
            subscription_of("/subscriptions/AB/resourceGroups/rg"),
            Some("ab".into())
        );
        assert_eq!(
            resource_group_of("/subscriptions/AB/resourceGroups/RG/x"),
            Some("rg".into())
        );
        assert_eq!(last_segment("/providers/x/roleDefinitions/ABC"), "abc");
    }
}
