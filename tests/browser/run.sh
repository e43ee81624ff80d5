#!/usr/bin/env bash
# Browser tests: Debian's Chromium driven by playwright-core (never a downloaded browser).
# GUYUB_BIN points at the guyub binary to test; GUYUB_ARTIFACTS collects screenshots.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "browser tests need Debian's chromium: apt-get install chromium" >&2
    exit 1
  fi
fi
if ! command -v node >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
npm ci --no-audit --no-fund --silent
export GUYUB_BIN="${GUYUB_BIN:-$(cd ../.. && pwd)/target/debug/guyub}"
node --test --test-concurrency=1 ./*.test.js
