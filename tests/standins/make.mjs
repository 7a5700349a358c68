// Make (Integromat) custom webhook stand-in: POST /<token> on
// hook.<zone>.make.com.
//
// Docs: https://help.make.com/webhooks (queue, parallel/sequential processing)
//       https://community.make.com/t/send-audio-file-to-make-com-webhook-getting-502-cloudflare-error/52715/2
//       ("The maximum allowed webhook's payload size (Content-Length) is 5 MB")
import { text, track, windowLimit, empty } from "./common.mjs";

export const name = "make";
export const docs = "https://help.make.com/webhooks";
export const maxBodyBytes = 5 * 1024 * 1024;

export function init(state) {
  // Make's pages read for this stand-in state no request rate; 30 requests
  // per second per webhook (429 past it) is the commonly quoted figure and is
  // UNVERIFIED here (see docs/destinations.md).
  state.makeLimit = track(state, windowLimit(30, 1000));
}

// CORS: Make documents none; the stand-in sends no Access-Control-* header
// and refuses preflights, so only fetch mode no-cors suits it.
export function handle(ctx) {
  if (ctx.method === "OPTIONS") return empty(405);
  const m = /^\/([a-z0-9]{20,})\/?$/.exec(ctx.path);
  if (!m) return text(404, "Not found.");
  // Test hook: a token starting with "gone" is a deleted webhook.
  if (m[1].startsWith("gone")) return text(410, "There is no scenario listening for this webhook.");
  if (ctx.bodyTooLarge) return text(413, "Payload too large.");
  if (ctx.state.rateLimits && ctx.state.makeLimit.take(m[1])) return text(429, "Too many requests.", { "Retry-After": "1" });
  const check = { contentType: ctx.contentType };
  try {
    if (ctx.contentType === "application/json") check.bundle = ctx.json();
    else if (ctx.contentType === "application/x-www-form-urlencoded") check.bundle = Object.fromEntries(ctx.form());
    else check.bundle = { value: ctx.text() };
  } catch {
    check.bundle = { value: ctx.text() };
  }
  // A custom webhook with no Webhook response module answers 200 "Accepted".
  return { ...text(200, "Accepted"), check };
}
