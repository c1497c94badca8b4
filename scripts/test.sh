#!/bin/sh
# Every test, fastest first. Assumes scripts/setup.sh ran (npm test does both).
set -eu
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "native Rust: the rules, the wording, the types"
cargo test --all-targets

step "fuzz the parsers and the session machine (a short run; docs/fuzzing.md for a long one)"
sh scripts/fuzz.sh 8

step "build the package, and the React example the e2e suites open (react, a11y)"
node scripts/build.mjs
node_modules/.bin/vite build --config www/react/vite.config.js --logLevel warn

step "the published types, strict TypeScript"
node_modules/.bin/tsc -p tests/types

step "wasm boundary in Node"
cargo test --target wasm32-unknown-unknown --test boundary

step "wasm boundary in headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_USE_BROWSER=1 \
  cargo test --target wasm32-unknown-unknown --test boundary

step "the built package from JS (Node), its server module, the simulator, and Chromium end to end"
node --test --test-concurrency=2 tests/js/ tests/server/ tests/sim/ tests/e2e/ tests/consumers/
