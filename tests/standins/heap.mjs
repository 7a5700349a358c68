// Heap server-side Track API stand-in: POST /api/track (JSON).
//
// Docs: https://developers.heap.io/reference/track-1
//       https://developers.heap.io/reference/server-side-apis-overview
// Heap documents this API for servers; its browser path is the heap.js
// snippet. The stand-in answers no CORS at all.
import { empty, json, track, windowLimit } from "./common.mjs";

export const name = "heap";
export const docs = "https://developers.heap.io/reference/track-1";

export function init(state) {
  // "limited to 30 requests per 30 seconds per identity per app_id"
  // (track reference above).
  state.heapLimit = track(state, windowLimit(30, 30 * 1000));
}

export function handle(ctx) {
  if (ctx.method === "OPTIONS") return empty(404);
  if (ctx.path !== "/api/track") return empty(404);
  if (ctx.method !== "POST") return empty(405);
  if (ctx.contentType !== "application/json") return json(400, { error: "Content-Type must be application/json" });
  let b;
  try {
    b = ctx.json();
  } catch {
    return json(400, { error: "Invalid JSON" });
  }
  // Required: app_id, identity (or user_id), event.
  for (const f of ["app_id", "event"]) if (!b[f]) return json(400, { error: `Missing required field ${f}` });
  if (!b.identity && !b.user_id) return json(400, { error: "Missing required field identity" });
  // Event names up to 1024 characters; property values up to 1024.
  if (String(b.event).length > 1024) return json(400, { error: "event is longer than 1024 characters" });
  if (ctx.state.rateLimits && ctx.state.heapLimit.take(`${b.app_id}:${b.identity || b.user_id}`)) return json(429, { error: "Too many requests" });
  return { ...empty(200), check: { event: b } };
}
