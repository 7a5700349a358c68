// Segment HTTP Tracking API stand-in: POST /v1/{track,identify,page,screen,
// group,alias,batch} and the short aliases the browser SDK uses
// (/v1/t, /v1/i, /v1/p, /v1/s, /v1/g, /v1/a, /v1/b).
//
// Docs: https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/
//       (source: https://github.com/segmentio/segment-docs/blob/develop/src/connections/sources/catalog/libraries/server/http-api/index.md)
// SDK:  https://github.com/segmentio/analytics-next/blob/main/packages/browser/src/plugins/segmentio/shared-dispatcher.ts
//       ('Content-Type': 'text/plain' by default, writeKey in the body:
//        normalize.ts; newer versions add Authorization: Basic, which needs
//        a preflight the API answers)
import { json, mirrorCors, preflightAllowAll, track, windowLimit } from "./common.mjs";

export const name = "segment";
export const docs = "https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/";

const ROUTES = { t: "track", i: "identify", p: "page", s: "screen", g: "group", a: "alias", b: "batch" };
const KB = 1024;

export function init(state) {
  // "Segment recommends you to not exceed 1,000 requests per second" per
  // workspace; over it: 429 with Retry-After and X-RateLimit-Reset.
  state.segLimit = track(state, windowLimit(1000, 1000));
}

export function handle(ctx) {
  if (ctx.method === "OPTIONS") return { status: 200, headers: preflightAllowAll(ctx), body: "" };
  const cors = mirrorCors(ctx);
  const m = /^\/v1\/([a-z]+)\/?$/.exec(ctx.path);
  const kind = m && (ROUTES[m[1]] || (Object.values(ROUTES).includes(m[1]) ? m[1] : null));
  if (!kind) return json(404, { success: false, error: "not found" }, cors);
  if (ctx.method !== "POST") return json(405, { success: false, error: "method not allowed" }, cors);
  if (ctx.state.rateLimits && ctx.state.segLimit.take("workspace")) {
    return json(429, { success: false, error: "rate limited" }, { ...cors, "Retry-After": "1", "X-RateLimit-Reset": "1" });
  }
  // "There is a maximum of 32KB per normal API request. The batch API
  // endpoint accepts a maximum of 500KB per request, with a limit of 32KB per
  // event in the batch. … responds with 400 Bad Request if these limits are
  // exceeded."
  const cap = kind === "batch" ? 500 * KB : 32 * KB;
  if (ctx.receivedBytes > cap) return json(400, { success: false, error: "payload too large" }, cors);
  let body;
  try {
    // The docs ask for application/json; the official browser SDK sends the
    // same JSON as text/plain (no preflight). Both are read as JSON here.
    body = ctx.json();
  } catch {
    // "If you send an event with invalid JSON, Segment returns a 400"
    return json(400, { success: false, error: "invalid JSON" }, cors);
  }
  // writeKey: in the body, or as the Basic user name ("writeKey:").
  let writeKey = body && body.writeKey;
  const auth = ctx.headers.authorization || "";
  if (!writeKey && auth.startsWith("Basic ")) writeKey = Buffer.from(auth.slice(6), "base64").toString("utf8").replace(/:.*$/, "");
  const events = kind === "batch" ? (Array.isArray(body.batch) ? body.batch : null) : [{ type: kind, ...body }];
  if (!events) return json(400, { success: false, error: "batch must be an array" }, cors);
  const problems = [];
  if (!writeKey) problems.push("no writeKey (body writeKey or Basic user name)");
  // "Each batch request can only have up to 2500 events … Segment returns a
  // 200 response but rejects the event when the number of batched events
  // exceeds the limit."
  if (events.length > 2500) problems.push("more than 2500 events in the batch: rejected (answer stays 200)");
  events.forEach((e, i) => {
    if (Buffer.byteLength(JSON.stringify(e)) > 32 * KB) problems.push(`[${i}] event over 32KB`);
    // "requires that each payload has a userId and/or anonymousId" →
    // no_user_anon_id
    if (!e.userId && !e.anonymousId) problems.push(`[${i}] no_user_anon_id`);
    // "All Track events … must have an event field"
    if ((e.type === "track" || kind === "track") && !e.event) problems.push(`[${i}] track without event`);
    // messageId: unique, "fewer than 100 characters"
    if (e.messageId !== undefined && String(e.messageId).length >= 100) problems.push(`[${i}] messageId of 100 characters or more`);
  });
  if (events.some((e) => e && !e.userId && !e.anonymousId)) {
    // The docs name the error (no_user_anon_id) but not its status; 400 here.
    return { ...json(400, { success: false, error: "no_user_anon_id" }, cors), check: { events, problems } };
  }
  // "Segment returns a 200 response for all API requests except errors
  // caused by large payloads and JSON errors". The body is not documented;
  // {"success": true} here.
  return { ...json(200, { success: true }, cors), check: { events, writeKey: writeKey || null, problems } };
}
