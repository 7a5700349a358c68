// One running module in the page: the JavaScript half of the visitor
// runtime. It hands inputs to the Rust engine (`call`, `emit`) and carries
// out the effects the engine returns, in order, in one dispatcher: store
// and remove records, send requests (from a worker when it can), get
// tokens, probe hosts, report. Nothing here decides anything: matching,
// mapping, retries and queueing live in the Rust core.
//
// Everything the page hands in goes through `intake.js` first, so no page
// value runs code while the engine is in use, and a value that cannot be
// read is skipped and counted, never a reason to stop.

import { deliver } from "./send.js";
import { read } from "./intake.js";
import { bridge } from "./bridge.js";

const PREFIX = "wmwh2:"; // localStorage: wmwh2:<page id>:<delivery key>
const LOCK = "wmwh2-page:";
const SESSION = "wmwh2-session";
const ANON = "wmwh2-anon";
const HISTORY = "wmwh2-history"; // the last reports, for the delivery history
const PARKED = "wmwh2-parked"; // records of failed and dropped deliveries, for replay
const HISTORY_MAX = 200;
const PARKED_MAX = 50;
const MARGIN = 2000; // see ADOPT_AFTER_MS in src/core/queue.rs
const SLICE_MS = 50;

// Operations of the Rust `call` export (src/runtime/mod.rs).
const POLL = 0, ANSWER = 1, TOKEN = 2, PROBED = 3, PROVIDER = 4, ONLINE = 5, HIDDEN = 6, ADOPT = 7, STORE_FAILED = 8, IDENTIFY = 9, PLAYER_USER = 10, CONTEXT = 11, UPDATE = 12, STATS = 13, STOP = 14, FLUSH = 15, SKIPPED = 16, FAIL = 17, REPLAY = 18, WANTS = 19, EMIT = 20;

const g = globalThis;
const now = () => performance.now();
const msg = (e) => String((e && e.message) || e);

// ---- storage ----------------------------------------------------------------

function ls() {
  try {
    return g.localStorage || null;
  } catch (_) {
    return null; // storage disabled (privacy settings, sandboxed frame)
  }
}

function put(key, value) {
  try {
    ls().setItem(key, value);
    return true;
  } catch (_) {
    return false; // quota exceeded, or no storage
  }
}

function del(key) {
  try {
    ls().removeItem(key);
  } catch (_) {}
}

function keys(prefix) {
  const s = ls();
  const out = [];
  try {
    for (let i = 0; i < s.length; i++) {
      const k = s.key(i);
      if (k && k.startsWith(prefix)) out.push(k);
    }
  } catch (_) {}
  return out;
}

function get(key, session) {
  try {
    return (session ? g.sessionStorage : ls()).getItem(key);
  } catch (_) {
    return null;
  }
}

// A list kept as JSON in localStorage; unreadable or planted content counts as empty.
function list(key) {
  try {
    const v = JSON.parse(get(key));
    return Array.isArray(v) ? v : [];
  } catch (_) {
    return [];
  }
}

function remember(key, change) {
  const l = change(list(key));
  if (!put(key, JSON.stringify(l))) put(key, JSON.stringify(l.slice(-10)));
}

function uuid() {
  try {
    return crypto.randomUUID();
  } catch (_) {
    const a = crypto.getRandomValues(new Uint8Array(16));
    a[6] = (a[6] & 15) | 64;
    a[8] = (a[8] & 63) | 128;
    const h = Array.from(a, (b) => (b + 256).toString(16).slice(1)).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
}

// A stored id is untrusted: anything but a short plain id is replaced.
const ID = /^[A-Za-z0-9_-]{8,64}$/;

function session() {
  let s;
  try {
    s = JSON.parse(get(SESSION, true));
  } catch (_) {}
  if (!s || !ID.test(s.id) || !(s.start > 0 && s.start <= Date.now() + 864e5)) {
    s = { id: uuid(), start: Date.now() };
    try {
      g.sessionStorage.setItem(SESSION, JSON.stringify(s));
    } catch (_) {}
  }
  return s;
}

function anonymous() {
  let a = get(ANON);
  if (!a || !ID.test(a)) {
    a = uuid();
    put(ANON, a);
  }
  return a;
}

function seed() {
  const a = crypto.getRandomValues(new Uint32Array(2));
  return a[0] * 2097152 + (a[1] >>> 11); // 53 random bits
}

// ---- tabs -------------------------------------------------------------------

// A page holds its lock only while it has deliveries in storage (so a page
// with nothing pending stays eligible for the back/forward cache). Another
// page takes stored deliveries only when their owner's lock is free.
function holdLock(name) {
  let release = () => {};
  try {
    const held = new Promise((r) => (release = r));
    navigator.locks.request(name, () => held).catch(() => {});
  } catch (_) {}
  return release;
}

function withOrphanLock(name, f) {
  const locks = g.navigator && navigator.locks;
  if (!locks) return void f();
  try {
    locks.request(name, { ifAvailable: true }, (lock) => (lock ? f() : undefined)).catch(() => {});
  } catch (_) {}
}

// ---- requests -----------------------------------------------------------------

// Requests go through a sender worker when the page allows one; otherwise,
// and for keepalive sends while the page goes away, from the page itself.
// The worker is made from a blob: URL on purpose: such a worker inherits the
// page's Content Security Policy, so the page's connect-src applies to its
// requests exactly as to the page's own. A page whose CSP does not allow
// blob: workers (worker-src) simply sends from the main thread.
let worker; // undefined: not tried yet; null: not available
let workerReady = false; // its script has run (until then, send from the page)
let workerWanted = true;
let seq = 0;
const inWorker = new Map(); // id -> [message, reply]

function sender() {
  if (worker !== undefined) return worker;
  worker = null;
  if (!workerWanted || typeof Worker !== "function") return null;
  try {
    const source = "const deliver=" + deliver.toString() + ";onmessage=e=>deliver(e.data,(...a)=>postMessage(a));postMessage(0)";
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    const w = new Worker(url, { name: "walkme-webhooks" });
    URL.revokeObjectURL(url);
    w.onmessage = (e) => {
      const a = e.data;
      if (a === 0) return void (workerReady = true);
      const p = inWorker.get(a[0]);
      if (p) {
        inWorker.delete(a[0]);
        p[1].apply(null, a);
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
      for (const [m, reply] of held) deliver(m, reply);
    };
    worker = w;
  } catch (_) {
    worker = null; // the page's CSP (worker-src) or Trusted Types refuse it
  }
  return worker;
}

// m: [method, url, headers, body, mode, keepalive, timeoutMs];
// reply(status, detail, kind) exactly once.
function send(m, reply) {
  const id = ++seq;
  const message = [id].concat(m);
  const r = (_, status, detail, kind) => reply(status, detail, kind);
  // Until the worker has started, requests leave from the page rather than wait.
  const w = m[5] ? null : sender();
  if (w && workerReady) {
    inWorker.set(id, [message, r]);
    w.postMessage(message);
  } else {
    deliver(message, r);
  }
}

// ---- debug logs (secrets masked) ------------------------------------------------

const SECRET = /key|token|secret|passw|auth|sig/i;
// Webhook URLs carry their key in a long path segment or the query.
function maskUrl(u) {
  try {
    const x = new URL(u);
    x.pathname = x.pathname
      .split("/")
      .map((s) => (s.length >= 16 ? s.slice(0, 3) + "****" : s))
      .join("/");
    for (const k of Array.from(x.searchParams.keys())) if (SECRET.test(k)) x.searchParams.set(k, "****");
    return x.href;
  } catch (_) {
    return "****";
  }
}
function maskHeader(n, v) {
  if (/^(proxy-)?authorization$/i.test(n)) return (v.split(" ")[0] + " ****").trim();
  return SECRET.test(n) ? "****" : v;
}

// ---- one runtime ------------------------------------------------------------------

/**
 * A running module. `wasm`: the instantiated exports; `text`: the settings
 * as JSON text (already checked to be JSON); `settings`: the settings object
 * (for the options JavaScript reads itself); `options`: start options;
 * `guard(e)`: called once when this runtime breaks.
 */
export class Runtime {
  constructor(wasm, text, settings, options, onBreak) {
    this.w = wasm;
    this.onBreak = onBreak;
    this.options = options;
    this.listeners = new Set();
    this.providers = new Map();
    this.queue = [];
    this.qi = 0;
    this.records = new Map(); // key -> record text, while held
    this.hist = []; // reports not written to the history yet
    this.gone = [];
    this.waiters = [];
    this.offs = [];
    this.page = uuid();
    this.state = { idle: true, wake: null, stored: 0 };
    workerWanted = options.worker !== false;
    const out = JSON.parse(
      wasm.create(text, JSON.stringify({ backoff: options.backoff, queueLimit: options.queueLimit }), seed(), now(), Date.now())
    );
    if (out.errors) {
      this.errors = out.errors;
      this.dead = true;
      return;
    }
    this.h = out.h;
    this.configure(settings);
    this.context();
    if (g.navigator && navigator.onLine === false) this.run(ONLINE, "", 0);
    this.listen();
    this.resume();
    // Pages that closed within the adoption margin are looked at again.
    this.timer2 = setTimeout(() => this.resume(), MARGIN + 500);
  }

  // Settings that JavaScript itself reads.
  configure(settings) {
    this.captureValues = !!(settings && settings.captureInputValues === true);
    this.rows = settings && Array.isArray(settings.playerEvents) ? settings.playerEvents : [];
    if (this.offBridge) {
      this.offBridge();
      this.offBridge = this.startBridge();
    }
  }

  startBridge() {
    if (this.options.playerEvents === false) return null;
    return bridge(
      (event, props) => this.emit(event, props),
      (id) => this.run(PLAYER_USER, id),
      this.rows
    );
  }

  // ---- the engine -------------------------------------------------------------

  run(op, text, a, b) {
    if (this.dead) return null;
    let out;
    try {
      out = this.w.call(this.h, op, text || "", a || 0, b || 0, now(), Date.now());
    } catch (e) {
      this.fail(e);
      return null;
    }
    if (!out) return null;
    const r = JSON.parse(out);
    if (r.e) this.dispatch(r);
    return r;
  }

  fail(e) {
    if (this.dead) return;
    this.dead = true;
    this.broken = true;
    this.unlisten();
    const report = { webhookId: null, eventId: null, destinationId: null, key: null, attempt: 0, status: null, outcome: "dropped", error: "module disabled after an internal error: " + msg(e), ms: 0 };
    for (const l of this.listeners) this.tell(l, report);
    this.resolve();
    try {
      this.onBreak(e);
    } catch (_) {}
  }

  dispatch(r) {
    this.state = r;
    for (const e of r.e) this.queue.push(e);
    this.drain(this.hiding);
  }

  // Carries out the effects in order, in slices of at most 50 ms so a burst
  // never makes a long task; while the page goes away, all at once.
  drain(all) {
    if (this.draining) return;
    this.draining = true;
    const start = now();
    let n = 0;
    try {
      while (this.qi < this.queue.length) {
        if (!all && (++n & 15) === 0 && now() - start > SLICE_MS) {
          if (!this.slice) this.slice = setTimeout(() => ((this.slice = 0), this.drain(this.hiding)), 0);
          return;
        }
        this.effect(this.queue[this.qi++]);
      }
      this.queue = [];
      this.qi = 0;
      for (const k of this.gone.splice(0)) this.records.delete(k);
    } finally {
      this.draining = false;
    }
    this.settle();
  }

  effect(e) {
    switch (e[0]) {
      case 0:
        return this.send(e);
      case 1:
        this.records.set(e[1], e[2]);
        if (!put(PREFIX + this.page + ":" + e[1], e[2])) this.run(STORE_FAILED, e[1]);
        return;
      case 2:
        // Kept a moment longer: a failed or dropped delivery's report follows.
        this.gone.push(e[1]);
        return del(PREFIX + this.page + ":" + e[1]);
      case 3:
        return this.report(e[1]);
      case 4:
        return this.token(e);
      case 5:
        return this.probe(e);
    }
  }

  send([, id, method, url, headers, body, mode, keepalive, timeout, key, attempt]) {
    if (this.options.debug) {
      const h = [];
      for (let i = 0; i < headers.length; i += 2) h.push(headers[i] + ": " + maskHeader(headers[i], headers[i + 1]));
      console.log("[walkme-webhooks] send", key, "#" + attempt, method, maskUrl(url), h.join(", "), keepalive ? "(keepalive)" : "");
    }
    send([method, url, headers, body, mode, keepalive, timeout], (status, detail, kind) => this.run(ANSWER, detail, id, status + 1000 * kind));
  }

  // `request` is echoed back: the engine uses only the answer to the
  // request it still waits for (not one asked for under an earlier auth).
  token([, dest, kind, url, body, timeout, request]) {
    const done = (answer, error) => this.run(TOKEN, JSON.stringify([dest, answer == null ? null : answer, error || "", request]));
    let p;
    if (kind === "provider") {
      const f = this.providers.get(dest);
      p = Promise.resolve()
        .then(() => (f ? f(dest) : Promise.reject(new Error("the token provider was removed"))))
        .then((t) => {
          const token = t && typeof t === "object" ? t.token : t;
          if (typeof token !== "string" || !token) throw new Error("the token provider returned no token");
          return { access_token: token, expires_in: (t && t.expiresIn) || 300 };
        });
    } else if (kind === "site") {
      // The page's own site answers with the visitor's cookies: JSON
      // { token, expiresIn } (or access_token / expires_in), or the token as text.
      p = fetch(url, { credentials: "same-origin", cache: "no-store", redirect: "error", headers: { accept: "application/json, text/plain" } })
        .then((r) => (r.ok ? r.text() : Promise.reject(new Error("HTTP " + r.status))))
        .then((t) => {
          let j;
          try {
            j = JSON.parse(t);
          } catch (_) {
            j = t.trim();
          }
          if (typeof j === "string") return { access_token: j, expires_in: 300 };
          return { access_token: j && (j.token || j.access_token), expires_in: (j && (j.expiresIn || j.expires_in)) || 300 };
        });
    } else {
      p = fetch(url, { method: "POST", body, credentials: "omit", redirect: "error", headers: { "Content-Type": "application/x-www-form-urlencoded" } }).then((r) =>
        r.json().then(
          (j) => (r.ok ? j : Promise.reject(new Error("HTTP " + r.status + (j && j.error ? ": " + j.error : "")))),
          () => Promise.reject(new Error(r.ok ? "the token endpoint did not answer JSON" : "HTTP " + r.status))
        )
      );
    }
    let timer;
    const late = new Promise((_, no) => (timer = setTimeout(() => no(new Error("no answer within " + timeout + " ms")), timeout)));
    Promise.race([p, late]).then(
      (a) => (clearTimeout(timer), done(a)),
      (e) => (clearTimeout(timer), done(null, msg(e)))
    );
  }

  // Can the destination's host be reached at all? A no-cors request
  // resolves when any answer came back, and fails only when none did.
  probe([, dest, url, timeout]) {
    let target = url;
    try {
      target = new URL(url).origin + "/";
    } catch (_) {}
    const c = new AbortController();
    const t = setTimeout(() => c.abort(), timeout);
    let p;
    try {
      p = fetch(target, { method: "HEAD", mode: "no-cors", credentials: "omit", cache: "no-store", signal: c.signal });
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      () => 1,
      () => 0
    ).then((ok) => {
      clearTimeout(t);
      this.run(PROBED, dest, ok);
    });
  }

  report(r) {
    if (this.options.debug) console.log("[walkme-webhooks]", r.key || "", r.outcome, r.error || r.status || "");
    // The history is written once a second at most (and when the page
    // hides), not once per delivery.
    this.hist.push(Object.assign({ at: Date.now() }, r));
    if (!this.histTimer) this.histTimer = setTimeout(() => this.saveHistory(), 1000);
    const record = r.key && this.records.get(r.key);
    if (record && (r.outcome === "failed" || r.outcome === "dropped")) {
      remember(PARKED, (l) => l.filter((p) => p[0] !== r.key).concat([[r.key, record]]).slice(-PARKED_MAX));
    }
    for (const l of this.listeners) this.tell(l, r);
  }

  tell(l, report) {
    try {
      l(report);
    } catch (e) {
      setTimeout(() => {
        throw e;
      });
    }
  }

  // After each dispatch: the timer for the next wake-up, the page's storage
  // lock, and the flush() waiters.
  settle() {
    const s = this.state;
    if (this.dead) return;
    if (s.wake != null) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.run(POLL), Math.min(Math.max(0, s.wake - now()), 864e5));
    }
    if (s.stored > 0 && !this.release) this.release = holdLock(LOCK + this.page);
    else if (!s.stored && this.release) {
      this.release();
      this.release = null;
    }
    if (s.idle) this.resolve();
  }

  resolve() {
    for (const w of this.waiters.splice(0)) w();
  }

  // ---- the page ---------------------------------------------------------------

  context() {
    const s = session();
    const loc = g.location || {};
    const doc = g.document || {};
    const nav = g.navigator || {};
    let c;
    try {
      c = { sessionId: s.id, sessionStart: s.start, anonymousId: anonymous(), url: String(loc.href || ""), path: String(loc.pathname || ""), title: String(doc.title || ""), referrer: String(doc.referrer || ""), language: String(nav.language || ""), userAgent: String(nav.userAgent || "") };
    } catch (_) {
      c = { sessionId: s.id, sessionStart: s.start };
    }
    this.href = c.url;
    this.dirty = false;
    this.run(CONTEXT, JSON.stringify(c));
  }

  listen() {
    const on = (target, type, f, opts) => {
      const h = (e) => {
        if (!this.dead) f(e);
      };
      opts = opts || { capture: true, passive: true };
      try {
        target.addEventListener(type, h, opts);
        this.offs.push(() => target.removeEventListener(type, h, opts));
      } catch (_) {}
    };
    const hidden = () => {
      this.hiding = true;
      this.run(HIDDEN);
      this.drain(true);
      this.hiding = false;
      this.saveHistory();
    };
    on(g, "pagehide", hidden);
    on(g, "visibilitychange", () => document.visibilityState === "hidden" && hidden());
    on(g, "online", () => (this.run(ONLINE, "", 1), this.resume()));
    on(g, "offline", () => this.run(ONLINE, "", 0));
    const moved = () => (this.dirty = true);
    on(g, "popstate", moved);
    on(g, "hashchange", moved);
    const navigation = g.navigation;
    if (navigation && navigation.addEventListener) on(navigation, "currententrychange", moved, {});
    else this.checkHref = true;
    if (this.options.playerEvents !== false) {
      // The documented extra channel: window "walkme:event" CustomEvents.
      on(g, "walkme:event", (e) => {
        let type, props;
        try {
          const d = e.detail;
          type = d.type;
          props = d.properties;
        } catch (_) {
          return this.skip(1);
        }
        if (typeof type === "string") this.emit(type, props);
        else this.skip(1);
      });
      this.offBridge = this.startBridge();
    }
    if (this.options.autoCapture) {
      // DXA capture is its own file, loaded only when it is wanted.
      import("./capture.js").then(
        (m) => {
          if (!this.dead) this.offs.push(m.capture((t, p) => this.emit(t, p), () => this.captureValues));
        },
        (e) => this.options.debug && console.warn("[walkme-webhooks] auto-capture did not load:", e)
      );
    }
  }

  unlisten() {
    for (const off of this.offs.splice(0)) {
      try {
        off();
      } catch (_) {}
    }
    if (this.offBridge) this.offBridge();
    this.offBridge = null;
    clearTimeout(this.timer);
    clearTimeout(this.timer2);
    clearTimeout(this.slice);
  }

  skip(n) {
    this.run(SKIPPED, "", n);
    const report = { webhookId: null, eventId: null, destinationId: null, key: null, attempt: 0, status: null, outcome: "skipped", error: n + (n === 1 ? " value" : " values") + " handed in by the page could not be read and " + (n === 1 ? "was" : "were") + " left out", ms: 0 };
    if (this.options.debug) console.warn("[walkme-webhooks]", report.error);
    for (const l of this.listeners) this.tell(l, report);
  }

  // Takes over stored deliveries of pages that are gone (an earlier load of
  // this page, a closed or crashed tab).
  resume() {
    const owners = new Set();
    for (const k of keys(PREFIX)) {
      const owner = k.slice(PREFIX.length).split(":")[0];
      if (owner !== this.page) owners.add(owner);
    }
    for (const owner of owners) withOrphanLock(LOCK + owner, () => this.adopt(owner));
  }

  adopt(owner) {
    if (this.dead) return;
    const found = keys(PREFIX + owner + ":");
    const records = [];
    const t = Date.now();
    for (const k of found) {
      let r;
      try {
        r = JSON.parse(get(k));
      } catch (_) {}
      // Records written within the margin may belong to a page that is
      // still starting: leave them all for now.
      if (r && typeof r.storedAt === "number" && r.storedAt > t - MARGIN && r.storedAt <= t + MARGIN) return;
      if (r && typeof r === "object") records.push(r);
    }
    this.run(ADOPT, JSON.stringify(records));
    for (const k of found) del(k);
  }

  // ---- the API ------------------------------------------------------------------

  emit(type, props) {
    if (this.dead || typeof type !== "string") return 0;
    let wanted;
    try {
      wanted = this.w.call(this.h, WANTS, type, 0, 0, 0, 0) !== "";
    } catch (e) {
      this.fail(e);
      return 0;
    }
    if (!wanted) return 0;
    if (this.dirty || (this.checkHref && String(location.href) !== this.href)) this.context();
    const [json, skipped] = read(props);
    if (skipped) this.skip(skipped);
    let n = 0;
    try {
      n = +this.w.call(this.h, EMIT, type + "\0" + json, 0, 0, now(), Date.now());
    } catch (e) {
      this.fail(e);
      return 0;
    }
    if (n && !this.polling) {
      this.polling = true;
      queueMicrotask(() => {
        this.polling = false;
        this.run(POLL);
      });
    }
    return n;
  }

  identify(id, traits) {
    const [json, skipped] = read(traits);
    if (skipped) this.skip(skipped);
    this.run(IDENTIFY, "[" + JSON.stringify(id == null ? null : id) + "," + json + "]");
  }

  update(text, settings) {
    if (this.dead) return null;
    let out;
    try {
      out = this.w.call(this.h, UPDATE, text, 0, 0, now(), Date.now());
    } catch (e) {
      this.fail(e);
      return null;
    }
    const r = JSON.parse(out);
    if (r.errors) return r.errors;
    this.configure(settings);
    this.dispatch(r);
    return null;
  }

  setTokenProvider(dest, f) {
    if (f) this.providers.set(dest, f);
    else this.providers.delete(dest);
    this.run(PROVIDER, dest, f ? 1 : 0);
  }

  flush() {
    if (this.dead) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      if (!this.run(FLUSH)) this.resolve();
    });
  }

  stats() {
    const r = this.dead ? null : this.run(STATS);
    return r || {};
  }

  saveHistory() {
    clearTimeout(this.histTimer);
    this.histTimer = 0;
    const add = this.hist.splice(0);
    if (add.length) remember(HISTORY, (l) => l.concat(add).slice(-HISTORY_MAX));
  }

  // The delivery history of this site (newest last), kept across reloads.
  history() {
    return list(HISTORY).concat(this.hist).slice(-HISTORY_MAX);
  }

  // Sends a failed or dropped delivery again, from its kept record.
  replay(key) {
    const parked = list(PARKED);
    const p = parked.find((x) => x[0] === key);
    if (!p || this.dead) return false;
    const r = this.run(REPLAY, p[1]);
    if (!r || r.replayed === false) return false;
    remember(PARKED, (l) => l.filter((x) => x[0] !== key));
    return true;
  }

  // The keys that replay() can send again.
  replayable() {
    return list(PARKED).map((p) => p[0]);
  }

  selfTestFailure() {
    this.failNext = true;
    this.run(FAIL);
  }

  stop() {
    if (this.dead) return;
    this.unlisten();
    // Stores what is not stored yet (an event emitted just before reaches
    // the next start), then lets go of the engine.
    this.hiding = true;
    this.run(STOP);
    this.drain(true);
    this.saveHistory();
    this.dead = true;
    if (this.release) this.release();
    this.release = null;
    this.resolve();
  }
}
