#!/usr/bin/env bash
# Live-feed figures for docs/PERFORMANCE.md: commit-to-client latency of
# /api/v1/inbox/events with 1 client (the baseline) and with 1,000 clients, while
# signed WhatsApp messages arrive at 50/s; on PostgreSQL also across two processes
# (clients on a web-only process, webhooks on the other; events cross by the relay).
#   bash bench/sse.sh                                                    # SQLite
#   BENCH_PG=postgres://postgres@127.0.0.1:5432/test bash bench/sse.sh   # adds PostgreSQL
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/guyub-target}"
CLIENTS="${BENCH_CLIENTS:-1000}"
ulimit -n 65536 2>/dev/null || ulimit -n 8192 || true
cargo build --release -q -p guyub -p guyub-bench
BIN="$CARGO_TARGET_DIR/release/guyub"
LOAD="$CARGO_TARGET_DIR/release/sse"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); clients and server share the cores"

engine() { # label database_url
  local label=$1 url=$2 port=18291 data="$WORK/data-$1"
  export DATABASE_URL="$url"
  "$BIN" --data-dir "$data" migrate >/dev/null
  "$BIN" --data-dir "$data" cooperative add --slug bench --name Bench >/dev/null
  local id token
  id=$("$BIN" --data-dir "$data" channel add --cooperative bench --kind whatsapp --name wa \
    --set phone_number_id=106540352242922 --set access_token=t --set app_secret=bench-secret --set verify_token=v |
    awk '/^channel/ {print $2}')
  token=$("$BIN" --data-dir "$data" token create --cooperative bench --role agent --name sse | grep -o 'gyb_[A-Za-z0-9_-]*' | head -1)
  GUYUB_LOG_LEVEL=warn "$BIN" --data-dir "$data" serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
  local pid=$!
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.05; done
  for n in 1 "$CLIENTS"; do
    echo "$label: $("$LOAD" "http://127.0.0.1:$port" "$token" "/hooks/whatsapp/$id" bench-secret "$n" 50 10)"
  done
  if [ "$label" = postgres ]; then
    # Across processes: the clients on a second, web-only process; the webhooks and
    # the processor's commits on the first; events reach the second by the relay.
    local port2=18292
    GUYUB_WORKERS=false GUYUB_LOG_LEVEL=warn "$BIN" --data-dir "$data" serve --listen "127.0.0.1:$port2" >/dev/null 2>&1 &
    local pid2=$!
    until curl -sf "http://127.0.0.1:$port2/readyz" >/dev/null; do sleep 0.05; done
    for n in 1 "$CLIENTS"; do
      echo "$label, across processes: $(BENCH_HOOK_BASE="http://127.0.0.1:$port" "$LOAD" "http://127.0.0.1:$port2" "$token" "/hooks/whatsapp/$id" bench-secret "$n" 50 10)"
    done
    kill $pid2; wait $pid2 2>/dev/null || true
  fi
  kill $pid; wait $pid 2>/dev/null || true
}

engine sqlite "sqlite://$WORK/bench.db?mode=rwc"
if [ -n "${BENCH_PG:-}" ]; then
  schema="bench_sse_$$"
  psql "$BENCH_PG" -qc "CREATE SCHEMA $schema" >/dev/null
  engine postgres "$BENCH_PG?options=-c%20search_path%3D$schema"
  PGOPTIONS="-c client_min_messages=warning" psql "$BENCH_PG" -qc "DROP SCHEMA $schema CASCADE" >/dev/null
fi
