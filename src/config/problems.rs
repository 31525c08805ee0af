//! Problems in a config file: each one a diagnostic labelled at its span (file:line:col), all
//! of a file's problems reported together (the first, with the others as related).

use std::ops::Range;
use std::sync::Arc;

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
    /// `None` when the line is too long to quote (`diag::MAX_QUOTED_LINE`).
    #[source_code]
    src: Option<miette::NamedSource<Arc<str>>>,
    #[label("here")]
    span: Option<miette::SourceSpan>,
    /// The other problems of the same file.
    #[related]
    pub(super) more: Vec<ConfigProblem>,
}

/// Collects problems so the whole file is reported at once.
pub(super) struct Problems<'a> {
    pub(super) path: &'a str,
    pub(super) text: &'a str,
    pub(super) list: Vec<ConfigProblem>,
    /// The text shared by every problem's snippet (one copy, however many problems).
    pub(super) shared: Option<Arc<str>>,
    /// Byte offsets of line starts, and the last (offset, column) looked up: with them a file
    /// of many entries resolves all its locations in linear time, not quadratic.
    pub(super) lines: Option<Vec<usize>>,
    pub(super) cursor: (usize, usize),
}

/// At most this many problems are shown; the rest are counted (a hostile file can hold millions).
const MAX_SHOWN: usize = 50;

impl Problems<'_> {
    pub(super) fn push(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let (line, column) = self.line_col(span.start);
        let starts = self.lines.as_deref().unwrap_or_default();
        let end = starts.get(line).copied().unwrap_or(self.text.len());
        let quote = end - starts[line - 1] <= crate::diag::MAX_QUOTED_LINE;
        let shared = self.shared.get_or_insert_with(|| self.text.into());
        self.list.push(ConfigProblem {
            path: self.path.to_string(),
            line,
            column,
            message: message.into(),
            help: help.into(),
            src: quote.then(|| miette::NamedSource::new(self.path, shared.clone())),
            span: quote.then(|| (span.start, span.end.saturating_sub(span.start)).into()),
            more: Vec::new(),
        });
    }

    pub(super) fn location(&mut self, span: &Range<usize>) -> String {
        let (line, column) = self.line_col(span.start);
        format!("{}:{line}:{column}", self.path)
    }

    /// 1-based line and column (in characters) of a byte offset, as `diag::line_col`.
    fn line_col(&mut self, offset: usize) -> (usize, usize) {
        let text = self.text;
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let starts = self.lines.get_or_insert_with(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let line = starts.partition_point(|&s| s <= offset);
        let start = starts[line - 1];
        let (from, column) = match self.cursor {
            (at, column) if at >= start && at <= offset && column > 0 => (at, column),
            _ => (start, 1),
        };
        let column = column + text[from..offset].chars().count();
        self.cursor = (offset, column);
        (line, column)
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
        let hidden = self.list.len().saturating_sub(MAX_SHOWN);
        self.list.truncate(MAX_SHOWN + 1);
        if hidden > 0
            && let Some(last) = self.list.last_mut()
        {
            last.message = format!("and {hidden} more problem(s) not shown");
            last.help = "fix the problems above and run again to see the rest".into();
        }
        let mut first = self.list.remove(0);
        first.more = self.list;
        Err(ConfigError::Invalid(Box::new(first)))
    }
}
