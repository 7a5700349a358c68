// walkme-webhooks: the public JavaScript API.
//
//   import init, { start, validate, catalog } from "walkme-webhooks";
//   await init();
//   const hooks = start(settings, { autoCapture: true });
//
// Every call is guarded: nothing but `start` and `update` on invalid
// settings ever throws into the host page. After an internal failure the
// module reports it once and turns itself off; the page goes on.

import wasmInit, * as wasm from "./walkme_webhooks.js";

// A small document that runs the settings reader, the validator, matching
// and request building (sending nothing), so the engine compiles that code
// while init() is awaited anyway, not in the caller's start() and first
// emit()s. 64 sample emits: about 5 ms more in init(), first emit()s about
// three times faster; more rounds cost init() more than they save later.
const WARM_UP_ROUNDS = 64;
const WARM_UP = {
  version: 1,
  destinations: [
    { id: "d", url: "https://example.com/{{user.id}}", auth: { type: "bearer" }, headers: [{ name: "X-A", value: "b" }], body: { text: "{{user.id}} {{answer.value}}", all: "{{properties}}" } },
  ],
  webhooks: [
    {
      id: "w",
      event: "survey.submitted",
      destination: "d",
      conditions: [
        { property: "survey.name", operator: "equals", value: "NPS", ignoreCase: true, join: "or" },
        { property: "answer.value", operator: "lte", value: 6 },
      ],
      properties: [{ name: "user.id", as: "identity" }, { name: "answer.value" }],
      static: [{ name: "app_id", value: "1" }],
    },
  ],
};

/** Loads and instantiates the WebAssembly module; call once before `start`. */
export default async function init(input) {
  const out = await wasmInit(input);
  try {
    installGuard();
    wasm.warmUp(WARM_UP, { "survey.name": "NPS", "answer.value": 4, "user.id": "u" }, WARM_UP_ROUNDS);
  } catch (e) {
    fail(e);
  }
  return out;
}
export { init };

/** Thrown by `start` and `update` on invalid settings. */
export class SettingsError extends Error {
  constructor(errors) {
    super(
      "walkme-webhooks: invalid settings\n" +
        errors.map((e) => "  " + e.path + ": " + e.message).join("\n")
    );
    this.name = "SettingsError";
    /** @type {{path: string, message: string}[]} */
    this.errors = errors;
  }
}

const guard = {
  broken: false,
  error: null,
  listeners: new Set(),
  report(e) {
    console.error("[walkme-webhooks] disabled after an internal error; the page is not affected:", e);
    for (const l of guard.listeners) {
      try {
        l({ webhookId: null, eventId: null, destinationId: null, key: null, attempt: 0, status: null, outcome: "dropped", error: "module disabled after an internal error: " + String((e && e.message) || e), ms: 0 });
      } catch (_) {}
    }
  },
};
let guardInstalled = false;

function fail(e) {
  if (guard.broken) return;
  guard.broken = true;
  guard.error = e;
  try {
    guard.report(e);
  } catch (_) {}
}

function call(f, fallback) {
  if (guard.broken) return fallback;
  try {
    return f();
  } catch (e) {
    fail(e);
    return fallback;
  }
}

function installGuard() {
  if (!guardInstalled) {
    wasm.installGuard(guard);
    guardInstalled = true;
  }
}

const EMPTY_STATS = Object.freeze({ matched: 0, sent: 0, delivered: 0, opaque: 0, retrying: 0, failed: 0, dropped: 0, queued: 0, inFlight: 0, stored: 0, resumed: 0, storageDegraded: false });

function stats(runtime) {
  const s = call(() => runtime.stats(), null) || { ...EMPTY_STATS };
  s.disabled = guard.broken;
  return s;
}

// Settings errors come back from wasm as a plain array and are thrown as a
// SettingsError; anything else is an internal failure, reported, not thrown.
function checked(f, fallback) {
  if (guard.broken) return fallback;
  try {
    return f();
  } catch (e) {
    if (Array.isArray(e)) throw new SettingsError(e);
    fail(e);
    return fallback;
  }
}

/**
 * Starts the module on published settings.
 * @returns {Hooks}
 */
export function start(settings, options = {}) {
  installGuard();
  const runtime = checked(() => new wasm.Runtime(settings, options || {}), null);
  return new Hooks(runtime);
}

// Running modules, held until stop(): a page that starts the module and
// drops what start() returned (or listens only through `walkme:event` and
// auto-capture) must not have it collected, and its deliveries with it.
const running = new Set();

/** What `start` returns. */
export class Hooks {
  constructor(runtime) {
    this._runtime = runtime;
    this._stopped = !runtime;
    if (runtime) running.add(this);
  }
  /** Sends an event through the webhooks; returns how many matched. */
  emit(type, properties) {
    if (this._stopped || typeof type !== "string") return 0;
    return call(() => this._runtime.emit(type, properties == null ? {} : properties), 0);
  }
  /** Sets user.id and user.<trait> for the events that follow. */
  identify(userId, traits) {
    if (this._stopped) return;
    call(() => this._runtime.identify(userId == null ? undefined : String(userId), traits == null ? {} : traits));
  }
  /** Re-publishes settings; throws a SettingsError (with `.errors`) when invalid. */
  update(settings) {
    if (this._stopped) return;
    checked(() => this._runtime.update(settings), undefined);
  }
  /** `provider(destinationId)` returns a token (or a promise of one, or `{ token, expiresIn }`). */
  setTokenProvider(destinationId, provider) {
    if (this._stopped) return;
    call(() => this._runtime.setTokenProvider(String(destinationId), typeof provider === "function" ? provider : null));
  }
  /** Calls `listener(report)` for every attempt and drop. */
  onDelivery(listener) {
    if (typeof listener !== "function") return;
    guard.listeners.add(listener);
    call(() => this._runtime.onDelivery(listener));
  }
  /** Resolves when nothing is in flight and nothing is due. */
  flush() {
    if (this._stopped) return Promise.resolve();
    return call(() => this._runtime.flush(), null) || Promise.resolve();
  }
  /** Counters: matched, sent, delivered, opaque, retrying, failed, dropped, queued, ... */
  stats() {
    return stats(this._runtime);
  }
  /**
   * Self-test: the next event fails inside the module, to check in a real
   * page that the module reports once, turns itself off and the page goes on.
   */
  selfTestFailure() {
    call(() => this._runtime.failNext());
  }
  /** Stops listening and sending; stored deliveries are sent at the next start. */
  stop() {
    if (this._stopped) return;
    this._stopped = true;
    running.delete(this);
    call(() => this._runtime.stop());
  }
}

/** Checks settings: `{ ok, errors: [{ path, message }], warnings }`. Never throws. */
export function validate(settings) {
  installGuard();
  return call(() => wasm.validate(settings), { ok: false, errors: [{ path: "$", message: "the module is disabled after an internal error" }], warnings: [] });
}

/** The event catalog: `[{ id, group, name, description, properties: [{ name, type }] }]`. */
export function catalog() {
  installGuard();
  return call(() => wasm.catalog(), []);
}
