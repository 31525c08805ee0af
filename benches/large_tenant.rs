//! Criterion benchmarks on the synthetic large tenant (benches/synth): load, index, evaluate,
//! the access matrix, and each report format.
//!
//! `cargo bench --bench large_tenant` (the sizes: 10 subscriptions, 50 workspaces,
//! 100,000 role assignments, ...); `SOCREADY_BENCH_SCALE=0.25` for a quicker run. Figures go in
//! the README's performance section.

mod synth;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use socready::engine::context::Index;
use socready::engine::options::{EvalOptions, WorkspaceMode};
use socready::engine::scopes::ScopePlan;
use socready::engine::{access_tasks, rules, scan};
use socready::rbac::Rbac;
use socready::report::{Format, SnapshotInfo};

fn bench(c: &mut Criterion) {
    let scale: f64 = std::env::var("SOCREADY_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("tenant.json");
    let text = serde_json::to_string(&synth::generate(scale)).expect("tenant");
    std::fs::write(&path, &text).expect("write tenant");
    let mb = text.len() as f64 / 1e6;
    drop(text);
    let opts = EvalOptions {
        workspace_mode: WorkspaceMode::Multi,
        primary: Some("law-0-0".into()),
        access_matrix: true,
        ..Default::default()
    };
    let tag = |what: &str| format!("{what} (tenant {scale}x, {mb:.0} MB)");

    c.bench_function(&tag("load"), |b| {
        b.iter(|| socready::snapshot::load_file(black_box(&path)).unwrap())
    });
    let snap = socready::snapshot::load_file(&path).unwrap().snapshot;
    c.bench_function(&tag("index (scopes + RBAC)"), |b| {
        b.iter(|| {
            let index = Index::build(black_box(&snap));
            let plan = ScopePlan::build(&index, &opts).unwrap();
            let rbac = Rbac::build(&index);
            black_box((plan.scopes.len(), &rbac));
        })
    });
    let rule_set = rules::load_embedded().unwrap();
    let info = SnapshotInfo {
        tenant_id: snap.tenant.id.clone(),
        ..Default::default()
    };
    let evaluate_only = EvalOptions {
        access_matrix: false,
        ..opts.clone()
    };
    c.bench_function(&tag("evaluate 17 rules"), |b| {
        b.iter(|| {
            scan(
                black_box(&snap),
                info.clone(),
                rule_set.clone(),
                &evaluate_only,
            )
            .unwrap()
        })
    });
    c.bench_function(&tag("evaluate + access matrix"), |b| {
        b.iter(|| scan(black_box(&snap), info.clone(), rule_set.clone(), &opts).unwrap())
    });
    c.bench_function(&tag("full access matrix (socready access)"), |b| {
        let tasks = access_tasks(&rule_set);
        b.iter(|| {
            let index = Index::build(&snap);
            let plan = ScopePlan::build(&index, &opts).unwrap();
            let rbac = Rbac::build(&index);
            rbac.matrix(&index, &tasks, &plan.scopes, None, None)
                .workspaces
                .len()
        })
    });
    let report = scan(&snap, info, rule_set, &opts).unwrap();
    for f in [
        Format::Json,
        Format::Sarif,
        Format::Html,
        Format::Junit,
        Format::Markdown,
    ] {
        c.bench_function(&tag(&format!("render {f:?}")), |b| {
            b.iter(|| {
                let mut buf = Vec::with_capacity(8 << 20);
                f.render(black_box(&report), &mut buf).unwrap();
                buf
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
