//! Reading a snapshot file: encoding, syntax, schema version and shape, each with a clear error.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::{Deserializer as _, IgnoredAny, MapAccess, Visitor};

use super::prescan::prescan;
use super::resource::SharedSource;
use super::{SUPPORTED_SCHEMAS, Snapshot};

/// Why a snapshot could not be loaded. Every variant maps to exit code 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SnapshotError {
    #[error("cannot read snapshot {path}: {source}")]
    #[diagnostic(code(socready::snapshot::io))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: invalid JSON: {message}{excerpt}")]
    #[diagnostic(
        code(socready::snapshot::syntax),
        help("the file is not valid JSON; was it truncated or edited by hand?")
    )]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
        excerpt: String,
    },
    #[error("{path}: unsupported snapshot schema {found:?}; supported: {}", SUPPORTED_SCHEMAS.join(", "))]
    #[diagnostic(
        code(socready::snapshot::schema_version),
        help(
            "collect the snapshot again with this version of socready, or use the version that wrote it"
        )
    )]
    Version { path: String, found: String },
    #[error("{path}:{line}:{column}: field `{field}`: {message}")]
    #[diagnostic(
        code(socready::snapshot::shape),
        help("see `socready snapshot schema` for the expected shape")
    )]
    Shape {
        path: String,
        field: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: field `{field}`: {message}")]
    #[diagnostic(
        code(socready::snapshot::invalid),
        help("see `socready snapshot schema` for the expected shape")
    )]
    Invalid {
        path: String,
        field: String,
        message: String,
    },
}

/// A snapshot file as loaded: the snapshot and the SHA-256 of the file's bytes (reports name
/// the exact file they were computed from). The bytes themselves are not kept.
#[derive(Debug)]
pub struct Loaded {
    pub snapshot: Snapshot,
    pub sha256: String,
}

/// Loads and checks a snapshot file.
pub fn load_file(path: &Path) -> Result<Loaded, SnapshotError> {
    let bytes = std::fs::read(path).map_err(|source| SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    load_bytes(&path.display().to_string(), bytes)
}

/// Loads a snapshot from its bytes (a file's, or a live collection's); `name` is used in error
/// messages. The text is kept, shared by the resources (see `Resource`), not copied.
pub fn load_bytes(name: &str, bytes: Vec<u8>) -> Result<Loaded, SnapshotError> {
    let file = match String::from_utf8(bytes) {
        Ok(text) => Arc::new(text),
        Err(e) => return Err(not_utf8(name, e.as_bytes())),
    };
    // Hashing a large file takes as long as parsing it: both at once.
    let (sha256, snapshot) = rayon::join(
        || sha256_hex(file.as_bytes()),
        || load_text(name, strip_bom(&file), Some(&file)),
    );
    Ok(Loaded {
        snapshot: snapshot?,
        sha256,
    })
}

/// Lower-case hex SHA-256 of a snapshot's bytes.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Loads a snapshot from text; `name` is used in error messages.
pub fn load_str(name: &str, text: &str) -> Result<Snapshot, SnapshotError> {
    load_text(name, strip_bom(text), None)
}

/// Windows editors add a BOM; JSON forbids it but users should not have to care.
fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// The error for bytes that are not UTF-8, at the first bad byte.
fn not_utf8(name: &str, bytes: &[u8]) -> SnapshotError {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let valid = std::str::from_utf8(bytes)
        .err()
        .map_or(0, |e| e.valid_up_to());
    let (line, column) =
        crate::diag::line_col(std::str::from_utf8(&bytes[..valid]).unwrap_or(""), valid);
    SnapshotError::Syntax {
        path: name.to_string(),
        line,
        column,
        message: "the file is not valid UTF-8".to_string(),
        excerpt: String::new(),
    }
}

/// Loads from `text`; with `file` (whose text `text` is), resources share it.
fn load_text(
    name: &str,
    text: &str,
    file: Option<&Arc<String>>,
) -> Result<Snapshot, SnapshotError> {
    // Resources are kept as raw text, which serde_json captures without the checks a full parse
    // makes; `prescan` makes them, on the other core while the parse runs, and its error wins.
    let (scanned, parsed) = rayon::join(
        || prescan(name, text),
        || {
            let _shared = file.map(|f| SharedSource::new(f.clone()));
            parse(name, text)
        },
    );
    scanned?;
    let snap = parsed?;
    validate(name, &snap)?;
    Ok(snap)
}

/// The typed parse. The version is checked before the shape: a future format should say
/// "unsupported version", not "unexpected field"; the top-level `schema` is read on its own
/// only when the parse fails (a parse that succeeds has it as a string).
fn parse(name: &str, text: &str) -> Result<Snapshot, SnapshotError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let shape_error = match serde_path_to_error::deserialize::<_, Snapshot>(&mut de) {
        Ok(snap) => {
            return match SUPPORTED_SCHEMAS.contains(&snap.schema.as_str()) {
                true => Ok(snap),
                false => Err(SnapshotError::Version {
                    path: name.to_string(),
                    found: snap.schema,
                }),
            };
        }
        Err(e) => {
            let field = e.path().to_string();
            let inner = e.into_inner();
            SnapshotError::Shape {
                path: name.to_string(),
                field,
                line: inner.line(),
                column: inner.column(),
                message: strip_position(&inner.to_string()),
            }
        }
    };
    let head = read_head(text).map_err(|e| not_an_object(name, text, &e))?;
    Err(match head.schema {
        Some(serde_json::Value::String(s)) if SUPPORTED_SCHEMAS.contains(&s.as_str()) => {
            shape_error
        }
        Some(serde_json::Value::String(s)) => SnapshotError::Version {
            path: name.to_string(),
            found: s,
        },
        Some(other) => SnapshotError::Version {
            path: name.to_string(),
            found: other.to_string(),
        },
        None => SnapshotError::Invalid {
            path: name.to_string(),
            field: "schema".to_string(),
            message: format!(
                "missing; a snapshot starts with \"schema\": \"{}\"",
                SUPPORTED_SCHEMAS[0]
            ),
        },
    })
}

/// The top-level `schema` value, read in a pass that skips everything else without building it.
struct Head {
    schema: Option<serde_json::Value>,
}

fn read_head(text: &str) -> Result<Head, serde_json::Error> {
    struct HeadVisitor;
    impl<'de> Visitor<'de> for HeadVisitor {
        type Value = Head;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Head, A::Error> {
            let mut schema = None;
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == "schema" && schema.is_none() {
                    schema = Some(map.next_value()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(Head { schema })
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let head = (&mut de).deserialize_map(HeadVisitor)?;
    de.end()?;
    Ok(head)
}

/// Valid JSON that is not an object (`null`, `[]`, ...) is not "invalid JSON": say what it is.
fn not_an_object(name: &str, text: &str, e: &serde_json::Error) -> SnapshotError {
    let found = match text.trim_start().chars().next() {
        _ if !e.is_data() => return syntax(name, text, e),
        Some('n') => "null",
        Some('[') => "an array",
        Some('"') => "a string",
        Some('t' | 'f') => "a boolean",
        Some('{') => return syntax(name, text, e),
        _ => "a number",
    };
    SnapshotError::Invalid {
        path: name.to_string(),
        field: "(document)".to_string(),
        message: format!(
            "the file holds {found}; a snapshot is a JSON object starting with \"schema\": \"{}\"",
            SUPPORTED_SCHEMAS[0]
        ),
    }
}

fn syntax(name: &str, text: &str, e: &serde_json::Error) -> SnapshotError {
    let line_text = text.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
    let excerpt = excerpt(line_text, e.column());
    SnapshotError::Syntax {
        path: name.to_string(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
        excerpt,
    }
}

/// Up to 60 characters of the offending line around the column, so a one-line 100 MB file
/// does not flood the terminal (serde_json columns count bytes; only the window is read).
pub(super) fn excerpt(line: &str, column: usize) -> String {
    if line.is_empty() {
        return String::new();
    }
    let mut col = column.saturating_sub(1).min(line.len());
    while !line.is_char_boundary(col) {
        col -= 1;
    }
    let mut before: Vec<char> = line[..col].chars().rev().take(30).collect();
    before.reverse();
    let snippet: String = before
        .into_iter()
        .chain(line[col..].chars().take(30))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("\n  near: {snippet}")
}

/// serde_json appends " at line X column Y"; the error already says where.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Checks that need more than types: ids the engine keys on must be present.
fn validate(name: &str, snap: &Snapshot) -> Result<(), SnapshotError> {
    let invalid = |field: String, message: &str| SnapshotError::Invalid {
        path: name.to_string(),
        field,
        message: message.to_string(),
    };
    if snap.tenant.id.trim().is_empty() {
        return Err(invalid("tenant.id".into(), "must be the tenant GUID"));
    }
    if let Some(az) = &snap.azure {
        for (i, s) in az.subscriptions.iter().flatten().enumerate() {
            let has_id = super::str_at(&s.subscription, "subscriptionId").is_some()
                || super::str_at(&s.subscription, "id").is_some();
            if !has_id {
                return Err(invalid(
                    format!("azure.subscriptions[{i}].subscription.subscriptionId"),
                    "missing: each subscription needs its `id` or `subscriptionId`",
                ));
            }
        }
        for (i, w) in az.workspaces.iter().flatten().enumerate() {
            if super::str_at(&w.workspace, "id").is_none() {
                return Err(invalid(
                    format!("azure.workspaces[{i}].workspace.id"),
                    "missing: each workspace needs its ARM `id`",
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: &str = r#"{"schema":"socready.snapshot/v1","tenant":{"id":"t"}}"#;

    #[test]
    fn minimal_snapshot_loads_with_nothing_collected() {
        let s = load_str("x.json", MIN).unwrap();
        assert!(s.graph.is_none() && s.azure.is_none() && s.errors.is_empty());
    }

    #[test]
    fn truncated_json_names_line_and_column() {
        let err = load_str(
            "x.json",
            "{\n  \"schema\": \"socready.snapshot/v1\",\n  \"tenant\": {",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("x.json:3:"), "{err}");
    }

    #[test]
    fn wrong_schema_lists_supported_versions() {
        let err = load_str(
            "x.json",
            r#"{"schema":"socready.snapshot/v9","tenant":{"id":"t"}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("v9") && err.contains("socready.snapshot/v1"),
            "{err}"
        );
    }

    #[test]
    fn wrong_type_names_the_field() {
        let text = r#"{"schema":"socready.snapshot/v1","tenant":{"id":"t"},
            "azure":{"workspaces":[{"workspace":{"id":"/w"},"dataConnectors":{}}]}}"#;
        let err = load_str("x.json", text).unwrap_err().to_string();
        assert!(err.contains("azure.workspaces[0].dataConnectors"), "{err}");
        assert!(err.contains("x.json:2:"), "{err}");
    }

    #[test]
    fn bom_is_accepted_and_invalid_utf8_is_an_error() {
        let mut b = b"\xEF\xBB\xBF".to_vec();
        b.extend_from_slice(MIN.as_bytes());
        assert!(load_bytes("x", b).is_ok());
        let bad = b"{\"schema\":\"\xff\"}";
        assert!(
            load_bytes("x", bad.to_vec())
                .unwrap_err()
                .to_string()
                .contains("UTF-8")
        );
    }

    #[test]
    fn null_collection_means_not_collected() {
        let text = r#"{"schema":"socready.snapshot/v1","tenant":{"id":"t"},"graph":{"subscribedSkus":null}}"#;
        let s = load_str("x", text).unwrap();
        assert!(s.graph.unwrap().subscribed_skus.is_none());
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let text = r#"{"schema":"socready.snapshot/v1","tenant":{"id":"t"},"tenant":{"id":"u"}}"#;
        assert!(
            load_str("x", text)
                .unwrap_err()
                .to_string()
                .contains("duplicate")
        );
    }
}
