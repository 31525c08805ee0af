//! Tiny `socready.snapshot/v1` tenants for the RBAC corpus and property tests: one tenant, one
//! subscription, two resource groups, one Sentinel workspace (plus a sibling workspace id used
//! only as a scope), built from a list of facts and scanned with the real rule set.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{Value, json};
use socready::engine::options::EvalOptions;
use socready::engine::rules::{self, Rule};
use socready::engine::scan;
use socready::finding::{Finding, Status};
use socready::report::SnapshotInfo;

pub const TENANT: &str = "11111111-1111-1111-1111-111111111111";
pub const SUB: &str = "22222222-2222-2222-2222-2222222222ab";
pub const EVERYONE: &str = "00000000-0000-0000-0000-000000000000";

// Principals: users U, V; groups G1, G2, G3.
pub const U: &str = "a0000000-0000-0000-0000-000000000001";
pub const V: &str = "a0000000-0000-0000-0000-000000000002";
pub const G1: &str = "b0000000-0000-0000-0000-000000000001";
pub const G2: &str = "b0000000-0000-0000-0000-000000000002";
pub const G3: &str = "b0000000-0000-0000-0000-000000000003";

// Azure built-in roles (GUIDs as in rules/data/azure-builtin-roles.json).
pub const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
pub const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
pub const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
pub const UAA: &str = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
pub const RBAC_ADMIN: &str = "f58310d9-a9f6-439a-9e8d-f62e7b41a168";
pub const SENT_CONTRIB: &str = "ab8e14d6-4a74-4a29-9ba8-549422addade";
pub const SENT_READER: &str = "8d289c81-5878-46d4-8554-54e1e3d8b5cb";
pub const SENT_RESPONDER: &str = "3e150937-b8fe-4cfb-8069-0eaf05ecd056";

// Custom Azure roles.
pub const C1: &str = "c0000000-0000-0000-0000-000000000001";
pub const C2: &str = "c0000000-0000-0000-0000-000000000002";
pub const C3: &str = "c0000000-0000-0000-0000-000000000003";

// Entra role templates.
pub const GA: &str = "62e90394-69f5-4237-9190-012177145e10";
pub const SEC_ADMIN: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
pub const SEC_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
pub const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";

/// The documented connect actions.
pub const RA_WRITE: &str = "Microsoft.Authorization/roleAssignments/write";
pub const ONBOARD_WRITE: &str = "Microsoft.SecurityInsights/onboardingStates/write";
pub const DC_WRITE: &str = "Microsoft.SecurityInsights/dataConnectors/write";

pub fn sub() -> String {
    format!("/subscriptions/{SUB}")
}
pub fn rg() -> String {
    format!("{}/resourceGroups/rg-sec", sub())
}
pub fn rg_other() -> String {
    format!("{}/resourceGroups/rg-other", sub())
}
pub fn ws() -> String {
    format!(
        "{}/providers/Microsoft.OperationalInsights/workspaces/ws-sec",
        rg()
    )
}
pub fn ws_other() -> String {
    format!(
        "{}/providers/Microsoft.OperationalInsights/workspaces/ws-other",
        rg()
    )
}
pub fn mg() -> String {
    "/providers/Microsoft.Management/managementGroups/contoso".to_string()
}

/// One statement about the tenant.
#[derive(Clone, Debug)]
pub enum Fact {
    /// Role assignment: principal, role GUID, scope, ABAC condition.
    Assign(String, String, String, Option<String>),
    /// PIM eligibility: principal, role GUID, scope.
    Eligible(String, String, String),
    /// Custom role definition: GUID and its `permissions` blocks.
    Role(String, Value),
    /// Deny assignment `properties` (scope, permissions, principals, ...).
    Deny(Value),
    /// Transitive group membership of a principal (overrides the default empty entry).
    Member(String, Vec<String>),
    /// Entra directory role assignment: principal, role definition id, directory scope.
    DirAssign(String, String, String),
    /// Entra directory role eligibility: principal, role definition id, directory scope.
    DirEligible(String, String, String),
    /// Entra directory role definition: id and templateId.
    DirDef(String, String),
    /// Drop a collection (JSON Pointer of the key to remove): *not collected*.
    Drop(String),
    /// An `errors` entry with this target: the collection is partial (or failed).
    Error(String),
    /// Remove a built-in role definition from the snapshot's `roleDefinitions`.
    NoDef(String),
    /// `--operator`.
    Operator(String),
    /// A named SOC group (config `soc_groups`).
    SocGroup(String, String),
}

pub fn assign(p: &str, role: &str, scope: &str) -> Fact {
    Fact::Assign(p.into(), role.into(), scope.into(), None)
}
pub fn assign_if(p: &str, role: &str, scope: &str, condition: &str) -> Fact {
    Fact::Assign(p.into(), role.into(), scope.into(), Some(condition.into()))
}
pub fn eligible(p: &str, role: &str, scope: &str) -> Fact {
    Fact::Eligible(p.into(), role.into(), scope.into())
}
/// A custom role with one block of `actions` (no notActions).
pub fn role(guid: &str, actions: &[&str]) -> Fact {
    Fact::Role(guid.into(), json!([{ "actions": actions }]))
}
/// A custom role with one block of `actions` and `notActions`.
pub fn role_not(guid: &str, actions: &[&str], not_actions: &[&str]) -> Fact {
    Fact::Role(
        guid.into(),
        json!([{ "actions": actions, "notActions": not_actions }]),
    )
}
pub fn role_blocks(guid: &str, blocks: Value) -> Fact {
    Fact::Role(guid.into(), blocks)
}
/// A deny assignment of `actions` to `principals` at `scope`.
pub fn deny(scope: &str, actions: &[&str], principals: &[&str]) -> Fact {
    Fact::Deny(json!({
        "scope": scope,
        "permissions": [{ "actions": actions }],
        "principals": principals.iter().map(|p| json!({ "id": p })).collect::<Vec<_>>(),
    }))
}
/// A deny assignment with every field given.
pub fn deny_full(
    scope: &str,
    permissions: Value,
    principals: &[&str],
    exclude: &[&str],
    no_children: bool,
) -> Fact {
    Fact::Deny(json!({
        "scope": scope,
        "permissions": permissions,
        "principals": principals.iter().map(|p| json!({ "id": p })).collect::<Vec<_>>(),
        "excludePrincipals": exclude.iter().map(|p| json!({ "id": p, "type": "Group" })).collect::<Vec<_>>(),
        "doNotApplyToChildScopes": no_children,
    }))
}
pub fn member(p: &str, groups: &[&str]) -> Fact {
    Fact::Member(p.into(), groups.iter().map(|g| g.to_string()).collect())
}
pub fn dir_assign(p: &str, role: &str, scope: &str) -> Fact {
    Fact::DirAssign(p.into(), role.into(), scope.into())
}
pub fn dir_eligible(p: &str, role: &str, scope: &str) -> Fact {
    Fact::DirEligible(p.into(), role.into(), scope.into())
}
pub fn dir_def(id: &str, template: &str) -> Fact {
    Fact::DirDef(id.into(), template.into())
}
pub fn drop(pointer: &str) -> Fact {
    Fact::Drop(pointer.into())
}
/// Marks `azure.subscriptions[SUB].<key>` (or any other target) as broken.
pub fn error(target: &str) -> Fact {
    Fact::Error(target.into())
}
pub fn sub_error(key: &str) -> Fact {
    Fact::Error(format!("azure.subscriptions[{SUB}].{key}"))
}
pub fn no_def(guid: &str) -> Fact {
    Fact::NoDef(guid.into())
}
pub fn operator(p: &str) -> Fact {
    Fact::Operator(p.into())
}
pub fn soc_group(name: &str, id: &str) -> Fact {
    Fact::SocGroup(name.into(), id.into())
}

fn builtin_defs() -> Vec<Value> {
    let raw: Vec<Value> = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rules/data/azure-builtin-roles.json"
    )))
    .expect("built-in roles");
    raw.into_iter()
        .map(|mut r| {
            let guid = r["name"].as_str().unwrap_or_default().to_string();
            r["id"] = json!(format!(
                "/providers/Microsoft.Authorization/roleDefinitions/{guid}"
            ));
            r
        })
        .collect()
}

fn entra_defs() -> Vec<Value> {
    [
        (GA, "Global Administrator"),
        (SEC_ADMIN, "Security Administrator"),
        (SEC_READER, "Security Reader"),
        (GLOBAL_READER, "Global Reader"),
    ]
    .iter()
    .map(|(id, name)| json!({ "id": id, "templateId": id, "displayName": name, "isBuiltIn": true }))
    .collect()
}

fn role_def_id(guid: &str) -> String {
    format!(
        "{}/providers/Microsoft.Authorization/roleDefinitions/{guid}",
        sub()
    )
}

/// Builds the snapshot JSON and the evaluation options for a list of facts.
pub fn build(facts: &[Fact]) -> (Value, EvalOptions) {
    let mut defs = builtin_defs();
    let (mut ras, mut res, mut das) = (vec![], vec![], vec![]);
    let (mut dras, mut dres, mut ddefs) = (vec![], vec![], entra_defs());
    let mut members: BTreeMap<String, Value> = BTreeMap::new();
    let mut explicit: BTreeMap<String, Value> = BTreeMap::new();
    let mut errors = vec![];
    let mut drops = vec![];
    let mut opts = EvalOptions::default();
    let seen = |p: &str, m: &mut BTreeMap<String, Value>| {
        m.entry(p.to_string()).or_insert_with(|| json!([]));
    };
    for (i, f) in facts.iter().enumerate() {
        match f {
            Fact::Assign(p, r, s, _) | Fact::Eligible(p, r, s) => {
                seen(p, &mut members);
                let is_elig = matches!(f, Fact::Eligible(..));
                let kind = if is_elig {
                    "roleEligibilityScheduleInstances"
                } else {
                    "roleAssignments"
                };
                let mut props = json!({
                    "roleDefinitionId": role_def_id(r),
                    "principalId": p,
                    "principalType": if p.starts_with(['b', 'B']) { "Group" } else { "User" },
                    "scope": s,
                });
                if let Fact::Assign(_, _, _, Some(c)) = f {
                    props["condition"] = json!(c);
                    props["conditionVersion"] = json!("2.0");
                }
                let a = json!({
                    "id": format!("{}/providers/Microsoft.Authorization/{kind}/x{i}", s.trim_end_matches('/')),
                    "name": format!("x{i}"),
                    "properties": props,
                });
                if is_elig { res.push(a) } else { ras.push(a) }
            }
            Fact::Role(g, blocks) => defs.push(json!({
                "id": role_def_id(g),
                "name": g,
                "type": "Microsoft.Authorization/roleDefinitions",
                "properties": {
                    "roleName": format!("custom {g}"),
                    "type": "CustomRole",
                    "permissions": blocks,
                    "assignableScopes": [sub()],
                },
            })),
            Fact::Deny(props) => {
                let mut props = props.clone();
                for key in ["principals", "excludePrincipals"] {
                    for p in props[key].as_array().cloned().unwrap_or_default() {
                        if let Some(id) = p["id"].as_str()
                            && id != EVERYONE
                        {
                            seen(id, &mut members);
                        }
                    }
                }
                props["denyAssignmentName"] = json!(format!("deny {i}"));
                let scope = props["scope"]
                    .as_str()
                    .unwrap_or("/")
                    .trim_end_matches('/')
                    .to_string();
                das.push(json!({
                    "id": format!("{scope}/providers/Microsoft.Authorization/denyAssignments/d{i}"),
                    "name": format!("d{i}"),
                    "properties": props,
                }));
            }
            Fact::Member(p, gs) => {
                explicit.insert(p.clone(), json!(gs));
            }
            Fact::DirAssign(p, r, s) | Fact::DirEligible(p, r, s) => {
                seen(p, &mut members);
                let a = json!({
                    "id": format!("dir{i}"),
                    "principalId": p,
                    "roleDefinitionId": r,
                    "directoryScopeId": s,
                });
                if matches!(f, Fact::DirAssign(..)) {
                    dras.push(a)
                } else {
                    dres.push(a)
                }
            }
            Fact::DirDef(id, t) => {
                ddefs.push(json!({ "id": id, "templateId": t, "isBuiltIn": false }))
            }
            Fact::Drop(p) => drops.push(p.clone()),
            Fact::Error(t) => errors.push(json!({
                "request": "GET /broken",
                "status": 500,
                "code": "InternalServerError",
                "message": "listing failed part-way",
                "target": t,
            })),
            Fact::NoDef(g) => defs.retain(|d| {
                !d["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(g))
            }),
            Fact::Operator(p) => {
                seen(p, &mut members);
                opts.operator = Some(p.clone());
            }
            Fact::SocGroup(n, id) => {
                seen(id, &mut members);
                opts.soc_groups.push((n.clone(), id.clone()));
            }
        }
    }
    members.extend(explicit);
    let ws_id = ws();
    let mut snap = json!({
        "schema": "socready.snapshot/v1",
        "collectedAt": "2026-11-24T10:00:00Z",
        "tenant": { "id": TENANT },
        "graph": {
            "directoryRoleDefinitions": ddefs,
            "directoryRoleAssignments": dras,
            "directoryRoleEligibilities": dres,
            "memberships": members,
        },
        "azure": {
            "subscriptions": [{
                "subscription": {
                    "id": sub(), "subscriptionId": SUB, "tenantId": TENANT,
                    "state": "Enabled", "displayName": "security",
                },
                "resourceGroups": [
                    { "id": rg(), "name": "rg-sec", "location": "westeurope" },
                    { "id": rg_other(), "name": "rg-other", "location": "westeurope" },
                ],
                "roleDefinitions": defs,
                "roleAssignments": ras,
                "roleEligibilities": res,
                "denyAssignments": das,
            }],
            "workspaces": [{
                "workspace": {
                    "id": ws_id, "name": "ws-sec", "location": "westeurope",
                    "type": "Microsoft.OperationalInsights/workspaces",
                    "properties": { "retentionInDays": 90 },
                },
                "onboardingStates": [{
                    "id": format!("{ws_id}/providers/Microsoft.SecurityInsights/onboardingStates/default"),
                    "name": "default",
                    "properties": {},
                }],
            }],
        },
        "errors": errors,
    });
    for p in drops {
        let (parent, key) = p.rsplit_once('/').expect("pointer");
        if let Some(Value::Object(o)) = snap.pointer_mut(parent) {
            o.remove(key);
        }
    }
    (snap, opts)
}

/// The embedded permission rules (SOC005–SOC007), parsed once.
fn permission_rules() -> Vec<Rule> {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES
        .get_or_init(|| {
            let all = rules::load_embedded().expect("embedded rules");
            let keep: Vec<Rule> = all
                .into_iter()
                .filter(|r| ["SOC005", "SOC006", "SOC007"].contains(&r.id.as_str()))
                .collect();
            assert_eq!(keep.len(), 3, "SOC005, SOC006 and SOC007 are embedded");
            keep
        })
        .clone()
}

/// Scans a snapshot with the embedded permission rules.
pub fn scan_json(snap: &Value, opts: &EvalOptions) -> Vec<Finding> {
    let snapshot =
        socready::snapshot::load_str("corpus.json", &snap.to_string()).expect("snapshot loads");
    let rules = permission_rules();
    let info = SnapshotInfo {
        tenant_id: TENANT.to_string(),
        ..Default::default()
    };
    scan(&snapshot, info, rules, opts).expect("scan").findings
}

/// The finding of `rule` (one scope: the tenant or the single workspace).
pub fn finding<'a>(findings: &'a [Finding], rule: &str) -> &'a Finding {
    let mut it = findings.iter().filter(|f| f.rule == rule);
    let f = it.next().unwrap_or_else(|| panic!("no {rule} finding"));
    assert!(it.next().is_none(), "one {rule} finding expected");
    f
}

/// The status SOC007 gives one task, read from its message (`<task>: <status> — ...`).
pub fn task_status<'a>(message: &'a str, task: &str) -> Option<&'a str> {
    let at = message.find(&format!("{task}: "))? + task.len() + 2;
    message[at..].split_whitespace().next()
}

/// Status of the three permission rules and the SOC007 task statuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub soc005: Status,
    pub soc006: Status,
    pub soc007: Status,
    pub tasks: Vec<String>,
}

pub const TASKS: [&str; 3] = [
    "view the workspace",
    "query incidents",
    "investigate incidents",
];

pub fn outcome(findings: &[Finding]) -> Outcome {
    let soc007 = finding(findings, "SOC007");
    Outcome {
        soc005: finding(findings, "SOC005").status,
        soc006: finding(findings, "SOC006").status,
        soc007: soc007.status,
        tasks: TASKS
            .iter()
            .map(|t| task_status(&soc007.message, t).unwrap_or("?").to_string())
            .collect(),
    }
}
