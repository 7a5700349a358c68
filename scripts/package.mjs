// Completes pkg/ after wasm-pack: the public entry, types, loader, README and
// package.json, and prints the gzipped size of what a page downloads.
import { readFileSync, writeFileSync, copyFileSync, readdirSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = join(root, "pkg");
for (const f of ["index.js", "index.d.ts", "loader.js"]) copyFileSync(join(root, "src/js", f), join(pkg, f));
copyFileSync(join(root, "README.md"), join(pkg, "README.md"));

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
      exports: { ".": { types: "./index.d.ts", default: "./index.js" }, "./loader.js": "./loader.js", "./walkme_webhooks_bg.wasm": "./walkme_webhooks_bg.wasm" },
      files: files.sort(),
      sideEffects: ["./loader.js", "./snippets/*"],
    },
    null,
    2
  ) + "\n"
);

export function downloadSize() {
  const wasm = readFileSync(join(pkg, "walkme_webhooks_bg.wasm"));
  const js = ["walkme_webhooks.js", "index.js"].map((f) => readFileSync(join(pkg, f)));
  const snippets = [];
  const walkS = (d) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walkS(p);
      else snippets.push(readFileSync(p));
    }
  };
  walkS(join(pkg, "snippets"));
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  const parts = { wasm: gz(wasm), glue: gz(Buffer.concat(js)), snippets: gz(Buffer.concat(snippets)) };
  return { ...parts, total: parts.wasm + parts.glue + parts.snippets, raw: wasm.length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = downloadSize();
  console.log(`build: pkg/ ready; a page downloads ${s.total} B gzipped (wasm ${s.wasm} B, JS glue ${s.glue} B, platform JS ${s.snippets} B; wasm raw ${s.raw} B)`);
}
