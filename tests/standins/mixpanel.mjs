// Mixpanel /track stand-in, in the form the official JS SDK sends:
// POST /track/?ip=1&verbose=1&_=… with Content-Type
// application/x-www-form-urlencoded and `data=<JSON or base64 JSON>`.
//
// Docs: https://developer.mixpanel.com/reference/track-event
//       https://github.com/mixpanel/docs/blob/main/openapi/src/ingestion.openapi.yaml
// SDK:  https://github.com/mixpanel/mixpanel-js/blob/master/src/mixpanel-core.js
//       (_send_request: body 'data=' + encodeURIComponent(json),
//        Content-Type application/x-www-form-urlencoded, withCredentials)
import { json, mirrorCors, preflightAllowAll, text } from "./common.mjs";

export const name = "mixpanel";
export const docs = "https://developer.mixpanel.com/reference/track-event";
// "We accept up to 2000 events and 2MB uncompressed per request" (/import;
// "the limits for track are the same as /import"):
// https://github.com/mixpanel/docs/blob/main/openapi/src/ingestion.openapi.yaml
export const maxBodyBytes = 2 * 1024 * 1024;
const MAX_EVENTS = 2000;
const FIVE_DAYS_MS = 5 * 24 * 3600 * 1000; // /track: "Last 5 days only."

// The JS SDK posts with XHR withCredentials = true from any site, which only
// works if the server mirrors the Origin and allows credentials
// (mixpanel-core.js _send_request). The stand-in does the same.
export function handle(ctx) {
  const cors = mirrorCors(ctx);
  if (ctx.method === "OPTIONS") return { status: 200, headers: preflightAllowAll(ctx), body: "" };
  if (!/^\/track\/?$/.test(ctx.path)) return text(404, "404 page not found", cors);
  const verbose = ctx.query.get("verbose") === "1";
  // Answers: `1` / `0` as text, or with verbose=1 a JSON object
  // {status: 1|0, error: string|null}:
  // ingestion-api.yaml OptionalRequestParameter/ResponseType/Verbose
  const reply = (ok, error, check) => {
    const out = verbose ? json(200, { status: ok ? 1 : 0, error: ok ? null : error }, cors) : text(200, ok ? "1" : "0", cors);
    out.check = check;
    return out;
  };
  if (ctx.bodyTooLarge) {
    // 413 "request exceeds max limit of 2097152 bytes" (StrictTooLarge)
    return json(413, { code: 413, error: "request exceeds max limit of 2097152 bytes", status: "Request Entity Too Large" }, cors);
  }
  let data = null;
  if (ctx.method === "GET") data = ctx.query.get("data");
  else if (ctx.contentType === "application/x-www-form-urlencoded") data = ctx.form().get("data");
  else if (ctx.contentType === "application/json") data = ctx.text();
  else return reply(false, `unsupported content type ${ctx.contentType || "(none)"}; send data= form-encoded`, { reason: "content type" });
  if (data === null || data === "") return reply(false, "data, missing or empty", { reason: "no data" });
  let parsed;
  try {
    parsed = JSON.parse(data);
  } catch {
    try {
      // The SDK's base64 payload format (api_payload_format 'base64').
      parsed = JSON.parse(Buffer.from(data, "base64").toString("utf8"));
    } catch {
      return reply(false, "data, could not decode JSON or base64 JSON", { reason: "decode" });
    }
  }
  const events = Array.isArray(parsed) ? parsed : [parsed];
  if (events.length === 0) return reply(false, "data, no events", { reason: "empty" });
  if (events.length > MAX_EVENTS) return reply(false, `data, more than ${MAX_EVENTS} events`, { reason: "too many events" });
  const problems = [];
  events.forEach((e, i) => {
    if (!e || typeof e.event !== "string" || e.event === "") problems.push(`[${i}] event name missing`);
    const p = e && e.properties;
    if (!p || typeof p !== "object") return problems.push(`[${i}] properties missing`);
    // /track authenticates by the project token in properties.token.
    if (typeof p.token !== "string" || p.token === "") problems.push(`[${i}] properties.token missing`);
    if (p.time !== undefined) {
      // "in seconds or milliseconds since epoch"
      const t = Number(p.time);
      const ms = t < 1e11 ? t * 1000 : t;
      if (!Number.isFinite(t)) problems.push(`[${i}] properties.time is not a number`);
      else if (ctx.now() - ms > FIVE_DAYS_MS) problems.push(`[${i}] properties.time older than 5 days (use /import)`);
      else if (ms - ctx.now() > 3600 * 1000) problems.push(`[${i}] properties.time more than 1 hour in the future`);
    }
    // "fewer than 255 properties"
    if (Object.keys(p).length >= 255) problems.push(`[${i}] 255 properties or more`);
  });
  if (problems.length) return reply(false, problems.join("; "), { events, problems });
  return reply(true, null, { events });
}
