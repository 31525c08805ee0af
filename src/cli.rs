//! Command-line definitions (clap derive). Parsing only; the commands live in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::collect::AuthMethod;
use crate::engine::options::{FailOn, Target, WorkspaceMode};
use crate::report::Format;

/// Is this tenant ready to connect Microsoft Sentinel to the Microsoft Defender portal?
#[derive(Debug, Parser)]
#[command(name = "socready", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace). `SOCREADY_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Collect a read-only snapshot of the tenant (ARM + Microsoft Graph).
    Collect(CollectArgs),
    /// Evaluate the rules against a snapshot (or a live collection) and write reports.
    Scan(ScanArgs),
    /// List the rules or explain one.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Work with snapshot files.
    Snapshot {
        #[command(subcommand)]
        command: SnapshotCommand,
    },
    /// What changed between two scans: findings opened/closed, verdicts, resources.
    Diff(DiffArgs),
    /// Scan every snapshot in a directory and write one summary plus a report per tenant.
    Portfolio(PortfolioArgs),
    /// Who can onboard, connect, view, query, investigate — per workspace, with the reason.
    Access(crate::commands::access::AccessArgs),
    /// Print shell completions.
    Completions {
        /// The shell to generate completions for.
        shell: clap_complete::Shell,
    },
}

/// Options of a live collection (shared by `collect` and `scan` without `--snapshot`).
#[derive(Debug, Args, Clone)]
pub struct LiveArgs {
    /// Tenant id to sign in to.
    #[arg(long, env = "AZURE_TENANT_ID")]
    pub tenant: Option<String>,
    /// Only these subscriptions (repeatable); default: every subscription the identity can see.
    #[arg(long = "subscription", value_name = "ID")]
    pub subscriptions: Vec<String>,
    /// How to sign in.
    #[arg(long, value_enum, default_value = "auto")]
    pub auth: AuthMethod,
    /// Azure Resource Manager endpoint (sovereign clouds, tests).
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://management.azure.com"
    )]
    pub arm_endpoint: String,
    /// Microsoft Graph endpoint (sovereign clouds, tests).
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://graph.microsoft.com"
    )]
    pub graph_endpoint: String,
    /// Maximum requests in flight.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub live: LiveArgs,
    /// Workspaces whose Sentinel data is collected even when Sentinel does not look enabled.
    #[arg(long = "workspace", value_name = "ID")]
    pub workspaces: Vec<String>,
    /// Also collect the group memberships of this principal.
    #[arg(long, value_name = "PRINCIPAL_ID")]
    pub operator: Option<String>,
    /// Replace names, UPNs and e-mails with stable pseudonyms before writing.
    #[arg(long)]
    pub redact: bool,
    /// Where to write the snapshot.
    #[arg(short = 'o', long = "output", value_name = "SNAPSHOT.json")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Snapshot file to evaluate; without it, the tenant is collected live first.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub live: LiveArgs,
    /// Where to keep the live snapshot (live scans only).
    #[arg(long, value_name = "FILE", conflicts_with = "snapshot")]
    pub save_snapshot: Option<PathBuf>,
    /// Rule directory overriding the built-in rules.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Only evaluate these workspaces (ARM id, or a unique name). Repeatable.
    #[arg(long = "workspace", value_name = "ID")]
    pub workspaces: Vec<String>,
    /// One workspace designated for connection, or a primary with secondaries.
    #[arg(long, value_enum)]
    pub workspace_mode: Option<WorkspaceMode>,
    /// The primary workspace in multi mode (ARM id or unique name).
    #[arg(long, value_name = "ID")]
    pub primary: Option<String>,
    /// The principal who will onboard and connect (narrows SOC005 and SOC006).
    #[arg(long, value_name = "PRINCIPAL_ID")]
    pub operator: Option<String>,
    /// Unified SecOps (with Defender XDR) or Sentinel in the Defender portal only.
    #[arg(long, value_enum)]
    pub target: Option<Target>,
    /// Output formats (repeatable). Default: table; with --out-dir, every format.
    #[arg(long = "format", short = 'f', value_enum, value_name = "FORMAT")]
    pub formats: Vec<Format>,
    /// Write each format to its file in this directory (socready.json, socready.sarif, ...).
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    pub out_dir: Option<PathBuf>,
    /// Write the single format to this file (`-` for stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit non-zero for failures at or above this threshold (default: `fail-on` in the
    /// config, else blocking).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Config file (default: ./socready.toml when it exists).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore ./socready.toml.
    #[arg(long)]
    pub no_config: bool,
    /// A previous JSON report: classify findings as new, unchanged or fixed.
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,
    /// Gate the exit code only on findings that are new against --baseline.
    #[arg(long, requires = "baseline")]
    pub fail_on_new: bool,
    /// Warn about waivers expiring within this many days (default: the config's
    /// `expiry-warning-days`, else 14; 0 turns the warning off).
    #[arg(long, value_name = "DAYS")]
    pub expiry_warning_days: Option<u32>,
    /// Also report passing checks in SARIF.
    #[arg(long)]
    pub sarif_include_pass: bool,
    /// Colour in the terminal table.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier scan: a socready JSON report or a snapshot.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The later scan: a socready JSON report or a snapshot.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Output format.
    #[arg(long = "format", short = 'f', value_enum, default_value = "table")]
    pub format: DiffFormat,
    /// Write to this file instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Rule directory overriding the built-in rules (when scanning snapshots).
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct PortfolioArgs {
    /// Directory of snapshots (*.json; other files are skipped with a note).
    #[arg(value_name = "SNAPSHOT_DIR")]
    pub dir: PathBuf,
    /// Where to write portfolio.{html,md,json} and one report directory per tenant.
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Rule directory overriding the built-in rules.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Unified SecOps (with Defender XDR) or Sentinel in the Defender portal only.
    #[arg(long, value_enum)]
    pub target: Option<Target>,
    /// Threshold for each tenant's exit code (in portfolio.json and the tenant's reports).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule.
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: TextOrJson,
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
    },
    /// Why a rule matters, how to fix it, its parameters and references.
    Explain {
        /// Rule id (SOC001) or name (xdr-license).
        id: String,
        #[arg(long, value_enum, default_value = "table")]
        format: TextOrJson,
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
    },
    /// Write one Markdown page per rule and an index into DIR (the repository keeps them in
    /// docs/rules).
    Docs {
        /// Directory to write the pages to.
        dir: PathBuf,
        /// Only check that the pages in DIR are up to date (exit 1 if not); write nothing.
        #[arg(long)]
        check: bool,
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// Print the JSON Schema of the snapshot format.
    Schema,
    /// Check a snapshot file against the format.
    Validate { file: PathBuf },
    /// Replace names, UPNs and e-mails with stable pseudonyms so the snapshot can be shared.
    Redact {
        input: PathBuf,
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: PathBuf,
    },
}
