//! Input generators for the fuzz tests: byte edits, arbitrary JSON and TOML values, and ways to
//! address and replace a node of a JSON document or a TOML table.

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

/// Byte-level edits: (what, where, byte). `what`: 0 replace, 1 insert, 2 delete, 3 truncate.
pub fn byte_edits() -> impl Strategy<Value = Vec<(u8, Index, u8)>> {
    proptest::collection::vec((0u8..4, any::<Index>(), any::<u8>()), 1..8)
}

pub fn mutate(mut bytes: Vec<u8>, edits: &[(u8, Index, u8)]) -> Vec<u8> {
    for (what, at, byte) in edits {
        if bytes.is_empty() {
            break;
        }
        let i = at.index(bytes.len());
        match what {
            0 => bytes[i] = *byte,
            1 => bytes.insert(i, *byte),
            2 => drop(bytes.remove(i)),
            _ => bytes.truncate(i),
        }
    }
    bytes
}

/// Arbitrary JSON, a few levels deep, with odd strings and numbers.
pub fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
        "[\\x00-\\x1f\\u{202e}<>&\"'{}%|`]{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Arbitrary TOML values, NaN and infinities included (TOML has them).
pub fn arb_toml() -> impl Strategy<Value = toml::Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(toml::Value::Boolean),
        any::<i64>().prop_map(toml::Value::Integer),
        prop_oneof![
            any::<f64>(),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(-0.0)
        ]
        .prop_map(toml::Value::Float),
        "\\PC{0,12}".prop_map(toml::Value::String),
    ];
    leaf.prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(toml::Value::Array),
            proptest::collection::btree_map("[a-z_]{1,8}", inner, 0..3)
                .prop_map(|m| toml::Value::Table(m.into_iter().collect())),
        ]
    })
}

/// Every JSON Pointer in `v` (the root excluded).
pub fn json_pointers(v: &Value, at: String, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match v {
        Value::Object(o) => o
            .iter()
            .map(|(k, c)| (k.replace('~', "~0").replace('/', "~1"), c))
            .collect(),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, c)| (i.to_string(), c))
            .collect(),
        _ => return,
    };
    for (k, c) in children {
        let p = format!("{at}/{k}");
        out.push(p.clone());
        json_pointers(c, p, out);
    }
}

/// Every key path in a TOML table.
pub fn toml_paths(t: &toml::Table, at: &[String], out: &mut Vec<Vec<String>>) {
    for (k, v) in t {
        let mut p = at.to_vec();
        p.push(k.clone());
        out.push(p.clone());
        if let toml::Value::Table(inner) = v {
            toml_paths(inner, &p, out);
        }
    }
}

/// Replaces (or with `None` removes) the value at `path`.
pub fn toml_set(t: &mut toml::Table, path: &[String], value: Option<toml::Value>) {
    let (last, parents) = path.split_last().unwrap();
    let mut cur = t;
    for p in parents {
        match cur.get_mut(p) {
            Some(toml::Value::Table(inner)) => cur = inner,
            _ => return,
        }
    }
    match value {
        Some(v) => drop(cur.insert(last.clone(), v)),
        None => drop(cur.remove(last)),
    }
}
