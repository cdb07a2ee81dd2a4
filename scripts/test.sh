#!/usr/bin/env bash
# `npm test`: every test, in order of cost. Fails on the first failing stage and says which.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS=0
stage() { echo; echo "=== [$((SECONDS / 60))m$((SECONDS % 60))s] $*"; }

stage "setup (installs what is missing)"
bash scripts/setup.sh

stage "rust: format, lints and API docs"
cargo fmt --all -- --check
rustfmt --check --edition 2021 fuzz/fuzz_targets/*.rs fuzz/src/lib.rs   # the fuzz crate, without resolving its dependencies
cargo clippy --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet

stage "rust: core tests (unit, RFC vectors, Wycheproof, attack suite, shared vectors, doctests)"
cargo test

stage "rust: no_std builds (thumbv7em-none-eabihf, wasm32-unknown-unknown)"
bash scripts/check-nostd.sh

stage "build: the npm package (pkg/) and the inspector page's copy of it"
node scripts/build.mjs

stage "wasm-pack tests (Node and headless Chromium)"
bash scripts/test-wasm-pack.sh

stage "JavaScript: package, Worker and inspector tests (node:test)"
node --test --test-concurrency=1 pkg/test/ worker/test/ www/test/

stage "bench smoke (every contender must accept valid and reject bad tokens; ratios printed)"
BENCH_QUICK=1 node benches/js/bench.mjs

stage "fuzz smoke run"
bash scripts/fuzz-smoke.sh

stage "all stages passed in $((SECONDS / 60))m$((SECONDS % 60))s"
