//! One raw ARM or Graph object as a loaded snapshot holds it: the exact JSON text it was read
//! from, parsed into a `serde_json::Value` only when something first looks inside.
//!
//! Why: a large tenant's snapshot is mostly role assignments, and as `Value` trees they take
//! about 4.5 times the file's size. Keeping the text costs at most the file's size; the RBAC
//! index reads the few fields it needs straight from the text (see [`Resource::raw_json`]), and
//! every other check sees a `Value` through `Deref` exactly as before.
//!
//! A snapshot loaded from a file shares that file's text: each resource is a range of it, so
//! loading does not hold the file and a copy of it at the same time. serde has no way to hand a
//! `Deserialize` impl the buffer it reads, so the loader names it for the duration of its parse
//! ([`SharedSource`]); anything else deserialises resources into their own copies.

use std::cell::RefCell;
use std::fmt;
use std::ops::{Deref, Range};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// A raw resource; dereferences to its parsed `Value`.
pub struct Resource {
    text: Text,
    parsed: OnceLock<Value>,
}

enum Text {
    /// A range of the snapshot file's text.
    Shared(Arc<String>, Range<usize>),
    /// Its own copy.
    Owned(Box<RawValue>),
}

impl Resource {
    /// The JSON text exactly as the snapshot holds it.
    pub fn raw_json(&self) -> &str {
        match &self.text {
            Text::Shared(file, range) => file.get(range.clone()).unwrap_or("null"),
            Text::Owned(raw) => raw.get(),
        }
    }

    /// The parsed value (parsed on first call, then kept).
    pub fn value(&self) -> &Value {
        self.parsed.get_or_init(|| parse(self.raw_json()))
    }

    /// Whether the value has been parsed (for tests of the memory-saving path).
    pub fn is_parsed(&self) -> bool {
        self.parsed.get().is_some()
    }
}

thread_local! {
    static SOURCE: RefCell<Option<Arc<String>>> = const { RefCell::new(None) };
}

/// While alive, resources deserialised on this thread from `file`'s text borrow ranges of it
/// instead of copying. The deserializer must read `file` itself (`serde_json::from_str`).
pub(super) struct SharedSource(());

impl SharedSource {
    pub(super) fn new(file: Arc<String>) -> Self {
        SOURCE.with(|s| *s.borrow_mut() = Some(file));
        SharedSource(())
    }
}

impl Drop for SharedSource {
    fn drop(&mut self) {
        SOURCE.with(|s| *s.borrow_mut() = None);
    }
}

/// The loader accepted the text as JSON and checked what a parse would refuse (nesting depth,
/// number range, surrogates), so parsing it again cannot fail; `Null` is a defensive answer
/// that reads as "field missing" everywhere.
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
        Resource {
            text: Text::Owned(raw),
            parsed,
        }
    }
}

impl Clone for Resource {
    fn clone(&self) -> Self {
        let parsed = OnceLock::new();
        if let Some(v) = self.parsed.get() {
            let _ = parsed.set(v.clone());
        }
        let text = match &self.text {
            Text::Shared(file, range) => Text::Shared(file.clone(), range.clone()),
            Text::Owned(raw) => Text::Owned(raw.clone()),
        };
        Resource { text, parsed }
    }
}

impl fmt::Debug for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.raw_json())
    }
}

impl PartialEq for Resource {
    fn eq(&self, other: &Self) -> bool {
        self.raw_json() == other.raw_json() || self.value() == other.value()
    }
}

impl<'de> Deserialize<'de> for Resource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = match SOURCE.with(|s| s.borrow().clone()) {
            Some(file) => {
                let raw = <&'de RawValue>::deserialize(d)?;
                let (base, at) = (file.as_ptr() as usize, raw.get().as_ptr() as usize);
                let start = at.wrapping_sub(base);
                let end = start.wrapping_add(raw.get().len());
                // Only a range of the named file is shared; text read from anywhere else is
                // copied.
                match at >= base && end <= file.len() {
                    true => Text::Shared(file, start..end),
                    false => Text::Owned(raw.to_owned()),
                }
            }
            None => Text::Owned(Box::<RawValue>::deserialize(d)?),
        };
        Ok(Resource {
            text,
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
            None => parse(self.raw_json()).serialize(s),
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
    fn resources_read_from_a_named_source_share_its_text() {
        let file = Arc::new(r#"[{"a": 1}, {"b": [2]}]"#.to_string());
        let list: Vec<Resource> = {
            let _source = SharedSource::new(file.clone());
            serde_json::from_str(&file).unwrap()
        };
        assert!(matches!(list[0].text, Text::Shared(..)));
        assert_eq!(list[1].raw_json(), r#"{"b": [2]}"#);
        assert_eq!(list[1]["b"][0], 2);
        // Text that is not the named file's is copied; outside the guard, everything is.
        let other = r#"[{"c": 3}]"#.to_string();
        let copied: Vec<Resource> = {
            let _source = SharedSource::new(file.clone());
            serde_json::from_str(&other).unwrap()
        };
        assert!(matches!(copied[0].text, Text::Owned(_)));
        let plain: Vec<Resource> = serde_json::from_str(&file).unwrap();
        assert!(matches!(plain[0].text, Text::Owned(_)));
        assert_eq!(plain, list);
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
