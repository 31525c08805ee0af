//! Every check with each input it reads missing, empty, null and of the wrong type.
//!
//! Starting from `fixtures/rules/SOC0NN/pass.json` (where the rule passes), one JSON-pointer edit
//! at a time replaces an input the check reads: the collection key, or a field inside its objects
//! (`*` in a pointer = every element). Missing, null or wrong-typed input must never read as
//! `pass` (DESIGN §2 "absent ≠ empty"): `unknown`, `fail`, `not_applicable`, no finding at all, or
//! a clean load error are all fine. `[]` means "collected, none exist", which may legitimately pass
//! for some rules (no duplicate rule, no automation rule); the table says which. A check that
//! panics shows up as `unknown` with "internal error", which fails this test too. Every edited
//! snapshot is also rendered in every format, so a renderer panic on odd data fails here as well.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::OnceLock;

use serde_json::{Value, json};
use socready::engine::options::EvalOptions;
use socready::engine::rules::Rule;
use socready::engine::{rules, scan};
use socready::finding::Status;
use socready::report::{Format, SnapshotInfo};

/// One way of breaking an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Edit {
    Missing,
    Empty,
    Null,
    WrongType,
}

const EDITS: [Edit; 4] = [Edit::Missing, Edit::Empty, Edit::Null, Edit::WrongType];

/// The edits after which the rule may still pass.
type Expect = &'static [Edit];

/// Never `pass`, whatever the edit (including `[]`: emptiness does not prove the requirement).
const NOT_PASS: Expect = &[];
/// `[]`/empty means "collected, none exist" and may pass; missing, null or wrong type may not.
const EMPTY_MAY_PASS: Expect = &[Edit::Empty];
/// The field is optional: absent (or null, or empty) has a meaning the contract gives it; only a
/// wrong type must not pass.
const ABSENT_MAY_PASS: Expect = &[Edit::Missing, Edit::Null, Edit::Empty];
/// The input does not decide this fixture's verdict (another input proves it); only "no panic"
/// is asserted. The comment says why.
const ANY: Expect = &EDITS;

const WS: &str = "/azure/workspaces/0";
const SUB: &str = "/azure/subscriptions/0";

/// (rule, pointer, expectation). Pointers are relative to the root unless they start with `~`,
/// which stands for the rule's workspace (`/azure/workspaces/0`), or `$` for its subscription.
#[rustfmt::skip]
const CASES: &[(&str, &str, Expect)] = &[
    // SOC001 xdr-license: subscribed SKUs, their status, units and plans.
    ("SOC001", "/graph/subscribedSkus", NOT_PASS),
    ("SOC001", "/graph/subscribedSkus/*/capabilityStatus", NOT_PASS),
    ("SOC001", "/graph/subscribedSkus/*/prepaidUnits", NOT_PASS),
    ("SOC001", "/graph/subscribedSkus/*/prepaidUnits/enabled", NOT_PASS),
    ("SOC001", "/graph/subscribedSkus/*/servicePlans", NOT_PASS),
    // A plan counts by name *or* id (rule params), so each alone is optional; both gone is not.
    ("SOC001", "/graph/subscribedSkus/*/servicePlans/*/servicePlanName", ANY),
    ("SOC001", "/graph/subscribedSkus/*/servicePlans/*/servicePlanId", ANY),
    ("SOC001", "/graph/subscribedSkus/*/servicePlans/*", NOT_PASS),
    // DESIGN §3.3: any provisioningStatus other than `Disabled` counts.
    ("SOC001", "/graph/subscribedSkus/*/servicePlans/*/provisioningStatus", ANY),
    // SOC002 single-tenant: the workspace's subscription and its tenantId.
    ("SOC002", "/azure/subscriptions", NOT_PASS),
    ("SOC002", "/azure", NOT_PASS),
    ("SOC002", "$/subscription/tenantId", NOT_PASS),
    ("SOC002", "/tenant/id", NOT_PASS),
    ("SOC002", "~/workspace/id", NOT_PASS),
    // SOC003 connected-workspace: the onboarding state and the workspace list.
    ("SOC003", "~/onboardingStates", NOT_PASS),
    ("SOC003", "/azure/workspaces", NOT_PASS),
    ("SOC003", "~/workspace", NOT_PASS),
    // SOC004 xdr-connector: the connector, its kind and both data type states.
    ("SOC004", "~/dataConnectors", NOT_PASS),
    // Not collected onboarding state: SOC003 says unknown; the rules that read Sentinel data
    // judge the data that is there (the state only gates not_applicable when known false).
    ("SOC004", "~/onboardingStates", ANY),
    ("SOC004", "~/dataConnectors/*/kind", NOT_PASS),
    ("SOC004", "~/dataConnectors/*/properties", NOT_PASS),
    ("SOC004", "~/dataConnectors/*/properties/dataTypes", NOT_PASS),
    ("SOC004", "~/dataConnectors/*/properties/dataTypes/incidents/state", NOT_PASS),
    ("SOC004", "~/dataConnectors/*/properties/dataTypes/alerts", NOT_PASS),
    // SOC005 onboard-permission: the directory role assignment that grants it.
    ("SOC005", "/graph/directoryRoleAssignments", NOT_PASS),
    ("SOC005", "/graph/directoryRoleAssignments/*/principalId", NOT_PASS),
    ("SOC005", "/graph/directoryRoleAssignments/*/roleDefinitionId", NOT_PASS),
    ("SOC005", "/graph/directoryRoleAssignments/*/directoryScopeId", NOT_PASS),
    // An active assignment proves the grant without eligibilities (DESIGN §3.7), and the
    // fixture's role ids are template ids, which need no definition lookup.
    ("SOC005", "/graph/directoryRoleEligibilities", ANY),
    ("SOC005", "/graph/directoryRoleDefinitions", ANY),
    // SOC006 connect-permission: role assignments and everything that could remove them.
    ("SOC006", "$/roleAssignments", NOT_PASS),
    ("SOC006", "$/roleAssignments/*/properties", NOT_PASS),
    ("SOC006", "$/roleAssignments/*/properties/principalId", NOT_PASS),
    ("SOC006", "$/roleAssignments/*/properties/roleDefinitionId", NOT_PASS),
    ("SOC006", "$/roleAssignments/*/properties/scope", NOT_PASS),
    ("SOC006", "$/roleAssignments/*/properties/condition", ABSENT_MAY_PASS),
    ("SOC006", "$/denyAssignments", EMPTY_MAY_PASS),
    ("SOC006", "/azure/subscriptions", NOT_PASS),
    // Built-in roles are matched by GUID; eligibilities only add grants; with no deny
    // assignment, group membership cannot remove a direct grant.
    ("SOC006", "$/roleDefinitions", ANY),
    ("SOC006", "$/roleEligibilities", ANY),
    ("SOC006", "/graph/memberships", ANY),
    // SOC007 soc-access: the SOC group's role assignment.
    ("SOC007", "$/roleAssignments", NOT_PASS),
    ("SOC007", "$/roleAssignments/*/properties/principalId", NOT_PASS),
    ("SOC007", "$/roleAssignments/*/properties/roleDefinitionId", NOT_PASS),
    ("SOC007", "$/roleAssignments/*/properties/scope", NOT_PASS),
    ("SOC007", "$/roleAssignments/*/properties/condition", ABSENT_MAY_PASS),
    ("SOC007", "$/denyAssignments", EMPTY_MAY_PASS),
    // SOC008 duplicate-incident-rules: rule 0 is an enabled non-duplicate (Azure Security
    // Center), rule 1 a disabled duplicate (Defender for Endpoint).
    ("SOC008", "~/alertRules", EMPTY_MAY_PASS),
    ("SOC008", "~/alertRules/1/properties/enabled", NOT_PASS),
    ("SOC008", "~/alertRules/0/properties/productFilter", NOT_PASS),
    ("SOC008", "~/alertRules/0/properties", NOT_PASS),
    // Rule 1 is disabled and rule 0 names no duplicate product: neither can become a duplicate
    // through these fields alone.
    ("SOC008", "~/alertRules/1/properties/productFilter", ANY),
    ("SOC008", "~/alertRules/0/properties/enabled", ANY),
    // SOC009 xdr-services and SOC011 entra-id-protection: SKUs and plans.
    ("SOC009", "/graph/subscribedSkus", NOT_PASS),
    ("SOC009", "/graph/subscribedSkus/*/capabilityStatus", NOT_PASS),
    ("SOC009", "/graph/subscribedSkus/*/prepaidUnits/enabled", NOT_PASS),
    ("SOC009", "/graph/subscribedSkus/*/servicePlans", NOT_PASS),
    ("SOC009", "/graph/subscribedSkus/*/servicePlans/*/provisioningStatus", NOT_PASS),
    ("SOC009", "/graph/subscribedSkus/*/servicePlans/*", NOT_PASS),
    ("SOC011", "/graph/subscribedSkus", NOT_PASS),
    ("SOC011", "/graph/subscribedSkus/*/capabilityStatus", NOT_PASS),
    ("SOC011", "/graph/subscribedSkus/*/prepaidUnits", NOT_PASS),
    ("SOC011", "/graph/subscribedSkus/*/servicePlans/*/provisioningStatus", NOT_PASS),
    // SOC010 defender-for-cloud: the pricings of the workspace's subscription.
    ("SOC010", "$/defenderPricings", NOT_PASS),
    ("SOC010", "$/defenderPricings/*/name", NOT_PASS),
    ("SOC010", "$/defenderPricings/*/properties", NOT_PASS),
    ("SOC010", "$/defenderPricings/*/properties/pricingTier", NOT_PASS),
    ("SOC010", "$/defenderPricings/*/properties/deprecated", NOT_PASS),
    ("SOC010", "/azure/subscriptions", NOT_PASS),
    // SOC012 health-and-audit: the Sentinel health diagnostic setting.
    ("SOC012", "~/diagnosticSettings", NOT_PASS),
    ("SOC012", "~/diagnosticSettings/*/id", NOT_PASS),
    ("SOC012", "~/diagnosticSettings/*/properties", NOT_PASS),
    ("SOC012", "~/diagnosticSettings/*/properties/logs", NOT_PASS),
    ("SOC012", "~/diagnosticSettings/*/properties/logs/*/enabled", NOT_PASS),
    ("SOC012", "~/diagnosticSettings/*/properties/logs/*/category", NOT_PASS),
    ("SOC012", "~/diagnosticSettings/*/properties/workspaceId", NOT_PASS),
    // SOC013 ueba: the EntityAnalytics and Ueba settings (found by kind, else by name).
    ("SOC013", "~/settings", NOT_PASS),
    ("SOC013", "~/settings/*/properties", NOT_PASS),
    ("SOC013", "~/settings/2/properties/entityProviders", NOT_PASS),
    ("SOC013", "~/settings/3/properties/dataSources", NOT_PASS),
    ("SOC013", "~/settings/*/kind", ANY),
    ("SOC013", "~/settings/*/name", ANY),
    // SOC014 retention: the workspace resource's retentionInDays.
    ("SOC014", "~/workspace/properties", NOT_PASS),
    ("SOC014", "~/workspace/properties/retentionInDays", NOT_PASS),
    // SOC015 automation-rule-impact: enabled rules and their conditions.
    ("SOC015", "~/automationRules", EMPTY_MAY_PASS),
    ("SOC015", "~/automationRules/*/properties", NOT_PASS),
    ("SOC015", "~/automationRules/*/properties/triggeringLogic", EMPTY_MAY_PASS),
    // A rule without conditions runs on every incident: nothing it matches on changes.
    ("SOC015", "~/automationRules/*/properties/triggeringLogic/conditions", ABSENT_MAY_PASS),
    // Removing every condition leaves `[]` (see above); a broken condition must not pass.
    ("SOC015", "~/automationRules/*/properties/triggeringLogic/conditions/*", &[Edit::Missing]),
    ("SOC015", "~/automationRules/*/properties/triggeringLogic/conditions/*/conditionProperties", NOT_PASS),
    ("SOC015", "~/automationRules/*/properties/triggeringLogic/conditions/*/conditionProperties/propertyName", NOT_PASS),
    // SOC016 connect-side-effects: the two service principals and the rules to deactivate.
    ("SOC016", "/graph/servicePrincipals", NOT_PASS),
    ("SOC016", "/graph/servicePrincipals/*/appId", NOT_PASS),
    ("SOC016", "/graph/servicePrincipals/*/accountEnabled", NOT_PASS),
    ("SOC016", "~/alertRules", EMPTY_MAY_PASS),
    ("SOC016", "~/alertRules/*/kind", ANY),
    // SOC017 security-resource-group: the workspace's resource group, found by name.
    ("SOC017", "$/resourceGroups", NOT_PASS),
    ("SOC017", "$/resourceGroups/*/name", NOT_PASS),
    ("SOC017", "/azure/subscriptions", NOT_PASS),
    // The name `rg-sentinel` already marks the group; the tag is a second marker.
    ("SOC017", "$/resourceGroups/*/tags", ANY),
];

/// Inputs whose value makes a rule fail in a fixture: breaking them must not turn the `fail`
/// into a `pass` either (a deny assignment that cannot be read could still remove the grant).
/// (fixture under `fixtures/`, rule, pointer, expectation).
#[rustfmt::skip]
const FROM_FAIL: &[(&str, &str, &str, Expect)] = &[
    ("scenarios/deny-assignment-blocks-connect", "SOC006", "$/denyAssignments/0/properties", NOT_PASS),
    // No permission block, no action or no principal = a deny that denies nothing.
    ("scenarios/deny-assignment-blocks-connect", "SOC006", "$/denyAssignments/0/properties/permissions", EMPTY_MAY_PASS),
    ("scenarios/deny-assignment-blocks-connect", "SOC006", "$/denyAssignments/0/properties/permissions/*/actions", EMPTY_MAY_PASS),
    ("scenarios/deny-assignment-blocks-connect", "SOC006", "$/denyAssignments/0/properties/principals", EMPTY_MAY_PASS),
    ("scenarios/deny-assignment-blocks-connect", "SOC006", "$/denyAssignments/0/properties/principals/*/id", NOT_PASS),
    ("scenarios/deny-assignment-blocks-connect", "SOC006", "$/denyAssignments/0/properties/scope", NOT_PASS),
    ("scenarios/deny-assignment-blocks-connect", "SOC006", "$/denyAssignments/0/properties/excludePrincipals", NOT_PASS),
    ("scenarios/deny-assignment-blocks-connect", "SOC006", "/graph/memberships", NOT_PASS),
    ("rules/SOC002/fail", "SOC002", "$/subscription/tenantId", NOT_PASS),
    ("rules/SOC004/fail", "SOC004", "~/dataConnectors/*/properties/dataTypes/incidents/state", NOT_PASS),
    ("rules/SOC008/fail", "SOC008", "~/alertRules/*/properties/enabled", NOT_PASS),
    ("rules/SOC008/fail", "SOC008", "~/alertRules/*/properties/productFilter", NOT_PASS),
    ("rules/SOC008/fail", "SOC008", "~/alertRules/*/kind", NOT_PASS),
    ("rules/SOC015/fail", "SOC015", "~/automationRules/*/properties/triggeringLogic/conditions/*/conditionProperties/propertyName", NOT_PASS),
];

fn pass_fixture(rule: &str) -> Value {
    fixture(&format!("rules/{rule}/pass"))
}

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// The value an edit puts in place of `old`; `None` when the edit does not apply to its type.
fn replacement(old: &Value, edit: Edit) -> Option<Value> {
    match edit {
        Edit::Missing => None,
        Edit::Null => Some(Value::Null),
        Edit::Empty => match old {
            Value::Array(_) => Some(json!([])),
            Value::Object(_) => Some(json!({})),
            Value::String(_) => Some(json!("")),
            _ => None,
        },
        Edit::WrongType => Some(match old {
            Value::Array(_) => json!("not an array"),
            Value::Object(_) => json!(["not", "an", "object"]),
            Value::String(_) => json!({"not": "a string"}),
            Value::Bool(_) => json!(1),
            Value::Number(_) => json!("42"),
            Value::Null => json!(true),
        }),
    }
}

/// Applies `edit` at a JSON Pointer whose tokens may be `*` (every element). Returns how many
/// places were edited.
fn apply(v: &mut Value, tokens: &[&str], edit: Edit) -> usize {
    let Some((head, rest)) = tokens.split_first() else {
        return 0;
    };
    let keys: Vec<String> = match v {
        Value::Object(o) => o.keys().cloned().collect(),
        Value::Array(a) => (0..a.len()).map(|i| i.to_string()).collect(),
        _ => return 0,
    };
    let keys = keys.into_iter().filter(|k| *head == "*" || k == head);
    let mut n = 0;
    // In reverse, so removing array elements keeps the earlier indexes valid.
    for k in keys.rev() {
        let index = k.parse::<usize>().unwrap_or_default();
        if rest.is_empty() && edit == Edit::Missing {
            match v {
                Value::Array(a) => drop(a.remove(index)),
                Value::Object(o) => drop(o.remove(&k)),
                _ => {}
            }
            n += 1;
            continue;
        }
        let slot = if v.is_array() {
            &mut v[index]
        } else {
            &mut v[k.as_str()]
        };
        if !rest.is_empty() {
            n += apply(slot, rest, edit);
        } else if let Some(r) = replacement(slot, edit) {
            *slot = r;
            n += 1;
        }
    }
    n
}

fn expand(pointer: &str) -> String {
    if let Some(rest) = pointer.strip_prefix('~') {
        format!("{WS}{rest}")
    } else if let Some(rest) = pointer.strip_prefix('$') {
        format!("{SUB}{rest}")
    } else {
        pointer.to_string()
    }
}

/// Statuses (with messages) of `rule` after scanning `snap`, or `None` when the snapshot no
/// longer loads or its scopes cannot be planned (both clean errors). Renders every format.
fn evaluate(rule: &str, snap: &Value) -> Option<Vec<(Status, String)>> {
    let snapshot = socready::snapshot::load_str("edited.json", &snap.to_string()).ok()?;
    let info = SnapshotInfo {
        tenant_id: snapshot.tenant.id.clone(),
        ..Default::default()
    };
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    let rules = RULES.get_or_init(|| rules::load_embedded().expect("embedded rules load"));
    let report = scan(&snapshot, info, rules.clone(), &EvalOptions::default()).ok()?;
    for format in [
        Format::Table,
        Format::Json,
        Format::Sarif,
        Format::Html,
        Format::Junit,
        Format::Markdown,
    ] {
        let mut out = Vec::new();
        format.render(&report, &mut out).expect("render to memory");
    }
    Some(
        report
            .findings
            .iter()
            .filter(|f| f.rule == rule)
            .map(|f| (f.status, f.message.clone()))
            .collect(),
    )
}

#[test]
fn pass_fixtures_pass() {
    let mut rules: Vec<&str> = CASES.iter().map(|c| c.0).collect();
    rules.sort_unstable();
    rules.dedup();
    assert_eq!(rules.len(), 17, "every rule SOC001…SOC017 has cases");
    for rule in rules {
        let got = evaluate(rule, &pass_fixture(rule)).expect("pass fixture loads");
        assert!(
            !got.is_empty() && got.iter().all(|(s, _)| *s == Status::Pass),
            "{rule}: {got:?}"
        );
    }
}

#[test]
fn missing_empty_null_or_wrong_typed_input_never_passes() {
    let from_pass = CASES
        .iter()
        .map(|&(r, p, e)| (format!("rules/{r}/pass"), r, p, e));
    let from_fail = FROM_FAIL
        .iter()
        .map(|&(f, r, p, e)| (f.to_string(), r, p, e));
    let (mut problems, mut evaluated) = (String::new(), 0);
    for (name, rule, pointer, expect) in from_pass.chain(from_fail) {
        let base = fixture(&name);
        let pointer = expand(pointer);
        let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
        for edit in EDITS {
            let mut snap = base.clone();
            if apply(&mut snap, &tokens, edit) == 0 {
                // Empty has no meaning for numbers and booleans; anything else is a table typo.
                if edit != Edit::Empty {
                    let _ = writeln!(problems, "{name} {pointer}: nothing to edit ({edit:?})");
                }
                continue;
            }
            evaluated += 1;
            let Some(findings) = evaluate(rule, &snap) else {
                continue;
            };
            for (status, message) in findings {
                let at = format!("{name} {rule} {pointer} {edit:?}");
                if message.contains("internal error") {
                    let _ = writeln!(problems, "{at}: panic: {message}");
                }
                if status == Status::Pass && !expect.contains(&edit) {
                    let _ = writeln!(problems, "{at}: pass: {message}");
                }
            }
        }
    }
    assert!(evaluated > 350, "only {evaluated} edits evaluated");
    assert!(problems.is_empty(), "\n{problems}");
}

#[test]
fn pointer_edits_apply_where_they_say() {
    let mut v = json!({"a": [{"b": 1, "c": "x"}, {"b": 2}], "d": {"e": [1]}});
    assert_eq!(apply(&mut v, &["a", "*", "b"], Edit::Missing), 2);
    assert_eq!(v, json!({"a": [{"c": "x"}, {}], "d": {"e": [1]}}));
    assert_eq!(apply(&mut v, &["a", "0", "c"], Edit::WrongType), 1);
    assert_eq!(v["a"][0]["c"], json!({"not": "a string"}));
    assert_eq!(apply(&mut v, &["d", "e"], Edit::Empty), 1);
    assert_eq!(v["d"]["e"], json!([]));
    assert_eq!(apply(&mut v, &["d", "nope"], Edit::Null), 0);
    assert_eq!(apply(&mut v, &["a", "*"], Edit::Missing), 2);
    assert_eq!(v["a"], json!([]));
}

/// SOC015 reads compound conditions (Boolean, PropertyArray, PropertyArrayChanged) that name no
/// property of their own; they stay readable, while an unreadable leaf makes the rule unknown.
#[test]
#[rustfmt::skip]
fn automation_rule_conditions_without_a_property_name() {
    let leaf = |name: Value| json!({"conditionType": "Property", "conditionProperties": {"propertyName": name, "operator": "Equals", "propertyValues": ["High"]}});
    let compound = |kind: &str, props: Value| json!([{"conditionType": kind, "conditionProperties": props}]);
    let cases = [
        (compound("Boolean", json!({"operator": "Or", "innerConditions": [leaf(json!("IncidentSeverity"))]})), Status::Pass),
        (compound("PropertyArray", json!({"arrayType": "IncidentLabels", "itemConditions": [leaf(json!("IncidentLabel"))]})), Status::Pass),
        (compound("PropertyArrayChanged", json!({"arrayType": "Alerts", "changeType": "Added"})), Status::Pass),
        (compound("Boolean", json!({"operator": "And", "innerConditions": [leaf(json!(42))]})), Status::Unknown),
        (compound("Boolean", json!({"operator": "And", "innerConditions": "x"})), Status::Unknown),
        (json!([leaf(json!(7)), leaf(json!("IncidentTitle"))]), Status::Fail),
    ];
    for (conditions, want) in cases {
        let mut snap = pass_fixture("SOC015");
        snap["azure"]["workspaces"][0]["automationRules"][0]["properties"]["triggeringLogic"]["conditions"] = conditions.clone();
        let got = evaluate("SOC015", &snap).expect("loads");
        assert!(got.len() == 1 && got[0].0 == want, "{conditions}: want {want:?}, got {got:?}");
    }
}
