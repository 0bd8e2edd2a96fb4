#!/usr/bin/env bash
# Measures the public wall against a trivial endpoint in one run, plus the server's memory.
# Usage: bash benches/wall.sh [seconds per endpoint] [database URL]
# Needs wrk (apt-get install -y wrk). Reports ratios, which hold across machines better than
# absolute figures.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
cargo build --release --quiet
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
port=18089
export COFFER_DATABASE_URL=${2:-sqlite://$work/bench.sqlite3}
export COFFER_BIND=127.0.0.1:$port RUST_LOG=warn
./target/release/coffer demo --donors 200 >/dev/null
./target/release/coffer serve >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
rss_idle=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)

rate() {
    wrk -t2 -c32 -d"${seconds}s" --latency "http://127.0.0.1:$port$1" |
        awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {printf "%s %s\n", rps, p99}'
}
printf '%-20s %12s %10s %8s\n' endpoint "req/s" "p99" "ratio"
# The baseline is a static file: no database, no template.
read -r base base_p99 < <(rate /static/coffer.css)
printf '%-20s %12.0f %10s %8s\n' /static/coffer.css "$base" "$base_p99" 1.00
for path in /healthz / /api/v1/sponsors /api/v1/summary; do
    read -r rps p99 < <(rate "$path")
    printf '%-20s %12.0f %10s %8.2f\n' "$path" "$rps" "$p99" "$(echo "$rps / $base" | bc -l)"
done
rss_peak=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
echo "memory: ${rss_idle} KiB resident idle, ${rss_peak} KiB peak under load (200 demo donors)"
