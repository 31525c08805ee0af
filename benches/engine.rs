//! Criterion benchmarks: load, evaluate and render on the largest scenario fixture.
//!
//! Run with `cargo bench --bench engine`. Figures go in the README's performance section.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use socready::engine::options::{EvalOptions, WorkspaceMode};
use socready::engine::{rules, scan};
use socready::report::{Format, SnapshotInfo};

fn largest_fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios/large-tenant.json")
}

fn bench(c: &mut Criterion) {
    let path = largest_fixture();
    let text = std::fs::read_to_string(&path).expect("large fixture");
    let opts = EvalOptions {
        workspace_mode: WorkspaceMode::Multi,
        ..Default::default()
    };
    c.bench_function("load large-tenant.json", |b| {
        b.iter(|| socready::snapshot::load_str("large.json", black_box(&text)).unwrap())
    });
    let snap = socready::snapshot::load_str("large.json", &text).unwrap();
    let rule_set = rules::load_embedded().unwrap();
    let info = SnapshotInfo {
        tenant_id: snap.tenant.id.clone(),
        ..Default::default()
    };
    c.bench_function("load + evaluate large-tenant.json", |b| {
        b.iter(|| {
            let s = socready::snapshot::load_str("large.json", black_box(&text)).unwrap();
            scan(&s, info.clone(), rule_set.clone(), &opts).unwrap()
        })
    });
    c.bench_function("evaluate large-tenant.json", |b| {
        b.iter(|| scan(black_box(&snap), info.clone(), rule_set.clone(), &opts).unwrap())
    });
    let report = scan(&snap, info.clone(), rule_set.clone(), &opts).unwrap();
    for f in [
        Format::Json,
        Format::Sarif,
        Format::Html,
        Format::Junit,
        Format::Markdown,
    ] {
        c.bench_function(&format!("render {f:?}"), |b| {
            b.iter(|| {
                let mut buf = Vec::with_capacity(1 << 20);
                f.render(black_box(&report), &mut buf).unwrap();
                buf
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
