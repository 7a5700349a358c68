// walkme-webhooks: the visitor runtime's JavaScript API.
//
//   import init, { start } from "walkme-webhooks";
//   await init();
//   const hooks = start(settings, { autoCapture: true });
//
// No call ever throws into the host page, except `start` and `update` on
// invalid settings (a SettingsError). After an internal failure a running
// module reports it once and turns itself off; the page, and any other
// running module, go on.
//
// The editor, tests and tools load the editor module instead
// ("walkme-webhooks/editor": validate, catalog, presets, preview, publish).

import wasmInit, { create, call } from "./walkme_webhooks.js";
import { Runtime } from "./runtime.js";
export { playerEvents } from "./bridge.js";

// A plain object, not a namespace import: esbuild would otherwise share its
// export helper with the capture chunk as one more file to download.
const wasm = { create, call };
let ready = null;

/** Loads and instantiates the WebAssembly module; call once before `start`. */
export default function init(input) {
  if (!ready) ready = wasmInit(input == null ? undefined : { module_or_path: input });
  return ready;
}
export { init };

/** Thrown by `start` and `update` on invalid settings. */
export class SettingsError extends Error {
  constructor(errors) {
    super("walkme-webhooks: invalid settings\n" + errors.map((e) => "  " + e.path + ": " + e.message).join("\n"));
    this.name = "SettingsError";
    /** @type {{path: string, code: string, message: string}[]} */
    this.errors = errors;
  }
}

// Settings as JSON text, and as an object for what JavaScript reads itself.
// A value that cannot be written as JSON (a cycle, a throwing getter) is an
// invalid document.
function document(settings) {
  try {
    const text = typeof settings === "string" ? settings : JSON.stringify(settings);
    if (typeof text !== "string") throw 0;
    return [text, typeof settings === "string" ? JSON.parse(settings) : settings];
  } catch (_) {
    if (typeof settings === "string") return [settings, null];
    throw new SettingsError([{ path: "$", code: "invalid_json", message: "settings must be a JSON document (an object, or its text)" }]);
  }
}

// Running modules, held until stop(): a page that starts the module and
// drops what start() returned (or listens only through the player) must not
// have it collected, and its deliveries with it.
const running = new Set();

/**
 * Starts the module on published settings (settings v1).
 * Options: `autoCapture`, `debug`, `playerEvents` (default on), `worker`
 * (default on), `backoff: { baseMs, maxMs }`.
 * @returns {Hooks}
 */
export function start(settings, options) {
  const [text, object] = document(settings);
  let rt;
  try {
    rt = new Runtime(wasm, text, object, options || {}, (e) => console.error("[walkme-webhooks] disabled after an internal error; the page is not affected:", e));
  } catch (e) {
    if (!ready) throw new Error("walkme-webhooks: call init() before start()");
    console.error("[walkme-webhooks] could not start:", e);
    return new Hooks(null);
  }
  if (rt.errors) throw new SettingsError(rt.errors);
  return new Hooks(rt);
}

const EMPTY = { matched: 0, sent: 0, delivered: 0, opaque: 0, retrying: 0, failed: 0, dropped: 0, queued: 0, inFlight: 0, stored: 0, resumed: 0, storageDegraded: false, skipped: 0 };

/** What `start` returns. Every method is safe to call in any state. */
export class Hooks {
  constructor(rt) {
    this._rt = rt;
    if (rt) running.add(this);
  }
  /** Sends an event through the webhooks; returns how many matched. */
  emit(type, properties) {
    return this._rt ? this._rt.emit(type, properties) : 0;
  }
  /** Sets user.id and user.<trait> for the events that follow. */
  identify(userId, traits) {
    if (!this._rt) return;
    let id = userId;
    try {
      id = userId == null ? null : String(userId);
    } catch (_) {
      this._rt.skip(1);
      id = null;
    }
    this._rt.identify(id, traits == null ? {} : traits);
  }
  /** Re-publishes settings; throws a SettingsError (with `.errors`) when invalid. */
  update(settings) {
    if (!this._rt) return;
    const [text, object] = document(settings);
    const errors = this._rt.update(text, object);
    if (errors) throw new SettingsError(errors);
  }
  /** `provider(destinationId)` returns a token (or a promise of one, or `{ token, expiresIn }`). */
  setTokenProvider(destinationId, provider) {
    if (this._rt) this._rt.setTokenProvider(String(destinationId), typeof provider === "function" ? provider : null);
  }
  /** Calls `listener(report)` for every attempt, drop and skipped value. */
  onDelivery(listener) {
    if (this._rt && typeof listener === "function") this._rt.listeners.add(listener);
  }
  /** Resolves when nothing is in flight and nothing is due. */
  flush() {
    return this._rt ? this._rt.flush() : Promise.resolve();
  }
  /** Counters: matched, sent, delivered, opaque, retrying, failed, dropped, queued, ... */
  stats() {
    const rt = this._rt;
    const s = Object.assign({}, EMPTY, rt && !rt.dead ? rt.stats() : null);
    s.disabled = !!(rt && rt.broken);
    return s;
  }
  /**
   * The delivery history of this site, newest last (the last 200 reports,
   * kept across reloads): `[{ at, webhookId, eventId, destinationId, key,
   * attempt, status, outcome, error, ms }]`.
   */
  history() {
    return this._rt ? this._rt.history() : [];
  }
  /** Sends a failed or dropped delivery again (by its key); false when it cannot. */
  replay(key) {
    return this._rt ? this._rt.replay(String(key)) : false;
  }
  /** The keys of failed and dropped deliveries that `replay` can send again. */
  replayable() {
    return this._rt ? this._rt.replayable() : [];
  }
  /**
   * Self-test: a failure inside the module, to check in a real page that
   * the module reports once, turns itself off and the page goes on.
   */
  selfTestFailure() {
    if (this._rt) this._rt.selfTestFailure();
  }
  /** Stops listening and sending; stored deliveries are sent at the next start. */
  stop() {
    if (!this._rt) return;
    running.delete(this);
    this._rt.stop();
  }
}
