#!/usr/bin/env bash
# Benchmark of several servers on one PostgreSQL behind HAProxy, with one killed: seeds a demo
# database, then (examples/bench_cluster/) drives a mixed load from 16 clients (the profile
# query, createPayment with an Idempotency-Key, signed gateway notifications, createComplaint,
# and a graphql-ws subscriber on each server) at one server for SECONDS_TO_RUN, then through
# HAProxy (deploy/haproxy.cfg on plain HTTP) at three servers for as long, killing one with
# SIGKILL halfway and starting it again 2 s later. Prints requests/s (three servers vs one),
# p50/p99 and errors, and checks that every acknowledged payment and notification is in the
# database exactly once and that every subscriber has every acknowledged complaint (live, or
# re-read after its connection dropped or LAGGED) and that the killed server's background jobs
# run again on some server; exits non-zero if not.
# Needs HAProxy (Debian: sudo apt-get install haproxy) and PostgreSQL.
#
#   bash bench/cluster.sh                       # a new database bench_cluster on postgres://postgres@127.0.0.1:5432, dropped at the end
#   SECONDS_TO_RUN=60 CUSTOMERS=10000 bash bench/cluster.sh
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench bash bench/cluster.sh   # an empty database of yours, kept
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-release}
CUSTOMERS=${CUSTOMERS:-2000}
SECONDS_TO_RUN=${SECONDS_TO_RUN:-20}
CONCURRENCY=${CONCURRENCY:-16}
# HAProxy listens here, the three servers on the next three ports.
PORT=${PORT:-8090}
POSTGRES=${POSTGRES:-postgres://postgres@127.0.0.1:5432}

if ! command -v haproxy >/dev/null; then
    echo "bench/cluster.sh needs HAProxy: sudo apt-get install haproxy" >&2
    exit 1
fi
cargo build --profile "$PROFILE" --quiet --bin isp-billing --example bench_cluster
# `cargo build --profile dev` writes to target/debug.
dir=$PROFILE
[ "$PROFILE" = dev ] && dir=debug
workdir=$(mktemp -d)
status=0
cleanup() {
    if [ -z "${BENCH_DATABASE_URL:-}" ]; then
        psql -q "$POSTGRES/postgres" -c 'DROP DATABASE IF EXISTS bench_cluster WITH (FORCE)' >/dev/null || true
    fi
    # The servers' and HAProxy's logs are kept when a check failed.
    if [ "$status" = 0 ]; then rm -rf "$workdir"; else echo "logs: $workdir" >&2; fi
}
if [ -z "${BENCH_DATABASE_URL:-}" ]; then
    command -v psql >/dev/null || { echo "without BENCH_DATABASE_URL, psql makes the database (postgresql-client)" >&2; exit 1; }
    psql -q "$POSTGRES/postgres" -c 'DROP DATABASE IF EXISTS bench_cluster WITH (FORCE)' -c 'CREATE DATABASE bench_cluster' >/dev/null
fi
trap cleanup EXIT
export DATABASE_URL=${BENCH_DATABASE_URL:-$POSTGRES/bench_cluster}
export ISP_BILLING_CYCLE=false
export ISP_ADMIN_PASSWORD=bench-admin-password
export ISP_SECRETS_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
"target/$dir/isp-billing" seed-demo --customers "$CUSTOMERS" 2>/dev/null | grep '^seeded'
"target/$dir/examples/bench_cluster" --bin "target/$dir/isp-billing" --database-url "$DATABASE_URL" \
    --seconds "$SECONDS_TO_RUN" --concurrency "$CONCURRENCY" --port "$PORT" --workdir "$workdir" || status=$?
exit "$status"
