#!/usr/bin/env bash
# Sets up what is missing, builds the module and serves the demo (www/) with
# the built-in default settings and the local receiver.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec node www/server.mjs --port "${PORT:-8080}"
