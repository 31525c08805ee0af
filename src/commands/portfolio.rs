//! `socready portfolio DIR --out-dir D`: for consultants with many tenants. Scans every `*.json`
//! snapshot in DIR (other files are skipped with a note), writes each tenant's full reports to
//! `D/<file stem>/socready.{json,html,md,sarif,junit.xml}`, and one summary with a row per
//! tenant to `D/portfolio.{html,md,json}`.
//!
//! Each tenant is scanned with default options (plus `--target`, `--fail-on`, `--rules`); no
//! `socready.toml` is read, because settings and waivers belong to one tenant. Everything is
//! rendered in memory first, then written, so a failure leaves no half-written summary.

mod render;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::json;

use super::AppError;
use super::output::write_atomic;
use crate::cli::PortfolioArgs;
use crate::engine::options::EvalOptions;
use crate::finding::{Label, Status};
use crate::report::{Format, Report, Verdict};

pub(crate) const SCHEMA: &str = "socready.portfolio/v1";

/// Per-tenant report files, in the order they are listed.
const FORMATS: [Format; 5] = [
    Format::Json,
    Format::Html,
    Format::Markdown,
    Format::Sarif,
    Format::Junit,
];

#[derive(Serialize)]
pub(super) struct Row {
    pub(super) file: String,
    /// Directory under the output directory holding the tenant's reports.
    pub(super) dir: String,
    pub(super) tenant_id: String,
    pub(super) tenant_name: Option<String>,
    pub(super) collected_at: Option<String>,
    pub(super) verdict: &'static str,
    pub(super) verdict_title: &'static str,
    pub(super) workspaces: Vec<WorkspaceRow>,
    pub(super) counts: Counts,
    pub(super) exit_code: i32,
}

#[derive(Serialize)]
pub(super) struct WorkspaceRow {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) verdict: &'static str,
    pub(super) verdict_title: &'static str,
}

#[derive(Serialize, Default)]
pub(super) struct Counts {
    pub(super) blocking_fail: usize,
    pub(super) blocking_unknown: usize,
    pub(super) fail: usize,
    pub(super) unknown: usize,
    pub(super) waived: usize,
}

#[derive(Serialize)]
pub(super) struct Skipped {
    pub(super) file: String,
    pub(super) reason: String,
}

pub fn run(args: PortfolioArgs) -> Result<i32, AppError> {
    let rules = super::rules::load(args.rules.as_deref())?;
    let opts = EvalOptions {
        target: args.target.unwrap_or_default(),
        fail_on: args.fail_on.unwrap_or_default(),
        ..EvalOptions::default()
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&args.dir)
        .map_err(|e| AppError::Usage(format!("cannot read directory {}: {e}", args.dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("json"))
        })
        .collect();
    files.sort();

    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let mut outputs: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    for path in &files {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(reason) = not_a_snapshot(path) {
            skipped.push(Skipped { file, reason });
            continue;
        }
        let report = match super::scan::load_snapshot(path)
            .and_then(|(snap, info)| Ok(crate::engine::scan(&snap, info, rules.clone(), &opts)?))
        {
            Ok(r) => r,
            Err(e) => {
                skipped.push(Skipped {
                    file,
                    reason: first_line(&e.to_string()),
                });
                continue;
            }
        };
        let dir = unique_dir(path, &mut used);
        for f in FORMATS {
            let mut buf = Vec::new();
            f.render(&report, &mut buf).map_err(|e| AppError::Write {
                path: format!("{dir}/{}", f.file_name()),
                source: e,
            })?;
            outputs.push((args.out_dir.join(&dir).join(f.file_name()), buf));
        }
        rows.push(row(file, dir, &report));
    }
    if rows.is_empty() {
        let why = skipped
            .iter()
            .map(|s| format!("{}: {}", s.file, s.reason))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(AppError::Usage(format!(
            "no snapshot to scan in {}{}",
            args.dir.display(),
            if why.is_empty() {
                String::new()
            } else {
                format!(" ({why})")
            }
        )));
    }
    let generated_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let doc = json!({
        "schema": SCHEMA,
        "tool": { "name": "socready", "version": env!("CARGO_PKG_VERSION") },
        "generatedAt": generated_at,
        "target": opts.target.as_str(),
        "failOn": opts.fail_on.as_str(),
        "tenants": rows.iter().map(row_json).collect::<Vec<_>>(),
        "skipped": skipped.iter().map(|s| json!({"file": s.file, "reason": s.reason})).collect::<Vec<_>>(),
    });
    let mut json_text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    json_text.push('\n');
    let html = render::html(&rows, &skipped, &generated_at, opts.target.as_str()).map_err(|e| {
        AppError::Write {
            path: "portfolio.html".into(),
            source: std::io::Error::other(e),
        }
    })?;
    outputs.push((args.out_dir.join("portfolio.json"), json_text.into_bytes()));
    outputs.push((args.out_dir.join("portfolio.html"), html.into_bytes()));
    outputs.push((
        args.out_dir.join("portfolio.md"),
        render::markdown(&rows, &skipped).into_bytes(),
    ));
    for (path, bytes) in &outputs {
        write_atomic(path, bytes)?;
    }
    write_atomic(Path::new("-"), render::terminal(&rows, &skipped).as_bytes())?;
    eprintln!("wrote {}", args.out_dir.join("portfolio.html").display());
    Ok(0)
}

/// `Some(reason)` for a file that is not a snapshot (a report, an expectation file, not JSON).
fn not_a_snapshot(path: &Path) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Peek {
        #[serde(default)]
        schema: Option<String>,
    }
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return Some(format!("cannot read: {e}")),
    };
    match serde_json::from_str::<Peek>(text.trim_start_matches('\u{feff}')) {
        Err(e) => Some(format!("not valid JSON ({e})")),
        Ok(Peek { schema: None }) => Some("not a socready snapshot (no \"schema\")".into()),
        Ok(Peek { schema: Some(s) }) if s == crate::report::json::SCHEMA => {
            Some("a socready report, not a snapshot".into())
        }
        Ok(Peek { schema: Some(s) }) if !s.starts_with("socready.snapshot/") => {
            Some(format!("not a socready snapshot (schema {s:?})"))
        }
        // A snapshot, possibly of an unsupported version: the loader says so.
        Ok(_) => None,
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}

/// The file stem reduced to `[A-Za-z0-9._-]`, made unique among the tenants of this run.
fn unique_dir(path: &Path, used: &mut BTreeMap<String, usize>) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut base: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if base.is_empty() || base.starts_with('.') {
        base.insert_str(0, "tenant");
    }
    let n = used.entry(base.to_ascii_lowercase()).or_insert(0);
    *n += 1;
    if *n == 1 { base } else { format!("{base}-{n}") }
}

fn row(file: String, dir: String, report: &Report) -> Row {
    let mut counts = Counts::default();
    for f in &report.findings {
        let blocking = f.label == Label::Blocking;
        match f.status {
            Status::Fail => {
                counts.fail += 1;
                counts.blocking_fail += usize::from(blocking);
            }
            Status::Unknown => {
                counts.unknown += 1;
                counts.blocking_unknown += usize::from(blocking);
            }
            Status::Waived => counts.waived += 1,
            _ => {}
        }
    }
    // The tenant's verdict is its worst workspace's; with no workspace, the tenant findings'.
    let verdict = report
        .workspaces
        .iter()
        .map(|w| w.verdict)
        .max_by_key(|v| severity_rank(*v))
        .unwrap_or_else(|| crate::engine::verdict(&report.findings, ""));
    Row {
        file,
        dir,
        tenant_id: report.snapshot.tenant_id.clone(),
        tenant_name: report.snapshot.tenant_name.clone(),
        collected_at: report.snapshot.collected_at.clone(),
        verdict: verdict.as_str(),
        verdict_title: verdict.title(),
        workspaces: report
            .workspaces
            .iter()
            .map(|w| WorkspaceRow {
                id: w.id.clone(),
                name: w.name.clone(),
                verdict: w.verdict.as_str(),
                verdict_title: w.verdict.title(),
            })
            .collect(),
        counts,
        exit_code: report.exit_code,
    }
}

fn severity_rank(v: Verdict) -> u8 {
    match v {
        Verdict::Ready => 0,
        Verdict::Incomplete => 1,
        Verdict::NotReady => 2,
    }
}

fn row_json(r: &Row) -> serde_json::Value {
    let reports: BTreeMap<&str, String> = [
        ("json", Format::Json),
        ("html", Format::Html),
        ("markdown", Format::Markdown),
        ("sarif", Format::Sarif),
        ("junit", Format::Junit),
    ]
    .into_iter()
    .map(|(k, f)| (k, format!("{}/{}", r.dir, f.file_name())))
    .collect();
    json!({
        "file": r.file,
        "reportDir": r.dir,
        "tenantId": r.tenant_id,
        "tenantName": r.tenant_name,
        "collectedAt": r.collected_at,
        "verdict": r.verdict,
        "workspaces": r.workspaces.iter().map(|w| json!({"id": w.id, "name": w.name, "verdict": w.verdict})).collect::<Vec<_>>(),
        "counts": {
            "blockingFail": r.counts.blocking_fail,
            "blockingUnknown": r.counts.blocking_unknown,
            "fail": r.counts.fail,
            "unknown": r.counts.unknown,
            "waived": r.counts.waived,
        },
        "exitCode": r.exit_code,
        "reports": reports,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_dirs_are_safe_and_unique() {
        let mut used = BTreeMap::new();
        assert_eq!(
            unique_dir(Path::new("a/Contoso Ltd.json"), &mut used),
            "Contoso-Ltd"
        );
        assert_eq!(
            unique_dir(Path::new("b/contoso ltd.json"), &mut used),
            "contoso-ltd-2"
        );
        assert_eq!(
            unique_dir(Path::new("c/.hidden.json"), &mut used),
            "tenant.hidden"
        );
        assert_eq!(unique_dir(Path::new("c/../x.json"), &mut used), "x");
    }
}
