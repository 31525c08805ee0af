//! Typed values of `socready.toml` checked by hand, so each mistake gets its own message and
//! location: keywords, severities, dates, object ids, rule references.

use std::ops::Range;

use chrono::NaiveDate;
use toml::Spanned;

use super::DOCS;
use super::problems::Problems;
use crate::engine::rules::Rule;
use crate::finding::Severity;

/// A keyword value (`fail-on`, `target`, `mode`), with the accepted values in the message.
pub(super) fn choice<T: clap::ValueEnum>(
    p: &mut Problems<'_>,
    v: &Spanned<String>,
    key: &str,
) -> Option<T> {
    let found = T::from_str(v.get_ref().trim(), true).ok();
    if found.is_none() {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|x| {
                x.to_possible_value()
                    .map(|pv| format!("\"{}\"", pv.get_name()))
            })
            .collect();
        p.push(
            v.span(),
            format!(
                "{key} = {:?} is not one of {}",
                v.get_ref(),
                names.join(", ")
            ),
            DOCS,
        );
    }
    found
}

pub(super) fn severity(p: &mut Problems<'_>, v: &Spanned<String>) -> Option<Severity> {
    const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
    let found = ALL
        .into_iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(v.get_ref().trim()));
    if found.is_none() {
        p.push(
            v.span(),
            format!(
                "severity = {:?} is not one of critical, high, medium, low, info",
                v.get_ref()
            ),
            DOCS,
        );
    }
    found
}

/// `expires`: a TOML local date (`2026-12-31`) or a string of that form.
pub(super) fn date(p: &mut Problems<'_>, v: &Spanned<toml::Value>) -> Option<NaiveDate> {
    const HELP: &str = "write the last day the waiver holds as a date: expires = 2026-12-31";
    let parsed = match v.get_ref() {
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            dt.date.and_then(|d| {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            })
        }
        toml::Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
        toml::Value::Datetime(_) => {
            p.push(v.span(), "expires must be a date without a time", HELP);
            return None;
        }
        other => {
            p.push(
                v.span(),
                format!("expires must be a date, found a {}", other.type_str()),
                HELP,
            );
            return None;
        }
    };
    if parsed.is_none() {
        p.push(v.span(), "expires is not a valid date (YYYY-MM-DD)", HELP);
    }
    parsed
}

/// Entra object ids are GUIDs; a typo here would silently match nobody.
pub(super) fn principal_id(p: &mut Problems<'_>, s: &Spanned<String>, what: &str) -> String {
    let v = s.get_ref().trim().to_ascii_lowercase();
    if !is_guid(&v) {
        p.push(
            s.span(),
            format!("{what} {:?} is not an object id (GUID)", s.get_ref()),
            "use the Entra object id, e.g. 3f2a6a4e-0c1d-4e8b-9a57-2b1f6d0e9c11",
        );
    }
    v
}

pub(super) fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

pub(super) fn find_rule<'r>(rules: &'r [Rule], key: &str) -> Option<&'r Rule> {
    rules
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key))
}

pub(super) fn known_rules(rules: &[Rule]) -> String {
    let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    format!("known rules: {} (`socready rules list`)", ids.join(", "))
}

/// Span of `[rules.KEY]` (or `KEY` inside `[rules]`) in the text, for a clearer pointer.
pub(super) fn key_span(text: &str, key: &str) -> Option<Range<usize>> {
    for needle in [format!("rules.{key}"), format!("rules.\"{key}\"")] {
        if let Some(at) = text.find(&needle) {
            let start = at + "rules.".len();
            return Some(start..at + needle.len());
        }
    }
    None
}
