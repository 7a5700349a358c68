// The "What each package costs where it is used" section of BENCHMARKS.md,
// from bench/packages.json (written by bench/packages.mjs). bench/run.mjs
// puts it in BENCHMARKS.md; on its own this prints it:
//
//   node bench/packages-report.mjs
import { readFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGES_JSON = join(dirname(fileURLToPath(import.meta.url)), "packages.json");

// The packages, as crate names and as their paths appear in function names
// (demangled Rust paths). A function counts for the first package in this
// order whose path its name has: `<serde_wasm_bindgen::ser::ArraySerializer
// as serde_core::ser::SerializeSeq>::serialize_element` for
// serde-wasm-bindgen, `<impl serde_core::ser::Serialize for
// walkme_webhooks::editor::Preview>` (derived) for serde,
// `drop_in_place<gloo_net::error::Error>` for gloo-net.
export const PACKAGES = [
  { name: "serde-wasm-bindgen", path: /\bserde_wasm_bindgen\b/ },
  { name: "gloo-net", path: /\bgloo_(net|utils)\b/ },
  { name: "web-sys", path: /\bweb_sys\b/ },
  { name: "serde_json", path: /\bserde_json\b/ },
  { name: "wasm-bindgen-futures", path: /\bwasm_bindgen_futures\b/ },
  { name: "js-sys", path: /\bjs_sys\b/ },
  { name: "wasm-bindgen", path: /\bwasm_bindgen\b/ },
  { name: "serde", path: /\bserde(_core)?::/ },
];
// How the B variants read the JSON text back.
const READ = { B1: "JSON.parse in editor.js", B2: "js_sys::JSON::parse in Rust" };
// The packages the runtime must not link.
const EDITOR_ONLY = ["serde-wasm-bindgen", "gloo-net", "web-sys", "js-sys", "serde"];

const fmtInt = (x) => Math.round(x).toLocaleString("en-US");
const fmtB = (x) => fmtInt(x) + " B";
const signed = (x) => (x > 0 ? "+" : x < 0 ? "-" : "±") + fmtB(Math.abs(x));
const list = (xs, and = "and") => (xs.length < 2 ? xs.join("") : xs.slice(0, -1).join(", ") + ` ${and} ` + xs[xs.length - 1]);
// "costs 795 B" or "saves 120 B": what `a` adds to the module against `b`.
const costs = (a, b) => (a >= b ? `costs ${fmtB(a - b)}` : `saves ${fmtB(b - a)}`);

export function packagesSection(data) {
  const head = "## What each package costs where it is used\n\n";
  if (!data) return head + "Not measured yet: `node bench/packages.mjs` writes bench/packages.json, which this section is built from.\n";
  const row = Object.fromEntries(data.rows.map((r) => [r.variant, r]));
  const A = row.A.totalGz;
  const b = [row.B1, row.B2].sort((x, y) => x.totalGz - y.totalGz);
  const rt = data.runtime;
  const ed = data.editorNames;

  const variants = [
    "| Editor module | What it is | Patch | wasm | JS | Total | Against A |",
    "|---|---|---|---:|---:|---:|---:|",
    ...data.rows.map(
      (r) =>
        `| ${r.variant} | ${r.note} | ${r.patches.length ? r.patches.map((p) => `bench/packages/${p}`).join(", ") : "—"} | ${fmtB(r.wasmGz)} | ${fmtB(r.jsGz)} | ${fmtB(r.totalGz)} | ${r.variant === "A" ? "—" : signed(r.totalGz - A)} |`
    ),
  ].join("\n");

  const share = (bytes, all) => `${fmtB(bytes)} (${((100 * bytes) / all).toFixed(1)} %)`;
  const all = (p) => Object.values(p).reduce((s, x) => s + x.bytes, 0);
  const [edAll, rtAll] = [all(ed.packages), all(rt.packages)];
  const names = [
    "| Package | Editor module (A): functions | imports | code | Runtime: functions | imports | code |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...[...PACKAGES.map((p) => p.name), "other"].map((name) => {
      const e = ed.packages[name];
      const r = rt.packages[name];
      const c = (x, all) => (x.functions ? share(x.bytes, all) : "0 B");
      return `| ${name === "other" ? "other: the project's code, Rust's standard library, the allocator" : name} | ${fmtInt(e.functions)} | ${fmtInt(e.imports)} | ${c(e, edAll)} | ${fmtInt(r.functions)} | ${fmtInt(r.imports)} | ${c(r, rtAll)} |`;
    }),
    `| all | ${fmtInt(ed.functions)} | | ${fmtB(edAll)} | ${fmtInt(rt.functions)} | | ${fmtB(rtAll)} |`,
  ].join("\n");

  const absent = EDITOR_ONLY.filter((n) => rt.packages[n].functions === 0 && rt.packages[n].imports === 0);
  const present = EDITOR_ONLY.filter((n) => !absent.includes(n));
  const inTree = PACKAGES.map((p) => p.name).filter((n) => rt.inTree[n]);
  const notInTree = EDITOR_ONLY.filter((n) => !rt.inTree[n]);
  const wb = rt.packages["wasm-bindgen"];
  const json = ed.packages.serde_json;

  const findings = [
    `- serde-wasm-bindgen ${costs(A, b[0].totalGz)} in the editor module against the cheaper way without it (${b[0].variant}: serde_json, then ${READ[b[0].variant]}), and ${costs(A, b[1].totalGz)} against the other (${b[1].variant}: ${READ[b[1].variant]}).`,
    `- gloo-net ${costs(A, row.C.totalGz)} against calling \`fetch\` through web-sys directly (C).`,
    `- publish and probeCors cost ${fmtB(A - row.D.totalGz)} with gloo-net and what comes with it (A against D)${json.functions ? `, which includes serde_json's error messages (${fmtInt(json.functions)} functions, linked through gloo-net's \`json\` feature)` : ""}; with \`fetch\` through web-sys they cost ${fmtB(row.C.totalGz - row.D.totalGz)} (C against D).`,
    `- wasm-bindgen, js-sys and serde stay in every variant: every export and import of the module goes through wasm-bindgen, js-sys has the JavaScript calls the module makes (the promises and the futures executor of the async exports, the objects and arrays serde-wasm-bindgen builds, errors, \`Date.now\`), and serde is what A and B1/B2 serialize results with. The table below shows how much of the code is theirs.`,
    `- The visitor runtime (pkg/walkme_webhooks_bg.wasm ${fmtB(rt.wasmGz)} + pkg/index.js ${fmtB(rt.jsGz)} = ${fmtB(rt.totalGz)}, built the same way): its wasm32 dependency tree (\`cargo tree --features runtime --target wasm32-unknown-unknown -e normal\`) has ${list(inTree)}${notInTree.length ? `, not ${list(notInTree, "or")}` : ""}. ${
      absent.length ? `Its code has no function and no import of ${list(absent, "or")}: they cost 0 B there.` : ""
    }${absent.includes("serde") ? " The core's types derive `Serialize` (for the editor module); nothing in the runtime serializes, so the linker drops that code." : ""}${
      present.length ? ` It does link ${list(present)} (see the table).` : ""
    } wasm-bindgen has ${fmtInt(wb.functions)} functions there (${fmtB(wb.bytes)} of code before wasm-opt), and its glue is part of pkg/index.js.`,
  ].join("\n");

  return `${head}The editor module (pkg/walkme_webhooks_editor_bg.wasm and pkg/editor.js) as it is (A) and in variants that replace or remove one package, and what the visitor runtime links. Measured on ${data.date} at commit ${data.commit}; reproduce with \`${data.command}\`, which writes bench/packages.json (this section is built from it). Sizes are gzip -9, in bytes, as \`downloadSize()\` of scripts/package.mjs counts them.

Each variant is built from a fresh copy of the commit (\`git archive\`) with its patch applied, by the build steps of scripts/build.sh (cargo with the \`editor\` feature, wasm-bindgen, wasm-opt -Oz, the short import and export names, esbuild of src/js/editor.js).

${variants}

${findings}

Where the code comes from, by function name: each module's release build as cargo makes it (it keeps its function names until wasm-opt --strip-debug), after wasm-bindgen and before wasm-opt, so raw code bytes, not gzipped. Each function counts for one package: the first in the table's order whose path its name has (a derived \`Serialize\` impl counts for serde, \`drop_in_place<gloo_net::…>\` for gloo-net). Imports are the JavaScript functions the wasm calls. wasm-bindgen-futures 0.4 re-exports js-sys's executor (\`js_sys::futures\`), so that code counts for js-sys.

${names}
`;
}

// The section for bench/packages.json as it is (or says it is missing).
export function packagesSectionOfFile(file = PACKAGES_JSON) {
  return packagesSection(existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(packagesSectionOfFile());
