#!/usr/bin/env bash
# Benchmark of "back online seconds after paying" (issue #27 item 7): the time from a gateway's
# webhook arriving to the Disconnect-Request for the customer's walled-garden session leaving.
# Starts the release server on an empty database with a secrets key and the /radius endpoints
# on; the load generator sets up CUSTOMERS customers suspended by the billing cycle, each with a
# walled-garden session on a NAS that is a UDP listener of its own, then pays each one's balance
# with a signed Razorpay `payment.captured` notification (CONCURRENCY at a time) and notes when
# the Disconnect-Request arrives. Prints p50/p99/max (target: p99 under 1 s) and checks every
# customer was reactivated and disconnected.
#
#   bash bench/pay_webhook.sh                    # SQLite, 200 customers
#   CUSTOMERS=1000 CONCURRENCY=8 bash bench/pay_webhook.sh
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench bash bench/pay_webhook.sh   # an empty database
#   PROFILE=dev CUSTOMERS=20 bash bench/pay_webhook.sh                                      # a quick check
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-release}
CUSTOMERS=${CUSTOMERS:-200}
CONCURRENCY=${CONCURRENCY:-4}
PORT=${PORT:-8077}
# Cargo's `dev` profile builds into target/debug.
DIR=$PROFILE
[ "$PROFILE" = dev ] && DIR=debug
TARGET=${CARGO_TARGET_DIR:-target}

cargo build --profile "$PROFILE" --quiet --bin isp-billing --example bench_pay_webhook
workdir=$(mktemp -d)
export DATABASE_URL=${BENCH_DATABASE_URL:-$workdir/bench.db}
export ISP_BILLING_CYCLE=false
export ISP_ADMIN_PASSWORD=bench-admin-password
export ISP_SECRETS_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
export ISP_RADIUS_USER=freeradius
export ISP_RADIUS_PASSWORD=bench-radius-password

RUST_LOG=warn ISP_BIND=127.0.0.1:$PORT "$TARGET/$DIR/isp-billing" serve &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$workdir"' EXIT
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.2
done
echo "machine: $(nproc) cores; database: ${BENCH_DATABASE_URL:-SQLite file}; customers: $CUSTOMERS; clients: $CONCURRENCY; profile: $PROFILE"
"$TARGET/$DIR/examples/bench_pay_webhook" --url "http://127.0.0.1:$PORT" --customers "$CUSTOMERS" \
    --concurrency "$CONCURRENCY"
