#!/usr/bin/env bash
# The connection-slot attack: 5 addresses keep 1,100 silent connections open against the
# release server (default ISP_MAX_CONNECTIONS 1024) while 8 clients send logged-in queries,
# each on a fresh connection. Prints the share of legitimate requests served and their latency.
#
#   bash bench/slots.sh                 # 20 s
#   SECONDS_TO_RUN=60 bash bench/slots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-release}
SECONDS_TO_RUN=${SECONDS_TO_RUN:-20}
CONCURRENCY=${CONCURRENCY:-8}
PORT=${PORT:-8075}

cargo build --profile "$PROFILE" --quiet --bin isp-billing --example bench_slots
workdir=$(mktemp -d)
export DATABASE_URL=$workdir/bench.db
export ISP_BILLING_CYCLE=false
export ISP_ADMIN_PASSWORD=bench-admin-password
# The attacker and the clients need more than the usual 1,024 descriptors.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

RUST_LOG=error ISP_BIND=127.0.0.1:$PORT target/$PROFILE/isp-billing serve &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$workdir"' EXIT
for _ in $(seq 1 50); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.2
done
echo "machine: $(nproc) cores; server: $PROFILE build, SQLite, ISP_MAX_CONNECTIONS=1024, header timeout 5 s"
target/$PROFILE/examples/bench_slots --url "http://127.0.0.1:$PORT" --concurrency "$CONCURRENCY" \
    --seconds "$SECONDS_TO_RUN"
