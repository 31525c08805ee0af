//! The shared report validators (`../shared/tools/validate-sarif`, `validate-html`) for tests.
//!
//! A missing validator is a failure (CI installs them); `SOCREADY_SKIP_VALIDATORS=1` skips them
//! with a printed note. On a fresh machine the tools install themselves on first use; that
//! install is run once per test binary, before any validator, so parallel tests do not race.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;

fn tools_dir() -> PathBuf {
    std::env::var_os("SOCREADY_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools"))
}

/// Runs `tool` (`validate-sarif` or `validate-html`) on `files`; panics with its output when
/// they do not pass.
pub fn validate<P: AsRef<Path>>(tool: &str, files: &[P]) {
    if std::env::var("SOCREADY_SKIP_VALIDATORS").is_ok_and(|v| v == "1") {
        eprintln!("note: SOCREADY_SKIP_VALIDATORS=1, not running {tool}");
        return;
    }
    let dir = tools_dir();
    let path = dir.join(tool);
    assert!(
        path.exists(),
        "{} not found: install the validators (shared/tools/install.sh) or set SOCREADY_SKIP_VALIDATORS=1",
        path.display()
    );
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let ok = Command::new("bash")
            .arg(dir.join("install.sh"))
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "{}/install.sh failed (see its log)", dir.display());
    });
    let output = Command::new(&path)
        .arg("-q")
        .args(files.iter().map(AsRef::as_ref))
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", path.display()));
    assert!(
        output.status.success(),
        "{tool} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
