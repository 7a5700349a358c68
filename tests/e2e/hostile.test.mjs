// Hostile pages, stale state and bursts, in headless Chromium: one test per
// finding of the adversarial review (issue 15) that only a real page shows,
// through the public API on the lab page, asserting what the receiver got,
// stats(), onDelivery reports and timings. The engine's half is
// tests/hostile.rs; docs/guarantees.md lists both per item.
//
// Each test says how it fails on the module before the redesign (052d97b).
// "Shown": the test was run against a build of 052d97b and failed as said.
//
// The lab page is served by an in-process dev server; the destinations are
// on another origin ($WMWH_RECEIVER, or an extra receiver port), and
// `localhost` instead of `127.0.0.1` is a third origin on the same receiver.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, serve, until, watchErrors } from "./helpers.mjs";

let browser, server, R, OTHER;
before(async () => {
  const external = process.env.WMWH_RECEIVER;
  server = await serve({ receiverPorts: external ? [] : [0] });
  R = (external || `http://127.0.0.1:${server.receiverPorts[0]}`).replace(/\/$/, "");
  OTHER = R.replace("127.0.0.1", "localhost");
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

// ---- the receiver ----------------------------------------------------------------

async function api(path, init) {
  const r = await fetch(R + path, init);
  return r.json();
}
const received = (bucket) => api(`/api/requests?bucket=${encodeURIComponent(bucket)}`);
const clear = (bucket) => api(`/api/requests?bucket=${encodeURIComponent(bucket)}`, { method: "DELETE" });


// ---- the page --------------------------------------------------------------------

/** One destination `d` and one webhook `w` on survey.submitted. */
function oneDestination(bucket, dest = {}, webhook = {}) {
  return {
    version: 1,
    destinations: [{ id: "d", url: `${R}/hook/${bucket}`, ...dest }],
    webhooks: [{ id: "w", event: "survey.submitted", destination: "d", ...webhook }],
  };
}

/** A fresh context with the lab page, started on `settings` when given. */
async function open(settings, options = {}, { init } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  if (init) await page.addInitScript(init);
  await page.goto(server.url + "test/lab.html");
  if (settings) await page.evaluate((c) => window.lab.start(c), { settings, options });
  return { context, page, errors };
}

const emit = (page, type, props) => page.evaluate(([t, p]) => window.lab.hooks.emit(t, p), [type, props]);
const flush = (page) => page.evaluate(() => window.lab.hooks.flush());
const stats = (page) => page.evaluate(() => window.lab.hooks.stats());
const reports = (page) => page.evaluate(() => window.lab.reports);
const bodies = (got) => got.map((r) => JSON.parse(r.body));

// Chromium logs a 4xx/5xx answer and a refused redirect as console errors;
// those are the receiver's doing, not the page's.
const realErrors = (errors) => errors.filter((e) => !e.includes("Failed to load resource"));

// ---- 2. one bad value must not turn the module off -----------------------------------

// 052d97b: shown. The first of these values set stats().disabled and every
// later event was lost (no `skipped` counter, no "skipped" report existed).
test("2: hostile values in walkme:event and identify() are skipped and reported; the module stays on", async () => {
  const bucket = "ho-values";
  await clear(bucket);
  const { context, page, errors } = await open(oneDestination(bucket, {}, { properties: ["n", "list", "user.id", "user.plan"] }));
  const result = await page.evaluate(async () => {
    const hooks = window.lab.hooks;
    const fire = (detail) => dispatchEvent(new CustomEvent("walkme:event", { detail }));
    const after = [];
    const check = () => after.push(hooks.stats().disabled);
    // A `detail` getter that throws.
    const e = new CustomEvent("walkme:event");
    Object.defineProperty(e, "detail", {
      get() {
        throw new Error("hostile detail");
      },
    });
    dispatchEvent(e);
    check();
    // A Proxy array (readable), and one whose traps throw.
    fire({ type: "survey.submitted", properties: { n: 1, list: new Proxy([1, 2, 3], {}) } });
    fire({
      type: "survey.submitted",
      properties: {
        n: 2,
        list: new Proxy([1], {
          get() {
            throw new Error("trap");
          },
        }),
      },
    });
    check();
    // An array element getter that throws.
    const arr = ["a", "b"];
    Object.defineProperty(arr, 1, {
      get() {
        throw new Error("element");
      },
    });
    fire({ type: "survey.submitted", properties: { n: 3, list: arr } });
    check();
    // A revoked Proxy as a value, as the properties, as the detail.
    const r = Proxy.revocable({}, {});
    r.revoke();
    fire({ type: "survey.submitted", properties: { n: 4, list: r.proxy } });
    fire({ type: "survey.submitted", properties: r.proxy });
    dispatchEvent(new CustomEvent("walkme:event", { detail: r.proxy }));
    check();
    // A getter that calls back into the module while it reads the event.
    fire({
      type: "survey.submitted",
      properties: {
        n: 5,
        get list() {
          hooks.emit("survey.submitted", { n: 6 });
          hooks.stats();
          hooks.identify("inner");
          return [5];
        },
      },
    });
    check();
    // identify() with a user id whose toString throws, and a throwing trait.
    hooks.identify(
      {
        toString() {
          throw new Error("toString");
        },
      },
      {
        plan: "pro",
        get bad() {
          throw new Error("trait");
        },
      }
    );
    check();
    // Later events are delivered.
    hooks.emit("survey.submitted", { n: 7 });
    await hooks.flush();
    return { after, stats: hooks.stats() };
  });
  assert.deepEqual(result.after, [false, false, false, false, false, false], "never disabled");
  const got = await until(async () => {
    const g = await received(bucket);
    return g.length >= 8 && g;
  }, "8 deliveries");
  await flush(page);
  const byN = Object.fromEntries(bodies(got).map((b) => [b.n ?? "none", b]));
  assert.deepEqual(byN, {
    1: { n: 1, list: [1, 2, 3] },
    2: { n: 2 },
    3: { n: 3, list: ["a", null] },
    4: { n: 4 },
    none: {},
    5: { n: 5, list: [5], "user.id": "inner" },
    6: { n: 6 },
    7: { n: 7, "user.plan": "pro" },
  });
  const s = await stats(page);
  assert.equal(s.disabled, false);
  assert.equal(s.delivered, 8);
  // detail getter, trap, element, revoked value, revoked properties, revoked
  // detail, the user id, the trait.
  assert.equal(s.skipped, 8);
  const skipped = (await reports(page)).filter((r) => r.outcome === "skipped");
  assert.equal(skipped.length, 8);
  for (const r of skipped) {
    assert.match(r.error, /could not be read and was left out/);
    assert.deepEqual([r.webhookId, r.eventId, r.key], [null, null, null]);
  }
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

// ---- 3. storage is untrusted input ----------------------------------------------------

// 052d97b: shown. A v1 record held the whole request (URL, headers); the
// module sent it where it said, with the destination's token added: the
// planted URL got POST /v1 with "Authorization: Bearer PROVIDER-TOKEN" and
// X-Leak: 1.
test("3: records planted in localStorage go only where the settings send, with the provider's token, never where they say", async () => {
  const bucket = "ho-planted";
  await clear(bucket);
  await clear(bucket + "-evil");
  const { context, page, errors } = await open();
  const now = await page.evaluate(() => Date.now());
  const evil = `${OTHER}/hook/${bucket}-evil`;
  const owner = "00000000-dead-4000-8000-000000000000";
  const planted = {
    // The current format, with fields of its own pointing elsewhere.
    [`wmwh2:${owner}:p1:w`]: {
      v: 2,
      key: "p1:w",
      webhook: "w",
      destination: "evil",
      url: evil + "/v2",
      method: "PUT",
      headers: [["X-Leak", "1"]],
      event: { "event.id": "p1", n: 1 },
      attempts: 0,
      nextAt: now - 60000,
      createdAt: now - 60000,
      storedAt: now - 60000,
    },
    // The old format: a whole request.
    [`wmwh2:${owner}:p2:w`]: { v: 1, key: "p2:w", webhook: "w", destination: "d", event: "p2", method: "POST", url: evil + "/v1", mode: "cors", headers: [["X-Leak", "1"]], body: "{}", attempts: 0, nextAt: now - 60000, createdAt: now - 60000, storedAt: now - 60000 },
    [`wmwh1:${owner}:p3:w`]: { v: 1, key: "p3:w", webhook: "w", destination: "d", event: "p3", method: "POST", url: evil + "/v1", mode: "cors", headers: [["X-Leak", "1"]], body: "{}", attempts: 0, nextAt: now - 60000, createdAt: now - 60000, storedAt: now - 60000 },
    // A webhook that is not published.
    [`wmwh2:${owner}:p4:w-evil`]: { v: 2, key: "p4:w-evil", webhook: "w-evil", destination: "d", event: { "event.id": "p4" }, attempts: 0, nextAt: now, createdAt: now, storedAt: now - 60000 },
  };
  await page.evaluate((p) => {
    for (const [k, v] of Object.entries(p)) localStorage.setItem(k, JSON.stringify(v));
  }, planted);
  // The provider is registered in the same task as start(), before any
  // record is taken over.
  await page.evaluate(async (settings) => {
    const m = await import("/pkg/index.js");
    await m.default();
    const hooks = m.start(settings, {});
    hooks.setTokenProvider("d", () => "PROVIDER-TOKEN");
    hooks.onDelivery((r) => window.lab.reports.push(r));
    window.lab.hooks = hooks;
  }, oneDestination(bucket, { auth: { type: "bearer" } }, { properties: ["n", "event.id"] }));
  // Until a planted event arrived anywhere, and the module holds nothing.
  await until(async () => (await received(bucket)).length + (await received(bucket + "-evil")).length >= 1, "a planted event sent");
  await until(async () => (await stats(page)).queued === 0, "nothing left");
  await flush(page);
  const evilGot = await received(bucket + "-evil");
  assert.deepEqual(
    evilGot.map((r) => [r.path, r.headers.authorization]),
    [],
    "nothing reached the URL a record names"
  );
  const got = await received(bucket);
  assert.deepEqual(
    got.map((r) => [r.method, r.path, r.headers.authorization, r.headers["x-leak"], r.body]),
    [["POST", `/hook/${bucket}`, "Bearer PROVIDER-TOKEN", undefined, '{"n":1,"event.id":"p1"}']]
  );
  const rep = await reports(page);
  assert.deepEqual(
    rep.map((r) => [r.key, r.outcome]).sort(),
    [["p1:w", "delivered"], ["p4:w-evil", "dropped"]]
  );
  const s = await stats(page);
  assert.equal(s.resumed, 2);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

// ---- 6. redirects ------------------------------------------------------------------------

// 052d97b: shown. fetch followed redirects: a 307/308 to another origin
// carried X-Api-Key there, and a 302/303 turned the POST into a body-less GET
// whose 200 was reported "delivered".
test("6: a redirect to another origin is not followed, whatever its status; reported dropped, never delivered", async () => {
  const bucket = "ho-redirect";
  await clear(bucket);
  const target = `${OTHER}/hook/${bucket}/moved`;
  const statuses = [301, 302, 303, 307, 308];
  const settings = {
    version: 1,
    destinations: statuses.map((code) => ({
      id: "d" + code,
      url: `${R}/hook/${bucket}/old${code}?redirect=${encodeURIComponent(target)}&redirectStatus=${code}`,
      headers: [{ name: "X-Api-Key", value: "SECRET-KEY" }],
    })),
    webhooks: statuses.map((code) => ({ id: "w" + code, event: "survey.submitted", destination: "d" + code, properties: ["n"] })),
  };
  const { context, page, errors } = await open(settings);
  await emit(page, "survey.submitted", { n: 1 });
  await until(async () => (await reports(page)).length === statuses.length, "a report per destination");
  await flush(page);
  const got = await received(bucket);
  assert.deepEqual(
    got.map((r) => [r.method, r.path, r.status, r.headers["x-api-key"]]).sort(),
    statuses.map((c) => ["POST", `/hook/${bucket}/old${c}`, c, "SECRET-KEY"]).sort(),
    "only the destinations themselves, never the redirect's target"
  );
  const rep = await reports(page);
  assert.ok(rep.every((r) => r.outcome === "dropped" && /redirect/.test(r.error)), JSON.stringify(rep));
  const s = await stats(page);
  assert.deepEqual([s.delivered, s.dropped, s.queued], [0, statuses.length, 0]);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

// ---- 7. emit() then stop() ---------------------------------------------------------------

// 052d97b: shown. stop() dropped the delivery that the emit had only
// queued: nothing was stored, and the next page had nothing to send.
test("7: emit() then stop() in the same task: the event is stored and delivered after a reload", async () => {
  const bucket = "ho-stop";
  await clear(bucket);
  const { context, page, errors } = await open(oneDestination(bucket, {}, { properties: ["n"] }));
  const left = await page.evaluate(() => {
    const hooks = window.lab.hooks;
    const matched = hooks.emit("survey.submitted", { "event.id": "last-words", n: 42 });
    hooks.stop();
    hooks.stop(); // idempotent
    const keys = Object.keys(localStorage).filter((k) => k.startsWith("wmwh2:"));
    return { matched, keys, emitted: hooks.emit("survey.submitted", { n: 43 }) };
  });
  assert.equal(left.matched, 1);
  assert.equal(left.keys.length, 1, "stored at stop()");
  assert.match(left.keys[0], /:last-words:w$/);
  assert.equal(left.emitted, 0, "a stopped module takes no more events");
  assert.deepEqual(await received(bucket), [], "nothing sent by the stopped page");
  await page.reload(); // the lab page starts the module again
  const got = await until(async () => {
    const g = await received(bucket);
    return g.length >= 1 && g;
  }, "the event, from the next page");
  await until(async () => (await page.evaluate(() => window.lab.stats()))?.delivered === 1, "delivered");
  assert.deepEqual(bodies(got), [{ n: 42 }]);
  const s = await stats(page);
  assert.deepEqual([s.resumed, s.delivered, s.stored], [1, 1, 0]);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

// ---- 8. emits that carry their own event.id --------------------------------------------

// 052d97b: shown (per-emit cost grew with the number emitted).
test("8: 20,000 emits with their own event.id: the last 5,000 cost no more per emit than the first 5,000", async (t) => {
  const { context, page, errors } = await open(oneDestination("ho-ids"));
  // Offline: nothing is sent while the emits are measured.
  await context.setOffline(true);
  await until(() => page.evaluate(() => !navigator.onLine), "offline");
  const marks = await page.evaluate(() => {
    const hooks = window.lab.hooks;
    const marks = [performance.now()];
    for (let i = 0; i < 20000; i++) {
      hooks.emit("survey.submitted", { "event.id": "own-" + i, n: i });
      if ((i + 1) % 5000 === 0) marks.push(performance.now());
    }
    return marks;
  });
  const per = marks.slice(1).map((m, i) => ((m - marks[i]) / 5000) * 1000); // µs per emit
  t.diagnostic(`µs per emit by 5,000: ${per.map((x) => x.toFixed(1)).join(", ")}; 20,000 in ${(marks[4] - marks[0]).toFixed(0)} ms`);
  // Quadratic work makes the last 5,000 seven times the first; the first
  // ones also pay for the engine's warm-up.
  assert.ok(per[3] < per[0] * 2 + 5, `µs per emit: ${per.join(", ")}`);
  assert.ok(marks[4] - marks[0] < 4000, `20,000 emits took ${marks[4] - marks[0]} ms`);
  const s = await stats(page);
  assert.equal(s.matched, 20000);
  assert.equal(s.disabled, false);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

// ---- 9. token sources that never answer -------------------------------------------------

// 052d97b: shown. The deliveries waited for the token for ever: no report,
// and flush() never resolved.
test("9: a token provider that never resolves and an OAuth endpoint that never answers: reported after timeoutMs, flush() resolves", async () => {
  const bucket = "ho-token-hang";
  await clear(bucket);
  await clear(bucket + "-tok");
  const settings = {
    version: 1,
    destinations: [
      { id: "p", url: `${R}/hook/${bucket}/p`, auth: { type: "bearer" }, timeoutMs: 500, maxAttempts: 2 },
      {
        id: "o",
        url: `${R}/hook/${bucket}/o`,
        auth: { type: "oauth2", tokenUrl: `${R}/hook/${bucket}-tok?delay=60000`, clientId: "c", clientSecret: "s" },
        timeoutMs: 500,
        maxAttempts: 2,
      },
    ],
    webhooks: [
      { id: "wp", event: "survey.submitted", destination: "p" },
      { id: "wo", event: "survey.submitted", destination: "o" },
    ],
  };
  const { context, page, errors } = await open(settings, { backoff: { baseMs: 200, maxMs: 200 } });
  const r = await page.evaluate(async () => {
    const hooks = window.lab.hooks;
    hooks.setTokenProvider("p", () => new Promise(() => {}));
    const t0 = performance.now();
    hooks.emit("survey.submitted", { n: 1 });
    // flush() resolves once nothing is in flight and nothing is due.
    const settled = await Promise.race([hooks.flush().then(() => "resolved"), new Promise((r) => setTimeout(() => r("pending"), 5000))]);
    return { settled, ms: performance.now() - t0 };
  });
  assert.equal(r.settled, "resolved");
  assert.ok(r.ms >= 400 && r.ms < 3000, `flush() after ${r.ms} ms`);
  const rep = await until(async () => {
    const all = await reports(page);
    return all.filter((x) => x.outcome === "failed").length === 2 && all;
  }, "both deliveries failed");
  for (const dest of ["p", "o"]) {
    const mine = rep.filter((x) => x.destinationId === dest).map((x) => [x.outcome, x.attempt]);
    assert.deepEqual(mine, [["retry", 1], ["failed", 2]], dest);
  }
  assert.ok(rep.every((x) => /could not get a token/.test(x.error)), JSON.stringify(rep.map((x) => x.error)));
  assert.deepEqual(await received(bucket), [], "nothing sent without a token");
  assert.ok((await received(bucket + "-tok")).length >= 1, "the token endpoint was asked");
  const s = await stats(page);
  assert.deepEqual([s.failed, s.queued, s.inFlight], [2, 0, 0]);
  assert.equal(await page.evaluate(() => window.lab.hooks.flush().then(() => "resolved")), "resolved");
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

// Weak test: removing a token provider. 052d97b passes it too (the review
// found the behaviour unpinned: a deliberate bug survived); the engine half,
// tests/hostile.rs, fails under that bug.
test("a removed token provider's token is not sent again; the delivery fails with a reason", async () => {
  const bucket = "ho-provider-removed";
  await clear(bucket);
  const { context, page, errors } = await open(oneDestination(bucket, { auth: { type: "bearer" }, maxAttempts: 1 }, { properties: ["n"] }));
  await page.evaluate(async () => {
    const hooks = window.lab.hooks;
    hooks.setTokenProvider("d", () => "PROVIDED");
    hooks.emit("survey.submitted", { n: 1 });
    await hooks.flush();
  });
  await until(async () => (await stats(page)).delivered === 1, "the first delivered");
  await page.evaluate(async () => {
    window.lab.hooks.setTokenProvider("d", null);
    window.lab.hooks.emit("survey.submitted", { n: 2 });
    await window.lab.hooks.flush();
  });
  const rep = await until(async () => {
    const all = await reports(page);
    return all.length === 2 && all;
  }, "two reports");
  assert.deepEqual(rep.map((r) => r.outcome), ["delivered", "failed"]);
  assert.match(rep[1].error, /setTokenProvider/);
  const got = await received(bucket);
  assert.deepEqual(got.map((r) => [r.headers.authorization, r.body]), [["Bearer PROVIDED", '{"n":1}']]);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

// ---- 10. oversized page properties and a corrupted session --------------------------

// 052d97b: shown. The page URL and title were taken whole: every event
// passed the request cap and was dropped; the stored session id was used
// as it was.
test("10: a 40 KB page URL and title and a corrupted stored session: events delivered, the fields cut, the session id replaced", async () => {
  const bucket = "ho-context";
  await clear(bucket);
  const { context, page, errors } = await open();
  await page.evaluate(() => {
    const huge = "x".repeat(40000);
    history.replaceState(null, "", location.pathname + "?q=" + huge + "#frag");
    document.title = "T".repeat(40000);
    for (const k of ["wmwh2-session", "wmwh1-session"]) sessionStorage.setItem(k, JSON.stringify({ id: "s".repeat(40000), start: 1 }));
  });
  await page.evaluate((c) => window.lab.start(c), {
    settings: oneDestination(bucket, {}, { properties: ["n", "page.url", "page.title", "session.id"] }),
    options: {},
  });
  await emit(page, "survey.submitted", { n: 1 });
  // A corrupted session of another shape, and a 40 KB URL set by the app
  // after start (a navigation within the page).
  await page.evaluate(() => {
    sessionStorage.setItem("wmwh2-session", "{not json");
    history.pushState(null, "", location.pathname + "?again=" + "y".repeat(40000));
    window.lab.hooks.emit("survey.submitted", { n: 2 });
  });
  const got = await until(async () => {
    const g = await received(bucket);
    return g.length >= 2 && g;
  }, "both events");
  await flush(page);
  const [a, b] = bodies(got).sort((x, y) => x.n - y.n);
  for (const body of [a, b]) {
    assert.ok(body["page.url"].length <= 2048 && body["page.url"].length > 1000, "page.url cut: " + body["page.url"].length);
    assert.ok(body["page.title"].length <= 2048 && body["page.title"].startsWith("TTT"), "page.title cut");
    // Each corrupted session is replaced by a fresh id (and kept).
    assert.match(body["session.id"], /^[0-9a-f-]{36}$/, "a fresh session id");
    assert.ok(!body["page.url"].includes("#"), "no fragment");
  }
  assert.ok(a["page.url"].includes("?q=xxx") && b["page.url"].includes("?again=yyy"));
  const kept = await page.evaluate(() => JSON.parse(sessionStorage.getItem("wmwh2-session")).id);
  assert.equal(kept, b["session.id"], "the replacement is stored for the tab");
  const s = await stats(page);
  assert.deepEqual([s.delivered, s.dropped], [2, 0]);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

// ---- 11. a reload during a burst -----------------------------------------------------

// 052d97b: shown (duplicates well past the in-flight bound).
test("11: a reload during a burst: a non-idempotent destination gets each delivery at most once, plus at most the requests in flight", async (t) => {
  const bucket = "ho-burst";
  await clear(bucket);
  const N = 1200;
  const IN_FLIGHT = 8; // per destination (Limits::in_flight_per_destination)
  const { context, page, errors } = await open(
    oneDestination(bucket, { url: `${R}/hook/${bucket}?delay=20` }, { properties: ["event.id"] }),
    { backoff: { baseMs: 200, maxMs: 1000 } }
  );
  // A beacon as the page goes marks the moment at the receiver.
  await page.evaluate((url) => addEventListener("pagehide", () => navigator.sendBeacon(url, "hide")), `${R}/hook/${bucket}-hide`);
  await clear(bucket + "-hide");
  await page.evaluate((n) => window.lab.emitRange("survey.submitted", "burst", 0, n), N);
  // The page reloads once about a quarter has arrived.
  await until(async () => (await received(bucket)).length >= N / 4, "a quarter delivered", 30000);
  const atReload = (await received(bucket)).length;
  await page.reload();
  const ids = (got) => got.map((r) => JSON.parse(r.body)["event.id"]);
  await until(async () => new Set(ids(await received(bucket))).size === N, "every event at the receiver", 60000);
  await until(async () => (await page.evaluate(() => window.lab.stats()))?.queued === 0, "the next page is done", 20000);
  const got = await received(bucket);
  const [hide] = await received(bucket + "-hide");
  const count = new Map();
  for (const id of ids(got)) count.set(id, (count.get(id) || 0) + 1);
  const dups = [...count].filter(([, c]) => c > 1);
  const first = new Map();
  for (const r of got) {
    const id = JSON.parse(r.body)["event.id"];
    if (!first.has(id)) first.set(id, r.at);
  }
  const s = await stats(page);
  t.diagnostic(
    `${N} deliveries, ${got.length} requests, ${atReload} before the reload, ${dups.length} delivered twice ` +
      `(${((dups.length / N) * 100).toFixed(1)} %); next page: resumed ${s.resumed}, delivered ${s.delivered}, sent (keepalive, not resent) ${s.opaque}`
  );
  assert.equal(count.size, N, "nothing lost");
  assert.ok(dups.every(([, c]) => c === 2), "never more than twice");
  assert.ok(dups.length <= IN_FLIGHT, `${dups.length} duplicates; at most the ${IN_FLIGHT} requests in flight`);
  // A duplicate is a request that was in flight as the page went: it had
  // arrived before the page hid, and its answer was lost with the page.
  assert.ok(hide, "the page-hide beacon (the module's keep-alive requests left room for it)");
  assert.ok(
    dups.every(([id]) => first.get(id) <= hide.at),
    "every duplicate first arrived before the page hid: " + dups.map(([id]) => id + "@" + (first.get(id) - hide.at)).join(", ")
  );
  await context.close();
  assert.deepEqual(realErrors(errors), []);
});

// ---- 12. cyclic, huge and throwing values --------------------------------------------

// 052d97b: shown. One such value dropped every other property of the event.
test("12: a cyclic value, a huge value and a throwing getter: the other properties arrive", async () => {
  const bucket = "ho-shapes";
  await clear(bucket);
  const { context, page, errors } = await open(oneDestination(bucket, {}, { properties: ["a", "ok", "cyc", "big", "arr", "deep", "bad"] }));
  await page.evaluate(() => {
    const cyc = { name: "c" };
    cyc.self = cyc;
    let deep = { leaf: 1 };
    for (let i = 0; i < 12; i++) deep = { d: deep };
    window.lab.hooks.emit("survey.submitted", {
      a: 1,
      cyc,
      big: "x".repeat(100000),
      get bad() {
        throw new Error("hostile getter");
      },
      arr: [1, cyc],
      deep,
      ok: "yes",
    });
  });
  const got = await until(async () => {
    const g = await received(bucket);
    return g.length >= 1 && g;
  }, "the event");
  await flush(page);
  const [body] = bodies(got);
  assert.equal(body.a, 1);
  assert.equal(body.ok, "yes");
  assert.deepEqual(body.cyc, { name: "c", self: null });
  assert.deepEqual(body.arr, [1, { name: "c", self: null }]);
  assert.equal(body.big, "x".repeat(8192));
  assert.ok(!("bad" in body));
  let depth = 0;
  for (let d = body.deep; d && typeof d === "object"; d = d.d) depth++;
  assert.ok(depth >= 6 && depth <= 8, "deep cut at 8 levels: " + depth);
  const s = await stats(page);
  assert.equal(s.delivered, 1);
  assert.ok(s.skipped >= 3, "the getter, the cycles and the depth counted: " + s.skipped);
  assert.equal(s.disabled, false);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

// ---- 13. the clock ----------------------------------------------------------------------

// 052d97b: shown. The retry was due at a wall-clock time; set back an hour,
// it waited an hour.
test("13: the clock set back an hour after a 503: the retry still comes within its backoff", async () => {
  const bucket = "ho-clock";
  await clear(bucket);
  const { context, page, errors } = await open(oneDestination(bucket, { url: `${R}/hook/${bucket}?fail=1`, idempotencyHeader: true }, { properties: ["n"] }), {
    backoff: { baseMs: 1000, maxMs: 1000 },
  });
  await page.evaluate(() => {
    window.lab.hooks.onDelivery((r) => {
      if (r.outcome === "retry" && !window.__setBack) {
        window.__setBack = performance.now();
        const real = Date.now.bind(Date);
        Date.now = () => real() - 3600e3;
      }
    });
    window.lab.hooks.emit("survey.submitted", { n: 1 });
  });
  const got = await until(async () => {
    const g = await received(bucket);
    return g.length >= 2 && g;
  }, "the retry", 8000);
  const gap = got[1].at - got[0].at;
  assert.deepEqual(got.map((r) => r.status), [503, 200]);
  assert.ok(gap >= 400 && gap < 3000, `retry ${gap} ms after the 503 (backoff 0.5–1 s)`);
  await until(async () => (await stats(page)).delivered === 1, "delivered");
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

// ---- 14. 100,000 emits in a loop --------------------------------------------------------

// Captures the module's WebAssembly.Memory as the page instantiates it, and
// times every timer and worker-message callback (the module's deferred
// work runs in those).
function instrument() {
  window.__callbacks = [];
  const timed = (f) =>
    function () {
      const t = performance.now();
      try {
        return f.apply(this, arguments);
      } finally {
        window.__callbacks.push([t, performance.now() - t]);
      }
    };
  const setTimer = window.setTimeout;
  window.setTimeout = function (f, ms, ...a) {
    return setTimer(typeof f === "function" ? timed(f) : f, ms, ...a);
  };
  const W = window.Worker;
  window.Worker = class extends W {
    set onmessage(f) {
      super.onmessage = timed(f);
    }
    get onmessage() {
      return super.onmessage;
    }
  };
  window.__memories = [];
  const keep = (exports) => {
    for (const v of Object.values(exports || {})) if (v instanceof WebAssembly.Memory) window.__memories.push(v);
  };
  const streaming = WebAssembly.instantiateStreaming;
  if (streaming)
    WebAssembly.instantiateStreaming = async function (...a) {
      const r = await streaming.apply(this, a);
      keep(r.instance.exports);
      return r;
    };
  const plain = WebAssembly.instantiate;
  WebAssembly.instantiate = async function (...a) {
    const r = await plain.apply(this, a);
    keep((r.instance || r).exports);
    return r;
  };
}

// 052d97b: shown. The deferred work made one 1.6–2.2 s task and wasm
// memory grew from 1.1 to 69 MB.
test("14: 100,000 emit() in a loop: the module's deferred work runs in slices, and wasm memory stays bounded", async (t) => {
  const bucket = "ho-flood";
  await clear(bucket);
  const { context, page, errors } = await open(oneDestination(bucket, {}, { properties: ["n"] }), {}, { init: instrument });
  const r = await page.evaluate(async () => {
    const hooks = window.lab.hooks;
    const mem = () => window.__memories.reduce((n, m) => n + m.buffer.byteLength, 0);
    const long = [];
    new PerformanceObserver((l) => long.push(...l.getEntries().map((e) => [e.startTime, e.duration]))).observe({ type: "longtask" });
    const before = mem();
    const t0 = performance.now();
    for (let i = 0; i < 100000; i++) hooks.emit("survey.submitted", { n: i });
    const t1 = performance.now();
    // Runs after the module's own microtask (queued by the first emit).
    const t2 = await new Promise((r) => queueMicrotask(() => r(performance.now())));
    // Then the rest of the deferred work, in tasks of its own: the records
    // of the 2,000 held deliveries written, while they are being sent.
    const stored = () => {
      const s = hooks.stats();
      return s.stored === s.queued;
    };
    for (const end = t1 + 30000; !stored() && performance.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    const storedMs = performance.now() - t1;
    // And sending for 3 s more.
    const sentBefore = hooks.stats().delivered;
    await new Promise((r) => setTimeout(r, 3000));
    const sentDuring = hooks.stats().delivered - sentBefore;
    return {
      loopMs: t1 - t0,
      microtaskMs: t2 - t1,
      callbacks: window.__callbacks.filter(([start]) => start >= t2).map(([, d]) => d),
      longAfterLoop: long.filter(([start]) => start >= t2 - 1).map(([, d]) => d),
      storedMs,
      sentDuring,
      before,
      after: mem(),
      memories: window.__memories.length,
      stats: hooks.stats(),
    };
  });
  const longest = Math.max(r.microtaskMs, ...r.callbacks);
  t.diagnostic(
    `loop ${r.loopMs.toFixed(0)} ms (the page's own task); deferred: ${r.microtaskMs.toFixed(1)} ms in the emit task's microtask, ` +
      `then ${r.callbacks.length} callbacks (longest ${Math.max(0, ...r.callbacks).toFixed(1)} ms); ` +
      `long tasks after the loop (any cause, GC included): ${r.longAfterLoop.length} (max ${Math.max(0, ...r.longAfterLoop).toFixed(0)} ms); ` +
      `all held records written ${r.storedMs.toFixed(0)} ms after the loop; ${r.sentDuring} delivered in the next 3 s; ` +
      `wasm memory ${(r.before / 1048576).toFixed(1)} → ${(r.after / 1048576).toFixed(1)} MB; ` +
      `matched ${r.stats.matched}, dropped ${r.stats.dropped}, queued ${r.stats.queued}`
  );
  assert.equal(r.memories, 1, "the module's memory was found");
  // Slices of 50 ms (checked every 16 effects); a margin for a busy machine.
  assert.ok(longest < 80, `longest piece of the module's deferred work: ${longest} ms`);
  assert.ok(r.after - r.before <= 8 * 1048576, `wasm memory grew by ${(r.after - r.before) / 1048576} MB`);
  assert.equal(r.stats.matched, 100000);
  assert.equal(r.stats.disabled, false);
  assert.ok(r.stats.queued <= 2000, "held: the queue bound");
  // Past the bound (2,000 deliveries or 1 MiB of records) the oldest are dropped.
  assert.ok(r.stats.dropped >= 100000 - 2000, "dropped: " + r.stats.dropped);
  assert.equal(r.stats.matched, r.stats.delivered + r.stats.dropped + r.stats.queued + r.stats.failed + r.stats.opaque);
  assert.ok(r.storedMs < 10000, `records written ${r.storedMs} ms after the loop`);
  assert.ok(r.sentDuring > 0, "still delivering");
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

// ---- 15. two destinations on one host, one hanging --------------------------------------

// 052d97b: shown. The hanging destination held all six HTTP/1.1
// connections to the host; the other one's requests waited for its timeouts.
test("15: two destinations on one host, one hanging: the other still delivers promptly", async () => {
  const bucket = "ho-host";
  await clear(bucket);
  const settings = {
    version: 1,
    destinations: [
      { id: "hang", url: `${R}/hook/${bucket}/hang?delay=20000`, timeoutMs: 15000 },
      { id: "ok", url: `${R}/hook/${bucket}/ok` },
    ],
    webhooks: [
      { id: "wh", event: "survey.submitted", destination: "hang", properties: ["n"] },
      { id: "wo", event: "launcher.clicked", destination: "ok", properties: ["n"] },
    ],
  };
  const { context, page, errors } = await open(settings);
  await page.evaluate(() => window.lab.emitRange("survey.submitted", "hang", 0, 20));
  await until(async () => (await received(bucket)).filter((r) => r.path.endsWith("/hang")).length >= 5, "the hanging requests");
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = Date.now();
    await emit(page, "launcher.clicked", { n: i });
    await until(async () => (await received(bucket)).filter((r) => r.path.endsWith("/ok")).length === i + 1, "ok #" + i, 20000);
    times.push(Date.now() - t0);
  }
  assert.ok(times.every((ms) => ms < 3000), "each delivered promptly: " + times.join(", ") + " ms");
  const hanging = (await received(bucket)).filter((r) => r.path.endsWith("/hang")).length;
  assert.ok(hanging < 6, `the hanging destination holds ${hanging} of the host's 6 connections`);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

// ---- weak: the cross-tab adoption margin --------------------------------------------

// Weak test (a deliberate bug survived). 052d97b fails it, but only because
// it reads no wmwh2: records; with the margin check removed from the built
// module, the second half fails (taken over 62 ms after start).
test("the adoption margin: a live tab's records are never taken; a closed tab's fresh records wait 2 s, then go", async () => {
  const bucket = "ho-margin";
  await clear(bucket);
  const context = await browser.newContext();
  const cfg = (backoff) => ({ settings: oneDestination(bucket, { url: `${R}/hook/${bucket}?fail=1`, idempotencyHeader: true }, { properties: ["n"] }), options: { backoff } });
  // Tab A: its delivery fails once and waits 4 s for its retry (stored, lock held).
  const a = await context.newPage();
  await a.goto(server.url + "test/lab.html");
  await a.evaluate((c) => window.lab.start(c), cfg({ baseMs: 8000, maxMs: 8000 }));
  await a.evaluate(() => window.lab.hooks.emit("survey.submitted", { "event.id": "live", n: 1 }));
  await until(async () => (await a.evaluate(() => window.lab.stats())).retrying === 1, "A waits for its retry");
  // Tab B starts meanwhile and stays past its second look (margin + 0.5 s).
  const b = await context.newPage();
  await b.goto(server.url + "test/lab.html");
  await b.evaluate((c) => window.lab.start(c), cfg({ baseMs: 100, maxMs: 100 }));
  const startedB = Date.now();
  // A delivers its own retry (4–8 s); B never took it.
  await until(async () => (await a.evaluate(() => window.lab.stats())).delivered === 1, "A's retry", 15000);
  assert.ok(Date.now() - startedB > 2500, "B looked twice meanwhile");
  assert.equal((await b.evaluate(() => window.lab.stats())).resumed, 0);
  assert.deepEqual((await received(bucket)).map((r) => r.status), [503, 200]);
  await a.close();
  await b.close();
  // A closed tab's record written just now: a new page leaves it for the
  // margin (its owner may be a page still starting), then takes it.
  await clear(bucket);
  const c = await context.newPage();
  await c.goto(server.url + "test/lab.html");
  await c.evaluate(() => {
    const now = Date.now();
    const r = { v: 2, key: "fresh:w", webhook: "w", destination: "d", event: { "event.id": "fresh", n: 2 }, attempts: 1, nextAt: now, createdAt: now, storedAt: now };
    localStorage.setItem("wmwh2:00000000-0000-4000-8000-00000000c105:fresh:w", JSON.stringify(r));
  });
  const t0 = Date.now();
  await c.evaluate((x) => window.lab.start(x), { settings: oneDestination(bucket, {}, { properties: ["n"] }), options: {} });
  const got = await until(async () => {
    const g = await received(bucket);
    return g.length >= 1 && g;
  }, "the fresh record, after the margin", 10000);
  const waited = got[0].at - t0;
  assert.ok(waited >= 1500 && waited < 6000, `taken over ${waited} ms after start (margin 2 s, second look at 2.5 s)`);
  assert.deepEqual(bodies(got), [{ n: 2 }]);
  await context.close();
});

// ---- the public entry (index.js) and the loader --------------------------------------

// 052d97b: shown. Its errors had no `code`; its loader booted once: invalid
// settings first, and later valid ones were never started.
test("index.js: SettingsError is { name, message, errors: [{ path, code, message }] }; stop() is idempotent and safe", async () => {
  const { context, page, errors } = await open();
  const r = await page.evaluate(async () => {
    const m = await import("/pkg/index.js");
    await m.default();
    const caught = (f) => {
      try {
        f();
        return null;
      } catch (e) {
        return { isSettingsError: e instanceof m.SettingsError, isError: e instanceof Error, name: e.name, message: e.message, errors: e.errors };
      }
    };
    const cyclic = { version: 1 };
    cyclic.self = cyclic;
    const out = {
      invalid: caught(() => m.start({ version: 1, destinations: [{ id: "d", url: "http://example.com/x" }], webhooks: [{ id: "w", event: "nope", destination: "x" }] })),
      cyclic: caught(() => m.start(cyclic)),
      text: caught(() => m.start("{not json")),
    };
    const hooks = m.start({ version: 1, destinations: [{ id: "d", url: "http://127.0.0.1:1/x" }], webhooks: [] });
    out.update = caught(() => hooks.update({ version: 3 }));
    hooks.stop();
    const afterStop = [];
    for (const f of [() => hooks.stop(), () => hooks.emit("survey.submitted", {}), () => hooks.identify("u"), () => hooks.update({ version: 1, destinations: [], webhooks: [] }), () => hooks.setTokenProvider("d", () => "t"), () => hooks.onDelivery(() => {}), () => hooks.stats()]) {
      try {
        afterStop.push(f() ?? "ok");
      } catch (e) {
        afterStop.push("threw " + e);
      }
    }
    out.afterStop = afterStop;
    out.flush = await Promise.race([hooks.flush().then(() => "resolved"), new Promise((r) => setTimeout(() => r("pending"), 2000))]);
    return out;
  });
  for (const k of ["invalid", "cyclic", "text", "update"]) {
    const e = r[k];
    assert.ok(e, k + " threw");
    assert.deepEqual([e.isSettingsError, e.isError, e.name], [true, true, "SettingsError"], k);
    assert.ok(Array.isArray(e.errors) && e.errors.length > 0, k);
    for (const x of e.errors) {
      assert.deepEqual(Object.keys(x).sort(), ["code", "message", "path"], k + ": " + JSON.stringify(x));
      assert.ok([x.path, x.code, x.message].every((v) => typeof v === "string" && v.length > 0), k + ": " + JSON.stringify(x));
      assert.ok(e.message.includes(x.path + ": " + x.message), k + ": the message lists " + x.path);
    }
  }
  const paths = r.invalid.errors.map((x) => x.path);
  assert.ok(["destinations[0].url", "webhooks[0].event", "webhooks[0].destination"].every((p) => paths.includes(p)), paths.join(", "));
  assert.equal(r.cyclic.errors[0].code, "invalid_json");
  assert.equal(r.update.errors[0].path, "version");
  assert.equal(r.afterStop[0], "ok");
  assert.equal(r.afterStop[1], 0, "emit after stop matches nothing");
  assert.ok(r.afterStop.every((x) => !String(x).startsWith("threw")), r.afterStop.join(", "));
  assert.equal(r.afterStop[6].disabled, false, "stopped is not disabled");
  assert.equal(r.flush, "resolved");
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test("loader: settings assigned after it loaded (twice, the first invalid) start one module on the last valid ones", async () => {
  const bucket = "ho-loader";
  await clear(bucket);
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  const warnings = [];
  page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
  await page.goto(server.url + "test/loader-late.html");
  await until(() => page.evaluate(() => !!Object.getOwnPropertyDescriptor(window, "walkmeWebhookSettings")?.set), "the loader waits for settings");
  const settings = (path) => ({
    version: 1,
    destinations: [{ id: "d", url: `${R}/hook/${bucket}/${path}` }],
    webhooks: [{ id: "w", event: "launcher.clicked", destination: "d", properties: ["item.name"] }],
  });
  await page.evaluate(
    ([a, b]) => {
      window.__ready = 0;
      addEventListener("walkme:webhooks-ready", () => window.__ready++);
      // An event before any settings: kept and replayed.
      dispatchEvent(new CustomEvent("walkme:event", { detail: { type: "launcher.clicked", properties: { "item.name": "early" } } }));
      window.walkmeWebhookSettings = { version: 1, webhooks: "not a list" };
      window.walkmeWebhookSettings = a;
      window.walkmeWebhookSettings = b;
    },
    [settings("first"), settings("second")]
  );
  await until(() => page.evaluate(() => window.__ready >= 1), "ready");
  await page.evaluate(() => dispatchEvent(new CustomEvent("walkme:event", { detail: { type: "launcher.clicked", properties: { "item.name": "later" } } })));
  await page.evaluate(() => window.walkmeWebhooks.flush());
  const got = await until(async () => {
    const g = await received(bucket);
    return g.length >= 2 && g;
  }, "both events");
  await page.evaluate(() => window.walkmeWebhooks.flush());
  const s = await page.evaluate(() => window.walkmeWebhooks.stats());
  const all = await received(bucket);
  assert.deepEqual(
    all.map((r) => [r.path, r.body]).sort(),
    [
      [`/hook/${bucket}/second`, '{"item.name":"early"}'],
      [`/hook/${bucket}/second`, '{"item.name":"later"}'],
    ],
    "one module, on the last settings"
  );
  assert.equal(got.length, 2);
  assert.equal(await page.evaluate(() => window.__ready), 1, "started once");
  assert.equal(s.matched, 2);
  assert.ok(warnings.some((w) => w.includes("settings refused")), "the invalid ones were refused with a warning: " + warnings.join(" | "));
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test("loader: invalid inline settings are refused with a warning; nothing throws into the page", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  const warnings = [];
  page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
  await page.addInitScript(() => {
    window.walkmeWebhookSettings = { version: 1, destinations: [{ id: "d", url: "ftp://example.com" }], webhooks: [] };
  });
  await page.goto(server.url + "test/loader-late.html");
  await until(() => warnings.some((w) => w.includes("settings refused")), "the warning");
  assert.match(warnings.find((w) => w.includes("settings refused")), /destinations\[0\]\.url/);
  assert.equal(await page.evaluate(() => typeof window.walkmeWebhooks), "undefined");
  // The page's own use of the channel still works.
  assert.equal(await page.evaluate(() => dispatchEvent(new CustomEvent("walkme:event", { detail: { type: "launcher.clicked" } }))), true);
  assert.deepEqual(errors, []);
  await context.close();
});
