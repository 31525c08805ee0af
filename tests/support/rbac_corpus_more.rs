//! Second half of the RBAC corpus (see tests/rbac_corpus.rs): SOC007 tasks, PIM, ABAC conditions,
//! missing role definitions, partial data and Entra directory roles.

use serde_json::json;

use super::rbac_corpus_scopes::DENY;
use super::rbac_fixture::*;
use super::{Case, F, P, UNK, c};
use super::{Has, Lacks, St, Task};

const SOC: &str = "§3.6 table: view/query = Sentinel Reader, Responder, Contributor, Contributor, Owner or the six read actions; investigate = Responder, Sentinel Contributor, Contributor, Owner or those plus four writes";
const TASKS_APART: &str = "§3.6: SOC007 judges view, query and investigate separately";
const SOC_GROUPS: &str =
    "§3.6: when the config names SOC groups, each named group must be able to do its tasks";
const PIM: &str = "§3.6: PIM-eligible assignments meet a requirement with pass and a 'requires activation' warning";
const COND: &str = "§3.6: when the only path is an assignment with an ABAC condition that could restrict it: unknown with the condition text";
const DEFS: &str = "§2/§3.6: custom roles count by their actions; an unknown definition cannot be judged (unknown)";
const FALLBACK: &str =
    "issue 4: built-ins fall back to the shipped definitions when the snapshot lacks them";
const PARTIAL: &str = "§3.7: a grant found in a partial list still passes; a partial deny list makes every grant unknown";
const ABSENT: &str = "§2: absent ≠ empty; input not collected yields unknown, never pass";
const ONBOARD: &str = "§3.6 table: onboard = Entra Global Administrator or Security Administrator (template ids), nothing else";
const DIR_SCOPE: &str = "issue 4: Entra roles count at directory scope `/` only";
const OPERATOR: &str =
    "§3.6: --operator narrows SOC005/SOC006 to that principal (directly or through groups)";

const COND_AUTH: &str = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {ab8e14d6-4a74-4a29-9ba8-549422addade}))";
const COND_STORAGE: &str = "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'logs'))";
const CUSTOM_DIR_ROLE: &str = "d0000000-0000-0000-0000-0000000000aa";
const AU: &str = "/administrativeUnits/e0000000-0000-0000-0000-000000000001";

const INC_WRITE: &str = "Microsoft.SecurityInsights/incidents/write";
const WS_READS: [&str; 2] = [
    "Microsoft.OperationalInsights/workspaces/read",
    "Microsoft.OperationalInsights/workspaces/query/read",
];

pub fn cases() -> Vec<Case> {
    let s = sub();
    let w = ws();
    let upper = |x: &str| x.to_ascii_uppercase();
    vec![
        // ── SOC007: view, query, investigate ──────────────────────────────────────────────
        c(
            "sentinel_reader_on_workspace",
            TASKS_APART,
            vec![assign(U, SENT_READER, &w)],
            vec![
                St("SOC007", F),
                Task("view", "pass"),
                Task("query", "pass"),
                Task("investigate", "fail"),
            ],
        ),
        c(
            "sentinel_responder_on_resource_group",
            SOC,
            vec![assign(U, SENT_RESPONDER, &rg())],
            vec![St("SOC007", P), St("SOC006", F)],
        ),
        c(
            "reader_builtin_by_actions",
            SOC,
            vec![assign(U, READER, &w)],
            vec![
                St("SOC007", F),
                Task("view", "pass"),
                Task("investigate", "fail"),
            ],
        ),
        c(
            "responder_below_the_workspace_does_not_cover_it",
            SOC,
            vec![assign(
                U,
                SENT_RESPONDER,
                &format!("{w}/providers/Microsoft.SecurityInsights/incidents/i1"),
            )],
            vec![St("SOC007", F), Task("view", "fail")],
        ),
        c(
            "workspace_star_read_does_not_cover_workspaces_read",
            SOC,
            vec![
                role(
                    C1,
                    &[
                        "Microsoft.OperationalInsights/workspaces/*/read",
                        "Microsoft.SecurityInsights/*",
                    ],
                ),
                assign(U, C1, &w),
            ],
            vec![
                St("SOC007", F),
                Task("view", "fail"),
                Task("investigate", "fail"),
            ],
        ),
        c(
            "custom_incident_wildcards_cover_all_tasks",
            SOC,
            vec![
                role(
                    C1,
                    &[
                        "Microsoft.OperationalInsights/workspaces/*",
                        "*Insights/incidents*",
                    ],
                ),
                assign(U, C1, &w),
            ],
            vec![St("SOC007", P)],
        ),
        c(
            "custom_roles_combined_for_soc_tasks",
            SOC,
            vec![
                role(C1, &WS_READS),
                role(C2, &["Microsoft.SecurityInsights/incidents/*"]),
                assign(U, C1, &w),
                assign(U, C2, &rg()),
            ],
            vec![St("SOC007", P)],
        ),
        c(
            "custom_role_without_incident_writes",
            TASKS_APART,
            vec![
                role_not(
                    C1,
                    &[
                        "Microsoft.SecurityInsights/*",
                        "Microsoft.OperationalInsights/workspaces/*",
                    ],
                    &["Microsoft.SecurityInsights/incidents/*write"],
                ),
                assign(U, C1, &w),
            ],
            vec![
                St("SOC007", F),
                Task("query", "pass"),
                Task("investigate", "fail"),
            ],
        ),
        c(
            "custom_role_with_data_actions_for_reads",
            SOC,
            vec![
                role_blocks(
                    C1,
                    json!([{ "actions": [WS_READS[0]], "dataActions": ["*"] }]),
                ),
                assign(U, C1, &w),
            ],
            vec![St("SOC007", F), Task("view", "fail")],
        ),
        c(
            "deny_incident_write_on_workspace",
            DENY,
            vec![
                assign(U, SENT_RESPONDER, &w),
                deny(&w, &[INC_WRITE], &[EVERYONE]),
            ],
            vec![
                St("SOC007", F),
                Task("view", "pass"),
                Task("investigate", "fail"),
            ],
        ),
        c(
            "soc_group_named_can_do_all_tasks",
            SOC_GROUPS,
            vec![
                member(G1, &[]),
                assign(G1, SENT_RESPONDER, &w),
                soc_group("analysts", G1),
            ],
            vec![St("SOC007", P)],
        ),
        c(
            "soc_group_named_decides_not_anyone",
            SOC_GROUPS,
            vec![
                member(G1, &[]),
                assign(G1, SENT_READER, &w),
                assign(V, OWNER, &s),
                soc_group("analysts", G1),
            ],
            vec![
                St("SOC007", F),
                Task("view", "pass"),
                Task("investigate", "fail"),
            ],
        ),
        // ── PIM ───────────────────────────────────────────────────────────────────────────
        c(
            "owner_eligible_only",
            PIM,
            vec![eligible(U, OWNER, &s)],
            vec![St("SOC006", P), Has("SOC006", "activation")],
        ),
        c(
            "owner_eligible_and_active",
            PIM,
            vec![eligible(U, OWNER, &s), assign(U, OWNER, &s)],
            vec![St("SOC006", P), Lacks("SOC006", "activation")],
        ),
        c(
            "eligible_uaa_active_sentinel_contributor",
            PIM,
            vec![eligible(U, UAA, &s), assign(U, SENT_CONTRIB, &w)],
            vec![St("SOC006", P), Has("SOC006", "activation")],
        ),
        c(
            "eligible_one_principal_active_another",
            PIM,
            vec![eligible(U, OWNER, &s), assign(V, OWNER, &s)],
            vec![St("SOC006", P), Lacks("SOC006", "activation")],
        ),
        c(
            "responder_eligible_only",
            PIM,
            vec![eligible(U, SENT_RESPONDER, &w)],
            vec![St("SOC007", P), Has("SOC007", "activation")],
        ),
        // ── ABAC conditions ───────────────────────────────────────────────────────────────
        c(
            "rbac_admin_with_condition_only_path",
            COND,
            vec![
                assign_if(U, RBAC_ADMIN, &s, COND_AUTH),
                assign(U, SENT_CONTRIB, &w),
            ],
            vec![
                St("SOC006", UNK),
                Has("SOC006", "ForAnyOfAnyValues:GuidEquals"),
            ],
        ),
        c(
            "condition_but_another_principal_is_owner",
            COND,
            vec![
                assign_if(U, RBAC_ADMIN, &s, COND_AUTH),
                assign(U, SENT_CONTRIB, &w),
                assign(V, OWNER, &s),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "condition_on_storage_does_not_restrict",
            COND,
            vec![
                assign_if(U, UAA, &s, COND_STORAGE),
                assign(U, SENT_CONTRIB, &w),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "condition_on_custom_role_granting_assignment_write",
            COND,
            vec![
                role(C1, &[RA_WRITE]),
                assign_if(U, C1, &s, COND_AUTH),
                assign(U, SENT_CONTRIB, &w),
            ],
            vec![
                St("SOC006", UNK),
                Has("SOC006", "@Request[Microsoft.Authorization/roleAssignments"),
            ],
        ),
        // ── role definitions ──────────────────────────────────────────────────────────────
        c(
            "custom_role_definition_missing_only_path",
            DEFS,
            vec![assign(U, C3, &s)],
            vec![St("SOC006", UNK), Has("SOC006", C3), St("SOC007", UNK)],
        ),
        c(
            "custom_role_definition_missing_but_owner_elsewhere",
            DEFS,
            vec![assign(U, C3, &s), assign(V, OWNER, &s)],
            vec![St("SOC006", P)],
        ),
        c(
            "builtin_definition_missing_falls_back",
            FALLBACK,
            vec![no_def(READER), assign(U, READER, &w)],
            vec![Task("view", "pass"), Task("investigate", "fail")],
        ),
        // ── partial and missing data ──────────────────────────────────────────────────────
        c(
            "role_assignments_not_collected",
            ABSENT,
            vec![drop("/azure/subscriptions/0/roleAssignments")],
            vec![St("SOC006", UNK), St("SOC007", UNK)],
        ),
        c(
            "role_assignments_partial_with_grant",
            PARTIAL,
            vec![sub_error("roleAssignments"), assign(U, OWNER, &s)],
            vec![St("SOC006", P), St("SOC007", P)],
        ),
        c(
            "role_assignments_partial_without_grant",
            PARTIAL,
            vec![sub_error("roleAssignments")],
            vec![St("SOC006", UNK)],
        ),
        c(
            "role_assignments_missing_eligible_found",
            PARTIAL,
            vec![
                drop("/azure/subscriptions/0/roleAssignments"),
                eligible(U, OWNER, &s),
            ],
            vec![St("SOC006", P), Has("SOC006", "activation")],
        ),
        c(
            "deny_assignments_partial_with_grant",
            PARTIAL,
            vec![sub_error("denyAssignments"), assign(U, OWNER, &s)],
            vec![St("SOC006", UNK), Has("SOC006", "deny"), St("SOC007", UNK)],
        ),
        c(
            "deny_assignments_partial_by_index_alias",
            PARTIAL,
            vec![
                error("azure.subscriptions[0].denyAssignments"),
                assign(U, OWNER, &s),
            ],
            vec![St("SOC006", UNK)],
        ),
        c(
            "deny_assignments_missing_with_grant",
            PARTIAL,
            vec![
                drop("/azure/subscriptions/0/denyAssignments"),
                assign(U, OWNER, &s),
            ],
            vec![St("SOC006", UNK)],
        ),
        c(
            "deny_assignments_missing_no_grant",
            "§3.7: unknown unless what was found already makes it fail (nothing grants; denies only remove)",
            vec![drop("/azure/subscriptions/0/denyAssignments")],
            vec![St("SOC006", F)],
        ),
        c(
            "eligibilities_missing_active_grant",
            PARTIAL,
            vec![
                drop("/azure/subscriptions/0/roleEligibilities"),
                assign(U, OWNER, &s),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "eligibilities_missing_no_grant",
            ABSENT,
            vec![drop("/azure/subscriptions/0/roleEligibilities")],
            vec![St("SOC006", UNK)],
        ),
        // ── Entra: SOC005 ─────────────────────────────────────────────────────────────────
        c(
            "global_admin_active",
            ONBOARD,
            vec![dir_assign(U, GA, "/")],
            vec![St("SOC005", P), Lacks("SOC005", "activation")],
        ),
        c(
            "security_admin_eligible_only",
            PIM,
            vec![dir_eligible(U, SEC_ADMIN, "/")],
            vec![St("SOC005", P), Has("SOC005", "activation")],
        ),
        c(
            "security_reader_only",
            ONBOARD,
            vec![dir_assign(U, SEC_READER, "/")],
            vec![St("SOC005", F)],
        ),
        c(
            "global_reader_only",
            ONBOARD,
            vec![dir_assign(U, GLOBAL_READER, "/")],
            vec![St("SOC005", F)],
        ),
        c(
            "azure_owner_is_not_an_entra_role",
            ONBOARD,
            vec![assign(U, OWNER, "/")],
            vec![St("SOC005", F)],
        ),
        c(
            "global_admin_at_administrative_unit",
            DIR_SCOPE,
            vec![dir_assign(U, GA, AU)],
            vec![St("SOC005", F)],
        ),
        c(
            "security_admin_eligible_at_administrative_unit",
            DIR_SCOPE,
            vec![dir_eligible(U, SEC_ADMIN, AU)],
            vec![St("SOC005", F)],
        ),
        c(
            "role_assignable_group_operator_member",
            OPERATOR,
            vec![
                member(U, &[G1]),
                dir_assign(G1, SEC_ADMIN, "/"),
                operator(U),
            ],
            vec![St("SOC005", P)],
        ),
        c(
            "role_assignable_group_operator_not_member",
            OPERATOR,
            vec![member(U, &[]), dir_assign(G1, GA, "/"), operator(U)],
            vec![St("SOC005", F)],
        ),
        c(
            "operator_narrows_soc005",
            OPERATOR,
            vec![dir_assign(V, GA, "/"), operator(U)],
            vec![St("SOC005", F)],
        ),
        c(
            "operator_membership_not_collected_entra_group_role",
            ABSENT,
            vec![
                drop("/graph/memberships"),
                dir_assign(G1, GA, "/"),
                operator(U),
            ],
            vec![St("SOC005", UNK)],
        ),
        c(
            "custom_directory_role_id_resolves_through_template",
            "issue 4: directory roles match by template id; definitions map an id to its templateId",
            vec![
                dir_def(CUSTOM_DIR_ROLE, SEC_ADMIN),
                dir_assign(U, CUSTOM_DIR_ROLE, "/"),
            ],
            vec![St("SOC005", P)],
        ),
        c(
            "directory_ids_in_other_case",
            "§2: ids compare ignoring ASCII case",
            vec![dir_assign(&upper(U), &upper(GA), "/"), operator(U)],
            vec![St("SOC005", P)],
        ),
        c(
            "directory_role_assignments_not_collected",
            ABSENT,
            vec![drop("/graph/directoryRoleAssignments")],
            vec![St("SOC005", UNK)],
        ),
        c(
            "directory_role_assignments_partial_with_grant",
            PARTIAL,
            vec![
                error("graph.directoryRoleAssignments"),
                dir_assign(U, GA, "/"),
            ],
            vec![St("SOC005", P)],
        ),
    ]
}
