//! Parallel evaluation: every (rule, scope) pair on rayon, panics contained, order deterministic.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use rayon::prelude::*;

use super::context::{Context, ScopeRef};
use super::rules::{Rule, RuleScope};
use crate::finding::{Finding, Outcome, Scope, Status, fingerprint};

/// Evaluates every rule at every scope of the plan. Returns findings (sorted by rule id, tenant
/// first, then workspace id) and per-rule timings in milliseconds.
pub fn evaluate(cx: &Context<'_>, rules: &[Rule]) -> (Vec<Finding>, BTreeMap<String, f64>) {
    let mut jobs: Vec<(usize, Option<usize>)> = Vec::new();
    for (r, rule) in rules.iter().enumerate() {
        match rule.scope {
            RuleScope::Tenant => jobs.push((r, None)),
            RuleScope::Workspace if cx.plan.scopes.is_empty() => jobs.push((r, None)),
            RuleScope::Workspace => jobs.extend(cx.plan.scopes.iter().map(|&w| (r, Some(w)))),
        }
    }
    let results: Vec<(usize, Option<Finding>, f64)> = jobs
        .par_iter()
        .map(|&(r, ws)| {
            let rule = &rules[r];
            let start = Instant::now();
            let finding = evaluate_one(cx, rule, ws);
            (r, finding, start.elapsed().as_secs_f64() * 1000.0)
        })
        .collect();

    let mut timings: BTreeMap<String, f64> = rules.iter().map(|r| (r.id.clone(), 0.0)).collect();
    let mut findings = Vec::with_capacity(results.len());
    for (r, f, ms) in results {
        *timings.entry(rules[r].id.clone()).or_default() += ms;
        findings.extend(f);
    }
    findings.sort_by(|a, b| (a.rule.as_str(), &a.scope).cmp(&(b.rule.as_str(), &b.scope)));
    (findings, timings)
}

fn evaluate_one(cx: &Context<'_>, rule: &Rule, ws: Option<usize>) -> Option<Finding> {
    let scope_ref = match ws {
        Some(i) => ScopeRef::Workspace(&cx.index.workspaces[i]),
        None => ScopeRef::Tenant,
    };
    let scope = match &scope_ref {
        ScopeRef::Tenant => Scope::Tenant,
        ScopeRef::Workspace(w) => Scope::Workspace(w.id.clone()),
    };
    let outcome = if !rule.targets.is_empty() && !rule.targets.contains(&cx.opts.target) {
        Outcome::not_applicable(format!(
            "not evaluated for --target {}: this rule applies to {}",
            cx.opts.target.as_str(),
            rule.targets
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    } else if rule.scope == RuleScope::Workspace && ws.is_none() {
        // A workspace rule with no workspace to look at: only some checks have something to say
        // (SOC003: "no workspace with Sentinel"); the others produce no finding.
        rule.checker.evaluate_without_workspaces(cx)?
    } else {
        // A bug in one check must not take the whole scan down or turn into a pass.
        match catch_unwind(AssertUnwindSafe(|| rule.checker.evaluate(cx, &scope_ref))) {
            Ok(o) => o,
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_string());
                Outcome::unknown(format!(
                    "internal error while evaluating this check ({what}); please report it"
                ))
            }
        }
    };
    let resource = match &scope {
        Scope::Tenant => format!("tenant/{}", cx.index.tenant_id),
        Scope::Workspace(id) => id.clone(),
    };
    let mut outcome = outcome;
    if outcome.status == Status::Fail && outcome.evidence.is_empty() {
        // Every fail must name what failed; fall back to the scope itself.
        outcome.evidence.push(crate::finding::Evidence::new(
            ws.map(|i| cx.index.workspaces[i].pointer())
                .unwrap_or_else(|| "/tenant".into()),
            resource.clone(),
            outcome.message.clone(),
        ));
    }
    Some(Finding {
        rule: rule.id.clone(),
        fingerprint: fingerprint(&rule.id, &resource),
        scope,
        status: outcome.status,
        original_status: None,
        severity: rule.severity,
        label: rule.label,
        message: outcome.message,
        evidence: outcome.evidence,
        waiver: None,
    })
}
