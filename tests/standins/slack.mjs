// Slack incoming webhook stand-in: POST /services/T…/B…/X…
//
// Docs: https://api.slack.com/messaging/webhooks (sending, handling errors)
//       https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks
//       https://api.slack.com/docs/rate-limits
import { bucket, json, text, track } from "./common.mjs";

export const name = "slack";
export const docs = "https://api.slack.com/messaging/webhooks";

const PATH = /^\/services\/(T[A-Z0-9]+)\/(B[A-Z0-9]+)\/([A-Za-z0-9]+)$/;

// CORS, as users report it (Slack documents none):
// - a preflight gets Access-Control-Allow-Origin: * but no
//   Access-Control-Allow-Headers, so a browser refuses
//   `Content-Type: application/json` ("Request header field content-type is
//   not allowed by Access-Control-Allow-Headers in preflight response"):
//   https://github.com/TheAppleFreak/winston-slack-webhook-transport/issues/20
//   https://github.com/xoxco/node-slack/issues/32
// - responses carry Access-Control-Allow-Origin: * (a credentialed request
//   fails on the wildcard: same issue #32).
const CORS = { "Access-Control-Allow-Origin": "*" };
// Slack answers incoming webhooks with a short text body (`ok` or an error
// code): https://api.slack.com/messaging/webhooks#handling_errors
const answer = (status, code) => text(status, code, CORS, "text/html");

export function init(state) {
  // "1 per second, short bursts >1 allowed" for posting messages:
  // https://api.slack.com/docs/rate-limits#overview — the burst size is not
  // published; this stand-in allows 5, refilled at 1 per second.
  state.slackLimit = track(state, bucket(5, 1));
}

export function handle(ctx) {
  if (ctx.method === "OPTIONS") {
    return { status: 200, headers: { ...CORS, "Access-Control-Allow-Methods": "POST" }, body: "" };
  }
  const m = PATH.exec(ctx.path);
  // An unknown or removed webhook: 404 no_service / 403 invalid_token …
  // https://api.slack.com/messaging/webhooks#handling_errors
  if (!m) return answer(404, "no_service");
  if (ctx.method !== "POST") return answer(405, "invalid_method");
  const token = m[3];
  // Test hooks for the documented error answers (by token):
  // https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks
  if (token === "ARCHIVED") return answer(410, "channel_is_archived");
  if (token === "PROHIBITED") return answer(403, "action_prohibited");
  if (token === "NOCHANNEL") return answer(404, "channel_not_found");
  if (token === "REVOKED") return answer(403, "invalid_token");

  if (ctx.state.rateLimits) {
    const wait = ctx.state.slackLimit.take(ctx.path);
    // Over the limit: HTTP 429 with Retry-After:
    // https://api.slack.com/docs/rate-limits#headers
    if (wait) return { ...answer(429, "rate_limited"), headers: { ...CORS, "Content-Type": "text/html", "Retry-After": String(wait) } };
  }

  // The body: JSON with Content-Type application/json (the preferred way), or
  // a form-encoded `payload` parameter holding the JSON (the legacy way the
  // older page documents: https://api.slack.com/incoming-webhooks?nojsmode=1
  // "Send it as a parameter"; and curl --data-urlencode "payload=…").
  let payload;
  const raw = ctx.text();
  const check = { contentType: ctx.contentType };
  try {
    if (ctx.contentType === "application/x-www-form-urlencoded") {
      const p = ctx.form().get("payload");
      // A form body without `payload=` that is itself JSON (what `curl -d '{…}'`
      // sends) is accepted by Slack in practice; undocumented.
      payload = p !== null ? JSON.parse(p) : JSON.parse(raw);
      if (p === null) check.note = "raw JSON in a form-typed body: accepted in practice, undocumented";
    } else if (ctx.contentType === "application/json") {
      payload = JSON.parse(raw);
    } else {
      // text/plain (or none) holding JSON: reported to work from browsers,
      // not documented by Slack.
      payload = JSON.parse(raw);
      check.note = `JSON sent as ${ctx.contentType || "no content type"}: undocumented`;
    }
  } catch {
    // "the data sent in your request cannot be understood as presented"
    return { ...answer(400, "invalid_payload"), check };
  }
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) return { ...answer(400, "invalid_payload"), check };
  const hasText = typeof payload.text === "string" && payload.text.trim() !== "";
  const hasBlocks = Array.isArray(payload.blocks) && payload.blocks.length > 0;
  const hasAttachments = Array.isArray(payload.attachments) && payload.attachments.length > 0;
  // A message needs text (or blocks/attachments): `no_text`.
  // https://api.slack.com/messaging/webhooks#handling_errors
  if (!hasText && !hasBlocks && !hasAttachments) return { ...answer(400, "no_text"), check };
  // Block Kit: at most 50 blocks per message:
  // https://api.slack.com/reference/block-kit/blocks
  if (hasBlocks && payload.blocks.length > 50) return { ...answer(400, "invalid_blocks"), check };
  check.message = payload;
  return { ...answer(200, "ok"), check };
}
