// Discord "Execute Webhook" stand-in: POST /api/webhooks/<id>/<token>
//
// Docs: https://discord.com/developers/docs/resources/webhook#execute-webhook
//       ("This endpoint supports both JSON and form data bodies. It does
//        require multipart/form-data requests … when uploading files")
//       https://discord.com/developers/docs/topics/rate-limits
// CORS: Discord documents none and reports conflict
// (https://github.com/projectdiscovery/interactsh-web/pull/239 says no
// Access-Control-Allow-Origin; https://github.com/fluxerapp/fluxer/issues/549
// says there is one). The stand-in answers no CORS at all.
import { empty, json, track, windowLimit } from "./common.mjs";

export const name = "discord";
export const docs = "https://discord.com/developers/docs/resources/webhook#execute-webhook";

export function init(state) {
  // Per-route limits come back in X-RateLimit-* headers; 5 requests per 2 s
  // per webhook is what the headers commonly show (not a published figure).
  state.discordLimit = track(state, windowLimit(5, 2000));
}

export function handle(ctx) {
  if (ctx.method === "OPTIONS") return empty(405);
  const m = /^\/api(?:\/v\d+)?\/webhooks\/(\d+)\/([A-Za-z0-9_-]+)$/.exec(ctx.path);
  if (!m) return json(404, { message: "404: Not Found", code: 0 });
  if (ctx.method !== "POST") return json(405, { message: "405: Method Not Allowed", code: 0 });
  let b;
  try {
    if (ctx.contentType === "application/json") b = ctx.json();
    else if (ctx.contentType === "application/x-www-form-urlencoded") b = Object.fromEntries(ctx.form());
    else if (ctx.contentType === "multipart/form-data") b = { note: "multipart body (not parsed by the stand-in)" };
    else return json(400, { message: "Cannot send an empty message", code: 50006 });
  } catch {
    return json(400, { message: "The request body contains invalid JSON.", code: 50109 });
  }
  if (!b.content && !b.embeds && !b.note) return json(400, { message: "Cannot send an empty message", code: 50006 });
  // content: up to 2000 characters.
  if (typeof b.content === "string" && b.content.length > 2000) return json(400, { message: "Invalid Form Body", code: 50035 });
  if (ctx.state.rateLimits && ctx.state.discordLimit.take(m[1])) {
    return json(429, { message: "You are being rate limited.", retry_after: 1, global: false }, { "Retry-After": "1" });
  }
  // Without ?wait=true: 204 No Content.
  if (ctx.query.get("wait") === "true") return { ...json(200, { id: "1", channel_id: "1", content: b.content || "" }), check: { body: b } };
  return { ...empty(204), check: { body: b } };
}
