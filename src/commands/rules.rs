//! `socready rules list | explain ID | docs DIR`.

use std::io::Write;

use comfy_table::{ContentArrangement, Table, presets};

use super::AppError;
use crate::cli::{RulesCommand, TextOrJson};
use crate::engine::rules::{self, Rule};

pub fn load(dir: Option<&std::path::Path>) -> Result<Vec<Rule>, AppError> {
    Ok(match dir {
        Some(d) => rules::load_dir(d)?,
        None => rules::load_embedded()?,
    })
}

pub fn run(cmd: RulesCommand) -> Result<i32, AppError> {
    let mut out = std::io::stdout().lock();
    let io = |e: std::io::Error| AppError::Write {
        path: "stdout".into(),
        source: e,
    };
    match cmd {
        RulesCommand::List { format, rules } => {
            let rules = load(rules.as_deref())?;
            match format {
                TextOrJson::Json => {
                    let v: Vec<_> = rules.iter().map(rule_json).collect();
                    writeln!(
                        out,
                        "{}",
                        serde_json::to_string_pretty(&v).unwrap_or_default()
                    )
                    .map_err(io)?;
                }
                TextOrJson::Table => {
                    let mut t = Table::new();
                    t.load_style(presets::UTF8_FULL_CONDENSED)
                        .set_content_arrangement(ContentArrangement::Dynamic)
                        .set_width(140)
                        .set_header(vec!["Id", "Name", "Severity", "Label", "Scope", "Summary"]);
                    for r in &rules {
                        t.add_row(vec![
                            &r.id,
                            &r.name,
                            r.severity.as_str(),
                            r.label.as_str(),
                            r.scope.as_str(),
                            &r.summary,
                        ]);
                    }
                    writeln!(out, "{t}").map_err(io)?;
                }
            }
        }
        RulesCommand::Explain { id, format, rules } => {
            let rules = load(rules.as_deref())?;
            let Some(rule) = rules
                .iter()
                .find(|r| r.id.eq_ignore_ascii_case(&id) || r.name.eq_ignore_ascii_case(&id))
            else {
                return Err(AppError::Usage(format!(
                    "no rule {id:?}; known rules: {}",
                    rules
                        .iter()
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            };
            match format {
                TextOrJson::Json => writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&rule_json(rule)).unwrap_or_default()
                )
                .map_err(io)?,
                TextOrJson::Table => out.write_all(explain_text(rule).as_bytes()).map_err(io)?,
            }
        }
        RulesCommand::Docs { dir, check, rules } => {
            let rules = load(rules.as_deref())?;
            return super::rule_docs::run(&rules, &dir, check);
        }
    }
    Ok(0)
}

fn rule_json(r: &Rule) -> serde_json::Value {
    serde_json::json!({
        "id": r.id, "name": r.name, "title": r.title, "summary": r.summary,
        "severity": r.severity.as_str(), "label": r.label.as_str(), "scope": r.scope.as_str(),
        "check": r.check, "since": r.since, "rationale": r.rationale.trim(),
        "remediation": r.remediation, "references": r.references,
        "params": serde_json::to_value(&r.params).unwrap_or_default(), "source": r.source,
    })
}

/// The `rules explain` page: summary, why, how to fix, parameters, references, file.
pub fn explain_text(r: &Rule) -> String {
    let mut s = format!("{} {} — {}\n", r.id, r.name, r.title);
    s.push_str(&format!(
        "severity {}, label {}, scope {}, since {}\n\n",
        r.severity,
        r.label,
        r.scope.as_str(),
        r.since
    ));
    s.push_str(&format!(
        "{}\n\nWhy it matters\n{}\n\nHow to fix it\n",
        r.summary,
        r.rationale.trim()
    ));
    s.push_str(&r.remediation_markdown());
    s.push_str("\nParameters\n");
    if r.params.is_empty() {
        s.push_str("(none)\n");
    } else {
        s.push_str(&toml::to_string_pretty(&r.params).unwrap_or_default());
    }
    s.push_str("\nReferences\n");
    for reference in &r.references {
        s.push_str(&format!("- {}: {}\n", reference.title, reference.url));
    }
    s.push_str(&format!("\nRule file: {}\n", r.source));
    s
}
