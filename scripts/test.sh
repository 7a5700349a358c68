#!/usr/bin/env bash
# Runs every test: formatting, lints (native and wasm32), native tests, the
# module in headless Chromium against a real loopback receiver, the
# end-to-end browser tests and the size budget.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
bash scripts/setup.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
started=$(date +%s)

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (native; wasm32: the runtime, the editor module, the browser tests), warnings are errors"
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --features runtime -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --features editor -- -D warnings
cargo clippy --quiet --all-targets --target wasm32-unknown-unknown --features std,runtime -- -D warnings

step "native tests (cargo test)"
cargo test --quiet

step "fuzz the core (cargo-fuzz, 5 s per target)"
bash scripts/fuzz.sh 5

step "build the package"
bash scripts/build.sh

# The loopback receiver for the browser tests (cross-origin to the test pages).
PORT=${WMWH_TEST_PORT:-8787}
log=$(mktemp)
data=$(mktemp -d)
node www/server.mjs --port "$PORT" --receiver-ports "$((PORT+1)),$((PORT+2)),$((PORT+3))" --data-dir "$data" --quiet >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$log" "$data"' EXIT
up() { node -e "fetch('http://127.0.0.1:$PORT/api/stats').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; }
for _ in $(seq 50); do up && break; sleep 0.1; done
up || { cat "$log"; echo "test: the receiver did not start on port $PORT (is it in use?)"; exit 1; }

step "the Rust shell in headless Chromium (wasm-pack test, release: the timing bounds are the shipped code's)"
WMWH_RECEIVER="http://127.0.0.1:$PORT" WASM_BINDGEN_TEST_TIMEOUT=90 \
  wasm-pack test --release --headless --chrome --chromedriver /usr/bin/chromedriver --test web --features std,runtime

step "the stand-ins of the destinations (tests/standins: their own tests)"
node --test tests/standins/

step "end-to-end tests in Chromium (Playwright)"
WMWH_RECEIVER="http://127.0.0.1:$PORT" node --test --test-concurrency=1 tests/e2e/

step "size budget"
node scripts/size-budget.mjs

printf '\n\033[1mall tests passed in %ss\033[0m\n' "$(( $(date +%s) - started ))"
