#!/usr/bin/env bash
# The inbox's list and open over HTTP (the JSON API, with the server's whole path:
# token check, service, JSON) on a database seeded by the inbox bench
# (bench/src/bin/inbox), with wrk; baseline /healthz in the same run.
#   bash bench/inbox-http.sh "sqlite:///var/tmp/bench-inbox.db?mode=rwc"
#   bash bench/inbox-http.sh "postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3Dbench_inbox_keep"
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/guyub-target}"
URL=${1:?usage: inbox-http.sh DATABASE_URL}
SECS=${BENCH_SECONDS:-10}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --release -q -p guyub
BIN="$CARGO_TARGET_DIR/release/guyub"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
export DATABASE_URL="$URL"
token=$("$BIN" --data-dir "$WORK" token create --cooperative bench-inbox --role agent --name http |
  grep -o 'gyb_[A-Za-z0-9_-]*' | head -1)
port=18293
GUYUB_LOG_LEVEL=warn GUYUB_WORKERS=false "$BIN" --data-dir "$WORK" serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.05; done
base="http://127.0.0.1:$port"
auth="Authorization: Bearer $token"
# The newest 200 conversations of every status, opened in turn.
ids=$(for before in "" ; do curl -sf -H "$auth" "$base/api/v1/conversations?status=all&limit=200"; done |
  python3 -c 'import json,sys; print(",".join("/api/v1/conversations/%d" % c["id"] for c in json.load(sys.stdin)))')
run() { # label connections [paths]
  printf '%-46s c=%-3s %s' "$1" "$2" "$(WRK_PATHS="${3:-}" wrk -t1 -c"$2" -d"${SECS}s" -H "$auth" -s bench/wrk/latency.lua "$base${4:-/}" | tail -1)"
  echo
}
echo "engine: ${URL%%:*}; machine: $(nproc) cores; wrk and server share them"
run "baseline: /healthz" 1 "" /healthz
run "list: open, 100 rows" 1 "" "/api/v1/conversations?limit=100"
run "list: every status, 100 rows" 1 "" "/api/v1/conversations?status=all&limit=100"
run "list: WhatsApp, unread, 100 rows" 1 "" "/api/v1/conversations?channel=whatsapp&unread=true&limit=100"
run "open: 200 conversations in turn" 1 "$ids" /
run "list: open, 100 rows, 10 agents at once" 10 "" "/api/v1/conversations?limit=100"
run "open: 200 conversations, 10 agents at once" 10 "$ids" /
