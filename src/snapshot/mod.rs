//! The snapshot: one JSON file holding the raw ARM and Graph objects a scan needs (DESIGN §2).
//!
//! Resources stay exactly as the APIs returned them ([`Resource`]: the raw JSON text, parsed on
//! first use); only the grouping around them is typed. Every collection is an `Option`: `None` means *not collected*, `Some(vec![])`
//! means *collected, none exist*. Loading never interprets resources; that is the engine's job.

mod load;
mod prescan;
pub mod redact;
mod resource;
pub mod schema;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use load::{Loaded, SnapshotError, load_bytes, load_file, load_str};
pub use resource::Resource;

/// The schema identifiers this version reads.
pub const SUPPORTED_SCHEMAS: &[&str] = &["socready.snapshot/v1"];

/// A loaded snapshot.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collector: Option<Value>,
    pub tenant: Tenant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph: Option<Graph>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure: Option<Azure>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub errors: Vec<CollectionError>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<CollectionError>, D::Error> {
    Ok(Option::<Vec<CollectionError>>::deserialize(d)?.unwrap_or_default())
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Value>,
}

/// Microsoft Graph collections.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Graph {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribed_skus: Option<Vec<Resource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_role_definitions: Option<Vec<Resource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_role_assignments: Option<Vec<Resource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_role_eligibilities: Option<Vec<Resource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_principals: Option<Vec<Resource>>,
    /// Principal id → transitive group ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memberships: Option<BTreeMap<String, Vec<String>>>,
}

/// Azure Resource Manager collections.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Azure {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriptions: Option<Vec<SubscriptionData>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspaces: Option<Vec<WorkspaceData>>,
}

/// One subscription and what was collected under it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionData {
    pub subscription: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_groups: Option<Vec<Resource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_definitions: Option<Vec<Resource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_assignments: Option<Vec<Resource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deny_assignments: Option<Vec<Resource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_eligibilities: Option<Vec<Resource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defender_pricings: Option<Vec<Resource>>,
}

/// One Log Analytics workspace and its Sentinel collections.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceData {
    pub workspace: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onboarding_states: Option<Vec<Resource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_connectors: Option<Vec<Resource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_rules: Option<Vec<Resource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automation_rules: Option<Vec<Resource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Vec<Resource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_packages: Option<Vec<Resource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostic_settings: Option<Vec<Resource>>,
}

/// A request the collector could not complete (DESIGN §2 `errors`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectionError {
    #[serde(default)]
    pub request: String,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// Which collection the failure affected, e.g. `azure.workspaces[<id>].alertRules`.
    #[serde(default)]
    pub target: Option<String>,
}

impl CollectionError {
    /// One line for evidence and messages: `GET /x → 403 AuthorizationFailed`.
    pub fn describe(&self) -> String {
        let mut s = if self.request.is_empty() {
            "request".to_string()
        } else {
            self.request.clone()
        };
        if let Some(st) = self.status {
            s.push_str(&format!(" → {st}"));
        }
        if let Some(c) = &self.code {
            s.push_str(&format!(" {c}"));
        }
        s
    }
}

/// String field of a raw object by dotted path (`properties.scope`).
pub fn str_at<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    value_at(v, path)?.as_str()
}

/// Value of a raw object by dotted path.
pub fn value_at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |cur, key| cur.get(key))
}

/// Escape one JSON Pointer reference token (RFC 6901).
pub fn pointer_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}
