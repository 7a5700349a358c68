// Google Chat incoming webhook stand-in:
// POST /v1/spaces/<space>/messages?key=<key>&token=<token>
//
// Docs: https://developers.google.com/workspace/chat/quickstart/webhooks
//       https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages/create
//       https://developers.google.com/workspace/chat/limits (per-space writes, 60 per 60 s; 429)
//       https://github.com/google/google-api-javascript-client/blob/master/docs/cors.md
//       (Google APIs answer CORS requests from pages)
import { json, mirrorCors, preflightAllowAll, track, windowLimit } from "./common.mjs";

export const name = "googlechat";
export const docs = "https://developers.google.com/workspace/chat/quickstart/webhooks";

export function init(state) {
  // Per-space quota "Writes per minute" (spaces.messages.create, "also
  // applies to incoming webhooks"): 60 per 60 seconds, shared by everything
  // that writes to the space: https://developers.google.com/workspace/chat/limits
  state.chatLimit = track(state, windowLimit(60, 60 * 1000));
}

const gerr = (status, code, message, headers) => json(status, { error: { code: status, message, status: code } }, headers);

export function handle(ctx) {
  if (ctx.method === "OPTIONS") return { status: 200, headers: preflightAllowAll(ctx, { credentials: false }), body: "" };
  const cors = mirrorCors(ctx, { credentials: false });
  const m = /^\/v1\/spaces\/([A-Za-z0-9_-]+)\/messages$/.exec(ctx.path);
  if (!m) return gerr(404, "NOT_FOUND", "Requested entity was not found.", cors);
  if (ctx.method !== "POST") return gerr(405, "METHOD_NOT_ALLOWED", "Method not allowed.", cors);
  // The webhook URL carries key= and token=; without them the call is not
  // authorised. (Exact Google wording is the stand-in's.)
  if (!ctx.query.get("key")) return gerr(403, "PERMISSION_DENIED", "The request is missing a valid API key.", cors);
  if (!ctx.query.get("token")) return gerr(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.", cors);
  // The quickstart sends Content-Type: application/json; charset=UTF-8.
  // Other content types are refused here (the JSON body of a REST method).
  if (ctx.contentType !== "application/json") {
    return gerr(400, "INVALID_ARGUMENT", `Invalid JSON payload received. Content-Type ${ctx.contentType || "(none)"} is not application/json.`, cors);
  }
  let msg;
  try {
    msg = ctx.json();
  } catch {
    return gerr(400, "INVALID_ARGUMENT", "Invalid JSON payload received.", cors);
  }
  const hasText = typeof msg.text === "string" && msg.text !== "";
  const hasCards = Array.isArray(msg.cardsV2) && msg.cardsV2.length > 0;
  if (!hasText && !hasCards) return gerr(400, "INVALID_ARGUMENT", "Message cannot be empty. Discarding empty create message request.", cors);
  // Message text: at most 4,096 characters (messages resource, `text`).
  if (hasText && msg.text.length > 4096) return gerr(400, "INVALID_ARGUMENT", "Message text is too long.", cors);
  if (ctx.state.rateLimits && ctx.state.chatLimit.take(m[1])) {
    return gerr(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", cors);
  }
  const now = new Date(ctx.now()).toISOString();
  // Success: the created Message resource.
  return {
    ...json(200, {
      name: `spaces/${m[1]}/messages/stand-in.${ctx.state.seq + 1}`,
      sender: { name: "users/webhook", displayName: "Webhook", type: "BOT" },
      text: msg.text || "",
      createTime: now,
      space: { name: `spaces/${m[1]}`, type: "ROOM" },
      thread: { name: `spaces/${m[1]}/threads/stand-in` },
      argumentText: msg.text || "",
    }, cors),
    check: { message: msg },
  };
}
