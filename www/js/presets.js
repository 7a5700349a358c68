// Destination presets: what "Destination Platform Name" fills in for the
// platforms people use most (the editor reads them through module.js). Each
// fills method, URL pattern, mode and body template; the hint says what the
// person still has to put in.
//
// Placeholders in the body: a string that is exactly "{{name}}" takes the
// property with its type, {{name}} inside text is interpolated, and
// "{{properties}}" is the whole default body (the selected, renamed and
// static properties of the webhook).

import { localReceiverUrl } from "./default-settings.js";

export function presets(origin = location.origin) {
  return [
    {
      key: "slack",
      platform: "Slack",
      method: "POST",
      url: "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
      mode: "simple",
      body: { text: "*{{event.name}}* by {{user.id}} on {{page.path}}" },
      hint: "Paste the Incoming Webhook URL of your Slack app. Slack does not allow CORS, so the request goes as a simple request (text/plain, no headers).",
    },
    {
      key: "mixpanel",
      platform: "Mixpanel",
      method: "POST",
      url: "https://api.mixpanel.com/track",
      mode: "cors",
      body: [
        {
          event: "{{event.name}}",
          properties: {
            token: "YOUR_PROJECT_TOKEN",
            distinct_id: "{{user.id}}",
            time: "{{event.timestamp}}",
            $insert_id: "{{event.id}}",
            walkme: "{{properties}}",
          },
        },
      ],
      hint: "Replace YOUR_PROJECT_TOKEN with your Mixpanel project token (it is public by design).",
    },
    {
      key: "heap",
      platform: "Heap",
      method: "POST",
      url: "https://heapanalytics.com/api/track",
      mode: "cors",
      body: { app_id: "YOUR_APP_ID", identity: "{{user.id}}", event: "{{event.name}}", properties: "{{properties}}" },
      hint: "Replace YOUR_APP_ID with your Heap environment id.",
    },
    {
      key: "ga4",
      platform: "Google Analytics 4",
      method: "POST",
      url: "https://www.google-analytics.com/mp/collect?measurement_id=G-XXXXXXXXXX&api_secret=YOUR_API_SECRET",
      mode: "no-cors",
      body: { client_id: "{{session.id}}", user_id: "{{user.id}}", events: [{ name: "walkme_event", params: "{{properties}}" }] },
      hint: "Measurement Protocol: set measurement_id and api_secret. GA4 parameter names allow only letters, digits and _: rename properties in Advanced (e.g. survey.name → survey_name).",
    },
    {
      key: "zapier",
      platform: "Zapier",
      method: "POST",
      url: "https://hooks.zapier.com/hooks/catch/000000/xxxxxx/",
      mode: "cors",
      body: "{{properties}}",
      hint: "Paste the URL of your Zap's \"Catch Hook\" trigger.",
    },
    {
      key: "teams",
      platform: "Microsoft Teams",
      method: "POST",
      url: "https://yourtenant.webhook.office.com/webhookb2/00000000-0000-0000-0000-000000000000/IncomingWebhook/xxxx",
      mode: "no-cors",
      body: {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        summary: "{{event.name}}",
        themeColor: "1AA37A",
        title: "{{event.name}}",
        text: "{{user.id}} on {{page.path}}",
      },
      hint: "Paste the Incoming Webhook URL of your Teams channel. Teams does not allow CORS: the request is sent fire-and-forget (no-cors).",
    },
    {
      key: "custom",
      platform: "Custom",
      method: "POST",
      url: localReceiverUrl(origin, "custom"),
      mode: "cors",
      body: null,
      hint: "Any HTTP endpoint. Without a body template the request body is the flat JSON object of the webhook's properties. This URL is the local receiver of the dev server.",
    },
  ];
}
