//! Collection benchmark (not a test): the synthetic large tenant (`benches/synth`, 10
//! subscriptions, 50 workspaces, 100,000 role assignments) served by the fake tenant with a fixed
//! latency per response, collected, and compared with the lower bound
//! `max(longest chain of dependent pages, total requests / concurrency) × latency`.
//!
//! `cargo test --release --test collect_bench -- --ignored --nocapture`
//! Knobs (environment): `SOCREADY_BENCH_SCALE` (1), `SOCREADY_BENCH_LATENCY_MS` (50),
//! `SOCREADY_BENCH_PAGE` (items per page, 100), `SOCREADY_BENCH_CONCURRENCY` (8,32);
//! `SOCREADY_BENCH_TIMELINE=1` prints when each kind of request was sent.

#[path = "support/fake_tenant.rs"]
mod fake_tenant;
#[path = "support/snapshot_routes.rs"]
mod snapshot_routes;
#[path = "../benches/synth/mod.rs"]
mod synth;

use std::collections::HashMap;
use std::io::Write;
use std::time::{Duration, Instant};

use serde_json::Value;
use socready::collect::{AuthMethod, CollectOptions, StaticTokens, collect};

fn knob<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn len(v: Option<&Value>) -> usize {
    v.and_then(Value::as_array).map_or(0, Vec::len)
}

/// Pages of a list of `n` items (an empty list is one page).
fn pages(n: usize, per_page: usize) -> usize {
    n.div_ceil(per_page).max(1)
}

/// Longest chain of dependent pages, and the total number of pages, for collecting `snapshot`.
fn critical_path(snapshot: &Value, per_page: usize) -> (usize, usize) {
    let p = |n: usize| pages(n, per_page);
    let subs = snapshot
        .pointer("/azure/subscriptions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let workspaces = snapshot
        .pointer("/azure/workspaces")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let p_subs = p(subs.len());
    let (mut longest, mut total) = (p_subs, p_subs);
    // Earliest depth at which each principal the collector lists as a group is known.
    let mut known: HashMap<String, usize> = HashMap::new();
    let mut learn = |id: Option<&str>, depth: usize| {
        if let Some(id) = id {
            let d = known.entry(id.to_ascii_lowercase()).or_insert(depth);
            *d = (*d).min(depth);
        }
    };
    for sub in &subs {
        for key in [
            "resourceGroups",
            "roleDefinitions",
            "roleAssignments",
            "denyAssignments",
            "roleEligibilities",
            "defenderPricings",
        ] {
            let n = p(len(sub.get(key)));
            longest = longest.max(p_subs + n);
            total += n;
            for item in sub.get(key).and_then(Value::as_array).into_iter().flatten() {
                let group = |v: &Value| v.as_str().is_some_and(|t| t.eq_ignore_ascii_case("Group"));
                if item.pointer("/properties/principalType").is_some_and(group) {
                    learn(
                        item.pointer("/properties/principalId")
                            .and_then(Value::as_str),
                        p_subs + n,
                    );
                }
                for list in ["principals", "excludePrincipals"] {
                    let named = item
                        .pointer(&format!("/properties/{list}"))
                        .and_then(Value::as_array);
                    for principal in named
                        .into_iter()
                        .flatten()
                        .filter(|principal| principal.get("type").is_some_and(group))
                    {
                        learn(principal["id"].as_str(), p_subs + n);
                    }
                }
            }
        }
        let sub_id = sub["subscription"]["subscriptionId"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let own: Vec<&Value> = workspaces
            .iter()
            .filter(|w| {
                w["workspace"]["id"]
                    .as_str()
                    .is_some_and(|id| id.to_ascii_lowercase().contains(&sub_id))
            })
            .collect();
        let p_ws = p(own.len());
        total += p_ws;
        for ws in own {
            let p_on = p(len(ws.get("onboardingStates")));
            total += p_on;
            longest = longest.max(p_subs + p_ws + p_on);
            if len(ws.get("onboardingStates")) > 0 {
                for key in [
                    "dataConnectors",
                    "alertRules",
                    "automationRules",
                    "settings",
                    "contentPackages",
                    "diagnosticSettings",
                ] {
                    let n = p(len(ws.get(key)));
                    total += n;
                    longest = longest.max(p_subs + p_ws + p_on + n);
                }
            }
        }
    }
    let graph = &snapshot["graph"];
    total += 1 + 2; // organization, two service principal queries
    for key in [
        "subscribedSkus",
        "directoryRoleDefinitions",
        "directoryRoleAssignments",
        "directoryRoleEligibilities",
    ] {
        let n = p(len(graph.get(key)));
        total += n;
        longest = longest.max(n);
        for item in graph
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            learn(item["principalId"].as_str(), n);
        }
    }
    // Each group's member listing starts once a list naming the group is complete.
    let mut members: HashMap<String, usize> = HashMap::new();
    for groups in graph["memberships"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
    {
        for g in groups
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            *members.entry(g.to_ascii_lowercase()).or_default() += 1;
        }
    }
    for (principal, depth) in known {
        let n = p(members.get(&principal).copied().unwrap_or(0));
        total += n;
        longest = longest.max(depth + n);
    }
    (longest, total)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "benchmark: cargo test --release --test collect_bench -- --ignored --nocapture"]
async fn collect_the_synthetic_large_tenant() {
    let scale: f64 = knob("SOCREADY_BENCH_SCALE", 1.0);
    let latency = Duration::from_millis(knob("SOCREADY_BENCH_LATENCY_MS", 50));
    let per_page: usize = knob("SOCREADY_BENCH_PAGE", 100);
    let concurrencies: Vec<usize> = std::env::var("SOCREADY_BENCH_CONCURRENCY")
        .unwrap_or_else(|_| "8,32".into())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();

    let snapshot = synth::generate(scale);
    let (chain, pages_total) = critical_path(&snapshot, per_page);
    let mut out = std::io::stderr();
    let _ = writeln!(
        out,
        "synthetic tenant scale {scale}: {per_page} items/page, {latency:?}/response"
    );
    let _ = writeln!(
        out,
        "longest chain {chain} pages = {:?}; {pages_total} pages in all",
        latency * chain as u32
    );
    for concurrency in concurrencies {
        let (arm, graph) = snapshot_routes::builders(&snapshot);
        let arm = arm.page_size(per_page).latency(latency).start().await;
        let graph = graph.page_size(per_page).latency(latency).start().await;
        let opts = CollectOptions {
            tenant: snapshot["tenant"]["id"].as_str().map(str::to_owned),
            auth: AuthMethod::EnvToken,
            static_tokens: Some(StaticTokens {
                arm: "arm".into(),
                graph: "graph".into(),
            }),
            arm_endpoint: arm.base().into(),
            graph_endpoint: graph.base().into(),
            concurrency,
            ..CollectOptions::default()
        };
        let started = Instant::now();
        let collected = tokio::time::timeout(Duration::from_secs(1800), collect(&opts))
            .await
            .expect("finished in time")
            .expect("collection starts");
        let wall = started.elapsed();
        let requests = arm.requests().len() + graph.requests().len();
        let chain_time = latency * chain as u32;
        let work_time = latency.mul_f64(requests as f64 / concurrency as f64);
        let bound = chain_time.max(work_time);
        let errors = collected["errors"].as_array().map_or(0, Vec::len);
        let _ = writeln!(
            out,
            "concurrency {concurrency:>3}: {requests} requests, wall {wall:.2?}; bound {bound:.2?} \
             (chain {chain_time:.2?}, requests/concurrency {work_time:.2?}); ratio {:.2}; {errors} errors",
            wall.as_secs_f64() / bound.as_secs_f64()
        );
        assert_eq!(errors, 0, "the synthetic tenant collects without errors");
        if std::env::var("SOCREADY_BENCH_TIMELINE").is_ok() {
            let all: Vec<_> = arm.requests().into_iter().chain(graph.requests()).collect();
            timeline(&all, &mut out);
        }
    }
}

/// First and last request time per kind of request (last path segment).
fn timeline(requests: &[fake_tenant::Recorded], out: &mut impl Write) {
    let Some(t0) = requests.iter().map(|r| r.at).min() else {
        return;
    };
    let mut spans: std::collections::BTreeMap<String, (f64, f64, usize)> = Default::default();
    for r in requests {
        let kind = r.path.rsplit('/').next().unwrap_or_default().to_owned();
        let t = r.at.duration_since(t0).as_secs_f64();
        let span = spans.entry(kind).or_insert((f64::MAX, 0.0, 0));
        span.0 = span.0.min(t);
        span.1 = span.1.max(t);
        span.2 += 1;
    }
    for (kind, (first, last, n)) in spans {
        let _ = writeln!(
            out,
            "  {kind:<34} {n:>5} requests, {first:>6.2}s .. {last:>6.2}s"
        );
    }
}
