//! Problems in a config file: each one a diagnostic labelled at its span (file:line:col), all
//! of a file's problems reported together (the first, with the others as related).

use std::ops::Range;

use toml::Spanned;

use super::ConfigError;

/// One problem in a config file, pointing at the place.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{path}:{line}:{column}: {message}")]
#[diagnostic(code(socready::config::invalid), help("{help}"))]
pub struct ConfigProblem {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: String,
    #[source_code]
    src: miette::NamedSource<String>,
    #[label("here")]
    span: miette::SourceSpan,
    /// The other problems of the same file.
    #[related]
    pub(super) more: Vec<ConfigProblem>,
}

/// Collects problems so the whole file is reported at once.
pub(super) struct Problems<'a> {
    pub(super) path: &'a str,
    pub(super) text: &'a str,
    pub(super) list: Vec<ConfigProblem>,
}

impl Problems<'_> {
    pub(super) fn push(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let (line, column) = crate::diag::line_col(self.text, span.start);
        self.list.push(ConfigProblem {
            path: self.path.to_string(),
            line,
            column,
            message: message.into(),
            help: help.into(),
            src: miette::NamedSource::new(self.path, self.text.to_string()),
            span: (span.start, span.end.saturating_sub(span.start)).into(),
            more: Vec::new(),
        });
    }

    pub(super) fn location(&self, span: &Range<usize>) -> String {
        let (line, column) = crate::diag::line_col(self.text, span.start);
        format!("{}:{line}:{column}", self.path)
    }

    /// A required, non-empty string; records a problem when blank.
    pub(super) fn text_of(&mut self, s: &Spanned<String>, what: &str) -> String {
        let v = s.get_ref().trim().to_string();
        if v.is_empty() {
            self.push(
                s.span(),
                format!("{what} is empty"),
                format!("give the {what}"),
            );
        }
        v
    }

    pub(super) fn finish<T>(mut self, value: T) -> Result<T, ConfigError> {
        if self.list.is_empty() {
            return Ok(value);
        }
        self.list.sort_by_key(|p| (p.line, p.column));
        let mut first = self.list.remove(0);
        first.more = self.list;
        Err(ConfigError::Invalid(Box::new(first)))
    }
}
