//! The checks a parse into `serde_json::Value` makes but raw capture of resources does not:
//! one pass over the bytes before the snapshot is trusted.

use super::SnapshotError;

/// The deepest nesting serde_json's own parser accepts; deeper documents are refused.
const MAX_DEPTH: usize = 128;

/// What a parse into `serde_json::Value` would refuse but capturing resources as raw text
/// does not notice: nesting deeper than [`MAX_DEPTH`], numbers beyond `f64` (`1e400`) and
/// unpaired UTF-16 surrogates in `\u` escapes. Refused here, naming where, so a resource's
/// later parse cannot fail. Other syntax is left to the parser.
pub(super) fn prescan(name: &str, text: &str) -> Result<(), SnapshotError> {
    let bytes = text.as_bytes();
    let fail = |at: usize, message: String| {
        let (line, column) = crate::diag::line_col(text, at);
        let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
        Err(SnapshotError::Syntax {
            path: name.to_string(),
            line,
            column,
            message,
            excerpt: super::load::excerpt(line_text, column),
        })
    };
    let hex = |at: usize| -> Option<u16> {
        let digits = std::str::from_utf8(bytes.get(at..at + 4)?).ok()?;
        u16::from_str_radix(digits, 16).ok()
    };
    let (mut depth, mut i) = (0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        if bytes.get(i + 1) == Some(&b'u')
                            && let Some(unit) = hex(i + 2)
                        {
                            let paired = (0xD800..0xDC00).contains(&unit)
                                && bytes.get(i + 6..i + 8) == Some(b"\\u")
                                && hex(i + 8).is_some_and(|t| (0xDC00..0xE000).contains(&t));
                            if paired {
                                i += 12;
                                continue;
                            }
                            if (0xD800..0xE000).contains(&unit) {
                                return fail(i, "lone surrogate in hex escape".into());
                            }
                        }
                        i += 2;
                        continue;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return fail(
                        i,
                        format!("recursion limit exceeded: nested deeper than {MAX_DEPTH} levels"),
                    );
                }
                i += 1;
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let token = &text[start..i];
                // Integers always fit (as f64 at worst); only a float can overflow.
                let float = token.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'));
                if (float || token.len() > 300)
                    && token.parse::<f64>().is_ok_and(|f| f.is_infinite())
                {
                    return fail(start, "number out of range".into());
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::snapshot::load_str;

    #[test]
    fn what_raw_capture_would_let_through_is_refused() {
        let doc = |inner: &str| {
            format!(
                r#"{{"schema":"socready.snapshot/v1","tenant":{{"id":"t"}},"graph":{{"subscribedSkus":[{inner}]}}}}"#
            )
        };
        for (inner, says) in [
            (r#"{"n": 1e400}"#.to_string(), "out of range"),
            (r#"{"n": -2.5E+999}"#.to_string(), "out of range"),
            (r#"{"s": "\ud800x"}"#.to_string(), "surrogate"),
            (r#"{"s": "\udc00"}"#.to_string(), "surrogate"),
            (
                format!("{}{}", "[".repeat(200), "]".repeat(200)),
                "recursion limit",
            ),
        ] {
            let err = load_str("x.json", &doc(&inner)).unwrap_err().to_string();
            assert!(
                err.contains(says) && err.starts_with("x.json:1:"),
                "{inner}: {err}"
            );
        }
        for inner in [
            r#"{"n": 1e300, "i": -99999999999999999999999999999, "z": -0.0}"#,
            r#"{"s": "\ud83d\ude00 \\ud800 \"[[[\" é"}"#,
        ] {
            let s = load_str("x.json", &doc(inner)).unwrap();
            let sku = &s.graph.unwrap().subscribed_skus.unwrap()[0];
            assert!(sku.is_object(), "{inner} parses to an object: {sku:?}");
        }
    }
}
