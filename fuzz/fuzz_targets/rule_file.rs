//! Any text as a rule file: a clear error or a rule (never a panic).
#![no_main]

use libfuzzer_sys::fuzz_target;
use socready::engine::rules;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = rules::parse_rule("rules/SOC001-xdr-license.toml", text);
    }
});
