// The built-in settings `npm start` runs with before anything is published:
// webhooks across the catalog's groups, with conditions, renames and static
// properties, shaped like Slack, Mixpanel, Teams and a plain JSON API, all
// pointing at the local receiver of the dev server (same origin, so the
// whole loop runs with no account anywhere). Each webhook uses only what the
// player's real events carry (docs/player-mapping.json): a survey's score
// comes with survey.question_answered, not with survey.submitted; a
// ShoutOut button is known by its action id, an onboarding task by its id.

/** A URL of the dev server's local receiver: what arrives shows on receiver.html. */
export function localReceiverUrl(origin, name = "demo") {
  return `${origin}/hook/demo/${name}`;
}

/** The dev server's OAuth 2.0 token endpoint (client credentials grant). */
export function localTokenUrl(origin) {
  return `${origin}/oauth/token`;
}

/** The client id the demo app asks the local token endpoint with. */
export const LOCAL_CLIENT_ID = "acme-demo-app";

export function defaultSettings(origin = location.origin) {
  const hook = (name) => localReceiverUrl(origin, name);
  return {
    version: 1,
    captureInputValues: false,
    destinations: [
      {
        id: "slack-cs",
        platform: "Slack",
        method: "POST",
        url: hook("slack"),
        auth: { type: "none" },
        headers: [],
        mode: "simple",
        body: { text: ":rotating_light: NPS {{score}} from {{identity}} ({{plan}} plan): \"{{question.text}}\"" },
      },
      {
        id: "product-analytics",
        platform: "Custom",
        method: "POST",
        url: hook("analytics"),
        auth: { type: "none" },
        headers: [{ name: "X-Source", value: "walkme-demo" }],
        mode: "cors",
        idempotencyHeader: true,
      },
      {
        id: "mixpanel",
        platform: "Mixpanel",
        method: "POST",
        url: hook("mixpanel"),
        auth: { type: "none" },
        headers: [],
        mode: "cors",
        body: [
          {
            event: "{{event.name}}",
            properties: { token: "demo-project-token", distinct_id: "{{user.id}}", time: "{{event.timestamp}}", $insert_id: "{{event.id}}", walkme: "{{properties}}" },
          },
        ],
      },
      {
        id: "acme-crm",
        platform: "Acme CRM API",
        method: "POST",
        url: hook("crm"),
        // No token is published: the demo app supplies it with hooks.setTokenProvider("acme-crm", ...).
        auth: { type: "bearer" },
        headers: [{ name: "X-Api-Version", value: "2024-06" }],
        mode: "cors",
        body: { contact: "{{user.id}}", activity: "{{event.name}}", data: "{{properties}}" },
      },
      {
        id: "teams-guidance",
        platform: "Microsoft Teams",
        method: "POST",
        url: hook("teams"),
        auth: { type: "none" },
        headers: [],
        mode: "no-cors",
        body: {
          "@type": "MessageCard",
          "@context": "https://schema.org/extensions",
          summary: "{{event.name}}",
          themeColor: "E8590C",
          title: "Walk-Thru failed: {{walkthru}}",
          text: "Step {{step}} could not play for {{user.id}} on {{page.path}}: {{reason}}",
        },
      },
    ],
    webhooks: [
      {
        id: "wh-nps-detractors",
        name: "NPS detractors to Slack",
        enabled: true,
        event: "survey.question_answered",
        conditions: [
          { property: "survey.name", operator: "equals", value: "NPS", ignoreCase: true, join: "and" },
          { property: "question.type", operator: "equals", value: "nps", join: "and" },
          { property: "answer.value", operator: "lte", value: 6 },
        ],
        properties: [{ name: "user.id", as: "identity" }, { name: "answer.value", as: "score" }, { name: "question.text" }, { name: "user.plan", as: "plan" }],
        static: [{ name: "team", value: "customer-success" }],
        destination: "slack-cs",
      },
      {
        id: "wh-shoutout-clicks",
        name: "ShoutOut clicks",
        enabled: true,
        event: "shoutout.action_clicked",
        conditions: [],
        properties: [{ name: "item.name", as: "shoutout" }, { name: "action.id", as: "action" }, { name: "user.id", as: "user" }, { name: "page.path", as: "page" }],
        static: [{ name: "source", value: "walkme" }],
        destination: "product-analytics",
      },
      {
        id: "wh-page-views",
        name: "Page views",
        enabled: true,
        event: "dxa.page_view",
        conditions: [],
        properties: [{ name: "page.path", as: "path" }, { name: "page.url", as: "url" }, { name: "page.title", as: "title" }, { name: "navigation.type", as: "navigation" }],
        static: [],
        destination: "mixpanel",
      },
      {
        id: "wh-quiz-results",
        name: "Quiz results",
        enabled: true,
        event: "teachme.quiz_submitted",
        conditions: [],
        properties: [{ name: "course.name", as: "course" }, { name: "quiz.name", as: "quiz" }, { name: "quiz.score", as: "score" }, { name: "quiz.passingScore", as: "passingScore" }],
        static: [{ name: "channel", value: "in-app" }],
        destination: "acme-crm",
      },
      {
        id: "wh-onboarding",
        name: "Onboarding progress",
        enabled: true,
        event: "onboarding.task_completed",
        conditions: [],
        properties: [{ name: "item.id", as: "task" }, { name: "user.id", as: "user" }],
        static: [{ name: "app_id", value: "3742" }],
        destination: "product-analytics",
      },
      {
        id: "wh-swt-failed",
        name: "Walk-Thru failures to Teams",
        enabled: true,
        event: "swt.failed",
        conditions: [],
        properties: [{ name: "item.name", as: "walkthru" }, { name: "step.index", as: "step" }, { name: "failure.reason", as: "reason" }],
        static: [],
        destination: "teams-guidance",
      },
      {
        id: "wh-menu-no-results",
        name: "Menu searches without results",
        enabled: true,
        event: "menu.searched",
        conditions: [{ property: "menu.results", operator: "equals", value: 0 }],
        properties: [{ name: "menu.query", as: "query" }, { name: "user.id", as: "user" }],
        static: [{ name: "source", value: "walkme-menu" }],
        destination: "product-analytics",
      },
      {
        id: "wh-pricing-resource",
        name: "Pricing guide opened",
        enabled: true,
        event: "resource.clicked",
        conditions: [
          { property: "item.name", operator: "contains", value: "pricing", ignoreCase: true, join: "or" },
          { property: "resource.url", operator: "ends_with", value: ".pdf" },
        ],
        properties: [{ name: "item.name", as: "resource" }, { name: "resource.url", as: "url" }, { name: "user.id", as: "user" }],
        static: [],
        destination: "product-analytics",
      },
    ],
  };
}
