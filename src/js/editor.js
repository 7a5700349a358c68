// walkme-webhooks/editor: what the editor, tests and tools load (visitors
// never do): full validation with every message, path and code, the event
// catalog, the JSON Schema, the destination presets, a preview of the exact
// request a webhook sends, publishing, and a CORS probe.
//
//   import initEditor, { validate, catalog, presets, preview } from "walkme-webhooks/editor";
//   await initEditor();

import wasmInit, * as wasm from "./walkme_webhooks_editor.js";
export { playerEvents } from "./bridge.js";

let ready = null;

/** Loads and instantiates the editor module. */
export default function init(input) {
  if (!ready) ready = wasmInit(input == null ? undefined : { module_or_path: input });
  return ready;
}
export { init };

const NOT_JSON = { path: "$", code: "invalid_json", message: "settings must be a JSON document (an object, or its text)" };

function text(settings) {
  if (typeof settings === "string") return settings;
  const t = JSON.stringify(settings);
  if (typeof t !== "string") throw new TypeError("not JSON");
  return t;
}

/** Checks settings: `{ ok, errors: [{ path, code, message }], warnings }`. Never throws. */
export function validate(settings) {
  try {
    return wasm.validate(text(settings));
  } catch (_) {
    return { ok: false, errors: [NOT_JSON], warnings: [] };
  }
}

/** The event catalog: `[{ id, group, name, description, properties: [{ name, type }] }]`. */
export const catalog = () => wasm.catalog();
/** The condition operators: `[{ id, takesValue }]`. */
export const operators = () => wasm.operators();
/** The template filters: `["json", "base64", ...]`. */
export const filters = () => wasm.filters();
/** The destination presets, each with its docs link and the fields a user fills in. */
export const presets = () => wasm.presets();
/** The JSON Schema of settings v1. */
export const schema = () => wasm.schema();

/**
 * The exact request webhook `webhookId` would send for an event with
 * `properties` (secrets masked), and each condition row's result:
 * `{ ok, matched, conditions: [bool], request: { method, url, headers, body, mode }, error, errors }`.
 */
export function preview(settings, webhookId, properties) {
  try {
    return wasm.preview(text(settings), String(webhookId), JSON.stringify(properties || {}));
  } catch (_) {
    return { ok: false, matched: false, conditions: [], request: null, error: NOT_JSON.message, errors: [NOT_JSON] };
  }
}

/**
 * Publishes settings to a settings endpoint with `PUT`, `If-Match: etag`
 * (the version the editor loaded; none: only if nothing is published yet).
 * Resolves to `{ ok, status, etag, error }`; status 412: someone else
 * published first.
 */
export function publish(url, settings, etag) {
  return wasm.publish(String(url), text(settings), etag == null ? undefined : String(etag));
}

/** What a destination URL allows from this page: `{ reachable, cors }`. */
export function probeCors(url) {
  return wasm.probeCors(String(url));
}
