// n8n Webhook node stand-in: /webhook/<path> (production) and
// /webhook-test/<path> (test URL, only while the editor listens).
//
// Docs: https://docs.n8n.io/integrations/builtin/core-nodes/n8n-nodes-base.webhook/
//       (Respond: Immediately; Options › Allowed Origins (CORS), default *)
//       https://docs.n8n.io/integrations/builtin/core-nodes/n8n-nodes-base.webhook/workflow-development/
//       https://docs.n8n.io/hosting/configuration/environment-variables/endpoints/ (N8N_PAYLOAD_SIZE_MAX, 16 MB)
import { json, mirrorCors, preflightAllowAll } from "./common.mjs";

export const name = "n8n";
export const docs = "https://docs.n8n.io/integrations/builtin/core-nodes/n8n-nodes-base.webhook/";
export const maxBodyBytes = 16 * 1024 * 1024;

// Test hooks: a path starting with `unregistered` is not registered; the
// test URL is registered only under `listening/…` (the editor listens for
// 120 s after "Listen for test event").
export function handle(ctx) {
  const m = /^\/(webhook|webhook-test)\/(.+)$/.exec(ctx.path);
  // Allowed Origins (CORS) defaults to *: preflights are answered.
  if (ctx.method === "OPTIONS") return { status: 204, headers: preflightAllowAll(ctx, { credentials: false, methods: "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS" }), body: "" };
  const cors = ctx.origin ? { "Access-Control-Allow-Origin": "*" } : mirrorCors(ctx, { credentials: false });
  const notRegistered = (p) =>
    json(404, { code: 404, message: `The requested webhook "${ctx.method} ${p}" is not registered.`, hint: "The workflow must be active for a production URL to run successfully." }, cors);
  if (!m) return json(404, { code: 404, message: "Not Found" }, cors);
  const [, kind, path] = m;
  if (path.startsWith("unregistered")) return notRegistered(path);
  if (kind === "webhook-test" && !path.startsWith("listening")) {
    return json(404, { code: 404, message: `The requested webhook "${path}" is not registered.`, hint: "Click the 'Execute workflow' button on the canvas, then try again. (In test mode, the webhook only works for one call after you click this button)" }, cors);
  }
  if (ctx.bodyTooLarge) return json(413, { code: 413, message: "request entity too large" }, cors);
  let bodyValue;
  try {
    if (ctx.contentType === "application/json") bodyValue = ctx.json();
    else if (ctx.contentType === "application/x-www-form-urlencoded") bodyValue = Object.fromEntries(ctx.form());
    else bodyValue = ctx.text();
  } catch {
    return json(400, { code: 400, message: "Unexpected token in JSON" }, cors);
  }
  // Respond: Immediately → {"message": "Workflow was started"}
  return { ...json(200, { message: "Workflow was started" }, cors), check: { body: bodyValue, headers: ctx.headers, query: Object.fromEntries(ctx.query) } };
}
