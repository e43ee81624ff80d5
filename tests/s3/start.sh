#!/usr/bin/env bash
# An S3-compatible server for the attachment tests: moto's server from PyPI on
# 127.0.0.1:9100 (pip install "moto[server]"). Safe to run again.
set -euo pipefail
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! listening 9100; then
  nohup moto_server -H 127.0.0.1 -p 9100 > /tmp/guyub-moto.log 2>&1 &
  for _ in $(seq 1 100); do listening 9100 && break; sleep 0.1; done
fi
listening 9100 || { echo "moto did not start; see /tmp/guyub-moto.log" >&2; exit 1; }
echo "S3 at http://127.0.0.1:9100"
