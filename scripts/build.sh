#!/usr/bin/env bash
# Builds the npm package into pkg/: the release wasm (wasm-pack, --target web)
# plus the public entry (index.js), its types and the snippet loader.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
[ -f "$WMWH_STATE/setup-done" ] || bash scripts/setup.sh
echo "build: wasm-pack build --release --target web"
wasm-pack --quiet build --release --target web --out-dir pkg --out-name walkme_webhooks --no-pack >/dev/null
echo "build: wasm-opt -Oz (binaryen $(node_modules/.bin/wasm-opt --version | awk '{print $3}'))"
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue --strip-debug --strip-producers \
  pkg/walkme_webhooks_bg.wasm -o pkg/walkme_webhooks_bg.wasm
# Short import, export and module names in the .wasm and the glue alike.
node_modules/.bin/wasm-opt --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  --minify-imports-and-exports-and-modules pkg/walkme_webhooks_bg.wasm -o pkg/min.wasm >/dev/null
node scripts/minify-names.mjs pkg/walkme_webhooks_bg.wasm pkg/min.wasm pkg/walkme_webhooks.js
mv pkg/min.wasm pkg/walkme_webhooks_bg.wasm
# One minified ES module: the guarded entry, the wasm-bindgen glue and the
# platform snippets (what a page downloads, besides the .wasm).
cp src/js/index.js pkg/entry.js
node_modules/.bin/esbuild pkg/entry.js --bundle --format=esm --minify --target=es2020 \
  --legal-comments=none --log-level=warning --log-override:duplicate-object-key=silent --outfile=pkg/index.js
node_modules/.bin/esbuild src/js/loader.js --format=esm --minify --target=es2020 \
  --log-level=warning --outfile=pkg/loader.js
rm -rf pkg/entry.js pkg/walkme_webhooks.js pkg/snippets pkg/walkme_webhooks_bg.wasm.d.ts pkg/walkme_webhooks.d.ts
node scripts/package.mjs
