//! Any text as `socready.toml`: a clear error or a config that applies to the rules.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use socready::engine::rules::{self, Rule};

fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| rules::load_embedded().expect("embedded rules"))
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(config) = socready::config::parse("fuzz.toml", text, rules())
    {
        drop(config.apply_to_rules(rules().to_vec()));
    }
});
