#!/usr/bin/env bash
# Foundation figures for docs/PERFORMANCE.md: start-up to /readyz, idle memory, binary
# size, and requests/s + p99 for GET /healthz and an authenticated API read, each beside
# a bare axum baseline measured in the same run. Loopback only; every load is bounded.
#   bash bench/run.sh            # SQLite
#   BENCH_PG=postgres://postgres@127.0.0.1:5432/test bash bench/run.sh   # adds PostgreSQL
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/guyub-target}"
DURATION="${BENCH_DURATION:-10s}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p guyub -p guyub-bench
BIN="$CARGO_TARGET_DIR/release/guyub"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "binary: $(stat -c %s "$BIN" | awk '{printf "%.1f MiB", $1/1048576}') (release, stripped)"

"$BIN" --data-dir "$WORK/data" migrate >/dev/null
"$CARGO_TARGET_DIR/release/startup" "$BIN" "$WORK/data" 18190 7

load() { # name url [header]
  local out
  if [ -n "${3:-}" ]; then out=$(wrk -t2 -c32 -d"$DURATION" --latency -H "$3" "$2"); else out=$(wrk -t2 -c32 -d"$DURATION" --latency "$2"); fi
  printf '%-34s %10s req/s   p99 %s\n' "$1" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")"
}

"$CARGO_TARGET_DIR/release/bare-axum" 127.0.0.1:18181 >/dev/null &
bench_engine() { # label database_url
  local url=$2 port=18182
  DATABASE_URL="$url" "$BIN" --data-dir "$WORK/data" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
  local pid=$!
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.05; done
  DATABASE_URL="$url" "$BIN" --data-dir "$WORK/data" cooperative add --slug "bench-$1" --name Bench >/dev/null 2>&1 || true
  local token
  token=$(DATABASE_URL="$url" "$BIN" --data-dir "$WORK/data" token create --cooperative "bench-$1" --role auditor --name bench 2>/dev/null)
  echo "--- $1 (wrk -t2 -c32 -d$DURATION; server and load share the 2 cores)"
  load "bare axum GET /healthz (baseline)" "http://127.0.0.1:18181/healthz"
  load "guyub GET /healthz" "http://127.0.0.1:$port/healthz"
  load "guyub GET /api/v1/members (token)" "http://127.0.0.1:$port/api/v1/members" "Authorization: Bearer $token"
  echo "guyub RSS after load: $(awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' /proc/$pid/status)"
  kill -TERM $pid; wait $pid 2>/dev/null || true
}
bench_engine sqlite "sqlite://$WORK/data/guyub.db?mode=rwc"
if [ -n "${BENCH_PG:-}" ]; then
  psql "$BENCH_PG" -qc "DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench" >/dev/null
  DATABASE_URL="$BENCH_PG?options=-c%20search_path%3Dbench" "$BIN" migrate >/dev/null
  bench_engine postgres "$BENCH_PG?options=-c%20search_path%3Dbench"
fi
