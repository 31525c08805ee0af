//! Every shipped fixture validates against the published snapshot JSON Schema, and the schema
//! rejects what the loader rejects.

use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if p.is_dir() {
                if name != "recorded" && name != "config" && name != "diff" {
                    stack.push(p);
                }
            } else if name.ends_with(".json")
                && !name.ends_with(".expected.json")
                && !name.ends_with(".args.json")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_fixture_snapshot_validates_against_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(socready::snapshot::schema::SNAPSHOT_SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let files = fixtures();
    assert!(files.len() >= 20, "found only {} fixtures", files.len());
    for f in files {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        if v.get("schema").and_then(|s| s.as_str()) != Some("socready.snapshot/v1") {
            continue;
        }
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", f.display());
        socready::snapshot::load_file(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
}

#[test]
fn schema_rejects_a_wrong_version_and_a_wrong_collection_type() {
    let schema: serde_json::Value =
        serde_json::from_str(socready::snapshot::schema::SNAPSHOT_SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let bad_version = serde_json::json!({"schema": "socready.snapshot/v2", "tenant": {"id": "t"}});
    assert!(!validator.is_valid(&bad_version));
    let bad_type = serde_json::json!({"schema": "socready.snapshot/v1", "tenant": {"id": "t"}, "graph": {"subscribedSkus": {}}});
    assert!(!validator.is_valid(&bad_type));
    let ok = serde_json::json!({"schema": "socready.snapshot/v1", "tenant": {"id": "t"}, "graph": {"subscribedSkus": null}});
    assert!(validator.is_valid(&ok));
}
