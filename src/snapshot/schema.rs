//! The JSON Schema of the snapshot format, shipped with the binary (`socready snapshot schema`).
//!
//! The loader enforces the same shape with clearer errors; the schema is for other tools and
//! for tests that check every fixture against the published contract.

/// JSON Schema (draft 2020-12) of `socready.snapshot/v1`.
pub const SNAPSHOT_SCHEMA: &str = include_str!("snapshot.schema.json");
