// Fails when what a page downloads (wasm + JS glue + platform JS, gzipped)
// grows past the budget, so size cannot regress unnoticed.
import { readdirSync } from "node:fs";
import { downloadSize } from "./package.mjs";

// The runtime's download is index.js + its wasm (+ the capture chunk with
// autoCapture); a shared chunk esbuild splits out would be one more file on
// every visitor's critical path, uncounted below.
const extra = readdirSync(new URL("../pkg/", import.meta.url)).filter(
  (f) => f.endsWith(".js") && !/^(index|loader|editor|capture-[A-Z0-9]+)\.js$/.test(f)
);
if (extra.length) {
  console.error(`size: pkg/ has ${extra.join(", ")}: a chunk shared by the runtime's files; import so that esbuild needs none`);
  process.exit(1);
}

const BUDGET = Number(process.env.WMWH_SIZE_BUDGET || 69_000);
const s = downloadSize();
const line = `size: ${s.total} B gzipped (wasm ${s.wasm} B, JS ${s.js} B); budget ${BUDGET} B`;
if (s.total > BUDGET) {
  console.error(line + ": OVER BUDGET");
  process.exit(1);
}
console.log(line);
