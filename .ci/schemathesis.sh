#!/usr/bin/env bash
# Runs schemathesis against the real server on one backend, with every check including its
# positive and negative data checks; fails on any failure.
#
#   .ci/schemathesis.sh sqlite|postgres
#
# Needs the debug binary (cargo test or cargo build makes it; COFFER_BIN overrides its path),
# schemathesis in target/ci-tools/venv (installed here when missing), and for `postgres` a
# server at COFFER_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."

backend="${1:?usage: .ci/schemathesis.sh sqlite|postgres}"
log() { printf '\n==> %s\n' "$*"; }

bin="${COFFER_BIN:-${CARGO_TARGET_DIR:-target}/debug/coffer}"
[ -x "$bin" ] || { echo "no coffer binary at $bin (run cargo build)" >&2; exit 1; }

tools="$PWD/target/ci-tools"
venv="$tools/venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
    log "installing schemathesis"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4.3,<5'
fi
"$venv/bin/schemathesis" --version

work="$(mktemp -d)"
server_pid=""
database=""
admin_url="${COFFER_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    if [ -n "$database" ]; then psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

case "$backend" in
    sqlite)
        export COFFER_DATABASE_URL="sqlite://$work/coffer.sqlite3"
        ;;
    postgres)
        database="coffer_schemathesis_$$_$RANDOM"
        psql -q "$admin_url" -c "CREATE DATABASE $database" >/dev/null
        export COFFER_DATABASE_URL="${admin_url%/*}/$database"
        ;;
    *) echo "unknown backend $backend (sqlite or postgres)" >&2; exit 2 ;;
esac

port="${COFFER_SCHEMATHESIS_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
export COFFER_BIND="127.0.0.1:$port"
# Stripe configured, so that the webhook endpoint is live: schemathesis cannot sign an event, so
# every delivery it makes must be refused (400) and change nothing. The API base points at a
# closed port: nothing may ever reach it.
export COFFER_STRIPE_SECRET_KEY="sk_test_schemathesis"
export COFFER_STRIPE_WEBHOOK_SECRET="whsec_schemathesis"
export COFFER_STRIPE_API_BASE="http://127.0.0.1:9"
base="http://127.0.0.1:$port"

log "schemathesis on $backend ($base)"
"$bin" migrate >/dev/null
token="$("$bin" token create schemathesis)"
"$bin" demo --donors 20 >/dev/null
RUST_LOG="${RUST_LOG:-warn}" "$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
done
curl -fsS "$base/healthz" >/dev/null

status=0
"$venv/bin/schemathesis" --config-file .ci/schemathesis.toml run "$base/openapi.json" \
    --checks all \
    --header "Authorization: Bearer $token" \
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-40}" \
    --seed "${SCHEMATHESIS_SEED:-20261125}" \
    --workers 1 \
    --generation-database none \
    --no-color \
    --report junit --report-dir "${SCHEMATHESIS_REPORT_DIR:-target/schemathesis/$backend}" \
    || status=$?

if grep -q "request failed" "$work/server.log"; then
    echo "the server logged errors:" >&2
    grep "request failed" "$work/server.log" | head -20 >&2
    status=1
fi
exit "$status"
