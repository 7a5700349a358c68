// What each package costs where it is used: the editor module built as it is
// and in variants without one package (bench/packages/*.patch), and a check
// of which packages the visitor runtime links. Writes bench/packages.json and
// prints the section of BENCHMARKS.md made from it (bench/packages-report.mjs,
// which bench/run.mjs uses too).
//
//   node bench/packages.mjs [--keep]
//
// Every variant is built from a fresh copy of the commit (`git archive HEAD`:
// uncommitted changes to the tree are not measured) in a temporary directory,
// with its patches applied (`git apply`), by the commands of scripts/build.sh
// (read from the copy's build.sh: cargo with the feature, wasm-bindgen,
// wasm-opt -Oz, the short names, then esbuild of src/js/editor.js). Sizes are
// gzip -9, as `downloadSize()` of scripts/package.mjs counts them. The copies
// share target/packages/ so that the dependencies compile once. --keep leaves
// the temporary directory.
import { readFileSync, writeFileSync, mkdtempSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import os from "node:os";
import { PACKAGES, packagesSection } from "./packages-report.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PATCHES = join(root, "bench/packages");
const TARGET = join(root, "target/packages");
mkdirSync(TARGET, { recursive: true });
const KEEP = process.argv.includes("--keep");

// The editor module's variants: the patches applied to the copy, in order.
const VARIANTS = [
  { variant: "A", patches: [], note: "as it is: results cross with serde-wasm-bindgen, publish and probeCors use gloo-net" },
  {
    variant: "B1",
    patches: ["b-json-js.patch"],
    note: "serde-wasm-bindgen replaced: results written as JSON text by serde_json::to_string, read with JSON.parse in editor.js",
  },
  {
    variant: "B2",
    patches: ["b-json-rust.patch"],
    note: "serde-wasm-bindgen replaced: results written as JSON text by serde_json::to_string, read with js_sys::JSON::parse in Rust",
  },
  {
    variant: "C",
    patches: ["c-web-sys.patch"],
    note: "gloo-net replaced: publish and probeCors call fetch through web-sys (Request, RequestInit, Headers, Response) and wasm-bindgen-futures's JsFuture",
  },
  {
    variant: "D",
    patches: ["d-no-publish.patch"],
    note: "publish and probeCors removed, with gloo-net, web-sys and wasm-bindgen-futures",
  },
];
const log = (m) => console.error("packages: " + m);
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, ...opts });
const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;

let commit = run("git", ["rev-parse", "--short", "HEAD"], { cwd: root }).trim();
if (run("git", ["status", "--porcelain", "--", "bench/packages", "bench/packages.mjs"], { cwd: root }).trim()) {
  commit += " + uncommitted changes to bench/packages";
}
const tmp = mkdtempSync(join(os.tmpdir(), "walkme-packages-"));
log(`copies of ${commit} in ${tmp}; cargo target dir ${TARGET}`);

// A fresh copy of the commit with `patches` applied.
function copy(name, patches) {
  const dir = join(tmp, name.replace(/\W/g, "_"));
  mkdirSync(dir, { recursive: true });
  run("sh", ["-c", `git -C "$1" archive HEAD | tar -x -C "$2"`, "sh", root, dir]);
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  symlinkSync(TARGET, join(dir, "target"));
  run("git", ["init", "-q"], { cwd: dir });
  for (const p of patches) {
    try {
      run("git", ["apply", "--whitespace=nowarn", join(PATCHES, p)], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      throw new Error(`packages: bench/packages/${p} does not apply to this commit (update it):\n${e.stderr}`);
    }
  }
  return dir;
}

// The build steps of scripts/build.sh, taken from the copy's build.sh (so
// that they stay the same); the copy's target/ is the shared directory.
function buildScript(dir, steps) {
  const sh = readFileSync(join(dir, "scripts/build.sh"), "utf8");
  const pick = (re, what) => {
    const m = re.exec(sh);
    if (!m) throw new Error(`packages: scripts/build.sh has no ${what}; update bench/packages.mjs`);
    return m[0];
  };
  const moduleFn = pick(/^module\(\) \{\n[\s\S]*?\n\}$/m, "module() function");
  return [
    "set -euo pipefail",
    ". scripts/env.sh",
    pick(/^BUILD=.*$/m, "BUILD="),
    'mkdir -p "$BUILD"',
    pick(/^OPT_FLAGS=\(.*\)$/m, "OPT_FLAGS"),
    moduleFn,
    pick(/^ESB=\(.*\)$/m, "ESB"),
    ...steps.map(([re, what]) => (typeof re === "string" ? re : pick(re, what))),
  ].join("\n");
}
const EDITOR_STEPS = [
  ["module editor walkme_webhooks_editor"],
  [/^cp src\/js\/\*\.js "\$BUILD\/"$/m, "cp of src/js"],
  [/^"\$\{ESB\[@\]\}" "\$BUILD\/editor\.js".*$/m, "esbuild of editor.js"],
];
const RUNTIME_STEPS = [
  ["module runtime walkme_webhooks"],
  [/^cp src\/js\/\*\.js "\$BUILD\/"$/m, "cp of src/js"],
  [/^"\$\{ESB\[@\]\}" "\$BUILD\/index\.js".*$/m, "esbuild of index.js"],
];
function build(dir, steps) {
  run("bash", ["-c", buildScript(dir, steps)], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
}

// ---- reading a .wasm: function names (the "name" section) and body sizes ----

function wasmFunctions(file) {
  const b = readFileSync(file);
  let p = 8;
  const u32 = () => {
    let r = 0,
      s = 0,
      x;
    do {
      x = b[p++];
      r |= (x & 0x7f) << s;
      s += 7;
    } while (x & 0x80);
    return r >>> 0;
  };
  const str = () => {
    const n = u32();
    const t = b.toString("utf8", p, p + n);
    p += n;
    return t;
  };
  let imported = 0;
  const sizes = [];
  const names = new Map();
  while (p < b.length) {
    const id = b[p++];
    const size = u32();
    const end = p + size;
    if (id === 2) {
      for (let n = u32(), i = 0; i < n; i++) {
        str();
        str();
        const kind = b[p++];
        if (kind === 0) (u32(), imported++);
        else if (kind === 1) (p++, b[p++] & 1 ? (u32(), u32()) : u32());
        else if (kind === 2) (b[p++] & 1 ? (u32(), u32()) : u32());
        else if (kind === 3) p += 2;
        else if (kind === 4) (p++, u32());
        else throw new Error(`packages: ${file}: import kind ${kind}`);
      }
    } else if (id === 10) {
      for (let n = u32(), i = 0; i < n; i++) {
        const s = u32();
        sizes.push(s);
        p += s;
      }
    } else if (id === 0 && str() === "name") {
      while (p < end) {
        const sub = b[p++];
        const len = u32();
        const subEnd = p + len;
        if (sub === 1) for (let n = u32(), i = 0; i < n; i++) names.set(u32(), str());
        p = subEnd;
      }
    }
    p = end;
  }
  const fns = [];
  for (const [idx, name] of names) fns.push({ name, imported: idx < imported, bytes: idx < imported ? 0 : sizes[idx - imported] });
  return { fns };
}

// Each package's functions (defined and imported) and their code bytes
// (before wasm-opt); "other" is the project's code, the standard library
// and the allocator.
function byPackage(fns) {
  const out = Object.fromEntries([...PACKAGES.map((p) => p.name), "other"].map((n) => [n, { functions: 0, imports: 0, bytes: 0 }]));
  for (const f of fns) {
    const o = out[(PACKAGES.find((p) => p.path.test(f.name)) || { name: "other" }).name];
    if (f.imported) o.imports++;
    else (o.functions++, (o.bytes += f.bytes));
  }
  return out;
}

// The functions of a module as cargo built it (the release build keeps its
// name section until wasm-opt --strip-debug), after wasm-bindgen, by package.
const sh = (dir, cmd) => run("bash", ["-c", `set -euo pipefail\n. scripts/env.sh\n${cmd}`], { cwd: dir });
function named(dir, feature) {
  const out = `target/names/${feature}`;
  sh(dir, `rm -rf ${out} && wasm-bindgen --target web --out-dir ${out} --out-name m target/${feature}/wasm32-unknown-unknown/release/walkme_webhooks.wasm`);
  const { fns } = wasmFunctions(join(dir, out, "m_bg.wasm"));
  if (!fns.length) throw new Error(`packages: the ${feature} module has no function names`);
  return { functions: fns.filter((f) => !f.imported).length, packages: byPackage(fns) };
}

// ---- the runs ------------------------------------------------------------------

const rows = [];
let editorNames;
try {
  for (const v of VARIANTS) {
    log(`${v.variant}: building the editor module${v.patches.length ? " with " + v.patches.join(", ") : ""}`);
    const dir = copy("editor-" + v.variant, v.patches);
    build(dir, EDITOR_STEPS);
    const wasmGz = gz(join(dir, "pkg/walkme_webhooks_editor_bg.wasm"));
    const jsGz = gz(join(dir, "pkg/editor.js"));
    rows.push({ variant: v.variant, wasmGz, jsGz, totalGz: wasmGz + jsGz, note: v.note, patches: v.patches });
    if (v.variant === "A") editorNames = named(dir, "editor");
    log(`${v.variant}: wasm ${wasmGz} B, JS ${jsGz} B gzipped`);
  }

  // The visitor runtime: its package as built, the packages in its
  // dependency tree, and which of them have code in it.
  log("runtime: building as scripts/build.sh does");
  const dir = copy("runtime", []);
  build(dir, RUNTIME_STEPS);
  const wasmGz = gz(join(dir, "pkg/walkme_webhooks_bg.wasm"));
  const jsGz = gz(join(dir, "pkg/index.js"));
  const tree = sh(dir, "cargo tree --features runtime --target wasm32-unknown-unknown -e normal --prefix none --format '{p}'")
    .split("\n")
    .map((l) => l.split(" ")[0])
    .filter(Boolean);
  const inTree = Object.fromEntries(PACKAGES.map(({ name }) => [name, tree.includes(name)]));
  const runtime = { wasmGz, jsGz, totalGz: wasmGz + jsGz, inTree, ...named(dir, "runtime") };

  const result = {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    commit,
    command: "node bench/packages.mjs",
    rows,
    runtime,
    editorNames,
  };
  writeFileSync(join(root, "bench/packages.json"), JSON.stringify(result, null, 2) + "\n");
  console.log(packagesSection(result));
  log("wrote bench/packages.json");
} finally {
  if (KEEP) log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

