//! `socready scan`: load (or collect) a snapshot, evaluate the rules, write the reports.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::AppError;
use super::output::write_atomic;
use crate::cli::{ColorChoice, ScanArgs};
use crate::config::{self, Config};
use crate::engine::PostEval;
use crate::engine::baseline;
use crate::engine::options::{EvalOptions, WorkspaceMode};
use crate::engine::waivers::{self, WaiverPolicy};
use crate::report::{Format, SnapshotInfo};
use crate::snapshot::{self, Snapshot};

pub fn run(args: ScanArgs) -> Result<i32, AppError> {
    // Everything that can be wrong with the inputs is checked before a live collection starts.
    let rules = super::rules::load(args.rules.as_deref())?;
    let config_path = if args.no_config {
        None
    } else {
        config::discover(args.config.as_deref())
    };
    let config = config_path.map(|p| config::load(&p, &rules)).transpose()?;
    let (rules, config_summary) = match &config {
        Some(c) => {
            let (rules, summary) = c.apply_to_rules(rules);
            (rules, Some(summary))
        }
        None => (rules, None),
    };
    let baseline = args
        .baseline
        .as_deref()
        .map(baseline::load_file)
        .transpose()?;
    let policy = match config.as_ref().filter(|c| !c.waivers.is_empty()) {
        Some(c) => Some(WaiverPolicy {
            waivers: c.waivers.clone(),
            today: today()?,
            warning_days: args
                .expiry_warning_days
                .or(c.expiry_warning_days)
                .unwrap_or(waivers::DEFAULT_WARNING_DAYS),
        }),
        None => None,
    };
    let opts = options(&args, config.as_ref());
    let (snap, info) = obtain_snapshot(&args, &opts)?;
    let post = PostEval {
        waivers: policy.as_ref(),
        baseline: baseline.as_ref(),
        fail_on_new: args.fail_on_new,
    };
    let mut report = crate::engine::scan_with(&snap, info, rules, &opts, post)?;
    report.sarif_include_pass = args.sarif_include_pass;
    report.config = config_summary;

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let mut table_on_stdout = false;
    let render = |f: Format, color: bool| -> Result<Vec<u8>, AppError> {
        let mut buf = Vec::new();
        let r = if f == Format::Table {
            crate::report::terminal::render(&report, &mut buf, color)
        } else {
            f.render(&report, &mut buf)
        };
        r.map_err(|e| AppError::Write {
            path: f.file_name().into(),
            source: e,
        })?;
        Ok(buf)
    };

    if let Some(dir) = &args.out_dir {
        let formats: Vec<Format> = if args.formats.is_empty() {
            vec![
                Format::Table,
                Format::Json,
                Format::Sarif,
                Format::Html,
                Format::Junit,
                Format::Markdown,
            ]
        } else {
            dedup(&args.formats)
        };
        // Render everything first so an error leaves no partial set of reports behind.
        let mut files = Vec::new();
        for f in formats.iter().copied().filter(|f| *f != Format::Table) {
            files.push((dir.join(f.file_name()), render(f, false)?));
        }
        for (path, bytes) in &files {
            write_atomic(path, bytes)?;
        }
        if formats.contains(&Format::Table) {
            table_on_stdout = true;
            write_atomic(Path::new("-"), &render(Format::Table, color)?)?;
            for (path, _) in &files {
                eprintln!("wrote {}", path.display());
            }
        }
    } else if let Some(path) = &args.output {
        let formats = dedup(&args.formats);
        let f = match formats.as_slice() {
            [] => Format::Table,
            [one] => *one,
            _ => {
                return Err(AppError::Usage(
                    "-o writes one format; use --out-dir for several".into(),
                ));
            }
        };
        let is_stdout = path.as_os_str() == "-";
        table_on_stdout = f == Format::Table && is_stdout;
        write_atomic(path, &render(f, f == Format::Table && is_stdout && color)?)?;
    } else {
        let formats = if args.formats.is_empty() {
            vec![Format::Table]
        } else {
            dedup(&args.formats)
        };
        table_on_stdout = formats.contains(&Format::Table);
        for f in formats {
            write_atomic(Path::new("-"), &render(f, color)?)?;
        }
    }
    if !table_on_stdout {
        // The table shows these; other formats on stdout or in files would hide them from a
        // pipeline log.
        for line in crate::report::terminal::warnings(&report) {
            eprintln!("warning: {line}");
        }
    }
    let code = report.exit_code;
    // The process ends here: freeing a large tenant's millions of small JSON allocations one
    // by one would cost more than the whole evaluation, and the OS reclaims them at once.
    std::mem::forget(report);
    std::mem::forget(snap);
    Ok(code)
}

/// Evaluation options: command-line flags over `socready.toml` over defaults.
fn options(args: &ScanArgs, cfg: Option<&Config>) -> EvalOptions {
    let mode = args
        .workspace_mode
        .or(cfg.and_then(|c| c.workspace_mode))
        .unwrap_or_default();
    let primary = args
        .primary
        .clone()
        .or_else(|| cfg.and_then(|c| c.primary.clone()));
    // The config's workspace set (primary + secondaries, or the single designated workspace)
    // names the scopes unless --workspace does.
    let workspaces = match cfg {
        _ if !args.workspaces.is_empty() => args.workspaces.clone(),
        Some(c)
            if c.primary.is_some()
                && (mode == WorkspaceMode::Single || !c.secondaries.is_empty()) =>
        {
            let mut v: Vec<String> = primary.iter().cloned().collect();
            if mode == WorkspaceMode::Multi {
                v.extend(c.secondaries.iter().cloned());
            }
            v
        }
        _ => Vec::new(),
    };
    EvalOptions {
        target: args
            .target
            .or(cfg.and_then(|c| c.target))
            .unwrap_or_default(),
        workspace_mode: mode,
        workspaces,
        primary,
        operator: args
            .operator
            .clone()
            .or_else(|| cfg.and_then(|c| c.operator.clone())),
        soc_groups: cfg.map(|c| c.soc_groups.clone()).unwrap_or_default(),
        fail_on: args
            .fail_on
            .or(cfg.and_then(|c| c.fail_on))
            .unwrap_or_default(),
        access_matrix: (args.out_dir.is_some() && args.formats.is_empty())
            || args
                .formats
                .iter()
                .any(|f| matches!(f, crate::report::Format::Json | crate::report::Format::Html)),
    }
}

/// "Today" for waiver expiry: the local date, or `SOCREADY_TODAY` (YYYY-MM-DD), a testing aid
/// that lets tests and demos pin the date.
fn today() -> Result<chrono::NaiveDate, AppError> {
    match std::env::var("SOCREADY_TODAY") {
        Ok(v) if !v.trim().is_empty() => chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
            .map_err(|e| {
                AppError::Usage(format!(
                    "SOCREADY_TODAY={v:?} is not a date (YYYY-MM-DD): {e}"
                ))
            }),
        _ => Ok(chrono::Local::now().date_naive()),
    }
}

fn dedup(formats: &[Format]) -> Vec<Format> {
    let mut v = formats.to_vec();
    v.sort();
    v.dedup();
    v
}

fn obtain_snapshot(
    args: &ScanArgs,
    eval: &EvalOptions,
) -> Result<(Snapshot, SnapshotInfo), AppError> {
    let (path, snap, sha256) = match &args.snapshot {
        Some(p) => {
            let loaded = snapshot::load_file(p)?;
            (p.clone(), loaded.snapshot, loaded.sha256)
        }
        None => {
            let opts =
                super::collect::options(&args.live, &eval.workspaces, eval.operator.as_deref());
            let bytes = super::collect::collect_bytes(&opts, false)?;
            let path = args
                .save_snapshot
                .clone()
                .unwrap_or_else(|| PathBuf::from("socready-snapshot.json"));
            // Saved only once it loads; the loader keeps the bytes it is given.
            let to_save = args.save_snapshot.is_some().then(|| bytes.clone());
            let loaded = snapshot::load_bytes(&path.display().to_string(), bytes)?;
            if let Some(bytes) = to_save {
                write_atomic(&path, &bytes)?;
            }
            (path, loaded.snapshot, loaded.sha256)
        }
    };
    let info = snapshot_info(&path, &snap, sha256);
    Ok((snap, info))
}

/// Loads a snapshot file and describes it for the report.
pub(super) fn load_snapshot(path: &Path) -> Result<(Snapshot, SnapshotInfo), AppError> {
    let loaded = snapshot::load_file(path)?;
    let info = snapshot_info(path, &loaded.snapshot, loaded.sha256);
    Ok((loaded.snapshot, info))
}

/// What the report says about the snapshot it was computed from.
pub(super) fn snapshot_info(path: &Path, snap: &Snapshot, sha256: String) -> SnapshotInfo {
    SnapshotInfo {
        path: path.display().to_string(),
        artifact_uri: artifact_uri(path),
        sha256,
        collected_at: snap.collected_at.clone(),
        tenant_id: snap.tenant.id.clone(),
        tenant_name: snap
            .tenant
            .organization
            .as_ref()
            .and_then(|o| o.get("displayName"))
            .and_then(|v| v.as_str())
            .map(str::to_string),
        redacted: snap
            .collector
            .as_ref()
            .and_then(|c| c.get("redacted"))
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
    }
}

/// The snapshot path for SARIF: relative to the working directory when under it, else the file
/// name (GitHub code scanning needs a relative artifact location).
fn artifact_uri(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let abs = std::fs::canonicalize(path).ok();
    if let (Some(cwd), Some(abs)) = (cwd.and_then(|c| std::fs::canonicalize(c).ok()), abs)
        && let Ok(rel) = abs.strip_prefix(&cwd)
    {
        return rel.to_string_lossy().replace('\\', "/");
    }
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "socready-snapshot.json".into())
}
