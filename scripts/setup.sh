#!/usr/bin/env bash
# Installs what building and testing jwtward needs on a fresh machine, and nothing when it is all
# there already (then it takes well under 2 s). Used by `npm run build`, `npm start`, `npm test`
# and CI. Every install step says what it installs; any failure stops the script with a message.
#
#   - the Rust targets wasm32-unknown-unknown and thumbv7em-none-eabihf (the no_std proof build)
#   - wasm-bindgen-cli at exactly the version of the `wasm-bindgen` crate in Cargo.lock (the JS glue
#     and the crate must match, or the generated module fails at load time)
#   - wasm-pack (for `wasm-pack test`; it finds the pinned wasm-bindgen on PATH and downloads nothing)
#   - Debian's chromium + chromium-driver (headless browser tests; never a downloaded browser)
#   - the root npm devDependencies (`npm ci`) when node_modules is missing or older than the lock
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

fail() {
  echo "setup.sh: FAILED: $*" >&2
  exit 1
}
trap 'fail "command failed (line $LINENO): $BASH_COMMAND"' ERR

step() {
  echo "setup.sh: $*"
}

command -v cargo >/dev/null || fail "cargo is not installed (install Rust with rustup first)"
command -v rustup >/dev/null || fail "rustup is not installed (needed to add the wasm32 target)"
command -v node >/dev/null || fail "node is not installed (Node >= 20 is required)"
command -v npm >/dev/null || fail "npm is not installed"

# --- Rust target -------------------------------------------------------------------------------
# Looking in the sysroot is ~20x faster than `rustup target list --installed`.
# wasm32 builds the package; thumbv7em-none-eabihf (no std at all) proves the core is no_std
# (scripts/check-nostd.sh).
for target in wasm32-unknown-unknown thumbv7em-none-eabihf; do
  if [ ! -d "$(rustc --print sysroot)/lib/rustlib/$target/lib" ]; then
    step "installing the Rust target $target"
    rustup target add "$target"
  fi
done

# --- wasm-bindgen-cli, pinned by Cargo.lock ------------------------------------------------------
wanted="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[ -n "$wanted" ] || fail "no wasm-bindgen version found in Cargo.lock"
have="$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)"
if [ "$have" != "$wanted" ]; then
  step "installing wasm-bindgen-cli $wanted (found: ${have:-none}); this takes a few minutes"
  cargo install wasm-bindgen-cli --version "$wanted"
  have="$(wasm-bindgen --version | awk '{ print $2 }')"
  [ "$have" = "$wanted" ] || fail "wasm-bindgen is $have after installing $wanted (check PATH)"
fi

# --- wasm-pack -----------------------------------------------------------------------------------
if ! command -v wasm-pack >/dev/null; then
  step "installing wasm-pack; this takes a few minutes"
  cargo install wasm-pack
fi

# --- Chromium and its WebDriver (Debian packages) --------------------------------------------------
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  step "installing Debian packages chromium and chromium-driver"
  command -v apt-get >/dev/null || fail "apt-get not found: install chromium and chromium-driver by hand"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends chromium chromium-driver
  [ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is still missing"
  [ -x /usr/bin/chromedriver ] || fail "/usr/bin/chromedriver is still missing"
fi

# --- root npm devDependencies ----------------------------------------------------------------------
# npm ci records what it installed in node_modules/.package-lock.json: a lock newer than that
# record means the dependencies changed since.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing the npm devDependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
[ -x node_modules/.bin/wasm-opt ] || fail "node_modules/.bin/wasm-opt missing (npm package binaryen)"
