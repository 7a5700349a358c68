// npm run chaos [-- --events 10000 --reloads 3 --faults 0.3]: the long chaos run.
import { runChaos } from "../tests/e2e/chaos.mjs";

const arg = (n, d) => {
  const i = process.argv.indexOf("--" + n);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const r = await runChaos({
  events: arg("events", 10000),
  reloads: arg("reloads", 3),
  faultRate: arg("faults", 0.3),
  timeoutMs: 900_000,
  log: (m) => console.log(m),
});
console.log(JSON.stringify(r, null, 2));
const pass = r.lost === 0 && r.unexplainedDuplicates === 0 && r.pageErrors.length === 0;
console.log(pass ? "chaos: PASS" : "chaos: FAIL");
process.exit(pass ? 0 : 1);
