// A simulated WalkMe player: the real player's page-facing hooks, nothing else.
// The demo app (www/index.html) runs on it, and the browser tests use it as their
// stand-in for the real player (tests/e2e/standin.test.mjs checks it against
// docs/player-events.md).
//
// It does what the real player is documented (or, where marked UNVERIFIED,
// most likely) to do towards the host page:
//   - after a short delay it builds window.WalkMeAPI with events.on(name, handler),
//     then calls window.walkme_ready() if the page defined one;
//   - it calls window.walkme_event(eventData) and window.walkme_player_event(eventData),
//     the older page callbacks, with eventData.Type naming the event;
//   - it exposes window._walkMe.getEndUserGuid() and a few other _walkMe getters.
// Plain browser JavaScript, no dependencies. Load it with a classic <script>.
//
// Test hook: window.__walkmeStandin
//   .whenReady            Promise, resolved once WalkMeAPI exists and walkme_ready was called
//   .fire(name, payload)  fires one player event through every channel the real player
//                         uses for it (docs/player-events.md, docs/player-mapping.json)
//   .names()              the names fire() accepts
//   .routes()             the same, with the channels and fields each name goes through
//   .errors               what handlers and callbacks threw (the player swallows it)
//
// Configuration, read once when the script runs: window.__walkmeStandinConfig, or else
// the JSON of the script tag's data-config attribute (a page with a strict CSP and no
// inline script: <script src="walkme-player.js" data-config='{"extraEvents":true}'>) =
//   { delayMs: 30,               how long the player takes to load
//     eventsApi: true,           false: an older player without the Events API plugin
//     disableEventsMapper: false, the site setting that lets events.on take any name
//     extraEvents: false,        true: also fire the proposed, unverified names
//     legacyFirst: false,        true: call the page callbacks before Events API handlers
//     userGuid, envId }          what _walkMe.getUserGuid() / getEnvId() return
//
// Sources (full list and URLs in docs/player-events.md):
//   [EVAPI]   WalkMe's own Events API plugin, wm-plugin-events-api 2.0.4 (packaged
//             2025-05-28), public GitHub code, code-index file id 55238110888.
//   [DOCTO]   a customer bundle that sets window.walkme_ready and calls
//             WalkMeAPI.events.on for 11 names, code-index file id 18731783083.
//   [SEGMENT] segmentio/analytics.js-integrations, integrations/walkme/lib/index.js
//   [ANGULAR] buildium/angular-walkme, src/wrapper.js
//   [WIX]     Wix editor WalkMe manager, code-index file id 258680686 (+ test 1099742755)
//   [EPM]     EPM Live SharePoint pages, code-index file ids 284551139, 362295921, 55828323
//   [ACX]     a WalkmeService wrapper, code-index file id 34614586885
//   [WMPLUG]  WalkMe's own plugins calling window._walkMe.getEndUserGuid(),
//             code-index file ids 55266823257, 55471821589
//   [UUID]    https://support.walkme.com/knowledge-base/unique-user-settings/
//   [DATA]    https://support.walkme.com/knowledge-base/what-data-does-walkme-collect/
(function () {
  "use strict";

  var w = window;
  var cfg = w.__walkmeStandinConfig || scriptConfig() || {};

  function scriptConfig() {
    try {
      var s = typeof document !== "undefined" && document.currentScript;
      return s && s.dataset && s.dataset.config ? JSON.parse(s.dataset.config) : null;
    } catch (e) {
      return null;
    }
  }
  var delayMs = typeof cfg.delayMs === "number" ? cfg.delayMs : 30;
  var hasEventsApi = cfg.eventsApi !== false;

  var E = "walkme_event";
  var PE = "walkme_player_event";

  // ---- the player's events ---------------------------------------------------------
  //
  // name:    what fire() takes (the Events API name where there is one).
  // params:  the keys an Events API handler receives; the real handler gets exactly the
  //          mapped keys, nothing else [EVAPI: paramsMap, mapper.mapEventParams].
  //          null: no Events API name (legacy callback only).
  // legacy:  { via, type, fields }: the page callback that fires for the same underlying
  //          player event, the eventData.Type it carries and how Events API keys are
  //          renamed on it (api key -> legacy key). Keys of the payload that are not
  //          Events API params are passed to the legacy callback as given.
  // proposed: a name with no public source (fired only with cfg.extraEvents).
  var ROUTES = [
    // Player lifecycle. [EVAPI] map 4071; legacy on walkme_player_event [ACX] [WIX].
    { name: "PlayerInitComplete", params: [], legacy: { via: PE, type: "PlayerInitComplete" } },
    // Classic Walk-Thrus. [EVAPI] map 7480; legacy Types [WIX] [ANGULAR].
    { name: "WalkthruStarted", params: ["id", "name"] },
    { name: "WalkthruStopped", params: ["id", "stepId"] },
    // The real map sends the name as "mame" (sic) [EVAPI 7480].
    { name: "WalkthruCompleted", params: ["id", "mame"], legacy: { via: E, type: "WalkthruCompleted", fields: { id: "WalkthruId" } } },
    // Legacy WalkthruId on NewStepShown [WIX]; StepId is UNVERIFIED.
    { name: "WalkthruStepShown", params: ["id", "walkthruId"], legacy: { via: E, type: "NewStepShown", fields: { walkthruId: "WalkthruId", id: "StepId" } } },
    // Legacy field names UNVERIFIED (the Type is in [ANGULAR]).
    { name: "WalkthruFailedToStart", params: ["id", "name", "failedStepId"], legacy: { via: E, type: "WalkthruFailedToStart", fields: { id: "WalkthruId", name: "WalkthruName", failedStepId: "StepId" } } },
    { name: "WalkthruAborted", params: [], legacy: { via: E, type: "WalkthruAborted" } },
    { name: "UserStoppedWalkthru", params: [], legacy: { via: E, type: "UserStoppedWalkthru" } },
    { name: "UserStoppedWalkthruAfterStop", params: [], legacy: { via: E, type: "UserStoppedWalkthruAfterStop" } },
    // Smart Walk-Thrus. [EVAPI] map 6187; no legacy Type in the public record.
    { name: "SwtStarted", params: ["swtId", "flowId", "swtName"] },
    { name: "SwtStopped", params: ["swtId", "flowId", "swtName", "wasClosedByUser"] },
    { name: "SwtCompleted", params: ["swtId", "flowId", "swtName"] },
    { name: "SwtStepShown", params: ["swtId", "flowId", "swtName", "stepId", "balloonId"] },
    { name: "SwtButtonClicked", params: ["swtId", "swtName", "balloonId", "stepId", "isBack", "nextStepId", "flowId"] },
    // Goals. [EVAPI] map 4192; GoalCompleted payload read as name/relatedObjectId in [DOCTO].
    { name: "GoalCompleted", params: ["id", "name", "relatedObjectId"] },
    // Surveys. [EVAPI] map 2663: SurveySubmitted is the player's SurveyCompleted; the
    // legacy Type SurveyCompleted is in [ANGULAR]; its field names are UNVERIFIED.
    { name: "SurveyStarted", params: ["id", "name"] },
    { name: "SurveySubmitted", params: ["status", "id", "name", "answers"], legacy: { via: E, type: "SurveyCompleted", fields: { id: "id", name: "name", status: "status", answers: "answers" } } },
    // Shuttles, ShoutOuts, Resources. [EVAPI] maps 2918, 9028, 9801.
    { name: "ShuttleStarted", params: ["id", "name", "destinationUrl"] },
    { name: "ShoutOutEngagement", params: ["actionType", "id", "name"] },
    { name: "ResourceStarted", params: ["id", "name", "url"] },
    // Launchers. [EVAPI] map 6165; legacy Types LauncherIsShown / LauncherClicked in
    // [ANGULAR]; their field names are UNVERIFIED (launcherId is the player's own key).
    { name: "LauncherShown", params: ["id", "name", "actionType"], legacy: { via: E, type: "LauncherIsShown", fields: { id: "launcherId", name: "name" } } },
    { name: "LauncherClicked", params: ["id"], legacy: { via: E, type: "LauncherClicked", fields: { id: "launcherId" } } },
    // Onboarding tasks. [EVAPI] map 9349; legacy Type TaskCompleted in [ANGULAR];
    // TaskId is the player's own key (paramsMap data.TaskId), UNVERIFIED on the legacy call.
    { name: "TaskCompleted", params: ["id"], legacy: { via: E, type: "TaskCompleted", fields: { id: "TaskId" } } },
    { name: "TasksLoaded", params: [], legacy: { via: E, type: "TasksLoaded" } },
    // Menu. [EVAPI] map 7452. Menu open/close on walkme_player_event: AfterMenuOpen and
    // BeforeMenuClose in [EPM]; BeforeMenuOpen and AfterMenuClose in [WIX] (whose single
    // handler serves both callbacks, so their channel is UNVERIFIED).
    { name: "ActivateFromMenu", params: ["id", "objectType"] },
    { name: "MenuTabSelected", params: ["tabName"] },
    { name: "WalkMeObjectStarted", params: ["objectType", "id", "name"] },
    { name: "BeforeMenuOpen", params: [], legacy: { via: PE, type: "BeforeMenuOpen" } },
    { name: "AfterMenuOpen", params: [], legacy: { via: PE, type: "AfterMenuOpen" } },
    { name: "BeforeMenuClose", params: [], legacy: { via: PE, type: "BeforeMenuClose" } },
    { name: "AfterMenuClose", params: [], legacy: { via: PE, type: "AfterMenuClose" } },
    { name: "WalkthruSelectedInMenu", params: ["id"], legacy: { via: E, type: "WalkthruSelected", fields: { id: "WalkthruId" } } },
    { name: "MenuShow", params: [] },
    { name: "MenuHide", params: [] },
    // Balloon buttons. [EVAPI] map 7151; legacy Types in [ANGULAR], which reads
    // WalkthruId and StepIndex on Next/Done (pass them in the payload).
    { name: "BalloonCreated", params: ["pageElement"], legacy: { via: E, type: "BalloonCreated" } },
    { name: "BackButtonClicked", params: [], legacy: { via: E, type: "BackButtonClicked" } },
    { name: "NextButtonClicked", params: [], legacy: { via: E, type: "NextButtonClicked" } },
    { name: "DoneButtonClicked", params: [], legacy: { via: E, type: "DoneButtonClicked" } },
    { name: "BBCodeLinkClicked", params: ["url"], legacy: { via: E, type: "BBCodeLinkClicked", fields: { url: "url" } } },
    // Legacy-only Types. PlayerBuilt on walkme_event: a customer page citing
    // developer.walkme.com/reference#events (code-index file id 58321978959).
    // NextStepShown, SurveyPlayed: [ANGULAR]. HelpCenter, OpenTicketClicked: [WIX]
    // (channel UNVERIFIED, served here on walkme_player_event with the menu).
    { name: "PlayerBuilt", params: null, legacy: { via: E, type: "PlayerBuilt" } },
    { name: "NextStepShown", params: null, legacy: { via: E, type: "NextStepShown" } },
    { name: "SurveyPlayed", params: null, legacy: { via: E, type: "SurveyPlayed" } },
    { name: "HelpCenter", params: null, legacy: { via: PE, type: "HelpCenter" } },
    { name: "OpenTicketClicked", params: null, legacy: { via: PE, type: "OpenTicketClicked" } },
    // PROPOSED, UNVERIFIED: no public source names a page-facing event for these. The
    // real events.on throws for every one of them; fired only with cfg.extraEvents.
    { name: "SwtFailedToStart", params: ["swtId", "swtName", "stepId", "stepName", "stepIndex", "reason"], proposed: true },
    { name: "SmartTipShown", params: ["id", "name", "text"], proposed: true },
    { name: "SmartTipValidationError", params: ["id", "name", "fieldName", "rule", "message"], proposed: true },
    { name: "SurveyQuestionAnswered", params: ["surveyId", "surveyName", "questionId", "questionText", "questionType", "answer"], proposed: true },
    { name: "SurveyClosed", params: ["id", "name", "answersCount"], proposed: true },
    { name: "MenuSearch", params: ["query", "resultsCount"], proposed: true },
    { name: "CourseShown", params: ["id", "name"], proposed: true },
    { name: "CourseStarted", params: ["id", "name"], proposed: true },
    { name: "CourseCompleted", params: ["id", "name", "durationMs"], proposed: true },
    { name: "CourseItemStarted", params: ["courseId", "courseName", "lessonId", "lessonName", "id", "name", "index"], proposed: true },
    { name: "QuizStarted", params: ["courseId", "courseName", "id", "name"], proposed: true },
    { name: "QuizSubmitted", params: ["courseId", "courseName", "id", "name", "score", "passmark"], proposed: true },
    { name: "QuizPassed", params: ["courseId", "courseName", "id", "name", "score", "passmark"], proposed: true },
    { name: "QuizFailed", params: ["courseId", "courseName", "id", "name", "score", "passmark"], proposed: true },
  ];

  var byName = {}; // fire() names and legacy Types -> route
  var apiNames = {}; // names events.on accepts
  ROUTES.forEach(function (r) {
    if (r.proposed && !cfg.extraEvents) return;
    byName[r.name] = r;
    if (r.legacy && !byName[r.legacy.type]) byName[r.legacy.type] = r;
    if (r.params) apiNames[r.name] = r;
  });

  var state = { ready: false, removed: false, handlers: [], errors: [] };
  var resolveReady;
  var whenReady = new Promise(function (resolve) {
    resolveReady = resolve;
  });

  function has(o, k) {
    return Object.prototype.hasOwnProperty.call(o, k);
  }

  // Each handler gets its own copy [EVAPI: the DTO is built and cloned per handler call].
  function copy(v) {
    return v === undefined ? v : JSON.parse(JSON.stringify(v));
  }

  function pick(payload, keys) {
    var out = {};
    keys.forEach(function (k) {
      if (has(payload, k) && payload[k] !== undefined) out[k] = copy(payload[k]);
    });
    return out;
  }

  // ---- Events API: WalkMeAPI.events.on ---------------------------------------------

  // [EVAPI module 2640, Listener.on]: empty name and non-function handler throw; a name
  // that is not in the event map throws "<name> is not a WalkMe event" unless the site
  // config sets Custom.eventsApi.disableEventsMapper.
  // [EVAPI module 4139, Store.register]: every call registers one more handler under its
  // own unique name, so several handlers can listen to one event, and on() returns a
  // function that removes that one handler.
  function on(name, handler) {
    if (!name) throw new Error("WM event name cannot be empty");
    if (!handler || typeof handler != "function") throw new Error("Handler must be function");
    if (!has(apiNames, name) && !cfg.disableEventsMapper) throw new Error('"' + name + '" is not a WalkMe event');
    var entry = { name: name, handler: handler };
    state.handlers.push(entry);
    return function () {
      var i = state.handlers.indexOf(entry);
      if (i >= 0) state.handlers.splice(i, 1);
    };
  }

  // [EVAPI module 4139, getHandlerWrapper]: handler.apply(null, [params]), and what the
  // handler throws is caught and only logged (PrelibLogger, silent unless its cookie is set).
  function callHandlers(name, params, raw) {
    var called = 0;
    state.handlers.slice().forEach(function (entry) {
      if (entry.name !== name || state.handlers.indexOf(entry) < 0) return;
      called++;
      var arg = params ? copy(params) : { data: copy(raw), extraData: undefined };
      try {
        entry.handler.apply(null, [arg]);
      } catch (e) {
        state.errors.push({ via: "events.on", name: name, error: String((e && e.message) || e) });
      }
    });
    return called;
  }

  // ---- the older page callbacks --------------------------------------------------------

  // Read at call time, so a page that assigns the callback before or after the player
  // loads is served (pages assign it both ways: [ANGULAR] after, [WIX] [EPM] before).
  // UNVERIFIED: how the player invokes it; customer handlers never use `this`, and [WIX]
  // and [ACX] bind their own. Called here as a plain function on window, one argument.
  // UNVERIFIED: whether the player catches what the callback throws; caught here.
  function callLegacy(via, eventData) {
    var fn = w[via];
    if (typeof fn !== "function") return false;
    try {
      fn.call(w, eventData);
    } catch (e) {
      state.errors.push({ via: via, name: eventData.Type, error: String((e && e.message) || e) });
    }
    return true;
  }

  // ---- window._walkMe ------------------------------------------------------------------

  // [UUID]: the WalkMe ID looks like 05d44656-c904-e625-f55a-a333bae5d354.
  function guid() {
    var h = function (n) {
      var s = "";
      while (s.length < n) s += Math.floor(Math.random() * 16).toString(16);
      return s;
    };
    return [h(8), h(4), h(4), h(4), h(12)].join("-");
  }
  var generatedEndUser = guid();

  var walkMe = {
    // [WMPLUG]: WalkMe's own plugins read the end user's id with
    // window._walkMe.getEndUserGuid(); [DATA]: endUserGuid is "a generated GUID to
    // identify the user uniquely". UNVERIFIED: what it returns when the account
    // identifies users by a page variable [UUID "Variable"]; here the page's
    // window.walkme_user_id when it is set (the name [DOCTO] uses), read at call time,
    // else the generated WalkMe ID.
    getEndUserGuid: function () {
      var id = w.walkme_user_id;
      return id !== undefined && id !== null && id !== "" ? String(id) : generatedEndUser;
    },
    // [DATA]: userId is the WalkMe account id (the system GUID).
    getUserGuid: function () {
      return cfg.userGuid || "standin0000000000000000000000000";
    },
    // [DATA]: source 0 is production, 1 test.
    getEnvId: function () {
      return cfg.envId !== undefined ? cfg.envId : 0;
    },
    // [SEGMENT] reset() calls it; [EVAPI module 4139]: removing WalkMe drops every
    // Events API handler.
    removeWalkMe: function () {
      state.removed = true;
      state.handlers.length = 0;
    },
  };

  // ---- fire --------------------------------------------------------------------------

  function fire(name, payload) {
    if (!state.ready) throw new Error("walkme-player: the player is not ready yet (await __walkmeStandin.whenReady)");
    var route = byName[name];
    var p = payload && typeof payload === "object" ? payload : {};
    var result = { name: name, api: 0, walkme_event: false, walkme_player_event: false };
    if (state.removed) return result;

    if (!route) {
      // Only the Events API with the mapper disabled takes names it does not know.
      if (hasEventsApi && cfg.disableEventsMapper) result.api = callHandlers(name, null, p);
      return result;
    }

    var byLegacyType = route.legacy && name === route.legacy.type && name !== route.name;
    var fields = (route.legacy && route.legacy.fields) || {};
    var params = route.params || [];
    var apiParams = null;
    var legacyData = null;

    if (byLegacyType) {
      // The payload is in the legacy shape; derive the Events API one.
      legacyData = copy(p);
      apiParams = {};
      params.forEach(function (k) {
        var lk = has(fields, k) ? fields[k] : k;
        if (has(p, lk) && p[lk] !== undefined) apiParams[k] = copy(p[lk]);
      });
    } else {
      apiParams = pick(p, params);
      if (route.legacy) {
        legacyData = {};
        Object.keys(p).forEach(function (k) {
          if (p[k] === undefined) return;
          if (has(fields, k)) legacyData[fields[k]] = copy(p[k]);
          else if (params.indexOf(k) < 0) legacyData[k] = copy(p[k]);
        });
      }
    }
    if (legacyData) {
      delete legacyData.Type;
      legacyData = Object.assign({ Type: route.legacy.type }, legacyData);
    }

    var api = function () {
      if (hasEventsApi && route.params) result.api = callHandlers(route.name, apiParams);
    };
    var legacy = function () {
      if (legacyData) result[route.legacy.via] = callLegacy(route.legacy.via, legacyData);
    };
    // UNVERIFIED: which of the two the player calls first.
    if (cfg.legacyFirst) {
      legacy();
      api();
    } else {
      api();
      legacy();
    }
    return result;
  }

  function routes() {
    return ROUTES.filter(function (r) {
      return !r.proposed || cfg.extraEvents;
    }).map(function (r) {
      return {
        name: r.name,
        eventsOn: hasEventsApi && !!r.params,
        params: r.params ? r.params.slice() : null,
        legacy: r.legacy ? { via: r.legacy.via, type: r.legacy.type, fields: Object.assign({}, r.legacy.fields || {}) } : null,
        proposed: !!r.proposed,
      };
    });
  }

  function names() {
    return Object.keys(byName);
  }

  w.__walkmeStandin = {
    whenReady: whenReady,
    fire: fire,
    names: names,
    routes: routes,
    errors: state.errors,
    isReady: function () {
      return state.ready;
    },
  };

  // ---- loading -----------------------------------------------------------------------

  // The snippet loads the player asynchronously; the page's hooks exist before it.
  setTimeout(function () {
    // [EVAPI module 2585, extend]: events is added to the existing WalkMeAPI object
    // (created if absent) with only an `on` method; module 6285 does it on the
    // player's BeforeWalkmeReady event, so it is there when walkme_ready runs
    // ([DOCTO] calls WalkMeAPI.events.on inside walkme_ready).
    var api = w.WalkMeAPI && typeof w.WalkMeAPI === "object" ? w.WalkMeAPI : {};
    if (hasEventsApi) {
      if (!api.events) api.events = {};
      api.events.on = on;
    }
    w.WalkMeAPI = api;
    w._walkMe = walkMe;
    state.ready = true;

    // [SEGMENT] [DOCTO] [ACX]: the page's window.walkme_ready is called once the
    // player is ready, with WalkMeAPI in place; read at call time. No argument is
    // passed in any public example.
    var ready = w.walkme_ready;
    if (typeof ready === "function") {
      try {
        ready.call(w);
      } catch (e) {
        state.errors.push({ via: "walkme_ready", name: "walkme_ready", error: String((e && e.message) || e) });
      }
    }
    // UNVERIFIED: PlayerInitComplete relative to walkme_ready; here right after it.
    fire("PlayerInitComplete", {});
    resolveReady(true);
  }, delayMs);
})();
