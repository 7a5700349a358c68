// The browser side of the shell: small functions the Rust shell calls, one
// crossing per request, and the listeners the browser calls back through
// `guard`. Nothing here decides anything: matching, mapping, retries and
// queueing live in the Rust core.

import { deliver } from "./fetch.js";

// One guard for the whole module. After an internal failure (a trap in the
// wasm instance, whose state can then no longer be trusted) every entry
// point becomes a no-op; the host page goes on.
let state = { broken: false, error: null, report: null };

export function install_guard(g) {
  if (g) state = g;
}

export function is_broken() {
  return state.broken;
}

export function fail(e) {
  if (state.broken) return;
  state.broken = true;
  state.error = e;
  try {
    if (state.report) state.report(e);
    else console.error("[walkme-webhooks] disabled after an internal error:", e);
  } catch (_) {}
}

// Wraps a Rust closure so that the browser never sees it throw.
export function guard(f) {
  return function () {
    if (state.broken) return;
    try {
      return f.apply(null, arguments);
    } catch (e) {
      fail(e);
    }
  };
}

// Calls host-page code (onDelivery listeners, token providers) so that its
// errors never reach the module.
export function call_host(f, arg) {
  try {
    f(arg);
  } catch (e) {
    setTimeout(() => {
      throw e;
    });
  }
}

// An object's own enumerable string-keyed properties as [k, v, k, v, ...];
// a throwing getter or Proxy gives an empty list.
export function entries(o) {
  const out = [];
  try {
    for (const k of Object.keys(o)) out.push(k, o[k]);
  } catch (_) {
    out.length = 0;
  }
  return out;
}

// Settings as JSON text (one crossing instead of one per field); null when
// the value cannot be written as JSON (a cycle, a BigInt).
export function to_json(v) {
  if (typeof v === "string") return v;
  try {
    const t = JSON.stringify(v);
    return typeof t === "string" ? t : null;
  } catch (_) {
    return null;
  }
}

export function now() {
  return Date.now();
}

export function seed() {
  const a = new Uint32Array(2);
  (globalThis.crypto || { getRandomValues: (x) => x.map(() => (Math.random() * 2 ** 32) >>> 0) }).getRandomValues(a);
  return a[0] * 4294967296 + a[1];
}

export function number_to_string(n) {
  return String(n);
}

export function parse_number(s) {
  return Number(s);
}

export function lowercase(s) {
  return s.toLowerCase();
}

export function regex_compile(pattern, ignoreCase) {
  try {
    return new RegExp(pattern, ignoreCase ? "iu" : "u");
  } catch (e) {
    try {
      return new RegExp(pattern, ignoreCase ? "i" : "");
    } catch (e2) {
      return String(e2.message || e2);
    }
  }
}

export function regex_test(re, text) {
  re.lastIndex = 0;
  return re.test(text);
}

// ---- requests -------------------------------------------------------------

// Requests go through a sender worker when the page allows one; otherwise,
// and for keepalive sends while the page goes away, from the page itself.
// The worker is made from a blob: URL on purpose: such a worker inherits the
// page's Content Security Policy, so the page's connect-src applies to its
// requests exactly as to the page's own (a worker loaded from a script URL
// would not be bound by it). A page whose CSP does not allow blob: workers
// (worker-src) simply sends from the main thread.
let worker; // undefined: not tried yet; null: not available
let workerReady = false; // its script has run (until then, send from the page)
let workerWanted = true;
const inWorker = new Map(); // id -> [message, onAnswer]

export function set_worker(enabled) {
  workerWanted = enabled;
}

function sender() {
  if (worker !== undefined) return worker;
  worker = null;
  if (!workerWanted || typeof Worker !== "function") return null;
  try {
    const source = "const deliver=" + deliver.toString() + ";onmessage=e=>deliver(e.data,(...a)=>postMessage(a));postMessage(0);";
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    const w = new Worker(url, { name: "walkme-webhooks" });
    URL.revokeObjectURL(url);
    w.onmessage = (e) => {
      const answer = e.data;
      if (answer === 0) return void (workerReady = true);
      const pending = inWorker.get(answer[0]);
      if (pending) {
        inWorker.delete(answer[0]);
        pending[1].apply(null, answer);
      }
    };
    // The worker did not load (or failed): what it holds is sent from the page.
    w.onerror = (e) => {
      if (e && e.preventDefault) e.preventDefault();
      worker = null;
      workerReady = false;
      w.terminate();
      const held = Array.from(inWorker.values());
      inWorker.clear();
      for (const [m, onAnswer] of held) deliver(m, onAnswer);
    };
    worker = w;
  } catch (_) {
    worker = null; // the page's CSP (worker-src) or Trusted Types refuse it
  }
  return worker;
}

// Sends one request and reports back once: onAnswer(id, status, retryAfter,
// kind, detail). kind: 0 answer, 1 opaque, 2 network error, 3 timeout.
export function send(onAnswer, id, method, url, headers, body, mode, keepalive, timeoutMs) {
  const m = [id, method, url, headers, body, mode, keepalive, timeoutMs];
  // Until the worker has started (tens of milliseconds), requests leave
  // from the page rather than wait for it.
  const w = keepalive ? null : sender();
  if (w && workerReady) {
    inWorker.set(id, [m, onAnswer]);
    w.postMessage(m);
  } else {
    deliver(m, onAnswer);
  }
}

// OAuth 2.0 client credentials: POST the form body, hand back the JSON answer.
export function fetch_token(onToken, destination, url, body) {
  try {
    fetch(url, {
      method: "POST",
      body,
      credentials: "omit",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    })
      .then((res) => res.json().then((json) => [res.status, json], () => [res.status, null]))
      .then(
        ([status, json]) => onToken(destination, json, status >= 200 && status < 300 ? "" : "HTTP " + status),
        (err) => onToken(destination, null, String((err && err.message) || err))
      );
  } catch (err) {
    Promise.resolve().then(() => onToken(destination, null, String(err)));
  }
}

// A host-page token provider: any function returning a token or a promise of one.
export function ask_token(onToken, destination, provider) {
  Promise.resolve()
    .then(() => provider(destination))
    .then(
      (t) => {
        const token = t && typeof t === "object" ? t.token : t;
        const expiresIn = t && typeof t === "object" ? t.expiresIn : undefined;
        onToken(destination, typeof token === "string" && token ? { access_token: token, expires_in: expiresIn || 300 } : null, token ? "" : "the token provider returned no token");
      },
      (err) => onToken(destination, null, "the token provider failed: " + String((err && err.message) || err))
    );
}

// ---- time ------------------------------------------------------------------

export function microtask(f) {
  queueMicrotask(f);
}

export function set_timer(handle, f, ms) {
  if (handle) clearTimeout(handle);
  return setTimeout(f, Math.max(0, Math.min(ms, 2147483647)));
}

export function clear_timer(handle) {
  if (handle) clearTimeout(handle);
}

// ---- storage ---------------------------------------------------------------

function ls() {
  try {
    return globalThis.localStorage || null;
  } catch (_) {
    return null; // storage disabled (privacy settings, sandboxed frame)
  }
}

export function store_put(key, value) {
  const s = ls();
  if (!s) return false;
  try {
    s.setItem(key, value);
    return true;
  } catch (_) {
    return false; // quota exceeded
  }
}

export function store_del(key) {
  const s = ls();
  try {
    if (s) s.removeItem(key);
  } catch (_) {}
}

// Every stored record under `prefix`, as [key, record text] pairs.
export function store_scan(prefix) {
  const s = ls();
  const out = [];
  if (!s) return out;
  try {
    for (let i = 0; i < s.length; i++) {
      const k = s.key(i);
      if (k && k.startsWith(prefix)) out.push(k);
    }
  } catch (_) {
    return out;
  }
  return out.map((k) => {
    try {
      return [k, s.getItem(k) || ""];
    } catch (_) {
      return [k, ""];
    }
  });
}

export function session_get(key) {
  try {
    return globalThis.sessionStorage.getItem(key);
  } catch (_) {
    return null;
  }
}

export function session_set(key, value) {
  try {
    globalThis.sessionStorage.setItem(key, value);
  } catch (_) {}
}

// ---- tabs ------------------------------------------------------------------

// A page holds its lock only while it has deliveries in storage (so a page
// with nothing pending stays eligible for the back/forward cache). Another
// page takes stored deliveries only when their owner's lock is free.
// Returns a function that releases the lock.
export function hold_lock(name) {
  const locks = globalThis.navigator && navigator.locks;
  if (!locks) return () => {};
  let release;
  const held = new Promise((r) => (release = r));
  try {
    locks.request(name, () => held).catch(() => {});
  } catch (_) {}
  return () => release();
}

// Runs f() while holding `name`, only if no live page holds it (the page
// that stored those deliveries is gone). Without Web Locks, f() runs.
export function with_orphan_lock(name, f) {
  const locks = globalThis.navigator && navigator.locks;
  if (!locks) return void f();
  try {
    locks.request(name, { ifAvailable: true }, (lock) => (lock ? f() : undefined)).catch(() => {});
  } catch (_) {}
}

// ---- page ------------------------------------------------------------------

export function page_context() {
  const loc = globalThis.location || {};
  const doc = globalThis.document || {};
  const nav = globalThis.navigator || {};
  return [String(loc.href || ""), String(loc.pathname || ""), String(doc.title || ""), String(doc.referrer || ""), String(nav.language || ""), String(nav.userAgent || "")];
}

export function href() {
  return String((globalThis.location && location.href) || "");
}

export function is_online() {
  return !globalThis.navigator || navigator.onLine !== false;
}

// Listens on window; returns a function that stops listening.
export function listen(type, f, passive) {
  const g = guard(f);
  const opts = { capture: true, passive: passive !== false };
  addEventListener(type, g, opts);
  return () => removeEventListener(type, g, opts);
}

// The player's channel: window "walkme:event" CustomEvents with { type, properties }.
export function listen_player(f) {
  return listen("walkme:event", (e) => {
    const d = e && e.detail;
    if (d && typeof d.type === "string") f(d.type, d.properties && typeof d.properties === "object" ? d.properties : {});
  });
}

// Calls f() when the page's address may have changed: popstate, hashchange
// and, where the Navigation API exists, every history navigation
// (pushState, replaceState) without wrapping the History API.
export function watch_navigation(f) {
  const offs = [listen("popstate", f), listen("hashchange", f)];
  const nav = globalThis.navigation;
  if (nav && typeof nav.addEventListener === "function") {
    const g = guard(f);
    nav.addEventListener("currententrychange", g);
    offs.push(() => nav.removeEventListener("currententrychange", g));
  }
  return () => offs.forEach((off) => off());
}

export function has_navigation_api() {
  return !!(globalThis.navigation && typeof navigation.addEventListener === "function");
}

export function listen_lifecycle(onHidden, onOnline) {
  const offs = [
    listen("pagehide", () => onHidden()),
    listen("visibilitychange", () => {
      if (document.visibilityState === "hidden") onHidden();
    }),
    listen("online", () => onOnline(true)),
    listen("offline", () => onOnline(false)),
  ];
  return () => offs.forEach((off) => off());
}
