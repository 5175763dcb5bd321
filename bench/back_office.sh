#!/usr/bin/env bash
# Benchmark of the dashboard and the reports: seeds a demo database, starts the release server
# and times, on an otherwise idle server, the full dashboard query, each report's GraphQL
# query and each CSV download (sequential requests; median, p95 and max of RUNS runs, SQL
# statements per request), and the server's memory before and after the largest CSV.
#
#   bash bench/back_office.sh                          # SQLite, 10,000 customers
#   CUSTOMERS=100000 bash bench/back_office.sh         # SQLite, 100,000 customers
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench bash bench/back_office.sh   # an empty PostgreSQL database
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-release}
CUSTOMERS=${CUSTOMERS:-10000}
RUNS=${RUNS:-30}
PORT=${PORT:-8078}

cargo build --profile "$PROFILE" --quiet --bin isp-billing
workdir=$(mktemp -d)
export DATABASE_URL=${BENCH_DATABASE_URL:-$workdir/bench.db}
# Benchmarks measure the API alone: no billing run starts under them.
export ISP_BILLING_CYCLE=false
export ISP_ADMIN_PASSWORD=bench-admin-password
seed_started=$(date +%s.%N)
target/$PROFILE/isp-billing seed-demo --customers "$CUSTOMERS" 2>/dev/null | sed -n 1p
echo "seed: $(awk -v s="$seed_started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f s", e - s }')"

RUST_LOG=warn ISP_BIND=127.0.0.1:$PORT target/$PROFILE/isp-billing serve &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$workdir"' EXIT
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.2
done
login='{"query":"mutation { login(username: \"admin\", password: \"bench-admin-password\") { token } }"}'
TOKEN=$(curl -fs "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' -d "$login" \
    | sed -E 's/.*"token":"([^"]+)".*/\1/')
statements() { curl -fs "http://127.0.0.1:$PORT/metrics" | awk '/^isp_db_statements_total/ {print $2}'; }
memory() { grep -E 'VmRSS|VmHWM' /proc/$pid/status | tr -s ' \t\n' ' '; }

# Prints "<name>: median, p95, max ms; statements/request" over RUNS sequential requests.
measure() {
    local name=$1
    shift
    curl -fs -o /dev/null "$@" # warm-up
    local before after
    before=$(statements)
    for _ in $(seq 1 "$RUNS"); do
        curl -fs -o /dev/null -w '%{time_total}\n' "$@"
    done | sort -n | awk -v name="$name" '{ t[NR] = $1 * 1000 } END {
        printf "%-22s median %7.1f ms   p95 %7.1f ms   max %7.1f ms", name, t[int((NR + 1) / 2)], t[int(NR * 0.95 + 0.5)], t[NR] }'
    after=$(statements)
    awk -v a="$after" -v b="$before" -v n="$RUNS" 'BEGIN { printf "   %.1f statements/request\n", (a - b) / (n) }'
}
# Wait until start-up jobs (the plan-expiry reminders) are done: no statement for 2 s.
last=-1
for _ in $(seq 1 120); do
    now=$(statements)
    [ "$now" = "$last" ] && break
    last=$now
    sleep 2
done
echo "machine: $(nproc) cores; database: ${BENCH_DATABASE_URL:-SQLite file}; customers: $CUSTOMERS; $RUNS runs each"
dashboard='{ dashboard { customersByStatus { status count } customersByServiceType { serviceType count } newCustomers renewedCustomers expiringCustomers invoiced { today thisMonth lastMonth } collected { today thisMonth lastMonth } outstanding collectionsByMethod { method amount count } collectionsByCollector { collector { fullName } amount count } dailyCollections { date amount } openComplaints { byPriority { priority count } olderThan48Hours total } expensesThisMonth net } }'
H=(-H "authorization: Bearer $TOKEN" -H 'content-type: application/json')
q() { printf '{"query":"%s"}' "$1"; }
measure "dashboard (all fields)" "${H[@]}" -d "$(q "$dashboard")" "http://127.0.0.1:$PORT/graphql"
measure "collectionsReport" "${H[@]}" -d "$(q '{ collectionsReport { total count byMethod { method amount } byCollector { amount } } }')" "http://127.0.0.1:$PORT/graphql"
measure "duesReport" "${H[@]}" -d "$(q '{ duesReport { notDue days0To30 days31To60 days61To90 over90Days total customers } }')" "http://127.0.0.1:$PORT/graphql"
measure "revenueReport" "${H[@]}" -d "$(q '{ revenueReport(by: LOCALITY) { name total } }')" "http://127.0.0.1:$PORT/graphql"
measure "gstSummary (1 year)" "${H[@]}" -d "$(q '{ gstSummary(filter: {from: \"2025-12-01\"}) { month total } }')" "http://127.0.0.1:$PORT/graphql"
measure "expensesReport" "${H[@]}" -d "$(q '{ expensesReport { category amount } }')" "http://127.0.0.1:$PORT/graphql"
A=(-H "authorization: Bearer $TOKEN")
for report in collections.csv dues.csv "revenue.csv?by=plan" "gst-summary.csv?from=2025-12-01" expenses.csv; do
    measure "$report" "${A[@]}" "http://127.0.0.1:$PORT/reports/$report"
done
echo "server memory before customers.csv: $(memory)"
RUNS=5 measure "customers.csv (all)" "${A[@]}" "http://127.0.0.1:$PORT/reports/customers.csv"
lines=$(curl -fs "${A[@]}" "http://127.0.0.1:$PORT/reports/customers.csv" | wc -l)
bytes=$(curl -fs "${A[@]}" "http://127.0.0.1:$PORT/reports/customers.csv" | wc -c)
echo "customers.csv: $lines lines, $bytes bytes"
echo "server memory after customers.csv:  $(memory)"
