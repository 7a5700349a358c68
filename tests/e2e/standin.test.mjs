// The stand-in player (www/js/walkme-player.js, the demo's simulated player) behaves as
// docs/player-events.md says the real one does, and fires every player
// event of docs/player-mapping.json through the channel the mapping names.
// It runs the script in a bare JavaScript context with `window` as the global.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

const script = readFileSync(join(root, "www/js/walkme-player.js"), "utf8");
const mapping = JSON.parse(readFileSync(join(root, "docs/player-mapping.json"), "utf8"));

// A page: `before` runs before the player script (the page's own hooks).
// `document`: what the script sees as the document (none by default).
async function page({ config, before = "", document } = {}) {
  const ctx = vm.createContext({ setTimeout, console, ...(document ? { document } : {}) });
  vm.runInContext("var window = this;", ctx);
  if (config) ctx.__walkmeStandinConfig = config;
  vm.runInContext(before, ctx);
  vm.runInContext(script, ctx);
  return ctx;
}

const ready = (ctx) => ctx.__walkmeStandin.whenReady;

test("WalkMeAPI appears after a delay, then walkme_ready is called once with it in place", async () => {
  const ctx = await page({
    config: { delayMs: 5 },
    before: `var calls = []; window.walkme_ready = function () { calls.push({ self: this === window, args: arguments.length, on: typeof WalkMeAPI.events.on }); };`,
  });
  assert.equal(ctx.WalkMeAPI, undefined, "no WalkMeAPI before the player has loaded");
  assert.equal(ctx.__walkmeStandin.isReady(), false);
  await ready(ctx);
  assert.equal(typeof ctx.WalkMeAPI.events.on, "function");
  assert.deepEqual(Object.keys(ctx.WalkMeAPI.events), ["on"], "events has on() only");
  assert.deepEqual(JSON.parse(JSON.stringify(ctx.calls)), [{ self: true, args: 0, on: "function" }]);
});

test("events.on: several handlers, an unsubscribe function each, and the real player's errors", async () => {
  const ctx = await page();
  await ready(ctx);
  vm.runInContext(
    `"use strict";
     var got = [];
     var offA = WalkMeAPI.events.on("TaskCompleted", function (e) { got.push(["a", e, this === null]); });
     WalkMeAPI.events.on("TaskCompleted", function (e) { e.id = "changed"; got.push(["b", e]); });
     WalkMeAPI.events.on("TaskCompleted", function () { throw new Error("boom"); });
     WalkMeAPI.events.on("TaskCompleted", function (e) { got.push(["d", e]); });`,
    ctx
  );
  ctx.__walkmeStandin.fire("TaskCompleted", { id: 7, extra: "dropped" });
  ctx.offA();
  ctx.offA(); // a second call does nothing
  ctx.__walkmeStandin.fire("TaskCompleted", { id: 8 });
  assert.deepEqual(JSON.parse(JSON.stringify(ctx.got)), [
    ["a", { id: 7 }, true],
    ["b", { id: "changed" }],
    ["d", { id: 7 }],
    ["b", { id: "changed" }],
    ["d", { id: 8 }],
  ]);
  assert.equal(ctx.__walkmeStandin.errors.length, 2, "what a handler throws is caught");
  const on = ctx.WalkMeAPI.events.on;
  assert.throws(() => on("NoSuchEvent", () => {}), { message: '"NoSuchEvent" is not a WalkMe event' });
  assert.throws(() => on("", () => {}), { message: "WM event name cannot be empty" });
  assert.throws(() => on("TaskCompleted", "nope"), { message: "Handler must be function" });
  assert.throws(() => on("TeachMeCourseStarted", () => {}), /is not a WalkMe event/);
});

test("the page callbacks are read at call time and get eventData with its Type, on window", async () => {
  const ctx = await page({ before: `var early = []; window.walkme_player_event = function (d) { early.push([d.Type, this === window]); };` });
  await ready(ctx);
  assert.deepEqual(JSON.parse(JSON.stringify(ctx.early)), [["PlayerInitComplete", true]], "assigned before load");
  vm.runInContext(`var late = []; window.walkme_event = function (d) { late.push(d); };`, ctx);
  const r = ctx.__walkmeStandin.fire("TaskCompleted", { id: 3 });
  assert.deepEqual(JSON.parse(JSON.stringify(ctx.late)), [{ Type: "TaskCompleted", TaskId: 3 }], "assigned after load");
  assert.equal(r.walkme_event, true);
  ctx.__walkmeStandin.fire("AfterMenuOpen", {});
  assert.deepEqual(JSON.parse(JSON.stringify(ctx.early)).at(-1), ["AfterMenuOpen", true]);
  // By the legacy Type, in the legacy shape: the Events API side gets the mapped keys.
  vm.runInContext(`var api = []; WalkMeAPI.events.on("WalkthruStepShown", function (e) { api.push(e); });`, ctx);
  ctx.__walkmeStandin.fire("NewStepShown", { WalkthruId: 11, StepId: 2, StepIndex: 1 });
  assert.deepEqual(JSON.parse(JSON.stringify(ctx.api)), [{ id: 2, walkthruId: 11 }]);
  assert.deepEqual(JSON.parse(JSON.stringify(ctx.late)).at(-1), { Type: "NewStepShown", WalkthruId: 11, StepId: 2, StepIndex: 1 });
});

test("_walkMe.getEndUserGuid returns window.walkme_user_id read at call time, else a WalkMe ID", async () => {
  const ctx = await page();
  await ready(ctx);
  const generated = ctx._walkMe.getEndUserGuid();
  assert.match(generated, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(ctx._walkMe.getEndUserGuid(), generated, "stable for the page's life");
  ctx.walkme_user_id = "u-42";
  assert.equal(ctx._walkMe.getEndUserGuid(), "u-42");
  ctx._walkMe.removeWalkMe();
  assert.equal(ctx.__walkmeStandin.fire("TaskCompleted", { id: 1 }).api, 0, "removing WalkMe drops the handlers");
});

test("an older player without the Events API still calls the page callbacks", async () => {
  const ctx = await page({ config: { eventsApi: false }, before: `var seen = []; window.walkme_event = function (d) { seen.push(d.Type); };` });
  await ready(ctx);
  assert.equal(ctx.WalkMeAPI.events, undefined);
  ctx.__walkmeStandin.fire("SurveySubmitted", { id: 1, name: "NPS", status: "submitted", answers: [] });
  assert.deepEqual([...ctx.seen], ["SurveyCompleted"]);
});

test("without window.__walkmeStandinConfig, the configuration is the JSON of the script tag's data-config", async () => {
  // The demo (www/index.html) loads it that way: its CSP allows no inline script.
  const ctx = await page({ document: { currentScript: { dataset: { config: '{"eventsApi":false,"extraEvents":true}' } } } });
  await ready(ctx);
  assert.equal(ctx.WalkMeAPI.events, undefined);
  assert.ok(ctx.__walkmeStandin.names().includes("SurveyQuestionAnswered"));
  const broken = await page({ document: { currentScript: { dataset: { config: "{not json" } } } });
  await ready(broken);
  assert.equal(typeof broken.WalkMeAPI.events.on, "function", "a config that is not JSON is ignored");
});

test("every row of docs/player-mapping.json can be fired through the channel it names", async () => {
  const ctx = await page({ config: { extraEvents: true } });
  await ready(ctx);
  const names = new Set(ctx.__walkmeStandin.names());
  const routes = ctx.__walkmeStandin.routes();
  const plain = await page();
  await ready(plain);
  const plainNames = new Set(plain.__walkmeStandin.names());
  for (const row of mapping) {
    assert.ok(names.has(row.type), `${row.type} can be fired`);
    if (row.via === "events.on") {
      assert.ok(routes.some((r) => r.name === row.type && r.eventsOn), `${row.type} goes to events.on`);
      // Proposed names are fired only on request, and the real events.on refuses them.
      assert.equal(plainNames.has(row.type), !routes.find((r) => r.name === row.type).proposed, `${row.type}: proposed iff unverified name`);
      if (row.source === "no public source") assert.equal(row.verified, false);
    } else {
      assert.ok(routes.some((r) => r.legacy && r.legacy.type === row.type && r.legacy.via === row.via), `${row.type} goes to ${row.via}`);
    }
    for (const from of Object.keys(row.fields)) {
      const route = routes.find((r) => (row.via === "events.on" ? r.name === row.type : r.legacy && r.legacy.type === row.type));
      if (row.via === "events.on") assert.ok(route.params.includes(from), `${row.type}.${from} is an Events API param`);
    }
  }
});
