//! The live collector against a fake tenant on 127.0.0.1 (`tests/support/fake_tenant.rs`).
//!
//! Every test is bounded in time (`tokio::time::timeout`) and the servers bound retries by
//! counting requests. Tokens are passed through `CollectOptions::static_tokens`, so no test
//! touches the process environment.

#[path = "support/fake_tenant.rs"]
mod fake_tenant;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_tenant::{Builder, FakeTenant, Fault, Flavor};
use serde_json::Value;
use socready::collect::{AuthMethod, CollectError, CollectOptions, StaticTokens, collect};

const T: &str = "8f2c0a4e-3b1d-4c6e-9a7f-1d2e3f4a5b6c";
const F: &str = "5d9e8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b";
const S1: &str = "11111111-aaaa-4bbb-8ccc-000000000001";
const S2: &str = "22222222-aaaa-4bbb-8ccc-000000000002";
const S3: &str = "33333333-aaaa-4bbb-8ccc-000000000003";
const U_ALICE: &str = "a1a1a1a1-0000-4000-8000-000000000001";
const U_GONE: &str = "c3c3c3c3-0000-4000-8000-000000000003";
const U_DAVE: &str = "d4d4d4d4-0000-4000-8000-000000000004";
const U_ERIN: &str = "e5e5e5e5-0000-4000-8000-000000000005";
const U_OPERATOR: &str = "f6f6f6f6-0000-4000-8000-000000000006";
const U_BOB: &str = "b2b2b2b2-0000-4000-8000-000000000002";
const G_SOC: &str = "9a000000-0000-4000-8000-00000000000a";
const G_READERS: &str = "9b000000-0000-4000-8000-00000000000b";
const G_ROOT: &str = "9c000000-0000-4000-8000-00000000000c";
const G_ADMINS: &str = "9d000000-0000-4000-8000-00000000000d";

const ARM_TOKEN: &str = "arm-TOKEN-5f0c1d9e-never-log-me";
const GRAPH_TOKEN: &str = "graph-TOKEN-8e2b7a44-never-log-me";
/// A piece both tokens share: must appear nowhere.
const TOKEN_MARK: &str = "never-log-me";

const LIMIT: Duration = Duration::from_secs(30);

fn ws_id(sub: &str, rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{sub}/resourcegroups/{rg}/providers/microsoft.operationalinsights/workspaces/{name}"
    )
}

fn options(arm: &FakeTenant, graph: &FakeTenant) -> CollectOptions {
    CollectOptions {
        auth: AuthMethod::EnvToken,
        static_tokens: Some(StaticTokens {
            arm: ARM_TOKEN.into(),
            graph: GRAPH_TOKEN.into(),
        }),
        arm_endpoint: arm.base().into(),
        graph_endpoint: graph.base().into(),
        concurrency: 4,
        max_attempts: 3,
        request_timeout: Duration::from_secs(5),
        max_retry_delay: Duration::from_secs(5),
        backoff_base: Duration::from_millis(10),
        ..CollectOptions::default()
    }
}

async fn servers() -> (FakeTenant, FakeTenant) {
    (
        Builder::new(Flavor::Arm)
            .recorded("contoso")
            .token(ARM_TOKEN)
            .start()
            .await,
        Builder::new(Flavor::Graph)
            .recorded("contoso")
            .token(GRAPH_TOKEN)
            .start()
            .await,
    )
}

async fn bounded<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(LIMIT, future)
        .await
        .expect("collection finished in time")
}

/// A `tracing` writer that keeps everything in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log lock")).into_owned()
    }
}

/// Every test in this binary logs at trace level into one buffer. A global subscriber (rather
/// than a per-test scoped one) is deterministic: tracing caches call-site interest globally,
/// so a scoped subscriber can miss events when other tests run concurrently without one.
fn global_logs() -> Captured {
    static LOGS: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("first global subscriber");
        logs
    })
    .clone()
}

fn subscription<'a>(snapshot: &'a Value, id: &str) -> &'a Value {
    snapshot["azure"]["subscriptions"]
        .as_array()
        .and_then(|subs| {
            subs.iter()
                .find(|s| s["subscription"]["subscriptionId"] == id)
        })
        .unwrap_or_else(|| panic!("subscription {id} collected"))
}

fn workspace<'a>(snapshot: &'a Value, id: &str) -> &'a Value {
    snapshot["azure"]["workspaces"]
        .as_array()
        .and_then(|all| {
            all.iter().find(|w| {
                w["workspace"]["id"]
                    .as_str()
                    .is_some_and(|x| x.eq_ignore_ascii_case(id))
            })
        })
        .unwrap_or_else(|| panic!("workspace {id} collected"))
}

fn errors_for<'a>(snapshot: &'a Value, target: &str) -> Vec<&'a Value> {
    snapshot["errors"]
        .as_array()
        .map(|e| e.iter().filter(|e| e["target"] == target).collect())
        .unwrap_or_default()
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .map(|l| l.iter().filter_map(|i| i["name"].as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn collects_the_recorded_tenant_with_paging_throttling_and_partial_failure() {
    let graph = Builder::new(Flavor::Graph)
        .recorded("contoso")
        .token(GRAPH_TOKEN)
        .start()
        .await;
    let sec_ws = ws_id(S2, "rg-sec", "ws-soc-sec");
    let arm = Builder::new(Flavor::Arm)
        .recorded("contoso")
        .token(ARM_TOKEN)
        .fault(
            &format!("/subscriptions/{S1}/resourcegroups"),
            Fault::Throttle {
                retry_after: "1".into(),
                times: 1,
            },
        )
        .fault(
            &format!("{sec_ws}/providers/Microsoft.SecurityInsights/alertRules"),
            Fault::Forbidden,
        )
        .fault(
            &format!("/subscriptions/{S2}/providers/Microsoft.Authorization/roleAssignments"),
            Fault::FailPage { page: 1 },
        )
        .fault(
            &format!("/subscriptions/{S3}/resourcegroups"),
            Fault::ForeignNext {
                link: format!(
                    "{}/subscriptions/{S3}/resourcegroups?$skiptoken=1",
                    graph.base()
                ),
            },
        )
        .start()
        .await;
    let mut opts = options(&arm, &graph);
    opts.operators = vec![U_OPERATOR.into()];

    let logs = global_logs();
    let snapshot = bounded(collect(&opts)).await.expect("collection starts");

    // Envelope and tenant.
    assert_eq!(snapshot["schema"], "socready.snapshot/v1");
    assert_eq!(snapshot["collector"]["name"], "socready");
    assert_eq!(snapshot["collector"]["redacted"], false);
    assert_eq!(snapshot["tenant"]["id"], T);
    assert_eq!(
        snapshot["tenant"]["organization"]["displayName"],
        "Contoso Ltd"
    );

    // Subscriptions: two pages merged, the Lighthouse one from another tenant included.
    let subs = snapshot["azure"]["subscriptions"]
        .as_array()
        .expect("subscriptions");
    assert_eq!(subs.len(), 3);
    assert_eq!(subscription(&snapshot, S3)["subscription"]["tenantId"], F);

    // 429 + Retry-After: 1 → exactly one retry, not before the second elapsed; pages merged.
    let s1 = subscription(&snapshot, S1);
    assert_eq!(
        names(&s1["resourceGroups"]),
        ["rg-prod", "rg-soc", "rg-net"]
    );
    let first_page: Vec<_> = arm
        .requests_to(&format!("/subscriptions/{S1}/resourcegroups"))
        .into_iter()
        .filter(|r| r.query("$skiptoken").is_none())
        .collect();
    assert_eq!(first_page.len(), 2, "one 429, one retry");
    let waited = first_page[1].at.duration_since(first_page[0].at);
    assert!(
        waited >= Duration::from_secs(1),
        "retried after {waited:?}, before Retry-After"
    );

    // All role assignments of the subscription, including the management-group one.
    let s1_assignments = s1["roleAssignments"].as_array().expect("role assignments");
    assert_eq!(s1_assignments.len(), 5);
    assert!(s1_assignments.iter().any(|a| {
        a["properties"]["scope"]
            .as_str()
            .is_some_and(|s| s.starts_with("/providers/Microsoft.Management/managementGroups/"))
    }));
    assert_eq!(
        s1["denyAssignments"],
        Value::Array(vec![]),
        "collected, none"
    );
    assert_eq!(s1["roleEligibilities"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        names(&s1["defenderPricings"]),
        ["VirtualMachines", "CloudPosture"]
    );

    // 500 on page 2 (every attempt): the first page is kept, the error says where it broke.
    let s2 = subscription(&snapshot, S2);
    assert_eq!(
        s2["roleAssignments"].as_array().map(Vec::len),
        Some(2),
        "partial list kept"
    );
    let partial = errors_for(
        &snapshot,
        &format!("azure.subscriptions[{S2}].roleAssignments"),
    );
    assert_eq!(partial.len(), 1);
    assert_eq!(partial[0]["status"], 500);
    assert_eq!(partial[0]["code"], "InternalServerError");
    let request = partial[0]["request"].as_str().expect("request");
    assert!(request.starts_with(&format!(
        "GET /subscriptions/{S2}/providers/Microsoft.Authorization/roleAssignments?"
    )));
    assert!(
        request.contains("$skiptoken=***"),
        "paging token hidden: {request}"
    );
    let page_two = arm
        .requests_to(&format!(
            "/subscriptions/{S2}/providers/Microsoft.Authorization/roleAssignments"
        ))
        .into_iter()
        .filter(|r| r.query("$skiptoken") == Some("1"))
        .count();
    assert_eq!(page_two, 3, "bounded by max_attempts");

    // A next link to another host is refused; what was read is kept.
    let s3 = subscription(&snapshot, S3);
    assert_eq!(names(&s3["resourceGroups"]), ["rg-partner"]);
    let foreign = errors_for(
        &snapshot,
        &format!("azure.subscriptions[{S3}].resourceGroups"),
    );
    assert_eq!(foreign.len(), 1);
    assert_eq!(foreign[0]["code"], "ForeignHost");
    assert_eq!(
        foreign[0]["status"],
        Value::Null,
        "no HTTP answer, no status"
    );
    assert!(
        graph
            .requests()
            .iter()
            .all(|r| !r.path.contains("resourcegroups")),
        "nothing sent to the other host"
    );

    // Workspaces: all four kept; Sentinel lists only where Sentinel is enabled.
    assert_eq!(
        snapshot["azure"]["workspaces"].as_array().map(Vec::len),
        Some(4)
    );
    let logs_ws = workspace(&snapshot, &ws_id(S1, "rg-prod", "ws-app-logs"));
    assert_eq!(logs_ws["onboardingStates"], Value::Array(vec![]));
    assert!(logs_ws.get("alertRules").is_none() && logs_ws.get("dataConnectors").is_none());
    assert!(
        arm.requests()
            .iter()
            .all(|r| !(r.path.contains("ws-app-logs") && r.path.ends_with("alertRules")))
    );
    let prod_ws = workspace(&snapshot, &ws_id(S1, "rg-soc", "ws-soc-prod"));
    assert_eq!(
        prod_ws["alertRules"].as_array().map(Vec::len),
        Some(3),
        "two pages merged"
    );
    for key in [
        "dataConnectors",
        "automationRules",
        "settings",
        "contentPackages",
        "diagnosticSettings",
    ] {
        assert!(prod_ws[key].is_array(), "{key} collected");
    }
    assert_eq!(
        prod_ws["dataConnectors"][0]["kind"],
        "MicrosoftThreatProtection"
    );

    // 403 on one workspace's alert rules: key absent, error entry with the lower-cased id.
    let sec = workspace(&snapshot, &sec_ws);
    assert!(sec.get("alertRules").is_none(), "not collected = absent");
    assert!(sec["dataConnectors"].is_array());
    let denied = errors_for(
        &snapshot,
        &format!("azure.workspaces[{}].alertRules", sec_ws.to_lowercase()),
    );
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0]["status"], 403);
    assert_eq!(denied[0]["code"], "AuthorizationFailed");
    assert!(
        denied[0]["request"]
            .as_str()
            .is_some_and(|r| r.ends_with("alertRules?api-version=2025-09-01"))
    );

    // Graph: pages merged, service principals filtered by app id.
    let g = &snapshot["graph"];
    assert_eq!(g["subscribedSkus"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        g["directoryRoleDefinitions"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(
        g["directoryRoleAssignments"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        g["directoryRoleEligibilities"].as_array().map(Vec::len),
        Some(1)
    );
    let apps: Vec<_> = g["servicePrincipals"]
        .as_array()
        .expect("sps")
        .iter()
        .filter_map(|s| s["appId"].as_str())
        .collect();
    assert_eq!(apps.len(), 2);
    assert!(
        apps.contains(&"8ee8fdad-f234-4243-8f3b-15c294843740")
            && apps.contains(&"fc780465-2017-40d4-a0c5-307022471b92")
    );
    // Memberships: members of the role-holding groups, inverted (nested G_SOC ⊂ G_ROOT included).
    let groups = |p: &str| -> Vec<&str> {
        g["memberships"][p]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    };
    assert_eq!(
        groups(U_ALICE),
        [G_SOC, G_READERS, G_ROOT],
        "direct and nested"
    );
    assert_eq!(
        groups(U_ERIN),
        [G_SOC, G_READERS, G_ROOT],
        "PIM-eligible holder; two pages merged"
    );
    assert_eq!(
        groups(G_SOC),
        [G_ROOT],
        "a group holding a role, nested in another"
    );
    assert_eq!(
        groups(U_DAVE),
        [G_READERS],
        "a member of a role-holding group gets an entry"
    );
    assert_eq!(
        groups(U_OPERATOR),
        [G_READERS],
        "operator: only groups that hold roles"
    );
    assert_eq!(
        g["memberships"][U_GONE],
        Value::Array(vec![]),
        "deleted principal: no groups"
    );
    assert_eq!(
        g["memberships"][G_ADMINS],
        Value::Array(vec![]),
        "Entra role holder has an entry"
    );
    let listings: Vec<_> = graph
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/transitiveMembers"))
        .collect();
    assert!(listings.iter().all(|r| r.query("$select") == Some("id")));
    let first_pages = |id: &str| {
        listings
            .iter()
            .filter(|r| r.path.contains(id) && r.query("$skiptoken").is_none())
            .count()
    };
    assert_eq!(first_pages(G_SOC), 1, "each group listed once");
    assert_eq!(
        first_pages(G_ADMINS),
        1,
        "Entra holders of unknown type are tried as groups"
    );
    assert_eq!(
        first_pages(U_BOB),
        0,
        "a known user is never tried as a group"
    );

    // Exactly the injected failures, nothing else.
    let mut targets: Vec<_> = snapshot["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["target"].as_str())
        .collect();
    targets.sort_unstable();
    let mut expected = vec![
        format!("azure.subscriptions[{S2}].roleAssignments"),
        format!("azure.subscriptions[{S3}].resourceGroups"),
        format!("azure.workspaces[{}].alertRules", sec_ws.to_lowercase()),
    ];
    expected.sort_unstable();
    assert_eq!(targets, expected);

    // GET only, every request authenticated with the right token, api-versions as documented.
    for r in arm.requests() {
        assert_eq!(r.method, "GET");
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {ARM_TOKEN}").as_str())
        );
        let version = r
            .query("api-version")
            .unwrap_or_else(|| panic!("api-version on {}", r.path));
        let expected = if r.path.ends_with("/diagnosticSettings") {
            // The workspace's and Sentinel health's (under settings/SentinelHealth).
            "2021-05-01-preview"
        } else if r.path.ends_with("/settings") {
            "2025-10-01-preview"
        } else if r.path.contains("/Microsoft.SecurityInsights/") {
            "2025-09-01"
        } else if r.path.ends_with("/roleEligibilityScheduleInstances") {
            "2020-10-01"
        } else if r.path.contains("/Microsoft.Authorization/") {
            "2022-04-01"
        } else if r.path.ends_with("/pricings") {
            "2024-01-01"
        } else if r.path.ends_with("/workspaces") {
            "2025-07-01"
        } else if r.path.ends_with("/resourcegroups") {
            "2021-04-01"
        } else {
            "2022-12-01"
        };
        assert_eq!(version, expected, "{}", r.path);
    }
    for r in graph.requests() {
        assert_eq!(r.method, "GET");
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {GRAPH_TOKEN}").as_str())
        );
        assert!(r.path.starts_with("/v1.0/"));
    }

    // The token is nowhere: snapshot, logs (trace level).
    let text = serde_json::to_string(&snapshot).expect("serialize");
    assert!(!text.contains(TOKEN_MARK));
    let logs = logs.text();
    assert!(logs.contains("collect request"), "logs were captured");
    assert!(!logs.contains(TOKEN_MARK), "token in logs");
    assert!(!logs.contains("Bearer"), "authorization header in logs");
}

#[tokio::test]
async fn retry_after_is_capped_and_throttling_is_bounded() {
    let graph = Builder::new(Flavor::Graph)
        .recorded("contoso")
        .token(GRAPH_TOKEN)
        .start()
        .await;
    let arm = Builder::new(Flavor::Arm)
        .recorded("contoso")
        .token(ARM_TOKEN)
        .fault(
            "/subscriptions",
            Fault::Throttle {
                retry_after: "3600".into(),
                times: 1,
            },
        )
        .fault(
            &format!("/subscriptions/{S1}/providers/Microsoft.Security/pricings"),
            Fault::Throttle {
                retry_after: "Wed, 21 Oct 2015 07:28:00 GMT".into(),
                times: usize::MAX,
            },
        )
        .start()
        .await;
    let mut opts = options(&arm, &graph);
    opts.max_retry_delay = Duration::from_millis(200);
    let started = Instant::now();
    let snapshot = bounded(collect(&opts)).await.expect("collection starts");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "a capped wait, not an hour"
    );
    assert_eq!(
        arm.requests_to("/subscriptions")
            .iter()
            .filter(|r| r.query("$skiptoken").is_none())
            .count(),
        2
    );
    assert_eq!(
        snapshot["azure"]["subscriptions"].as_array().map(Vec::len),
        Some(3)
    );

    // Throttled on every attempt: bounded, then an error entry and no key.
    let pricings = format!("/subscriptions/{S1}/providers/Microsoft.Security/pricings");
    assert_eq!(arm.requests_to(&pricings).len(), opts.max_attempts as usize);
    let entry = errors_for(
        &snapshot,
        &format!("azure.subscriptions[{S1}].defenderPricings"),
    );
    assert_eq!(entry.len(), 1);
    assert_eq!(entry[0]["status"], 429);
    assert!(
        subscription(&snapshot, S1)
            .get("defenderPricings")
            .is_none()
    );
}

#[tokio::test]
async fn named_subscriptions_and_workspaces_narrow_the_collection() {
    let (arm, graph) = servers().await;
    let mut opts = options(&arm, &graph);
    opts.subscriptions = vec![S1.into()];
    opts.workspaces = vec!["WS-APP-LOGS".into()];
    let snapshot = bounded(collect(&opts)).await.expect("collection starts");
    assert!(
        arm.requests_to("/subscriptions").is_empty(),
        "no tenant-wide listing"
    );
    assert_eq!(arm.requests_to(&format!("/subscriptions/{S1}")).len(), 1);
    let subs = snapshot["azure"]["subscriptions"]
        .as_array()
        .expect("subscriptions");
    assert_eq!(subs.len(), 1);
    assert_eq!(
        snapshot["azure"]["workspaces"].as_array().map(Vec::len),
        Some(2)
    );
    // Named without Sentinel: its Sentinel lists are requested anyway (the fake answers 404).
    let logs_ws = ws_id(S1, "rg-prod", "ws-app-logs");
    assert_eq!(
        arm.requests_to(&format!(
            "{logs_ws}/providers/Microsoft.SecurityInsights/alertRules"
        ))
        .len(),
        1
    );
    let missing = errors_for(
        &snapshot,
        &format!("azure.workspaces[{logs_ws}].alertRules"),
    );
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0]["status"], 404);
}

#[tokio::test]
async fn unreachable_endpoint_stops_collection_naming_the_request() {
    let graph = Builder::new(Flavor::Graph)
        .recorded("contoso")
        .token(GRAPH_TOKEN)
        .start()
        .await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr")
    };
    let mut opts = options(&graph, &graph);
    opts.arm_endpoint = format!("http://{closed}");
    opts.max_attempts = 2;
    let err = bounded(collect(&opts)).await.expect_err("cannot start");
    assert!(matches!(err, CollectError::Unreachable { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(
        shown.contains("GET /subscriptions?api-version=2022-12-01"),
        "{shown}"
    );
    assert!(shown.contains(&closed.to_string()), "{shown}");
    assert!(!shown.contains(TOKEN_MARK) && !format!("{err:?}").contains(TOKEN_MARK));
}

#[tokio::test]
async fn rejected_token_stops_collection() {
    let (arm, graph) = servers().await;
    let mut opts = options(&arm, &graph);
    opts.static_tokens = Some(StaticTokens {
        arm: format!("stale-{TOKEN_MARK}"),
        graph: GRAPH_TOKEN.into(),
    });
    let err = bounded(collect(&opts)).await.expect_err("token rejected");
    match &err {
        CollectError::Rejected {
            status,
            code,
            request,
            ..
        } => {
            assert_eq!(*status, 401);
            assert_eq!(code, "InvalidAuthenticationToken");
            assert!(request.starts_with("GET /subscriptions"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        arm.requests_to("/subscriptions").len(),
        1,
        "401 is not retried"
    );
    assert!(!err.to_string().contains(TOKEN_MARK) && !format!("{err:?}").contains(TOKEN_MARK));
}

#[tokio::test]
async fn tenant_id_falls_back_to_the_option_then_the_token() {
    let arm = Builder::new(Flavor::Arm).recorded("contoso").start().await;
    let graph = Builder::new(Flavor::Graph)
        .recorded("contoso")
        .fault("/v1.0/organization", Fault::Forbidden)
        .start()
        .await;

    // Opaque tokens, no --tenant: nobody can say which tenant this is.
    let opts = options(&arm, &graph);
    let err = bounded(collect(&opts)).await.expect_err("tenant unknown");
    assert!(matches!(err, CollectError::TenantUnknown { .. }), "{err:?}");

    // --tenant given: used, and the organization failure is recorded.
    let mut opts = options(&arm, &graph);
    opts.tenant = Some(T.into());
    let snapshot = bounded(collect(&opts)).await.expect("collection starts");
    assert_eq!(snapshot["tenant"]["id"], T);
    assert!(snapshot["tenant"].get("organization").is_none());
    assert_eq!(
        errors_for(&snapshot, "tenant.organization")[0]["status"],
        403
    );

    // A JWT access token names its tenant (`tid`).
    let mut opts = options(&arm, &graph);
    let jwt = "eyJhbGciOiJub25lIn0.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tIiwidGlkIjoiOGYyYzBhNGUtM2IxZC00YzZlLTlhN2YtMWQyZTNmNGE1YjZjIn0.";
    opts.static_tokens = Some(StaticTokens {
        arm: jwt.into(),
        graph: GRAPH_TOKEN.into(),
    });
    let snapshot = bounded(collect(&opts)).await.expect("collection starts");
    assert_eq!(snapshot["tenant"]["id"], T);
}

#[tokio::test]
async fn redirects_to_other_hosts_are_not_followed() {
    let graph = Builder::new(Flavor::Graph)
        .recorded("contoso")
        .token(GRAPH_TOKEN)
        .start()
        .await;
    let pricings = format!("/subscriptions/{S1}/providers/Microsoft.Security/pricings");
    let arm = Builder::new(Flavor::Arm)
        .recorded("contoso")
        .token(ARM_TOKEN)
        .fault(
            &pricings,
            Fault::Redirect {
                location: format!("{}/v1.0/organization", graph.base()),
            },
        )
        .start()
        .await;
    let snapshot = bounded(collect(&options(&arm, &graph)))
        .await
        .expect("collection starts");
    let entry = errors_for(
        &snapshot,
        &format!("azure.subscriptions[{S1}].defenderPricings"),
    );
    assert_eq!(entry.len(), 1);
    assert_eq!(entry[0]["status"], 302);
    assert!(
        subscription(&snapshot, S1)
            .get("defenderPricings")
            .is_none()
    );
    assert_eq!(
        graph.requests_to("/v1.0/organization").len(),
        1,
        "only the collector's own call"
    );
    assert!(
        graph
            .requests()
            .iter()
            .all(|r| r.header("authorization") != Some(format!("Bearer {ARM_TOKEN}").as_str()))
    );
}

#[tokio::test]
async fn missing_credentials_are_named() {
    // Only meaningful where the variables are unset (the usual test environment).
    if std::env::var_os("SOCREADY_ARM_TOKEN").is_none() {
        let opts = CollectOptions {
            auth: AuthMethod::EnvToken,
            ..CollectOptions::default()
        };
        match collect(&opts).await {
            Err(CollectError::MissingEnvToken { variable, .. }) => {
                assert_eq!(variable, "SOCREADY_ARM_TOKEN")
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    if ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"]
        .iter()
        .all(|v| std::env::var_os(v).is_none())
    {
        let opts = CollectOptions {
            auth: AuthMethod::ClientSecret,
            ..CollectOptions::default()
        };
        let err = collect(&opts).await.expect_err("not configured");
        assert!(
            matches!(
                err,
                CollectError::CredentialSetup {
                    credential: "ClientSecretCredential",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("AZURE_TENANT_ID"), "{err}");
    }
}

#[test]
fn the_collection_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let opts = CollectOptions::default();
    assert_send(&collect(&opts));
}

#[tokio::test]
async fn bad_options_are_errors() {
    let (arm, graph) = servers().await;
    let mut opts = options(&arm, &graph);
    opts.concurrency = 0;
    assert!(matches!(
        collect(&opts).await,
        Err(CollectError::InvalidOptions(_))
    ));
    let mut opts = options(&arm, &graph);
    opts.graph_endpoint = "http://graph.example.com".into();
    assert!(matches!(
        collect(&opts).await,
        Err(CollectError::InvalidEndpoint { .. })
    ));
    assert!(arm.requests().is_empty() && graph.requests().is_empty());
}

#[test]
fn static_tokens_debug_hides_the_tokens() {
    let tokens = StaticTokens {
        arm: ARM_TOKEN.into(),
        graph: GRAPH_TOKEN.into(),
    };
    let opts = CollectOptions {
        static_tokens: Some(tokens),
        ..CollectOptions::default()
    };
    assert!(!format!("{opts:?}").contains(TOKEN_MARK));
}
