#!/usr/bin/env bash
# Smoke-runs every cargo-fuzz target for a few seconds (about 30 s in all) and fails on any
# crash, panic, timeout or out-of-memory, printing the reproducer.
#
#   bash scripts/fuzz-smoke.sh            # default: 30 s split over the targets
#   FUZZ_SECONDS=60 bash scripts/fuzz-smoke.sh
#   FUZZ_SANITIZER=address bash scripts/fuzz-smoke.sh
#
# The smoke run builds without a sanitizer by default: the crate forbids `unsafe`, so memory
# errors could only come from dependencies, while panics, overflows (debug assertions are on),
# hangs and wrong verdicts (the targets' assertions) are what a short run can find; without
# AddressSanitizer the targets run 3-5x more executions in the same time.
#
# Needs the nightly toolchain and cargo-fuzz (installed here if absent).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(json decode verify verify_structured jwks dpop)
TOTAL=${FUZZ_SECONDS:-30}
SANITIZER=${FUZZ_SANITIZER:-none}
PER_TARGET=$(( TOTAL / ${#TARGETS[@]} ))
(( PER_TARGET < 3 )) && PER_TARGET=3

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz-smoke: FAIL: the nightly toolchain is missing (rustup toolchain install nightly)" >&2
  exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz-smoke: installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

node fuzz/make-corpus.mjs

# Build every target first, so the time budget below is spent fuzzing, not compiling.
( cd fuzz && cargo +nightly fuzz build -O --debug-assertions -s "$SANITIZER" )

status=0
for target in "${TARGETS[@]}"; do
  log=$(mktemp)
  echo "fuzz-smoke: $target for ${PER_TARGET}s"
  # -rss_limit_mb/-timeout turn a blow-up or a hang into a failure; -max_len allows tokens
  # around the 64 KiB limit.
  if ( cd fuzz && cargo +nightly fuzz run -O --debug-assertions -s "$SANITIZER" "$target" "corpus/$target" -- \
        -max_total_time="$PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=70000 \
        -print_final_stats=1 ) >"$log" 2>&1; then
    execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo '?')
    speed=$(grep -Eo 'exec/s: *[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+$' || echo '?')
    cov=$(grep -Eo 'cov: *[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+$' || echo '?')
    echo "fuzz-smoke: $target ok: ${execs} runs, ${speed} exec/s, coverage ${cov}"
  else
    status=1
    echo "fuzz-smoke: FAIL: $target found a crash" >&2
    grep -E 'panicked|ERROR|SUMMARY|Test unit written|artifact_prefix|Base64' "$log" | head -20 >&2 || true
    tail -40 "$log" >&2
    echo "fuzz-smoke: reproduce with: (cd fuzz && cargo +nightly fuzz run -O --debug-assertions -s $SANITIZER $target <artifact path above>)" >&2
  fi
  rm -f "$log"
done
exit $status
