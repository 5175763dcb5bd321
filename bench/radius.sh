#!/usr/bin/env bash
# Benchmark of the FreeRADIUS endpoints as rlm_rest calls them (JSON, HTTP Basic, keep-alive,
# 16 at once): seeds a demo database, starts the release server with the RADIUS login set,
# gives every customer network credentials, then measures /radius/authorize as fast as it
# answers and at a fixed rate, and /radius/accounting interim updates at that rate, checking
# that every session's stored counters are those of the last update sent (nothing lost).
#
#   bash bench/radius.sh                        # SQLite, 10,000 customers, 2,000 requests/s
#   RATE=3000 SECONDS_TO_RUN=20 bash bench/radius.sh
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench bash bench/radius.sh   # an empty PostgreSQL database
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-release}
CUSTOMERS=${CUSTOMERS:-10000}
SECONDS_TO_RUN=${SECONDS_TO_RUN:-10}
CONCURRENCY=${CONCURRENCY:-16}
RATE=${RATE:-2000}
PORT=${PORT:-8081}

cargo build --profile "$PROFILE" --quiet --bin isp-billing --example bench_radius
workdir=$(mktemp -d)
export DATABASE_URL=${BENCH_DATABASE_URL:-$workdir/bench.db}
export ISP_BILLING_CYCLE=false
export ISP_ADMIN_PASSWORD=bench-admin-password
export ISP_SECRETS_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
export ISP_RADIUS_USER=bench-radius ISP_RADIUS_PASSWORD=bench-radius-password
target/$PROFILE/isp-billing seed-demo --customers "$CUSTOMERS" 2>/dev/null | grep '^seeded'

RUST_LOG=warn ISP_BIND=127.0.0.1:$PORT target/$PROFILE/isp-billing serve &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$workdir"' EXIT
for _ in $(seq 1 50); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.2
done
echo "machine: $(nproc) cores; database: ${BENCH_DATABASE_URL:-SQLite file}; customers: $CUSTOMERS; clients: $CONCURRENCY"
target/$PROFILE/examples/bench_radius --url "http://127.0.0.1:$PORT" --server-pid "$pid" \
    --concurrency "$CONCURRENCY" --seconds "$SECONDS_TO_RUN" --rate "$RATE"
