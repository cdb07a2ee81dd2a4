#!/usr/bin/env bash
# wasm-bindgen tests of the bindings (tests/wasm_bindings.rs) in Node and in headless Chromium:
#
#   wasm-pack test --node -- --features wasm --test wasm_bindings
#   WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver \
#     -- --features wasm --test wasm_bindings
#
# wasm-pack downloads nothing: the pinned wasm-bindgen (and its test runner) is on PATH and the
# WebDriver is Debian's /usr/bin/chromedriver driving /usr/bin/chromium. The test file has no
# `wasm_bindgen_test_configure!`, so the same tests run in both places (WASM_BINDGEN_USE_BROWSER
# picks the browser). A run that executes no test fails: the runner only prints a "skipping"
# note when a suite is configured for the other environment.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

fail() {
  echo "test-wasm-pack.sh: FAILED: $*" >&2
  exit 1
}

command -v wasm-pack >/dev/null || fail "wasm-pack missing: run scripts/setup.sh"
wanted="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
for tool in wasm-bindgen wasm-bindgen-test-runner; do
  have="$("$tool" --version 2>/dev/null | awk '{ print $2 }' || true)"
  [ "$have" = "$wanted" ] || fail "$tool ${have:-missing}, Cargo.lock pins $wanted: run scripts/setup.sh"
done
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium missing: run scripts/setup.sh"
[ -x /usr/bin/chromedriver ] || fail "/usr/bin/chromedriver missing: run scripts/setup.sh"

expected="$(grep -c '^#\[wasm_bindgen_test\]' tests/wasm_bindings.rs)"
[ "$expected" -gt 0 ] || fail "no #[wasm_bindgen_test] in tests/wasm_bindings.rs"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Chromium as root needs these flags; a fresh profile each run.
cat >"$tmp/webdriver.json" <<EOF
{
  "goog:chromeOptions": {
    "binary": "/usr/bin/chromium",
    "args": ["disable-gpu", "disable-background-networking", "disable-component-update",
             "disable-sync", "no-first-run", "user-data-dir=$tmp/profile"]
  }
}
EOF

# Runs one wasm-pack test invocation and checks that every test of the file ran and passed.
run() {
  local label="$1"
  shift
  echo "=== wasm-pack tests in $label"
  if ! "$@" 2>&1 | tee "$tmp/out"; then
    fail "wasm-pack tests in $label"
  fi
  local passed
  passed="$(sed -n 's/.*test result: ok\. \([0-9]*\) passed.*/\1/p' "$tmp/out" | tail -n 1)"
  [ "${passed:-0}" = "$expected" ] ||
    fail "$label: ${passed:-0} tests passed, tests/wasm_bindings.rs has $expected"
  echo "wasm-pack tests in $label: $passed passed, 0 failed"
}

cargo_args=(-- --features wasm --test wasm_bindings)

run "Node" wasm-pack test --node "${cargo_args[@]}"

run "headless Chromium" env WASM_BINDGEN_USE_BROWSER=1 WASM_BINDGEN_TEST_WEBDRIVER_JSON="$tmp/webdriver.json" \
  wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver "${cargo_args[@]}"
