//! `socready scan`: load (or collect) a snapshot, evaluate the rules, write the reports.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::AppError;
use super::output::write_atomic;
use crate::cli::{ColorChoice, ScanArgs};
use crate::engine::options::EvalOptions;
use crate::report::{Format, SnapshotInfo};
use crate::snapshot::{self, Snapshot};

pub fn run(args: ScanArgs) -> Result<i32, AppError> {
    let rules = super::rules::load(args.rules.as_deref())?;
    let (snap, info) = obtain_snapshot(&args)?;
    let opts = EvalOptions {
        target: args.target.unwrap_or_default(),
        workspace_mode: args.workspace_mode.unwrap_or_default(),
        workspaces: args.workspaces.clone(),
        primary: args.primary.clone(),
        operator: args.operator.clone(),
        soc_groups: Vec::new(),
        fail_on: args.fail_on.unwrap_or_default(),
    };
    let mut report = crate::engine::scan(&snap, info, rules, &opts)?;
    report.sarif_include_pass = args.sarif_include_pass;

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let render = |f: Format, color: bool| -> Result<Vec<u8>, AppError> {
        let mut buf = Vec::new();
        let r = if f == Format::Table {
            crate::report::terminal::render(&report, &mut buf, color)
        } else {
            f.render(&report, &mut buf)
        };
        r.map_err(|e| AppError::Write { path: f.file_name().into(), source: e })?;
        Ok(buf)
    };

    if let Some(dir) = &args.out_dir {
        let formats: Vec<Format> = if args.formats.is_empty() {
            vec![Format::Table, Format::Json, Format::Sarif, Format::Html, Format::Junit, Format::Markdown]
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
            _ => return Err(AppError::Usage("-o writes one format; use --out-dir for several".into())),
        };
        let is_stdout = path.as_os_str() == "-";
        write_atomic(path, &render(f, f == Format::Table && is_stdout && color)?)?;
    } else {
        let formats = if args.formats.is_empty() { vec![Format::Table] } else { dedup(&args.formats) };
        for f in formats {
            write_atomic(Path::new("-"), &render(f, color)?)?;
        }
    }
    Ok(report.exit_code)
}

fn dedup(formats: &[Format]) -> Vec<Format> {
    let mut v = formats.to_vec();
    v.sort();
    v.dedup();
    v
}

fn obtain_snapshot(args: &ScanArgs) -> Result<(Snapshot, SnapshotInfo), AppError> {
    let (path, snap, bytes) = match &args.snapshot {
        Some(p) => {
            let (snap, bytes) = snapshot::load_file(p)?;
            (p.clone(), snap, bytes)
        }
        None => {
            let opts = super::collect::options(&args.live, &args.workspaces, args.operator.as_deref());
            let bytes = super::collect::collect_bytes(&opts, false)?;
            let path = args.save_snapshot.clone().unwrap_or_else(|| PathBuf::from("socready-snapshot.json"));
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let snap = snapshot::load_str(&path.display().to_string(), &text)?;
            if args.save_snapshot.is_some() {
                write_atomic(&path, &bytes)?;
            }
            (path, snap, bytes)
        }
    };
    let sha256 = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    let info = SnapshotInfo {
        path: path.display().to_string(),
        artifact_uri: artifact_uri(&path),
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
    };
    Ok((snap, info))
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
