// Microsoft Teams "Workflows" stand-in: the Power Automate / Logic Apps
// trigger "When a Teams webhook request is received",
// POST /workflows/<id>/triggers/manual/paths/invoke?api-version=…&sp=…&sv=1.0&sig=…
// (also under /powerautomate/automations/direct/… on
// *.environment.api.powerplatform.com).
//
// Docs: https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook
//       https://learn.microsoft.com/en-us/connectors/teams/?tabs=text1%2Cdotnet#microsoft-teams-webhook
//       https://learn.microsoft.com/en-us/azure/logic-apps/logic-apps-http-endpoint (Request trigger: 202 Accepted)
//       https://learn.microsoft.com/en-us/connectors/teams/#microsoft-teams-webhook (Adaptive Card payload)
import { json, empty } from "./common.mjs";

export const name = "teams";
export const docs = "https://learn.microsoft.com/en-us/connectors/teams/?tabs=text1%2Cdotnet#microsoft-teams-webhook";
// Teams messages are limited to about 28 KB:
// https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#rate-limiting-for-connectors
export const maxBodyBytes = 1024 * 1024;
const TEAMS_MESSAGE_LIMIT = 28 * 1024;

// CORS: Microsoft documents none for the trigger URL; a preflight gets no
// Access-Control-* header (reported for Logic Apps request triggers:
// https://github.com/Azure/LogicAppsUX/issues/3559,
// https://github.com/Azure/logicapps/issues/913), so a page cannot send the
// application/json the card template needs.
export function handle(ctx) {
  if (ctx.method === "OPTIONS") return empty(404);
  if (!/\/triggers\/manual\/paths\/invoke\/?$/.test(ctx.path)) return json(404, { error: { code: "WorkflowNotFound", message: "The workflow could not be found." } });
  if (ctx.method !== "POST") return json(405, { error: { code: "TriggerRequestMethodNotValid", message: "The HTTP method for this request is not valid." } });
  // The trigger URL carries its own authorization (sp, sv, sig).
  if (!ctx.query.get("sig")) {
    return json(401, { error: { code: "DirectApiAuthorizationRequired", message: "The request must be authenticated only by Shared Access scheme." } });
  }
  // The trigger accepts any body and answers 202 before the flow runs; the
  // flow ("Post card in a chat or channel") then reads
  // body.attachments[*].content as an Adaptive Card, which only works for a
  // JSON body. What the flow would do is the request's `check`.
  const check = { contentType: ctx.contentType, flow: "succeeded" };
  let body = null;
  if (ctx.contentType === "application/json") {
    try {
      body = ctx.json();
    } catch {
      check.flow = "failed: body is not JSON";
    }
  } else {
    check.flow = `failed: ${ctx.contentType || "no content type"} is not parsed as JSON, so body.attachments is missing`;
  }
  if (body) {
    const atts = Array.isArray(body.attachments) ? body.attachments : [];
    const card = atts.find((a) => a && a.contentType === "application/vnd.microsoft.card.adaptive");
    if (body.type !== "message" || !card) check.flow = "failed: expected {type: 'message', attachments: [{contentType: 'application/vnd.microsoft.card.adaptive', content: {…}}]}";
    else if (!card.content || card.content.type !== "AdaptiveCard") check.flow = "failed: attachment content is not an AdaptiveCard";
    else if (ctx.receivedBytes > TEAMS_MESSAGE_LIMIT) check.flow = "failed: message larger than about 28 KB";
    check.card = card ? card.content : null;
  }
  return { ...empty(202), check };
}
