// Every preset of presets/presets.json that works from a browser, run by the
// real runtime (pkg/index.js) in headless Chromium against the local
// stand-in of its service (tests/standins/): the stand-ins answer like the
// real services (CORS, content types, required fields, limits), so what this
// test checks is what the service documents, not what the module happens to
// send. Per preset: its fields filled with test values, its URL pointed at
// the stand-in (the stand-in's origin replaces the service's; path and query
// kept), one webhook on survey.submitted, events emitted without and with
// identify(), and from the stand-in's /__requests: each request accepted
// with the service's documented success answer, the method, content type
// and body of its contract, no preflight where the preset promises none, and
// one request per delivery (batches: several events per request, within the
// service's limits). Also: the packaged presets.json is what the editor
// module's presets() returns.
//
// The stand-ins listen on $WMWH_STANDIN_PORT and the 12 ports after it
// (default 8850; 0 picks free ports); this file starts and stops them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launch, serve, watchErrors, root } from "./helpers.mjs";
import { startAll } from "../standins/index.mjs";
import { RESERVED_PREFIXES } from "../standins/ga4.mjs";

const PRESETS = JSON.parse(readFileSync(join(root, "presets/presets.json"), "utf8"));
const STANDIN_OF = {
  slack: "slack",
  mixpanel: "mixpanel",
  amplitude: "amplitude",
  "amplitude-batch": "amplitude",
  posthog: "posthog",
  "posthog-batch": "posthog",
  segment: "segment",
  "segment-batch": "segment",
  ga4: "ga4",
  zapier: "zapier",
  n8n: "n8n",
  make: "make",
  "google-chat": "googlechat",
};
const USER = "u-42";
const SURVEY = { "survey.id": "srv-1", "survey.name": "NPS & <Q3>", "answer.value": 4, "element.classes": ["btn", "primary"] };

let browser, server, standins;
before(async () => {
  const base = Number(process.env.WMWH_STANDIN_PORT ?? 8850);
  try {
    standins = await startAll({ port: base });
  } catch (e) {
    // Taken (another run on this machine): any free ports will do.
    if (base === 0 || e.code !== "EADDRINUSE") throw e;
    standins = await startAll({ port: 0 });
  }
  server = await serve({ receiverPorts: [] });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
  await standins?.close();
});

// ---- presets as settings ----------------------------------------------------------

/** A field's test value: its placeholder, made concrete. */
const valueOf = (f) => f.placeholder.replaceAll("…", "test");

function fill(v, fields) {
  if (typeof v === "string") return fields.reduce((s, f) => s.replaceAll(`{{field:${f.key}}}`, valueOf(f)), v);
  if (Array.isArray(v)) return v.map((x) => fill(x, fields));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, fields)]));
  return v;
}

/** The service's URL with the stand-in's origin instead of the service's. */
function atStandin(url, standin) {
  const u = new URL(url);
  return standin + u.pathname + u.search;
}

/** The settings a preset makes, pointed at its stand-in, and that URL's pieces. */
function settingsOf(p, change = {}) {
  const d = fill(p.destination, p.fields);
  for (const k of ["batch", "rate"]) if (p[k]) d[k] = fill(p[k], p.fields);
  const serviceUrl = d.url;
  d.url = atStandin(d.url, standins.urls[STANDIN_OF[p.id]]);
  Object.assign(d, change);
  return {
    serviceUrl,
    settings: { version: 1, destinations: [d], webhooks: [{ id: "w", event: "survey.submitted", destination: d.id }] },
  };
}

// ---- the page and the stand-ins --------------------------------------------------

async function open(settings) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url + "test/lab.html");
  await page.evaluate((c) => window.lab.start(c), { settings, options: {} });
  return { context, page, errors };
}

const standinOf = (p) => standins.urls[STANDIN_OF[p.id]];
const requests = async (base) => (await fetch(`${base}/__requests`)).json();
const clear = (base) => fetch(`${base}/__requests`, { method: "DELETE" });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const reports = (page) => page.evaluate(() => window.lab.reports);
const FINAL = new Set(["delivered", "sent", "failed", "dropped"]);

/** Waits until `n` deliveries have a final report; returns every report. */
async function settled(page, n, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const all = await reports(page);
    if (all.filter((r) => FINAL.has(r.outcome)).length >= n) return all;
    if (Date.now() > end) throw new Error(`${n} deliveries expected to finish; reports: ${JSON.stringify(all)}`);
    await sleep(50);
  }
}

// Chromium logs a fetch's 4xx/5xx (and refused preflights) as console
// errors; those are the stand-in's doing, not the page's.
const realErrors = (errors) => errors.filter((e) => !e.includes("Failed to load resource") && !e.includes("CORS"));

const header = (rec, name) => rec.headers.find(([n]) => n.toLowerCase() === name)?.[1] ?? null;
const mediaType = (rec) => (rec.contentType || "").split(";")[0].trim().toLowerCase();
const form = (rec) => Object.fromEntries(new URLSearchParams(rec.body));
const json = (text) => JSON.parse(text);
const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** The content type each body format is sent with (CORS-safelisted but json). */
const CONTENT_TYPE = { form: "application/x-www-form-urlencoded", text: "text/plain", json: "application/json" };

/** The body value each event travels in, in request order. */
function eventsOf(id, rec) {
  switch (id) {
    case "slack":
      return [json(form(rec).payload)];
    case "mixpanel":
      return [].concat(json(form(rec).data));
    case "amplitude":
    case "amplitude-batch":
      return json(rec.body).events;
    case "posthog":
    case "segment":
    case "n8n":
    case "google-chat":
      return [json(rec.body)];
    case "posthog-batch":
    case "segment-batch":
      return json(rec.body).batch;
    case "ga4":
      return json(rec.body).events.map((e) => ({ ...json(rec.body), event: e }));
    case "zapier":
    case "make":
      return [form(rec)];
  }
  throw new Error("no contract for " + id);
}

/**
 * The service's documented success answer, and the checks of its contract
 * for one event (`user`: whether identify() had been called; `anon`: the
 * page's anonymous id).
 */
function checkAccepted(id, rec) {
  const { status, body } = rec.response;
  const at = `${id}: ${status} ${body}`;
  switch (id) {
    case "slack":
      return assert.deepEqual([status, body], [200, "ok"], at);
    case "mixpanel":
      return assert.deepEqual([status, json(body)], [200, { status: 1, error: null }], at);
    case "amplitude":
    case "amplitude-batch":
      assert.equal(status, 200, at);
      return assert.equal(json(body).events_ingested, json(rec.body).events.length, at);
    case "posthog":
    case "posthog-batch":
      return assert.deepEqual([status, json(body)], [200, { status: 1 }], at);
    case "segment":
    case "segment-batch":
      assert.deepEqual([status, json(body)], [200, { success: true }], at);
      return assert.deepEqual(rec.check.problems, [], at);
    case "ga4":
      // /mp/collect answers 2xx whatever it gets; the stand-in keeps what
      // the validation server (/debug/mp/collect) would have said.
      assert.equal(status, 204, at);
      return assert.deepEqual(rec.check.validationMessages, [], at);
    case "zapier":
      return assert.deepEqual([status, json(body).status], [200, "success"], at);
    case "n8n":
      return assert.deepEqual([status, json(body)], [200, { message: "Workflow was started" }], at);
    case "make":
      return assert.deepEqual([status, body], [200, "Accepted"], at);
    case "google-chat":
      assert.equal(status, 200, at);
      return assert.match(json(body).name, /^spaces\/AAAAAAAAAAA\/messages\//, at);
  }
  throw new Error("no answer for " + id);
}

function checkEvent(id, e, { user, anon }) {
  const who = user ? USER : anon;
  const text = `*Survey Submitted* by ${who} on ${server.url}test/lab.html`;
  switch (id) {
    case "slack":
    case "google-chat":
      return assert.equal(e.text, text, id);
    case "mixpanel":
      assert.equal(e.event, "Survey Submitted");
      assert.equal(e.properties.token, "0123456789abcdef0123456789abcdef");
      assert.equal(e.properties.distinct_id, who);
      assert.ok(Number.isInteger(e.properties.time) && Math.abs(Date.now() - e.properties.time) < 60000, "time in ms");
      assert.match(e.properties.$insert_id, /^[A-Za-z0-9-]{1,36}$/);
      return assert.equal(e.properties.walkme["survey.name"], "NPS & <Q3>");
    case "amplitude":
    case "amplitude-batch":
      assert.equal(e.event_type, "Survey Submitted");
      assert.equal(e.device_id, anon);
      assert.equal(e.user_id, user ? USER : undefined);
      assert.ok(Number.isInteger(e.time) && Math.abs(Date.now() - e.time) < 60000, "time in ms");
      assert.ok(Number.isInteger(e.session_id) && e.session_id <= e.time && e.time - e.session_id < 3600e3, "session_id: its start in ms");
      return assert.equal(e.event_properties["survey.name"], "NPS & <Q3>");
    case "posthog":
    case "posthog-batch":
      assert.equal(e.event, "Survey Submitted");
      assert.equal(e.distinct_id, who);
      assert.match(e.timestamp, iso);
      return assert.equal(e.properties["survey.name"], "NPS & <Q3>");
    case "segment":
    case "segment-batch":
      assert.deepEqual([e.type, e.event], ["track", "Survey Submitted"]);
      assert.equal(e.anonymousId, anon);
      assert.equal(e.userId, user ? USER : undefined);
      assert.match(e.timestamp, iso);
      assert.ok(e.messageId.length < 100);
      return assert.equal(e.properties["survey.name"], "NPS & <Q3>");
    case "ga4": {
      assert.equal(e.client_id, anon, "the persistent first-party id");
      assert.equal(e.user_id, user ? USER : undefined);
      assert.ok(Number.isInteger(e.timestamp_micros) && Math.abs(Date.now() * 1000 - e.timestamp_micros) < 60e6, "timestamp in µs");
      assert.equal(e.event.name, "walkme_event");
      const params = e.event.params;
      const start = params.session_id;
      assert.ok(Number.isInteger(start) && start <= Date.now() / 1000 && Date.now() / 1000 - start < 3600, `session_id: its start in seconds (${start})`);
      assert.ok(params.engagement_time_msec > 0);
      assert.ok(Object.keys(params).length <= 25);
      for (const [k, v] of Object.entries(params)) {
        assert.match(k, /^[A-Za-z][A-Za-z0-9_]{0,39}$/);
        assert.ok(!RESERVED_PREFIXES.some((p) => k.startsWith(p)), k);
        assert.ok(typeof v === "number" || (typeof v === "string" && v.length <= 100), `${k}: ${v}`);
      }
      assert.equal(params.survey_name, "NPS & <Q3>");
      return assert.equal(params.element_classes, '["btn","primary"]');
    }
    case "zapier":
    case "make":
      assert.equal(e.event, "Survey Submitted");
      assert.equal(e.user_id, who);
      assert.match(e.timestamp, iso);
      return assert.equal(json(e.properties)["survey.name"], "NPS & <Q3>");
    case "n8n":
      assert.equal(e.event, "Survey Submitted");
      assert.equal(e.anonymous_id, anon);
      assert.equal(e.user_id, user ? USER : undefined);
      return assert.match(e.timestamp, iso);
  }
  throw new Error("no contract for " + id);
}

/** The checks every request of preset `p` passes. */
function checkRequest(p, rec, serviceUrl) {
  const d = p.destination;
  const want = new URL(serviceUrl);
  assert.equal(rec.method, d.method, p.id);
  assert.equal(rec.path, want.pathname, p.id);
  assert.equal(rec.rawQuery, want.search.slice(1), p.id);
  assert.equal(mediaType(rec), CONTENT_TYPE[d.format], `${p.id}: content type`);
  assert.equal(header(rec, "authorization"), null, `${p.id}: nothing secret in a header`);
  checkAccepted(p.id, rec);
}

const browserPresets = PRESETS.filter((p) => p.browser.works);
// The random id the runtime keeps in first-party storage (src/js/runtime.js).
const anonymousId = (page) => page.evaluate(() => localStorage.getItem("wmwh2-anon"));

test("every preset that works from a browser is covered, and no other has a destination", () => {
  assert.deepEqual(browserPresets.map((p) => p.id).sort(), Object.keys(STANDIN_OF).sort());
  for (const p of PRESETS.filter((p) => !p.browser.works)) assert.equal(p.destination, undefined, p.id);
});

for (const p of browserPresets.filter((p) => !p.batch)) {
  test(`${p.id}: the documented request, accepted by the stand-in, once per delivery, without and with identify()`, async () => {
    const base = standinOf(p);
    await clear(base);
    const { serviceUrl, settings } = settingsOf(p);
    const { context, page, errors } = await open(settings);
    const anon = await anonymousId(page);
    assert.ok(anon, "the anonymous id is kept in first-party storage");
    assert.equal(await page.evaluate((s) => window.lab.hooks.emit("survey.submitted", s), SURVEY), 1);
    await settled(page, 1);
    await page.evaluate((u) => window.lab.hooks.identify(u), USER);
    assert.equal(await page.evaluate((s) => window.lab.hooks.emit("survey.submitted", s), SURVEY), 1);
    const all = await settled(page, 2);
    await page.evaluate(() => window.lab.flush());
    await sleep(300); // room for a repeat, if there were one
    const recs = await requests(base);
    const posts = recs.filter((r) => r.method === "POST");
    assert.equal(posts.length, 2, `${p.id}: one request per delivery, none repeated: ${JSON.stringify(recs.map((r) => [r.method, r.path, r.response.status]))}`);
    posts.forEach((rec, i) => {
      checkRequest(p, rec, serviceUrl);
      const events = eventsOf(p.id, rec);
      assert.equal(events.length, 1);
      checkEvent(p.id, events[0], { user: i === 1, anon });
    });
    // A preflight only where the preset needs one (a JSON body).
    const preflights = recs.filter((r) => r.method === "OPTIONS");
    if (p.destination.mode === "cors") assert.ok(preflights.length >= 1 && preflights.length <= 2, `${p.id}: preflights`);
    else assert.equal(preflights.length, 0, `${p.id}: no preflight`);
    // The module's account: read answers are delivered, hidden ones sent.
    const final = all.filter((r) => FINAL.has(r.outcome)).map((r) => r.outcome);
    assert.deepEqual(final, Array(2).fill(p.destination.mode === "no-cors" ? "sent" : "delivered"), JSON.stringify(all));
    assert.equal(all.filter((r) => r.outcome === "retry").length, 0, JSON.stringify(all));
    assert.deepEqual(realErrors(errors), []);
    await context.close();
  });
}

for (const p of browserPresets.filter((p) => p.batch)) {
  test(`${p.id}: several events in one request, within the documented batch limits, without and with identify()`, async () => {
    const base = standinOf(p);
    await clear(base);
    const { serviceUrl, settings } = settingsOf(p);
    const { context, page, errors } = await open(settings);
    const anon = await anonymousId(page);
    const n = 6;
    assert.ok(n <= p.batch.maxEvents);
    // All in one task, so no batch leaves half full before flush().
    await page.evaluate(
      ([s, user, n]) => {
        for (let i = 0; i < n; i++) {
          if (i === n / 2) window.lab.hooks.identify(user);
          window.lab.hooks.emit("survey.submitted", s);
        }
        return window.lab.flush();
      },
      [SURVEY, USER, n]
    );
    const all = await settled(page, n);
    await sleep(300);
    const recs = await requests(base);
    const posts = recs.filter((r) => r.method === "POST");
    assert.equal(posts.length, 1, `${p.id}: ${JSON.stringify(recs.map((r) => [r.method, r.path, r.response.status]))}`);
    checkRequest(p, posts[0], serviceUrl);
    const events = eventsOf(p.id, posts[0]);
    assert.equal(events.length, n);
    events.forEach((e, i) => checkEvent(p.id, e, { user: i >= n / 2, anon }));
    if (p.destination.mode === "cors") assert.ok(recs.some((r) => r.method === "OPTIONS"), `${p.id}: JSON needs a preflight`);
    else assert.equal(recs.filter((r) => r.method === "OPTIONS").length, 0, `${p.id}: no preflight`);
    assert.deepEqual(all.map((r) => r.outcome), Array(n).fill("delivered"), JSON.stringify(all));
    assert.deepEqual(realErrors(errors), []);
    await context.close();
  });
}

// Most events one request may carry, per the service's docs
// (docs/destinations.md): Amplitude 2000 (HTTP V2 and Batch), Segment 2500;
// PostHog documents bytes only (20 MB per /batch/).
const DOCUMENTED_MAX_EVENTS = { amplitude: 2000, "amplitude-batch": 2000, "segment-batch": 2500, "posthog-batch": Infinity };
const eventIdOf = (id, e) => e.insert_id ?? e.messageId ?? e.properties?.["event.id"];

for (const p of browserPresets.filter((p) => p.batch)) {
  test(`${p.id}: a full batch of ${p.batch.maxEvents} goes in as few requests as the limits allow, each event once`, async () => {
    const max = p.batch.maxEvents;
    assert.ok(max <= DOCUMENTED_MAX_EVENTS[p.id], `${p.id}: maxEvents within the documented limit`);
    const base = standinOf(p);
    await clear(base);
    const { serviceUrl, settings } = settingsOf(p);
    const { context, page, errors } = await open(settings);
    const anon = await anonymousId(page);
    await page.evaluate(
      ([s, n]) => {
        for (let i = 0; i < n; i++) window.lab.hooks.emit("survey.submitted", { ...s, "answer.value": i });
        return window.lab.flush();
      },
      [SURVEY, max]
    );
    const all = await settled(page, max, 30000);
    await sleep(300);
    const posts = (await requests(base)).filter((r) => r.method === "POST");
    const ids = [];
    for (const rec of posts) {
      checkRequest(p, rec, serviceUrl);
      assert.ok(rec.bodyBytes <= 32 * 1024, "within the module's 32 KiB per request");
      const events = eventsOf(p.id, rec);
      assert.ok(events.length > 1, `${p.id}: several events per request (${posts.map((r) => eventsOf(p.id, r).length)})`);
      for (const e of events) {
        checkEvent(p.id, e, { user: false, anon });
        ids.push(eventIdOf(p.id, e));
      }
    }
    assert.equal(ids.length, max, `${p.id}: every event sent`);
    assert.equal(new Set(ids).size, max, `${p.id}: none sent twice`);
    assert.ok(posts.length <= Math.ceil(max / 10), `${p.id}: ${posts.length} requests for ${max} events`);
    assert.deepEqual(all.map((r) => r.outcome), Array(max).fill("delivered"));
    assert.deepEqual(realErrors(errors), []);
    await context.close();
  });
}

// A destination whose answers carry no CORS headers, sent in `simple` mode
// (what a person might pick instead of the preset's no-cors): the first
// request leaves and its answer is hidden, which the module tells apart from
// a request that never left, so nothing is sent twice.
for (const id of ["ga4", "zapier", "make"]) {
  test(`${id} in simple mode: the hidden answer is not taken for a failure, one request per delivery`, async () => {
    const p = PRESETS.find((x) => x.id === id);
    const base = standinOf(p);
    await clear(base);
    const { serviceUrl, settings } = settingsOf(p, { mode: "simple" });
    const { context, page } = await open(settings);
    const anon = await anonymousId(page);
    for (let i = 0; i < 3; i++) {
      await page.evaluate((s) => window.lab.hooks.emit("survey.submitted", s), SURVEY);
      await settled(page, i + 1);
    }
    await sleep(300);
    const recs = await requests(base);
    const posts = recs.filter((r) => r.method === "POST");
    assert.equal(posts.length, 3, JSON.stringify(recs.map((r) => [r.method, r.path, r.response.status])));
    for (const rec of posts) {
      checkRequest(p, rec, serviceUrl);
      checkEvent(id, eventsOf(id, rec)[0], { user: false, anon });
    }
    assert.equal(recs.filter((r) => r.method === "OPTIONS").length, 0);
    const final = (await reports(page)).filter((r) => FINAL.has(r.outcome)).map((r) => r.outcome);
    assert.deepEqual(final, ["sent", "sent", "sent"]);
    await context.close();
  });
}

test("the package's presets.json is what the editor module's presets() returns", async () => {
  const packaged = JSON.parse(readFileSync(join(root, "pkg/presets.json"), "utf8"));
  assert.deepEqual(packaged, PRESETS, "pkg/presets.json is presets/presets.json");
  const pkg = JSON.parse(readFileSync(join(root, "pkg/package.json"), "utf8"));
  assert.equal(pkg.exports["./presets.json"], "./presets.json");
  assert.ok(pkg.files.includes("presets.json"));
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url + "test/lab.html");
  const [fromModule, served] = await page.evaluate(async () => {
    const editor = await import("/pkg/editor.js");
    await editor.default();
    return [editor.presets(), await (await fetch("/pkg/presets.json")).json()];
  });
  assert.deepEqual(fromModule, packaged);
  assert.deepEqual(served, packaged);
  await context.close();
});
