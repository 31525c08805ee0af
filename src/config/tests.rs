//! Unit tests of config parsing and validation (the CLI side is in tests/config.rs).

use super::values::is_guid;
use super::*;

fn rules() -> Vec<Rule> {
    crate::engine::rules::load_embedded().expect("embedded rules")
}

fn problems(text: &str) -> Vec<String> {
    match parse("socready.toml", text, &rules()) {
        Ok(_) => Vec::new(),
        Err(ConfigError::Invalid(p)) => {
            let mut v = vec![p.to_string()];
            v.extend(p.more.iter().map(|m| m.to_string()));
            v
        }
        Err(e) => vec![e.to_string()],
    }
}

#[test]
fn full_config_parses() {
    let text = r#"
fail-on = "high"
target = "sentinel"
operator = "3F2A6A4E-0C1D-4E8B-9A57-2B1F6D0E9C11"
expiry-warning-days = 30

[workspaces]
mode = "multi"
primary = "law-prod"
secondaries = ["law-eu"]

[soc-groups]
"Tier 1" = "11111111-2222-3333-4444-555555555555"

[rules.SOC007]
severity = "high"

[rules.duplicate-incident-rules]
disabled = true
reason = "we accept this"

[[waiver]]
rule = "SOC004"
scope = "*/workspaces/law-eu"
reason = "connector is enabled by the EU team"
owner = "secops@contoso.com"
ticket = "SEC-1"
expires = 2026-12-31

[[waiver]]
rule = "xdr-license"
scope = "tenant"
reason = "licence ordered"
owner = "it"
expires = "2027-01-15"
"#;
    let cfg = parse("socready.toml", text, &rules()).unwrap();
    assert_eq!(cfg.fail_on, Some(FailOn::High));
    assert_eq!(
        cfg.operator.as_deref(),
        Some("3f2a6a4e-0c1d-4e8b-9a57-2b1f6d0e9c11")
    );
    assert_eq!(cfg.secondaries, ["law-eu"]);
    assert_eq!(cfg.waivers.len(), 2);
    assert_eq!(cfg.waivers[1].rule, "SOC001");
    assert_eq!(cfg.waivers[0].location, "socready.toml:22:1");
    let (kept, summary) = cfg.apply_to_rules(rules());
    assert!(kept.iter().all(|r| r.id != "SOC008"));
    assert_eq!(
        kept.iter().find(|r| r.id == "SOC007").unwrap().severity,
        Severity::High
    );
    assert_eq!(summary.disabled_rules[0].reason, "we accept this");
    assert_eq!(summary.severity_overrides[0].from, Severity::Medium);
}

#[test]
fn typos_point_at_the_place() {
    let p = problems("fail-on = \"blocking\"\nfial-on = 1\n");
    assert!(
        p[0].starts_with("socready.toml:2:1: unknown field `fial-on`"),
        "{p:?}"
    );
    let p = problems("[workspaces]\nmode = 3\n");
    assert!(p[0].starts_with("socready.toml:2:8:"), "{p:?}");
    let p = problems("fail-on = \"sometimes\"\n");
    assert!(
        p[0].contains("1:11: fail-on = \"sometimes\" is not one of \"blocking\""),
        "{p:?}"
    );
    let p = problems("expiry-warning-days = -1\n");
    assert!(p[0].starts_with("socready.toml:1:23:"), "{p:?}");
}

#[test]
fn all_semantic_problems_come_out_together() {
    let text = r#"
[rules.SOC099]
severity = "high"

[rules.SOC008]
disabled = true

[[waiver]]
rule = "SOC004"
scope = "x"
reason = ""
owner = "me"
expires = "2026-02-30"

[[waiver]]
rule = "SOC001"
scope = "/subscriptions/x"
reason = "r"
owner = "me"
expires = 2026-12-31T10:00:00
"#;
    let p = problems(text);
    assert_eq!(p.len(), 6, "{p:#?}");
    assert!(
        p[0].starts_with("socready.toml:2:8: unknown rule \"SOC099\""),
        "{p:?}"
    );
    assert!(p[1].contains("disabled without a reason"), "{p:?}");
    assert!(
        p[2].starts_with("socready.toml:11:10: waiver reason is empty"),
        "{p:?}"
    );
    assert!(p[3].contains("not a valid date"), "{p:?}");
    assert!(p[4].contains("evaluated for the tenant"), "{p:?}");
    assert!(p[5].contains("without a time"), "{p:?}");
}

#[test]
fn guid_shape() {
    assert!(is_guid("3f2a6a4e-0c1d-4e8b-9a57-2b1f6d0e9c11"));
    assert!(!is_guid("3f2a6a4e-0c1d-4e8b-9a57-2b1f6d0e9c1"));
    assert!(!is_guid("soc-analysts"));
}
