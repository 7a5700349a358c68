// A simulated WalkMe player for the demo app. Its UI (ShoutOut, NPS
// survey, Launchers, Smart Walk-Thru balloons, SmartTip, the Menu with
// search, Shuttles, Resources, Onboarding tasks and a TeachMe course with a
// quiz) fires its events through the simulated player of
// www/js/walkme-player.js, the way the real player does: the Events API
// (`WalkMeAPI.events.on` handlers) and the older page callbacks
// (`window.walkme_event`, `window.walkme_player_event`), with the real event
// names and payload fields of docs/player-mapping.json. Where the public
// record has no name (SmartTips, per-question survey answers, survey
// dismissal, menu search, TeachMe courses and quizzes, a Smart Walk-Thru
// that fails to play) it uses the proposed, unverified names of that file,
// which walkme-player.js fires because index.html loads it with
// data-config='{"extraEvents":true}'.
//
// The module (started by the page) hears the player through its bridge; it
// never imports the player. What the real payload does not carry (a
// Launcher's name, a step's name and index, a ShoutOut button's text, the
// menu's trigger, ...) does not reach it. Everything the player draws is
// marked data-walkme-ignore, so DXA auto-capture sees only the host app.

import { h, uid } from "./dom.js";

// catalog event -> [the player's event, { its payload field: the catalog property it carries }, fixed payload fields]
// (the rows of docs/player-mapping.json, read backwards).
const GOAL = ["GoalCompleted", { id: "goal.id", name: "goal.name", relatedObjectId: "item.id" }];
const TEACHME_QUIZ = { courseId: "course.id", courseName: "course.name", id: "quiz.id", name: "quiz.name" };
const QUIZ_RESULT = { ...TEACHME_QUIZ, score: "quiz.score", passmark: "quiz.passingScore" };
const TO_PLAYER = {
  "swt.started": ["SwtStarted", { swtId: "item.id", swtName: "item.name", flowId: "flow.id" }],
  "swt.step_played": ["SwtStepShown", { swtId: "item.id", swtName: "item.name", flowId: "flow.id", stepId: "step.id", balloonId: "balloon.id" }],
  "swt.goal_reached": GOAL,
  "swt.failed": ["SwtFailedToStart", { swtId: "item.id", swtName: "item.name", stepId: "step.id", stepName: "step.name", stepIndex: "step.index", reason: "failure.reason" }],
  "launcher.clicked": ["LauncherClicked", { id: "item.id" }],
  "onboarding.task_completed": ["TaskCompleted", { id: "item.id" }],
  "shoutout.shown": ["WalkMeObjectStarted", { id: "item.id", name: "item.name" }, { objectType: 14 }],
  "shoutout.action_clicked": ["ShoutOutEngagement", { id: "item.id", name: "item.name", actionType: "action.id" }],
  "shoutout.dismissed": ["ShoutOutEngagement", { id: "item.id", name: "item.name", actionType: "dismiss.method" }],
  "shoutout.goal_reached": GOAL,
  "smarttip.shown": ["SmartTipShown", { id: "item.id", name: "item.name", text: "tip.text" }],
  "smarttip.validation_error": ["SmartTipValidationError", { id: "item.id", name: "item.name", fieldName: "field.name", rule: "validation.rule", message: "validation.message" }],
  "survey.question_answered": ["SurveyQuestionAnswered", { surveyId: "survey.id", surveyName: "survey.name", questionId: "question.id", questionText: "question.text", questionType: "question.type", answer: "answer.value" }],
  "survey.dismissed": ["SurveyClosed", { id: "survey.id", name: "survey.name", answersCount: "answers.count" }],
  "survey.submitted": ["SurveySubmitted", { id: "survey.id", name: "survey.name", status: "survey.status", answers: "survey.answers" }],
  "menu.opened": ["AfterMenuOpen", {}],
  "menu.searched": ["MenuSearch", { query: "menu.query", resultsCount: "menu.results" }],
  // objectType: the item's deployable type number (below).
  "menu.item_selected": ["ActivateFromMenu", { id: "item.id" }],
  "shuttle.goal_reached": GOAL,
  "resource.clicked": ["ResourceStarted", { id: "item.id", name: "item.name", url: "resource.url" }],
  "resource.goal_reached": GOAL,
  "teachme.visible": ["CourseShown", { id: "course.id", name: "course.name" }],
  "teachme.step_started": ["CourseItemStarted", { courseId: "course.id", courseName: "course.name", lessonId: "lesson.id", lessonName: "lesson.name", id: "step.id", name: "step.name", index: "step.index" }],
  "teachme.course_started": ["CourseStarted", { id: "course.id", name: "course.name" }],
  "teachme.course_completed": ["CourseCompleted", { id: "course.id", name: "course.name", durationMs: "course.durationMs" }],
  "teachme.quiz_played": ["QuizStarted", TEACHME_QUIZ],
  "teachme.quiz_submitted": ["QuizSubmitted", QUIZ_RESULT],
  "teachme.quiz_passed": ["QuizPassed", QUIZ_RESULT],
  "teachme.quiz_failed": ["QuizFailed", QUIZ_RESULT],
};

// The player's deployable type numbers (objectType).
const OBJECT_TYPE = { WalkThru: 0, OnboardingTask: 1, Launcher: 2, Survey: 4, Resource: 7, Shuttle: 9, ShoutOut: 14, SmartWalkThru: 19, Course: 21 };

const listeners = new Set();

/** Calls `listener({ name, payload, type, properties })` for every event the player fires (the demo's log). */
export function onFire(listener) {
  listeners.add(listener);
}

/**
 * Fires the player's own event `name` with `payload` through the simulated
 * player (once it is ready). `type` and `properties`: the catalog event the
 * demo means by it, for the log.
 */
export function firePlayer(name, payload = {}, type = null, properties = payload) {
  const player = window.__walkmeStandin;
  if (!player) return;
  const go = () => {
    for (const l of listeners) l({ name, payload, type, properties });
    player.fire(name, payload);
  };
  if (player.isReady()) go();
  else player.whenReady.then(go);
}

/**
 * Fires catalog event `type` the way the real player does: as its player
 * event, with the payload fields that carry `properties` (nothing else).
 */
export function fire(type, properties = {}) {
  const [name, fields, fixed] = TO_PLAYER[type];
  const payload = { ...fixed };
  for (const [field, prop] of Object.entries(fields)) if (properties[prop] !== undefined) payload[field] = properties[prop];
  if (type === "menu.item_selected") payload.objectType = OBJECT_TYPE[properties["item.type"]];
  firePlayer(name, payload, type, properties);
}

const item = (id, name, type) => ({ "item.id": id, "item.name": name, "item.type": type });

const SHOUTOUT = item("so-reports-2", "New: Reports 2.0", "ShoutOut");
const SURVEY = { ...item("survey-nps-q3", "NPS survey", "Survey"), "survey.id": "survey-nps-q3", "survey.name": "NPS" };
const SWT = { ...item("swt-create-contact", "Create your first contact", "SmartWalkThru"), "flow.id": "flow-create-contact" };
const SWT_BROKEN = { ...item("swt-export-pdf", "Export a report to PDF", "SmartWalkThru"), "flow.id": "flow-export-pdf" };
const TIP = item("tip-email", "Work e-mail", "SmartTip");
const COURSE = { "course.id": "course-crm-basics", "course.name": "CRM basics" };
const QUIZ = { "quiz.id": "quiz-crm-basics", "quiz.name": "CRM basics quiz" };
const NPS_Q = "How likely are you to recommend Acme CRM to a friend or colleague?";
const REASON_Q = "What is the main reason for your score?";

const MENU_ITEMS = [
  { ...item("swt-create-contact", "Create your first contact", "SmartWalkThru"), kind: "Walk-Thru", keywords: "contact new add guide" },
  { ...item("swt-export-pdf", "Export a report to PDF", "SmartWalkThru"), kind: "Walk-Thru", keywords: "report export pdf download" },
  { ...item("shuttle-billing", "Go to billing settings", "Shuttle"), kind: "Shuttle", keywords: "billing invoice plan payment", view: "billing" },
  { ...item("res-pricing-guide", "Pricing guide (PDF)", "Resource"), kind: "Resource", keywords: "pricing plans price cost", url: "/docs/acme-pricing-guide.pdf" },
  { ...item("res-video-reports", "Video: Reports in 2 minutes", "Resource"), kind: "Video", keywords: "reports video dashboard", url: "https://videos.acme.example/reports-intro" },
  { ...item("res-shortcuts", "Keyboard shortcuts", "Resource"), kind: "Article", keywords: "keyboard shortcuts keys", url: "/docs/shortcuts" },
];

const TASKS = [
  item("task-profile", "Complete your profile", "OnboardingTask"),
  item("task-first-contact", "Create your first contact", "OnboardingTask"),
  item("task-invite", "Invite a teammate", "OnboardingTask"),
  item("task-calendar", "Connect your calendar", "OnboardingTask"),
];

const LESSONS = [
  {
    id: "lesson-contacts",
    name: "Working with contacts",
    steps: [
      { id: "tm-step-add", name: "Add a contact", text: "Open Contacts and fill in the form: name, work e-mail, company. Save, and the contact appears in the list." },
      { id: "tm-step-import", name: "Import from CSV", text: "Have a spreadsheet? Contacts › Import reads CSV files with a header row and matches the columns for you." },
    ],
  },
  {
    id: "lesson-reports",
    name: "Reports",
    steps: [{ id: "tm-step-report", name: "Build a report", text: "Reports › New report: pick a metric, a time range and a grouping. Reports refresh every hour." }],
  },
];

const QUESTIONS = [
  { q: "Where do you add a new contact?", options: ["Billing", "Contacts", "Reports"], correct: 1 },
  { q: "Which file type does the contact import read?", options: ["CSV", "PDF", "PNG"], correct: 0 },
  { q: "How often do reports refresh?", options: ["Every minute", "Every hour", "Once a week"], correct: 1 },
];

/**
 * app: { navigate(view), view(), el(selector) }
 * layer: element that holds the player's overlays.
 */
export function createPlayer(app, layer) {
  const state = {
    swt: null, // { steps, index }
    pendingShoutoutGoal: false,
    tasks: new Set(),
    course: null, // { startedAt, lesson, step, phase }
    menuTab: "help",
    menuQuery: "",
  };

  // ---- ShoutOut ---------------------------------------------------------------

  function showShoutOut() {
    layer.querySelector(".wm-shoutout")?.remove();
    const titleId = uid("so");
    let closedBy = null;
    const close = (method) => {
      closedBy = method;
      d.close();
    };
    const d = h(
      "dialog",
      { class: "wm-shoutout", "aria-labelledby": titleId, "data-walkme-ignore": "" },
      h("button", { type: "button", class: "wm-x", "aria-label": "Close ShoutOut", onclick: () => close("close") }, "×"),
      h("div", { class: "wm-art", "aria-hidden": "true" }, h("span", { class: "bar b1" }), h("span", { class: "bar b2" }), h("span", { class: "bar b3" }), h("span", { class: "bar b4" })),
      h("p", { class: "wm-kicker" }, "What's new"),
      h("h2", { id: titleId }, "Reports 2.0 is here"),
      h("p", null, "Build a pipeline report in three clicks, share it with your team and get it by e-mail every Monday."),
      h(
        "div",
        { class: "wm-actions" },
        h(
          "button",
          {
            type: "button",
            class: "wm-btn primary",
            onclick: () => {
              fire("shoutout.action_clicked", { ...SHOUTOUT, "action.id": "take-a-look", "action.text": "Take a look" });
              state.pendingShoutoutGoal = true;
              close("action");
              app.navigate("reports");
            },
          },
          "Take a look"
        ),
        h(
          "button",
          {
            type: "button",
            class: "wm-btn",
            onclick: () => {
              fire("shoutout.action_clicked", { ...SHOUTOUT, "action.id": "later", "action.text": "Maybe later" });
              close("action");
            },
          },
          "Maybe later"
        )
      )
    );
    d.addEventListener("cancel", (e) => {
      e.preventDefault();
      close("escape");
    });
    d.addEventListener("click", (e) => {
      if (e.target === d) close("outside");
    });
    d.addEventListener("close", () => {
      if (closedBy && closedBy !== "action") fire("shoutout.dismissed", { ...SHOUTOUT, "dismiss.method": closedBy });
      d.remove();
    });
    layer.append(d);
    d.showModal();
    fire("shoutout.shown", { ...SHOUTOUT });
  }

  // ---- NPS survey -------------------------------------------------------------

  function showSurvey() {
    layer.querySelector(".wm-survey")?.remove();
    const titleId = uid("sv");
    let score = null;
    let submitted = false;
    const scores = h("div", { class: "wm-scale", role: "group", "aria-labelledby": titleId });
    const submit = h("button", { type: "button", class: "wm-btn primary", disabled: true }, "Submit");
    for (let n = 0; n <= 10; n++) {
      const b = h("button", { type: "button", class: "wm-score", "aria-pressed": "false", "aria-label": `Score ${n}` }, String(n));
      b.addEventListener("click", () => {
        score = n;
        for (const x of scores.children) x.setAttribute("aria-pressed", String(x === b));
        submit.disabled = false;
      });
      scores.append(b);
    }
    const reasonId = uid("why");
    const reason = h("textarea", { id: reasonId, rows: 2, placeholder: "Optional" });
    const card = h(
      "section",
      { class: "wm-survey", role: "dialog", "aria-labelledby": titleId, "data-walkme-ignore": "" },
      h(
        "button",
        {
          type: "button",
          class: "wm-x",
          "aria-label": "Close survey",
          onclick: () => {
            if (!submitted) fire("survey.dismissed", { ...SURVEY, "answers.count": score === null ? 0 : 1 });
            card.remove();
          },
        },
        "×"
      ),
      h("p", { class: "wm-kicker" }, "Quick question"),
      h("h2", { id: titleId }, NPS_Q),
      scores,
      h("div", { class: "wm-scale-legend", "aria-hidden": "true" }, h("span", null, "Not likely"), h("span", null, "Very likely")),
      h("label", { for: reasonId }, REASON_Q),
      reason,
      h("div", { class: "wm-actions" }, submit)
    );
    submit.addEventListener("click", () => {
      if (score === null) return;
      // Each answer as it is submitted (the proposed SurveyQuestionAnswered),
      // then the survey with all of them. The shape of one element of the
      // real `answers` is not public; this one is the demo's.
      const answers = [{ questionId: "q1", questionText: NPS_Q, questionType: "nps", answer: score }];
      if (reason.value.trim()) answers.push({ questionId: "q2", questionText: REASON_Q, questionType: "free_text", answer: reason.value.trim() });
      for (const a of answers) fire("survey.question_answered", { ...SURVEY, "question.id": a.questionId, "question.text": a.questionText, "question.type": a.questionType, "answer.value": a.answer });
      // status: the real field; its values are not public.
      fire("survey.submitted", { ...SURVEY, "survey.status": "completed", "survey.answers": answers });
      submitted = true;
      card.replaceChildren(h("p", { class: "wm-kicker" }, "Thank you"), h("h2", null, "Thanks for your feedback!"), h("p", null, "It goes straight to the team."));
      setTimeout(() => card.remove(), 2500);
    });
    layer.append(card);
    scores.firstElementChild.focus({ preventScroll: true });
    firePlayer("SurveyStarted", { id: SURVEY["survey.id"], name: SURVEY["survey.name"] });
  }

  // ---- Launchers ----------------------------------------------------------------

  function launcher(id, name, run) {
    return h(
      "button",
      {
        type: "button",
        class: "wm-launcher",
        "data-walkme-ignore": "",
        onclick: () => {
          fire("launcher.clicked", item(id, name, "Launcher"));
          run();
        },
      },
      h("span", { class: "wm-dot", "aria-hidden": "true" }),
      name
    );
  }

  // ---- Smart Walk-Thru -------------------------------------------------------------

  const SWT_STEPS = [
    { id: "step-1", name: "Open Contacts", anchor: "[data-nav='contacts']", text: "Contacts live here. Click Next and we'll open them for you.", before: () => app.navigate("contacts") },
    { id: "step-2", name: "Enter the contact's name", anchor: "#contact-name", text: "Start with the person's full name." },
    { id: "step-3", name: "Add a work e-mail", anchor: "#contact-email", text: "A work address lets Acme match the contact to a company." },
    { id: "step-4", name: "Save the contact", anchor: "#contact-save", text: "Save, and you're done. The Walk-Thru ends when the contact is created." },
  ];

  let balloon = null;
  let spot = null;
  function place() {
    if (!balloon || !state.swt) return;
    const target = app.el(SWT_STEPS[state.swt.index].anchor);
    if (!target) return;
    const r = target.getBoundingClientRect();
    const bw = balloon.offsetWidth;
    const bh = balloon.offsetHeight;
    let top = r.bottom + 12;
    if (top + bh > innerHeight - 8 && r.top - bh - 12 > 8) top = r.top - bh - 12;
    const left = Math.max(8, Math.min(r.left, innerWidth - bw - 8));
    balloon.style.top = `${Math.round(top)}px`;
    balloon.style.left = `${Math.round(left)}px`;
  }
  addEventListener("resize", place);
  addEventListener("scroll", place, true);

  // The Smart Walk-Thru's own events that map to no catalog event.
  const swtPayload = (s) => ({ swtId: s["item.id"], swtName: s["item.name"], flowId: s["flow.id"] });

  function endWalkThru() {
    state.swt = null;
    balloon?.remove();
    balloon = null;
    spot?.classList.remove("wm-spotlight");
    spot = null;
  }

  function showStep(i) {
    const step = SWT_STEPS[i];
    state.swt.index = i;
    const target = app.el(step.anchor);
    spot?.classList.remove("wm-spotlight");
    if (!target) {
      fire("swt.failed", { ...SWT, "step.id": step.id, "step.name": step.name, "step.index": i + 1, "failure.reason": `element not found: ${step.anchor}` });
      endWalkThru();
      return;
    }
    spot = target;
    spot.classList.add("wm-spotlight");
    target.scrollIntoView({ block: "center", behavior: "instant" });
    balloon?.remove();
    const titleId = uid("st");
    const last = i === SWT_STEPS.length - 1;
    balloon = h(
      "section",
      { class: "wm-balloon", role: "dialog", "aria-labelledby": titleId, "data-walkme-ignore": "" },
      h(
        "button",
        {
          type: "button",
          class: "wm-x",
          "aria-label": "Close Walk-Thru",
          onclick: () => {
            firePlayer("SwtStopped", { ...swtPayload(SWT), wasClosedByUser: true });
            endWalkThru();
          },
        },
        "×"
      ),
      h("p", { class: "wm-kicker" }, `Step ${i + 1} of ${SWT_STEPS.length}`),
      h("h2", { id: titleId }, step.name),
      h("p", null, step.text),
      h(
        "div",
        { class: "wm-actions" },
        i > 0 &&
          h(
            "button",
            {
              type: "button",
              class: "wm-btn",
              onclick: () => {
                firePlayer("SwtButtonClicked", { ...swtPayload(SWT), balloonId: "balloon-" + step.id, stepId: step.id, isBack: true, nextStepId: SWT_STEPS[i - 1].id });
                showStep(i - 1);
              },
            },
            "Back"
          ),
        !last &&
          h(
            "button",
            {
              type: "button",
              class: "wm-btn primary",
              onclick: () => {
                firePlayer("SwtButtonClicked", { ...swtPayload(SWT), balloonId: "balloon-" + step.id, stepId: step.id, isBack: false, nextStepId: SWT_STEPS[i + 1].id });
                step.before?.();
                requestAnimationFrame(() => showStep(i + 1));
              },
            },
            "Next"
          )
      )
    );
    layer.append(balloon);
    place();
    fire("swt.step_played", { ...SWT, "step.id": step.id, "step.name": step.name, "step.index": i + 1, "balloon.id": "balloon-" + step.id });
    if (i > 0) target.focus?.({ preventScroll: true });
  }

  function playWalkThru(source = "player") {
    endWalkThru();
    state.swt = { index: 0 };
    fire("swt.started", { ...SWT, "play.source": source });
    showStep(0);
  }

  function playBrokenWalkThru(source = "player") {
    endWalkThru();
    // Its first step points at an "Export PDF" button the app does not have.
    if (!app.el("#export-pdf")) {
      fire("swt.failed", { ...SWT_BROKEN, "step.id": "step-1", "step.name": "Click Export PDF", "step.index": 1, "failure.reason": "element not found: #export-pdf is not on this page" });
      notice("“Export a report to PDF” could not start: its first step's element is missing.");
      return;
    }
    fire("swt.started", { ...SWT_BROKEN, "play.source": source });
  }

  function notice(text) {
    const n = h("div", { class: "wm-notice", role: "status", "data-walkme-ignore": "" }, text);
    layer.append(n);
    setTimeout(() => n.remove(), 4000);
  }

  // ---- SmartTip -------------------------------------------------------------------

  function attachSmartTip(input, iconHost) {
    const tipText = "Use the customer's work e-mail address, e.g. dana@northwind.com.";
    const bubble = h("div", { class: "wm-tip", role: "tooltip", id: uid("tip"), hidden: true, "data-walkme-ignore": "" }, tipText);
    const icon = h("button", { type: "button", class: "wm-tip-icon", "aria-label": "SmartTip: work e-mail", "aria-describedby": bubble.id, "data-walkme-ignore": "" }, "i");
    let shown = false;
    const show = () => {
      bubble.hidden = false;
      bubble.classList.remove("error");
      bubble.textContent = tipText;
      if (!shown) fire("smarttip.shown", { ...TIP, "tip.text": tipText });
      shown = true;
    };
    const hide = () => {
      bubble.hidden = true;
      shown = false;
    };
    icon.addEventListener("mouseenter", show);
    icon.addEventListener("focus", show);
    icon.addEventListener("click", show);
    icon.addEventListener("mouseleave", () => !bubble.classList.contains("error") && hide());
    icon.addEventListener("blur", () => !bubble.classList.contains("error") && hide());
    input.addEventListener("focus", show);
    input.addEventListener("blur", () => {
      if (!validateEmail()) return;
      hide();
    });
    function validateEmail() {
      const v = input.value.trim();
      if (!v || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) {
        input.removeAttribute("aria-invalid");
        return true;
      }
      const message = "Enter a valid e-mail address, like name@company.com.";
      bubble.hidden = false;
      bubble.classList.add("error");
      bubble.textContent = message;
      input.setAttribute("aria-invalid", "true");
      fire("smarttip.validation_error", { ...TIP, "field.name": input.name || "email", "validation.rule": "email", "validation.message": message });
      return false;
    }
    iconHost.append(icon);
    input.insertAdjacentElement("afterend", bubble);
    return { validate: validateEmail };
  }

  // ---- Menu, Shuttles, Resources, Onboarding, TeachMe ------------------------------------

  let menu = null;
  let searchTimer = 0;

  function openMenu(tab = "help", trigger = "widget") {
    if (menu) {
      switchTab(tab);
      return;
    }
    state.menuTab = tab;
    const titleId = uid("mn");
    menu = h("aside", { class: "wm-menu", role: "dialog", "aria-labelledby": titleId, "data-walkme-ignore": "" });
    const head = h(
      "div",
      { class: "wm-menu-head" },
      h("div", null, h("p", { class: "wm-kicker" }, "WalkMe"), h("h2", { id: titleId }, "Acme Help Center")),
      h("button", { type: "button", class: "wm-x static", "aria-label": "Close menu", onclick: closeMenu }, "×")
    );
    const tabs = h("div", { class: "wm-tabs", role: "tablist", "aria-label": "Menu sections" });
    const panel = h("div", { class: "wm-panel", role: "tabpanel" });
    for (const [key, label] of [
      ["help", "Help"],
      ["tasks", "Tasks"],
      ["courses", "Courses"],
    ]) {
      tabs.append(h("button", { type: "button", role: "tab", class: "wm-tab", dataset: { tab: key }, "aria-selected": String(key === tab), onclick: () => switchTab(key) }, label));
    }
    menu.append(head, tabs, panel);
    menu.addEventListener("keydown", (e) => {
      if (e.key === "Escape") closeMenu();
    });
    layer.append(menu);
    document.body.classList.add("wm-menu-open");
    firePlayer("BeforeMenuOpen", {});
    fire("menu.opened", { "menu.trigger": trigger });
    renderTab();
    menu.querySelector(`[data-tab='${tab}']`)?.focus();
  }

  function closeMenu() {
    if (!menu) return;
    firePlayer("BeforeMenuClose", {});
    menu.remove();
    menu = null;
    document.body.classList.remove("wm-menu-open");
    document.querySelector(".wm-widget")?.focus({ preventScroll: true });
    firePlayer("AfterMenuClose", {});
  }

  function switchTab(tab) {
    if (tab !== state.menuTab) firePlayer("MenuTabSelected", { tabName: tab });
    state.menuTab = tab;
    for (const b of menu.querySelectorAll(".wm-tab")) b.setAttribute("aria-selected", String(b.dataset.tab === tab));
    renderTab();
  }

  function renderTab() {
    const panel = menu.querySelector(".wm-panel");
    panel.setAttribute("aria-label", state.menuTab);
    if (state.menuTab === "help") panel.replaceChildren(...helpTab());
    else if (state.menuTab === "tasks") panel.replaceChildren(...tasksTab());
    else {
      panel.replaceChildren(...coursesTab());
      if (!state.course || state.course.phase === "overview") fire("teachme.visible", { ...COURSE });
    }
  }

  function helpTab() {
    const searchId = uid("q");
    const input = h("input", { id: searchId, type: "search", placeholder: "How do I…", autocomplete: "off", value: state.menuQuery });
    const list = h("ol", { class: "wm-items" });
    const results = () => {
      const q = input.value.trim().toLowerCase();
      return q ? MENU_ITEMS.filter((x) => (x["item.name"] + " " + x.keywords + " " + x.kind).toLowerCase().includes(q)) : MENU_ITEMS;
    };
    const draw = () => {
      const shown = results();
      list.replaceChildren(
        ...shown.map((x, i) =>
          h(
            "li",
            null,
            h(
              "button",
              { type: "button", class: "wm-item", onclick: () => select(x, i + 1) },
              h("span", { class: "wm-item-kind k-" + x["item.type"] }, x.kind),
              h("span", { class: "wm-item-name" }, x["item.name"])
            )
          )
        )
      );
      if (!shown.length) list.append(h("li", { class: "wm-empty" }, `No results for “${input.value.trim()}”. Try another word.`));
    };
    input.addEventListener("input", () => {
      state.menuQuery = input.value;
      draw();
      clearTimeout(searchTimer);
      const q = input.value.trim();
      if (q) searchTimer = setTimeout(() => fire("menu.searched", { "menu.query": q, "menu.results": results().length }), 500);
    });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        clearTimeout(searchTimer);
        const q = input.value.trim();
        if (q) fire("menu.searched", { "menu.query": q, "menu.results": results().length });
      }
    });
    draw();
    return [h("label", { class: "sr-only", for: searchId }, "Search help"), h("div", { class: "wm-search" }, input), list];
  }

  function select(x, position) {
    const props = { "item.id": x["item.id"], "item.name": x["item.name"], "item.type": x["item.type"], "menu.query": state.menuQuery.trim(), "menu.position": position };
    fire("menu.item_selected", props);
    const base = item(x["item.id"], x["item.name"], x["item.type"]);
    if (x["item.type"] === "SmartWalkThru") {
      closeMenu();
      if (x["item.id"] === "swt-export-pdf") playBrokenWalkThru("menu");
      else playWalkThru("menu");
    } else if (x["item.type"] === "Shuttle") {
      closeMenu();
      firePlayer("ShuttleStarted", { id: x["item.id"], name: x["item.name"], destinationUrl: "#/" + x.view });
      app.navigate(x.view);
      setTimeout(() => fire("shuttle.goal_reached", { ...base, "goal.id": "goal-billing", "goal.name": "Reached billing settings", "shuttle.url": location.href }), 50);
    } else {
      const url = new URL(x.url, location.href).href;
      fire("resource.clicked", { ...base, "resource.url": url });
      openResource(x, base, url);
    }
  }

  function openResource(x, base, url) {
    const titleId = uid("rs");
    let reached = false;
    const goal = () => {
      if (reached) return;
      reached = true;
      fire("resource.goal_reached", { ...base, "goal.id": "goal-read-" + x["item.id"], "goal.name": "Read " + x["item.name"] });
    };
    const d = h(
      "dialog",
      { class: "wm-resource", "aria-labelledby": titleId, "data-walkme-ignore": "" },
      h("button", { type: "button", class: "wm-x", "aria-label": "Close resource", onclick: () => d.close() }, "×"),
      h("p", { class: "wm-kicker" }, x.kind),
      h("h2", { id: titleId }, x["item.name"]),
      h("p", { class: "wm-url" }, url),
      x["item.id"] === "res-pricing-guide"
        ? h(
            "table",
            { class: "wm-pricing" },
            h("thead", null, h("tr", null, h("th", null, "Plan"), h("th", null, "Seats"), h("th", null, "Per seat / month"))),
            h("tbody", null, [
              ["Starter", "1–5", "$19"],
              ["Pro", "up to 50", "$49"],
              ["Enterprise", "unlimited", "talk to us"],
            ].map((r) => h("tr", null, r.map((c) => h("td", null, c)))))
          )
        : h("p", null, "A short guide with screenshots. Read it to the end to reach the resource's goal."),
      h("div", { class: "wm-actions" }, h("button", { type: "button", class: "wm-btn primary", onclick: () => (goal(), d.close()) }, "Got it"))
    );
    d.addEventListener("close", () => d.remove());
    layer.append(d);
    d.showModal();
  }

  function tasksTab() {
    const done = state.tasks.size;
    const bar = h("div", { class: "wm-progress", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": String(TASKS.length), "aria-valuenow": String(done), "aria-label": "Onboarding progress" }, h("span", null));
    bar.firstChild.style.width = `${(done / TASKS.length) * 100}%`;
    return [
      h("p", { class: "wm-sub" }, `Get started with Acme: ${done} of ${TASKS.length} done`),
      bar,
      h(
        "ol",
        { class: "wm-tasks" },
        TASKS.map((t, i) => {
          const isDone = state.tasks.has(t["item.id"]);
          return h(
            "li",
            { class: isDone ? "done" : "" },
            h("span", { class: "wm-check", "aria-hidden": "true" }, isDone ? "✓" : String(i + 1)),
            h("span", { class: "wm-task-name" }, t["item.name"]),
            // The name says which task; the visible "Done" is part of it (for voice control).
            isDone ? h("span", { class: "wm-done" }, "Completed") : h("button", { type: "button", class: "wm-btn small", "aria-label": `Mark “${t["item.name"]}” as done`, onclick: () => completeTask(t["item.id"]) }, "Done")
          );
        })
      ),
    ];
  }

  function completeTask(id) {
    if (state.tasks.has(id)) return;
    const i = TASKS.findIndex((t) => t["item.id"] === id);
    state.tasks.add(id);
    fire("onboarding.task_completed", { ...TASKS[i], "task.index": i + 1 });
    if (menu && state.menuTab === "tasks") renderTab();
  }

  // TeachMe: overview -> steps -> quiz -> result.
  function coursesTab() {
    const c = state.course;
    if (!c || c.phase === "overview") {
      return [
        h(
          "article",
          { class: "wm-course" },
          h("div", { class: "wm-course-art", "aria-hidden": "true" }, "CRM"),
          h("div", null, h("h3", null, COURSE["course.name"]), h("p", { class: "wm-sub" }, `${LESSONS.length} lessons · ${LESSONS.reduce((n, l) => n + l.steps.length, 0)} steps · quiz`), c && c.completed ? h("p", { class: "wm-done" }, "Completed ✓") : null),
          h("button", { type: "button", class: "wm-btn primary", onclick: startCourse }, c && c.completed ? "Take again" : "Start course")
        ),
      ];
    }
    if (c.phase === "step") {
      const lesson = LESSONS[c.lesson];
      const step = lesson.steps[c.step];
      const flat = LESSONS.flatMap((l) => l.steps);
      const n = flat.indexOf(step) + 1;
      return [
        h("p", { class: "wm-kicker" }, `${lesson.name} · step ${n} of ${flat.length}`),
        h("h3", null, step.name),
        h("p", null, step.text),
        h("div", { class: "wm-actions" }, h("button", { type: "button", class: "wm-btn primary", onclick: nextStep }, "Next")),
      ];
    }
    if (c.phase === "quiz") {
      const form = h("form", { class: "wm-quiz" });
      QUESTIONS.forEach((q, qi) => {
        const name = uid("qz");
        form.append(
          h(
            "fieldset",
            null,
            h("legend", null, `${qi + 1}. ${q.q}`),
            q.options.map((o, oi) => {
              const id = uid("o");
              return h("div", { class: "wm-opt" }, h("input", { type: "radio", name, id, value: String(oi), dataset: { q: qi } }), h("label", { for: id }, o));
            })
          )
        );
      });
      form.append(h("div", { class: "wm-actions" }, h("button", { type: "submit", class: "wm-btn primary" }, "Submit quiz")));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        let right = 0;
        QUESTIONS.forEach((q, qi) => {
          const picked = form.querySelector(`input[data-q='${qi}']:checked`);
          if (picked && Number(picked.value) === q.correct) right++;
        });
        submitQuiz(Math.round((right / QUESTIONS.length) * 100));
      });
      return [h("p", { class: "wm-kicker" }, "Quiz"), h("h3", null, QUIZ["quiz.name"]), h("p", { class: "wm-sub" }, "Pass with 70% or more."), form];
    }
    // result
    return [
      h("p", { class: "wm-kicker" }, "Quiz result"),
      h("h3", null, c.passed ? `Passed with ${c.score}%` : `${c.score}%: not quite`),
      h("p", null, c.passed ? "Course completed. Nice work!" : "You need 70% to pass. Have another look and try again."),
      h(
        "div",
        { class: "wm-actions" },
        c.passed ? h("button", { type: "button", class: "wm-btn", onclick: () => ((c.phase = "overview"), renderTab()) }, "Back to courses") : h("button", { type: "button", class: "wm-btn primary", onclick: playQuiz }, "Retake quiz")
      ),
    ];
  }

  function startCourse() {
    state.course = { startedAt: Date.now(), lesson: 0, step: 0, phase: "step" };
    fire("teachme.course_started", { ...COURSE });
    startStep();
  }

  function startStep() {
    const c = state.course;
    const lesson = LESSONS[c.lesson];
    const step = lesson.steps[c.step];
    fire("teachme.step_started", { ...COURSE, "lesson.id": lesson.id, "lesson.name": lesson.name, "step.id": step.id, "step.name": step.name, "step.index": c.step + 1 });
    renderTab();
  }

  function nextStep() {
    const c = state.course;
    if (c.step + 1 < LESSONS[c.lesson].steps.length) c.step++;
    else if (c.lesson + 1 < LESSONS.length) {
      c.lesson++;
      c.step = 0;
    } else return playQuiz();
    startStep();
  }

  function playQuiz() {
    state.course.phase = "quiz";
    fire("teachme.quiz_played", { ...COURSE, ...QUIZ });
    renderTab();
  }

  function submitQuiz(score) {
    const c = state.course;
    const props = { ...COURSE, ...QUIZ, "quiz.score": score, "quiz.passingScore": 70 };
    fire("teachme.quiz_submitted", props);
    c.score = score;
    c.passed = score >= 70;
    fire(c.passed ? "teachme.quiz_passed" : "teachme.quiz_failed", props);
    if (c.passed) {
      c.completed = true;
      fire("teachme.course_completed", { ...COURSE, "course.durationMs": Date.now() - c.startedAt });
    }
    c.phase = "result";
    renderTab();
  }

  // ---- app hooks -------------------------------------------------------------------

  function viewChanged(view) {
    if (state.pendingShoutoutGoal && view === "reports") {
      state.pendingShoutoutGoal = false;
      fire("shoutout.goal_reached", { ...SHOUTOUT, "goal.id": "goal-visited-reports", "goal.name": "Visited Reports" });
    }
    if (state.swt) requestAnimationFrame(place);
  }

  function contactSaved() {
    if (state.swt) {
      fire("swt.goal_reached", { ...SWT, "goal.id": "goal-contact-created", "goal.name": "Contact created" });
      firePlayer("SwtCompleted", swtPayload(SWT));
      endWalkThru();
      notice("Walk-Thru complete: contact created.");
    }
    completeTask("task-first-contact");
  }

  return {
    showShoutOut,
    showSurvey,
    playWalkThru,
    playBrokenWalkThru,
    openMenu,
    closeMenu,
    launcher,
    attachSmartTip,
    viewChanged,
    contactSaved,
    completeTask,
  };
}
