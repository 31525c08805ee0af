//! Small lookups shared by the deployment-guidance and impact checks (SOC009–SOC017): the
//! subscription a workspace lives in, whether a subscribed SKU is in force, readable names.
//!
//! Like every check helper, these only read the indexed snapshot; a lookup that cannot be
//! answered returns the `unknown` outcome to give, never a guess.

use serde_json::Value;

use crate::engine::context::{Context, SubscriptionView, WorkspaceView};
use crate::finding::Outcome;

/// The workspace's subscription, or the `unknown` outcome explaining why it is not available.
pub(crate) fn workspace_subscription<'c>(
    cx: &Context<'c>,
    ws: &WorkspaceView<'_>,
) -> Result<&'c SubscriptionView<'c>, Outcome> {
    if let Some(sub) = cx.index.subscription(&ws.subscription_id) {
        return Ok(sub);
    }
    let collected = cx
        .index
        .snapshot
        .azure
        .as_ref()
        .is_some_and(|a| a.subscriptions.is_some());
    let why = if collected {
        format!(
            "subscription {} of this workspace is not in the snapshot",
            ws.subscription_id
        )
    } else {
        let mut s = "subscriptions (azure.subscriptions) were not collected".to_string();
        if let Some(e) = cx.index.errors_for("azure.subscriptions").first() {
            s.push_str(&format!(" ({})", e.describe()));
        }
        s
    };
    Err(Outcome::unknown(why))
}

/// Whether a subscribed SKU is in force, judged as for SOC001 (DESIGN §3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SkuState {
    /// `Enabled` with enabled units, or `Warning` (grace period) with enabled + warning units.
    InForce { grace: bool },
    /// Present but not usable: suspended, deleted, or no units.
    Lapsed(String),
    /// `capabilityStatus` or `prepaidUnits.enabled` is missing or of the wrong type.
    Unreadable,
}

pub(crate) fn sku_state(sku: &Value) -> SkuState {
    let status = sku.get("capabilityStatus").and_then(Value::as_str);
    let units = |k: &str| {
        sku.pointer(&format!("/prepaidUnits/{k}"))
            .and_then(Value::as_f64)
    };
    let (Some(status), Some(enabled)) = (status, units("enabled")) else {
        return SkuState::Unreadable;
    };
    let warning = units("warning").unwrap_or(0.0);
    if status.eq_ignore_ascii_case("Enabled") && enabled > 0.0 {
        SkuState::InForce { grace: false }
    } else if status.eq_ignore_ascii_case("Warning") && enabled + warning > 0.0 {
        SkuState::InForce { grace: true }
    } else if status.eq_ignore_ascii_case("Enabled") || status.eq_ignore_ascii_case("Warning") {
        SkuState::Lapsed(format!("{status} but without units"))
    } else {
        SkuState::Lapsed(format!("capabilityStatus {status}"))
    }
}

/// `properties.displayName`, else `name`, else a placeholder.
pub(crate) fn display_name(v: &Value) -> &str {
    v.pointer("/properties/displayName")
        .and_then(Value::as_str)
        .or_else(|| v.get("name").and_then(Value::as_str))
        .unwrap_or("(unnamed)")
}

/// `id`, else `fallback`: the resource an evidence entry names.
pub(crate) fn resource_id(v: &Value, fallback: &str) -> String {
    v.get("id")
        .and_then(Value::as_str)
        .unwrap_or(fallback)
        .to_string()
}

/// `a, b and c` (at most `max` names, then "and N more").
pub(crate) fn list(names: &[String], max: usize) -> String {
    let mut shown: Vec<String> = names.iter().take(max).cloned().collect();
    if names.len() > max {
        shown.push(format!("{} more", names.len() - max));
    }
    match shown.len() {
        0 => String::new(),
        1 => shown.remove(0),
        n => {
            let last = shown.remove(n - 1);
            format!("{} and {last}", shown.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sku_states_follow_soc001() {
        let sku = |status: &str, enabled: i64, warning: i64| json!({"capabilityStatus": status, "prepaidUnits": {"enabled": enabled, "warning": warning}});
        assert_eq!(
            sku_state(&sku("Enabled", 5, 0)),
            SkuState::InForce { grace: false }
        );
        assert_eq!(
            sku_state(&sku("Warning", 0, 5)),
            SkuState::InForce { grace: true }
        );
        assert!(matches!(
            sku_state(&sku("Enabled", 0, 0)),
            SkuState::Lapsed(_)
        ));
        assert!(matches!(
            sku_state(&sku("Suspended", 5, 0)),
            SkuState::Lapsed(_)
        ));
        assert_eq!(
            sku_state(&json!({"capabilityStatus": "Enabled"})),
            SkuState::Unreadable
        );
    }

    #[test]
    fn lists_read_naturally() {
        let v = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(list(&v(&["a"]), 3), "a");
        assert_eq!(list(&v(&["a", "b", "c"]), 3), "a, b and c");
        assert_eq!(list(&v(&["a", "b", "c", "d"]), 2), "a, b and 2 more");
    }
}
