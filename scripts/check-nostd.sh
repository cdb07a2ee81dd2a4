#!/usr/bin/env bash
# Proves the engine is no_std + alloc: builds it with no `std` feature for a bare-metal target
# (thumbv7em-none-eabihf has no std at all, so any std use fails to link) and for
# wasm32-unknown-unknown, with every algorithm family and with each family alone (each feature
# must compile on its own; trimmed WebAssembly builds depend on it).
#
#   bash scripts/check-nostd.sh
set -uo pipefail
cd "$(dirname "$0")/.."

fail=0
build() {
  local target=$1 features=$2
  echo "check-nostd: --target $target --no-default-features --features $features"
  # `cargo rustc --crate-type rlib` (the manifest's only type, stated so the proof never depends on
  # it): a cdylib must bring its own panic handler and allocator, which a library must not; the rlib is
  # what a no_std firmware or wasm application links.
  # Dependencies at opt-level 0 here: this proves the build, it does not run it, and the test
  # profile's optimised dependencies would triple the time.
  if ! cargo rustc --quiet --lib --crate-type rlib --no-default-features --features "$features" --target "$target" \
      --config 'profile.dev.package."*".opt-level=0'; then
    echo "check-nostd: FAIL: no_std build for $target with features [$features]" >&2
    fail=1
  fi
}

for target in thumbv7em-none-eabihf wasm32-unknown-unknown; do
  if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    echo "check-nostd: FAIL: Rust target $target is not installed (rustup target add $target)" >&2
    exit 1
  fi
done

build thumbv7em-none-eabihf hmac,rsa,ecdsa,eddsa
build wasm32-unknown-unknown hmac,rsa,ecdsa,eddsa
for family in hmac rsa ecdsa eddsa; do
  build wasm32-unknown-unknown "$family"
done

# getrandom must stay out of the no_std build: verification needs no randomness, and its
# presence on wasm32-unknown-unknown would demand a JS shim or fail at run time.
# The whole tree, searched, rather than `-i getrandom`: several getrandom versions sit in
# Cargo.lock (native dev-dependencies), which makes `-i getrandom` an error, not an answer.
if ! tree=$(cargo tree --no-default-features --features hmac,rsa,ecdsa,eddsa --target wasm32-unknown-unknown \
        -e normal --prefix none); then
  echo "check-nostd: FAIL: cargo tree failed" >&2
  fail=1
elif grep -q '^getrandom ' <<<"$tree"; then
  echo "check-nostd: FAIL: getrandom is in the no_std dependency tree:" >&2
  grep '^getrandom ' <<<"$tree" >&2
  fail=1
fi

if [ "$fail" -ne 0 ]; then
  echo "check-nostd: FAILED" >&2
  exit 1
fi
echo "check-nostd: ok (thumbv7em-none-eabihf, wasm32-unknown-unknown; each family alone)"
