//! Which workspaces a scan evaluates (DESIGN §3, evaluation rule 1) and the workspace policy
//! facts SOC003 needs: which candidates are in the tenant, which one is primary.

use super::context::{Index, norm_id};
use super::options::{EvalOptions, WorkspaceMode};

/// A `--workspace` or `--primary` value that does not identify one workspace (exit 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ScopeError {
    #[error("--{flag} {value:?} matches no workspace in the snapshot")]
    #[diagnostic(
        code(socready::usage::workspace),
        help("workspaces in the snapshot: {known}")
    )]
    NotFound {
        flag: &'static str,
        value: String,
        known: String,
    },
    #[error("--{flag} {value:?} matches several workspaces; give the ARM id instead")]
    #[diagnostic(code(socready::usage::workspace), help("matching: {matches}"))]
    Ambiguous {
        flag: &'static str,
        value: String,
        matches: String,
    },
}

/// The scopes of one scan.
#[derive(Debug, Default)]
pub struct ScopePlan {
    /// Positions in `Index::workspaces` that are scopes, sorted by id.
    pub scopes: Vec<usize>,
    /// Workspaces named with `--workspace`.
    pub named: Vec<usize>,
    /// Lower-cased ids of workspaces that are not scopes.
    pub not_considered: Vec<String>,
    /// The designated primary (multi mode), or the single workspace named (single mode).
    pub primary: Option<usize>,
    pub mode: WorkspaceMode,
}

impl ScopePlan {
    pub fn build(index: &Index<'_>, opts: &EvalOptions) -> Result<Self, ScopeError> {
        let named = opts
            .workspaces
            .iter()
            .map(|w| resolve(index, "workspace", w))
            .collect::<Result<Vec<_>, _>>()?;
        let mut named_sorted = named.clone();
        named_sorted.sort_unstable();
        named_sorted.dedup();
        let primary = opts
            .primary
            .as_deref()
            .map(|p| resolve(index, "primary", p))
            .transpose()?;

        let mut scopes: Vec<usize> = if named_sorted.is_empty() {
            // A workspace whose onboarding state could not be read may well run Sentinel: keep it
            // as a scope so its findings say "unknown" instead of silently dropping it.
            (0..index.workspaces.len())
                .filter(|&i| index.workspaces[i].sentinel != Some(false))
                .collect()
        } else {
            named_sorted.clone()
        };
        scopes.sort_by(|&a, &b| index.workspaces[a].id.cmp(&index.workspaces[b].id));
        scopes.dedup_by(|a, b| index.workspaces[*a].id == index.workspaces[*b].id);
        let mut not_considered: Vec<String> = index
            .workspaces
            .iter()
            .enumerate()
            .filter(|(i, _)| !scopes.contains(i))
            .map(|(_, w)| w.id.clone())
            .collect();
        not_considered.sort();
        not_considered.dedup();
        Ok(ScopePlan {
            scopes,
            named: named_sorted,
            not_considered,
            primary,
            mode: opts.workspace_mode,
        })
    }
}

fn resolve(index: &Index<'_>, flag: &'static str, value: &str) -> Result<usize, ScopeError> {
    if value.contains('/') {
        let id = norm_id(value);
        return index
            .workspaces
            .iter()
            .position(|w| w.id == id)
            .ok_or_else(|| not_found(index, flag, value));
    }
    let matches: Vec<usize> = index
        .workspaces
        .iter()
        .enumerate()
        .filter(|(_, w)| w.name.eq_ignore_ascii_case(value))
        .map(|(i, _)| i)
        .collect();
    match matches.as_slice() {
        [] => Err(not_found(index, flag, value)),
        [one] => Ok(*one),
        many => Err(ScopeError::Ambiguous {
            flag,
            value: value.to_string(),
            matches: many
                .iter()
                .map(|&i| index.workspaces[i].arm_id.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

fn not_found(index: &Index<'_>, flag: &'static str, value: &str) -> ScopeError {
    let known = if index.workspaces.is_empty() {
        "(none)".to_string()
    } else {
        index
            .workspaces
            .iter()
            .map(|w| w.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    ScopeError::NotFound {
        flag,
        value: value.to_string(),
        known,
    }
}
