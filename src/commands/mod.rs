//! The commands behind the CLI: each reads its inputs, calls the library, writes outputs.
//!
//! Errors are collected into [`AppError`], whose `exit_code` is the only place exit codes for
//! bad input (2) and failed collection (4) are decided.

pub mod access;
mod collect;
mod diff;
mod output;
mod portfolio;
mod rule_docs;
mod rules;
mod scan;
mod snapshot;

use crate::cli::{Cli, Command};

/// Everything that can stop a command. Findings are not errors: they set the exit code of a
/// successful scan.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AppError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Snapshot(#[from] crate::snapshot::SnapshotError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Rules(#[from] crate::engine::rules::RuleFileError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Scope(#[from] crate::engine::scopes::ScopeError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Collect(#[from] crate::collect::CollectError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Baseline(#[from] crate::engine::baseline::BaselineError),
    #[error("{0}")]
    #[diagnostic(code(socready::usage))]
    Usage(String),
    #[error("cannot write {path}: {source}")]
    #[diagnostic(code(socready::io))]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl AppError {
    /// The reader of our output went away (`socready ... | head`): not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, AppError::Write { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// DESIGN §4: 4 when collection could not start, 2 for every other bad input.
    pub fn exit_code(&self) -> i32 {
        match self {
            AppError::Collect(_) => 4,
            _ => 2,
        }
    }
}

/// Runs a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32, AppError> {
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Collect(args) => collect::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Portfolio(args) => portfolio::run(args),
        Command::Rules { command } => rules::run(command),
        Command::Snapshot { command } => snapshot::run(command),
        Command::Access(args) => access::run(args),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "socready", &mut std::io::stdout());
            Ok(0)
        }
    }
}
