#!/usr/bin/env bash
# Coffer at the size of a large instance: 10,000 donors and 1,000,000 ledger entries.
# Usage: bash benches/load.sh [sqlite|postgres URL] [seconds per endpoint]
#   sqlite (the default) seeds fresh SQLite files. A postgres://… URL names a server (and a
#   database to connect to for administration, e.g. postgres://postgres@127.0.0.1:5432/postgres):
#   the bench creates two fresh databases on it, coffer_bench_large and coffer_bench_small, and
#   drops them at the end. Needs wrk (apt-get install -y wrk), python3, and psql for PostgreSQL.
# Prints the seeding time; the wall's rebuild time at 1M and at 10k entries (same donors);
# req/s, p50 and p99 per endpoint and as a ratio to a static file served by the same process,
# first with no writes and then while a writer posts 10 donations a second; the writer's p50,
# p99 and errors; the server's peak RSS. As a stronger anchor, the very bytes of `/` (as Coffer
# sends them gzipped) are served as a file by Debian's nginx (/usr/sbin/nginx, gzip_static, two
# workers, no access log, unprivileged under the bench's temporary folder), loaded with the same
# wrk asking for gzip, and Coffer's cached pages are printed as a ratio to it.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-sqlite}
seconds=${2:-10}
donors=${BENCH_DONORS:-10000}
entries=${BENCH_ENTRIES:-1000000}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
nginx=${BENCH_NGINX:-/usr/sbin/nginx}
[ -x "$nginx" ] || { echo "bench: $nginx is not there (apt-get install -y nginx-light)" >&2; exit 1; }
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/coffer
work=$(mktemp -d)
pid=""
nginx_pid=""
admin_url=""
cleanup() {
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    if [ -n "$admin_url" ]; then
        for db in coffer_bench_large coffer_bench_small; do
            psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
        done
    fi
    rm -rf "$work"
}
trap cleanup EXIT
port=${BENCH_PORT:-18090}
export COFFER_BIND=127.0.0.1:$port RUST_LOG=warn
case "$target" in
    sqlite) url="sqlite://$work/large.sqlite3"; small_url="sqlite://$work/small.sqlite3" ;;
    postgres://*|postgresql://*)
        command -v psql >/dev/null || { echo "bench: psql is needed to create the bench databases" >&2; exit 1; }
        admin_url=$target
        # The same server and options, another database name.
        with_db() { python3 -c 'import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$admin_url" "$1"; }
        for db in coffer_bench_large coffer_bench_small; do
            psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
        done
        url=$(with_db coffer_bench_large); small_url=$(with_db coffer_bench_small) ;;
    *) echo "bench: give sqlite or a postgres:// URL" >&2; exit 2 ;;
esac

echo "== seeding $donors donors and $entries entries ($target)"
COFFER_DATABASE_URL=$url "$bin" demo --donors "$donors" --entries "$entries"

echo "== wall rebuild time, at $entries and at $donors entries (same donors)"
COFFER_DATABASE_URL=$url "$bin" stats
COFFER_DATABASE_URL=$small_url "$bin" demo --donors "$donors" --entries "$donors" >/dev/null
COFFER_DATABASE_URL=$small_url "$bin" stats
if [ -n "$admin_url" ]; then
    # Write the load's dirty pages out now, not in a checkpoint during the measurement (where
    # every commit's fsync would queue behind it). Needs a superuser; skipped otherwise.
    psql -q "$url" -c CHECKPOINT >/dev/null 2>&1 || echo "(CHECKPOINT skipped: not a superuser)"
fi

# The server gets a session of its own, as it has under systemd or in a container. In the
# shell's session it would share one scheduling group (autogroup) with wrk, and its database
# round trips would queue behind wrk's threads: PostgreSQL posts then stalled for 1-5 s, and
# pgbench's `SELECT 1` from that session for up to 4 s.
COFFER_DATABASE_URL=$url setsid "$bin" serve >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/api/v1/summary" >/dev/null && break; sleep 0.2; done
# setsid runs the server in place (a background job of a script leads no process group), so
# $pid is the server itself, whose memory is read below.
[ "$(cat /proc/$pid/comm 2>/dev/null)" = coffer ] || { echo "bench: the server is not process $pid" >&2; exit 1; }
token=$(COFFER_DATABASE_URL=$url "$bin" token create bench 2>/dev/null)
rss_idle=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
donor=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/admin/donors" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["donors"][0]["id"])')

measure_output() { # wrk --latency's output -> "req/s p50 p99 errors"
    awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
         /Non-2xx|Socket errors/ {err=err" "$0} END {printf "%s %s %s %s\n", rps, p50, p99, (err ? "errors" : "-")}'
}

measure() { # path [wrk options...] -> "req/s p50 p99 errors"; by default the readers' load
    local path=$1
    shift
    [ $# -gt 0 ] || set -- -t2 -c64 -d"${seconds}s" -H 'Accept-Encoding: gzip, br'
    wrk "$@" --latency "http://127.0.0.1:$port$path" | measure_output
}

run_round() { # label, writer? (yes|no)
    echo
    echo "== $1"
    printf '%-20s %10s %9s %9s %7s %s\n' endpoint "req/s" p50 p99 ratio errors
    local base=""
    for path in /static/coffer.css /healthz / /api/v1/sponsors /api/v1/summary /transparency /api/v1/transparency /sponsors.svg /badge.svg /feed.atom; do
        local writer_pid=""
        if [ "$2" = yes ]; then
            python3 benches/writer.py "http://127.0.0.1:$port" "$token" "$donor" 10 "$seconds" "$work/writer-all" >"$work/writer-${path//\//_}" &
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
    if [ "$2" = yes ]; then
        # About 80 posts per endpoint make each line's p99 its slowest post; over the whole
        # phase the p99 is a percentile again.
        sort -n "$work/writer-all" | awk '{ms[NR] = $1} END {
            printf "writer, whole phase: %d donations, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                NR, ms[int(NR * 0.5) + 1], ms[int(NR * 0.99) + 1], ms[NR] }'
    fi
}

run_round "reads only" no

# The stronger anchor: nginx serving the bytes of `/` as a precompressed file. Whatever Coffer's
# req/s falls short of it is Coffer's own per-request work (routing, the request log line,
# metrics, headers, ETag matching), since both send the same bytes.
nginx_round() {
    local ngx=$work/nginx
    mkdir -p "$ngx/www" "$ngx/tmp"
    curl -sf -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/" -o "$ngx/www/index.html.gz"
    gzip -dc "$ngx/www/index.html.gz" >"$ngx/www/index.html"
    # Run as root, nginx's workers drop to `nobody`: they must be able to read the files
    # under mktemp's private folder.
    chmod a+rx "$work" "$ngx" "$ngx/www"
    chmod a+r "$ngx/www/index.html" "$ngx/www/index.html.gz"
    local ngx_port
    ngx_port=${BENCH_NGINX_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
    cat >"$ngx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $ngx/tmp/body;
    proxy_temp_path $ngx/tmp/proxy;
    fastcgi_temp_path $ngx/tmp/fastcgi;
    uwsgi_temp_path $ngx/tmp/uwsgi;
    scgi_temp_path $ngx/tmp/scgi;
    default_type text/html;
    gzip_static on;
    server {
        listen 127.0.0.1:$ngx_port;
        root $ngx/www;
        index index.html;
    }
}
CONF
    # Its own session, like the server's.
    setsid "$nginx" -p "$ngx" -c "$ngx/nginx.conf" 2>>"$ngx/error.log" &
    nginx_pid=$!
    for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$ngx_port/" >/dev/null && break; sleep 0.1; done
    curl -sf -H 'Accept-Encoding: gzip' "http://127.0.0.1:$ngx_port/" | cmp -s - "$ngx/www/index.html.gz" ||
        { echo "bench: nginx does not serve the bytes of / gzipped" >&2; cat "$ngx/error.log" >&2; exit 1; }
    local gzip_only=(-t2 -c64 -d"${seconds}s" -H 'Accept-Encoding: gzip')
    echo
    echo "== against nginx $("$nginx" -v 2>&1 | sed 's|.*/||') serving the bytes of / ($(stat -c %s "$ngx/www/index.html.gz") bytes gzipped; wrk -t2 -c64, gzip)"
    printf '%-20s %10s %9s %9s %7s %s\n' endpoint "req/s" p50 p99 ratio errors
    # nginx before and after Coffer's pages; the ratio is to the mean of the two.
    read -r ngx_before p50 p99 errors < <(wrk "${gzip_only[@]}" --latency "http://127.0.0.1:$ngx_port/" | measure_output)
    printf '%-20s %10.0f %9s %9s %7s %s\n' "nginx /" "$ngx_before" "$p50" "$p99" "" "$errors"
    local results=()
    for path in / /transparency /sponsors.svg /badge.svg; do
        results+=("$path $(measure "$path" "${gzip_only[@]}")")
    done
    read -r ngx_after p50 p99 errors < <(wrk "${gzip_only[@]}" --latency "http://127.0.0.1:$ngx_port/" | measure_output)
    printf '%-20s %10.0f %9s %9s %7s %s\n' "nginx / (again)" "$ngx_after" "$p50" "$p99" "" "$errors"
    local base
    base=$(echo "($ngx_before + $ngx_after) / 2" | bc -l)
    for line in "${results[@]}"; do
        read -r path rps p50 p99 errors <<<"$line"
        printf '%-20s %10.0f %9s %9s %7.2f %s\n' "$path" "$rps" "$p50" "$p99" "$(echo "$rps / $base" | bc -l)" "$errors"
    done
    kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
    nginx_pid=""
}
nginx_round

run_round "reads while a writer posts 10 donations a second" yes

# Ledger pages by key: the 19,000th page of 50 (a cursor that far back) against the first, and a
# donor's detail (with their latest 100 entries) against the first page.
echo
echo "== ledger pages (wrk -t1 -c4, with the treasurer's token)"
first=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/admin/ledger" |
    python3 -c 'import json,sys; e=json.load(sys.stdin)["entries"]; print(e[0]["id"], len(e))')
read -r newest per_page <<<"$first"
deep_cursor=$((newest - 18999 * per_page))
[ "$deep_cursor" -gt 1 ] || deep_cursor=2
printf '%-44s %10s %9s %9s %12s\n' page "req/s" p50 p99 "cost ratio"
first_rps=""
for path in /api/v1/admin/ledger "/api/v1/admin/ledger?cursor=$deep_cursor" "/api/v1/admin/donors/$donor"; do
    read -r rps p50 p99 errors < <(measure "$path" -t1 -c4 -d"$(( seconds / 2 > 2 ? seconds / 2 : 2 ))s" \
        -H "Authorization: Bearer $token")
    [ -z "$first_rps" ] && first_rps=$rps
    # Cost per request relative to the first page: the inverse of the throughput ratio.
    printf '%-44s %10.0f %9s %9s %12.2f %s\n' "$path" "$rps" "$p50" "$p99" "$(echo "$first_rps / $rps" | bc -l)" "$errors"
done
echo
echo "RSS: $rss_idle KiB idle after the first build; peak $(awk '/VmHWM/ {print $2}' /proc/$pid/status) KiB;" \
    "now $(awk '/RssAnon/ {a=$2} /RssFile/ {f=$2} END {print a " KiB heap and stacks + " f " KiB mapped files"}' /proc/$pid/status)"
curl -sf "http://127.0.0.1:$port/metrics" | grep -E '^coffer_wall_rebuild_seconds_(sum|count)|^coffer_wall_rebuilds_total' || true
