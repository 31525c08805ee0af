//! Dense ids for the strings the permission engine compares millions of times (principal
//! object ids, role GUIDs, scopes), and group membership over those ids.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::engine::context::Index;

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
pub(super) struct Memberships {
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
    pub(super) fn build(index: &Index<'_>, principals: &mut Interner) -> Self {
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
    pub(super) fn of(&self, principal: Option<u32>) -> (&[u32], bool) {
        let Some(p) = principal else {
            return (&[], false);
        };
        match self.groups.get(p as usize) {
            Some(Some(g)) if self.collected => (g, !self.all_partial && !self.partial.contains(&p)),
            _ => (&[], false),
        }
    }

    /// Members of a group (reverse of the memberships).
    pub(super) fn members(&self, group: u32) -> &[u32] {
        self.members.get(group as usize).map_or(&[], Vec::as_slice)
    }
}

/// Interns `s` lower-cased, allocating only when it is not lower-case already.
pub(crate) fn intern_lower(table: &mut Interner, s: &str) -> u32 {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        table.intern(&s.to_ascii_lowercase())
    } else {
        table.intern(s)
    }
}
