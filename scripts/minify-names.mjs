// Shortens the names between the .wasm and its JS glue: wasm-bindgen names
// every import and export after its Rust path plus a hash
// (`__wbg_store_scan_f443cffb4c413007`, `./snippets/walkme-webhooks-<hash>/
// src/shell/platform.js`), and those names travel twice, in the .wasm and in
// the glue, and hardly compress. binaryen's
// `--minify-imports-and-exports-and-modules` renames them in the .wasm; this
// script applies the same renaming to the glue.
//
//   node scripts/minify-names.mjs <before.wasm> <after.wasm> <glue.js>
//
// Rewrites <glue.js> in place and fails (leaving it untouched) when the glue
// does not have the shape this relies on, so a wasm-bindgen upgrade that
// changes it stops the build instead of producing a broken module.
import { readFileSync, writeFileSync } from "node:fs";

const [before, after, gluePath] = process.argv.slice(2);
if (!gluePath) {
  console.error("usage: node scripts/minify-names.mjs <before.wasm> <after.wasm> <glue.js>");
  process.exit(2);
}
const fail = (m) => {
  console.error("minify-names: " + m);
  process.exit(1);
};

const [a, b] = await Promise.all([before, after].map((p) => WebAssembly.compile(readFileSync(p))));
const importsA = WebAssembly.Module.imports(a);
const importsB = WebAssembly.Module.imports(b);
const exportsA = WebAssembly.Module.exports(a);
const exportsB = WebAssembly.Module.exports(b);
if (importsA.length !== importsB.length || exportsA.length !== exportsB.length) fail("the two modules differ in their imports or exports");
const modules = new Set(importsB.map((i) => i.module));
if (modules.size !== 1) fail("expected one import module after minifying, got " + [...modules].join(", "));
const newModule = [...modules][0];

let glue = readFileSync(gluePath, "utf8");
const BG = process.argv[5] || "./walkme_webhooks_bg.js";

// The glue's own imports: `name: function(...)` members of `const import0 = {`.
const start = glue.indexOf("const import0 = {");
const ret = glue.indexOf("    return {", start);
if (start < 0 || ret < 0) fail("no `const import0 = {` ... `return {` in the glue");
let own = glue.slice(start, ret);
// Modules the glue passes as namespaces: `import * as importN from "<path>"`.
const namespaces = new Map();
for (const m of glue.matchAll(/^import \* as (import\d+) from "([^"]+)"$/gm)) {
  if (!namespaces.has(m[2])) namespaces.set(m[2], m[1]);
}
const extra = [];
importsA.forEach((imp, k) => {
  const short = importsB[k].name;
  if (imp.module === BG) {
    const re = new RegExp(`^( +)${imp.name.replace(/\$/g, "\\$")}(: )`, "m");
    if (!re.test(own)) fail(`import ${imp.name} not found in the glue`);
    own = own.replace(re, (_, indent, colon) => indent + short + colon);
  } else {
    const ns = namespaces.get(imp.module);
    if (!ns) fail(`no namespace import of ${imp.module}`);
    extra.push(`        ${short}: ${ns}.${imp.name},`);
  }
});
own = own.replace(/\n    };\n$/, `\n${extra.join("\n")}\n    };\n`);
if (!own.includes(extra[0] || "")) fail("cannot append to import0");
const end = glue.indexOf("\n    };\n", ret);
if (end < 0) fail("no end of the import object");
glue = glue.slice(0, start) + own + `    return { __proto__: null, ${JSON.stringify(newModule)}: import0 };\n` + glue.slice(end + "\n    };\n".length);

// Exports: every `wasm.<name>`.
const renamed = new Map(exportsA.map((e, k) => [e.name, exportsB[k].name]));
glue = glue.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (whole, name) => {
  const short = renamed.get(name);
  if (short === undefined) fail(`the glue uses wasm.${name}, which the module does not export`);
  return "wasm." + short;
});
writeFileSync(gluePath, glue);
