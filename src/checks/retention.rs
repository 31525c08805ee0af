//! SOC014 `retention`: the workspace keeps data long enough.
//!
//! Judges the workspace resource's `properties.retentionInDays`, the interactive (analytics)
//! retention every table inherits unless it overrides it. Long-term retention is configured per
//! table (`totalRetentionInDays` of the Tables API), which a snapshot does not hold: the check
//! says so in its message, and passes on the workspace-level value alone (see the rule file).

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use crate::engine::context::{Context, ScopeRef};
use crate::engine::registry::{Check, params};
use crate::finding::{Evidence, Outcome};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Minimum `properties.retentionInDays`.
    min_retention_days: u32,
    /// Retention at or above which the workspace default alone already keeps data long term.
    long_term_days: u32,
}

struct Retention(Params);

pub fn prepare(table: &toml::Table) -> Result<Arc<dyn Check>, String> {
    let p: Params = params(table)?;
    if p.min_retention_days == 0 {
        return Err("min_retention_days must be at least 1".into());
    }
    if p.long_term_days < p.min_retention_days {
        return Err("long_term_days must not be below min_retention_days".into());
    }
    Ok(Arc::new(Retention(p)))
}

impl Check for Retention {
    fn evaluate(&self, _cx: &Context<'_>, scope: &ScopeRef<'_>) -> Outcome {
        let ScopeRef::Workspace(ws) = scope else {
            return Outcome::not_applicable("workspace rule");
        };
        let pointer = format!("{}/workspace/properties/retentionInDays", ws.pointer());
        let raw = ws.data.workspace.pointer("/properties/retentionInDays");
        let Some(days) = raw.and_then(Value::as_f64) else {
            let why = match raw {
                None => "the workspace resource has no properties.retentionInDays".to_string(),
                Some(v) => format!("properties.retentionInDays is not a number ({v})"),
            };
            return Outcome::unknown(why);
        };
        let min = f64::from(self.0.min_retention_days);
        let ev = |detail: String| Evidence::new(pointer.clone(), ws.arm_id, detail);
        if days < min {
            return Outcome::fail(format!(
                "the workspace keeps data for {days} days, below the recommended {} days",
                self.0.min_retention_days
            ))
            .with(ev(format!("retentionInDays {days}")));
        }
        let long_term = if days >= f64::from(self.0.long_term_days) {
            format!("{days} days also covers long-term needs at the workspace level")
        } else {
            "long-term (total) retention is set per table and is not in the snapshot: review it for the tables you must keep longer".to_string()
        };
        Outcome::pass(format!(
            "the workspace keeps data interactively for {days} days (at least {}); {long_term}",
            self.0.min_retention_days
        ))
        .with(ev(format!("retentionInDays {days}")))
    }
}
