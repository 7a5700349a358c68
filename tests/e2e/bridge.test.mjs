// The player bridge (src/js/bridge.js) in headless Chromium: the module,
// built as the package (pkg/index.js), next to the simulated WalkMe player
// (www/js/walkme-player.js, which behaves as docs/player-events.md says the
// real one does). Every test fires player events through the player and
// asserts what the receiver got.
//
// The test page (tests/e2e/pages/bridge.html) loads the player and starts
// the module when the test says, in either order; the page's own player
// hooks are set by init scripts (before anything of the page runs) or later.
// The destinations are $WMWH_RECEIVER when set, otherwise an extra receiver
// port of the in-process server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launch, serve, watchErrors, root } from "./helpers.mjs";

const mapping = JSON.parse(readFileSync(join(root, "docs/player-mapping.json"), "utf8"));

let browser, server, R, CATALOG;
before(async () => {
  const external = process.env.WMWH_RECEIVER;
  server = await serve({ receiverPorts: external ? [] : [0] });
  R = (external || `http://127.0.0.1:${server.receiverPorts[0]}`).replace(/\/$/, "");
  browser = await launch();
  // The catalog's WalkMe events (DXA events are captured by the module itself).
  const { context, page } = await open();
  CATALOG = await page.evaluate(async () => {
    const editor = await import("/pkg/editor.js");
    await editor.default();
    return editor.catalog().map((e) => e.id);
  });
  CATALOG = CATALOG.filter((id) => !id.startsWith("dxa."));
  await context.close();
});
after(async () => {
  await browser?.close();
  server?.close();
});

// ---- the receiver -------------------------------------------------------------

async function api(path, init) {
  return (await fetch(R + path, init)).json();
}
const received = (bucket) => api(`/api/requests?bucket=${encodeURIComponent(bucket)}`);
const clear = (bucket) => api(`/api/requests?bucket=${encodeURIComponent(bucket)}`, { method: "DELETE" });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The bodies the receiver got in `bucket`, once the page's module has nothing left in flight. */
async function bodies(page, bucket) {
  await page.evaluate(() => window.bridgePage.flush());
  // The receiver records a request when its body has arrived.
  await sleep(150);
  return (await received(bucket)).map((r) => JSON.parse(r.body));
}

/** Settings with one webhook per WalkMe catalog event, every property sent, all to one bucket. */
function everyEvent(bucket, extra = {}) {
  return {
    version: 1,
    destinations: [{ id: "d", url: `${R}/hook/${bucket}` }],
    webhooks: CATALOG.map((id, i) => ({ id: "w" + i, event: id, destination: "d" })),
    ...extra,
  };
}

// ---- the page -------------------------------------------------------------------

// What the page's own handlers record (an init script, so it runs first).
const RECORDER = `
  window.__calls = [];
  window.__handler = function (name, options) {
    options = options || {};
    return function () {
      window.__calls.push({
        name: name,
        self: this === window ? "window" : this && this.tag ? this.tag : String(this),
        args: JSON.parse(JSON.stringify(Array.prototype.slice.call(arguments))),
      });
      if (options.throws) throw new Error("thrown by the page's " + name);
      return "returned by the page's " + name;
    };
  };`;

/**
 * A fresh browser context with the bridge page. `config`: the player's
 * (window.__walkmeStandinConfig); `scripts`: init scripts that run before
 * anything of the page (the page's own hooks, assigned "before the snippet").
 */
async function open({ config = {}, scripts = [] } = {}) {
  const context = await browser.newContext();
  await context.addInitScript(`window.__walkmeStandinConfig = ${JSON.stringify(config)};` + RECORDER);
  for (const s of scripts) await context.addInitScript(s);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url + "test/bridge.html");
  await page.waitForSelector("body[data-ready=true]");
  return { context, page, errors };
}

const loadPlayer = (page) => page.evaluate(() => window.bridgePage.loadPlayer());
const startModule = (page, settings, options = {}) => page.evaluate(([s, o]) => window.bridgePage.start(s, o), [settings, options]);
const fire = (page, name, payload) => page.evaluate(([n, p]) => window.__walkmeStandin.fire(n, p), [name, payload]);
const calls = (page) => page.evaluate(() => window.__calls);
const descriptor = (page, name) =>
  page.evaluate((n) => {
    const d = Object.getOwnPropertyDescriptor(window, n);
    if (!d) return null;
    return {
      kind: "value" in d ? "value" : "accessor",
      writable: d.writable,
      configurable: d.configurable,
      // Which function: the page's own handlers carry their recorder's name.
      value: "value" in d ? (typeof d.value === "function" ? d.value.toString().includes("__calls") && "page" : d.value) : undefined,
    };
  }, name);

// The player's rows with the mapping of docs/player-mapping.json.
function rowsOf(list, via) {
  return list
    .filter((r) => r.event && (via === "events.on" ? r.via === via : r.via !== "events.on"))
    .map((r) => {
      const m = mapping.find((x) => x.type === r.type && x.via === r.via && x.event === r.event);
      assert.ok(m, `${r.type} (${r.via}) -> ${r.event} is a row of docs/player-mapping.json`);
      return { ...r, fields: m.fields, static: m.static || {}, when: m.when || {} };
    });
}

// Does `body` carry `want` (property -> value)?
const carries = (body, want) => Object.entries(want).every(([k, v]) => JSON.stringify(body[k]) === JSON.stringify(v));

// ---- 1. every mapped player event, once, with its properties ----------------------

// Fires every Events API row that maps to a catalog event, each with its own
// values, and returns what each one must arrive as.
async function fireEveryEventsApiRow(page, rows) {
  const expected = []; // { label, event, props }
  let n = 0;
  for (const row of rows) {
    n++;
    const payload = {};
    const props = {};
    for (const [field, to] of Object.entries(row.fields)) {
      let value = `${row.type}.${field}.${n}`;
      let prop = value;
      if (row.type === "ShoutOutEngagement" && field === "actionType") value = prop = row.event === "shoutout.dismissed" ? "close" : "learn-more";
      if (row.type === "ActivateFromMenu" && field === "objectType") {
        value = 19; // a Smart Walk-Thru's deployable type
        prop = "SmartWalkThru";
      }
      if (row.type.startsWith("SurveySubmitted") && field === "answers") value = prop = [{ id: "q1", value: 4 }, { id: "q2", value: "Faster reports" }];
      payload[field] = value;
      for (const t of [].concat(to)) props[t] = prop;
    }
    Object.assign(props, row.static);
    if (row.type === "WalkMeObjectStarted") payload.objectType = 14;
    if (row.type === "SurveySubmitted") props["answers.count"] = 2;
    if (row.type === "GoalCompleted") {
      // The goal's item started first: that is how the bridge knows its kind.
      const item = payload.relatedObjectId;
      const kind = row.when.relatedType;
      if (kind === "SmartWalkThru") {
        await fire(page, "SwtStarted", { swtId: item, swtName: "Goal's Walk-Thru", flowId: "f" });
        expected.push({ label: "SwtStarted before a goal", event: "swt.started", props: { "item.id": item } });
      } else if (kind === "ShoutOut") {
        await fire(page, "WalkMeObjectStarted", { objectType: 14, id: item, name: "Goal's ShoutOut" });
        expected.push({ label: "WalkMeObjectStarted before a goal", event: "shoutout.shown", props: { "item.id": item } });
      } else if (kind === "Shuttle") {
        await fire(page, "ShuttleStarted", { id: item, name: "Goal's Shuttle", destinationUrl: "/billing" });
      } else if (kind === "Resource") {
        await fire(page, "ResourceStarted", { id: item, name: "Goal's Resource", url: "/guide.pdf" });
        expected.push({ label: "ResourceStarted before a goal", event: "resource.clicked", props: { "item.id": item } });
      }
    }
    const r = await fire(page, row.type, payload);
    assert.ok(r.api >= 1, `${row.type}: the module listens to it through events.on`);
    expected.push({ label: `${row.type} -> ${row.event}`, event: row.event, props });
  }
  return expected;
}

function assertEachOnce(got, expected) {
  for (const e of expected) {
    const hits = got.filter((b) => b["event.type"] === e.event && carries(b, e.props));
    assert.equal(hits.length, 1, `${e.label}: ${hits.length} deliveries carry ${JSON.stringify(e.props)}`);
  }
  assert.equal(got.length, expected.length, "nothing else was delivered: " + JSON.stringify(got.map((b) => b["event.type"])));
}

for (const [label, config, moduleFirst] of [
  ["the module starts before the player is ready", { extraEvents: true }, true],
  ["the module starts after the player, which calls the page callbacks before its Events API handlers", { extraEvents: true, legacyFirst: true }, false],
]) {
  test(`every Events API row of playerEvents() reaches its webhook exactly once, with the mapped properties (${label})`, async () => {
    const bucket = "br-all-" + (moduleFirst ? "a" : "b");
    await clear(bucket);
    const { context, page, errors } = await open({ config });
    if (moduleFirst) {
      await startModule(page, everyEvent(bucket));
      await loadPlayer(page);
    } else {
      await loadPlayer(page);
      await startModule(page, everyEvent(bucket));
    }
    const list = await page.evaluate(() => window.bridgePage.playerEvents());
    const rows = rowsOf(list, "events.on");
    assert.ok(rows.filter((r) => r.verified).length >= 19, "the verified rows are all there");
    assert.ok(rows.some((r) => !r.verified), "and the proposed ones (the player fires them with extraEvents)");
    const expected = await fireEveryEventsApiRow(page, rows);
    const got = await bodies(page, bucket);
    assertEachOnce(got, expected);
    // Spot checks, spelled out.
    const step = got.find((b) => b["event.type"] === "swt.step_played" && b["item.type"] === "SmartWalkThru");
    assert.equal(step["item.id"], `SwtStepShown.swtId.${rows.findIndex((r) => r.type === "SwtStepShown") + 1}`, "SwtStepShown's swtId is item.id");
    assert.equal(step["balloon.id"].split(".")[1], "balloonId");
    const submitted = got.find((b) => b["event.type"] === "survey.submitted");
    assert.equal(submitted["answers.count"], 2);
    assert.equal(submitted["item.id"], submitted["survey.id"]);
    // With the Events API the module does not touch the older callbacks,
    // and leaves no trace of the walkme_ready it listened to.
    assert.equal(await descriptor(page, "walkme_event"), null);
    assert.equal(await descriptor(page, "walkme_player_event"), null);
    await page.evaluate(() => window.bridgePage.hooks.stop());
    assert.equal(await descriptor(page, "walkme_ready"), null);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

// ---- 2. an older player: the page callbacks ------------------------------------

test("an older player without the Events API: walkme_event and walkme_player_event carry the mapped events, each once", async () => {
  const bucket = "br-legacy";
  await clear(bucket);
  const { context, page, errors } = await open({ config: { eventsApi: false } });
  await startModule(page, everyEvent(bucket));
  await loadPlayer(page);
  assert.equal(await page.evaluate(() => typeof WalkMeAPI.events), "undefined");
  const list = await page.evaluate(() => window.bridgePage.playerEvents());
  const routes = await page.evaluate(() => window.__walkmeStandin.routes());
  const rows = rowsOf(list, "legacy");
  assert.deepEqual([...new Set(rows.map((r) => r.via))].sort(), ["walkme_event", "walkme_player_event"]);
  const expected = [];
  let n = 0;
  for (const row of rows) {
    n++;
    const route = routes.find((r) => r.legacy && r.legacy.type === row.type && r.legacy.via === row.via);
    assert.ok(route, `the player sends ${row.type} to ${row.via}`);
    // Fired by its Events API name, the player renames the payload's keys
    // for the callback; fired by the callback's Type, it takes them as given.
    const byApiName = route.name === row.type;
    const payload = {};
    const props = { ...row.static };
    for (const [field, to] of Object.entries(row.fields)) {
      const value = field === "answers" ? [{ id: "q1", value: 9 }] : `${row.type}.${field}.${n}`;
      const key = byApiName ? Object.keys(route.legacy.fields).find((k) => route.legacy.fields[k] === field) || field : field;
      payload[key] = value;
      for (const t of [].concat(to)) props[t] = value;
    }
    if (row.type === "SurveyCompleted") props["answers.count"] = 1;
    const r = await fire(page, row.type, payload);
    assert.equal(r[row.via], true, `${row.type} went to ${row.via}`);
    expected.push({ label: `${row.type} (${row.via}) -> ${row.event}`, event: row.event, props });
  }
  // Events API names without a page callback do not reach this player's page at all.
  await fire(page, "SwtStarted", { swtId: "never", swtName: "n", flowId: "f" });
  // PlayerInitComplete came through walkme_player_event when the player loaded; it maps to nothing.
  const got = await bodies(page, bucket);
  assertEachOnce(got, expected);
  assert.deepEqual(errors, []);
  await context.close();
});

// ---- 3. the page's own handlers ----------------------------------------------------

// The page's handlers, assigned before the snippet and the module.
const PAGE_HANDLERS_FIRST = `
  window.walkme_ready = __handler("walkme_ready");
  window.walkme_event = __handler("walkme_event");
  window.walkme_player_event = __handler("walkme_player_event");`;

const ONE = (bucket) => ({
  version: 1,
  destinations: [{ id: "d", url: `${R}/hook/${bucket}` }],
  webhooks: [
    { id: "t", event: "onboarding.task_completed", destination: "d", properties: ["item.id", "user.id"] },
    { id: "m", event: "menu.item_selected", destination: "d", properties: ["item.id"] },
    { id: "o", event: "menu.opened", destination: "d", properties: ["event.type"] },
    { id: "s", event: "swt.started", destination: "d", properties: ["item.id", "item.name", "item.type", "walkthru.flow"] },
    { id: "p", event: "swt.step_played", destination: "d", properties: ["item.id"] },
    { id: "q", event: "menu.searched", destination: "d", properties: ["event.type"] },
  ],
});
const ids = (got) => got.map((b) => b["item.id"]);
// Requests may arrive in any order: compare bodies as sorted JSON texts.
const sorted = (list) => list.map((b) => JSON.stringify(b)).sort();

test("page handlers assigned before the module loads keep being called, with the same arguments and this, through an older player", async () => {
  const bucket = "br-page-first";
  await clear(bucket);
  const { context, page, errors } = await open({ config: { eventsApi: false }, scripts: [PAGE_HANDLERS_FIRST] });
  await startModule(page, ONE(bucket));
  await loadPlayer(page);
  assert.deepEqual(await calls(page), [
    { name: "walkme_ready", self: "window", args: [] },
    { name: "walkme_player_event", self: "window", args: [{ Type: "PlayerInitComplete" }] },
  ]);

  // Through the player.
  await fire(page, "TaskCompleted", { id: "t1" });
  // Called directly, with its own `this`: the page's handler gets it, and its return value goes back.
  const returned = await page.evaluate(() => window.walkme_event.call({ tag: "custom" }, { Type: "TaskCompleted", TaskId: "t2" }, "second argument"));
  assert.equal(returned, "returned by the page's walkme_event");
  assert.deepEqual((await calls(page)).slice(2), [
    { name: "walkme_event", self: "window", args: [{ Type: "TaskCompleted", TaskId: "t1" }] },
    { name: "walkme_event", self: "custom", args: [{ Type: "TaskCompleted", TaskId: "t2" }, "second argument"] },
  ]);

  // A later assignment replaces the page's handler, not the module.
  await page.evaluate(() => (window.walkme_event = __handler("walkme_event, reassigned")));
  await fire(page, "TaskCompleted", { id: "t3" });
  assert.deepEqual((await calls(page)).at(-1), { name: "walkme_event, reassigned", self: "window", args: [{ Type: "TaskCompleted", TaskId: "t3" }] });

  // The page's handler throws: the module still hears the event, and the
  // exception reaches the handler's caller as it would without the module.
  await page.evaluate(() => (window.walkme_event = __handler("walkme_event, throwing", { throws: true })));
  await fire(page, "TaskCompleted", { id: "t4" });
  assert.deepEqual(await page.evaluate(() => window.__walkmeStandin.errors.map((e) => e.error)), ["thrown by the page's walkme_event, throwing"]);
  const caught = await page.evaluate(() => {
    try {
      window.walkme_event({ Type: "TaskCompleted", TaskId: "t5" });
    } catch (e) {
      return e.message;
    }
  });
  assert.equal(caught, "thrown by the page's walkme_event, throwing");

  // The module's side throws (a value whose text cannot be read): the page's handler is still called.
  await page.evaluate(() => (window.walkme_event = __handler("walkme_event, after a module failure")));
  const r = await page.evaluate(() =>
    window.walkme_event({
      Type: "WalkthruSelected",
      WalkthruId: {
        toString() {
          throw new Error("unreadable");
        },
      },
    })
  );
  assert.equal(r, "returned by the page's walkme_event, after a module failure");
  assert.equal((await calls(page)).at(-1).name, "walkme_event, after a module failure");
  await fire(page, "TaskCompleted", { id: "t6" });

  // walkme_player_event likewise.
  await fire(page, "AfterMenuOpen", {});
  assert.deepEqual((await calls(page)).at(-1), { name: "walkme_player_event", self: "window", args: [{ Type: "AfterMenuOpen" }] });

  const got = await bodies(page, bucket);
  assert.deepEqual(ids(got.filter((b) => b["item.id"])).sort(), ["t1", "t2", "t3", "t4", "t5", "t6"], "every TaskCompleted, once each, and nothing from the unreadable one");
  assert.equal(got.filter((b) => b["event.type"] === "menu.opened").length, 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test("page handlers assigned after the module loaded are called too, and do not cut the module off", async () => {
  const bucket = "br-page-after";
  await clear(bucket);
  const { context, page, errors } = await open({ config: { eventsApi: false } });
  await startModule(page, ONE(bucket));
  // The page assigns walkme_ready after the module, before the player is ready.
  await page.evaluate(() => (window.walkme_ready = __handler("walkme_ready")));
  await loadPlayer(page);
  assert.deepEqual(await calls(page), [{ name: "walkme_ready", self: "window", args: [] }]);
  await fire(page, "TaskCompleted", { id: "t1" }); // no page handler yet
  await page.evaluate(() => {
    window.walkme_event = __handler("walkme_event");
    window.walkme_player_event = __handler("walkme_player_event");
  });
  await fire(page, "TaskCompleted", { id: "t2" });
  await fire(page, "AfterMenuOpen", {});
  assert.deepEqual((await calls(page)).slice(1), [
    { name: "walkme_event", self: "window", args: [{ Type: "TaskCompleted", TaskId: "t2" }] },
    { name: "walkme_player_event", self: "window", args: [{ Type: "AfterMenuOpen" }] },
  ]);
  assert.equal(await page.evaluate(() => typeof window.walkme_event), "function");
  const got = await bodies(page, bucket);
  assert.deepEqual(ids(got.filter((b) => b["item.id"])).sort(), ["t1", "t2"]);
  assert.equal(got.filter((b) => b["event.type"] === "menu.opened").length, 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test("with the Events API, the page's own callbacks are left alone and no event counts twice", async () => {
  const bucket = "br-page-api";
  await clear(bucket);
  const { context, page, errors } = await open({ scripts: [PAGE_HANDLERS_FIRST] });
  await startModule(page, ONE(bucket));
  await loadPlayer(page);
  // The module heard walkme_ready (to subscribe) and left the older callbacks as the page set them.
  assert.deepEqual(await descriptor(page, "walkme_event"), { kind: "value", writable: true, configurable: true, value: "page" });
  assert.deepEqual(await descriptor(page, "walkme_player_event"), { kind: "value", writable: true, configurable: true, value: "page" });
  for (const [name, payload] of [
    ["TaskCompleted", { id: "t1" }],
    ["WalkthruSelectedInMenu", { id: "w1" }],
    ["AfterMenuOpen", {}],
    ["WalkthruStepShown", { id: "s1", walkthruId: "wt1" }],
  ]) {
    const r = await fire(page, name, payload);
    assert.equal(r.api, 1, `${name}: one Events API handler, the module's`);
  }
  assert.deepEqual(
    (await calls(page)).map((c) => [c.name, c.args[0] && c.args[0].Type]),
    [
      ["walkme_ready", undefined],
      ["walkme_player_event", "PlayerInitComplete"],
      ["walkme_event", "TaskCompleted"],
      ["walkme_event", "WalkthruSelected"],
      ["walkme_player_event", "AfterMenuOpen"],
      ["walkme_event", "NewStepShown"],
    ]
  );
  const got = await bodies(page, bucket);
  assert.deepEqual(got.map((b) => b["item.id"] || b["event.type"]).sort(), ["menu.opened", "t1", "w1", "wt1"]);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a module that starts while the player is still loading (WalkMeAPI there, its Events API not yet) uses the Events API once it is ready", async () => {
  const bucket = "br-early-api";
  await clear(bucket);
  // The real player adds `events` to a WalkMeAPI object that already exists
  // (docs/player-events.md); here the page has it before the player's ready.
  const { context, page, errors } = await open({ scripts: [`window.WalkMeAPI = {};`, PAGE_HANDLERS_FIRST] });
  await startModule(page, ONE(bucket));
  await loadPlayer(page);
  await fire(page, "SwtStarted", { swtId: "swt-1", swtName: "Create a contact", flowId: "f1" });
  await fire(page, "TaskCompleted", { id: "t1" });
  await fire(page, "AfterMenuOpen", {});
  const got = await bodies(page, bucket);
  assert.deepEqual(got.map((b) => b["item.id"] || b["event.type"]).sort(), ["menu.opened", "swt-1", "t1"], "Events API names arrive, and nothing twice");
  assert.equal((await calls(page)).filter((c) => c.name === "walkme_event").length, 1, "the page's own callback was called once");
  assert.deepEqual(errors, []);
  await context.close();
});

test("page callbacks declared with var or function (non-configurable globals) are kept, and the module still hears the player", async () => {
  const bucket = "br-page-var";
  await clear(bucket);
  // A classic script's top-level declarations make non-configurable window properties.
  const { context, page, errors } = await open({ config: { eventsApi: false } });
  await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const s = document.createElement("script");
        s.src = "bridge-globals.js";
        s.onload = resolve;
        s.onerror = reject;
        document.head.append(s);
      })
  );
  assert.equal((await descriptor(page, "walkme_ready")).configurable, false);
  assert.equal((await descriptor(page, "walkme_event")).configurable, false);
  await startModule(page, ONE(bucket));
  await loadPlayer(page);
  await fire(page, "TaskCompleted", { id: "t1" });
  assert.deepEqual(await calls(page), [
    { name: "walkme_ready", self: "window", args: [] },
    { name: "walkme_event", self: "window", args: [{ Type: "TaskCompleted", TaskId: "t1" }] },
  ]);
  const got = await bodies(page, bucket);
  assert.deepEqual(ids(got), ["t1"]);
  await page.evaluate(() => window.bridgePage.hooks.stop());
  assert.equal(await page.evaluate(() => window.walkme_event.toString().includes("__handler")), true, "stop() gives the page its own function back");
  assert.deepEqual(errors, []);
  await context.close();
});

for (const eventsApi of [true, false]) {
  test(`a walkme_ready that deletes itself when called (a public wrapper does) stays deleted (${eventsApi ? "Events API" : "an older player"})`, async () => {
    const bucket = "br-ready-delete-" + eventsApi;
    await clear(bucket);
    const { context, page, errors } = await open({
      config: { eventsApi },
      scripts: [`window.walkme_ready = function () { __handler("walkme_ready").apply(this, arguments); delete window.walkme_ready; };`],
    });
    await startModule(page, ONE(bucket));
    await loadPlayer(page);
    await fire(page, "TaskCompleted", { id: "t1" });
    assert.equal(await page.evaluate(() => "walkme_ready" in window), false);
    await page.evaluate(() => window.bridgePage.hooks.stop());
    assert.equal(await page.evaluate(() => "walkme_ready" in window), false, "stop() does not bring it back");
    assert.equal((await calls(page)).length, 1);
    const got = await bodies(page, bucket);
    assert.deepEqual(ids(got), ["t1"]);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

// ---- 4. stop() ----------------------------------------------------------------------

test("stop() unsubscribes from the Events API: no more deliveries, and the page's handlers are still called", async () => {
  const bucket = "br-stop-api";
  await clear(bucket);
  const { context, page, errors } = await open({ scripts: [PAGE_HANDLERS_FIRST] });
  await startModule(page, ONE(bucket));
  await loadPlayer(page);
  assert.equal((await fire(page, "TaskCompleted", { id: "t1" })).api, 1);
  await page.evaluate(() => window.bridgePage.hooks.stop());
  const r = await fire(page, "TaskCompleted", { id: "t2" });
  assert.equal(r.api, 0, "no Events API handler left");
  assert.equal(r.walkme_event, true);
  assert.deepEqual((await calls(page)).at(-1), { name: "walkme_event", self: "window", args: [{ Type: "TaskCompleted", TaskId: "t2" }] });
  for (const name of ["walkme_ready", "walkme_event", "walkme_player_event"]) {
    assert.deepEqual(await descriptor(page, name), { kind: "value", writable: true, configurable: true, value: "page" }, name);
  }
  await sleep(200);
  assert.deepEqual(ids(await received(bucket).then((l) => l.map((x) => JSON.parse(x.body)))), ["t1"]);
  assert.deepEqual(errors, []);
  await context.close();
});

test("stop() with an older player: the page callbacks are plain properties again and still called; nothing more is delivered", async () => {
  const bucket = "br-stop-legacy";
  await clear(bucket);
  await clear(bucket + "-2");
  const { context, page, errors } = await open({ config: { eventsApi: false }, scripts: [PAGE_HANDLERS_FIRST] });
  await startModule(page, ONE(bucket));
  await loadPlayer(page);
  await fire(page, "TaskCompleted", { id: "t1" });
  assert.equal((await descriptor(page, "walkme_event")).kind, "accessor", "the module listens through an accessor");
  // A second module on the same page shares the callbacks; stopping one keeps the other.
  await page.evaluate(async (s) => {
    const { start } = await import("/pkg/index.js");
    window.second = start(s);
  }, ONE(bucket + "-2"));
  await page.evaluate(() => window.bridgePage.hooks.stop());
  await fire(page, "TaskCompleted", { id: "t2" });
  assert.equal((await descriptor(page, "walkme_event")).kind, "accessor", "the second module still listens");
  await page.evaluate(() => window.second.stop());
  await fire(page, "TaskCompleted", { id: "t3" });
  for (const name of ["walkme_ready", "walkme_event", "walkme_player_event"]) {
    assert.deepEqual(await descriptor(page, name), { kind: "value", writable: true, configurable: true, value: "page" }, name);
  }
  assert.deepEqual(
    (await calls(page)).filter((c) => c.name === "walkme_event").map((c) => c.args[0].TaskId),
    ["t1", "t2", "t3"]
  );
  await sleep(200);
  const got = (await received(bucket)).map((x) => JSON.parse(x.body));
  const got2 = (await received(bucket + "-2")).map((x) => JSON.parse(x.body));
  assert.deepEqual(ids(got), ["t1"]);
  assert.deepEqual(ids(got2), ["t2"]);
  assert.deepEqual(errors, []);
  await context.close();
});

test("stop() before the player is ready: walkme_ready is the page's again and nothing subscribes", async () => {
  const bucket = "br-stop-early";
  await clear(bucket);
  const { context, page, errors } = await open({ scripts: [PAGE_HANDLERS_FIRST] });
  await startModule(page, ONE(bucket));
  assert.equal((await descriptor(page, "walkme_ready")).kind, "accessor");
  await page.evaluate(() => window.bridgePage.hooks.stop());
  assert.deepEqual(await descriptor(page, "walkme_ready"), { kind: "value", writable: true, configurable: true, value: "page" });
  await loadPlayer(page);
  assert.equal((await fire(page, "TaskCompleted", { id: "t1" })).api, 0);
  assert.deepEqual((await calls(page)).map((c) => c.name), ["walkme_ready", "walkme_player_event", "walkme_event"]);
  await sleep(200);
  assert.deepEqual(await received(bucket), []);
  assert.deepEqual(errors, []);
  await context.close();
});

// ---- 5. identity --------------------------------------------------------------------

test("user.id is the player's end user (_walkMe.getEndUserGuid()) unless identify() was called, which wins", async () => {
  const bucket = "br-user";
  await clear(bucket);
  const { context, page, errors } = await open();
  await startModule(page, ONE(bucket));
  await loadPlayer(page);
  const guid = await page.evaluate(() => window._walkMe.getEndUserGuid());
  assert.match(guid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  await fire(page, "TaskCompleted", { id: "t1" });
  // The account identifies users by a page variable; the player reads it.
  await page.evaluate(() => (window.walkme_user_id = "wm-7"));
  await fire(page, "TaskCompleted", { id: "t2" });
  await page.evaluate(() => window.bridgePage.hooks.identify("u-42"));
  await fire(page, "TaskCompleted", { id: "t3" });
  await page.evaluate(() => (window.walkme_user_id = "wm-8"));
  await fire(page, "TaskCompleted", { id: "t4" });
  await page.evaluate(() => window.bridgePage.hooks.identify(null));
  await fire(page, "TaskCompleted", { id: "t5" });
  const got = await bodies(page, bucket);
  assert.deepEqual(
    got.map((b) => [b["item.id"], b["user.id"]]).sort(),
    [
      ["t1", guid],
      ["t2", "wm-7"],
      ["t3", "u-42"],
      ["t4", "u-42"],
      ["t5", "wm-8"],
    ]
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test("identify() before the player is ready wins over the player's end user from the start", async () => {
  const bucket = "br-user-early";
  await clear(bucket);
  const { context, page, errors } = await open({ scripts: [`window.walkme_user_id = "wm-1";`] });
  await startModule(page, ONE(bucket));
  await page.evaluate(() => window.bridgePage.hooks.identify("u-1", { plan: "pro" }));
  await loadPlayer(page);
  await fire(page, "TaskCompleted", { id: "t1" });
  const got = await bodies(page, bucket);
  assert.deepEqual(got.map((b) => b["user.id"]), ["u-1"]);
  assert.deepEqual(errors, []);
  await context.close();
});

// ---- 6. settings' playerEvents rows -------------------------------------------------

test("settings' playerEvents rows add a name, override a built-in row, and event: null silences one", async () => {
  const bucket = "br-rows";
  await clear(bucket);
  const settings = {
    ...ONE(bucket),
    playerEvents: [
      // A real Events API name the built-in mapping leaves out.
      { type: "MenuTabSelected", event: "menu.opened", fields: { tabName: "menu.tab" } },
      // A built-in row, replaced: its fields only (no item.name, no item.type any more).
      { type: "SwtStarted", event: "swt.started", fields: { swtId: "item.id", flowId: "walkthru.flow" } },
      // Silenced.
      { type: "SwtStepShown", event: null },
      // A page callback Type the Events API has no name for, to an event the Events API does not deliver here.
      { type: "HelpCenter", via: "walkme_player_event", event: "menu.searched" },
    ],
  };
  settings.webhooks = settings.webhooks.map((w) => (w.id === "o" ? { ...w, properties: ["event.type", "menu.tab"] } : w));
  const { context, page, errors } = await open();
  await startModule(page, settings);
  await loadPlayer(page);
  await fire(page, "MenuTabSelected", { tabName: "Tasks" });
  await fire(page, "SwtStarted", { swtId: "swt-1", swtName: "Create a contact", flowId: "f1" });
  await fire(page, "SwtStepShown", { swtId: "swt-1", swtName: "Create a contact", flowId: "f1", stepId: "s1", balloonId: "b1" });
  await fire(page, "AfterMenuOpen", {}); // the built-in rows are still there
  await fire(page, "HelpCenter", {});
  let got = await bodies(page, bucket);
  assert.deepEqual(sorted(got), sorted([
    { "event.type": "menu.opened", "menu.tab": "Tasks" },
    { "item.id": "swt-1", "walkthru.flow": "f1" },
    { "event.type": "menu.opened" },
    { "event.type": "menu.searched" },
  ]));

  // A re-publish applies its rows at once: back to the built-in mapping.
  await clear(bucket);
  await page.evaluate((s) => window.bridgePage.hooks.update(s), ONE(bucket));
  await fire(page, "MenuTabSelected", { tabName: "Tasks" });
  await fire(page, "SwtStarted", { swtId: "swt-2", swtName: "Create a contact", flowId: "f1" });
  await fire(page, "SwtStepShown", { swtId: "swt-2", swtName: "Create a contact", flowId: "f1", stepId: "s1", balloonId: "b1" });
  await fire(page, "HelpCenter", {});
  got = await bodies(page, bucket);
  assert.deepEqual(sorted(got), sorted([{ "item.id": "swt-2", "item.name": "Create a contact", "item.type": "SmartWalkThru" }, { "item.id": "swt-2" }]));
  assert.deepEqual(errors, []);
  await context.close();
});

test("settings' playerEvents rows on an older player's page callbacks", async () => {
  const bucket = "br-rows-legacy";
  await clear(bucket);
  const settings = {
    ...ONE(bucket),
    playerEvents: [
      { type: "OpenTicketClicked", via: "walkme_player_event", event: "menu.searched" },
      { type: "TaskCompleted", via: "walkme_event", event: null },
      { type: "WalkthruSelected", via: "walkme_event", event: "menu.item_selected", fields: { WalkthruId: "item.id" } },
    ],
  };
  const { context, page, errors } = await open({ config: { eventsApi: false } });
  await startModule(page, settings);
  await loadPlayer(page);
  await fire(page, "OpenTicketClicked", {});
  await fire(page, "TaskCompleted", { id: "t1" });
  await fire(page, "WalkthruSelected", { WalkthruId: "w1" });
  const got = await bodies(page, bucket);
  assert.deepEqual(sorted(got), sorted([{ "event.type": "menu.searched" }, { "item.id": "w1" }]));
  assert.deepEqual(errors, []);
  await context.close();
});
