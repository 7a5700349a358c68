// Amplitude stand-in: HTTP V2 API (POST /2/httpapi) and Batch Event Upload
// API (POST /batch). JSON only.
//
// Docs: https://amplitude.com/docs/apis/analytics/http-v2
//       https://amplitude.com/docs/apis/analytics/batch-event-upload
// SDK:  https://github.com/amplitude/Amplitude-TypeScript/blob/main/packages/analytics-browser/src/transports/fetch.ts
//       (Content-Type: application/json from the page: Amplitude answers
//        preflights) and packages/analytics-core/src/transports/base.ts
//       (the answer fields: events_ingested, missing_field, eps_threshold …)
import { json, preflightAllowAll, track, windowLimit } from "./common.mjs";

export const name = "amplitude";
export const docs = "https://amplitude.com/docs/apis/analytics/http-v2";
export const maxBodyBytes = 20 * 1024 * 1024; // /batch: "must not exceed 20MB"

const LIMITS = {
  // HTTP V2: "Keep request sizes under 1 MB with fewer than 2000 events per
  // request. When you exceed these size limits, you get a 413 error." and
  // 30 events per second per user_id / device_id (429).
  "/2/httpapi": { bytes: 1024 * 1024, events: 2000, perDevicePerSecond: 30 },
  // Batch: 20 MB, 2000 events, 1000 events per second per device/user.
  "/batch": { bytes: 20 * 1024 * 1024, events: 2000, perDevicePerSecond: 1000 },
};

// Amplitude's browser SDK sends JSON cross-origin without credentials, so its
// endpoints allow any origin; the stand-in answers `*`.
const CORS = { "Access-Control-Allow-Origin": "*" };

export function init(state) {
  state.ampV2 = track(state, windowLimit(30, 1000));
  state.ampBatch = track(state, windowLimit(1000, 1000));
}

export function handle(ctx) {
  if (ctx.method === "OPTIONS") return { status: 200, headers: { ...preflightAllowAll(ctx, { credentials: false }), ...CORS }, body: "" };
  const path = ctx.path.replace(/\/$/, "");
  const lim = LIMITS[path];
  if (!lim) return json(404, { code: 404, error: "Not found" }, CORS);
  if (ctx.method !== "POST") return json(405, { code: 405, error: "Method not allowed" }, CORS);
  // "Validation on Content-type header (must be set to application/json)"
  // (HTTP V2 validation list, quoted in the amplitude npm changelog:
  // https://socket.dev/npm/package/amplitude/versions/6.0.0). Wording of the
  // error text is the stand-in's.
  if (ctx.contentType !== "application/json") return json(400, { code: 400, error: "Invalid Content-Type header; must be application/json" }, CORS);
  if (ctx.bodyTooLarge || ctx.receivedBytes > lim.bytes) return json(413, { code: 413, error: "Payload too large" }, CORS);
  let body;
  try {
    body = ctx.json();
  } catch {
    return json(400, { code: 400, error: "Invalid JSON request body" }, CORS);
  }
  // "Request missing required field" + missing_field (base.ts field names).
  if (!body || typeof body.api_key !== "string" || body.api_key === "") {
    return json(400, { code: 400, error: "Request missing required field", missing_field: "api_key" }, CORS);
  }
  if (!Array.isArray(body.events) || body.events.length === 0) {
    return json(400, { code: 400, error: "Request missing required field", missing_field: "events" }, CORS);
  }
  if (body.events.length > lim.events) return json(413, { code: 413, error: "Payload too large" }, CORS);
  // "Device IDs and user IDs must be strings of 5 characters or more"
  // unless options.min_id_length says otherwise.
  const minId = Number(body.options && body.options.min_id_length) || 5;
  const invalidFields = {};
  const missingFields = {};
  const badIdLengths = {};
  body.events.forEach((e, i) => {
    const add = (map, field) => (map[field] = (map[field] || []).concat(i));
    if (!e || typeof e !== "object") return add(invalidFields, "event");
    if (typeof e.event_type !== "string" || e.event_type === "") add(missingFields, "event_type");
    const uid = e.user_id;
    const did = e.device_id;
    if ((uid === undefined || uid === null || uid === "") && (did === undefined || did === null || did === "")) add(missingFields, "user_id or device_id");
    if (typeof uid === "string" && uid.length < minId) add(badIdLengths, "user_id");
    if (typeof did === "string" && did.length < minId) add(badIdLengths, "device_id");
    if (uid !== undefined && uid !== null && typeof uid !== "string") add(invalidFields, "user_id");
    // "time field … must be number of milliseconds since the start of epoch"
    if (e.time !== undefined && !Number.isInteger(e.time)) add(invalidFields, "time");
    if (e.event_properties !== undefined && (typeof e.event_properties !== "object" || Array.isArray(e.event_properties))) add(invalidFields, "event_properties");
  });
  if (Object.keys(missingFields).length || Object.keys(invalidFields).length || Object.keys(badIdLengths).length) {
    return json(
      400,
      {
        code: 400,
        error: "Request contains invalid or missing fields",
        events_with_invalid_fields: invalidFields,
        events_with_missing_fields: missingFields,
        events_with_invalid_id_lengths: badIdLengths,
      },
      CORS,
    );
  }
  if (ctx.state.rateLimits) {
    const limiter = path === "/batch" ? ctx.state.ampBatch : ctx.state.ampV2;
    const byDevice = {};
    for (const e of body.events) {
      const k = e.device_id || e.user_id;
      byDevice[k] = (byDevice[k] || 0) + 1;
    }
    const throttled = {};
    for (const [k, n] of Object.entries(byDevice)) if (limiter.take(k, n)) throttled[k] = n;
    if (Object.keys(throttled).length) {
      // 429 with eps_threshold and throttled_devices (base.ts RateLimit body).
      return json(429, { code: 429, error: "Too many requests for some devices and users", eps_threshold: lim.perDevicePerSecond, throttled_devices: throttled, throttled_users: {}, throttled_events: [] }, CORS);
    }
  }
  return {
    ...json(200, { code: 200, events_ingested: body.events.length, payload_size_bytes: ctx.receivedBytes, server_upload_time: ctx.now() }, CORS),
    check: { events: body.events },
  };
}
