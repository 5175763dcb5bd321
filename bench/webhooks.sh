#!/usr/bin/env bash
# Benchmark of gateway notifications: seeds a demo database, starts the release server with a
# secrets key, adds a Razorpay gateway and delivers signed `payment.captured` notifications
# from 8 concurrent clients, each twice. Prints deliveries/s, p50/p99/max answer time (Razorpay
# wants 2xx within 5 s), errors, memory, and checks one payment per notification.
#
#   bash bench/webhooks.sh                      # SQLite, 2,000 customers
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench bash bench/webhooks.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-release}
CUSTOMERS=${CUSTOMERS:-2000}
SECONDS_TO_RUN=${SECONDS_TO_RUN:-10}
CONCURRENCY=${CONCURRENCY:-8}
PORT=${PORT:-8076}

cargo build --profile "$PROFILE" --quiet --bin isp-billing --example bench_webhooks
workdir=$(mktemp -d)
export DATABASE_URL=${BENCH_DATABASE_URL:-$workdir/bench.db}
export ISP_BILLING_CYCLE=false
export ISP_ADMIN_PASSWORD=bench-admin-password
export ISP_SECRETS_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
target/$PROFILE/isp-billing seed-demo --customers "$CUSTOMERS" 2>/dev/null | grep '^seeded'

RUST_LOG=warn ISP_BIND=127.0.0.1:$PORT target/$PROFILE/isp-billing serve &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$workdir"' EXIT
for _ in $(seq 1 50); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.2
done
echo "machine: $(nproc) cores; database: ${BENCH_DATABASE_URL:-SQLite file}; customers: $CUSTOMERS; clients: $CONCURRENCY"
target/$PROFILE/examples/bench_webhooks --url "http://127.0.0.1:$PORT" --server-pid "$pid" \
    --concurrency "$CONCURRENCY" --seconds "$SECONDS_TO_RUN"
