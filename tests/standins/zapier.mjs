// Zapier "Catch Hook" stand-in: POST /hooks/catch/<account>/<hook>/
//
// Docs: https://help.zapier.com/hc/en-us/articles/8496288690317-Trigger-Zaps-from-webhooks
//       https://help.zapier.com/hc/en-us/articles/29972220283789-Webhooks-by-Zapier-rate-limits
//       https://docs.zapier.com/platform/build/operating-constraints ("Webhook payload 10 MB")
import crypto from "node:crypto";
import { json, text, track, windowLimit, empty } from "./common.mjs";

export const name = "zapier";
export const docs = "https://help.zapier.com/hc/en-us/articles/8496288690317-Trigger-Zaps-from-webhooks";
export const maxBodyBytes = 10 * 1024 * 1024;

const PATH = /^\/hooks\/catch\/(\d+)\/([A-Za-z0-9]+)(\/silent)?\/?$/;
const LEGACY = /^\/hooks\/catch\/([A-Za-z0-9]+)\/?$/;

export function init(state) {
  // 429 past 10,000 requests every 5 minutes per user (the page has also
  // said 20,000), and past 1,000 per 5 minutes per Zap on legacy routes
  // without the user id: the rate-limit article above.
  state.zapUser = track(state, windowLimit(10000, 5 * 60 * 1000));
  state.zapLegacy = track(state, windowLimit(1000, 5 * 60 * 1000));
}

// CORS: a browser's preflight fails ("CORS preflight response did not
// succeed", https://openillumi.com/?p=66592); Zapier documents no CORS.
// The stand-in answers OPTIONS without any Access-Control-* header and sends
// none on POST either, so only fetch mode no-cors (opaque answer) suits it.
export function handle(ctx) {
  if (ctx.method === "OPTIONS") return empty(405);
  const m = PATH.exec(ctx.path);
  const legacy = !m && LEGACY.exec(ctx.path);
  if (!m && !legacy) return text(404, "Not Found");
  if (ctx.bodyTooLarge) return text(413, "Request Entity Too Large");
  if (ctx.state.rateLimits) {
    const wait = m ? ctx.state.zapUser.take(m[1]) : ctx.state.zapLegacy.take(legacy[1]);
    if (wait) return json(429, { status: "throttled", message: "Too many requests" }, { "Retry-After": String(wait) });
  }
  // A catch hook takes JSON, form fields or query parameters and turns them
  // into fields of the trigger (the help article above).
  const check = { contentType: ctx.contentType };
  try {
    if (ctx.contentType === "application/x-www-form-urlencoded") check.fields = Object.fromEntries(ctx.form());
    else if (ctx.raw.length) check.fields = ctx.json();
    else check.fields = Object.fromEntries(ctx.query);
  } catch {
    // Non-JSON text is kept whole (Zapier offers it as the raw body).
    check.fields = { raw: ctx.text() };
  }
  // "Zapier will always return a success message … regardless of whether
  // there is a Zap behind the webhook"; Silent Mode (…/silent/) answers with
  // an empty body (the help article above).
  if (m && m[3]) return { ...empty(200), check };
  const id = crypto.randomUUID();
  // The documented success answer of a catch hook.
  return { ...json(200, { attempt: id, id, request_id: id, status: "success" }), check };
}
