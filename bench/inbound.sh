#!/usr/bin/env bash
# Inbound webhook figures for docs/PERFORMANCE.md: signed WhatsApp deliveries per
# second (each answered only after its durable commit), acknowledgement latency at a
# fixed 5,000/s, webhook-to-processed latency at 1,000/s, resident memory under load,
# and the bare verify-and-insert baseline in the same run.
#   bash bench/inbound.sh                                     # SQLite
#   BENCH_PG=postgres://postgres@127.0.0.1:5432/test bash bench/inbound.sh   # adds PostgreSQL
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/guyub-target}"
SECS="${BENCH_SECONDS:-10}"
cargo build --release -q -p guyub -p guyub-bench
BIN="$CARGO_TARGET_DIR/release/guyub"
LOAD="$CARGO_TARGET_DIR/release/inbound"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); load and server share the cores"

metric() { curl -s "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m {print $2}'; }

engine() { # label database_url
  local label=$1 url=$2 port=18290 data="$WORK/data-$1"
  export DATABASE_URL="$url"
  "$BIN" --data-dir "$data" migrate >/dev/null
  "$BIN" --data-dir "$data" cooperative add --slug bench --name Bench >/dev/null
  local id
  id=$("$BIN" --data-dir "$data" channel add --cooperative bench --kind whatsapp --name wa \
    --set phone_number_id=106540352242922 --set access_token=t --set app_secret=bench-secret --set verify_token=v |
    awk '/^channel/ {print $2}')
  phase() { # args for the load tool after URL and secret
    GUYUB_LOG_LEVEL=warn "$BIN" --data-dir "$data" serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
    local pid=$!
    until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.05; done
    "$LOAD" "http://127.0.0.1:$port/hooks/whatsapp/$id" bench-secret "$@" &
    local load=$!
    sleep $((SECS / 2))
    local rss; rss=$(awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' /proc/$pid/status)
    wait $load
    # let the processor finish, then read its figures
    for _ in $(seq 1 100); do
      [ "$(metric $port guyub_inbound_events_processed_total)" = "$(metric $port guyub_inbound_events_stored_total)" ] && break
      sleep 0.1
    done
    echo "    server RSS under load: $rss; stored $(metric $port guyub_inbound_events_stored_total), processed $(metric $port guyub_inbound_events_processed_total); webhook-to-processed p50 $(metric $port 'guyub_event_to_processed_seconds{quantile="0.5"}') s, p99 $(metric $port 'guyub_event_to_processed_seconds{quantile="0.99"}') s"
    kill -TERM $pid; wait $pid 2>/dev/null || true
  }
  echo "--- $label"
  phase max "$SECS" 64
  phase rate 5000 "$SECS" 128
  phase rate 1000 "$SECS" 32
  unset DATABASE_URL
}

# Baseline: verify + one INSERT per request, each its own commit.
"$CARGO_TARGET_DIR/release/bare-ingest" 127.0.0.1:18291 "sqlite://$WORK/bare.db?mode=rwc" bench-secret &
until curl -s -o /dev/null "http://127.0.0.1:18291/hook"; do sleep 0.05; done
echo "--- baseline: bare verify-and-insert (SQLite, one commit per request)"
"$LOAD" http://127.0.0.1:18291/hook bench-secret max "$SECS" 64
kill %1 2>/dev/null || true

engine sqlite "sqlite://$WORK/guyub.db?mode=rwc"
if [ -n "${BENCH_PG:-}" ]; then
  psql "$BENCH_PG" -qc "DROP SCHEMA IF EXISTS bench_inbound CASCADE; CREATE SCHEMA bench_inbound" 2>/dev/null
  engine postgres "$BENCH_PG?options=-c%20search_path%3Dbench_inbound"
fi
