//! Part of the RBAC corpus (see tests/rbac_corpus.rs): scope levels, roles combined across
//! assignments, groups and `--operator`, deny assignments.

use serde_json::json;

use super::rbac_fixture::*;
use super::{Case, F, P, UNK, c};
use super::{Has, St};

pub const SCOPE: &str = "§3.6: a grant counts at a covering scope (root, management group, prefix on a segment boundary)";
pub const CONNECT: &str = "§3.6 table: connect = Owner, or [UAA or RBAC Admin] on the subscription plus [Sentinel Contributor, Contributor or Owner] on sub/RG/workspace";
pub const UNION: &str =
    "§3.6: a principal's grants are the union of all its assignments at covering scopes";
pub const GROUPS: &str = "§3.6: principals hold roles directly or through (transitive) groups";
pub const OPERATOR: &str = "§3.6: --operator narrows SOC005/SOC006 to that principal (directly or through groups), not SOC007";
pub const ABSENT: &str = "§2: absent ≠ empty; input not collected yields unknown, never pass";
pub const DENY: &str = "§3.6: a deny removes a grant when it matches the action, covers the scope and names the principal";

pub fn cases() -> Vec<Case> {
    let s = sub();
    vec![
        // ── scopes ────────────────────────────────────────────────────────────────────────
        c(
            "owner_at_root",
            SCOPE,
            vec![assign(U, OWNER, "/")],
            vec![St("SOC006", P)],
        ),
        c(
            "owner_at_management_group",
            SCOPE,
            vec![assign(U, OWNER, &mg())],
            vec![St("SOC006", P)],
        ),
        c(
            "owner_at_subscription",
            CONNECT,
            vec![assign(U, OWNER, &s)],
            vec![St("SOC006", P), St("SOC007", P)],
        ),
        c(
            "owner_at_resource_group_only",
            CONNECT,
            vec![assign(U, OWNER, &rg())],
            vec![St("SOC006", F), St("SOC007", P)],
        ),
        c(
            "uaa_sub_sentinel_contributor_rg",
            CONNECT,
            vec![assign(U, UAA, &s), assign(U, SENT_CONTRIB, &rg())],
            vec![St("SOC006", P)],
        ),
        c(
            "uaa_sub_sentinel_contributor_workspace",
            CONNECT,
            vec![assign(U, UAA, &s), assign(U, SENT_CONTRIB, &ws())],
            vec![St("SOC006", P)],
        ),
        c(
            "uaa_management_group_sentinel_contributor_workspace",
            CONNECT,
            vec![assign(U, UAA, &mg()), assign(U, SENT_CONTRIB, &ws())],
            vec![St("SOC006", P)],
        ),
        c(
            "rbac_admin_sub_contributor_rg",
            CONNECT,
            vec![assign(U, RBAC_ADMIN, &s), assign(U, CONTRIBUTOR, &rg())],
            vec![St("SOC006", P)],
        ),
        c(
            "uaa_at_resource_group",
            CONNECT,
            vec![assign(U, UAA, &rg()), assign(U, SENT_CONTRIB, &rg())],
            vec![St("SOC006", F)],
        ),
        c(
            "uaa_alone",
            CONNECT,
            vec![assign(U, UAA, &s)],
            vec![St("SOC006", F)],
        ),
        c(
            "sentinel_contributor_at_sibling_rg",
            SCOPE,
            vec![assign(U, UAA, &s), assign(U, SENT_CONTRIB, &rg_other())],
            vec![St("SOC006", F)],
        ),
        c(
            "sentinel_contributor_at_sibling_workspace",
            SCOPE,
            vec![assign(U, UAA, &s), assign(U, SENT_CONTRIB, &ws_other())],
            vec![St("SOC006", F)],
        ),
        c(
            "resource_group_prefix_not_segment",
            SCOPE,
            vec![
                assign(U, UAA, &s),
                assign(U, SENT_CONTRIB, &format!("{s}/resourceGroups/rg-se")),
            ],
            vec![St("SOC006", F)],
        ),
        c(
            "subscription_prefix_not_segment",
            SCOPE,
            vec![assign(U, OWNER, &s[..s.len() - 1])],
            vec![St("SOC006", F), St("SOC007", F)],
        ),
        c(
            "parts_held_by_different_principals",
            CONNECT,
            vec![assign(U, UAA, &s), assign(V, SENT_CONTRIB, &ws())],
            vec![St("SOC006", F)],
        ),
        c(
            "custom_role_assignment_write_at_rg_only",
            SCOPE,
            vec![
                role(C1, &[RA_WRITE]),
                assign(U, C1, &rg()),
                assign(U, SENT_CONTRIB, &ws()),
            ],
            vec![St("SOC006", F)],
        ),
        // ── custom roles combined ─────────────────────────────────────────────────────────
        c(
            "custom_roles_combined_across_assignments",
            UNION,
            vec![
                role(C1, &[RA_WRITE]),
                role(C2, &[ONBOARD_WRITE, DC_WRITE]),
                assign(U, C1, &s),
                assign(U, C2, &ws()),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "custom_roles_combined_one_action_missing",
            UNION,
            vec![
                role(C1, &[RA_WRITE]),
                role(C2, &[ONBOARD_WRITE]),
                assign(U, C1, &s),
                assign(U, C2, &ws()),
            ],
            vec![St("SOC006", F)],
        ),
        c(
            "custom_roles_split_across_principals",
            UNION,
            vec![
                role(C1, &[RA_WRITE]),
                role(C2, &[ONBOARD_WRITE, DC_WRITE]),
                assign(U, C1, &s),
                assign(V, C2, &ws()),
            ],
            vec![St("SOC006", F)],
        ),
        c(
            "contributor_plus_custom_role_assignment_write",
            UNION,
            vec![
                role(C1, &[RA_WRITE]),
                assign(U, CONTRIBUTOR, &s),
                assign(U, C1, &s),
            ],
            vec![St("SOC006", P)],
        ),
        // ── groups and --operator ─────────────────────────────────────────────────────────
        c(
            "group_holds_owner",
            GROUPS,
            vec![member(U, &[G1]), assign(G1, OWNER, &s)],
            vec![St("SOC006", P)],
        ),
        c(
            "operator_through_group",
            OPERATOR,
            vec![member(U, &[G1]), assign(G1, OWNER, &s), operator(U)],
            vec![St("SOC006", P)],
        ),
        c(
            "operator_through_group_nested_two_deep",
            OPERATOR,
            vec![
                member(U, &[G1, G2]),
                member(G1, &[G2]),
                assign(G2, OWNER, &s),
                operator(U),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "operator_parts_through_two_groups",
            OPERATOR,
            vec![
                member(U, &[G1, G2]),
                assign(G1, UAA, &s),
                assign(G2, SENT_CONTRIB, &ws()),
                operator(U),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "nested_group_inherits_parent_group_role",
            GROUPS,
            vec![
                member(G1, &[G2]),
                assign(G1, UAA, &s),
                assign(G2, SENT_CONTRIB, &ws()),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "operator_not_in_the_group",
            OPERATOR,
            vec![member(U, &[]), assign(G1, OWNER, &s), operator(U)],
            vec![St("SOC006", F)],
        ),
        c(
            "operator_membership_not_collected_role_via_group",
            ABSENT,
            vec![
                drop("/graph/memberships"),
                assign(G1, OWNER, &s),
                operator(U),
            ],
            vec![St("SOC006", UNK), Has("SOC006", "group membership")],
        ),
        c(
            "operator_membership_not_collected_direct_role",
            ABSENT,
            vec![
                drop("/graph/memberships"),
                assign(U, OWNER, &s),
                operator(U),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "operator_narrows_soc006_but_not_soc007",
            OPERATOR,
            vec![assign(V, OWNER, &s), operator(U)],
            vec![St("SOC006", F), St("SOC007", P)],
        ),
        // ── deny assignments ──────────────────────────────────────────────────────────────
        c(
            "deny_names_principal",
            DENY,
            vec![assign(U, OWNER, &s), deny(&s, &[RA_WRITE], &[U])],
            vec![St("SOC006", F), Has("SOC006", "deny")],
        ),
        c(
            "deny_names_group",
            DENY,
            vec![
                member(U, &[G1]),
                assign(U, OWNER, &s),
                deny(&s, &[RA_WRITE], &[G1]),
            ],
            vec![St("SOC006", F)],
        ),
        c(
            "deny_names_outer_group_of_nested_membership",
            DENY,
            vec![
                member(U, &[G1, G2]),
                member(G1, &[G2]),
                assign(G1, OWNER, &s),
                deny(&s, &[RA_WRITE], &[G2]),
            ],
            vec![St("SOC006", F)],
        ),
        c(
            "deny_everyone",
            DENY,
            vec![assign(U, OWNER, &s), deny(&s, &[RA_WRITE], &[EVERYONE])],
            vec![St("SOC006", F)],
        ),
        c(
            "deny_everyone_excludes_principal",
            DENY,
            vec![
                assign(U, OWNER, &s),
                deny_full(
                    &s,
                    json!([{ "actions": [RA_WRITE] }]),
                    &[EVERYONE],
                    &[U],
                    false,
                ),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "deny_everyone_excludes_principals_group",
            DENY,
            vec![
                member(U, &[G1]),
                assign(U, OWNER, &s),
                deny_full(&s, json!([{ "actions": ["*"] }]), &[EVERYONE], &[G1], false),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "deny_no_children_at_parent_scope",
            DENY,
            vec![
                assign(U, OWNER, &s),
                deny_full(&mg(), json!([{ "actions": ["*"] }]), &[EVERYONE], &[], true),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "deny_no_children_at_own_scope",
            DENY,
            vec![
                assign(U, OWNER, &s),
                deny_full(
                    &ws(),
                    json!([{ "actions": [ONBOARD_WRITE] }]),
                    &[EVERYONE],
                    &[],
                    true,
                ),
            ],
            vec![St("SOC006", F)],
        ),
        c(
            "deny_no_children_at_subscription_spares_workspace",
            DENY,
            vec![
                assign(U, OWNER, &s),
                deny_full(
                    &s,
                    json!([{ "actions": [ONBOARD_WRITE] }]),
                    &[EVERYONE],
                    &[],
                    true,
                ),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "deny_at_resource_group_applies_below",
            DENY,
            vec![assign(U, OWNER, &s), deny(&rg(), &[DC_WRITE], &[U])],
            vec![St("SOC006", F)],
        ),
        c(
            "deny_not_actions_spare_the_needed_actions",
            DENY,
            vec![
                assign(U, OWNER, &s),
                deny_full(
                    &s,
                    json!([{ "actions": ["*"], "notActions": [RA_WRITE, "Microsoft.SecurityInsights/*"] }]),
                    &[EVERYONE],
                    &[],
                    false,
                ),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "deny_not_actions_spare_only_one",
            DENY,
            vec![
                assign(U, OWNER, &s),
                deny_full(
                    &s,
                    json!([{ "actions": ["*"], "notActions": [RA_WRITE] }]),
                    &[EVERYONE],
                    &[],
                    false,
                ),
            ],
            vec![St("SOC006", F)],
        ),
        c(
            "deny_on_a_different_action",
            DENY,
            vec![
                assign(U, OWNER, &s),
                deny(&s, &["Microsoft.Storage/*"], &[EVERYONE]),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "deny_data_actions_only",
            DENY,
            vec![
                assign(U, OWNER, &s),
                deny_full(
                    &s,
                    json!([{ "actions": [], "dataActions": ["*"] }]),
                    &[EVERYONE],
                    &[],
                    false,
                ),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "deny_at_sibling_resource_group",
            DENY,
            vec![
                assign(U, UAA, &s),
                assign(U, SENT_CONTRIB, &rg()),
                deny(&rg_other(), &["*"], &[EVERYONE]),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "deny_at_prefix_not_segment_scope",
            DENY,
            vec![
                assign(U, OWNER, &s),
                deny(&s[..s.len() - 1], &["*"], &[EVERYONE]),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "deny_pattern_in_other_case",
            DENY,
            vec![
                assign(U, OWNER, &s),
                deny(&s, &["MICROSOFT.AUTHORIZATION/*"], &[EVERYONE]),
            ],
            vec![St("SOC006", F)],
        ),
        c(
            "deny_removes_one_of_two_holders",
            DENY,
            vec![
                assign(U, OWNER, &s),
                assign(V, OWNER, &s),
                deny(&s, &[RA_WRITE], &[U]),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "deny_names_group_membership_not_collected",
            ABSENT,
            vec![
                drop("/graph/memberships"),
                assign(U, OWNER, &s),
                deny(&s, &[RA_WRITE], &[G1]),
            ],
            vec![St("SOC006", UNK)],
        ),
    ]
}
