// Fails when what a page downloads (wasm + JS glue + platform JS, gzipped)
// grows past the budget, so size cannot regress unnoticed.
import { downloadSize } from "./package.mjs";

const BUDGET = Number(process.env.WMWH_SIZE_BUDGET || 69_000);
const s = downloadSize();
const line = `size: ${s.total} B gzipped (wasm ${s.wasm} B, JS ${s.js} B); budget ${BUDGET} B`;
if (s.total > BUDGET) {
  console.error(line + ": OVER BUDGET");
  process.exit(1);
}
console.log(line);
