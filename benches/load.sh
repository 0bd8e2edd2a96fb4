#!/usr/bin/env bash
# Coffer at the size of a large instance: 10,000 donors and 1,000,000 ledger entries.
# Usage: bash benches/load.sh [sqlite|postgres URL] [seconds per endpoint]
#   sqlite (the default) seeds a fresh SQLite file; a postgres://… URL must name an empty
#   database. Needs wrk (apt-get install -y wrk) and python3.
# Prints the seeding time; req/s, p50 and p99 per endpoint as a ratio to a static file served by
# the same process, first with no writes and then while a writer posts 10 donations a second;
# the writer's p99 and errors; the wall's rebuild time at 10k and at 1M entries; peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-sqlite}
seconds=${2:-10}
donors=${BENCH_DONORS:-10000}
entries=${BENCH_ENTRIES:-1000000}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
cargo build --release --quiet
bin=$PWD/target/release/coffer
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
port=18090
export COFFER_BIND=127.0.0.1:$port RUST_LOG=warn
case "$target" in
    sqlite) url="sqlite://$work/large.sqlite3"; small_url="sqlite://$work/small.sqlite3" ;;
    postgres://*|postgresql://*) url="$target"; small_url="" ;;
    *) echo "bench: give sqlite or a postgres:// URL" >&2; exit 2 ;;
esac

echo "== seeding $donors donors and $entries entries ($target)"
COFFER_DATABASE_URL=$url "$bin" demo --donors "$donors" --entries "$entries"

echo "== wall rebuild time"
COFFER_DATABASE_URL=$url "$bin" stats
if [ -n "$small_url" ]; then
    COFFER_DATABASE_URL=$small_url "$bin" demo --donors "$donors" --entries "$donors" >/dev/null
    COFFER_DATABASE_URL=$small_url "$bin" stats
else
    echo "(for the rebuild at $donors entries on PostgreSQL, run: BENCH_ENTRIES=$donors bash benches/load.sh URL-of-another-empty-db)"
fi

COFFER_DATABASE_URL=$url "$bin" serve >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/api/v1/summary" >/dev/null && break; sleep 0.2; done
token=$(COFFER_DATABASE_URL=$url "$bin" token create bench 2>/dev/null)
donor=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/admin/donors" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["donors"][0]["id"])')

measure() { # path -> "req/s p50 p99 errors"
    wrk -t2 -c64 -d"${seconds}s" --latency -H 'Accept-Encoding: gzip, br' "http://127.0.0.1:$port$1" |
        awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
             /Non-2xx|Socket errors/ {err=err" "$0} END {printf "%s %s %s %s\n", rps, p50, p99, (err ? "errors" : "-")}'
}

run_round() { # label, writer? (yes|no)
    echo
    echo "== $1"
    printf '%-20s %10s %9s %9s %7s %s\n' endpoint "req/s" p50 p99 ratio errors
    local base=""
    for path in /static/coffer.css /healthz / /api/v1/sponsors /api/v1/summary; do
        local writer_pid=""
        if [ "$2" = yes ]; then
            python3 benches/writer.py "http://127.0.0.1:$port" "$token" "$donor" 10 "$seconds" >"$work/writer-${path//\//_}" &
            writer_pid=$!
        fi
        read -r rps p50 p99 errors < <(measure "$path")
        [ -n "$writer_pid" ] && wait "$writer_pid"
        [ -z "$base" ] && base=$rps
        printf '%-20s %10.0f %9s %9s %7.2f %s\n' "$path" "$rps" "$p50" "$p99" "$(echo "$rps / $base" | bc -l)" "$errors"
        if [ "$2" = yes ]; then
            read -r sent werr wp50 wp99 <"$work/writer-${path//\//_}"
            printf '%-20s %s donations posted, %s errors, p50 %s ms, p99 %s ms\n' "  writer" "$sent" "$werr" "$wp50" "$wp99"
        fi
    done
}

run_round "reads only" no
run_round "reads while a writer posts 10 donations a second" yes
echo
echo "peak RSS: $(awk '/VmHWM/ {print $2}' /proc/$pid/status) KiB"
curl -sf "http://127.0.0.1:$port/metrics" | grep -E '^coffer_wall_rebuild_seconds_(sum|count)|^coffer_wall_rebuilds_total' || true
