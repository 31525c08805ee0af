//! Waivers: accepted `fail`/`unknown` findings, applied after evaluation (never inside a check).
//!
//! A waiver names a rule and a scope (an exact resource id, or a pattern where `*` matches any
//! run of characters), says why and who owns it, and expires. While it is in force it turns each
//! matching `fail`/`unknown` finding into `waived`, keeping the original status and evidence, so
//! the finding stops gating. Every waiver also gets a [`WaiverNote`] saying what became of it:
//! `active`, `expiring` (in force, but within the warning window), `expired` (no longer applied)
//! or `stale` (matches no `fail`/`unknown` finding: remove it).

use chrono::NaiveDate;
use serde::Serialize;

use crate::finding::{AppliedWaiver, Finding, Scope, Status};

/// One `[[waiver]]` entry of `socready.toml`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    /// Rule id (`SOC004`).
    pub rule: String,
    /// Scope as written (trimmed): `tenant`, a workspace ARM id, or a pattern with `*`.
    pub scope: String,
    pub reason: String,
    pub owner: String,
    pub ticket: Option<String>,
    /// Last day the waiver is in force (inclusive).
    pub expires: NaiveDate,
    /// Where it is written (`socready.toml:12:1`), for messages.
    pub location: String,
}

impl Waiver {
    /// Whether the waiver's scope covers a finding's scope. Case-insensitive; a trailing `/` is
    /// ignored; `*` matches any run of characters (including `/` and none). A tenant finding
    /// is matched as `tenant` and as `tenant/<tenant id>`.
    pub fn covers(&self, finding: &Finding, tenant_id: &str) -> bool {
        if !finding.rule.eq_ignore_ascii_case(&self.rule) {
            return false;
        }
        let pattern = normalize(&self.scope);
        match &finding.scope {
            Scope::Tenant => {
                glob(&pattern, "tenant")
                    || glob(
                        &pattern,
                        &format!("tenant/{}", tenant_id.to_ascii_lowercase()),
                    )
            }
            Scope::Workspace(id) => glob(&pattern, &normalize(id)),
        }
    }

    /// Whether the scope is a pattern rather than one resource.
    pub fn is_pattern(&self) -> bool {
        self.scope.contains('*')
    }
}

/// Waivers plus the day they are judged on and the warning window.
#[derive(Clone, Debug)]
pub struct WaiverPolicy {
    pub waivers: Vec<Waiver>,
    /// "Today" for expiry decisions (the real date, or `SOCREADY_TODAY` in tests).
    pub today: NaiveDate,
    /// A waiver expiring within this many days (inclusive) is `expiring`.
    pub warning_days: u32,
}

/// Default warning window for waivers about to expire.
pub const DEFAULT_WARNING_DAYS: u32 = 14;

/// What became of one waiver in this scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverState {
    /// In force and waiving at least one finding.
    Active,
    /// In force, waiving at least one finding, and expiring within the warning window.
    Expiring,
    /// Past its `expires` date: not applied; the findings it covered count again.
    Expired,
    /// In force but matching no `fail`/`unknown` finding.
    Stale,
}

impl WaiverState {
    pub fn as_str(self) -> &'static str {
        match self {
            WaiverState::Active => "active",
            WaiverState::Expiring => "expiring",
            WaiverState::Expired => "expired",
            WaiverState::Stale => "stale",
        }
    }
    /// Whether the state deserves a warning (everything but `active`).
    pub fn is_warning(self) -> bool {
        self != WaiverState::Active
    }
}

/// One waiver and what it did, for every report format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaiverNote {
    pub rule: String,
    pub scope: String,
    pub reason: String,
    pub owner: String,
    pub ticket: Option<String>,
    /// `YYYY-MM-DD`.
    pub expires: String,
    pub state: WaiverState,
    /// Days from today to `expires` (negative once expired).
    pub days_left: i64,
    /// Scopes (`tenant` or lower-cased workspace ids) of the findings it waived, or for an
    /// expired waiver, would have waived.
    pub findings: Vec<String>,
    /// Where the waiver is written (`socready.toml:12:1`).
    pub location: String,
    /// One sentence for people.
    pub message: String,
}

/// Applies `policy` to `findings` in place and returns one note per waiver, in file order.
///
/// A finding is waived by the first waiver (in file order) that is in force and covers it; only
/// `fail` and `unknown` findings are waived.
pub fn apply(findings: &mut [Finding], tenant_id: &str, policy: &WaiverPolicy) -> Vec<WaiverNote> {
    let mut matched: Vec<Vec<String>> = vec![Vec::new(); policy.waivers.len()];
    let mut passing: Vec<Vec<String>> = vec![Vec::new(); policy.waivers.len()];
    for f in findings.iter_mut() {
        let open = matches!(f.status, Status::Fail | Status::Unknown);
        let mut waived_by = None;
        for (i, w) in policy.waivers.iter().enumerate() {
            if !w.covers(f, tenant_id) {
                continue;
            }
            if !open {
                passing[i].push(format!("{} is {} at {}", f.rule, f.status, f.scope.key()));
                continue;
            }
            matched[i].push(f.scope.key().to_string());
            if waived_by.is_none() && w.expires >= policy.today {
                waived_by = Some(i);
            }
        }
        if let Some(i) = waived_by {
            let w = &policy.waivers[i];
            f.original_status = Some(f.status);
            f.status = Status::Waived;
            f.waiver = Some(AppliedWaiver {
                reason: w.reason.clone(),
                owner: w.owner.clone(),
                expires: w.expires.format("%Y-%m-%d").to_string(),
                ticket: w.ticket.clone(),
            });
        }
    }
    policy
        .waivers
        .iter()
        .zip(matched)
        .zip(passing)
        .map(|((w, matched), passing)| note(w, matched, &passing, policy))
        .collect()
}

fn note(
    w: &Waiver,
    findings: Vec<String>,
    passing: &[String],
    policy: &WaiverPolicy,
) -> WaiverNote {
    let days_left = (w.expires - policy.today).num_days();
    let n = findings.len();
    let (state, message) = if days_left < 0 {
        let ago = -days_left;
        let tail = if n == 0 {
            "; it also matches no open finding: remove it".to_string()
        } else {
            format!("; the {n} finding(s) it covered count again: fix them or renew the waiver")
        };
        (
            WaiverState::Expired,
            format!("expired {ago} day(s) ago and is no longer applied{tail}"),
        )
    } else if n == 0 {
        let why = if passing.is_empty() {
            "matches no finding".to_string()
        } else {
            format!(
                "matches no fail or unknown finding ({})",
                passing.join("; ")
            )
        };
        (WaiverState::Stale, format!("{why}: remove it"))
    } else if policy.warning_days > 0 && days_left <= i64::from(policy.warning_days) {
        let when = match days_left {
            0 => "expires today".to_string(),
            1 => "expires tomorrow".to_string(),
            d => format!("expires in {d} days"),
        };
        (
            WaiverState::Expiring,
            format!("waives {n} finding(s) but {when}: fix them or renew the waiver"),
        )
    } else {
        (
            WaiverState::Active,
            format!("waives {n} finding(s) for {days_left} more day(s)"),
        )
    };
    WaiverNote {
        rule: w.rule.clone(),
        scope: w.scope.clone(),
        reason: w.reason.clone(),
        owner: w.owner.clone(),
        ticket: w.ticket.clone(),
        expires: w.expires.format("%Y-%m-%d").to_string(),
        state,
        days_left,
        findings,
        location: w.location.clone(),
        message,
    }
}

fn normalize(s: &str) -> String {
    s.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// `*` matches any run of characters (including none); everything else matches literally.
/// Both sides are already lower-cased.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(at) => rest = &rest[at + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Label, Severity};

    fn finding(rule: &str, scope: Scope, status: Status) -> Finding {
        Finding {
            rule: rule.into(),
            scope,
            status,
            original_status: None,
            severity: Severity::High,
            label: Label::Blocking,
            message: "m".into(),
            evidence: Vec::new(),
            fingerprint: "fp".into(),
            waiver: None,
        }
    }

    fn waiver(rule: &str, scope: &str, expires: &str) -> Waiver {
        Waiver {
            rule: rule.into(),
            scope: scope.into(),
            reason: "accepted".into(),
            owner: "secops".into(),
            ticket: None,
            expires: NaiveDate::parse_from_str(expires, "%Y-%m-%d").unwrap(),
            location: "socready.toml:1:1".into(),
        }
    }

    #[test]
    fn glob_matches_runs_including_slashes_and_nothing() {
        assert!(glob("a*c", "abc"));
        assert!(glob("a*c", "ac"));
        assert!(glob(
            "*/workspaces/law-*",
            "/subscriptions/x/workspaces/law-prod"
        ));
        assert!(glob("*", ""));
        assert!(!glob("a*c", "ab"));
        assert!(!glob("ab*ba", "aba"));
        assert!(glob("a*b*c", "a-b-b-c"));
        assert!(!glob("abc", "abcd"));
    }

    #[test]
    fn states_follow_expiry_and_matches() {
        let ws = "/subscriptions/s/resourcegroups/rg/providers/microsoft.operationalinsights/workspaces/law";
        let mut findings = vec![
            finding("SOC004", Scope::Workspace(ws.into()), Status::Fail),
            finding("SOC001", Scope::Tenant, Status::Unknown),
            finding("SOC007", Scope::Workspace(ws.into()), Status::Pass),
            finding("SOC008", Scope::Workspace(ws.into()), Status::Fail),
        ];
        let policy = WaiverPolicy {
            waivers: vec![
                waiver("SOC004", "/SUBSCRIPTIONS/S/*/WORKSPACES/LAW/", "2026-12-31"),
                waiver("SOC001", "tenant/T-1", "2026-11-30"),
                waiver("SOC007", ws, "2026-12-31"),
                waiver("SOC008", ws, "2026-11-24"),
            ],
            today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            warning_days: 14,
        };
        let notes = apply(&mut findings, "t-1", &policy);
        let states: Vec<_> = notes.iter().map(|n| n.state).collect();
        assert_eq!(
            states,
            [
                WaiverState::Active,
                WaiverState::Expiring,
                WaiverState::Stale,
                WaiverState::Expired
            ]
        );
        assert_eq!(findings[0].status, Status::Waived);
        assert_eq!(findings[0].original_status, Some(Status::Fail));
        assert_eq!(findings[1].status, Status::Waived);
        assert_eq!(findings[2].status, Status::Pass);
        assert_eq!(findings[3].status, Status::Fail);
        assert_eq!(notes[1].days_left, 5);
        assert_eq!(notes[3].days_left, -1);
        assert!(notes[2].message.contains("SOC007 is pass"));
    }

    #[test]
    fn expiry_day_is_inclusive() {
        let mut findings = vec![finding("SOC001", Scope::Tenant, Status::Fail)];
        let policy = WaiverPolicy {
            waivers: vec![waiver("SOC001", "tenant", "2026-11-25")],
            today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            warning_days: 0,
        };
        let notes = apply(&mut findings, "t", &policy);
        assert_eq!(findings[0].status, Status::Waived);
        assert_eq!(notes[0].state, WaiverState::Active);
    }
}
