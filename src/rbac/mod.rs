//! Effective permissions: who can do an onboarding task, and why (DESIGN §3.6).
//!
//! Pure computation over the indexed snapshot: Azure role assignments (active and PIM-eligible),
//! role definitions (custom by actions, built-in by GUID), deny assignments, ABAC conditions,
//! Entra directory roles and transitive group membership. No I/O.

pub mod actions;
mod assignment;
mod azure;
mod deny;
mod entra;
mod explain;
mod index;
mod part;
pub mod tasks;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use crate::engine::context::{Index, last_segment};
use crate::finding::Evidence;
use actions::PermissionBlock;
pub(crate) use assignment::Assignment;
use index::{Interner, Memberships, Tables, intern_lower};

pub use azure::{AzureTask, Part};
pub use deny::Deny;
pub use entra::{EntraTask, entra_role_name};
pub use tasks::{AccessMatrix, AccessTask, PartScope, PartTemplate};

/// The principal that stands for "everyone" in deny assignments.
pub const EVERYONE: &str = "00000000-0000-0000-0000-000000000000";

/// How a principal holds a grant, best first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Level {
    /// Active assignment.
    Active,
    /// Only through a PIM eligibility that must be activated first.
    Eligible,
    /// Only through an assignment whose ABAC condition could restrict it.
    Conditional(String),
    /// A grant exists but cannot be confirmed (e.g. a deny assignment may apply through a group
    /// whose membership was not collected).
    Unverified(String),
}

impl Level {
    fn rank(&self) -> u8 {
        match self {
            Level::Active => 0,
            Level::Eligible => 1,
            Level::Conditional(_) => 2,
            Level::Unverified(_) => 3,
        }
    }
    /// The better of two levels.
    pub fn best(a: Level, b: Level) -> Level {
        if b.rank() < a.rank() { b } else { a }
    }
    /// The worse of two levels (for requirements that need every part).
    pub fn worst(a: Level, b: Level) -> Level {
        if b.rank() > a.rank() { b } else { a }
    }
    pub fn kind(&self) -> LevelKind {
        match self {
            Level::Active => LevelKind::Active,
            Level::Eligible => LevelKind::Eligible,
            Level::Conditional(_) => LevelKind::Conditional,
            Level::Unverified(_) => LevelKind::Unverified,
        }
    }
}

/// A [`Level`] without its explanation, for counting and the access matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LevelKind {
    Active,
    Eligible,
    Conditional,
    Unverified,
}

impl LevelKind {
    /// The access-matrix cell text.
    pub fn cell(self) -> &'static str {
        match self {
            LevelKind::Active => "active",
            LevelKind::Eligible => "eligible",
            LevelKind::Conditional => "conditional",
            LevelKind::Unverified => "unverified",
        }
    }
}

/// One principal that can do a task.
#[derive(Clone, Debug)]
pub struct Holder {
    /// Lower-cased object id (shared with the index: a large tenant has many holders).
    pub principal: Arc<str>,
    pub principal_type: Option<Arc<str>>,
    pub level: Level,
    pub evidence: Vec<Evidence>,
}

/// Holders described in full (with evidence) per answer; reports name at most this many.
pub const DETAILED_HOLDERS: usize = 25;

/// The answer for one task.
#[derive(Clone, Debug, Default)]
pub struct TaskResult {
    /// The first principals that can do the task (any level), sorted: active first, then by
    /// name. At most [`DETAILED_HOLDERS`]; `all` has every one.
    pub holders: Vec<Holder>,
    /// Every principal that can do the task, in the same order, as (principal id, level): a
    /// large tenant has thousands, and the access matrix needs no more than this.
    pub all: Vec<(u32, LevelKind)>,
    /// Why the answer may be incomplete (inputs missing or partial). Non-empty + no active
    /// holder = `unknown`.
    pub gaps: Vec<String>,
    /// Grants removed by deny assignments, for the evidence.
    pub denied: Vec<Evidence>,
    /// When grants exist but a deny list that could overturn them is incomplete.
    pub grants_unverifiable: Option<String>,
}

impl TaskResult {
    /// How many principals hold the task at `kind`.
    pub fn count(&self, kind: LevelKind) -> usize {
        self.all.iter().filter(|(_, k)| *k == kind).count()
    }
}

/// A role definition's grants.
#[derive(Clone, Debug)]
pub struct RoleDef {
    pub name: String,
    pub blocks: Vec<PermissionBlock>,
    /// Taken from the shipped built-in definitions because the snapshot lacked it.
    pub fallback: bool,
}

/// Built-in Azure role definitions shipped with socready (Microsoft's published definitions).
fn builtin_roles() -> &'static HashMap<String, RoleDef> {
    static ROLES: OnceLock<HashMap<String, RoleDef>> = OnceLock::new();
    ROLES.get_or_init(|| {
        let raw: Vec<Value> =
            serde_json::from_str(include_str!("../../rules/data/azure-builtin-roles.json"))
                .unwrap_or_default();
        raw.iter().filter_map(|r| role_def(r, true)).collect()
    })
}

fn role_def(v: &Value, fallback: bool) -> Option<(String, RoleDef)> {
    let guid = v
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
        .or_else(|| v.get("id").and_then(Value::as_str).map(last_segment))?;
    let props = v.get("properties");
    let name = props
        .and_then(|p| p.get("roleName"))
        .and_then(Value::as_str)
        .unwrap_or(&guid)
        .to_string();
    Some((
        guid,
        RoleDef {
            name,
            blocks: PermissionBlock::list_from(props),
            fallback,
        },
    ))
}

/// Display name of a built-in role GUID, for messages.
pub fn builtin_role_name(guid: &str) -> Option<&'static str> {
    builtin_roles()
        .get(&guid.to_ascii_lowercase())
        .map(|r| r.name.as_str())
}

/// Per-snapshot RBAC indexes.
#[derive(Debug)]
pub struct Rbac<'a> {
    index: &'a Index<'a>,
    defs: HashMap<String, RoleDef>,
    /// Principal object ids (lower-cased) ↔ dense ids.
    principals: Interner,
    /// Role definition GUIDs (lower-cased) ↔ dense ids.
    roles: Interner,
    /// Normalised assignment scopes ↔ dense ids.
    scopes: Interner,
    /// Principal id → its position in lexicographic order (holders are listed by name).
    order: Vec<u32>,
    /// Principal id → its type (`User`, `Group`, ...) as first seen in an assignment.
    types: Vec<Option<Arc<str>>>,
    /// Transitive group membership, with what is known to be incomplete.
    memberships: Memberships,
    /// Per subscription (same order as `Index::subscriptions`).
    subs: Vec<azure::SubRbac<'a>>,
    /// Answers already computed, by task key.
    cache: Mutex<HashMap<String, Arc<TaskResult>>>,
}

impl<'a> Rbac<'a> {
    pub fn build(index: &'a Index<'a>) -> Self {
        let mut defs = HashMap::new();
        for sub in &index.subscriptions {
            for d in sub.data.role_definitions.iter().flatten() {
                if let Some((guid, def)) = role_def(d, false) {
                    defs.entry(guid).or_insert(def);
                }
            }
        }
        let mut tables = Tables::default();
        let memberships = Memberships::build(index, &mut tables.principals);
        let subs: Vec<azure::SubRbac<'a>> = index
            .subscriptions
            .iter()
            .map(|s| azure::SubRbac::build(index, s, &mut tables))
            .collect();
        let directory = entra::directory_principals(index);
        for (p, _) in &directory {
            intern_lower(&mut tables.principals, p);
        }
        let mut types: Vec<Option<Arc<str>>> = vec![None; tables.principals.len()];
        for a in subs.iter().flat_map(|s| &s.assignments) {
            let t = &mut types[a.principal as usize];
            if t.is_none() {
                t.clone_from(&a.principal_type);
            }
        }
        for (p, ty) in directory {
            if let (Some(id), Some(ty)) = (tables.principals.get(&p.to_ascii_lowercase()), ty) {
                types[id as usize].get_or_insert(ty);
            }
        }
        let mut by_name: Vec<u32> = (0..tables.principals.len() as u32).collect();
        by_name.sort_unstable_by(|&a, &b| tables.principals.name(a).cmp(tables.principals.name(b)));
        let mut order = vec![0u32; by_name.len()];
        for (rank, &p) in by_name.iter().enumerate() {
            order[p as usize] = rank as u32;
        }
        Rbac {
            index,
            defs,
            order,
            types,
            principals: tables.principals,
            roles: tables.roles,
            scopes: tables.scopes,
            memberships,
            subs,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Returns the cached answer for `key`, computing it once. The lock is not held while
    /// computing, so two threads may race to compute the same answer; both get equal results.
    fn memo(&self, key: String, compute: impl FnOnce() -> TaskResult) -> Arc<TaskResult> {
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return hit;
        }
        let value = Arc::new(compute());
        if let Ok(mut c) = self.cache.lock() {
            c.entry(key).or_insert_with(|| value.clone());
        }
        value
    }

    /// A role definition by GUID: the snapshot's, else the shipped built-in one.
    pub fn role(&self, guid: &str) -> Option<&RoleDef> {
        self.defs.get(guid).or_else(|| builtin_roles().get(guid))
    }

    pub fn role_name(&self, guid: &str) -> String {
        self.role(guid)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| format!("role {guid}"))
    }

    /// The principal plus its groups, and whether the groups are complete. A principal the
    /// snapshot never mentions (`None`) holds nothing and has no known groups.
    fn identities(&self, principal: Option<u32>) -> (Vec<u32>, bool) {
        let (groups, known) = self.memberships.of(principal);
        let mut ids = Vec::with_capacity(groups.len() + 1);
        ids.extend(principal);
        ids.extend_from_slice(groups);
        (ids, known)
    }

    /// [`Rbac::identities`] by name (lower-cased by the caller), as names.
    fn identity_names<'s>(&'s self, principal: &'s str) -> (Vec<&'s str>, bool) {
        let (ids, known) = self.identities(self.principals.get(principal));
        let mut names = vec![principal];
        names.extend(
            ids.iter()
                .map(|&i| self.principals.name(i))
                .filter(|n| *n != principal),
        );
        (names, known)
    }
}

/// Whether an assignment at `scope` (listed under a subscription) covers `target`.
///
/// `/` and management-group scopes listed under a subscription cover everything in it;
/// otherwise the scope must be a prefix of the target on a `/` boundary.
pub fn covers(scope: &str, target: &str) -> bool {
    let scope = scope.trim_end_matches('/');
    if scope.is_empty() || scope.starts_with("/providers/microsoft.management/managementgroups") {
        return true;
    }
    let target = target.trim_end_matches('/');
    target.len() >= scope.len()
        && target[..scope.len()].eq_ignore_ascii_case(scope)
        && (target.len() == scope.len() || target.as_bytes()[scope.len()] == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_coverage_respects_segment_boundaries() {
        assert!(covers("/", "/subscriptions/a/resourcegroups/rg"));
        assert!(covers(
            "/subscriptions/A",
            "/subscriptions/a/resourcegroups/rg"
        ));
        assert!(covers("/subscriptions/a/", "/subscriptions/a"));
        assert!(!covers("/subscriptions/a", "/subscriptions/ab"));
        assert!(!covers(
            "/subscriptions/a/resourcegroups/rg",
            "/subscriptions/a"
        ));
        assert!(covers(
            "/providers/microsoft.management/managementgroups/root",
            "/subscriptions/a"
        ));
    }

    #[test]
    fn builtins_are_shipped() {
        assert_eq!(
            builtin_role_name("8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
            Some("Owner")
        );
        assert_eq!(builtin_roles().len(), 14);
    }
}
