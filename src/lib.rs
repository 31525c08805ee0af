//! socready: is a Microsoft tenant ready to connect Microsoft Sentinel to the Microsoft Defender
//! portal (unified security operations)? What blocks it, who can fix it, what will change?
//!
//! Data flows one way: [`collect`] → [`snapshot`] → [`engine`] (rules × scopes, in parallel) →
//! [`finding`]s → [`report`] renderers. Checks never do I/O; reports never evaluate.

pub mod checks;
pub mod cli;
pub mod collect;
pub mod commands;
pub mod config;
pub mod diag;
pub mod engine;
pub mod finding;
pub mod rbac;
pub mod report;
pub mod snapshot;
