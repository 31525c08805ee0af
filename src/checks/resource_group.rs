//! SOC017 `security_resource_group`: the Sentinel workspace sits in a resource group of its own,
//! kept for security resources.
//!
//! A snapshot lists each subscription's `resourceGroups` and every Log Analytics workspace, but
//! not the other resources of a group, so the check uses what is there:
//! - fail: the group also holds a Log Analytics workspace without Microsoft Sentinel (an
//!   unrelated workload), or its name matches a shared or platform-created group
//!   (`shared_group_patterns`, `*` = any run of characters);
//! - pass: neither, and the group's name or a tag value contains one of `security_words` as a
//!   word (split at `-`, `_`, `.`, space), declaring it a security group;
//! - unknown: resource groups not collected, the group not listed, another workspace's Sentinel
//!   state unknown, the workspace list incomplete, or nothing marks the group as a security group.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::lookup::{list, workspace_subscription};
use crate::engine::context::{Context, ScopeRef, resource_group_of};
use crate::engine::registry::{Check, params};
use crate::finding::{Evidence, Outcome};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Words in a group's name or tag values that mark it as a security group.
    security_words: Vec<String>,
    /// Group names (glob, `*` = any run) that are shared or created by the platform.
    #[serde(default)]
    shared_group_patterns: Vec<String>,
}

struct SecurityResourceGroup(Params);

pub fn prepare(table: &toml::Table) -> Result<Arc<dyn Check>, String> {
    let p: Params = params(table)?;
    if p.security_words.iter().any(|w| w.trim().is_empty()) {
        return Err("security_words must not contain empty words".into());
    }
    Ok(Arc::new(SecurityResourceGroup(p)))
}

/// Case-insensitive glob match where `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.to_ascii_lowercase(), text.to_ascii_lowercase());
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == t;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !t.starts_with(first) || !t[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &t[first.len()..t.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(at) => rest = &rest[at + mid.len()..],
            None => return false,
        }
    }
    true
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(['-', '_', '.', ' '])
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
}

impl SecurityResourceGroup {
    /// The first name or tag that marks the group as a security group.
    fn marker(&self, group: &Value) -> Option<String> {
        let is_word = |text: &str| {
            words(text).any(|w| {
                self.0
                    .security_words
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(&w))
            })
        };
        let name = group.get("name").and_then(Value::as_str).unwrap_or("");
        if is_word(name) {
            return Some(format!("its name {name:?}"));
        }
        group
            .get("tags")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .find_map(|(k, v)| {
                v.as_str()
                    .filter(|v| is_word(v))
                    .map(|v| format!("its tag {k}={v:?}"))
            })
    }
}

impl Check for SecurityResourceGroup {
    fn evaluate(&self, cx: &Context<'_>, scope: &ScopeRef<'_>) -> Outcome {
        let ScopeRef::Workspace(ws) = scope else {
            return Outcome::not_applicable("workspace rule");
        };
        let sub = match workspace_subscription(cx, ws) {
            Ok(s) => s,
            Err(unknown) => return unknown,
        };
        let what = format!("resource groups of subscription {}", sub.id);
        let groups = cx
            .index
            .sub_collection(sub, "resourceGroups", |s| s.resource_groups.as_ref());
        if groups.is_missing() {
            return Outcome::unknown(groups.reason(&what));
        }
        let rg = ws.resource_group.as_str();
        let Some((gi, group)) = groups.items().iter().enumerate().find(|(_, g)| {
            g.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(rg))
        }) else {
            let why = if groups.is_complete() {
                format!("resource group {rg} of this workspace is not among the {what}")
            } else {
                groups.reason(&what)
            };
            return Outcome::unknown(why);
        };
        let rg_name = group.get("name").and_then(Value::as_str).unwrap_or(rg);
        let rg_id = group
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("/subscriptions/{}/resourceGroups/{rg_name}", sub.id));
        let rg_pointer = format!("/azure/subscriptions/{}/resourceGroups/{gi}", sub.index);

        // Other workspaces in the same group.
        let (mut unrelated, mut undetermined, mut siblings) = (Vec::new(), Vec::new(), Vec::new());
        for other in &cx.index.workspaces {
            if other.id == ws.id
                || other.subscription_id != ws.subscription_id
                || resource_group_of(other.arm_id).as_deref() != Some(rg)
            {
                continue;
            }
            match other.sentinel {
                Some(false) => unrelated.push((
                    other.name.clone(),
                    Evidence::new(
                        other.pointer(),
                        other.arm_id,
                        format!(
                            "Log Analytics workspace {} in {rg_name} has no Microsoft Sentinel",
                            other.name
                        ),
                    ),
                )),
                None => undetermined.push(other.name.clone()),
                Some(true) => siblings.push(other.name.clone()),
            }
        }
        let shared = self
            .0
            .shared_group_patterns
            .iter()
            .find(|p| glob(p, rg_name));
        if !unrelated.is_empty() || shared.is_some() {
            let mut why = Vec::new();
            if let Some(p) = shared {
                why.push(format!(
                    "{rg_name} is a shared or platform-created group (matches {p:?})"
                ));
            }
            if !unrelated.is_empty() {
                let names: Vec<String> = unrelated.iter().map(|(n, _)| n.clone()).collect();
                why.push(format!(
                    "it also holds workspace(s) without Sentinel: {}",
                    list(&names, 5)
                ));
            }
            let mut evidence = vec![Evidence::new(
                rg_pointer,
                rg_id,
                format!("resource group {rg_name}"),
            )];
            evidence.extend(unrelated.into_iter().map(|(_, e)| e));
            return Outcome::fail(format!(
                "the workspace's resource group is not dedicated to security: {}",
                why.join("; ")
            ))
            .with_all(evidence);
        }
        let listing_errors = cx.index.errors_for("azure.workspaces");
        let mut doubts = Vec::new();
        if !undetermined.is_empty() {
            doubts.push(format!(
                "whether {} in the same group use Microsoft Sentinel is not known",
                list(&undetermined, 5)
            ));
        }
        if let Some(e) = listing_errors.first() {
            doubts.push(format!(
                "the workspace list is incomplete ({})",
                e.describe()
            ));
        }
        let marker = self.marker(group);
        if marker.is_none() {
            doubts.push(format!(
                "nothing shows {rg_name} is shared, but neither its name nor its tags mark it as a security group"
            ));
        }
        let limit = "resources other than Log Analytics workspaces are not in the snapshot";
        if !doubts.is_empty() {
            return Outcome::unknown(format!("{}; {limit}", doubts.join("; "))).with(
                Evidence::new(rg_pointer, rg_id, format!("resource group {rg_name}")),
            );
        }
        let with = if siblings.is_empty() {
            String::new()
        } else {
            format!(
                ", shared only with Sentinel workspace(s) {}",
                list(&siblings, 5)
            )
        };
        Outcome::pass(format!(
            "the workspace is in {rg_name}, a security resource group by {}{with}; {limit}, so check them in the portal",
            marker.unwrap_or_default()
        ))
        .with(Evidence::new(rg_pointer, rg_id, format!("resource group {rg_name}")))
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs_match_case_insensitively() {
        assert!(glob("DefaultResourceGroup-*", "defaultresourcegroup-WEU"));
        assert!(glob(
            "cloud-shell-storage-*",
            "cloud-shell-storage-westeurope"
        ));
        assert!(glob("NetworkWatcherRG", "networkwatcherrg"));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(!glob("a*b*c", "aXXcYYb"));
        assert!(!glob("rg-*-prod", "rg-prod"));
    }
}
