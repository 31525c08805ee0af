//! Runs the built `socready scan --format json -o FILE` on a snapshot and reads the report back.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// (exit code, the JSON report or why there is none, stderr).
pub fn scan(snapshot: &Path, args: &[String]) -> (Option<i32>, Result<Value, String>, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("socready.json");
    let output = Command::new(env!("CARGO_BIN_EXE_socready"))
        .arg("scan")
        .arg("--snapshot")
        .arg(snapshot)
        .args(["--format", "json", "-o"])
        .arg(&out)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run the socready binary");
    let report = fs::read_to_string(&out)
        .map_err(|e| format!("no report at {}: {e}", out.display()))
        .and_then(|t| serde_json::from_str(&t).map_err(|e| format!("report is not JSON: {e}")));
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    (output.status.code(), report, stderr)
}
