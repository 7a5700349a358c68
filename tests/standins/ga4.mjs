// GA4 Measurement Protocol stand-in: POST /mp/collect and the validation
// server POST /debug/mp/collect.
//
// Docs: https://developers.google.com/analytics/devguides/collection/protocol/ga4/sending-events
//       https://developers.google.com/analytics/devguides/collection/protocol/ga4/reference
//       https://developers.google.com/analytics/devguides/collection/protocol/ga4/validating-events
//       https://support.google.com/analytics/answer/13316687 (naming rules)
//
// /mp/collect answers 2xx whatever the payload ("does not return HTTP error
// codes, even if an event is malformed or missing required parameters");
// what the validation server would have said is kept as the request's
// `check` in /__requests. /debug/mp/collect answers it:
// { "validationMessages": [ { fieldPath, description, validationCode } ] }.
import { json, empty } from "./common.mjs";

export const name = "ga4";
export const docs = "https://developers.google.com/analytics/devguides/collection/protocol/ga4/reference";

// Reference › Limitations (MP for GA4):
const MAX_EVENTS = 25; // "Requests can have a maximum of 25 events."
const MAX_PARAMS = 25; // "Events can have a maximum of 25 parameters."
const MAX_USER_PROPS = 25; // "Events can have a maximum of 25 user properties."
const MAX_NAME = 40; // event and parameter names: 40 characters or fewer
const MAX_VALUE = 100; // parameter values: 100 characters (500 for GA360)
const MAX_UP_NAME = 24; // user property names: 24 characters or fewer
const MAX_UP_VALUE = 36; // user property values: 36 characters or fewer
const MAX_BODY = 130 * 1000; // "The post body must be smaller than 130kB."
const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/; // alphanumeric and _, starting with a letter

// Reference › Reserved names (event names, parameter names and prefixes,
// user property names and prefixes).
export const RESERVED_EVENTS = new Set([
  "ad_activeview", "ad_click", "ad_exposure", "ad_impression", "ad_query", "ad_reward", "adunit_exposure",
  "app_background", "app_clear_data", "app_exception", "app_remove", "app_store_refund",
  "app_store_subscription_cancel", "app_store_subscription_convert", "app_store_subscription_renew",
  "app_uninstall", "app_update", "app_upgrade", "dynamic_link_app_open", "dynamic_link_app_update",
  "dynamic_link_first_open", "error", "first_open", "first_visit", "in_app_purchase", "notification_dismiss",
  "notification_foreground", "notification_open", "notification_receive", "os_update", "session_start",
  "session_start_with_rollout", "user_engagement",
]);
export const RESERVED_PARAMS = new Set(["firebase_conversion"]);
export const RESERVED_PREFIXES = ["_", "google_", "ga_", "firebase_", "gtag."];
export const RESERVED_USER_PROPS = new Set([
  "first_open_time", "first_visit_time", "last_deep_link_referrer", "user_id", "first_open_after_install",
]);

const msg = (fieldPath, description, validationCode) => ({ fieldPath, description, validationCode });

/** What the validation server reports for a payload (empty when valid). */
export function validate(ctx) {
  const out = [];
  const q = ctx.query;
  // measurement_id (web) or firebase_app_id (app) in the URL; "The
  // validation server does not validate api_secret or firebase_app_id".
  if (!q.get("measurement_id") && !q.get("firebase_app_id")) out.push(msg("measurement_id", "Measurement ID is required.", "VALUE_REQUIRED"));
  if (ctx.receivedBytes >= MAX_BODY) out.push(msg("", `The post body must be smaller than 130kB (got ${ctx.receivedBytes} bytes).`, "VALUE_OUT_OF_BOUNDS"));
  let body;
  try {
    body = ctx.json();
  } catch {
    out.push(msg("", "Unable to parse Measurement Protocol JSON payload.", "VALUE_INVALID"));
    return out;
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    out.push(msg("", "The payload must be a JSON object.", "VALUE_INVALID"));
    return out;
  }
  if (q.get("measurement_id") && (typeof body.client_id !== "string" || body.client_id === "")) {
    out.push(msg("client_id", "client_id is required for web streams.", "VALUE_REQUIRED"));
  }
  if (body.user_id !== undefined && typeof body.user_id !== "string") out.push(msg("user_id", "user_id must be a string.", "VALUE_INVALID"));
  if (body.timestamp_micros !== undefined) {
    const t = Number(body.timestamp_micros);
    // Events may be backdated up to 72 hours.
    if (!Number.isInteger(t)) out.push(msg("timestamp_micros", "timestamp_micros must be an integer.", "VALUE_INVALID"));
    else if (Date.now() * 1000 - t > 72 * 3600 * 1e6) out.push(msg("timestamp_micros", "timestamp_micros is more than 72 hours in the past.", "VALUE_OUT_OF_BOUNDS"));
  }
  const events = body.events;
  if (!Array.isArray(events) || events.length === 0) {
    out.push(msg("events", "events is required and must not be empty.", "VALUE_REQUIRED"));
  } else {
    if (events.length > MAX_EVENTS) out.push(msg("events", `A request can have at most ${MAX_EVENTS} events; got ${events.length}.`, "EXCEEDED_MAX_ENTITIES"));
    events.forEach((e, i) => {
      const name = e && e.name;
      if (typeof name !== "string" || name === "") return out.push(msg(`events[${i}].name`, `Event at index: [${i}] has no name.`, "VALUE_REQUIRED"));
      // Wording of the docs' own example for a bad first character.
      if (!/^[A-Za-z]/.test(name)) out.push(msg("events", `Event at index: [${i}] has invalid name [${name}]. Names must start with an alphabetic character.`, "NAME_INVALID"));
      else if (!NAME_RE.test(name)) out.push(msg("events", `Event at index: [${i}] has invalid name [${name}]. Only alphanumeric characters and underscores are allowed.`, "NAME_INVALID"));
      if (name.length > MAX_NAME) out.push(msg("events", `Event at index: [${i}] has name [${name}] longer than ${MAX_NAME} characters.`, "VALUE_OUT_OF_BOUNDS"));
      if (RESERVED_EVENTS.has(name) || RESERVED_PREFIXES.some((p) => name.startsWith(p))) out.push(msg("events", `Event at index: [${i}] has name [${name}] which is reserved.`, "NAME_RESERVED"));
      const params = e.params === undefined ? {} : e.params;
      if (params === null || typeof params !== "object" || Array.isArray(params)) return out.push(msg(`events[${i}].params`, "params must be an object.", "VALUE_INVALID"));
      const keys = Object.keys(params);
      if (keys.length > MAX_PARAMS) out.push(msg(`events[${i}].params`, `Event at index: [${i}] has ${keys.length} parameters; at most ${MAX_PARAMS} are allowed.`, "EXCEEDED_MAX_ENTITIES"));
      for (const k of keys) {
        const at = `events[${i}].params.${k}`;
        if (!NAME_RE.test(k)) out.push(msg(at, `Parameter name [${k}] is invalid. Names must start with an alphabetic character and contain only alphanumeric characters and underscores.`, "NAME_INVALID"));
        if (k.length > MAX_NAME) out.push(msg(at, `Parameter name [${k}] is longer than ${MAX_NAME} characters.`, "VALUE_OUT_OF_BOUNDS"));
        if (RESERVED_PARAMS.has(k) || RESERVED_PREFIXES.some((p) => k.startsWith(p))) out.push(msg(at, `Parameter name [${k}] is reserved.`, "NAME_RESERVED"));
        const v = params[k];
        if (typeof v === "string" && v.length > MAX_VALUE && k !== "items") out.push(msg(at, `Parameter value of [${k}] is longer than ${MAX_VALUE} characters.`, "VALUE_OUT_OF_BOUNDS"));
        if (v !== null && typeof v === "object" && k !== "items") out.push(msg(at, `Parameter [${k}] must be a string or a number.`, "VALUE_INVALID"));
      }
      if (params.engagement_time_msec !== undefined && !Number.isFinite(Number(params.engagement_time_msec))) out.push(msg(`events[${i}].params.engagement_time_msec`, "engagement_time_msec must be a number.", "VALUE_INVALID"));
    });
  }
  const ups = body.user_properties;
  if (ups !== undefined) {
    const keys = ups && typeof ups === "object" ? Object.keys(ups) : [];
    if (keys.length > MAX_USER_PROPS) out.push(msg("user_properties", `At most ${MAX_USER_PROPS} user properties are allowed.`, "EXCEEDED_MAX_ENTITIES"));
    for (const k of keys) {
      const at = `user_properties.${k}`;
      if (!NAME_RE.test(k)) out.push(msg(at, `User property name [${k}] is invalid.`, "NAME_INVALID"));
      if (k.length > MAX_UP_NAME) out.push(msg(at, `User property name [${k}] is longer than ${MAX_UP_NAME} characters.`, "VALUE_OUT_OF_BOUNDS"));
      if (RESERVED_USER_PROPS.has(k) || RESERVED_PREFIXES.some((p) => k.startsWith(p))) out.push(msg(at, `User property name [${k}] is reserved.`, "NAME_RESERVED"));
      const v = ups[k] && typeof ups[k] === "object" ? ups[k].value : ups[k];
      if (typeof v === "string" && v.length > MAX_UP_VALUE) out.push(msg(at, `User property value of [${k}] is longer than ${MAX_UP_VALUE} characters.`, "VALUE_OUT_OF_BOUNDS"));
    }
  }
  return out;
}

export function handle(ctx) {
  // No CORS headers at all: Google documents none for the Measurement
  // Protocol (the public record is silent); a page can only send it with
  // fetch mode no-cors, whose answer is opaque anyway (a 2xx with no body).
  if (ctx.method === "OPTIONS") return empty(405);
  const debug = ctx.path === "/debug/mp/collect";
  if (ctx.path !== "/mp/collect" && !debug) return empty(404);
  // "The Measurement Protocol only supports HTTP POST requests."
  if (ctx.method !== "POST") return empty(405);
  const validationMessages = validate(ctx);
  if (debug) return { ...json(200, { validationMessages }), check: { validationMessages } };
  // Any content type is read as JSON: the docs' own browser example posts
  // JSON.stringify(...) with no Content-Type (text/plain).
  return { ...empty(204), check: { validationMessages } };
}
