// The snippet loader: boots walkme-webhooks from `window.walkmeWebhookSettings`
// (set by the WalkMe snippet after a "Settings Publish").
//
//   <script type="module" src=".../walkme-webhooks/loader.js"></script>
//
// Player events dispatched before the module is ready are kept and replayed,
// so nothing is lost while the WebAssembly file loads. Settings published
// later (assigned to window.walkmeWebhookSettings) boot it then. Options come
// from `window.walkmeWebhookOptions` (default: autoCapture on).
import init, { start } from "./index.js";

const w = window;
const early = [];
const keep = (e) => {
  const d = e && e.detail;
  if (d && typeof d.type === "string" && early.length < 1000) early.push([d.type, d.properties || {}, Date.now()]);
};
addEventListener("walkme:event", keep);

let booted = false;
async function boot(settings) {
  if (booted || !settings) return;
  booted = true;
  try {
    await init();
    const hooks = start(settings, w.walkmeWebhookOptions || { autoCapture: true });
    removeEventListener("walkme:event", keep);
    for (const [type, props, at] of early.splice(0)) {
      hooks.emit(type, { "event.timestamp": at, ...props });
    }
    w.walkmeWebhooks = hooks;
    dispatchEvent(new CustomEvent("walkme:webhooks-ready", { detail: hooks }));
  } catch (e) {
    removeEventListener("walkme:event", keep);
    console.error("[walkme-webhooks] not started:", e);
  }
}

if (w.walkmeWebhookSettings) {
  boot(w.walkmeWebhookSettings);
} else {
  let pending;
  Object.defineProperty(w, "walkmeWebhookSettings", {
    configurable: true,
    get: () => pending,
    set(v) {
      pending = v;
      boot(v);
    },
  });
}
