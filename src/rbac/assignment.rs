//! Role assignments and PIM eligibilities as the permission engine holds them: ids into the
//! tables of `index.rs`, text borrowed from the snapshot, read from each resource's JSON text
//! without building a `Value` (a large tenant has hundreds of thousands).

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value;
use serde_json::value::RawValue;

use super::index::{Tables, intern_lower};
use crate::engine::context::{Avail, last_segment, norm_id};
use crate::snapshot::Resource;

/// A role assignment or eligibility, normalised. Principals, roles and scopes are ids into the
/// tables of [`Rbac`]; text is borrowed from the snapshot where it can be.
#[derive(Clone, Debug)]
pub(crate) struct Assignment<'a> {
    pub(crate) principal: u32,
    pub(crate) principal_type: Option<Arc<str>>,
    /// Position in the role table.
    pub(crate) role: u32,
    /// Position in the scope table.
    pub(crate) scope: u32,
    pub(crate) condition: Option<Cow<'a, str>>,
    pub(crate) eligible: bool,
    /// Position in its snapshot list (`roleAssignments` or `roleEligibilities`).
    pub(crate) position: u32,
    pub(crate) id: Cow<'a, str>,
}

/// The fields of a raw assignment the index needs, read without building a `Value`.
struct AssignmentFields<'a> {
    id: Option<Cow<'a, str>>,
    principal_id: Option<Cow<'a, str>>,
    principal_type: Option<Cow<'a, str>>,
    role_definition_id: Option<Cow<'a, str>>,
    scope: Option<Cow<'a, str>>,
    /// `None`: absent or null; text as given, or the JSON of a non-string condition.
    condition: Option<Cow<'a, str>>,
}

impl<'a> AssignmentFields<'a> {
    /// Reads the fields from the resource's text; an object of unexpected shape (duplicate keys,
    /// `properties` not an object) is read from its parsed value instead, so both agree.
    fn read(r: &'a Resource) -> Option<Self> {
        Self::from_text(r.raw_json()).or_else(|| Self::from_value(r))
    }

    fn from_text(text: &'a str) -> Option<Self> {
        #[derive(serde::Deserialize)]
        struct Top<'a> {
            #[serde(borrow, default)]
            id: Option<&'a RawValue>,
            #[serde(borrow, default)]
            properties: Option<&'a RawValue>,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Props<'a> {
            #[serde(borrow, default)]
            principal_id: Option<&'a RawValue>,
            #[serde(borrow, default)]
            principal_type: Option<&'a RawValue>,
            #[serde(borrow, default)]
            role_definition_id: Option<&'a RawValue>,
            #[serde(borrow, default)]
            scope: Option<&'a RawValue>,
            #[serde(borrow, default)]
            condition: Option<&'a RawValue>,
        }
        let top: Top<'a> = serde_json::from_str(text).ok()?;
        // Missing properties: nothing to index (the Value path agrees).
        let props: Props<'a> = serde_json::from_str(top.properties?.get()).ok()?;
        Some(AssignmentFields {
            id: top.id.and_then(text_of),
            principal_id: props.principal_id.and_then(text_of),
            principal_type: props.principal_type.and_then(text_of),
            role_definition_id: props.role_definition_id.and_then(text_of),
            scope: props.scope.and_then(text_of),
            condition: props.condition.map(|c| {
                text_of(c).unwrap_or_else(|| {
                    let v: Value = serde_json::from_str(c.get()).unwrap_or(Value::Null);
                    Cow::Owned(v.to_string())
                })
            }),
        })
    }

    fn from_value(r: &'a Resource) -> Option<Self> {
        let a: &'a Value = r;
        let p = a.get("properties")?;
        let s = |k: &str| p.get(k).and_then(Value::as_str).map(Cow::Borrowed);
        Some(AssignmentFields {
            id: a.get("id").and_then(Value::as_str).map(Cow::Borrowed),
            principal_id: s("principalId"),
            principal_type: s("principalType"),
            role_definition_id: s("roleDefinitionId"),
            scope: s("scope"),
            condition: match p.get("condition") {
                None | Some(Value::Null) => None,
                Some(Value::String(c)) => Some(Cow::Borrowed(c.as_str())),
                Some(other) => Some(Cow::Owned(other.to_string())),
            },
        })
    }
}

/// A JSON string's text (borrowed unless it has escapes); `None` for any other JSON value.
fn text_of(raw: &RawValue) -> Option<Cow<'_, str>> {
    let t = raw.get();
    if !t.starts_with('"') {
        return None;
    }
    serde_json::from_str::<&str>(t)
        .map(Cow::Borrowed)
        .or_else(|_| serde_json::from_str::<String>(t).map(Cow::Owned))
        .ok()
}

/// Normalises a list of raw assignments (role assignments or eligibility instances).
pub(super) fn assignments<'a>(
    list: &Avail<'a>,
    eligible: bool,
    t: &mut Tables,
) -> Vec<Assignment<'a>> {
    let non_empty = |v: Option<Cow<'a, str>>| v.filter(|v| !v.trim().is_empty());
    list.items()
        .iter()
        .enumerate()
        .filter_map(|(j, r)| {
            let f = AssignmentFields::read(r)?;
            let principal = non_empty(f.principal_id)?;
            let role = last_segment(&non_empty(f.role_definition_id)?);
            let scope = norm_id(&non_empty(f.scope).or_else(|| f.id.clone())?);
            Some(Assignment {
                principal: intern_lower(&mut t.principals, &principal),
                principal_type: f.principal_type.map(|ty| {
                    let id = t.types.intern(&ty);
                    t.types.shared(id)
                }),
                role: t.roles.intern(&role),
                scope: t.scopes.intern(&scope),
                // A condition that is not a string cannot be read: keep it, so it restricts.
                condition: f.condition.filter(|c| !c.trim().is_empty()),
                eligible,
                position: u32::try_from(j).unwrap_or(u32::MAX),
                id: f.id.unwrap_or(Cow::Borrowed("")),
            })
        })
        .collect()
}
