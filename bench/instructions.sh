#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind: unlike requests per second, the
# count does not depend on what else the machine is doing, so two builds (or two commits) can
# be compared on a busy machine. Seeds a small demo database, starts the server under
# callgrind, warms up, then counts the instructions of 30 s of the profile query (page 20) or of
# payments from 2 clients, and prints them per request. Needs valgrind (Debian: valgrind).
#
#   bash bench/instructions.sh                   # profile query, release build
#   PROFILE=dist bash bench/instructions.sh      # the same on the dist build
#   KIND=payments bash bench/instructions.sh     # createPayment
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-release}
KIND=${KIND:-profile}
PORT=${PORT:-8078}

cargo build --profile "$PROFILE" --quiet --bin isp-billing --example bench_profile --example bench_payments
BIN=target/$PROFILE/isp-billing
workdir=$(mktemp -d)
export DATABASE_URL=$workdir/bench.db ISP_ADMIN_PASSWORD=bench-admin-password
# Benchmarks measure the API alone: no billing run starts under them.
export ISP_BILLING_CYCLE=false
if [ "$KIND" = profile ]; then customers=2000; else customers=500; fi
"$BIN" seed-demo --customers "$customers" >/dev/null 2>&1
RUST_LOG=warn ISP_BIND=127.0.0.1:$PORT ISP_REQUEST_TIMEOUT_SECONDS=300 \
    valgrind --tool=callgrind --callgrind-out-file="$workdir/cg.%p" "$BIN" serve 2>"$workdir/valgrind.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$workdir"' EXIT
for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.5
done
load() {
    if [ "$KIND" = profile ]; then
        "target/$PROFILE/examples/bench_profile" --url "http://127.0.0.1:$PORT" --server-pid "$pid" \
            --pages 20 --concurrency 2 --seconds "$1"
    else
        "target/$PROFILE/examples/bench_payments" --url "http://127.0.0.1:$PORT" --server-pid "$pid" \
            --concurrency 2 --seconds "$1"
    fi
}
load 5 >/dev/null                      # warm-up: pool, caches, logins
callgrind_control -z "$pid" >/dev/null # count from here
out=$(load 30)
callgrind_control -d "$pid" >/dev/null # and to here
sleep 1
requests=$(echo "$out" | grep -oE '^(page  20|payments): [0-9]+' | grep -oE '[0-9]+$' | head -1)
total=$(grep -h '^summary:' "$workdir"/cg.*.1 | awk '{s += $2} END {print s}')
echo "$KIND, $PROFILE build: $requests requests, $total instructions, $((total / requests)) instructions/request"
