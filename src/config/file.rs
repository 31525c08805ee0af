//! The on-disk shape of `socready.toml`: serde types with `deny_unknown_fields` and spans on the
//! values that are validated afterwards (so problems point at the right place).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// On-disk shape of `socready.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct ConfigFile {
    #[serde(default)]
    pub(super) fail_on: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) target: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) operator: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) expiry_warning_days: Option<u32>,
    #[serde(default)]
    pub(super) workspaces: Option<WorkspacesFile>,
    #[serde(default)]
    pub(super) soc_groups: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub(super) rules: BTreeMap<String, Spanned<RuleFile>>,
    #[serde(default, rename = "waiver")]
    pub(super) waivers: Vec<Spanned<WaiverFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct WorkspacesFile {
    #[serde(default)]
    pub(super) mode: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) primary: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) secondaries: Option<Spanned<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RuleFile {
    #[serde(default)]
    pub(super) severity: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) disabled: Option<bool>,
    #[serde(default)]
    pub(super) reason: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct WaiverFile {
    pub(super) rule: Spanned<String>,
    pub(super) scope: Spanned<String>,
    pub(super) reason: Spanned<String>,
    pub(super) owner: Spanned<String>,
    #[serde(default)]
    pub(super) ticket: Option<Spanned<String>>,
    pub(super) expires: Spanned<toml::Value>,
}
