//! Effective permissions: who can do an onboarding task, and why (DESIGN §3.6).
//!
//! Pure computation over the indexed snapshot: Azure role assignments (active and PIM-eligible),
//! role definitions (custom by actions, built-in by GUID), deny assignments, ABAC conditions,
//! Entra directory roles and transitive group membership. No I/O.

pub mod actions;
mod azure;
mod entra;
mod explain;
pub mod tasks;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;
use serde_json::value::RawValue;

use crate::engine::context::{Avail, Index, last_segment, norm_id};
use crate::finding::Evidence;
use crate::snapshot::Resource;
use actions::PermissionBlock;

pub use azure::{AzureTask, Part};
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

/// A role assignment or eligibility, normalised. Principals, roles and scopes are ids into the
/// tables of [`Rbac`]; text is borrowed from the snapshot where it can be.
#[derive(Clone, Debug)]
pub(crate) struct Assignment<'a> {
    pub(crate) principal: u32,
    pub(crate) principal_type: Option<Arc<str>>,
    /// Position in the role table.
    pub(crate) role: u32,
    /// Position in the scope table.
    pub(crate) scope: u32,
    pub(crate) condition: Option<Cow<'a, str>>,
    pub(crate) eligible: bool,
    /// Position in its snapshot list (`roleAssignments` or `roleEligibilities`).
    pub(crate) position: u32,
    pub(crate) id: Cow<'a, str>,
}

/// A deny assignment, normalised.
#[derive(Clone, Debug)]
pub struct Deny {
    pub scope: String,
    pub blocks: Vec<PermissionBlock>,
    /// Principal ids (see [`Rbac`]'s principal table).
    pub principals: Vec<u32>,
    pub excluded: Vec<u32>,
    pub no_children: bool,
    pub pointer: String,
    pub name: String,
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

    /// Transitive groups of a principal: `None` when membership was not collected for it
    /// (or only partly: then the groups found are not proof of absence).
    pub fn groups(&self, principal: &str) -> Option<Vec<&str>> {
        let id = self.principals.get(&principal.to_ascii_lowercase());
        let (groups, known) = self.memberships.of(id);
        known.then(|| groups.iter().map(|&g| self.principals.name(g)).collect())
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

/// Dense ids for strings that are compared often (principal object ids, role GUIDs, scopes).
#[derive(Debug, Default)]
pub(crate) struct Interner {
    ids: HashMap<Arc<str>, u32>,
    names: Vec<Arc<str>>,
}

impl Interner {
    pub(crate) fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        let name: Arc<str> = Arc::from(name);
        self.names.push(name.clone());
        self.ids.insert(name, id);
        id
    }
    pub(crate) fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }
    pub(crate) fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |n| n)
    }
    pub(crate) fn shared(&self, id: u32) -> Arc<str> {
        self.names
            .get(id as usize)
            .cloned()
            .unwrap_or_else(|| Arc::from(""))
    }
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

/// The tables filled while indexing (principal types are few and shared by every holder).
#[derive(Debug, Default)]
pub(crate) struct Tables {
    pub(crate) principals: Interner,
    pub(crate) roles: Interner,
    pub(crate) scopes: Interner,
    pub(crate) types: Interner,
}

/// Group membership as collected, by principal id, indexed both ways, with partial entries marked.
#[derive(Debug, Default)]
struct Memberships {
    /// `false` when `graph.memberships` was not collected at all.
    collected: bool,
    /// Principal id → transitive group ids; `None` when the principal is not listed.
    groups: Vec<Option<Vec<u32>>>,
    /// Group id → member ids.
    members: Vec<Vec<u32>>,
    /// Principals whose membership listing failed part-way (`errors` target
    /// `graph.memberships[<id>]`).
    partial: HashSet<u32>,
    /// The whole membership collection is partial.
    all_partial: bool,
}

impl Memberships {
    fn build(index: &Index<'_>, principals: &mut Interner) -> Self {
        let raw = index
            .snapshot
            .graph
            .as_ref()
            .and_then(|g| g.memberships.as_ref());
        let mut m = Memberships::default();
        for e in &index.snapshot.errors {
            let Some(t) = e.target.as_deref() else {
                continue;
            };
            let t = t.trim().to_ascii_lowercase();
            if t == "graph" || t == "graph.memberships" {
                m.all_partial = true;
            } else if let Some(rest) = t.strip_prefix("graph.memberships[") {
                m.partial
                    .insert(principals.intern(rest.trim_end_matches(']')));
            }
        }
        let Some(raw) = raw else {
            return m;
        };
        m.collected = true;
        let mut lower = String::new();
        let mut id_of = |s: &str, p: &mut Interner| {
            lower.clear();
            lower.push_str(s);
            lower.make_ascii_lowercase();
            p.intern(&lower) as usize
        };
        for (p, groups) in raw {
            let p = id_of(p, principals);
            let gs: Vec<u32> = groups.iter().map(|g| id_of(g, principals) as u32).collect();
            let top = principals.len();
            m.groups.resize(top, None);
            m.members.resize(top, Vec::new());
            for &g in &gs {
                m.members[g as usize].push(p as u32);
            }
            m.groups[p].get_or_insert_with(Vec::new).extend(gs);
        }
        m
    }

    /// A principal's groups and whether that list is complete.
    fn of(&self, principal: Option<u32>) -> (&[u32], bool) {
        let Some(p) = principal else {
            return (&[], false);
        };
        match self.groups.get(p as usize) {
            Some(Some(g)) if self.collected => (g, !self.all_partial && !self.partial.contains(&p)),
            _ => (&[], false),
        }
    }

    /// Members of a group (reverse of the memberships).
    fn members(&self, group: u32) -> &[u32] {
        self.members.get(group as usize).map_or(&[], Vec::as_slice)
    }
}

/// The fields of a raw assignment the index needs, read without building a `Value`.
struct AssignmentFields<'a> {
    id: Option<Cow<'a, str>>,
    principal_id: Option<Cow<'a, str>>,
    principal_type: Option<Cow<'a, str>>,
    role_definition_id: Option<Cow<'a, str>>,
    scope: Option<Cow<'a, str>>,
    /// `None`: absent or null; text as given, or the JSON of a non-string condition.
    condition: Option<Cow<'a, str>>,
}

impl<'a> AssignmentFields<'a> {
    /// Reads the fields from the resource's text; an object of unexpected shape (duplicate keys,
    /// `properties` not an object) is read from its parsed value instead, so both agree.
    fn read(r: &'a Resource) -> Option<Self> {
        Self::from_text(r.raw_json()).or_else(|| Self::from_value(r))
    }

    fn from_text(text: &'a str) -> Option<Self> {
        #[derive(serde::Deserialize)]
        struct Top<'a> {
            #[serde(borrow, default)]
            id: Option<&'a RawValue>,
            #[serde(borrow, default)]
            properties: Option<&'a RawValue>,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Props<'a> {
            #[serde(borrow, default)]
            principal_id: Option<&'a RawValue>,
            #[serde(borrow, default)]
            principal_type: Option<&'a RawValue>,
            #[serde(borrow, default)]
            role_definition_id: Option<&'a RawValue>,
            #[serde(borrow, default)]
            scope: Option<&'a RawValue>,
            #[serde(borrow, default)]
            condition: Option<&'a RawValue>,
        }
        let top: Top<'a> = serde_json::from_str(text).ok()?;
        // Missing properties: nothing to index (the Value path agrees).
        let props: Props<'a> = serde_json::from_str(top.properties?.get()).ok()?;
        Some(AssignmentFields {
            id: top.id.and_then(text_of),
            principal_id: props.principal_id.and_then(text_of),
            principal_type: props.principal_type.and_then(text_of),
            role_definition_id: props.role_definition_id.and_then(text_of),
            scope: props.scope.and_then(text_of),
            condition: props.condition.map(|c| {
                text_of(c).unwrap_or_else(|| {
                    let v: Value = serde_json::from_str(c.get()).unwrap_or(Value::Null);
                    Cow::Owned(v.to_string())
                })
            }),
        })
    }

    fn from_value(r: &'a Resource) -> Option<Self> {
        let a: &'a Value = r;
        let p = a.get("properties")?;
        let s = |k: &str| p.get(k).and_then(Value::as_str).map(Cow::Borrowed);
        Some(AssignmentFields {
            id: a.get("id").and_then(Value::as_str).map(Cow::Borrowed),
            principal_id: s("principalId"),
            principal_type: s("principalType"),
            role_definition_id: s("roleDefinitionId"),
            scope: s("scope"),
            condition: match p.get("condition") {
                None | Some(Value::Null) => None,
                Some(Value::String(c)) => Some(Cow::Borrowed(c.as_str())),
                Some(other) => Some(Cow::Owned(other.to_string())),
            },
        })
    }
}

/// A JSON string's text (borrowed unless it has escapes); `None` for any other JSON value.
fn text_of(raw: &RawValue) -> Option<Cow<'_, str>> {
    let t = raw.get();
    if !t.starts_with('"') {
        return None;
    }
    serde_json::from_str::<&str>(t)
        .map(Cow::Borrowed)
        .or_else(|_| serde_json::from_str::<String>(t).map(Cow::Owned))
        .ok()
}

/// Normalises a list of raw assignments (role assignments or eligibility instances).
fn assignments<'a>(list: &Avail<'a>, eligible: bool, t: &mut Tables) -> Vec<Assignment<'a>> {
    let non_empty = |v: Option<Cow<'a, str>>| v.filter(|v| !v.trim().is_empty());
    list.items()
        .iter()
        .enumerate()
        .filter_map(|(j, r)| {
            let f = AssignmentFields::read(r)?;
            let principal = non_empty(f.principal_id)?;
            let role = last_segment(&non_empty(f.role_definition_id)?);
            let scope = norm_id(&non_empty(f.scope).or_else(|| f.id.clone())?);
            Some(Assignment {
                principal: intern_lower(&mut t.principals, &principal),
                principal_type: f.principal_type.map(|ty| {
                    let id = t.types.intern(&ty);
                    t.types.shared(id)
                }),
                role: t.roles.intern(&role),
                scope: t.scopes.intern(&scope),
                // A condition that is not a string cannot be read: keep it, so it restricts.
                condition: f.condition.filter(|c| !c.trim().is_empty()),
                eligible,
                position: u32::try_from(j).unwrap_or(u32::MAX),
                id: f.id.unwrap_or(Cow::Borrowed("")),
            })
        })
        .collect()
}

/// Interns `s` lower-cased, allocating only when it is not lower-case already.
pub(crate) fn intern_lower(table: &mut Interner, s: &str) -> u32 {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        table.intern(&s.to_ascii_lowercase())
    } else {
        table.intern(s)
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
