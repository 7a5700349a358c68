// The editor's one door into the WebAssembly module. Every page of the
// editor calls the module through these functions only: validation, the
// catalog, the destination presets (presets/presets.json, as data), the
// preview of the exact request a webhook sends (the runtime's own code),
// the CORS probe and publishing come from the editor module
// ("/pkg/editor.js"); "Send test" runs the visitor runtime ("/pkg/index.js").

import init, * as editor from "/pkg/editor.js";
// The visitor runtime, for "Send test" (it sends the way the app will).
import initRuntime, { start as runtimeStart } from "/pkg/index.js";

let loading = null;
let loadingRuntime = null;

/** Resolves once the module is loaded; call (and await) before the others. */
export function ready() {
  return (loading ||= init());
}

/** { ok, errors: [{ path, message }], warnings: [...] } for a settings document. */
export function validate(settings) {
  return editor.validate(settings);
}

/** The event catalog: [{ id, group, name, description, properties: [{ name, type }] }]. */
export function catalog() {
  return editor.catalog();
}

let presetList = null;
/**
 * The destination presets: [{ id, name, docs, browser: { works, why },
 * fields: [{ key, label, help, secret, publishable, required, placeholder, pattern }],
 * destination (with {{field:KEY}} markers), rate, batch }].
 */
export function presets() {
  return (presetList ||= editor.presets());
}

/**
 * The exact request webhook `webhookId` of `settings` sends for an event
 * with `properties` (secrets masked), and each condition row's result:
 * { ok, matched, conditions: [bool], request: { method, url, headers, body, mode } | null, error, errors }.
 */
export function preview(settings, webhookId, properties) {
  return editor.preview(settings, webhookId, properties);
}

/** What a destination URL allows from this page: resolves { reachable, cors }. */
export async function probeCors(url) {
  await ready();
  try {
    return await editor.probeCors(url);
  } catch (_) {
    return { reachable: false, cors: false };
  }
}

/** Resolves once the visitor runtime is loaded (it is a module of its own). */
export function runtimeReady() {
  return (loadingRuntime ||= initRuntime());
}

/** Starts the visitor runtime with `settings` (for a test send); resolves the hooks. */
export async function startRuntime(settings, options) {
  await runtimeReady();
  return runtimeStart(settings, options);
}

/** The URL of the published settings file (served next to the snippet). */
export const SETTINGS_URL = "/settings/walkme-webhooks.json";

/**
 * Publishes settings to the settings file with the editor module (PUT with
 * If-Match: the ETag loaded, so two people publishing at once cannot
 * overwrite each other). Resolves `{ ok, status, etag, error }`.
 */
export async function publishSettings(settings, etag) {
  await ready();
  return editor.publish(SETTINGS_URL, settings, etag);
}

/** The published settings file as it stands: `{ settings, etag }`, or null while nothing is published. */
export async function publishedSettings() {
  const res = await fetch(SETTINGS_URL, { cache: "no-cache", credentials: "same-origin" });
  if (res.status === 204 || res.status === 404) return null;
  if (!res.ok) throw new Error("the settings file answered HTTP " + res.status);
  return { settings: await res.json(), etag: res.headers.get("ETag") };
}
