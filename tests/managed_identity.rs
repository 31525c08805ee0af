//! The managed identity credential (App Service flavour) against a local fake token endpoint.
//!
//! `azure_identity` reads `IDENTITY_ENDPOINT` / `IDENTITY_HEADER` from the process environment,
//! so the collection runs in a child process (this test binary, re-run with only the `#[ignore]`d
//! child test) whose environment points at a loopback token endpoint. The parent's environment
//! is never modified. Both `--auth managed-identity` and `--auth auto` (which must pick the
//! managed identity when its environment is present) are exercised.

#[path = "support/fake_tenant.rs"]
mod fake_tenant;

use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fake_tenant::{Builder, Flavor};
use serde_json::json;
use socready::collect::{AuthMethod, CollectOptions, collect};

const CHILD: &str = "SOCREADY_TEST_MANAGED_IDENTITY_CHILD";
const TOKEN: &str = "mi-token-from-the-local-endpoint";
const TENANT: &str = "8f2c0a4e-3b1d-4c6e-9a7f-1d2e3f4a5b6c";

#[tokio::test]
async fn managed_identity_gets_tokens_from_a_local_endpoint() {
    let expires = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        + 3600;
    let msi = Builder::new(Flavor::Graph)
        .route(
            "/msi/token",
            json!({"access_token": TOKEN, "expires_on": expires.to_string(), "resource": "local", "token_type": "Bearer"}),
        )
        .start()
        .await;
    let arm = Builder::new(Flavor::Arm)
        .recorded("contoso")
        .token(TOKEN)
        .start()
        .await;
    let graph = Builder::new(Flavor::Graph)
        .recorded("contoso")
        .token(TOKEN)
        .start()
        .await;

    for method in ["managed-identity", "auto"] {
        let mut child = Command::new(std::env::current_exe().expect("test binary"));
        child
            .args([
                "--exact",
                "child_collects_with_managed_identity",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, format!("{method} {} {}", arm.base(), graph.base()))
            .env("IDENTITY_ENDPOINT", format!("{}/msi/token", msi.base()))
            .env("IDENTITY_HEADER", "local-identity-header");
        for var in [
            "AZURE_CLIENT_ID",
            "AZURE_CLIENT_SECRET",
            "AZURE_TENANT_ID",
            "AZURE_FEDERATED_TOKEN_FILE",
            "MSI_ENDPOINT",
        ] {
            child.env_remove(var);
        }
        let output = tokio::time::timeout(
            Duration::from_secs(60),
            tokio::task::spawn_blocking(move || child.output()),
        )
        .await
        .expect("child finished in time")
        .expect("join")
        .expect("run child");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "--auth {method}: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("1 passed"), "the child test ran: {stdout}");
    }

    // One token request per API and run (tokens are cached), with the resource and the secret header.
    let requests = msi.requests();
    assert_eq!(requests.len(), 4, "{requests:#?}");
    for r in &requests {
        assert_eq!(r.method, "GET");
        assert_eq!(r.header("x-identity-header"), Some("local-identity-header"));
        assert_eq!(r.query("api-version"), Some("2019-08-01"));
    }
    let resources: Vec<_> = requests
        .iter()
        .filter_map(|r| r.query("resource"))
        .collect();
    assert!(
        resources.contains(&arm.base()) && resources.contains(&graph.base()),
        "{resources:?}"
    );
    // Every API request carried the managed identity's token.
    assert!(!arm.requests().is_empty() && !graph.requests().is_empty());
    for r in arm.requests().iter().chain(graph.requests().iter()) {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
}

#[test]
#[ignore = "run in a child process by managed_identity_gets_tokens_from_a_local_endpoint"]
fn child_collects_with_managed_identity() {
    let Ok(spec) = std::env::var(CHILD) else {
        return;
    };
    let parts: Vec<&str> = spec.split(' ').collect();
    let [method, arm, graph] = parts[..] else {
        panic!("bad child spec {spec:?}");
    };
    let auth = match method {
        "auto" => AuthMethod::Auto,
        _ => AuthMethod::ManagedIdentity,
    };
    let opts = CollectOptions {
        auth,
        arm_endpoint: arm.into(),
        graph_endpoint: graph.into(),
        backoff_base: Duration::from_millis(10),
        ..CollectOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let snapshot = runtime
        .block_on(collect(&opts))
        .expect("collects with the managed identity");
    assert_eq!(snapshot["tenant"]["id"], TENANT);
    assert!(
        !serde_json::to_string(&snapshot)
            .expect("serialize")
            .contains(TOKEN)
    );
}
