//! Snapshot redaction: names gone, ids and checked fields kept, stable pseudonyms.
//!
//! Runs on the snapshot collected from the recorded Contoso tenant (through the fake server) and
//! on every scenario snapshot in `fixtures/scenarios/`.

#[path = "support/fake_tenant.rs"]
mod fake_tenant;

use std::path::Path;
use std::time::Duration;

use fake_tenant::{Builder, Fault, Flavor};
use serde_json::Value;
use socready::collect::{AuthMethod, CollectOptions, StaticTokens, collect};
use socready::snapshot::redact::redact;

/// Names, UPNs, e-mails, display names and free text of the recorded tenant.
const SENSITIVE: &[&str] = &[
    "Alice Admin",
    "alice.admin@contoso.com",
    "Bob Builder",
    "bob.builder@contoso.com",
    "carol.config@contoso.com",
    "Erin Eligible",
    "erin.eligible@contoso.com",
    "soc-team@contoso.com",
    "Contoso Ltd",
    "contoso.com",
    "contosoltd.onmicrosoft.com",
    "Contoso Production",
    "Contoso Security",
    "Fabrikam Managed SOC",
    "Contoso SOC Custom",
    "Contoso SOC engineers",
    "Contoso VPN brute force",
    "1 Contoso Way",
    "Redmond",
    "425-555-0100",
    "Granted for the Contoso SOC onboarding",
];

/// Keys whose values must survive redaction unchanged (ids and what the checks read).
fn kept(key: &str) -> bool {
    key == "id"
        || key.ends_with("Id")
        || key.ends_with("Ids")
        || matches!(
            key,
            "kind"
                | "type"
                | "scope"
                | "state"
                | "enabled"
                | "isEnabled"
                | "productFilter"
                | "skuPartNumber"
                | "servicePlans"
                | "capabilityStatus"
                | "prepaidUnits"
                | "condition"
                | "dataTypes"
                | "permissions"
                | "assignableScopes"
                | "rolePermissions"
                | "isBuiltIn"
                | "pricingTier"
                | "managedByTenants"
                | "onboardingStates"
                | "memberships"
                | "schema"
                | "request"
                | "target"
                | "status"
                | "code"
        )
}

/// Same shape everywhere; kept keys equal; ARM resource names equal.
fn assert_ids_kept(original: &Value, redacted: &Value, path: &str) {
    match (original, redacted) {
        (Value::Object(a), Value::Object(b)) => {
            let keys_a: Vec<_> = a.keys().collect();
            let keys_b: Vec<_> = b.keys().collect();
            assert_eq!(keys_a, keys_b, "keys at {path}");
            let arm_resource = a
                .get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.starts_with('/'));
            for (key, value) in a {
                let here = format!("{path}/{key}");
                // `scope` is an id, except in PIM's expandedProperties where it is an object.
                let id_like = kept(key) && !(key == "scope" && value.is_object());
                if id_like || (key == "name" && arm_resource) {
                    assert_eq!(value, &b[key], "changed: {here}");
                }
                assert_ids_kept(value, &b[key], &here);
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "length at {path}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_ids_kept(x, y, &format!("{path}/{i}"));
            }
        }
        (Value::String(_), Value::String(_)) => {}
        (a, b) => assert_eq!(a, b, "changed: {path}"),
    }
}

fn check_redaction(original: &Value) -> Value {
    let redacted = redact(original);
    assert_eq!(redacted["collector"]["redacted"], true);
    assert_ne!(&redacted, original);
    let mut without_flag = redacted.clone();
    without_flag["collector"]["redacted"] = original["collector"]["redacted"].clone();
    if original.get("collector").is_none() {
        without_flag.as_object_mut().map(|o| o.remove("collector"));
    }
    assert_ids_kept(original, &without_flag, "");
    assert_eq!(redact(original), redacted, "deterministic");
    assert_eq!(redact(&redacted), redacted, "idempotent");
    let text = serde_json::to_string(&redacted).expect("serialize");
    socready::snapshot::load_str("redacted", &text).expect("a redacted snapshot still loads");
    redacted
}

#[tokio::test]
async fn collected_snapshot_loses_names_and_keeps_ids() {
    let sec_ws = "/subscriptions/22222222-aaaa-4bbb-8ccc-000000000002/resourcegroups/rg-sec/providers/\
                  microsoft.operationalinsights/workspaces/ws-soc-sec";
    let arm = Builder::new(Flavor::Arm)
        .recorded("contoso")
        .fault(
            &format!("{sec_ws}/providers/Microsoft.SecurityInsights/alertRules"),
            Fault::Forbidden,
        )
        .start()
        .await;
    let graph = Builder::new(Flavor::Graph)
        .recorded("contoso")
        .start()
        .await;
    let opts = CollectOptions {
        auth: AuthMethod::EnvToken,
        static_tokens: Some(StaticTokens {
            arm: "a".into(),
            graph: "g".into(),
        }),
        arm_endpoint: arm.base().into(),
        graph_endpoint: graph.base().into(),
        backoff_base: Duration::from_millis(10),
        ..CollectOptions::default()
    };
    let collected = tokio::time::timeout(Duration::from_secs(30), collect(&opts))
        .await
        .expect("in time")
        .expect("collection starts");
    let original = serde_json::to_string(&collected).expect("serialize");
    for name in SENSITIVE {
        assert!(original.contains(name), "fixture should contain {name:?}");
    }

    let redacted = check_redaction(&collected);
    let text = serde_json::to_string(&redacted).expect("serialize");
    for name in SENSITIVE {
        assert!(!text.contains(name), "{name:?} survived redaction");
    }

    // Microsoft's own names stay readable.
    assert!(text.contains("\"Global Administrator\"") && text.contains("\"Owner\""));
    assert!(text.contains("\"Microsoft Threat Protection\""));
    // The same person gets the same pseudonym wherever they appear.
    let owner = redacted["azure"]["workspaces"][0]["automationRules"][0]["properties"]["actions"]
        [0]["actionConfiguration"]["owner"]
        .clone();
    assert_eq!(owner["email"], owner["userPrincipalName"]);
    assert!(
        owner["email"]
            .as_str()
            .is_some_and(|e| e.starts_with("user-") && e.ends_with("@redacted.invalid"))
    );
    // E-mails inside error messages are replaced too; the rest of the entry is kept.
    let message = redacted["errors"][0]["message"]
        .as_str()
        .expect("error message");
    assert!(
        message.contains("@redacted.invalid") && message.contains("does not have authorization"),
        "{message}"
    );
}

/// Every e-mail address (`local@domain.tld` token) inside any string value.
fn strings_with_at(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            let email = |t: &&str| {
                t.split_once('@').is_some_and(|(local, domain)| {
                    !local.is_empty()
                        && local
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c))
                        && domain.contains('.')
                        && domain
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
                })
            };
            let tokens = s.split(|c: char| c.is_whitespace() || "'\"()<>,;:".contains(c));
            out.extend(
                tokens
                    .filter(email)
                    .map(|t| t.trim_end_matches('.').to_owned()),
            );
        }
        Value::Array(items) => items.iter().for_each(|v| strings_with_at(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings_with_at(v, out)),
        _ => {}
    }
}

#[test]
fn scenario_snapshots_keep_their_ids() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("scenarios") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !name.ends_with(".json") || name.ends_with(".expected.json") {
            continue;
        }
        let original: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        let redacted = check_redaction(&original);
        // No e-mail address, organization or subscription name survives.
        let text = serde_json::to_string(&redacted).expect("serialize");
        let mut secrets = Vec::new();
        strings_with_at(&original, &mut secrets);
        secrets.extend(
            original
                .pointer("/tenant/organization/displayName")
                .and_then(Value::as_str)
                .map(str::to_owned),
        );
        for sub in original
            .pointer("/azure/subscriptions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            secrets.extend(
                sub.pointer("/subscription/displayName")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            );
        }
        for secret in secrets {
            assert!(
                !text.contains(&format!("\"{secret}\"")),
                "{name}: {secret:?} survived"
            );
        }
        seen += 1;
    }
    assert!(seen > 10, "scenarios found");
}
