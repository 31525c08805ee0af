//! The who-can-do-what section of the HTML report.

use serde_json::{Value as Json, json};

use super::neutralize;
use super::sections::last_segment;
use crate::report::Report;

/// Principals shown per workspace in the access matrix; the JSON report and `socready access`
/// have every one.
pub(super) const ACCESS_ROWS: usize = 40;

/// The who-can-do-what matrix, per workspace: principals (most tasks first) × tasks.
pub(super) fn access_matrix(report: &Report) -> Option<Json> {
    let m = report.access.as_ref()?;
    let cell = |c: Option<&str>| match c {
        Some("active") => json!({"status": "pass", "title": "Yes"}),
        Some("eligible") => json!({"status": "pass", "title": "After PIM activation"}),
        Some("conditional") => json!({"status": "unknown", "title": "Conditional (ABAC)"}),
        Some(_) => json!({"status": "unknown", "title": "Unverified"}),
        None => json!({"status": "fail", "title": "No"}),
    };
    let workspaces: Vec<Json> = m
        .workspaces
        .iter()
        .map(|w| {
            let mut rows: Vec<_> = w.rows.iter().collect();
            rows.sort_by_key(|r| std::cmp::Reverse(r.cells.iter().filter(|c| c.is_some()).count()));
            let shown: Vec<Json> = rows
                .iter()
                .take(ACCESS_ROWS)
                .map(|r| {
                    json!({
                        "principal": neutralize(&r.principal),
                        "kind": r.principal_type.as_deref().map(neutralize),
                        "cells": r.cells.iter().map(|c| cell(*c)).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let name = report
                .workspaces
                .iter()
                .find(|x| x.id == w.workspace)
                .map(|x| x.name.clone())
                .unwrap_or_else(|| last_segment(&w.workspace).to_string());
            json!({
                "id": neutralize(&w.workspace),
                "name": neutralize(&name),
                "rows": shown,
                "more": w.principal_count.saturating_sub(rows.len().min(ACCESS_ROWS)),
                "gaps": w.gaps.iter().map(|g| neutralize(g)).collect::<Vec<_>>(),
            })
        })
        .collect();
    Some(json!({
        "tasks": m.tasks.iter().map(|t| json!({"title": t})).collect::<Vec<_>>(),
        "workspaces": workspaces,
    }))
}
