// The snippet loader: boots walkme-webhooks after a "Settings Publish".
//
//   <script>window.walkmeWebhookSettingsUrl = "https://cdn.example.com/walkme-webhooks.json";</script>
//   <script type="module" src=".../walkme-webhooks/loader.js"></script>
//
// Settings come from the published settings file (`walkmeWebhookSettingsUrl`)
// or from `window.walkmeWebhookSettings` (inline; also the fallback while
// nothing is published). The file is kept in localStorage with its ETag: the
// module starts at once from the last good copy, then asks the server
// whether it changed (If-None-Match) and takes a newer version as it
// arrives. A failed request, or a version the module refuses, keeps the
// last good settings. Player events dispatched before the module is ready
// are kept and replayed. Options: `window.walkmeWebhookOptions` (default:
// autoCapture on). When it runs, `window.walkmeWebhooks` is the hooks object
// and a `walkme:webhooks-ready` event is dispatched.
import init, { start } from "./index.js";

const w = window;
const early = [];
const keep = (e) => {
  let d;
  try {
    d = e.detail;
    if (d && typeof d.type === "string" && early.length < 1000) early.push([d.type, d.properties || {}, Date.now()]);
  } catch (_) {}
};
addEventListener("walkme:event", keep);

const KEY = "wmwh2-settings:";
let hooks = null;
let ready = null;

function cached(url) {
  try {
    const c = JSON.parse(localStorage.getItem(KEY + url));
    if (c && typeof c.text === "string") return c;
  } catch (_) {}
  return null;
}

function remember(url, text, etag) {
  try {
    localStorage.setItem(KEY + url, JSON.stringify({ text, etag: etag || null, at: Date.now() }));
  } catch (_) {}
}

// Starts (or re-publishes) with `settings`; false when the module refuses them.
async function run(settings) {
  await (ready ||= init());
  try {
    if (hooks) {
      hooks.update(settings);
      return true;
    }
    hooks = start(settings, w.walkmeWebhookOptions || { autoCapture: true });
  } catch (e) {
    console.warn("[walkme-webhooks] settings refused; keeping the ones it had:", e);
    return false;
  }
  removeEventListener("walkme:event", keep);
  for (const [type, props, at] of early.splice(0)) hooks.emit(type, { "event.timestamp": at, ...props });
  w.walkmeWebhooks = hooks;
  dispatchEvent(new CustomEvent("walkme:webhooks-ready", { detail: hooks }));
  return true;
}

async function fromUrl(url) {
  const copy = cached(url);
  if (copy && !(await run(copy.text))) {
    // A stored copy the module refuses (tampered, or of a newer version).
    try {
      localStorage.removeItem(KEY + url);
    } catch (_) {}
  }
  try {
    const res = await fetch(url, { cache: "no-cache", credentials: "same-origin", headers: copy && copy.etag ? { "If-None-Match": copy.etag } : {} });
    if (res.status === 304) return;
    if (res.status === 204 || res.status === 404) throw new Error("nothing published yet");
    if (!res.ok) throw new Error("HTTP " + res.status);
    const text = await res.text();
    if (copy && text === copy.text) return;
    if (await run(text)) remember(url, text, res.headers.get("ETag"));
  } catch (e) {
    if (!hooks && !w.walkmeWebhookSettings) console.warn("[walkme-webhooks] published settings not loaded:", e);
  }
  // Nothing published (or nothing the module takes): the inline settings.
  if (!hooks && w.walkmeWebhookSettings) await run(w.walkmeWebhookSettings);
}

async function boot() {
  try {
    if (typeof w.walkmeWebhookSettingsUrl === "string") return await fromUrl(w.walkmeWebhookSettingsUrl);
    if (w.walkmeWebhookSettings) return void (await run(w.walkmeWebhookSettings));
    // Settings assigned later (the snippet publishes them after this loads).
    let pending;
    Object.defineProperty(w, "walkmeWebhookSettings", {
      configurable: true,
      get: () => pending,
      set(v) {
        pending = v;
        run(v);
      },
    });
  } catch (e) {
    removeEventListener("walkme:event", keep);
    console.error("[walkme-webhooks] not started:", e);
  }
}

boot();
