// Sample event properties for "Send test event": realistic values for the
// properties each catalog event carries (the module fills event.*, page.*,
// env.* and session.id itself), adjusted so the webhook's conditions match
// where that can be worked out.

/** Properties every event carries, filled by the module. */
export const COMMON = new Set([
  "event.id", "event.type", "event.name", "event.timestamp", "session.id",
  "page.url", "page.path", "page.title", "page.referrer", "env.language", "env.userAgent",
]);

const BY_GROUP = {
  "Smart Walk-Thru": { "item.id": "swt-create-contact", "item.name": "Create your first contact", "item.type": "SmartWalkThru" },
  Launcher: { "item.id": "launcher-guide-me", "item.name": "Guide me", "item.type": "Launcher" },
  Onboarding: { "item.id": "task-first-contact", "item.name": "Create your first contact", "item.type": "OnboardingTask" },
  ShoutOut: { "item.id": "so-reports-2", "item.name": "New: Reports 2.0", "item.type": "ShoutOut" },
  SmartTip: { "item.id": "tip-email", "item.name": "Work e-mail", "item.type": "SmartTip" },
  Survey: { "item.id": "survey-nps-q3", "item.name": "NPS survey", "item.type": "Survey" },
  Menu: { "item.id": "menu-pricing-guide", "item.name": "Pricing guide", "item.type": "Resource" },
  Shuttle: { "item.id": "shuttle-billing", "item.name": "Go to billing", "item.type": "Shuttle" },
  Resource: { "item.id": "res-pricing-guide", "item.name": "Pricing guide", "item.type": "Resource" },
};

const VALUES = {
  "user.id": "u-1042",
  "step.id": "step-2",
  "step.name": "Enter the contact's name",
  "step.index": 2,
  "goal.id": "goal-1",
  "goal.name": "Contact created",
  "play.source": "launcher",
  "failure.reason": "element not found: the \"Export PDF\" button is not on this page",
  "task.index": 2,
  "action.id": "primary",
  "action.text": "Take a look",
  "dismiss.method": "close",
  "tip.text": "Use the customer's work e-mail address.",
  "field.name": "email",
  "validation.rule": "email",
  "validation.message": "Enter a valid e-mail address",
  "survey.id": "survey-nps-q3",
  "survey.name": "NPS",
  "question.id": "q1",
  "question.text": "How likely are you to recommend Acme CRM to a friend?",
  "question.type": "nps",
  "answer.value": 4,
  "answers.count": 2,
  "menu.trigger": "widget",
  "menu.query": "pricing",
  "menu.results": 2,
  "menu.position": 1,
  "shuttle.url": "/index.html#/billing",
  "resource.url": "/docs/acme-pricing-guide.pdf",
  "course.id": "course-crm-basics",
  "course.name": "CRM basics",
  "course.durationMs": 184000,
  "lesson.id": "lesson-contacts",
  "lesson.name": "Working with contacts",
  "quiz.id": "quiz-crm-basics",
  "quiz.name": "CRM basics quiz",
  "quiz.score": 80,
  "quiz.passingScore": 70,
  "element.tag": "button",
  "element.id": "export",
  "element.classes": ["btn", "btn-primary"],
  "element.text": "Export",
  "element.path": "main > div.toolbar > button#export",
  "element.href": "",
  "pointer.type": "mouse",
  "input.name": "company",
  "input.type": "text",
  "input.value": "",
  "input.empty": false,
  "navigation.type": "push",
};

function sampleFor(name, type) {
  if (name in VALUES) return VALUES[name];
  if (type === "number") return 1;
  if (type === "boolean") return true;
  if (type === "list") return ["a", "b"];
  return name.split(".").pop() + "-1";
}

/** Properties of a sample `event` (a catalog entry) that satisfy `conditions` where possible. */
export function sampleProperties(event, conditions = [], origin = location.origin) {
  // The page of the app the event would come from (the caller's page.* win over the module's).
  const props = {
    "user.id": VALUES["user.id"],
    "page.url": `${origin}/index.html#/dashboard`,
    "page.path": "/index.html",
    "page.title": "Dashboard · Acme CRM",
  };
  Object.assign(props, BY_GROUP[event.group] || {});
  for (const p of event.properties) {
    if (COMMON.has(p.name) || p.name in props) continue;
    props[p.name] = sampleFor(p.name, p.type);
  }
  if (event.id === "teachme.quiz_failed") props["quiz.score"] = 40;
  satisfy(props, conditions);
  return props;
}

// Makes the first AND-chain of the conditions true where a value can be
// derived (equals, contains, comparisons, in, exists). Rows after an "or"
// are left as they are: the first chain is enough for the whole to match.
function satisfy(props, conditions) {
  for (const c of conditions) {
    if (!c || !c.property || (COMMON.has(c.property) && !(c.property in props))) {
      if (c && c.join === "or") break;
      continue;
    }
    const v = c.value;
    const num = typeof v === "number" ? v : Number(v);
    switch (c.operator) {
      case "equals":
        props[c.property] = v;
        break;
      case "not_equals":
        if (props[c.property] === v) props[c.property] = typeof v === "number" ? v + 1 : String(v) + "-other";
        break;
      case "contains":
        props[c.property] = Array.isArray(props[c.property]) ? [...props[c.property], v] : `${v}`;
        break;
      case "starts_with":
      case "ends_with":
        props[c.property] = `${v}`;
        break;
      case "gt":
        props[c.property] = Number.isFinite(num) ? num + 1 : v;
        break;
      case "gte":
      case "lte":
        props[c.property] = Number.isFinite(num) ? num : v;
        break;
      case "lt":
        props[c.property] = Number.isFinite(num) ? num - 1 : v;
        break;
      case "in":
        if (Array.isArray(v) && v.length) props[c.property] = v[0];
        break;
      case "exists":
        if (!(c.property in props)) props[c.property] = "yes";
        break;
      case "not_exists":
        delete props[c.property];
        break;
      default:
        break;
    }
    if (c.join === "or") break;
  }
}

/**
 * The properties of a sample event as the app would hand them to the module
 * (for the request preview): the event's own, made to meet `conditions`, and
 * the page's session and environment. The module adds event.id, event.type,
 * event.name and event.timestamp itself.
 */
export function previewProperties(event, conditions = [], origin = location.origin) {
  return withContext(sampleProperties(event, conditions, origin));
}

/** `properties` with the session and environment the module adds to every event in a page. */
export function withContext(properties) {
  const out = { ...properties };
  const context = { "session.id": "s-7f3a", "page.referrer": "", "env.language": navigator.language, "env.userAgent": navigator.userAgent };
  for (const [k, v] of Object.entries(context)) if (!(k in out)) out[k] = v;
  return out;
}
