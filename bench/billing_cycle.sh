#!/usr/bin/env bash
# Benchmark of a renewal day: seeds a demo database whose every customer renews automatically
# with the current period ending today (`seed-demo --renewal-day`), starts the release server
# with the daily run off, and times runBillingCycle for today, then the same date again. The
# profile query is timed from 2 clients while the server is idle and again during the first
# run (p50/p99), to show how the API fares while the cycle works. After the first run it prints
# the SQL statements and rows written per renewal, and the floor: the same rows inserted by one
# prepared INSERT each in one transaction (bench/floor.py), to show how far the run is from it.
#
#   bash bench/billing_cycle.sh                     # SQLite, 10,000 customers
#   CUSTOMERS=100000 bash bench/billing_cycle.sh
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench bash bench/billing_cycle.sh
#   SEEDED=1 BENCH_DATABASE_URL=... bash bench/billing_cycle.sh   # a database seeded already, the
#       same day, by `isp-billing seed-demo --renewal-day --customers N` (a million takes long
#       to seed: copy it with CREATE DATABASE run TEMPLATE seeded to run it more than once)
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-release}
CUSTOMERS=${CUSTOMERS:-10000}
PORT=${PORT:-8079}
# Seconds of profile queries, idle and during the run (figures "during the run" are only that
# when the run outlasts them).
LOAD_SECONDS=${LOAD_SECONDS:-5}

cargo build --profile "$PROFILE" --quiet --bin isp-billing --example bench_profile
workdir=$(mktemp -d)
export DATABASE_URL=${BENCH_DATABASE_URL:-$workdir/bench.db}
export ISP_BILLING_CYCLE=false
export ISP_ADMIN_PASSWORD=bench-admin-password
if [ "${SEEDED:-0}" = 1 ]; then
    echo "seeded before: $DATABASE_URL"
else
    target/$PROFILE/isp-billing seed-demo --renewal-day --customers "$CUSTOMERS" 2>/dev/null | grep '^seeded'
fi
# A run of 100,000 customers takes longer than one request may: allow it.
RUST_LOG=warn ISP_REQUEST_TIMEOUT_SECONDS=600 ISP_BIND=127.0.0.1:$PORT target/$PROFILE/isp-billing serve &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$workdir"' EXIT
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.2
done
login='{"query":"mutation { login(username: \"admin\", password: \"bench-admin-password\") { token } }"}'
TOKEN=$(curl -fs "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' -d "$login" \
    | sed -E 's/.*"token":"([^"]+)".*/\1/')
gql() {
    curl -s --max-time "$1" "http://127.0.0.1:$PORT/graphql" -H "authorization: Bearer $TOKEN" \
        -H 'content-type: application/json' -d "$2" || true
}
profile() {
    target/$PROFILE/examples/bench_profile --url "http://127.0.0.1:$PORT" --server-pid "$pid" \
        --pages 20 --concurrency 2 --seconds "$LOAD_SECONDS" | grep '^page' | sed "s/^/  $1: /"
}
run='{"query":"mutation { runBillingCycle { status } }"}'
last='{"query":"{ billingRuns(last: 1) { nodes { asOf status attempts renewed overdue suspended reminders errors startedAt finishedAt } } }"}'
echo "machine: $(nproc) cores; database: ${BENCH_DATABASE_URL:-SQLite file}; customers: $CUSTOMERS"
profile "idle" | tee "$workdir/idle"
# The run goes on after its request ends (a long one outlasts the connection's idle time):
# start it, then watch billingRuns until it has finished.
statements() { curl -fs "http://127.0.0.1:$PORT/metrics" | awk '/^isp_db_statements_total/ {print $2}'; }
for attempt in 1 2; do
    if [ "$attempt" = 1 ]; then python3 bench/floor.py mark "$DATABASE_URL" > "$workdir/marks.json"; before=$(statements); fi
    started=$(date +%s.%N)
    gql 2 "$run" >/dev/null
    # The profile load runs beside the first run (its figures print when it ends); the run's
    # time is taken when billingRuns first shows it finished, whatever the load is doing.
    if [ "$attempt" = 1 ]; then profile "during the run" > "$workdir/during" & loader=$!; fi
    while :; do
        out=$(gql 10 "$last")
        case "$out" in *'"attempts":'$attempt,*'"FINISHED"'*|*'"FINISHED"'*'"attempts":'$attempt,*) break ;; esac
        sleep 0.5
    done
    echo "run $attempt: $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f s", e - s }') (to 0.5 s)  $out"
    if [ "$attempt" = 1 ]; then
        wait "$loader"; cat "$workdir/during"
        renewed=$(echo "$out" | sed -E 's/.*"renewed":([0-9]+).*/\1/')
        # Less the profile load's own: its requests during the run times its statements per
        # request when idle (during the run, that figure counts the run's statements too).
        per_request=$(sed -nE 's/.* ([0-9.]+) SQL statements\/request.*/\1/p' "$workdir/idle")
        load=$(sed -nE 's/.*: ([0-9]+) requests in .*/\1/p' "$workdir/during" | awk -v s="${per_request:-0}" '{ printf "%d", $1 * s }')
        total=$(( $(statements) - before - ${load:-0} ))
        echo "  SQL statements: $total for $renewed renewals = $(awk -v t="$total" -v n="$renewed" 'BEGIN { printf "%.1f", t / (n > 0 ? n : 1) }') per renewal (the profile load's $load taken out)"
        python3 bench/floor.py measure "$DATABASE_URL" "$workdir/marks.json" "$renewed" | sed 's/^/  /'
    fi
done
echo "server memory: $(grep -E 'VmRSS|VmHWM' /proc/$pid/status | tr -s ' \t\n' ' ')"
