#!/usr/bin/env bash
# Builds the npm package into pkg/ from one Rust core, two modules:
# - the visitor runtime (feature "runtime", no_std): pkg/index.js (the public
#   entry, glue and platform code in one minified ES module), its
#   walkme_webhooks_bg.wasm, the auto-capture chunk (loaded only when
#   autoCapture is on) and the snippet loader;
# - the editor module (feature "editor"): pkg/editor.js and
#   walkme_webhooks_editor_bg.wasm, for the editor, tests and tools.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
# Idempotent and quick when nothing is missing; a fresh clone has no
# node_modules (binaryen's wasm-opt, esbuild) until it runs.
bash scripts/setup.sh >/dev/null

BUILD=pkg/.build
rm -rf pkg
mkdir -p "$BUILD"
OPT_FLAGS=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue)

# One wasm module: cargo with the feature, wasm-bindgen, then binaryen.
module() {
  local feature=$1 name=$2
  echo "build: $name (cargo --features $feature, wasm-bindgen, wasm-opt -Oz)"
  cargo build --quiet --release --target wasm32-unknown-unknown --features "$feature" --target-dir "target/$feature"
  wasm-bindgen --target web --out-dir "$BUILD" --out-name "$name" "target/$feature/wasm32-unknown-unknown/release/walkme_webhooks.wasm"
  # -ocimfs 20: a function with one caller is inlined only when small (big
  # single-caller bodies stay apart, which gzip packs better); --converge
  # repeats the passes while they still shrink the module; then the control
  # flow is rebuilt (--flatten --rereloop) and optimised once more.
  node_modules/.bin/wasm-opt -Oz -ocimfs 20 --converge --flatten --rereloop -Oz "${OPT_FLAGS[@]}" --strip-debug --strip-producers "$BUILD/${name}_bg.wasm" -o "$BUILD/${name}_bg.wasm"
  # Short import, export and module names in the .wasm and the glue alike.
  node_modules/.bin/wasm-opt "${OPT_FLAGS[@]}" --minify-imports-and-exports-and-modules "$BUILD/${name}_bg.wasm" -o "$BUILD/min.wasm" >/dev/null
  node scripts/minify-names.mjs "$BUILD/${name}_bg.wasm" "$BUILD/min.wasm" "$BUILD/$name.js" "./${name}_bg.js"
  mv "$BUILD/min.wasm" "pkg/${name}_bg.wasm"
}
module runtime walkme_webhooks
module editor walkme_webhooks_editor

# The JavaScript: each entry bundled with its glue and minified. The runtime
# splits off capture.js (a dynamic import); the loader stays its own file.
cp src/js/*.js "$BUILD/"
ESB=(node_modules/.bin/esbuild --bundle --format=esm --minify --target=es2020 --legal-comments=none --log-level=warning)
"${ESB[@]}" "$BUILD/index.js" --splitting --outdir=pkg --chunk-names='[name]-[hash]'
"${ESB[@]}" "$BUILD/editor.js" --outfile=pkg/editor.js
node_modules/.bin/esbuild src/js/loader.js --format=esm --minify --target=es2020 --log-level=warning --outfile=pkg/loader.js
rm -rf "$BUILD"
node scripts/package.mjs
