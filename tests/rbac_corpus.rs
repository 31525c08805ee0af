//! Hand-verified corpus for the effective-permission engine (DESIGN §3 items 6 and 7, issue 4).
//!
//! Every case builds a tiny snapshot from facts (tests/support/rbac_fixture.rs), scans it with the
//! embedded rules and checks SOC005 (onboard), SOC006 (connect) and/or SOC007 (SOC access). The
//! expected answers were worked out by hand from the contract, not by running the engine.
//! Each case carries the contract clause it follows from (printed when it fails).
//!
//! This file: the runner, action patterns, letter case, trailing slashes, notActions and
//! dataActions, and the engine bugs found (ignored tests). tests/support/rbac_corpus_scopes.rs:
//! scope levels, roles combined, groups and `--operator`, deny assignments.
//! tests/support/rbac_corpus_more.rs: SOC007 tasks, PIM, ABAC conditions, role definitions,
//! partial data, Entra roles (SOC005).

#[path = "support/rbac_corpus_more.rs"]
mod rbac_corpus_more;
#[path = "support/rbac_corpus_scopes.rs"]
mod rbac_corpus_scopes;
#[path = "support/rbac_fixture.rs"]
mod rbac_fixture;

use std::collections::HashSet;

use rbac_fixture::*;
use serde_json::json;
use socready::finding::Status;

pub const P: Status = Status::Pass;
pub const F: Status = Status::Fail;
pub const UNK: Status = Status::Unknown;

/// What a case expects of the scan.
pub enum Exp {
    /// The rule's status.
    St(&'static str, Status),
    /// The rule's message contains the text.
    Has(&'static str, &'static str),
    /// The rule's message does not contain the text.
    Lacks(&'static str, &'static str),
    /// SOC007's message gives this task ("view", "query", "investigate") this status.
    Task(&'static str, &'static str),
}
pub use Exp::*;

pub struct Case {
    pub name: &'static str,
    /// The contract clause the expectation follows from.
    pub clause: &'static str,
    pub facts: Vec<Fact>,
    pub expect: Vec<Exp>,
}

pub fn c(name: &'static str, clause: &'static str, facts: Vec<Fact>, expect: Vec<Exp>) -> Case {
    Case {
        name,
        clause,
        facts,
        expect,
    }
}

/// SOC006 via a custom role C1 with one block of `actions`, held by U on the subscription.
fn connect_by(actions: &[&str], expect: Status) -> (Vec<Fact>, Vec<Exp>) {
    (
        vec![role(C1, actions), assign(U, C1, &sub())],
        vec![St("SOC006", expect)],
    )
}

fn cw(name: &'static str, clause: &'static str, actions: &[&str], expect: Status) -> Case {
    let (facts, exp) = connect_by(actions, expect);
    c(name, clause, facts, exp)
}

const STAR: &str =
    "§3.6: in action patterns `*` matches any run of characters (including `/` and none)";
const LITERAL: &str = "§3.6: everything but `*` matches literally";
const CASE: &str = "§2/§3.6: ids, scopes and actions compare ignoring ASCII case";
const SLASH: &str = "§3.1: ARM ids and scopes ignore a trailing `/`";
const NOT_ACTIONS: &str =
    "§3.6: a notActions entry removes what it matches from its own block only";
const DATA: &str = "issue 4 / §3.6: dataActions never satisfy a control-plane action";

fn cases() -> Vec<Case> {
    let s = sub();
    let upper = |x: &str| x.to_ascii_uppercase();
    let mut v = vec![
        // ── action patterns ───────────────────────────────────────────────────────────────
        cw("wildcard_alone", STAR, &["*"], P),
        cw(
            "wildcard_suffix",
            STAR,
            &[
                "Microsoft.Authorization/roleAssignments/*",
                "Microsoft.SecurityInsights/*",
            ],
            P,
        ),
        cw("wildcard_prefix", STAR, &["*/write"], P),
        cw(
            "wildcard_middle",
            STAR,
            &[
                "Microsoft.Authorization/*/write",
                "Microsoft.SecurityInsights/*/write",
            ],
            P,
        ),
        cw("wildcard_crosses_slashes", STAR, &["Microsoft.*"], P),
        cw(
            "wildcard_inside_segments",
            STAR,
            &[
                "Microsoft.Auth*/roleAssign*s/write",
                "Microsoft.SecurityInsights/*States/write",
                "Microsoft.SecurityInsights/data*/write",
            ],
            P,
        ),
        cw(
            "wildcard_matches_empty_run",
            STAR,
            &[
                "Microsoft.Authorization/roleAssignments/write*",
                "*Microsoft.SecurityInsights/*",
            ],
            P,
        ),
        cw(
            "wildcard_several_stars",
            STAR,
            &["*Authorization*Assignments*", "*Insights*write"],
            P,
        ),
        cw(
            "wildcard_read_does_not_cover_write",
            STAR,
            &[
                "Microsoft.Authorization/*/read",
                "Microsoft.SecurityInsights/*",
            ],
            F,
        ),
        cw(
            "literal_near_miss",
            LITERAL,
            &[
                "Microsoft.Authorization/roleAssignment/write",
                "Microsoft.SecurityInsights/*",
            ],
            F,
        ),
        cw(
            "literal_is_not_a_prefix_match",
            LITERAL,
            &[
                "Microsoft.Authorization/roleAssignments",
                "Microsoft.SecurityInsights/*",
            ],
            F,
        ),
        cw(
            "question_mark_is_literal",
            LITERAL,
            &[
                "Microsoft.Authorization/roleAssignments/?rite",
                "Microsoft.SecurityInsights/*",
            ],
            F,
        ),
        // ── letter case ───────────────────────────────────────────────────────────────────
        cw(
            "actions_in_other_case",
            CASE,
            &[
                "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE",
                "microsoft.securityinsights/*",
            ],
            P,
        ),
        c(
            "custom_role_guid_in_other_case",
            CASE,
            vec![role(C1, &["*"]), assign(U, &upper(C1), &s)],
            vec![St("SOC006", P)],
        ),
        c(
            "builtin_role_guid_in_other_case",
            CASE,
            vec![assign(U, &upper(OWNER), &s)],
            vec![St("SOC006", P)],
        ),
        c(
            "scopes_in_other_case",
            CASE,
            vec![
                assign(U, UAA, &upper(&s)),
                assign(U, SENT_CONTRIB, &upper(&rg())),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "workspace_scope_in_other_case",
            CASE,
            vec![assign(U, UAA, &s), assign(U, SENT_CONTRIB, &upper(&ws()))],
            vec![St("SOC006", P)],
        ),
        c(
            "operator_id_in_other_case",
            CASE,
            vec![assign(&upper(U), OWNER, &s), operator(U)],
            vec![St("SOC006", P)],
        ),
        c(
            "not_actions_in_other_case",
            CASE,
            vec![
                role_not(
                    C1,
                    &["*"],
                    &["microsoft.AUTHORIZATION/roleassignments/WRITE"],
                ),
                assign(U, C1, &s),
            ],
            vec![St("SOC006", F)],
        ),
        c(
            "deny_principal_in_other_case",
            CASE,
            vec![assign(U, OWNER, &s), deny(&s, &[RA_WRITE], &[&upper(U)])],
            vec![St("SOC006", F)],
        ),
        // ── trailing slashes ──────────────────────────────────────────────────────────────
        c(
            "subscription_scope_trailing_slash",
            SLASH,
            vec![assign(U, OWNER, &format!("{s}/"))],
            vec![St("SOC006", P)],
        ),
        c(
            "workspace_scope_trailing_slash",
            SLASH,
            vec![
                assign(U, UAA, &s),
                assign(U, SENT_CONTRIB, &format!("{}/", ws())),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "deny_own_scope_trailing_slash",
            SLASH,
            vec![
                assign(U, OWNER, &s),
                deny_full(
                    &format!("{s}/"),
                    json!([{ "actions": [RA_WRITE] }]),
                    &[U],
                    &[],
                    true,
                ),
            ],
            vec![St("SOC006", F)],
        ),
        // ── notActions and dataActions ────────────────────────────────────────────────────
        c(
            "not_actions_same_block",
            NOT_ACTIONS,
            vec![
                role_not(C1, &["*"], &["Microsoft.Authorization/*"]),
                assign(U, C1, &s),
            ],
            vec![St("SOC006", F)],
        ),
        c(
            "not_actions_other_block_does_not_remove",
            NOT_ACTIONS,
            vec![
                role_blocks(
                    C1,
                    json!([
                        { "actions": ["*"], "notActions": ["Microsoft.Authorization/*"] },
                        { "actions": [RA_WRITE] },
                    ]),
                ),
                assign(U, C1, &s),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "not_actions_other_role_does_not_remove",
            NOT_ACTIONS,
            vec![
                role_not(C1, &["*"], &["Microsoft.Authorization/*"]),
                role(C2, &[RA_WRITE]),
                assign(U, C1, &s),
                assign(U, C2, &s),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "contributor_not_actions_block_role_assignments",
            NOT_ACTIONS,
            vec![assign(U, CONTRIBUTOR, &s)],
            vec![St("SOC006", F), St("SOC007", P)],
        ),
        c(
            "not_actions_unrelated_entry",
            NOT_ACTIONS,
            vec![
                role_not(
                    C1,
                    &["*"],
                    &["Microsoft.Authorization/roleAssignments/delete"],
                ),
                assign(U, C1, &s),
            ],
            vec![St("SOC006", P)],
        ),
        c(
            "not_actions_wildcard_prefix",
            NOT_ACTIONS,
            vec![role_not(C1, &["*"], &["*/write"]), assign(U, C1, &s)],
            vec![
                St("SOC006", F),
                St("SOC007", F),
                Task("view", "pass"),
                Task("investigate", "fail"),
            ],
        ),
        c(
            "not_actions_removes_one_workspace_action",
            NOT_ACTIONS,
            vec![role_not(C1, &["*"], &[DC_WRITE]), assign(U, C1, &s)],
            vec![St("SOC006", F)],
        ),
        c(
            "data_actions_only",
            DATA,
            vec![
                role_blocks(C1, json!([{ "actions": [], "dataActions": ["*"] }])),
                assign(U, C1, &s),
            ],
            vec![St("SOC006", F), St("SOC007", F)],
        ),
        c(
            "data_actions_for_the_workspace_part",
            DATA,
            vec![
                role_blocks(
                    C1,
                    json!([{ "actions": [RA_WRITE], "dataActions": ["Microsoft.SecurityInsights/*"] }]),
                ),
                assign(U, C1, &s),
            ],
            vec![St("SOC006", F)],
        ),
        c(
            "not_data_actions_do_not_remove_actions",
            DATA,
            vec![
                role_blocks(C1, json!([{ "actions": ["*"], "notDataActions": ["*"] }])),
                assign(U, C1, &s),
            ],
            vec![St("SOC006", P)],
        ),
    ];
    v.extend(rbac_corpus_scopes::cases());
    v.extend(rbac_corpus_more::cases());
    v
}

/// Runs one case; the error lists every unmet expectation.
pub fn run(case: &Case) -> Result<(), String> {
    let (snap, opts) = build(&case.facts);
    let findings = scan_json(&snap, &opts);
    let mut errs = Vec::new();
    for e in &case.expect {
        let (rule, ok, want) = match e {
            St(rule, s) => (
                *rule,
                finding(&findings, rule).status == *s,
                format!("status {s}"),
            ),
            Has(rule, t) => (
                *rule,
                finding(&findings, rule).message.contains(t),
                format!("message containing {t:?}"),
            ),
            Lacks(rule, t) => (
                *rule,
                !finding(&findings, rule).message.contains(t),
                format!("message without {t:?}"),
            ),
            Task(task, s) => {
                let full = TASKS
                    .iter()
                    .find(|t| t.starts_with(task))
                    .expect("task name");
                let msg = &finding(&findings, "SOC007").message;
                (
                    "SOC007",
                    task_status(msg, full) == Some(*s),
                    format!("task {full:?} {s}"),
                )
            }
        };
        if !ok {
            let f = finding(&findings, rule);
            errs.push(format!(
                "{rule}: expected {want}, got {} — {}",
                f.status, f.message
            ));
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "case {} ({}):\n    {}",
            case.name,
            case.clause,
            errs.join("\n    ")
        ))
    }
}

#[test]
fn corpus_cases_hold() {
    let cases = cases();
    assert!(cases.len() >= 60, "corpus has {} cases", cases.len());
    let mut names = HashSet::new();
    for case in &cases {
        assert!(names.insert(case.name), "duplicate case name {}", case.name);
    }
    let failures: Vec<String> = cases.iter().filter_map(|c| run(c).err()).collect();
    eprintln!("{} RBAC corpus cases", cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Runs a case that documents an engine bug (see the `#[ignore]` reason).
fn expect_fixed(case: Case) {
    if let Err(e) = run(&case) {
        panic!("{e}");
    }
}

// ── bugs found while writing the corpus: each test passes once the engine is fixed ───────

#[test]
fn bug_member_of_two_groups_can_connect() {
    // U is in G1 (User Access Administrator on the subscription) and in G2 (Microsoft Sentinel
    // Contributor on the workspace). Neither group alone can connect; U can.
    expect_fixed(c(
        "member_of_two_groups_can_connect",
        rbac_corpus_scopes::UNION,
        vec![
            member(U, &[G1, G2]),
            assign(G1, UAA, &sub()),
            assign(G2, SENT_CONTRIB, &ws()),
        ],
        vec![St("SOC006", P)],
    ));
}

#[test]
fn bug_member_of_two_groups_can_investigate() {
    // G1's custom role reads the workspace, G2's handles incidents; U is in both.
    expect_fixed(c(
        "member_of_two_groups_can_investigate",
        rbac_corpus_scopes::UNION,
        vec![
            member(U, &[G1, G2]),
            role(
                C1,
                &[
                    "Microsoft.OperationalInsights/workspaces/read",
                    "Microsoft.OperationalInsights/workspaces/query/read",
                ],
            ),
            role(C2, &["Microsoft.SecurityInsights/incidents/*"]),
            assign(G1, C1, &ws()),
            assign(G2, C2, &ws()),
        ],
        vec![St("SOC007", P)],
    ));
}

#[test]
fn bug_partial_membership_cannot_rule_out_group_deny() {
    // §3.7: a grant still passes on partial data unless a partial list could overturn it. U's
    // membership listing broke part-way, so U may well be in G1, which a deny names.
    expect_fixed(c(
        "partial_membership_group_deny",
        "§3.7: a partial list that could overturn a grant makes it unknown",
        vec![
            member(U, &[]),
            error(&format!("graph.memberships[{U}]")),
            assign(U, OWNER, &sub()),
            deny(&sub(), &[RA_WRITE], &[G1]),
        ],
        vec![St("SOC006", UNK)],
    ));
}

#[test]
fn bug_partial_operator_membership_is_not_proof_of_absence() {
    // §3.7: absence cannot be proven from a partial list. The operator's membership listing broke
    // part-way; G1 holds Owner and Global Administrator.
    expect_fixed(c(
        "partial_operator_membership",
        "§3.7: a requirement not met by what a partial list holds is unknown, not fail",
        vec![
            member(U, &[]),
            error(&format!("graph.memberships[{U}]")),
            assign(G1, OWNER, &sub()),
            dir_assign(G1, GA, "/"),
            operator(U),
        ],
        vec![St("SOC006", UNK), St("SOC005", UNK)],
    ));
}

#[test]
fn bug_deny_exclusion_through_uncollected_membership() {
    // §2: input not collected yields unknown. Whether U is in the excluded group G1 is unknown,
    // so whether the deny applies to U is unknown (the engine already answers unknown for the
    // mirror case, a deny that names a group).
    expect_fixed(c(
        "deny_exclusion_membership_not_collected",
        "§2 + §3.6: a deny applies unless the principal is listed in excludePrincipals (directly or through a group)",
        vec![
            drop("/graph/memberships"),
            assign(U, OWNER, &sub()),
            deny_full(
                &sub(),
                json!([{ "actions": ["*"] }]),
                &[EVERYONE],
                &[G1],
                false,
            ),
        ],
        vec![St("SOC006", UNK)],
    ));
}
