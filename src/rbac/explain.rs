//! Why a principal can or cannot do a task: the chain of evidence, or the exact gap and the
//! least-privileged built-in role that would close it.

use super::actions::PermissionBlock;
use super::azure::assignment_level;
use super::deny::{DenyEffect, deny_applies};
use super::tasks::{AccessTask, place};
use super::{Level, Rbac, covers};
use crate::engine::context::{Index, WorkspaceView};

/// The pattern and block that grant `action`, if any (a `notActions` match in the same block
/// cancels it).
fn matching_line(blocks: &[PermissionBlock], action: &str) -> Option<(usize, String)> {
    blocks.iter().enumerate().find_map(|(i, b)| {
        if b.not_actions
            .iter()
            .any(|p| super::actions::matches(p, action))
        {
            return None;
        }
        b.actions
            .iter()
            .find(|p| super::actions::matches(p, action))
            .map(|p| (i, p.clone()))
    })
}

fn level_text(l: &Level) -> String {
    match l {
        Level::Active => "active".into(),
        Level::Eligible => "PIM eligible: activate before use".into(),
        Level::Conditional(c) => format!("restricted by ABAC condition `{c}`"),
        Level::Unverified(why) => format!("unverified: {why}"),
    }
}

impl Rbac<'_> {
    /// Lines explaining whether `principal` can do `task` on `ws`.
    pub fn explain(
        &self,
        index: &Index<'_>,
        task: &AccessTask,
        ws: &WorkspaceView<'_>,
        principal: &str,
    ) -> Vec<String> {
        let principal = principal.to_ascii_lowercase();
        let pid = self.principals.get(&principal);
        let (ids, groups_known) = self.identities(pid);
        let mut out = Vec::new();
        let groups: Vec<&u32> = ids.iter().filter(|i| Some(**i) != pid).collect();
        out.push(match (groups_known, groups.is_empty()) {
            (false, _) => format!(
                "{principal}: group membership not collected; only direct assignments are seen"
            ),
            (true, true) => format!("{principal}: member of no group"),
            (true, false) => format!("{principal}: member of {} group(s)", groups.len()),
        });
        match task {
            AccessTask::Entra { task: t, name } => {
                let res = self.entra(t, Some(&principal));
                if res.holders.is_empty() {
                    out.push(format!("cannot {name}: no active or eligible assignment of the required directory roles at scope /"));
                    out.push(
                        "least privilege: assign Security Administrator (directory scope /)".into(),
                    );
                }
                for h in &res.holders {
                    for e in &h.evidence {
                        out.push(format!(
                            "can {name} ({}): {} [{}]",
                            level_text(&h.level),
                            e.detail,
                            e.resource
                        ));
                    }
                }
                out.extend(res.gaps.iter().map(|g| format!("note: {g}")));
            }
            AccessTask::Azure { name, parts } => {
                let Some(sub) = index.subscription(&ws.subscription_id) else {
                    out.push(format!(
                        "unknown: subscription {} is not in the snapshot",
                        ws.subscription_id
                    ));
                    return out;
                };
                let data = &self.subs[sub.index];
                let placed = place(parts, &sub.id, ws);
                for part in &placed.parts {
                    out.push(format!(
                        "{name} — part \"{}\" at {}",
                        part.label, part.target
                    ));
                    let held: Vec<&super::Assignment> = ids
                        .iter()
                        .flat_map(|&id| data.of(id))
                        .map(|&i| &data.assignments[i as usize])
                        .filter(|a| covers(self.scopes.name(a.scope), &part.target))
                        .collect();
                    let mut met = false;
                    for a in held
                        .iter()
                        .filter(|a| part.roles.iter().any(|r| r == self.roles.name(a.role)))
                    {
                        met = true;
                        out.push(format!(
                            "  met by role {} at {} via assignment {} ({})",
                            self.role_name(self.roles.name(a.role)),
                            self.scopes.name(a.scope),
                            if a.id.is_empty() { "(no id)" } else { &a.id },
                            level_text(&assignment_level(a, &part.actions))
                        ));
                    }
                    let mut missing = Vec::new();
                    for action in &part.actions {
                        let grant = held.iter().find_map(|a| {
                            let def = self.role(self.roles.name(a.role))?;
                            matching_line(&def.blocks, action).map(|(b, p)| (a, def, b, p))
                        });
                        match grant {
                            Some((a, def, b, p)) => out.push(format!(
                                "  {action}: granted by `{p}` (permissions[{b}]) of {} via assignment {} at {}",
                                def.name,
                                if a.id.is_empty() { "(no id)" } else { &a.id },
                                self.scopes.name(a.scope)
                            )),
                            None => missing.push(action.clone()),
                        }
                    }
                    if !missing.is_empty() && !met {
                        out.push(format!(
                            "  missing at {}: {}",
                            part.target,
                            missing.join(", ")
                        ));
                        if let Some(r) = part.roles.first() {
                            out.push(format!(
                                "  least privilege: assign {} at {}",
                                self.role_name(r),
                                part.target
                            ));
                        }
                    }
                    let denies = data.denies.iter().filter(|d| deny_applies(d, part));
                    match self.deny_effect(denies, pid, &ids, groups_known) {
                        DenyEffect::Denied(d) => out.push(format!(
                            "  blocked by deny assignment {} at {}",
                            d.name, d.scope
                        )),
                        DenyEffect::Uncertain(d) => out.push(format!(
                            "  deny assignment {} at {} may apply (group membership incomplete)",
                            d.name, d.scope
                        )),
                        DenyEffect::None => {}
                    }
                }
                out.extend(data.gaps.iter().map(|g| format!("note: {g}")));
                if let Some(g) = &data.deny_gap {
                    out.push(format!("note: {g}"));
                }
                let res = self.azure(sub, &placed, Some(&principal));
                out.push(match res.holders.first() {
                    Some(h) => format!("answer: yes ({})", level_text(&h.level)),
                    None if !res.gaps.is_empty() => "answer: unknown (data incomplete)".into(),
                    None => "answer: no".into(),
                });
            }
        }
        out
    }
}
