//! `socready snapshot schema | validate FILE | redact IN -o OUT`.

use std::io::Write;

use super::AppError;
use super::output::write_atomic;
use crate::cli::SnapshotCommand;
use crate::snapshot;

pub fn run(cmd: SnapshotCommand) -> Result<i32, AppError> {
    match cmd {
        SnapshotCommand::Schema => {
            let mut out = std::io::stdout().lock();
            out.write_all(snapshot::schema::SNAPSHOT_SCHEMA.as_bytes())
                .and_then(|_| writeln!(out))
                .map_err(|e| AppError::Write {
                    path: "stdout".into(),
                    source: e,
                })?;
            Ok(0)
        }
        SnapshotCommand::Validate { file } => {
            let snap = snapshot::load_file(&file)?.snapshot;
            let az = snap.azure.as_ref();
            eprintln!(
                "{}: valid socready.snapshot/v1 (tenant {}, {} subscription(s), {} workspace(s), {} collection error(s))",
                file.display(),
                snap.tenant.id,
                az.and_then(|a| a.subscriptions.as_ref())
                    .map_or(0, Vec::len),
                az.and_then(|a| a.workspaces.as_ref()).map_or(0, Vec::len),
                snap.errors.len()
            );
            Ok(0)
        }
        SnapshotCommand::Redact { input, output } => {
            // Load through the checked loader first: redacting a broken file would hide the problem.
            snapshot::load_file(&input)?;
            let bytes = std::fs::read(&input).map_err(|source| snapshot::SnapshotError::Io {
                path: input.clone(),
                source,
            })?;
            let value: serde_json::Value = serde_json::from_slice(strip_bom(&bytes))
                .map_err(|e| AppError::Usage(e.to_string()))?;
            let redacted = snapshot::redact::redact(&value);
            let mut text =
                serde_json::to_vec_pretty(&redacted).map_err(|e| AppError::Usage(e.to_string()))?;
            text.push(b'\n');
            write_atomic(&output, &text)?;
            Ok(0)
        }
    }
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}
