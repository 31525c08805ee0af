//! Azure RBAC action patterns: `*` is the only wildcard, it crosses `/`, and matching ignores
//! ASCII case (DESIGN §3.6).

use serde_json::Value;

/// Whether `pattern` (possibly with `*`) matches `action`.
pub fn matches(pattern: &str, action: &str) -> bool {
    let p = pattern.as_bytes();
    let a = action.as_bytes();
    // Iterative glob with single-star backtracking: linear enough for action strings and
    // immune to pathological patterns (no recursion).
    let (mut pi, mut ai) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ai < a.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ai));
            pi += 1;
        } else if pi < p.len() && p[pi].eq_ignore_ascii_case(&a[ai]) {
            pi += 1;
            ai += 1;
        } else if let Some((sp, sa)) = star {
            pi = sp + 1;
            ai = sa + 1;
            star = Some((sp, sa + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// One `permissions[]` block of a role definition or deny assignment.
#[derive(Clone, Debug, Default)]
pub struct PermissionBlock {
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
}

impl PermissionBlock {
    /// Reads `permissions` from a raw role definition or deny assignment `properties`.
    /// `dataActions` are ignored on purpose: they never satisfy a control-plane action.
    pub fn list_from(properties: Option<&Value>) -> Vec<PermissionBlock> {
        let strings = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        properties
            .and_then(|p| p.get("permissions"))
            .and_then(Value::as_array)
            .map(|blocks| {
                blocks
                    .iter()
                    .map(|b| PermissionBlock {
                        actions: strings(b.get("actions")),
                        not_actions: strings(b.get("notActions")),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether this block grants `action`: some `actions` entry matches and no `notActions`
    /// entry of the same block does.
    pub fn grants(&self, action: &str) -> bool {
        self.actions.iter().any(|p| matches(p, action))
            && !self.not_actions.iter().any(|p| matches(p, action))
    }
}

/// Whether any block grants `action`.
pub fn any_grants(blocks: &[PermissionBlock], action: &str) -> bool {
    blocks.iter().any(|b| b.grants(action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_crosses_slashes_and_case_is_ignored() {
        assert!(matches(
            "*",
            "Microsoft.Authorization/roleAssignments/write"
        ));
        assert!(matches(
            "Microsoft.SecurityInsights/*",
            "microsoft.securityinsights/incidents/comments/write"
        ));
        assert!(matches(
            "*/read",
            "Microsoft.OperationalInsights/workspaces/query/read"
        ));
        assert!(matches("a*b*c", "aXbYc"));
        assert!(matches("a*", "a"));
        assert!(!matches(
            "Microsoft.OperationalInsights/workspaces/*/read",
            "Microsoft.OperationalInsights/workspaces/read"
        ));
        assert!(!matches("a*b", "acbx"));
    }

    #[test]
    fn not_actions_only_remove_within_their_block() {
        let owner_like = PermissionBlock {
            actions: vec!["*".into()],
            not_actions: vec!["Microsoft.Authorization/*/Write".into()],
        };
        assert!(!owner_like.grants("Microsoft.Authorization/roleAssignments/write"));
        assert!(owner_like.grants("Microsoft.SecurityInsights/onboardingStates/write"));
        let other = PermissionBlock {
            actions: vec!["Microsoft.Authorization/roleAssignments/write".into()],
            not_actions: vec![],
        };
        assert!(any_grants(
            &[owner_like, other],
            "Microsoft.Authorization/roleAssignments/write"
        ));
    }

    #[test]
    fn pathological_patterns_terminate() {
        let p = "*a".repeat(50);
        let a = "a".repeat(200) + "b";
        assert!(!matches(&p, &a));
    }
}
