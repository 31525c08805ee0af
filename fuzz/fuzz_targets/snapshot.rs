//! Any bytes as a snapshot file: loading either fails with an error or gives a snapshot that
//! every rule evaluates and every report format renders. libfuzzer-sys aborts on any panic, even
//! one the engine would contain as `unknown`, so contained panics count as crashes here.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use socready::engine::options::{EvalOptions, WorkspaceMode};
use socready::engine::rules::{self, Rule};
use socready::engine::scan;
use socready::report::{Format, SnapshotInfo};

fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| rules::load_embedded().expect("embedded rules"))
}

fuzz_target!(|data: &[u8]| {
    // Through a file: the loader's shared-buffer path is the one users take.
    let path = std::env::temp_dir().join(format!("socready-fuzz-{}.json", std::process::id()));
    std::fs::write(&path, data).expect("temp file");
    let Ok(loaded) = socready::snapshot::load_file(&path) else {
        return;
    };
    let snap = loaded.snapshot;
    let info = SnapshotInfo {
        tenant_id: snap.tenant.id.clone(),
        ..Default::default()
    };
    for opts in [
        EvalOptions::default(),
        EvalOptions {
            workspace_mode: WorkspaceMode::Multi,
            access_matrix: true,
            ..Default::default()
        },
    ] {
        let Ok(report) = scan(&snap, info.clone(), rules().to_vec(), &opts) else {
            continue;
        };
        for f in [
            Format::Json,
            Format::Sarif,
            Format::Html,
            Format::Junit,
            Format::Markdown,
        ] {
            f.render(&report, &mut std::io::sink()).expect("render");
        }
    }
});
