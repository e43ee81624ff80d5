#!/usr/bin/env bash
# Runs every fuzz target (or those named as arguments) for a short while with
# cargo-fuzz/libFuzzer, and fails if any finds a crash, a panic, a hang or an
# out-of-memory. A crashing input is left in fuzz/artifacts/<target>/ and printed in hex.
#
#   bash fuzz/run.sh                     # all targets, 20 s each
#   FUZZ_SECONDS=300 bash fuzz/run.sh x  # one target, longer
#
# Only the stable toolchain is on our machines. cargo-fuzz passes nightly flags
# (-Zsanitizer=address); RUSTC_BOOTSTRAP=1 lets stable rustc take them.
set -euo pipefail
cd "$(dirname "$0")"

export RUSTC_BOOTSTRAP=1
# A target dir of its own: the fuzz build uses other flags than the workspace's, and
# an inherited CARGO_TARGET_DIR (CI exports the main one) is deliberately not used.
export CARGO_TARGET_DIR="${GUYUB_FUZZ_TARGET_DIR:-/var/tmp/guyub-fuzz-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-20}"
CARGO_FUZZ_VERSION=0.13.2

ALL=(whatsapp meta telegram line x webchat email verify_and_handshake domain)
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL[@]}"); fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION" \
    --target-dir "$CARGO_TARGET_DIR/cargo-fuzz-install"
fi

start=$(date +%s)
echo "==> building the fuzz targets ($(cargo fuzz --version), target dir $CARGO_TARGET_DIR)"
cargo fuzz build
echo "    built in $(($(date +%s) - start)) s"

mkdir -p artifacts
failed=()
for t in "${TARGETS[@]}"; do
  # New inputs the fuzzer finds go to a working corpus outside the clone (kept between
  # runs on the same machine); the committed seeds in corpus/<t> are only read.
  work="$CARGO_TARGET_DIR/corpus/$t"
  mkdir -p "$work" "artifacts/$t"
  dict=()
  [ "$t" != domain ] && dict=(-dict=json.dict)
  log="artifacts/$t.log"
  stamp="artifacts/$t/.started" # to tell this run's artifacts from earlier ones
  touch "$stamp"
  t0=$(date +%s)
  if cargo fuzz run "$t" "$work" "corpus/$t" -- \
      -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 "${dict[@]}" >"$log" 2>&1; then
    runs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -o 'cov: [0-9]*' || true)
    echo "==> $t: ok, $runs inputs in $(($(date +%s) - t0)) s ($cov)"
  else
    failed+=("$t")
    echo "==> $t: FAILED after $(($(date +%s) - t0)) s (full log: fuzz/$log)"
    # The panic message or the sanitizer's verdict, without the stack.
    awk '/ERROR: libFuzzer/ {print "    " $0; n = 0; next}
         /panicked at/ {n = 8}
         /ERROR: (AddressSanitizer|LeakSanitizer)/ {n = 6}
         /^stack backtrace:/ {n = 0}
         n > 0 {print "    " $0; n--}' "$log"
    grep -m1 '^SUMMARY' "$log" | sed 's/^/    /' || true
    for a in $(find "artifacts/$t" -type f -newer "$stamp" ! -name 'minimized-*'); do
      echo "--- fuzz/$a ($(wc -c <"$a") bytes), hex:"
      od -An -tx1 -v "$a" | head -n 16
      # A smaller input that fails the same way, when libFuzzer finds one quickly.
      min="artifacts/$t/minimized-$(basename "$a")"
      if timeout 120 cargo fuzz tmin "$t" "$a" -r 2000 >"$log.tmin" 2>&1; then
        found=$(awk '/^Minimized artifact:/ {f = 1; next} f && NF {print $1; exit}' "$log.tmin")
        if [ -n "$found" ] && [ -f "$found" ]; then
          mv "$found" "$min"
          echo "--- minimized: fuzz/$min ($(wc -c <"$min") bytes), hex:"
          od -An -tx1 -v "$min" | head -n 16
        fi
      fi
      # tmin's intermediate steps.
      find "artifacts/$t" -type f -name 'minimized-from-*' -newer "$a" -delete
    done
  fi
done

echo "==> fuzzing took $(($(date +%s) - start)) s in all"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "==> fuzz targets that failed: ${failed[*]}"
  echo "    reproduce with: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run <target> artifacts/<target>/<file>"
  exit 1
fi
echo "==> all ${#TARGETS[@]} fuzz targets passed"
