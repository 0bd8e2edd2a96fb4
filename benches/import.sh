#!/usr/bin/env bash
# Imports a generated 100,000-row Ko-fi export into a fresh database with the release binary,
# and prints rows/s and the process's peak resident memory; then imports it again (nothing to
# change) and times that too.
# Usage: bash benches/import.sh [rows] [database URL]   (default 100000, a SQLite file)
# A PostgreSQL URL must name an empty database.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export COFFER_DATABASE_URL=${2:-sqlite://$work/bench.sqlite3} RUST_LOG=warn
file=$work/kofi.csv
# 10,000 supporters, each giving ten times; a BOM, CRLF and a quoted name with a comma.
awk -v rows="$rows" 'BEGIN {
    printf "\xef\xbb\xbfDateTime (UTC),From,Message,Item,Received,Given,Currency,TransactionType,TransactionId,Reference,BuyerEmail,PaymentProvider\r\n";
    for (i = 1; i <= rows; i++) {
        d = i % 10000;
        day = 1 + i % 28; month = 1 + int(i / 28) % 12;
        printf "2024-%02d-%02d 12:%02d:00,\"Supporter %d, Esq.\",\"Thanks, again\",,%d.%02d,%d.%02d,EUR,Donation,kofi-%d,,supporter%d@example.org,Stripe\r\n",
            month, day, i % 60, d, 1 + i % 50, i % 100, 1 + i % 50, i % 100, i, d;
    }
}' > "$file"
./target/release/coffer migrate >/dev/null
size=$(du -h "$file" | cut -f1)
measure() {
    /usr/bin/time -v ./target/release/coffer import kofi "$file" >"$work/report.txt" 2>"$work/time.txt"
    elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
    seconds=$(echo "$elapsed" | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    awk -v label="$1" -v rows="$rows" -v s="$seconds" -v rss="$rss" \
        'BEGIN { printf "%-28s %8.2f s %10.0f rows/s   peak RSS %6.1f MiB\n", label, s, rows / s, rss / 1024 }'
}
echo "file: $rows rows, $size ($COFFER_DATABASE_URL)"
measure "first import"
head -4 "$work/report.txt"
measure "second import (no changes)"
