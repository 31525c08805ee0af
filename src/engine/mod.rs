//! The rule engine: rule metadata, the check registry, scope planning, parallel evaluation,
//! and everything decided after evaluation (target, verdicts, gating and exit code).
//!
//! Checks never filter or gate; this module does, once, for every output format: waivers
//! ([`waivers`]) and the baseline comparison ([`baseline`]) are applied here, after evaluation
//! and before verdicts, counts and the exit code.

pub mod baseline;
pub mod context;
pub mod eval;
pub mod options;
pub mod registry;
pub mod rules;
pub mod scopes;
pub mod waivers;

use std::collections::BTreeMap;

use crate::finding::{Finding, Label, Scope, Status};
use crate::report::{Report, SnapshotInfo, Summary, Verdict, WorkspaceInfo};
use crate::snapshot::Snapshot;
use context::{Context, Index};
use options::{EvalOptions, FailOn};
use rules::Rule;
use scopes::{ScopeError, ScopePlan};

/// What is decided after evaluation besides `--fail-on`: waivers and the baseline.
#[derive(Clone, Copy, Debug, Default)]
pub struct PostEval<'a> {
    /// Waivers from `socready.toml`, with the day they are judged on.
    pub waivers: Option<&'a waivers::WaiverPolicy>,
    /// `--baseline`: the previous report to compare with.
    pub baseline: Option<&'a baseline::PreviousReport>,
    /// `--fail-on-new`: gate only on findings that are new against the baseline.
    pub fail_on_new: bool,
}

/// Evaluates `rules` against `snapshot` and assembles the report every renderer reads.
pub fn scan(
    snapshot: &Snapshot,
    info: SnapshotInfo,
    rules: Vec<Rule>,
    opts: &EvalOptions,
) -> Result<Report, ScopeError> {
    scan_with(snapshot, info, rules, opts, PostEval::default())
}

/// [`scan`], then waivers and the baseline comparison before verdicts and the exit code.
/// Principals a report's access matrix keeps per workspace (those with the most tasks);
/// `socready access` lists every one.
pub const ACCESS_ROWS: usize = 200;

pub fn scan_with(
    snapshot: &Snapshot,
    info: SnapshotInfo,
    rules: Vec<Rule>,
    opts: &EvalOptions,
    post: PostEval<'_>,
) -> Result<Report, ScopeError> {
    let index = Index::build(snapshot);
    let plan = ScopePlan::build(&index, opts)?;
    let rbac = crate::rbac::Rbac::build(&index);
    let cx = Context {
        index: &index,
        plan: &plan,
        opts,
        rbac: &rbac,
    };
    let (mut findings, timings) = eval::evaluate(&cx, &rules);
    let waiver_notes = post
        .waivers
        .map(|p| waivers::apply(&mut findings, &index.tenant_id, p))
        .unwrap_or_default();
    let baseline = post
        .baseline
        .map(|prev| baseline::classify(&findings, &index.tenant_id, prev, post.fail_on_new));

    let workspaces: Vec<WorkspaceInfo> = plan
        .scopes
        .iter()
        .map(|&i| {
            let w = &index.workspaces[i];
            WorkspaceInfo {
                id: w.id.clone(),
                arm_id: w.arm_id.to_string(),
                name: w.name.clone(),
                subscription_id: w.subscription_id.clone(),
                resource_group: w.resource_group.clone(),
                location: crate::snapshot::str_at(&w.data.workspace, "location")
                    .map(str::to_string),
                primary: plan.primary == Some(i),
                verdict: verdict(&findings, &w.id),
            }
        })
        .collect();
    let summary = summarize(&findings);
    let exit_code = match &baseline {
        Some(b) if b.fail_on_new => {
            let new: Vec<Finding> = findings
                .iter()
                .filter(|f| b.change_of(f) == Some(baseline::Change::New))
                .cloned()
                .collect();
            exit_code(&new, opts.fail_on)
        }
        _ => exit_code(&findings, opts.fail_on),
    };
    let access = opts.access_matrix.then(|| {
        let tasks = access_tasks(&rules);
        rbac.matrix(&index, &tasks, &plan.scopes, None, Some(ACCESS_ROWS))
    });
    Ok(Report {
        access,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        snapshot: info,
        target: opts.target,
        workspace_mode: opts.workspace_mode,
        fail_on: opts.fail_on,
        rules,
        findings,
        workspaces,
        not_considered: plan.not_considered.clone(),
        not_collected: snapshot.errors.clone(),
        summary,
        exit_code,
        timings,
        sarif_include_pass: false,
        config: None,
        waiver_notes,
        baseline,
    })
}

/// The access tasks of a rule set (columns of the who-can-do-what matrix), in rule order.
pub fn access_tasks(rules: &[Rule]) -> Vec<crate::rbac::AccessTask> {
    let mut out: Vec<crate::rbac::AccessTask> = Vec::new();
    for r in rules {
        for t in r.checker.access_tasks() {
            if !out.iter().any(|x| x.name() == t.name()) {
                out.push(t);
            }
        }
    }
    out
}

/// A workspace's verdict from its own blocking findings and the tenant's (DESIGN §3.2).
pub fn verdict(findings: &[Finding], workspace: &str) -> Verdict {
    let relevant = findings.iter().filter(|f| {
        f.label == Label::Blocking
            && match &f.scope {
                Scope::Tenant => true,
                Scope::Workspace(id) => id == workspace,
            }
    });
    let mut unknown = false;
    for f in relevant {
        match f.status {
            Status::Fail => return Verdict::NotReady,
            Status::Unknown => unknown = true,
            _ => {}
        }
    }
    if unknown {
        Verdict::Incomplete
    } else {
        Verdict::Ready
    }
}

/// Exit code per DESIGN §4: 1 for a gating failure, 3 for a gating unknown, else 0.
pub fn exit_code(findings: &[Finding], fail_on: FailOn) -> i32 {
    let gating = |s: Status| {
        findings
            .iter()
            .any(|f| f.status == s && fail_on.gates(f.severity, f.label))
    };
    if gating(Status::Fail) {
        1
    } else if gating(Status::Unknown) {
        3
    } else {
        0
    }
}

pub fn summarize(findings: &[Finding]) -> Summary {
    let mut s = Summary::default();
    for st in Status::ALL {
        s.by_status.insert(st.as_str(), 0);
    }
    for f in findings {
        *s.by_status.entry(f.status.as_str()).or_default() += 1;
        *s.by_label
            .entry(f.label.as_str())
            .or_insert_with(BTreeMap::new)
            .entry(f.status.as_str())
            .or_default() += 1;
        *s.by_severity
            .entry(f.severity.as_str())
            .or_insert_with(BTreeMap::new)
            .entry(f.status.as_str())
            .or_default() += 1;
    }
    s
}
