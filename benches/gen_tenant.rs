//! Writes the synthetic large tenant to a file:
//! `cargo bench --bench gen_tenant -- OUT.json [SCALE]` (scale 1 = the sizes).

mod synth;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Cargo passes `--bench` to bench targets; skip flags.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(out) = args.first() else {
        eprintln!("usage: cargo bench --bench gen_tenant -- OUT.json [SCALE]");
        return ExitCode::from(2);
    };
    let scale: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let value = synth::generate(scale);
    let file = std::fs::File::create(out).expect("create output file");
    serde_json::to_writer(std::io::BufWriter::new(file), &value).expect("write snapshot");
    eprintln!("wrote {out} (scale {scale})");
    ExitCode::SUCCESS
}
