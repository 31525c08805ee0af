//! The portfolio summary in three forms: HTML (minijinja template `reports/portfolio.html`,
//! auto-escaped, self-contained with a hash-based Content-Security-Policy), Markdown and the
//! terminal table. Everything from a snapshot is escaped; only our CSS is marked safe.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::{Row, Skipped};

const TEMPLATE: &str = include_str!("../../../reports/portfolio.html");
const CSS: &str = include_str!("../../../reports/portfolio.css");

pub(super) fn html(
    rows: &[Row],
    skipped: &[Skipped],
    generated_at: &str,
    target: &str,
) -> Result<String, minijinja::Error> {
    let mut env = crate::report::html::escaping_environment();
    env.add_template("portfolio.html", TEMPLATE)?;
    let count = |v: &str| rows.iter().filter(|r| r.verdict == v).count();
    env.get_template("portfolio.html")?.render(minijinja::context! {
        tenants => to_value(serde_json::to_value(rows).unwrap_or_default()),
        skipped => to_value(serde_json::to_value(skipped).unwrap_or_default()),
        generated_at => generated_at,
        target => target,
        tool_version => env!("CARGO_PKG_VERSION"),
        counts => minijinja::context! {
            ready => count("ready"), not_ready => count("not_ready"), incomplete => count("incomplete"),
        },
        css => minijinja::Value::from_safe_string(CSS.to_string()),
        csp => format!(
            "default-src 'none'; style-src 'sha256-{}'; base-uri 'none'; form-action 'none'",
            base64(&Sha256::digest(CSS.as_bytes()))
        ),
    })
}

/// JSON to a template value (minijinja's serde support is not enabled in this crate).
fn to_value(v: serde_json::Value) -> minijinja::Value {
    use serde_json::Value as J;
    match v {
        J::Null => minijinja::Value::from(()),
        J::Bool(b) => minijinja::Value::from(b),
        J::Number(n) => match n.as_i64() {
            Some(i) => minijinja::Value::from(i),
            None => minijinja::Value::from(n.to_string()),
        },
        J::String(s) => minijinja::Value::from(s),
        J::Array(a) => a.into_iter().map(to_value).collect(),
        J::Object(o) => minijinja::Value::from_object(
            o.into_iter()
                .map(|(k, v)| (k, to_value(v)))
                .collect::<BTreeMap<String, minijinja::Value>>(),
        ),
    }
}

pub(super) fn markdown(rows: &[Row], skipped: &[Skipped]) -> String {
    use crate::report::markdown::cell;
    let mut s = format!(
        "# Defender portal readiness — portfolio\n\n{} tenant(s). ",
        rows.len()
    );
    s.push_str("Blocking counts are non-waived findings of rules labelled blocking.\n\n");
    s.push_str("| Tenant | Verdict | Workspaces | Blocking fail | Blocking unknown | Waived | Collected | Report |\n");
    s.push_str("|---|---|---|---:|---:|---:|---|---|\n");
    for r in rows {
        let tenant = r.tenant_name.as_deref().unwrap_or(&r.tenant_id);
        let ws = if r.workspaces.is_empty() {
            "no Sentinel workspace".to_string()
        } else {
            r.workspaces
                .iter()
                .map(|w| format!("{}: {}", cell(&w.name), w.verdict_title))
                .collect::<Vec<_>>()
                .join("<br>")
        };
        s.push_str(&format!(
            "| {} (`{}`) | {} | {ws} | {} | {} | {} | {} | [HTML]({d}/socready.html) · [Markdown]({d}/socready.md) · [JSON]({d}/socready.json) |\n",
            cell(tenant),
            cell(&r.tenant_id).replace('`', "'"),
            r.verdict_title,
            r.counts.blocking_fail,
            r.counts.blocking_unknown,
            r.counts.waived,
            cell(r.collected_at.as_deref().unwrap_or("unknown")),
            d = r.dir,
        ));
    }
    if !skipped.is_empty() {
        s.push_str("\n## Files skipped\n\n");
        for k in skipped {
            s.push_str(&format!("- {}: {}\n", cell(&k.file), cell(&k.reason)));
        }
    }
    s
}

pub(super) fn terminal(rows: &[Row], skipped: &[Skipped]) -> String {
    use crate::report::terminal::clean;
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_width(160)
        .force_no_tty()
        .set_header(vec![
            "Tenant",
            "Verdict",
            "Blocking fail",
            "Blocking unknown",
            "Report",
        ]);
    for r in rows {
        t.add_row(vec![
            clean(r.tenant_name.as_deref().unwrap_or(&r.tenant_id)),
            r.verdict_title.to_string(),
            r.counts.blocking_fail.to_string(),
            r.counts.blocking_unknown.to_string(),
            format!("{}/socready.html", r.dir),
        ]);
    }
    let mut s = format!("{t}\n");
    for k in skipped {
        s.push_str(&format!(
            "skipped {}: {}\n",
            clean(&k.file),
            clean(&k.reason)
        ));
    }
    s
}

/// Standard base64 (RFC 4648, with padding), for the CSP hash.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                s.push('=');
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
