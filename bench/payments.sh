#!/usr/bin/env bash
# Benchmark of createPayment: seeds a demo database, starts the release server on it and
# records UPI payments of ₹1.00 from 16 concurrent clients, each applied to the customer's
# oldest open invoice (or kept as advance) in its own write transaction with its ledger row.
# Prints payments/s, p50/p99, errors, SQL statements and server CPU per payment, memory, and
# checks that the number of payments recorded equals the successful requests.
#
#   bash bench/payments.sh                      # SQLite, 2,000 customers
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench bash bench/payments.sh   # an empty PostgreSQL database
set -euo pipefail
cd "$(dirname "$0")/.."
# Cargo profile to build and run: release (default) or dist (the packaged build, fat LTO).
PROFILE=${PROFILE:-release}
CUSTOMERS=${CUSTOMERS:-2000}
SECONDS_TO_RUN=${SECONDS_TO_RUN:-10}
CONCURRENCY=${CONCURRENCY:-16}
PORT=${PORT:-8078}

cargo build --profile "$PROFILE" --quiet --bin isp-billing --example bench_payments
workdir=$(mktemp -d)
export DATABASE_URL=${BENCH_DATABASE_URL:-$workdir/bench.db}
# Benchmarks measure the API alone: no billing run starts under them.
export ISP_BILLING_CYCLE=false
export ISP_ADMIN_PASSWORD=bench-admin-password
target/$PROFILE/isp-billing seed-demo --customers "$CUSTOMERS" 2>/dev/null

RUST_LOG=warn ISP_BIND=127.0.0.1:$PORT target/$PROFILE/isp-billing serve &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$workdir"' EXIT
for _ in $(seq 1 50); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.2
done
echo "machine: $(nproc) cores; database: ${BENCH_DATABASE_URL:-SQLite file}; customers: $CUSTOMERS; clients: $CONCURRENCY"
target/$PROFILE/examples/bench_payments --url "http://127.0.0.1:$PORT" --server-pid "$pid" \
    --concurrency "$CONCURRENCY" --seconds "$SECONDS_TO_RUN"
