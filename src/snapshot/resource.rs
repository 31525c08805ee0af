//! One raw ARM or Graph object as a loaded snapshot holds it: the exact JSON text it was read
//! from, parsed into a `serde_json::Value` only when something first looks inside.
//!
//! Why: a large tenant's snapshot is mostly role assignments, and as `Value` trees they take
//! about 4.5 times the file's size. Keeping the text costs about the file's size; the RBAC index
//! reads the few fields it needs straight from the text (see [`Resource::raw_json`]), and every
//! other check sees a `Value` through `Deref` exactly as before.

use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// A raw resource; dereferences to its parsed `Value`.
pub struct Resource {
    raw: Box<RawValue>,
    parsed: OnceLock<Value>,
}

impl Resource {
    /// The JSON text exactly as the snapshot holds it.
    pub fn raw_json(&self) -> &str {
        self.raw.get()
    }

    /// The parsed value (parsed on first call, then kept).
    pub fn value(&self) -> &Value {
        self.parsed.get_or_init(|| parse(self.raw.get()))
    }

    /// Whether the value has been parsed (for tests of the memory-saving path).
    pub fn is_parsed(&self) -> bool {
        self.parsed.get().is_some()
    }
}

/// The loader accepted the text as JSON and checked its nesting depth, so parsing it again
/// cannot fail; `Null` is a defensive answer that reads as "field missing" everywhere.
fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

impl Deref for Resource {
    type Target = Value;
    fn deref(&self) -> &Value {
        self.value()
    }
}

impl From<Value> for Resource {
    fn from(value: Value) -> Self {
        // Serialising a `Value` cannot fail (its keys are strings); `null` keeps this total.
        let raw =
            serde_json::value::to_raw_value(&value).unwrap_or_else(|_| RawValue::NULL.to_owned());
        let parsed = OnceLock::new();
        let _ = parsed.set(value);
        Resource { raw, parsed }
    }
}

impl Clone for Resource {
    fn clone(&self) -> Self {
        let parsed = OnceLock::new();
        if let Some(v) = self.parsed.get() {
            let _ = parsed.set(v.clone());
        }
        Resource {
            raw: self.raw.clone(),
            parsed,
        }
    }
}

impl fmt::Debug for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.raw.get())
    }
}

impl PartialEq for Resource {
    fn eq(&self, other: &Self) -> bool {
        self.raw.get() == other.raw.get() || self.value() == other.value()
    }
}

impl<'de> Deserialize<'de> for Resource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Resource {
            raw: Box::<RawValue>::deserialize(d)?,
            parsed: OnceLock::new(),
        })
    }
}

impl Serialize for Resource {
    /// Written as a value, not as the raw text, so pretty-printed output stays uniformly
    /// indented; without a parsed copy the value is parsed for the write and dropped.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.parsed.get() {
            Some(v) => v.serialize(s),
            None => parse(self.raw.get()).serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_kept_and_parsed_on_demand() {
        let r: Resource = serde_json::from_str(r#" {"id": "/x", "n": [1, 2]} "#).unwrap();
        assert!(!r.is_parsed());
        assert_eq!(r.raw_json(), r#"{"id": "/x", "n": [1, 2]}"#);
        assert_eq!(r.get("id").and_then(Value::as_str), Some("/x"));
        assert!(r.is_parsed());
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"id":"/x","n":[1,2]}"#
        );
    }

    #[test]
    fn from_value_round_trips() {
        let v = serde_json::json!({"a": {"b": null}});
        let r = Resource::from(v.clone());
        assert_eq!(*r, v);
        let back: Resource = serde_json::from_str(r.raw_json()).unwrap();
        assert_eq!(back, r);
    }
}
