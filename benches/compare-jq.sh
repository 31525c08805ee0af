#!/usr/bin/env bash
# End-to-end: socready scan (SARIF + JSON + HTML) against `jq -c .` on synthetic tenants of
# several sizes, in the same run. Prints time and peak RSS of both (GNU time).
#
#   bash benches/compare-jq.sh [SCALE...]     (default: 0.25 0.5 1 2)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v jq >/dev/null || { echo "needs jq" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time)" >&2; exit 2; }
scales=("$@")
[ ${#scales[@]} -gt 0 ] || scales=(0.25 0.5 1 2)
work="${TMPDIR:-/tmp}/socready-bench"
mkdir -p "$work"
cargo build --release --quiet
bin=target/release/socready
printf '%-6s %10s %10s %10s %8s %12s %12s\n' scale bytes jq_s scan_s ratio jq_rss_kb scan_rss_kb
for s in "${scales[@]}"; do
  snap="$work/tenant-$s.json"
  [ -s "$snap" ] || cargo bench --quiet --bench gen_tenant -- "$snap" "$s" 2>/dev/null
  /usr/bin/time -o "$work/jq.t" -f "%e %M" jq -c . "$snap" >/dev/null
  rm -rf "$work/out-$s"
  /usr/bin/time -o "$work/scan.t" -f "%e %M" "$bin" scan --snapshot "$snap" --workspace-mode multi \
    --primary law-0-0 --format sarif --format json --format html --out-dir "$work/out-$s" >/dev/null 2>&1 || true
  read -r jq_s jq_kb < <(tail -1 "$work/jq.t")
  read -r sc_s sc_kb < <(tail -1 "$work/scan.t")
  ratio=$(awk -v a="$sc_s" -v b="$jq_s" 'BEGIN { printf "%.2f", a / b }')
  printf '%-6s %10s %10s %10s %8s %12s %12s\n' "$s" "$(stat -c %s "$snap")" "$jq_s" "$sc_s" "$ratio" "$jq_kb" "$sc_kb"
done
