// PostHog capture stand-in: /i/v0/e/, /e/, /capture/, /track/ (one event or
// a batch) and /batch/ (a batch), GET or POST.
//
// Docs:   https://posthog.com/docs/api/capture
// Server: https://github.com/PostHog/posthog/blob/master/rust/capture/src/router.rs
//           (routes; body limits 2 MB for events, 20 MB for /batch; CORS
//            mirrors the Origin and the requested headers, credentials true)
//         https://github.com/PostHog/posthog/blob/master/rust/capture/src/payload/common.rs
//           (the body is the payload whatever its content type, except
//            application/x-www-form-urlencoded, where it is the `data` field;
//            base64 and gzip are recognised)
//         https://github.com/PostHog/posthog/blob/master/rust/capture/src/api.rs
//           (errors: 400/401/429/503 with a plain-text reason)
// SDK:    https://github.com/PostHog/posthog-js/blob/main/packages/browser/src/request.ts
//           (text/plain for gzip bodies, form `data=` for base64, JSON)
import { json, maybeGunzip, preflightAllowAll, mirrorCors, text } from "./common.mjs";

export const name = "posthog";
export const docs = "https://posthog.com/docs/api/capture";
export const maxBodyBytes = 20 * 1024 * 1024;

const EVENT_PATHS = /^\/(i\/v0\/e|e|capture|track|engage)\/?$/;
const BATCH_PATH = /^\/batch\/?$/;
const EVENT_BODY = 2 * 1024 * 1024; // router.rs EVENT_BODY_SIZE
const BATCH_BODY = 20 * 1024 * 1024; // router.rs BATCH_BODY_SIZE

function decode(bytes) {
  const t = maybeGunzip(bytes).toString("utf8").trim();
  if (t.startsWith("{") || t.startsWith("[")) return JSON.parse(t);
  return JSON.parse(Buffer.from(t, "base64").toString("utf8"));
}

export function handle(ctx) {
  if (ctx.method === "OPTIONS") return { status: 200, headers: preflightAllowAll(ctx), body: "" };
  const cors = mirrorCors(ctx);
  const isBatch = BATCH_PATH.test(ctx.path);
  if (!isBatch && !EVENT_PATHS.test(ctx.path)) return text(404, "", cors);
  // Axum's body limit answers 413 "length limit exceeded".
  if (ctx.bodyTooLarge || ctx.receivedBytes > (isBatch ? BATCH_BODY : EVENT_BODY)) return text(413, "length limit exceeded", cors);
  // CaptureError texts from api.rs; 400 for bad payloads, 401 for the key.
  const bad = (msg) => text(400, msg, cors);
  let payload;
  try {
    let bytes = ctx.raw;
    if (ctx.method === "GET" && ctx.query.get("data")) bytes = Buffer.from(ctx.query.get("data"));
    else if (ctx.contentType === "application/x-www-form-urlencoded") {
      const d = ctx.form().get("data");
      if (d === null) return bad("failed to decode request: expected form data in POST request payload");
      bytes = Buffer.from(d);
    }
    if (!bytes.length) return bad("failed to decode request: empty payload");
    payload = decode(bytes);
  } catch (e) {
    return bad(`failed to parse request: ${e.message}`);
  }
  let events;
  let batchKey = null;
  if (Array.isArray(payload)) events = payload;
  else if (payload && Array.isArray(payload.batch)) {
    events = payload.batch;
    batchKey = payload.api_key || payload.token || null;
  } else events = [payload];
  if (events.length === 0) return bad("request holds no event");
  const keys = new Set();
  for (const e of events) {
    if (!e || typeof e !== "object") return bad("failed to parse request: event is not an object");
    if (typeof e.event !== "string" || e.event === "") return bad("event submitted with an empty event name");
    const did = e.distinct_id ?? (e.properties && e.properties.distinct_id);
    if (did === undefined || did === null) return bad("event submitted without a distinct_id");
    if (String(did) === "") return bad("event submitted with an empty distinct_id");
    const k = e.api_key || e.token || (e.properties && e.properties.token) || batchKey;
    if (k) keys.add(k);
  }
  // "The project API key is a write-only key": it goes in the body as
  // api_key (or token), https://posthog.com/docs/api/capture
  if (keys.size === 0) return text(401, "event submitted without an api_key", cors);
  if (keys.size > 1) return text(401, "batch submitted with inconsistent api_key values", cors);
  const key = [...keys][0];
  if (!/^phc_[A-Za-z0-9]+$/.test(key)) return text(401, "API key is not valid: malformed", cors);
  // Success: 200 {"status": 1}, https://posthog.com/docs/api/capture
  return { ...json(200, { status: 1 }, cors), check: { events } };
}
