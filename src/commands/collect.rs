//! `socready collect`: a live, read-only collection written to a snapshot file.

use std::path::Path;

use super::AppError;
use super::output::write_atomic;
use crate::cli::{CollectArgs, LiveArgs};
use crate::collect::{self, CollectOptions};

pub fn options(live: &LiveArgs, workspaces: &[String], operator: Option<&str>) -> CollectOptions {
    CollectOptions {
        tenant: live.tenant.clone(),
        subscriptions: live.subscriptions.clone(),
        workspaces: workspaces.to_vec(),
        operators: operator.map(|o| vec![o.to_string()]).unwrap_or_default(),
        auth: live.auth,
        arm_endpoint: live.arm_endpoint.trim_end_matches('/').to_string(),
        graph_endpoint: live.graph_endpoint.trim_end_matches('/').to_string(),
        concurrency: usize::from(live.concurrency),
        ..CollectOptions::default()
    }
}

/// Runs a collection on a fresh tokio runtime and returns the snapshot as pretty JSON bytes.
pub fn collect_bytes(opts: &CollectOptions, redact: bool) -> Result<Vec<u8>, AppError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| AppError::Usage(format!("cannot start the async runtime: {e}")))?;
    let mut value = rt.block_on(collect::collect(opts))?;
    if redact {
        value = crate::snapshot::redact::redact(&value);
    }
    let mut bytes =
        serde_json::to_vec_pretty(&value).map_err(|e| AppError::Usage(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

pub fn run(args: CollectArgs) -> Result<i32, AppError> {
    let opts = options(&args.live, &args.workspaces, args.operator.as_deref());
    let bytes = collect_bytes(&opts, args.redact)?;
    write_atomic(Path::new(&args.output), &bytes)?;
    tracing::info!(path = %args.output.display(), bytes = bytes.len(), "snapshot written");
    Ok(0)
}
