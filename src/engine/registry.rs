//! The check registry: maps the `check` name of a rule file to the code that evaluates it.
//!
//! One line per check kind, sorted by name. A check kind declares its scope and how to turn the
//! rule's `[params]` table into a ready-to-run check (typed, strictly parsed).

use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::context::{Context, ScopeRef};
use super::rules::RuleScope;
use crate::checks;
use crate::finding::Outcome;

/// A prepared check: parameters parsed, ready to evaluate any scope of its kind.
pub trait Check: Send + Sync {
    fn evaluate(&self, cx: &Context<'_>, scope: &ScopeRef<'_>) -> Outcome;

    /// Access tasks this check judges, for the who-can-do-what matrix.
    fn access_tasks(&self) -> Vec<crate::rbac::AccessTask> {
        Vec::new()
    }

    /// For workspace checks when the scan has no workspace scope at all; `None` = no finding.
    fn evaluate_without_workspaces(&self, _cx: &Context<'_>) -> Option<Outcome> {
        None
    }
}

/// A registered check kind.
pub struct CheckKind {
    pub name: &'static str,
    pub scope: RuleScope,
    pub prepare: fn(&toml::Table) -> Result<Arc<dyn Check>, String>,
}

const KINDS: &[CheckKind] = &[
    CheckKind {
        name: "automation_rule_impact",
        scope: RuleScope::Workspace,
        prepare: checks::automation_rules::prepare,
    },
    CheckKind {
        name: "connect_permission",
        scope: RuleScope::Workspace,
        prepare: checks::connect_permission::prepare,
    },
    CheckKind {
        name: "connect_side_effects",
        scope: RuleScope::Workspace,
        prepare: checks::connect_effects::prepare,
    },
    CheckKind {
        name: "defender_for_cloud",
        scope: RuleScope::Workspace,
        prepare: checks::defender_for_cloud::prepare,
    },
    CheckKind {
        name: "duplicate_incident_rules",
        scope: RuleScope::Workspace,
        prepare: checks::incident_rules::prepare,
    },
    CheckKind {
        name: "health_and_audit",
        scope: RuleScope::Workspace,
        prepare: checks::health_audit::prepare,
    },
    CheckKind {
        name: "licensed_services",
        scope: RuleScope::Tenant,
        prepare: checks::service_plans::prepare,
    },
    CheckKind {
        name: "onboard_permission",
        scope: RuleScope::Tenant,
        prepare: checks::onboard_permission::prepare,
    },
    CheckKind {
        name: "retention",
        scope: RuleScope::Workspace,
        prepare: checks::retention::prepare,
    },
    CheckKind {
        name: "security_resource_group",
        scope: RuleScope::Workspace,
        prepare: checks::resource_group::prepare,
    },
    CheckKind {
        name: "sentinel_workspace",
        scope: RuleScope::Workspace,
        prepare: checks::workspace::prepare,
    },
    CheckKind {
        name: "single_tenant",
        scope: RuleScope::Workspace,
        prepare: checks::tenant::prepare,
    },
    CheckKind {
        name: "soc_access",
        scope: RuleScope::Workspace,
        prepare: checks::soc_access::prepare,
    },
    CheckKind {
        name: "ueba",
        scope: RuleScope::Workspace,
        prepare: checks::ueba::prepare,
    },
    CheckKind {
        name: "xdr_connector",
        scope: RuleScope::Workspace,
        prepare: checks::connector::prepare,
    },
    CheckKind {
        name: "xdr_license",
        scope: RuleScope::Tenant,
        prepare: checks::licenses::prepare,
    },
];

pub fn lookup(name: &str) -> Option<&'static CheckKind> {
    KINDS.iter().find(|k| k.name == name)
}

pub fn names() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.name).collect()
}

/// Parses a params table strictly into `P` (unknown keys and wrong types are errors).
pub fn params<P: DeserializeOwned>(table: &toml::Table) -> Result<P, String> {
    toml::Value::Table(table.clone())
        .try_into()
        .map_err(|e: toml::de::Error| e.message().trim().to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn kinds_are_sorted_and_unique() {
        let names = super::names();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
    }
}
