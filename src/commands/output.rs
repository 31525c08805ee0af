//! Writing output files all-or-nothing: render into memory, write to a temporary file beside the
//! target, then rename, so a failed run never leaves a half-written report or snapshot.

use std::io::Write;
use std::path::Path;

use super::AppError;

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let err = |source: std::io::Error| AppError::Write {
        path: path.display().to_string(),
        source,
    };
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        return out.write_all(bytes).and_then(|_| out.flush()).map_err(err);
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}
