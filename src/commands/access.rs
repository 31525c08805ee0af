//! `socready access`: who can onboard, connect, view, query, investigate and open support
//! requests, per workspace — and, for one principal and task, why (or why not).

use std::io::Write;
use std::path::PathBuf;

use comfy_table::{ContentArrangement, Table, presets};

use super::AppError;
use crate::cli::TextOrJson;
use crate::engine::context::Index;
use crate::engine::options::EvalOptions;
use crate::engine::scopes::ScopePlan;
use crate::rbac::{AccessTask, Rbac};

/// `socready access` arguments.
#[derive(Debug, clap::Args)]
pub struct AccessArgs {
    /// Snapshot file to read.
    #[arg(long, value_name = "FILE")]
    pub snapshot: PathBuf,
    /// Rule directory overriding the built-in rules (the tasks come from the rule files).
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Only these workspaces (ARM id or unique name); default: every Sentinel workspace.
    #[arg(long = "workspace", value_name = "ID")]
    pub workspaces: Vec<String>,
    /// Only this principal (object id); with --task, explain the answer.
    #[arg(long, value_name = "PRINCIPAL_ID")]
    pub principal: Option<String>,
    /// The task to explain (e.g. "connect the workspace"; a unique prefix is enough).
    #[arg(long, value_name = "TASK", requires = "principal")]
    pub task: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: TextOrJson,
}

pub fn run(args: AccessArgs) -> Result<i32, AppError> {
    let rules = super::rules::load(args.rules.as_deref())?;
    let snap = crate::snapshot::load_file(&args.snapshot)?.snapshot;
    let index = Index::build(&snap);
    let opts = EvalOptions {
        workspaces: args.workspaces.clone(),
        ..EvalOptions::default()
    };
    let plan = ScopePlan::build(&index, &opts)?;
    let rbac = Rbac::build(&index);
    let all = crate::engine::access_tasks(&rules);
    let mut out = std::io::stdout().lock();
    let io = |e: std::io::Error| AppError::Write {
        path: "stdout".into(),
        source: e,
    };

    if let (Some(p), Some(t)) = (&args.principal, &args.task) {
        let wanted = t.to_ascii_lowercase();
        let matches: Vec<&AccessTask> = all
            .iter()
            .filter(|x| x.name().to_ascii_lowercase().starts_with(&wanted))
            .collect();
        let [task] = matches.as_slice() else {
            return Err(AppError::Usage(format!(
                "--task {t:?} matches {} task(s); tasks: {}",
                matches.len(),
                all.iter().map(|x| x.name()).collect::<Vec<_>>().join(", ")
            )));
        };
        let mut explained = Vec::new();
        for &w in &plan.scopes {
            let ws = &index.workspaces[w];
            explained.push((ws.id.clone(), rbac.explain(&index, task, ws, p)));
        }
        match args.format {
            TextOrJson::Json => {
                let v: Vec<_> = explained
                    .iter()
                    .map(|(w, lines)| serde_json::json!({"workspace": w, "task": task.name(), "principal": p, "explanation": lines}))
                    .collect();
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&v).unwrap_or_default()
                )
                .map_err(io)?;
            }
            TextOrJson::Table => {
                for (w, lines) in explained {
                    writeln!(out, "{w}").map_err(io)?;
                    for l in lines {
                        writeln!(out, "  {l}").map_err(io)?;
                    }
                    writeln!(out).map_err(io)?;
                }
            }
        }
        return Ok(0);
    }

    let m = rbac.matrix(&index, &all, &plan.scopes, args.principal.as_deref(), None);
    match args.format {
        TextOrJson::Json => {
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&m).unwrap_or_default()
            )
            .map_err(io)?;
        }
        TextOrJson::Table => {
            for w in &m.workspaces {
                writeln!(out, "{}", w.workspace).map_err(io)?;
                let mut t = Table::new();
                t.load_style(presets::UTF8_FULL_CONDENSED)
                    .set_content_arrangement(ContentArrangement::Dynamic)
                    .force_no_tty();
                let mut header = vec!["principal".to_string()];
                header.extend(m.tasks.iter().cloned());
                t.set_header(header);
                for r in &w.rows {
                    let mut row = vec![match &r.principal_type {
                        Some(k) => format!("{} ({k})", r.principal),
                        None => r.principal.to_string(),
                    }];
                    row.extend(r.cells.iter().map(|c| c.unwrap_or("-").to_string()));
                    t.add_row(row);
                }
                writeln!(out, "{t}").map_err(io)?;
                for g in &w.gaps {
                    writeln!(out, "note: {g}").map_err(io)?;
                }
                writeln!(out).map_err(io)?;
            }
            if m.workspaces.is_empty() {
                writeln!(out, "No workspace in scope.").map_err(io)?;
            }
        }
    }
    Ok(0)
}
