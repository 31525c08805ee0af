//! Entra directory roles: who holds one of a set of roles tenant-wide (active or PIM-eligible).

use std::sync::Arc;

use serde_json::Value;

use super::{DETAILED_HOLDERS, Holder, Level, Rbac, TaskResult};
use crate::engine::context::Index;
use crate::finding::Evidence;

/// Directory roles (template ids) any one of which satisfies the task.
#[derive(Clone, Debug)]
pub struct EntraTask {
    pub roles: Vec<String>,
}

impl Rbac<'_> {
    /// Who holds one of the task's directory roles (memoised like [`Rbac::azure`]).
    pub fn entra(&self, task: &EntraTask, operator: Option<&str>) -> Arc<TaskResult> {
        let key = format!(
            "entra\u{1f}{}\u{1f}{}",
            operator.unwrap_or("").to_ascii_lowercase(),
            task.roles.join(",")
        );
        self.memo(key, || self.entra_uncached(task, operator))
    }

    fn entra_uncached(&self, task: &EntraTask, operator: Option<&str>) -> TaskResult {
        let ix = self.index;
        let assignments = ix.graph("directoryRoleAssignments", |g| {
            g.directory_role_assignments.as_ref()
        });
        let eligibilities = ix.graph("directoryRoleEligibilities", |g| {
            g.directory_role_eligibilities.as_ref()
        });
        let definitions = ix.graph("directoryRoleDefinitions", |g| {
            g.directory_role_definitions.as_ref()
        });
        let mut result = TaskResult::default();
        for (what, a) in [
            ("directory role assignments", &assignments),
            ("directory role eligibilities", &eligibilities),
        ] {
            if !a.is_complete() {
                result.gaps.push(a.reason(what));
            }
        }
        let wanted: Vec<String> = task.roles.iter().map(|r| r.to_ascii_lowercase()).collect();
        // Custom or tenant-specific role ids resolve to a template through the definitions list.
        let template_of = |id: &str| -> String {
            let id = id.to_ascii_lowercase();
            definitions
                .items()
                .iter()
                .find(|d| {
                    d.get("id")
                        .and_then(Value::as_str)
                        .is_some_and(|x| x.eq_ignore_ascii_case(&id))
                })
                .and_then(|d| d.get("templateId").and_then(Value::as_str))
                .map(str::to_ascii_lowercase)
                .unwrap_or(id)
        };
        let op_lower = operator.map(str::to_ascii_lowercase);
        let (ids, groups_known) = match operator {
            Some(op) => {
                let (ids, known) = self.identity_names(op_lower.as_deref().unwrap_or(op));
                (Some(ids), known)
            }
            None => (None, true),
        };
        if !groups_known {
            result.gaps.push(format!(
                "group membership of {} was not collected, so roles held through groups are not seen",
                operator.unwrap_or_default()
            ));
        }
        for (key, list, eligible) in [
            ("directoryRoleAssignments", &assignments, false),
            ("directoryRoleEligibilities", &eligibilities, true),
        ] {
            for (i, a) in list.items().iter().enumerate() {
                let str_of = |k: &str| a.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
                let Some(role) = str_of("roleDefinitionId") else {
                    continue;
                };
                let template = template_of(role);
                if !wanted.contains(&template) {
                    continue;
                }
                // Who holds the role, and where, must be readable before it can count.
                let (Some(principal), Some(scope)) =
                    (str_of("principalId"), str_of("directoryScopeId"))
                else {
                    result.gaps.push(format!(
                        "{key}[{i}] names the role but its principalId or directoryScopeId is missing or not a string"
                    ));
                    continue;
                };
                if scope != "/" {
                    continue;
                }
                let principal = principal.to_ascii_lowercase();
                if let Some(ids) = &ids
                    && !ids.contains(&principal.as_str())
                {
                    continue;
                }
                let ptype = principal_type(a).map(str::to_string);
                let name = a.pointer("/principal/displayName").and_then(Value::as_str);
                let role_name = entra_role_name(&template).unwrap_or(role);
                let mut detail = format!(
                    "{} {}{} holds {role_name} (directory scope /)",
                    ptype.as_deref().unwrap_or("principal"),
                    principal,
                    name.map(|n| format!(" ({n})")).unwrap_or_default()
                );
                if eligible {
                    detail.push_str(" — PIM eligible: requires activation");
                }
                let id = a
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or(&principal)
                    .to_string();
                result.holders.push(Holder {
                    principal: principal.into(),
                    principal_type: ptype.map(Into::into),
                    level: if eligible {
                        Level::Eligible
                    } else {
                        Level::Active
                    },
                    evidence: vec![Evidence::new(
                        crate::engine::context::Index::graph_pointer(key, i),
                        id,
                        detail,
                    )],
                });
            }
        }
        result.holders.sort_by(|a, b| {
            a.level
                .rank()
                .cmp(&b.level.rank())
                .then(a.principal.cmp(&b.principal))
        });
        // A principal holding two of the roles is one holder, at its best level.
        let mut seen = std::collections::HashSet::new();
        for h in &result.holders {
            if let Some(id) = self.principals.get(&h.principal)
                && seen.insert(id)
            {
                result.all.push((id, h.level.kind()));
            }
        }
        result.holders.truncate(DETAILED_HOLDERS);
        result
    }
}

/// Principal ids and types named by directory role assignments and eligibilities, so they
/// are in the principal table before any task is answered.
pub(super) fn directory_principals<'a>(index: &Index<'a>) -> Vec<(&'a str, Option<Arc<str>>)> {
    let Some(g) = index.snapshot.graph.as_ref() else {
        return Vec::new();
    };
    [
        &g.directory_role_assignments,
        &g.directory_role_eligibilities,
    ]
    .into_iter()
    .flatten()
    .flatten()
    .filter_map(|a| {
        let principal = a.get("principalId").and_then(Value::as_str)?;
        let ptype = principal_type(a).map(Arc::from);
        Some((principal, ptype))
    })
    .collect()
}

/// `#microsoft.graph.user` → `user`.
fn principal_type(a: &Value) -> Option<&str> {
    a.pointer("/principal/@odata.type")
        .and_then(Value::as_str)
        .map(|t| t.trim_start_matches("#microsoft.graph."))
}

/// Display name of the Entra roles socready names.
pub fn entra_role_name(template: &str) -> Option<&'static str> {
    match template.to_ascii_lowercase().as_str() {
        "62e90394-69f5-4237-9190-012177145e10" => Some("Global Administrator"),
        "194ae4cb-b126-40b2-bd5b-6091b380977d" => Some("Security Administrator"),
        "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f" => Some("Security Operator"),
        "5d6b6bb7-de71-4623-b4af-96380a352509" => Some("Security Reader"),
        "f2ef992c-3afb-46b9-b7cf-a126ee74c451" => Some("Global Reader"),
        "e8611ab8-c189-46e8-94e1-60213ab1f814" => Some("Privileged Role Administrator"),
        _ => None,
    }
}
