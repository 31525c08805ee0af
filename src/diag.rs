//! Small helpers for pointing at places in input files (line/column from byte offsets).

/// 1-based line and column of a byte offset in `text` (columns count characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Longest line a diagnostic quotes; a longer one (a minified or hostile file) would flood the
/// terminal, so such errors give file:line:col and the message without the snippet.
pub const MAX_QUOTED_LINE: usize = 1000;

/// Whether the line holding byte `offset` is short enough to quote (see [`MAX_QUOTED_LINE`]).
pub fn quotable(text: &str, offset: usize) -> bool {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let start = bytes[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let end = bytes[offset..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| offset + i);
    end - start <= MAX_QUOTED_LINE
}

/// Byte offset of a 1-based (line, column) in `text`, for errors that report lines, not offsets.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col_bytes: usize = l
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            return offset + col_bytes;
        }
        offset += l.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_round_trips() {
        let t = "ab\ncdé\nf";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 5), (2, 3));
        assert_eq!(offset_of(t, 2, 3), 5);
        assert_eq!(offset_of(t, 9, 1), t.len());
    }
}
