// Completes pkg/ after wasm-pack: the public entry, types, loader, README, the
// destination presets (presets.json, the file the editor module's presets()
// returns) and package.json, and prints the gzipped size of what a page downloads.
import { readFileSync, writeFileSync, copyFileSync, readdirSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = join(root, "pkg");
copyFileSync(join(root, "src/js/index.d.ts"), join(pkg, "index.d.ts"));
copyFileSync(join(root, "src/js/editor.d.ts"), join(pkg, "editor.d.ts"));
copyFileSync(join(root, "README.md"), join(pkg, "README.md"));
copyFileSync(join(root, "presets/presets.json"), join(pkg, "presets.json"));

const cargo = readFileSync(join(root, "Cargo.toml"), "utf8");
const version = /^version = "([^"]+)"/m.exec(cargo)[1];
const files = [];
const walk = (dir, rel) => {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    const r = rel ? rel + "/" + f : f;
    if (statSync(p).isDirectory()) walk(p, r);
    else if (!/^(package\.json|\.gitignore)$/.test(r)) files.push(r);
  }
};
walk(pkg, "");
writeFileSync(
  join(pkg, "package.json"),
  JSON.stringify(
    {
      name: "walkme-webhooks",
      version,
      description: "WalkMe webhooks in the browser: send WalkMe events to Slack, Mixpanel, Heap, GA4, Zapier or any HTTP endpoint, straight from the page.",
      license: "MIT",
      type: "module",
      main: "index.js",
      module: "index.js",
      types: "index.d.ts",
      exports: {
        ".": { types: "./index.d.ts", default: "./index.js" },
        "./editor": { types: "./editor.d.ts", default: "./editor.js" },
        "./loader.js": "./loader.js",
        "./presets.json": "./presets.json",
        "./walkme_webhooks_bg.wasm": "./walkme_webhooks_bg.wasm",
        "./walkme_webhooks_editor_bg.wasm": "./walkme_webhooks_editor_bg.wasm",
      },
      files: files.sort(),
      sideEffects: ["./loader.js"],
    },
    null,
    2
  ) + "\n"
);

// What a page downloads: the .wasm and the JS module, gzipped.
// What a visitor's page downloads before it can take events, with default
// options: the runtime's .wasm and its JS module. Auto-capture adds its own
// chunk (loaded only when `autoCapture` is on); the editor module is never
// downloaded by visitors.
export function downloadSize() {
  const gz = (f) => gzipSync(readFileSync(join(pkg, f)), { level: 9 }).length;
  const capture = readdirSync(pkg).find((f) => /^capture-.*\.js$/.test(f));
  const parts = { wasm: gz("walkme_webhooks_bg.wasm"), js: gz("index.js"), capture: capture ? gz(capture) : 0, loader: gz("loader.js") };
  const editor = gz("walkme_webhooks_editor_bg.wasm") + gz("editor.js");
  return { ...parts, total: parts.wasm + parts.js, withCapture: parts.wasm + parts.js + parts.capture, editor, raw: readFileSync(join(pkg, "walkme_webhooks_bg.wasm")).length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = downloadSize();
  console.log(`build: pkg/ ready; a page downloads ${s.total} B gzipped (wasm ${s.wasm} B, JS ${s.js} B; wasm raw ${s.raw} B); with autoCapture ${s.withCapture} B; the editor module ${s.editor} B`);
}
