#!/usr/bin/env bash
# Benchmark of the one-query customer profile: seeds a demo database, starts the release
# server on it and loads it with the nested profile query (pages of 20 and 100 customers,
# 16 concurrent clients). Prints req/s, p50/p99, SQL statements per request, server memory.
#
#   bash bench/profile.sh                       # SQLite, 10,000 customers
#   CUSTOMERS=2000 SECONDS_PER_PAGE=5 bash bench/profile.sh
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench bash bench/profile.sh   # an empty PostgreSQL database
#   SEEDED=1 BENCH_DATABASE_URL=... bash bench/profile.sh   # a database seeded already by
#       `isp-billing seed-demo --customers N` (a SQLite file's path, or PostgreSQL's URL): to
#       compare two builds on the same data, run it once on each
set -euo pipefail
cd "$(dirname "$0")/.."
# Cargo profile to build and run: release (default) or dist (the packaged build, fat LTO).
PROFILE=${PROFILE:-release}
CUSTOMERS=${CUSTOMERS:-10000}
SECONDS_PER_PAGE=${SECONDS_PER_PAGE:-10}
PORT=${PORT:-8077}

cargo build --profile "$PROFILE" --quiet --bin isp-billing --example bench_profile
workdir=$(mktemp -d)
export DATABASE_URL=${BENCH_DATABASE_URL:-$workdir/bench.db}
# Benchmarks measure the API alone: no billing run starts under them.
export ISP_BILLING_CYCLE=false
export ISP_ADMIN_PASSWORD=bench-admin-password
if [ "${SEEDED:-0}" = 1 ]; then
    echo "seeded before: $DATABASE_URL"
else
    target/$PROFILE/isp-billing seed-demo --customers "$CUSTOMERS" 2>/dev/null
fi

RUST_LOG=warn ISP_BIND=127.0.0.1:$PORT target/$PROFILE/isp-billing serve &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$workdir"' EXIT
for _ in $(seq 1 50); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.2
done
echo "machine: $(nproc) cores; database: ${BENCH_DATABASE_URL:-SQLite file}; customers: $CUSTOMERS"
target/$PROFILE/examples/bench_profile --url "http://127.0.0.1:$PORT" --server-pid "$pid" \
    --pages 20,100 --concurrency 16 --seconds "$SECONDS_PER_PAGE"

# The same load from wrk (a C load generator: it takes less of the two cores from the server),
# when it is installed (Debian package `wrk`).
if command -v wrk >/dev/null; then
    login='{"query":"mutation { login(username: \"manager\", password: \"demo-password\") { token } }"}'
    TOKEN=$(curl -fs "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' -d "$login" \
        | sed -E 's/.*"token":"([^"]+)".*/\1/')
    export TOKEN
    statements() { curl -fs "http://127.0.0.1:$PORT/metrics" | awk '/^isp_db_statements_total/ {print $2}'; }
    # CPU clock ticks (utime + stime) of the server, and of every PostgreSQL process here.
    ticks() { awk '{ sub(/.*\) /, ""); t += $12 + $13 } END { print t + 0 }' "$@" 2>/dev/null; }
    # The same with the children waited for: PostgreSQL's backends that ended meanwhile count (in
    # the postmaster's cutime and cstime).
    pg_ticks() { awk '{ sub(/.*\) /, ""); t += $12 + $13 + $14 + $15 } END { print t + 0 }' "$@" 2>/dev/null; }
    postgres_stats() { for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2>/dev/null)" = postgres ] && echo "$p/stat"; done; }
    hz=$(getconf CLK_TCK)
    for page in 20 100; do
        before=$(statements); server_before=$(ticks /proc/$pid/stat); pg_before=$(pg_ticks $(postgres_stats) /dev/null)
        python3 bench/graphql_pages.py "http://127.0.0.1:$PORT/graphql" bench/profile.graphql customers "$page" "$TOKEN" \
            >"$workdir/pages-$page.jsonl"
        out=$(BODIES="$workdir/pages-$page.jsonl" LABEL="wrk page $page" \
            wrk -t2 -c16 -d"${SECONDS_PER_PAGE}s" -s bench/graphql_load.lua "http://127.0.0.1:$PORT")
        after=$(statements); server_after=$(ticks /proc/$pid/stat); pg_after=$(pg_ticks $(postgres_stats) /dev/null)
        requests=$(echo "$out" | awk '/requests in/ {print $1}')
        echo "$out" | grep '^wrk page'
        echo "  SQL statements/request: $(awk -v a="$after" -v b="$before" -v n="$requests" 'BEGIN { printf "%.1f", (a - b) / n }'), server $(grep -E 'VmRSS|VmHWM' /proc/$pid/status | tr -s ' \t\n' ' ')"
        awk -v s="$((server_after - server_before))" -v p="$((pg_after - pg_before))" -v n="$requests" -v hz="$hz" \
            'BEGIN { printf "  CPU ms/request: server %.2f + PostgreSQL %.2f = %.2f\n", s * 1000 / hz / n, p * 1000 / hz / n, (s + p) * 1000 / hz / n }'
    done
else
    echo "(install wrk, Debian package 'wrk', for the same load from a lighter client)"
fi
