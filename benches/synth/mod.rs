//! Deterministic synthetic large tenant for benchmarks (issue 9).
//!
//! At scale 1: 10 subscriptions, 50 workspaces, 100 alert rules per workspace (mixed kinds,
//! incident creation rules among them), 100,000 role assignments at management-group,
//! subscription, resource-group, resource and workspace scopes, 200 role definitions (built-ins
//! plus custom roles with wildcards and notActions), 20,000 group memberships. Some workspaces
//! pass every rule and some fail each, so every check does real work. Same scale → same bytes.

#![allow(dead_code)]

use serde_json::{Value, json};

/// xorshift64*: deterministic and dependency-free.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A GUID-shaped id derived from a label and a number.
pub fn guid(kind: u32, n: u64) -> String {
    let h =
        n.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ u64::from(kind).wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (h >> 32) as u32,
        (h >> 16) as u16,
        (h >> 4) & 0xfff,
        (kind as u64 ^ n) & 0xfff,
        n & 0xffff_ffff_ffff
    )
}

const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const UAA: &str = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
const SENTINEL_CONTRIBUTOR: &str = "ab8e14d6-4a74-4a29-9ba8-549422addade";
const SENTINEL_READER: &str = "8d289c81-5878-46d4-8554-54e1e3d8b5cb";
const SENTINEL_RESPONDER: &str = "3e150937-b8fe-4cfb-8069-0eaf05ecd056";
const BUILTINS: &[&str] = &[
    OWNER,
    CONTRIBUTOR,
    READER,
    UAA,
    SENTINEL_CONTRIBUTOR,
    SENTINEL_READER,
    SENTINEL_RESPONDER,
];

const PRODUCTS: &[&str] = &[
    "Microsoft Defender Advanced Threat Protection",
    "Azure Advanced Threat Protection",
    "Office 365 Advanced Threat Protection",
    "Microsoft Cloud App Security",
    "Azure Active Directory Identity Protection",
    "Azure Security Center",
    "Azure Security Center for IoT",
];

const ACTION_POOL: &[&str] = &[
    "Microsoft.SecurityInsights/*",
    "Microsoft.SecurityInsights/*/read",
    "Microsoft.SecurityInsights/incidents/*",
    "Microsoft.OperationalInsights/workspaces/*/read",
    "Microsoft.OperationalInsights/workspaces/read",
    "Microsoft.OperationalInsights/workspaces/query/read",
    "Microsoft.Authorization/*/read",
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Insights/*",
    "*/read",
    "Microsoft.Support/*",
];

/// Sizes at scale 1, multiplied by `scale`.
pub struct Sizes {
    pub subscriptions: usize,
    pub workspaces_per_sub: usize,
    pub alert_rules_per_ws: usize,
    pub role_assignments: usize,
    pub custom_roles: usize,
    pub principals: usize,
    pub groups: usize,
    pub memberships: usize,
}

impl Sizes {
    pub fn at(scale: f64) -> Self {
        let s = |n: f64| ((n * scale).round() as usize).max(1);
        Sizes {
            subscriptions: s(10.0),
            workspaces_per_sub: 5,
            alert_rules_per_ws: 100,
            role_assignments: s(100_000.0),
            custom_roles: 200 - BUILTINS.len(),
            principals: s(30_000.0),
            groups: s(500.0),
            memberships: s(20_000.0),
        }
    }
}

pub fn tenant_id() -> String {
    guid(1, 1)
}

/// Generates the snapshot as a JSON value.
pub fn generate(scale: f64) -> Value {
    let sz = Sizes::at(scale);
    let mut rng = Rng::new(0x50c_4ead1);
    let tenant = tenant_id();
    let principals: Vec<String> = (0..sz.principals as u64).map(|i| guid(2, i)).collect();
    let groups: Vec<String> = (0..sz.groups as u64).map(|i| guid(3, i)).collect();
    let mg = "/providers/Microsoft.Management/managementGroups/contoso-root";

    let builtins: Vec<Value> =
        serde_json::from_str(include_str!("../../rules/data/azure-builtin-roles.json"))
            .unwrap_or_default();
    let mut role_defs: Vec<Value> = builtins
        .into_iter()
        .filter(|r| r["name"].as_str().is_some_and(|n| BUILTINS.contains(&n)))
        .collect();
    let mut custom_ids = Vec::new();
    for i in 0..sz.custom_roles as u64 {
        let id = guid(4, i);
        let n = 1 + rng.below(4);
        let actions: Vec<&str> = (0..n)
            .map(|_| ACTION_POOL[rng.below(ACTION_POOL.len())])
            .collect();
        let not_actions: Vec<&str> = if rng.below(3) == 0 {
            vec!["Microsoft.Authorization/*/write"]
        } else {
            vec![]
        };
        role_defs.push(json!({
            "id": format!("/providers/Microsoft.Authorization/roleDefinitions/{id}"),
            "name": id, "type": "Microsoft.Authorization/roleDefinitions",
            "properties": {"roleName": format!("Custom SOC role {i}"), "type": "CustomRole",
                "permissions": [{"actions": actions, "notActions": not_actions, "dataActions": [], "notDataActions": []}],
                "assignableScopes": [mg]}
        }));
        custom_ids.push(id);
    }

    let mut subscriptions = Vec::new();
    let mut workspaces = Vec::new();
    let per_sub = sz.role_assignments / sz.subscriptions;
    for s in 0..sz.subscriptions {
        let sub = guid(5, s as u64);
        // Subscription 9 (at scale 1) is reached through Lighthouse from another tenant.
        let sub_tenant = if s % 10 == 9 {
            guid(1, 99)
        } else {
            tenant.clone()
        };
        let rgs: Vec<String> = (0..4).map(|r| format!("rg-{s}-{r}")).collect();
        let mut ws_ids = Vec::new();
        for w in 0..sz.workspaces_per_sub {
            let name = format!("law-{s}-{w}");
            let rg = &rgs[w % 2];
            let id = format!(
                "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/{name}"
            );
            ws_ids.push(id.clone());
            workspaces.push(workspace(
                &id,
                &name,
                &tenant,
                s,
                w,
                sz.alert_rules_per_ws,
                &mut rng,
            ));
        }
        let mut assignments = Vec::with_capacity(per_sub);
        for a in 0..per_sub {
            let p = &principals[rng.below(principals.len())];
            let (principal, ptype) = if rng.below(10) == 0 {
                (&groups[rng.below(groups.len())], "Group")
            } else {
                (p, "User")
            };
            let scope = match rng.below(5) {
                0 => mg.to_string(),
                1 => format!("/subscriptions/{sub}"),
                2 => format!(
                    "/subscriptions/{sub}/resourceGroups/{}",
                    rgs[rng.below(rgs.len())]
                ),
                3 => format!(
                    "/subscriptions/{sub}/resourceGroups/{}/providers/Microsoft.KeyVault/vaults/kv-{a}",
                    rgs[2]
                ),
                _ => ws_ids[rng.below(ws_ids.len())].clone(),
            };
            let role = if rng.below(4) == 0 {
                BUILTINS[rng.below(BUILTINS.len())].to_string()
            } else {
                custom_ids[rng.below(custom_ids.len())].clone()
            };
            let id = guid(6, (s * per_sub + a) as u64);
            assignments.push(json!({
                "id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{id}"),
                "name": id, "type": "Microsoft.Authorization/roleAssignments",
                "properties": {"roleDefinitionId": format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role}"),
                    "principalId": principal, "principalType": ptype, "scope": scope, "condition": null}
            }));
        }
        let eligibilities: Vec<Value> = (0..20)
            .map(|e| {
                let p = &principals[rng.below(principals.len())];
                json!({"id": format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances/{}", guid(7, (s * 100 + e) as u64)),
                    "properties": {"scope": format!("/subscriptions/{sub}"), "roleDefinitionId": format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"),
                    "principalId": p, "principalType": "User", "status": "Provisioned", "memberType": "Direct"}})
            })
            .collect();
        let denies: Vec<Value> = if s % 3 == 0 {
            vec![
                json!({"id": format!("/subscriptions/{sub}/providers/Microsoft.Authorization/denyAssignments/{}", guid(8, s as u64)),
                "properties": {"denyAssignmentName": "Blueprint lock", "scope": format!("/subscriptions/{sub}/resourceGroups/{}", rgs[3]),
                "permissions": [{"actions": ["*/write"], "notActions": [], "dataActions": [], "notDataActions": []}],
                "principals": [{"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}], "excludePrincipals": [], "doNotApplyToChildScopes": false}}),
            ]
        } else {
            vec![]
        };
        let pricing_tier = if s % 2 == 0 { "Standard" } else { "Free" };
        let pricings: Vec<Value> = ["VirtualMachines", "SqlServers", "StorageAccounts", "KeyVaults", "Arm", "CloudPosture", "Containers"]
            .iter()
            .map(|p| json!({"id": format!("/subscriptions/{sub}/providers/Microsoft.Security/pricings/{p}"), "name": p, "properties": {"pricingTier": pricing_tier}}))
            .collect();
        let groups_json: Vec<Value> = rgs.iter().map(|r| json!({"id": format!("/subscriptions/{sub}/resourceGroups/{r}"), "name": r, "location": "westeurope", "tags": {}})).collect();
        let managed_by = if s % 10 == 9 {
            json!([{"tenantId": tenant}])
        } else {
            json!([])
        };
        subscriptions.push(json!({
            "subscription": {"id": format!("/subscriptions/{sub}"), "subscriptionId": sub, "tenantId": sub_tenant, "displayName": format!("Subscription {s}"), "state": "Enabled",
                "managedByTenants": managed_by},
            "resourceGroups": groups_json,
            "roleDefinitions": role_defs,
            "roleAssignments": assignments,
            "denyAssignments": denies,
            "roleEligibilities": eligibilities,
            "defenderPricings": pricings,
        }));
    }

    let mut memberships = serde_json::Map::new();
    let mut placed = 0;
    let mut m = 0u64;
    while placed < sz.memberships {
        let p = &principals[(m as usize * 7919) % principals.len()];
        let n = 1 + rng.below(3);
        let gs: Vec<&String> = (0..n).map(|_| &groups[rng.below(groups.len())]).collect();
        placed += n;
        memberships.insert(p.clone(), json!(gs));
        m += 1;
    }
    let ga = "62e90394-69f5-4237-9190-012177145e10";
    let sa = "194ae4cb-b126-40b2-bd5b-6091b380977d";
    let dir_assignments: Vec<Value> = (0..200u64)
        .map(|i| json!({"id": guid(9, i), "principalId": principals[i as usize % principals.len()], "roleDefinitionId": if i % 2 == 0 { ga } else { sa }, "directoryScopeId": "/"}))
        .collect();
    json!({
        "schema": "socready.snapshot/v1",
        "collectedAt": "2026-11-24T10:00:00Z",
        "collector": {"name": "socready-synth", "version": "1", "redacted": false},
        "tenant": {"id": tenant, "organization": {"id": tenant, "displayName": "Synthetic Large Tenant"}},
        "graph": {
            "subscribedSkus": [{"skuId": "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "skuPartNumber": "SPE_E5", "capabilityStatus": "Enabled",
                "prepaidUnits": {"enabled": 25000, "suspended": 0, "warning": 0, "lockedOut": 0}, "consumedUnits": 24000,
                "servicePlans": [{"servicePlanId": "bf28f719-7844-4079-9c78-c1307898e192", "servicePlanName": "MTP", "provisioningStatus": "Success"},
                                 {"servicePlanId": "871d91ec-ec1a-452b-a83f-bd76c7d770ef", "servicePlanName": "WINDEFATP", "provisioningStatus": "Success"},
                                 {"servicePlanId": "14ab5db5-e6c4-4b20-b4bc-13e36fd2227f", "servicePlanName": "ATA", "provisioningStatus": "Success"},
                                 {"servicePlanId": "eec0eb4f-6444-4f95-aba0-50c24d67f998", "servicePlanName": "AAD_PREMIUM_P2", "provisioningStatus": "Success"}]}],
            "directoryRoleDefinitions": [],
            "directoryRoleAssignments": dir_assignments,
            "directoryRoleEligibilities": [],
            "servicePrincipals": [{"id": guid(10, 1), "appId": "8ee8fdad-f234-4243-8f3b-15c294843740", "displayName": "Microsoft Threat Protection"}],
            "memberships": memberships,
        },
        "azure": {"subscriptions": subscriptions, "workspaces": workspaces},
        "errors": []
    })
}

fn workspace(
    id: &str,
    name: &str,
    tenant: &str,
    s: usize,
    w: usize,
    rules: usize,
    rng: &mut Rng,
) -> Value {
    let sentinel = w != 4; // one workspace per subscription without Sentinel
    let connector_ok = (s + w) % 3 != 0;
    let alert_rules: Vec<Value> = (0..rules)
        .map(|r| {
            let rid = format!("{id}/providers/Microsoft.SecurityInsights/alertRules/rule-{r}");
            match r % 10 {
                0 | 1 => json!({"id": rid, "name": format!("rule-{r}"), "kind": "MicrosoftSecurityIncidentCreation",
                    "properties": {"displayName": format!("Create incidents {r}"), "productFilter": PRODUCTS[rng.below(PRODUCTS.len())],
                        "enabled": (s + w + r) % 4 == 0}}),
                2 => json!({"id": rid, "name": format!("rule-{r}"), "kind": "Fusion", "properties": {"displayName": "Advanced Multistage Attack Detection", "enabled": true}}),
                _ => json!({"id": rid, "name": format!("rule-{r}"), "kind": "Scheduled",
                    "properties": {"displayName": format!("Scheduled detection {r}"), "enabled": true, "severity": "Medium", "query": "SecurityEvent | take 1"}}),
            }
        })
        .collect();
    json!({
        "workspace": {"id": id, "name": name, "type": "Microsoft.OperationalInsights/workspaces", "location": "westeurope",
            "properties": {"customerId": guid(11, (s * 10 + w) as u64), "retentionInDays": if w % 2 == 0 { 90 } else { 30 }, "sku": {"name": "PerGB2018"}}},
        "onboardingStates": if sentinel { json!([{"id": format!("{id}/providers/Microsoft.SecurityInsights/onboardingStates/default"), "name": "default", "properties": {"customerManagedKey": false}}]) } else { json!([]) },
        "dataConnectors": [{"id": format!("{id}/providers/Microsoft.SecurityInsights/dataConnectors/{}", guid(12, (s * 10 + w) as u64)), "kind": "MicrosoftThreatProtection",
            "properties": {"tenantId": tenant, "dataTypes": {"incidents": {"state": if connector_ok { "Enabled" } else { "Disabled" }}, "alerts": {"state": "Enabled"}}}}],
        "alertRules": alert_rules,
        "automationRules": [{"id": format!("{id}/providers/Microsoft.SecurityInsights/automationRules/{}", guid(13, w as u64)), "properties": {"displayName": "Tag high", "order": 1,
            "triggeringLogic": {"isEnabled": true, "triggersOn": "Incidents", "triggersWhen": "Created", "conditions": [{"conditionType": "Property", "conditionProperties": {"propertyName": "IncidentTitle", "operator": "Contains", "propertyValues": ["Defender"]}}]},
            "actions": []}}],
        "settings": [{"id": format!("{id}/providers/Microsoft.SecurityInsights/settings/EntityAnalytics"), "name": "EntityAnalytics", "kind": "EntityAnalytics", "properties": {"entityProviders": ["AzureActiveDirectory"]}}],
        "contentPackages": [],
        "diagnosticSettings": []
    })
}
