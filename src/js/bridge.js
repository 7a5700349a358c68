// The WalkMe player bridge: hears the real player's events and turns them
// into catalog events.
//
// How a page hooks into the player (docs/player-events.md has the sources):
// - once the player is ready it calls `window.walkme_ready()`, and
//   `WalkMeAPI.events.on(name, handler)` is there: it returns a function
//   that removes that handler, several handlers may listen, and an unknown
//   name throws (so each name is subscribed on its own);
// - older players instead call the page's `window.walkme_event(eventData)`
//   and `window.walkme_player_event(eventData)` with `eventData.Type`.
// The bridge uses the Events API where the player has it, and the older
// callbacks only for the catalog events the Events API does not deliver
// (all of them on an older player), so no event is counted twice. A page's
// own `walkme_ready` / `walkme_event` handlers keep working: they are called
// with the same arguments and `this`, whether the page assigned them before
// or after the module loaded, and what they throw reaches their caller as
// before; what the bridge's side throws never reaches them.
//
// The end user's id is read from the player (`_walkMe.getEndUserGuid()`,
// what WalkMe's own plugins read); `identify()` takes precedence.

const VIA = ["events.on", "walkme_event", "walkme_player_event"];

// type | via | catalog event | payload field:property (a+b: both) | static property=value
// Rows marked "?" have no public source: the names are proposals, subscribed
// each on its own, so a player that does not know them costs nothing.
const TABLE = `SwtStarted|0|swt.started|swtId:item.id swtName:item.name flowId:flow.id|item.type=SmartWalkThru
SwtStepShown|0|swt.step_played|swtId:item.id swtName:item.name stepId:step.id flowId:flow.id balloonId:balloon.id|item.type=SmartWalkThru
GoalCompleted|0|swt.goal_reached|id:goal.id name:goal.name relatedObjectId:item.id|item.type=SmartWalkThru
GoalCompleted|0|shoutout.goal_reached|id:goal.id name:goal.name relatedObjectId:item.id|item.type=ShoutOut
GoalCompleted|0|shuttle.goal_reached|id:goal.id name:goal.name relatedObjectId:item.id|item.type=Shuttle
GoalCompleted|0|resource.goal_reached|id:goal.id name:goal.name relatedObjectId:item.id|item.type=Resource
WalkthruStarted|0|swt.started|id:item.id name:item.name|item.type=WalkThru
WalkthruStepShown|0|swt.step_played|walkthruId:item.id id:step.id|item.type=WalkThru
WalkthruFailedToStart|0|swt.failed|id:item.id name:item.name failedStepId:step.id|item.type=WalkThru failure.reason=failed_to_start
SurveySubmitted|0|survey.submitted|id:item.id+survey.id name:item.name+survey.name status:survey.status answers:survey.answers|item.type=Survey
ShoutOutEngagement|0|shoutout.action_clicked|id:item.id name:item.name actionType:action.id|item.type=ShoutOut
ShoutOutEngagement|0|shoutout.dismissed|id:item.id name:item.name actionType:dismiss.method|item.type=ShoutOut
WalkMeObjectStarted|0|shoutout.shown|id:item.id name:item.name|item.type=ShoutOut
LauncherClicked|0|launcher.clicked|id:item.id|item.type=Launcher
TaskCompleted|0|onboarding.task_completed|id:item.id|item.type=OnboardingTask
ResourceStarted|0|resource.clicked|id:item.id name:item.name url:resource.url|item.type=Resource
ActivateFromMenu|0|menu.item_selected|id:item.id objectType:item.type|
WalkthruSelectedInMenu|0|menu.item_selected|id:item.id|item.type=WalkThru
AfterMenuOpen|0|menu.opened||
TaskCompleted|1|onboarding.task_completed|TaskId:item.id|item.type=OnboardingTask
WalkthruSelected|1|menu.item_selected|WalkthruId:item.id|item.type=WalkThru
NewStepShown|1|swt.step_played|WalkthruId:item.id StepId:step.id|item.type=WalkThru
WalkthruFailedToStart|1|swt.failed|WalkthruId:item.id WalkthruName:item.name StepId:step.id|item.type=WalkThru failure.reason=failed_to_start
SurveyCompleted|1|survey.submitted|id:item.id+survey.id name:item.name+survey.name status:survey.status answers:survey.answers|item.type=Survey
LauncherClicked|1|launcher.clicked|launcherId:item.id|item.type=Launcher
AfterMenuOpen|2|menu.opened||
SwtFailedToStart?|0|swt.failed|swtId:item.id swtName:item.name stepId:step.id stepName:step.name stepIndex:step.index reason:failure.reason|item.type=SmartWalkThru
SmartTipShown?|0|smarttip.shown|id:item.id name:item.name text:tip.text|item.type=SmartTip
SmartTipValidationError?|0|smarttip.validation_error|id:item.id name:item.name fieldName:field.name rule:validation.rule message:validation.message|item.type=SmartTip
SurveyQuestionAnswered?|0|survey.question_answered|surveyId:item.id+survey.id surveyName:item.name+survey.name questionId:question.id questionText:question.text questionType:question.type answer:answer.value|item.type=Survey
SurveyClosed?|0|survey.dismissed|id:item.id+survey.id name:item.name+survey.name answersCount:answers.count|item.type=Survey
MenuSearch?|0|menu.searched|query:menu.query resultsCount:menu.results|
CourseShown?|0|teachme.visible|id:course.id name:course.name|
CourseStarted?|0|teachme.course_started|id:course.id name:course.name|
CourseCompleted?|0|teachme.course_completed|id:course.id name:course.name durationMs:course.durationMs|
CourseItemStarted?|0|teachme.step_started|courseId:course.id courseName:course.name lessonId:lesson.id lessonName:lesson.name id:step.id name:step.name index:step.index|
QuizStarted?|0|teachme.quiz_played|courseId:course.id courseName:course.name id:quiz.id name:quiz.name|
QuizSubmitted?|0|teachme.quiz_submitted|courseId:course.id courseName:course.name id:quiz.id name:quiz.name score:quiz.score passmark:quiz.passingScore|
QuizPassed?|0|teachme.quiz_passed|courseId:course.id courseName:course.name id:quiz.id name:quiz.name score:quiz.score passmark:quiz.passingScore|
QuizFailed?|0|teachme.quiz_failed|courseId:course.id courseName:course.name id:quiz.id name:quiz.name score:quiz.score passmark:quiz.passingScore|`;

// Built-in rows: { type, via, event, fields: [[from, [to...]]], fixed: [[name, value]], verified }
const ROWS = TABLE.split("\n").map((line) => {
  const [t, v, event, f, s] = line.split("|");
  return {
    type: t.replace("?", ""),
    via: VIA[+v],
    event,
    fields: f ? f.split(" ").map((p) => p.split(":")).map(([a, b]) => [a, b.split("+")]) : [],
    fixed: s ? s.split(" ").map((p) => p.split("=")) : [],
    verified: !t.endsWith("?"),
  };
});

/** The player's event names and the catalog event each becomes. */
export function playerEvents() {
  return ROWS.map((r) => ({ type: r.type, event: r.event, via: r.via, verified: r.verified }));
}

// Deployable type numbers of the player (objectType).
const KIND = { 0: "WalkThru", 1: "OnboardingTask", 2: "Launcher", 4: "Survey", 7: "Resource", 9: "Shuttle", 14: "ShoutOut", 19: "SmartWalkThru", 21: "Course" };
const GOAL = { SmartWalkThru: "swt.goal_reached", ShoutOut: "shoutout.goal_reached", Shuttle: "shuttle.goal_reached", Resource: "resource.goal_reached" };
const DISMISS = ["close", "x", "escape", "outside", "dismiss"];

const w = globalThis;

// One accessor per page global (walkme_ready, walkme_event,
// walkme_player_event), shared by every running module: it keeps the
// page's own function and gives the player a dispatcher that calls the
// bridge's listeners and then the page's function. A global the page
// declared with `var` or `function` cannot be redefined: it gets the
// dispatcher by assignment, and a later assignment of the page replaces it.
const hubs = {};

function hub(name) {
  let h = hubs[name];
  if (h) return h;
  const d = Object.getOwnPropertyDescriptor(w, name);
  const fixed = !!d && !d.configurable;
  if (fixed && !d.writable) return null;
  let page;
  try {
    page = d ? (d.get ? d.get.call(w) : d.value) : undefined;
  } catch (_) {}
  const subs = new Set();
  const dispatcher = function () {
    for (const s of subs) {
      try {
        s.apply(null, arguments);
      } catch (_) {}
    }
    if (typeof page === "function") return page.apply(this, arguments);
  };
  const get = () => dispatcher;
  if (fixed) w[name] = dispatcher;
  else
    Object.defineProperty(w, name, {
      configurable: true,
      enumerable: true,
      get,
      set: (v) => {
        if (v !== dispatcher) page = v;
      },
    });
  h = hubs[name] = {
    subs,
    off(f) {
      subs.delete(f);
      if (subs.size || hubs[name] !== h) return;
      delete hubs[name];
      // The page's own function again, unless the page removed or replaced ours.
      const now = Object.getOwnPropertyDescriptor(w, name);
      if (fixed) {
        if (w[name] === dispatcher) w[name] = page;
      } else if (now && now.get === get) {
        if (d || page !== undefined) Object.defineProperty(w, name, { configurable: true, enumerable: true, writable: true, value: page });
        else delete w[name];
      }
    },
  };
  return h;
}

function listenGlobal(name, f) {
  const h = hub(name);
  if (!h) return () => {};
  h.subs.add(f);
  return () => h.off(f);
}

/**
 * Starts the bridge: `emit(catalogEvent, properties)` for every mapped player
 * event, `user(id)` when the player knows the end user. `extra`: the
 * settings' `playerEvents` rows, which add to or replace built-in rows of
 * the same type and channel (`event: null` ignores the player event).
 * Returns a function that stops it.
 */
export function bridge(emit, user, extra) {
  const rows = ROWS.slice();
  for (const x of extra || []) {
    const via = x.via || VIA[0];
    for (let i = rows.length; i--; ) if (rows[i].type === x.type && rows[i].via === via) rows.splice(i, 1);
    const fields = Object.entries(x.fields || {}).map(([a, b]) => [a, [b]]);
    rows.push({ type: x.type, via, event: x.event, fields, fixed: [], custom: true });
  }
  const kinds = new Map(); // item id -> kind, for GoalCompleted
  let lastMenu = "";
  let guid;

  const readUser = () => {
    try {
      const id = w._walkMe && w._walkMe.getEndUserGuid && w._walkMe.getEndUserGuid();
      if (typeof id === "string" && id !== guid) user((guid = id));
    } catch (_) {}
  };

  // A player event on a channel: the row(s) of its type decide what it becomes.
  const hear = (via, type, data) => {
    readUser();
    if (!data || typeof data !== "object") data = {};
    const get = (k) => {
      try {
        return data[k];
      } catch (_) {}
    };
    const id = get("id") ?? get("swtId");
    if (type === "SwtStarted") kinds.set(String(id), "SmartWalkThru");
    else if (type === "WalkMeObjectStarted") kinds.set(String(id), KIND[get("objectType")] || String(get("objectType")));
    else if (type === "ShuttleStarted") kinds.set(String(id), "Shuttle");
    else if (type === "ResourceStarted") kinds.set(String(id), "Resource");
    else if (type === "ShoutOutEngagement") kinds.set(String(id), "ShoutOut");
    let candidates = rows.filter((r) => r.type === type && r.via === via);
    if (!candidates.length) return;
    let event = candidates[0].event;
    if (type === "GoalCompleted") event = GOAL[kinds.get(String(get("relatedObjectId")))] || GOAL.SmartWalkThru;
    if (type === "ShoutOutEngagement") event = DISMISS.includes(String(get("actionType")).toLowerCase()) ? "shoutout.dismissed" : "shoutout.action_clicked";
    if (type === "WalkMeObjectStarted" && +get("objectType") !== 14 && !candidates[0].custom) return;
    const row = candidates.find((r) => r.event === event) || candidates[0];
    if (!row.event || (via !== VIA[0] && covered && covered.has(row.event))) return;
    const props = {};
    for (const [name, value] of row.fixed) props[name] = value;
    for (const [from, to] of row.fields) {
      const v = get(from);
      if (v !== undefined) for (const t of to) props[t] = v;
    }
    if (row.event === "menu.item_selected") {
      // ActivateFromMenu and WalkthruSelectedInMenu may both come for one click.
      const key = String(props["item.id"]);
      if (key === lastMenu) return;
      lastMenu = key;
      Promise.resolve().then(() => (lastMenu = ""));
    }
    if (props["item.type"] !== undefined && typeof props["item.type"] === "number") props["item.type"] = KIND[props["item.type"]] || String(props["item.type"]);
    const answers = get("answers");
    if (row.event === "survey.submitted" && Array.isArray(answers)) props["answers.count"] = answers.length;
    emit(row.event, props);
  };

  // Which catalog events the Events API delivers, once it is subscribed:
  // the page callbacks then carry only the others (no event twice).
  let covered = null;
  let apiOffs = null;
  let legacyOffs = [];
  let offReady = null;
  const drop = (list) => {
    for (const off of list.splice(0)) {
      try {
        off();
      } catch (_) {}
    }
  };
  const listenLegacy = () => {
    drop(legacyOffs);
    for (const name of VIA.slice(1)) {
      if (!rows.some((r) => r.via === name && r.event && !(covered && covered.has(r.event)))) continue;
      legacyOffs.push(
        listenGlobal(name, (data) => {
          let type;
          try {
            type = data && data.Type;
          } catch (_) {}
          if (typeof type === "string") hear(name, type, data);
        })
      );
    }
  };

  // Until the player is ready, WalkMeAPI may be there without its Events
  // API (the player adds it when it gets ready): the page callbacks are
  // heard meanwhile, and walkme_ready is heard until the Events API is.
  const subscribe = () => {
    const api = w.WalkMeAPI;
    if (!api || apiOffs) return;
    readUser();
    const events = api.events;
    if (!events || typeof events.on !== "function") {
      if (!legacyOffs.length) listenLegacy();
      return;
    }
    apiOffs = [];
    covered = new Set();
    // ShuttleStarted maps to no catalog event, but says which kind of item a goal belongs to.
    for (const type of new Set(rows.filter((r) => r.via === VIA[0]).map((r) => r.type).concat("ShuttleStarted"))) {
      try {
        const off = events.on(type, (data) => hear(VIA[0], type, data));
        if (typeof off === "function") apiOffs.push(off);
        for (const r of rows) if (r.type === type && r.via === VIA[0] && r.event) covered.add(r.event);
      } catch (_) {
        // This player does not know the name.
      }
    }
    listenLegacy();
    stopReady();
  };
  const stopReady = () => {
    if (offReady) offReady();
    offReady = null;
  };

  subscribe();
  if (!apiOffs) offReady = listenGlobal("walkme_ready", subscribe);
  return () => {
    drop(apiOffs || []);
    drop(legacyOffs);
    stopReady();
  };
}
