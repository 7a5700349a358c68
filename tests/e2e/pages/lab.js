// Test page: starts the module from sessionStorage["lab-config"] =
// { settings, options } (so a reload starts it again) and hands every
// delivery report to the test through window.labReport (Playwright's
// exposeFunction) when present.
import init, { start } from "/pkg/index.js";

const state = document.getElementById("state");
const lab = {
  hooks: null,
  reports: [],
  async start(config) {
    sessionStorage.setItem("lab-config", JSON.stringify(config));
    await boot(config);
  },
  emitRange(type, prefix, from, to, props = {}) {
    let matched = 0;
    for (let i = from; i < to; i++) {
      matched += lab.hooks.emit(type, { ...props, "event.id": prefix + "-" + String(i).padStart(5, "0"), n: i });
    }
    return matched;
  },
  stats: () => lab.hooks && lab.hooks.stats(),
  flush: () => lab.hooks && lab.hooks.flush(),
};
window.lab = lab;

async function boot(config) {
  await init();
  lab.hooks = start(config.settings, config.options || {});
  lab.hooks.onDelivery((r) => {
    lab.reports.push(r);
    if (window.labReport) window.labReport(JSON.stringify(r));
  });
  state.textContent = "started";
  document.body.dataset.started = "true";
}

const saved = sessionStorage.getItem("lab-config");
if (saved) boot(JSON.parse(saved));
else {
  state.textContent = "waiting for lab.start(config)";
  document.body.dataset.idle = "true";
}
