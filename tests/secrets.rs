//! Tokens never leak: a live scan at trace log level against the loopback fake tenant, with
//! recognisable bearer tokens, must not show them in stdout, stderr (logs), the saved snapshot
//! or any report — and neither may a rejected sign-in's error.

#[path = "support/fake_tenant.rs"]
mod fake_tenant;
#[path = "support/snapshot_routes.rs"]
mod snapshot_routes;

use std::path::Path;
use std::process::{Command, Output};

const ARM_TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.SECRET-ARM-MARKER-7f3a91";
const GRAPH_TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.SECRET-GRAPH-MARKER-c40d2e";
const MARKERS: [&str; 2] = ["SECRET-ARM-MARKER-7f3a91", "SECRET-GRAPH-MARKER-c40d2e"];

fn scenario() -> serde_json::Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/scenarios/ready-single-workspace.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn live_scan(arm: &str, graph: &str, dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_socready"))
        .args([
            "scan",
            "--auth",
            "env-token",
            "--arm-endpoint",
            arm,
            "--graph-endpoint",
            graph,
        ])
        .arg("--save-snapshot")
        .arg(dir.join("snapshot.json"))
        .arg("--out-dir")
        .arg(dir.join("out"))
        .arg("--no-config")
        .arg("-vvv")
        .env("SOCREADY_ARM_TOKEN", ARM_TOKEN)
        .env("SOCREADY_GRAPH_TOKEN", GRAPH_TOKEN)
        .env("SOCREADY_LOG", "trace")
        .env_remove("AZURE_CLIENT_SECRET")
        .output()
        .expect("run socready")
}

/// Every byte the run produced: stdout, stderr and every file under `dir`.
fn everything(out: &Output, dir: &Path) -> Vec<(String, String)> {
    let mut all = vec![
        (
            "stdout".to_string(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ),
        (
            "stderr".to_string(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ),
    ];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
                all.push((p.display().to_string(), text));
            }
        }
    }
    all
}

fn assert_no_marker(all: &[(String, String)]) {
    for (name, text) in all {
        for m in MARKERS {
            assert!(!text.contains(m), "{name} contains the token marker {m}");
        }
        assert!(
            !text.to_ascii_lowercase().contains("bearer ey"),
            "{name} contains a bearer header"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_scan_at_trace_level_never_shows_the_tokens() {
    let (arm, graph) = snapshot_routes::builders(&scenario());
    let arm = arm.token(ARM_TOKEN).start().await;
    let graph = graph.token(GRAPH_TOKEN).start().await;
    let dir = tempfile::tempdir().unwrap();
    let (a, g, d) = (
        arm.base().to_string(),
        graph.base().to_string(),
        dir.path().to_path_buf(),
    );
    let out = tokio::task::spawn_blocking(move || live_scan(&a, &g, &d))
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 3)),
        "scan failed: {stderr}"
    );
    assert!(
        stderr.contains("collect request"),
        "trace logs were written: {stderr}"
    );
    assert!(dir.path().join("snapshot.json").exists());
    for f in [
        "socready.json",
        "socready.sarif",
        "socready.html",
        "socready.junit.xml",
        "socready.md",
    ] {
        assert!(dir.path().join("out").join(f).exists(), "{f} written");
    }
    // The tokens really were sent (so the test would notice a leak of them).
    assert!(
        arm.requests()
            .iter()
            .all(|r| r.header("authorization") == Some(&format!("Bearer {ARM_TOKEN}")))
    );
    assert_no_marker(&everything(&out, dir.path()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_token_is_exit_4_without_the_token() {
    let (arm, graph) = snapshot_routes::builders(&scenario());
    // The servers expect other tokens: every call is 401.
    let arm = arm.token("another-token").start().await;
    let graph = graph.token("another-token").start().await;
    let dir = tempfile::tempdir().unwrap();
    let (a, g, d) = (
        arm.base().to_string(),
        graph.base().to_string(),
        dir.path().to_path_buf(),
    );
    let out = tokio::task::spawn_blocking(move || live_scan(&a, &g, &d))
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !dir.path().join("out").exists(),
        "no report after a failed sign-in"
    );
    assert_no_marker(&everything(&out, dir.path()));
}

/// The consultant's workflow: `collect` at the customer, then `snapshot validate` and `scan`
/// offline — and the saved snapshot carries no token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collect_then_scan_offline() {
    let (arm, graph) = snapshot_routes::builders(&scenario());
    let arm = arm.token(ARM_TOKEN).start().await;
    let graph = graph.token(GRAPH_TOKEN).start().await;
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("customer.json");
    let (a, g, s) = (
        arm.base().to_string(),
        graph.base().to_string(),
        snap.clone(),
    );
    let collected = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_socready"))
            .args([
                "collect",
                "--auth",
                "env-token",
                "--arm-endpoint",
                &a,
                "--graph-endpoint",
                &g,
                "-o",
            ])
            .arg(&s)
            .env("SOCREADY_ARM_TOKEN", ARM_TOKEN)
            .env("SOCREADY_GRAPH_TOKEN", GRAPH_TOKEN)
            .output()
            .expect("run socready collect")
    })
    .await
    .unwrap();
    assert_eq!(
        collected.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&collected.stderr)
    );
    let text = std::fs::read_to_string(&snap).expect("snapshot written");
    assert!(MARKERS.iter().all(|m| !text.contains(m)));
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_socready"))
            .args(args)
            .arg(&snap)
            .output()
            .expect("run socready")
    };
    assert_eq!(run(&["snapshot", "validate"]).status.code(), Some(0));
    let scan = run(&[
        "scan",
        "--no-config",
        "--format",
        "json",
        "-o",
        "-",
        "--snapshot",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&scan.stdout).expect("JSON report");
    // The recorded tenant is the ready scenario: collected, it is still ready.
    assert!(
        report["verdicts"]
            .as_object()
            .is_some_and(|v| !v.is_empty() && v.values().all(|x| x == "ready")),
        "{report}"
    );
}
