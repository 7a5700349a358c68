// Benchmark page for walkme-webhooks: the module from /pkg/index.js, driven
// by bench/run.mjs through window.bench.
import init, { start } from "/pkg/index.js";

const b = {
  hooks: null,
  // Fetches, compiles and instantiates the wasm module.
  async init() {
    const t0 = performance.now();
    await init();
    return performance.now() - t0;
  },
  // The synchronous cost of start(settings), init() already done.
  start(settings) {
    const t0 = performance.now();
    b.hooks = start(settings, {});
    return performance.now() - t0;
  },
  // A tight loop of `n` emit() calls; how long it took, when it started
  // (wall clock, to compare with the receiver's timestamps), and how many
  // webhooks matched in all.
  loop(n, from = 0) {
    const hooks = b.hooks;
    let matched = 0;
    const startedAt = Date.now();
    const t0 = performance.now();
    for (let i = from; i < from + n; i++) {
      matched += hooks.emit("survey.submitted", { "survey.name": "NPS", "answer.value": i % 11, n: i });
    }
    const ms = performance.now() - t0;
    return { ms, startedAt, matched };
  },
  // Resolves when nothing is in flight.
  async settle() {
    await b.hooks.flush();
    return b.hooks.stats();
  },
  stats: () => b.hooks.stats(),
  ready: true,
};
window.bench = b;
document.body.dataset.ready = "true";
