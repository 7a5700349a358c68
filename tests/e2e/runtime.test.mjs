// The visitor runtime in headless Chromium, driven through its public
// JavaScript API (pkg/index.js: init, start, Hooks) on the lab page, and the
// editor module (pkg/editor.js) for the catalog and validation. Every test
// asserts what a real receiver got (method, path, query, headers, body byte
// for byte) and what the module reported (stats, onDelivery).
//
// The lab page is served by an in-process dev server (www/server.mjs); the
// destinations are on another origin, so CORS (preflights, simple requests,
// opaque answers) happens as it does on a customer's page. That origin is
// $WMWH_RECEIVER when set (the receiver `npm test` starts), otherwise an
// extra receiver port of the in-process server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, serve, watchErrors } from "./helpers.mjs";

let browser, server, R;
before(async () => {
  const external = process.env.WMWH_RECEIVER;
  server = await serve({ receiverPorts: external ? [] : [0] });
  R = (external || `http://127.0.0.1:${server.receiverPorts[0]}`).replace(/\/$/, "");
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

// ---- the receiver -------------------------------------------------------------

async function api(base, path, init) {
  const r = await fetch(base + path, init);
  return r.json();
}
const received = (bucket) => api(R, `/api/requests?bucket=${encodeURIComponent(bucket)}`);
const clear = (bucket) => api(R, `/api/requests?bucket=${encodeURIComponent(bucket)}`, { method: "DELETE" });
const oauth = (method = "GET", query = "") => api(R, `/api/oauth${query}`, { method });
const preflightsTo = async (bucket) =>
  (await api(R, "/api/stats")).preflightPaths.filter((p) => p === `/hook/${bucket}` || p.startsWith(`/hook/${bucket}/`));

async function until(check, ms = 10000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Polls the receiver until `n` requests arrived in `bucket` (or `ms`). */
async function waitFor(bucket, n, ms = 10000) {
  let got = [];
  await until(async () => (got = await received(bucket)).length >= n, ms);
  return got;
}


// ---- the page -----------------------------------------------------------------

/** Settings with one destination (`d`) and one webhook (`w`) on survey.submitted. */
function oneDestination(bucket, dest = {}, webhook = {}) {
  return {
    version: 1,
    destinations: [{ id: "d", url: `${R}/hook/${bucket}`, ...dest }],
    webhooks: [{ id: "w", event: "survey.submitted", destination: "d", ...webhook }],
  };
}

/**
 * A fresh browser context (its own localStorage, sessionStorage and
 * cookies) with the lab page, started on `settings` when given.
 */
async function open(settings, options = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url + "test/lab.html");
  if (settings) await page.evaluate((c) => window.lab.start(c), { settings, options });
  return { context, page, errors };
}

const emit = (page, type, props) => page.evaluate(([t, p]) => window.lab.hooks.emit(t, p), [type, props]);
const flush = (page) => page.evaluate(() => window.lab.hooks.flush());
const stats = (page) => page.evaluate(() => window.lab.hooks.stats());
const reports = (page) => page.evaluate(() => window.lab.reports);
const stored = (page) =>
  page.evaluate(() =>
    Object.keys(localStorage)
      .filter((k) => k.startsWith("wmwh2:"))
      .map((k) => [k, localStorage.getItem(k)])
  );

// Chromium logs a 4xx/5xx answer to a fetch as a console error; those are
// the receiver's doing, not the page's.
const realErrors = (errors) => errors.filter((e) => !e.includes("Failed to load resource"));

// ---- the editor module: catalog and validation ----------------------------------

test("catalog: the 32 events with their properties (editor module)", async () => {
  const { context, page, errors } = await open();
  const list = await page.evaluate(async () => {
    const editor = await import("/pkg/editor.js");
    await editor.default();
    return editor.catalog();
  });
  assert.equal(list.length, 32);
  assert.equal(list[0].id, "swt.step_played");
  assert.equal(list[0].group, "Smart Walk-Thru");
  assert.ok(list[0].properties.some((p) => p.name === "step.index" && p.type === "number"), JSON.stringify(list[0].properties));
  assert.deepEqual(
    list.filter((e) => e.id.startsWith("dxa.")).map((e) => e.id),
    ["dxa.click", "dxa.input", "dxa.page_view"]
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test("validate lists every problem with its path (editor module)", async () => {
  const { context, page, errors } = await open();
  const [v, lookBehind, named] = await page.evaluate(async () => {
    const editor = await import("/pkg/editor.js");
    await editor.default();
    const pattern = (value) =>
      editor.validate({
        version: 1,
        destinations: [{ id: "d", url: "https://x.io" }],
        webhooks: [{ id: "w", event: "dxa.click", destination: "d", conditions: [{ property: "element.text", operator: "matches", value }] }],
      });
    return [
      editor.validate({
        version: 1,
        destinations: [{ id: "d", url: "http://example.com/x", headers: [{ name: "X Bad", value: "a\r\nb" }] }],
        webhooks: [
          {
            id: "w",
            event: "survey.sumbitted",
            destination: "nope",
            static: [{ name: "app id", value: 1 }],
            conditions: [{ property: "a", operator: "matches", value: "([" }],
          },
        ],
      }),
      pattern("(?<=Buy )now"),
      pattern("^(?<verb>Buy|Get) now$"),
    ];
  });
  assert.equal(v.ok, false);
  const paths = v.errors.map((e) => e.path);
  for (const want of [
    "destinations[0].url",
    "destinations[0].headers[0].name",
    "destinations[0].headers[0].value",
    "webhooks[0].event",
    "webhooks[0].destination",
    "webhooks[0].conditions[0].value",
    "webhooks[0].static[0].name",
  ]) {
    assert.ok(paths.includes(want), `missing ${want} in ${JSON.stringify(v.errors)}`);
  }
  const message = (path) => v.errors.find((e) => e.path === path).message;
  assert.match(message("webhooks[0].event"), /did you mean "survey\.submitted"/);
  assert.ok(message("webhooks[0].static[0].name").startsWith('"app id" contains whitespace'), message("webhooks[0].static[0].name"));
  // Changed on purpose: `matches` patterns no longer run in JavaScript's
  // backtracking RegExp but in the module's linear-time engine (src/core/
  // regex.rs), whose dialect leaves out look-around. A look-behind that
  // RegExp accepts is now refused, with a message saying why; named groups
  // and alternation are still in the dialect.
  assert.equal(lookBehind.ok, false);
  assert.deepEqual(lookBehind.errors.map((e) => e.path), ["webhooks[0].conditions[0].value"]);
  assert.match(lookBehind.errors[0].message, /look-behind/);
  assert.equal(named.ok, true, JSON.stringify(named.errors));
  assert.deepEqual(errors, []);
  await context.close();
});

// ---- start / update ------------------------------------------------------------

test("start refuses invalid settings, and update keeps the old ones", async () => {
  const bucket = "rt-update";
  await clear(bucket);
  const { context, page, errors } = await open();
  const refused = await page.evaluate(async () => {
    const m = await import("/pkg/index.js");
    await m.default();
    try {
      m.start({ version: 2 });
      return null;
    } catch (e) {
      return { isSettingsError: e instanceof m.SettingsError, name: e.name, errors: e.errors };
    }
  });
  assert.ok(refused, "start threw");
  assert.equal(refused.isSettingsError, true);
  assert.equal(refused.name, "SettingsError");
  assert.equal(refused.errors[0].path, "version");
  assert.equal(refused.errors[0].code, "unsupported_version");

  await page.evaluate((c) => window.lab.start(c), { settings: oneDestination(bucket), options: {} });
  const result = await page.evaluate(async () => {
    const { SettingsError } = await import("/pkg/index.js");
    let thrown = null;
    try {
      window.lab.hooks.update({ version: 1, webhooks: [{ id: "w", event: "nope", destination: "x" }] });
    } catch (e) {
      thrown = { isSettingsError: e instanceof SettingsError, errors: e.errors };
    }
    const matched = window.lab.hooks.emit("survey.submitted", { "answer.value": 1 });
    await window.lab.hooks.flush();
    return { thrown, matched };
  });
  assert.ok(result.thrown, "update threw");
  assert.equal(result.thrown.isSettingsError, true);
  assert.ok(result.thrown.errors.length >= 2, JSON.stringify(result.thrown.errors));
  const paths = result.thrown.errors.map((e) => e.path);
  assert.ok(paths.includes("webhooks[0].event") && paths.includes("webhooks[0].destination"), paths.join(", "));
  assert.equal(result.matched, 1, "still on the old settings");
  const got = await waitFor(bucket, 1);
  assert.equal(got.length, 1);
  assert.equal(got[0].path, `/hook/${bucket}`);
  assert.deepEqual(errors, []);
  await context.close();
});

// ---- requests -------------------------------------------------------------------

test("POST in cors mode: JSON body with headers, bearer token, selection, rename and static properties", async () => {
  const bucket = "rt-post";
  await clear(bucket);
  const { context, page, errors } = await open(
    oneDestination(
      bucket,
      { auth: { type: "bearer", token: "t0k" }, headers: [{ name: "X-Team", value: "cs" }], idempotencyHeader: true },
      {
        properties: [{ name: "user.id", as: "identity" }, { name: "answer.value" }],
        static: [{ name: "app_id", value: "3742" }],
        conditions: [
          { property: "survey.name", operator: "equals", value: "nps", ignoreCase: true },
          { property: "answer.value", operator: "lte", value: 6 },
        ],
      }
    )
  );
  // A cookie of the page's host (cookies ignore ports: the receiver's host
  // would get it if credentials were sent).
  await page.evaluate(() => (document.cookie = "sid=page-secret; path=/"));
  const matched = await page.evaluate(() => {
    const h = window.lab.hooks;
    h.identify("u-42", { role: "admin" });
    return [
      h.emit("survey.submitted", { "event.id": "e-1", "survey.name": "NPS", "answer.value": 4 }),
      h.emit("survey.submitted", { "survey.name": "NPS", "answer.value": 9 }),
      h.emit("survey.dismissed", {}),
    ];
  });
  assert.deepEqual(matched, [1, 0, 0], "one match; the condition fails; another event");
  await flush(page);
  const got = await waitFor(bucket, 1);
  assert.equal(got.length, 1);
  const r = got[0];
  assert.equal(r.method, "POST");
  assert.equal(r.path, `/hook/${bucket}`);
  assert.equal(r.rawQuery, "");
  assert.equal(r.body, '{"identity":"u-42","answer.value":4,"app_id":"3742"}');
  assert.equal(r.headers["content-type"], "application/json");
  assert.equal(r.headers["authorization"], "Bearer t0k");
  assert.equal(r.headers["x-team"], "cs");
  assert.equal(r.headers["idempotency-key"], "e-1:w");
  assert.equal(r.headers["cookie"], undefined, "credentials are never sent");
  assert.ok((await preflightsTo(bucket)).length >= 1, "a JSON request with custom headers is preflighted");
  const s = await stats(page);
  assert.equal(s.matched, 1);
  assert.equal(s.sent, 1);
  assert.equal(s.delivered, 1);
  assert.equal(s.queued, 0);
  assert.equal(s.stored, 0, "nothing left in storage");
  const rep = await reports(page);
  assert.equal(rep.length, 1);
  assert.deepEqual(
    { webhookId: rep[0].webhookId, eventId: rep[0].eventId, destinationId: rep[0].destinationId, key: rep[0].key, attempt: rep[0].attempt, status: rep[0].status, outcome: rep[0].outcome, error: rep[0].error },
    { webhookId: "w", eventId: "e-1", destinationId: "d", key: "e-1:w", attempt: 1, status: 200, outcome: "delivered", error: null }
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test("basic auth with PUT, and GET with the properties in the query", async () => {
  const bucket = "rt-basic";
  await clear(bucket);
  const { context, page, errors } = await open({
    version: 1,
    destinations: [
      { id: "put", method: "PUT", url: `${R}/hook/${bucket}/put`, auth: { type: "basic", username: "Aladdin", password: "open sesame" } },
      { id: "get", method: "GET", url: `${R}/hook/${bucket}/get?src=wm` },
    ],
    webhooks: [
      { id: "a", event: "menu.searched", destination: "put", properties: [{ name: "menu.query", as: "q" }] },
      { id: "b", event: "menu.searched", destination: "get", properties: [{ name: "menu.query", as: "q" }, { name: "menu.results" }] },
    ],
  });
  assert.equal(await emit(page, "menu.searched", { "menu.query": "reset password & co", "menu.results": 3 }), 2);
  await flush(page);
  const got = await waitFor(bucket, 2);
  assert.equal(got.length, 2);
  const put = got.find((r) => r.method === "PUT");
  assert.ok(put, "PUT arrived");
  assert.equal(put.path, `/hook/${bucket}/put`);
  assert.equal(put.headers["authorization"], "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  assert.equal(put.headers["content-type"], "application/json");
  assert.equal(put.body, '{"q":"reset password & co"}');
  const get = got.find((r) => r.method === "GET");
  assert.ok(get, "GET arrived");
  assert.equal(get.path, `/hook/${bucket}/get`);
  assert.equal(get.rawQuery, "?src=wm&q=reset%20password%20%26%20co&menu.results=3");
  assert.deepEqual(get.query, { src: "wm", q: "reset password & co", "menu.results": "3" });
  assert.equal(get.body, "");
  assert.equal(get.headers["content-type"], undefined, "a GET has no body and no content type");
  const s = await stats(page);
  assert.equal(s.delivered, 2);
  assert.deepEqual(errors, []);
  await context.close();
});

test("simple mode sends text/plain without a preflight", async () => {
  const bucket = "rt-simple";
  await clear(bucket);
  const { context, page, errors } = await open({
    version: 1,
    destinations: [{ id: "simple", url: `${R}/hook/${bucket}/simple`, mode: "simple", body: { text: "{{user.id}} answered {{answer.value}}" } }],
    webhooks: [{ id: "s", event: "survey.submitted", destination: "simple" }],
  });
  const matched = await page.evaluate(() => {
    window.lab.hooks.identify("u-7");
    return window.lab.hooks.emit("survey.submitted", { "answer.value": 10 });
  });
  assert.equal(matched, 1);
  await flush(page);
  const got = await waitFor(bucket, 1);
  assert.equal(got.length, 1);
  const simple = got[0];
  assert.equal(simple.method, "POST");
  assert.equal(simple.path, `/hook/${bucket}/simple`);
  assert.equal(simple.headers["content-type"], "text/plain;charset=UTF-8");
  assert.equal(simple.body, '{"text":"u-7 answered 10"}');
  assert.deepEqual(await preflightsTo(bucket), [], "no preflight in simple mode");
  await until(async () => (await stats(page)).delivered === 1, 3000);
  assert.deepEqual((await reports(page)).map((r) => [r.webhookId, r.outcome, r.status]), [["s", "delivered", 200]]);
  const s = await stats(page);
  assert.equal(s.delivered, 1);
  assert.equal(s.opaque, 0);
  assert.deepEqual(errors, []);
  await context.close();
});

// BUG: src/js/send.js makes every request with `redirect: "manual"`, and
// the Fetch standard refuses that combination with `mode: "no-cors"`
// (TypeError: Request mode is "no-cors" but the redirect mode is not
// "follow"). Expected: the request reaches the receiver once and is
// reported "sent" (stats.opaque 1). Actual: fetch throws before anything
// leaves, every attempt is reported as "network error (Failed to fetch)",
// and the receiver never gets the request.
test(
  "no-cors: fire and forget, counted as sent",
  async () => {
    const bucket = "rt-nocors";
    await clear(bucket);
    const { context, page } = await open(
      {
        version: 1,
        destinations: [{ id: "opaque", url: `${R}/hook/${bucket}/opaque?cors=0`, mode: "no-cors", maxAttempts: 2 }],
        webhooks: [{ id: "o", event: "survey.submitted", destination: "opaque", properties: ["answer.value"] }],
      },
      { backoff: { baseMs: 100, maxMs: 100 } }
    );
    try {
      assert.equal(await emit(page, "survey.submitted", { "answer.value": 10 }), 1);
      await flush(page);
      const got = await waitFor(bucket, 1, 3000);
      assert.equal(got.length, 1, "the request reached the receiver");
      assert.equal(got[0].method, "POST");
      assert.equal(got[0].headers["content-type"], "text/plain;charset=UTF-8");
      assert.equal(got[0].body, '{"answer.value":10}');
      assert.deepEqual(await preflightsTo(bucket), [], "no preflight in no-cors mode");
      await until(async () => (await stats(page)).opaque === 1, 3000);
      const rep = await reports(page);
      assert.deepEqual(rep.map((r) => [r.webhookId, r.outcome, r.error]), [["o", "sent", null]]);
      const s = await stats(page);
      assert.equal(s.opaque, 1);
      assert.equal(s.delivered, 0);
      assert.equal(s.sent, 1);
    } finally {
      await context.close();
    }
  }
);

// BUG: the probe that tells "the request never left" from "it left and the
// browser hid the answer" (runtime.js probe()) fetches with mode no-cors and
// redirect manual, which fetch refuses, so every probe says "could not be
// reached". Expected (src/core/engine.rs, Engine::probed): a simple request
// to a destination that answers without CORS headers is counted as sent
// once, not sent again. Actual: the receiver gets it on every attempt (3
// copies with maxAttempts 3, each answered 200) and the delivery ends
// "failed: network error (the destination could not be reached)".
test(
  "simple mode to a destination without CORS headers: the hidden answer counts as sent, and it is not sent again",
  async () => {
    const bucket = "rt-hidden";
    await clear(bucket);
    const { context, page } = await open(
      {
        version: 1,
        destinations: [{ id: "d", url: `${R}/hook/${bucket}?cors=0`, mode: "simple", maxAttempts: 3 }],
        webhooks: [{ id: "w", event: "survey.submitted", destination: "d", properties: ["answer.value"] }],
      },
      { backoff: { baseMs: 100, maxMs: 100 } }
    );
    try {
      await emit(page, "survey.submitted", { "answer.value": 10 });
      await flush(page);
      // Done once the module has its verdict and holds nothing: no further
      // request can come from it.
      await until(async () => (await reports(page)).length === 1 && (await stats(page)).queued === 0, 5000);
      const got = await received(bucket);
      assert.deepEqual(got.map((r) => [r.method, r.body, r.status]), [["POST", '{"answer.value":10}', 200]], "sent once");
      const rep = await reports(page);
      assert.deepEqual(rep.map((r) => [r.outcome, r.attempt]), [["sent", 1]]);
      assert.match(rep[0].error, /without CORS headers/);
      assert.equal((await stats(page)).opaque, 1);
    } finally {
      await context.close();
    }
  }
);

test("OAuth 2.0: the token is fetched once for many events, and once more after a 401", async () => {
  const bucket = "rt-oauth";
  await clear(bucket);
  await oauth("DELETE");
  const { context, page, errors } = await open(
    oneDestination(
      bucket,
      {
        url: `${R}/hook/${bucket}?auth=oauth`,
        auth: { type: "oauth2", tokenUrl: `${R}/oauth/token?secret=s3`, clientId: "cid", clientSecret: "s3", scope: "events" },
      },
      { properties: ["answer.value"] }
    )
  );
  await page.evaluate(() => {
    for (let i = 0; i < 3; i++) window.lab.hooks.emit("survey.submitted", { "answer.value": i });
  });
  await flush(page);
  let got = await waitFor(bucket, 3);
  assert.equal(got.length, 3);
  assert.ok(got.every((r) => r.headers["authorization"] === "Bearer tok-1"), JSON.stringify(got.map((r) => r.headers["authorization"])));
  assert.deepEqual(got.map((r) => r.body).sort(), ['{"answer.value":0}', '{"answer.value":1}', '{"answer.value":2}']);
  let o = await oauth();
  assert.equal(o.hits, 1, "one token request for three events");
  assert.equal(o.lastBody, "grant_type=client_credentials&client_id=cid&client_secret=s3&scope=events");
  // The token is revoked at the destination: the next request gets a 401,
  // the module fetches a new token once and sends again.
  await oauth("POST", "?revoke=1");
  await emit(page, "survey.submitted", { "answer.value": 9 });
  await flush(page);
  got = await waitFor(bucket, 5);
  assert.equal(got.length, 5);
  assert.deepEqual(
    got.slice(3).map((r) => [r.headers["authorization"], r.status, r.body]),
    [
      ["Bearer tok-1", 401, '{"answer.value":9}'],
      ["Bearer tok-2", 200, '{"answer.value":9}'],
    ]
  );
  o = await oauth();
  assert.equal(o.hits, 2);
  await until(async () => (await stats(page)).delivered === 4, 3000);
  assert.equal((await stats(page)).delivered, 4);
  const last = (await reports(page)).slice(-2).map((r) => [r.outcome, r.status, r.attempt]);
  assert.deepEqual(last[1], ["delivered", 200, 2]);
  assert.equal(last[0][0], "retry");
  assert.equal(last[0][1], 401);
  const records = (await stored(page)).map(([, v]) => v).join("\n");
  assert.ok(!records.includes("s3") && !records.includes("tok-"), "no secret or token in storage");
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test("a host token provider supplies the bearer token", async () => {
  const bucket = "rt-provider";
  await clear(bucket);
  const { context, page, errors } = await open(oneDestination(bucket, { auth: { type: "bearer" } }, { properties: ["answer.value"] }));
  const calls = await page.evaluate(async () => {
    const calls = [];
    window.lab.hooks.setTokenProvider("d", (dest) => {
      calls.push(dest);
      return "from-host";
    });
    window.lab.hooks.emit("survey.submitted", { "answer.value": 1 });
    window.lab.hooks.emit("survey.submitted", { "answer.value": 2 });
    await window.lab.hooks.flush();
    return calls;
  });
  const got = await waitFor(bucket, 2);
  assert.equal(got.length, 2);
  assert.ok(got.every((r) => r.headers["authorization"] === "Bearer from-host"));
  assert.deepEqual(calls, ["d"], "asked once, with the destination's id");
  assert.deepEqual(errors, []);
  await context.close();
});

test("after a 401 the token provider is asked once more, then the delivery is dropped", async () => {
  const bucket = "rt-provider-401";
  await clear(bucket);
  // The destination refuses every token.
  const { context, page, errors } = await open(oneDestination(bucket, { url: `${R}/hook/${bucket}?status=401`, auth: { type: "bearer" } }, { properties: ["answer.value"] }));
  const calls = await page.evaluate(async () => {
    let n = 0;
    window.lab.hooks.setTokenProvider("d", async () => "tok-" + ++n);
    window.lab.hooks.emit("survey.submitted", { "answer.value": 1 });
    await window.lab.hooks.flush();
    return n;
  });
  const got = await waitFor(bucket, 2);
  // The delivery is over (dropped) and nothing is held: no third request.
  await until(async () => (await stats(page)).dropped === 1 && (await stats(page)).queued === 0);
  assert.deepEqual((await received(bucket)).map((r) => [r.headers["authorization"], r.status, r.body]), [
    ["Bearer tok-1", 401, '{"answer.value":1}'],
    ["Bearer tok-2", 401, '{"answer.value":1}'],
  ]);
  assert.equal(got.length, 2);
  assert.equal(calls, 2, "asked once more after the 401, and no more");
  const rep = await reports(page);
  assert.deepEqual(rep.map((r) => [r.outcome, r.status]), [["retry", 401], ["dropped", 401]]);
  assert.equal((await stats(page)).dropped, 1);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test("auth.tokenFrom: the token comes from the page's own site with the visitor's cookies", async () => {
  const bucket = "rt-site-token";
  await clear(bucket);
  await api(server.url.replace(/\/$/, ""), "/api/site-token", { method: "DELETE" });
  const { context, page, errors } = await open();
  // The visitor is signed in to the page's site.
  await page.evaluate(() => (document.cookie = "session=abc123; path=/"));
  await page.evaluate((c) => window.lab.start(c), {
    settings: oneDestination(bucket, { auth: { type: "bearer", tokenFrom: "/api/site-token" } }, { properties: ["answer.value"] }),
    options: {},
  });
  await page.evaluate(() => window.lab.emitRange("survey.submitted", "st", 0, 3));
  await flush(page);
  const got = await waitFor(bucket, 3);
  assert.equal(got.length, 3);
  assert.ok(got.every((r) => r.headers["authorization"] === "Bearer site-abc123"), JSON.stringify(got.map((r) => r.headers["authorization"])));
  assert.ok(got.every((r) => r.headers["cookie"] === undefined), "the destination never gets the page's cookies");
  // The page's origin answered, once, with the visitor's cookie.
  const site = (await api(server.url.replace(/\/$/, ""), "/api/stats")).siteToken;
  assert.equal(site.hits, 1, "one token request for three events");
  assert.deepEqual(site.cookies, ["session=abc123"]);
  const s = await stats(page);
  assert.equal(s.delivered, 3);
  assert.deepEqual(errors, []);
  await context.close();
});

// ---- where events come from ---------------------------------------------------------

test("walkme:event CustomEvents reach the webhooks", async () => {
  const bucket = "rt-custom";
  await clear(bucket);
  const { context, page, errors } = await open({
    version: 1,
    destinations: [{ id: "d", url: `${R}/hook/${bucket}` }],
    webhooks: [
      { id: "w", event: "shoutout.action_clicked", destination: "d", properties: ["item.name", "action.text", "event.type", "event.name"] },
    ],
  });
  await page.evaluate(() =>
    dispatchEvent(
      new CustomEvent("walkme:event", { detail: { type: "shoutout.action_clicked", properties: { "item.name": "Spring promo", "action.text": "Learn more" } } })
    )
  );
  await flush(page);
  const got = await waitFor(bucket, 1);
  assert.equal(got.length, 1);
  assert.equal(
    got[0].body,
    '{"item.name":"Spring promo","action.text":"Learn more","event.type":"shoutout.action_clicked","event.name":"ShoutOut Action Clicked"}'
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test("DXA auto-capture: a page view, a click, and inputs without a password's value", async () => {
  const bucket = "rt-dxa";
  await clear(bucket);
  const { context, page, errors } = await open(
    {
      version: 1,
      captureInputValues: true,
      destinations: [{ id: "d", url: `${R}/hook/${bucket}` }],
      webhooks: [
        { id: "v", event: "dxa.page_view", destination: "d", properties: ["navigation.type", "page.path"] },
        { id: "c", event: "dxa.click", destination: "d", properties: ["element.tag", "element.id", "element.text", "element.classes", "element.path"] },
        { id: "i", event: "dxa.input", destination: "d", properties: ["input.name", "input.type", "input.value", "input.empty"] },
      ],
    },
    { autoCapture: true, playerEvents: false }
  );
  // Capture is loaded on demand; the page view on load says it is listening.
  const view = await waitFor(bucket, 1);
  assert.deepEqual(view.map((r) => r.body), ['{"navigation.type":"load","page.path":"/test/lab.html"}']);
  await page.evaluate(() => {
    const div = document.createElement("div");
    div.innerHTML = `<form id="f"><button type="button" id="buy" class="btn primary"> Buy  now </button>
      <input id="email" name="email" type="email"><input id="pw" name="password" type="password"></form>`;
    document.body.append(div);
    const type = (selector, text) => {
      const el = document.querySelector(selector);
      el.focus();
      el.value = text;
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    };
    document.querySelector("#buy").click();
    type("#email", "ada@example.com");
    type("#pw", "hunter2");
  });
  await flush(page);
  const got = await waitFor(bucket, 4);
  // Capture emits synchronously: four events matched, all answered.
  await until(async () => {
    const s = await stats(page);
    return s.matched === 4 && s.queued === 0;
  });
  assert.equal((await stats(page)).matched, 4);
  const bodies = (await received(bucket)).map((r) => r.body);
  assert.deepEqual(bodies.slice(1).sort(), [
    '{"element.tag":"button","element.id":"buy","element.text":"Buy now","element.classes":["btn","primary"],"element.path":"button#buy"}',
    '{"input.name":"email","input.type":"email","input.value":"ada@example.com","input.empty":false}',
    '{"input.name":"password","input.type":"password","input.empty":false}',
  ]);
  assert.equal(got.length, 4);
  assert.ok(bodies.every((b) => !b.includes("hunter2")), "a password never leaves the page");
  assert.deepEqual(errors, []);
  await context.close();
});

// ---- retries, hashing, storage ------------------------------------------------------

test("a 503 is retried with the same key and delivered", async () => {
  const bucket = "rt-retry";
  await clear(bucket);
  const { context, page, errors } = await open(oneDestination(bucket, { url: `${R}/hook/${bucket}?fail=1&retryAfter=0`, idempotencyHeader: true }, { properties: ["answer.value"] }));
  await emit(page, "survey.submitted", { "event.id": "e-r", "answer.value": 3 });
  await flush(page);
  const got = await waitFor(bucket, 2);
  assert.equal(got.length, 2);
  assert.deepEqual(got.map((r) => r.status), [503, 200]);
  assert.ok(got.every((r) => r.headers["idempotency-key"] === "e-r:w"));
  assert.ok(got.every((r) => r.body === '{"answer.value":3}'), "the same body on each attempt");
  await flush(page);
  const rep = await reports(page);
  assert.deepEqual(rep.map((r) => [r.outcome, r.attempt, r.status, r.key]), [
    ["retry", 1, 503, "e-r:w"],
    ["delivered", 2, 200, "e-r:w"],
  ]);
  const s = await stats(page);
  assert.equal(s.sent, 2);
  assert.equal(s.delivered, 1);
  assert.equal(s.retrying, 0);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

/** sha256("ada@example.com"): e-mail-like values are trimmed and lower-cased first. */
const EMAIL_SHA256 = "b5fc85e55755f9e0d030a10ab4429b6b2944855f9a0d60077fe832becbc41d72";
/** sha256("u-42"). */
const U42_SHA256 = "16ec525b74b75626eb93ecad8acc749885fcf4e83c95b139342769a4ab1828a3";

test("hashed properties leave the page as SHA-256", async () => {
  const bucket = "rt-hash";
  await clear(bucket);
  const { context, page, errors } = await open(
    oneDestination(bucket, {}, { properties: [{ name: "user.email", as: "email_sha256", hash: true }, { name: "user.id", hash: true }] })
  );
  await page.evaluate(() => {
    window.lab.hooks.identify("u-42", { email: " Ada@Example.com " });
    window.lab.hooks.emit("survey.submitted", {});
  });
  await flush(page);
  const got = await waitFor(bucket, 1);
  assert.equal(got.length, 1);
  assert.equal(got[0].body, `{"email_sha256":"${EMAIL_SHA256}","user.id":"${U42_SHA256}"}`);
  assert.ok(!got[0].body.includes("Ada") && !got[0].body.includes("u-42"));
  assert.deepEqual(errors, []);
  await context.close();
});

test("stored records (wmwh2:) hold the event, never a URL, header or secret; the next page sends them where the webhook sends now", async () => {
  const bucket = "rt-store";
  await clear(bucket);
  const settings = (path) => ({
    version: 1,
    destinations: [
      {
        id: "b",
        url: `${R}/hook/${bucket}/${path}/b?fail=100&api_key=KEY-IN-URL`,
        auth: { type: "bearer", token: "TOKEN-SECRET" },
        headers: [{ name: "X-Api-Secret", value: "HEADER-SECRET" }],
      },
      { id: "p", url: `${R}/hook/${bucket}/${path}/p?fail=100`, auth: { type: "basic", username: "user", password: "PASSWORD-SECRET" } },
      {
        id: "o",
        url: `${R}/hook/${bucket}/${path}/o?fail=100&auth=oauth`,
        auth: { type: "oauth2", tokenUrl: `${R}/oauth/token`, clientId: "cid", clientSecret: "CLIENT-SECRET" },
      },
    ],
    webhooks: [
      { id: "wb", event: "survey.submitted", destination: "b", properties: ["answer.value"] },
      { id: "wp", event: "survey.submitted", destination: "p", properties: ["answer.value"] },
      { id: "wo", event: "survey.submitted", destination: "o", properties: ["answer.value"] },
    ],
  });
  await oauth("DELETE");
  const context = await browser.newContext();
  const first = await context.newPage();
  const errors = watchErrors(first);
  await first.goto(server.url + "test/lab.html");
  // Every attempt fails (503) and the next one is 2 to 4 s away: the
  // deliveries stay stored, and the page is closed before they are due.
  await first.evaluate((c) => window.lab.start(c), { settings: settings("old"), options: { backoff: { baseMs: 4000, maxMs: 4000 } } });
  await emit(first, "survey.submitted", { "event.id": "e-s", "answer.value": 5 });
  await waitFor(bucket, 3);
  await flush(first);
  const s = await stats(first);
  assert.equal(s.retrying, 3);
  assert.equal(s.stored, 3);
  const records = await stored(first);
  assert.equal(records.length, 3);
  const oldPrefix = await first.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("wmwh1:")));
  assert.deepEqual(oldPrefix, []);
  for (const [k, text] of records) {
    // Changed on purpose: records live under `wmwh2:<page id>:<key>` and hold
    // the event and the webhook, not the request.
    assert.match(k, /^wmwh2:[0-9a-f-]{36}:e-s:w[bpo]$/);
    const r = JSON.parse(text);
    assert.equal(r.v, 2);
    assert.equal(r.key, "e-s:" + r.webhook);
    assert.equal(r.attempts, 1);
    assert.equal(r.event["event.id"], "e-s");
    assert.equal(r.event["event.type"], "survey.submitted");
    assert.equal(r.event["answer.value"], 5);
    assert.deepEqual(
      Object.keys(r).filter((f) => !["v", "key", "webhook", "destination", "event", "attempts", "nextAt", "createdAt", "storedAt", "keepalive"].includes(f)),
      [],
      "no other field: " + text
    );
    for (const secret of ["TOKEN-SECRET", "PASSWORD-SECRET", "CLIENT-SECRET", "HEADER-SECRET", "KEY-IN-URL", "X-Api-Secret", "Authorization", "tok-", "/hook/", btoa("user:PASSWORD-SECRET")]) {
      assert.ok(!text.includes(secret), `${secret} in a stored record: ${text}`);
    }
  }
  await first.close();
  // The next page runs on re-published settings (new URLs): the records it
  // takes over are sent to them, because a record holds no URL.
  const next = await context.newPage();
  watchErrors(next);
  await next.goto(server.url + "test/lab.html");
  const renewed = settings("new");
  for (const d of renewed.destinations) d.url = d.url.replace("fail=100", "fail=0");
  await oauth("DELETE");
  await next.evaluate((c) => window.lab.start(c), { settings: renewed, options: {} });
  const arrived = async () => (await received(bucket)).filter((r) => r.path.includes("/new/") && r.status === 200);
  assert.ok(await until(async () => (await arrived()).length === 3, 15000), "resumed and delivered to the new URLs");
  const got = await arrived();
  assert.deepEqual(got.map((r) => r.path).sort(), [`/hook/${bucket}/new/b`, `/hook/${bucket}/new/o`, `/hook/${bucket}/new/p`]);
  assert.ok(got.every((r) => r.body === '{"answer.value":5}'));
  const b = got.find((r) => r.path.endsWith("/b"));
  assert.equal(b.headers["authorization"], "Bearer TOKEN-SECRET");
  assert.equal(b.headers["x-api-secret"], "HEADER-SECRET");
  assert.equal(got.find((r) => r.path.endsWith("/p")).headers["authorization"], "Basic " + btoa("user:PASSWORD-SECRET"));
  assert.equal(got.find((r) => r.path.endsWith("/o")).headers["authorization"], "Bearer tok-1");
  await until(async () => (await stats(next)).delivered === 3, 3000);
  const after = await stats(next);
  assert.equal(after.resumed, 3);
  assert.equal(after.delivered, 3);
  assert.equal(after.stored, 0);
  assert.deepEqual((await reports(next)).map((r) => [r.key, r.attempt]).sort(), [["e-s:wb", 2], ["e-s:wo", 2], ["e-s:wp", 2]]);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test("a redirect is not followed: reported as dropped, nothing reaches its target", async () => {
  const bucket = "rt-redirect";
  await clear(bucket);
  const target = `${R}/hook/${bucket}/moved`;
  const { context, page, errors } = await open(
    oneDestination(bucket, { url: `${R}/hook/${bucket}/old?redirect=${encodeURIComponent(target)}`, auth: { type: "bearer", token: "t0k" } }, { properties: ["answer.value"] })
  );
  await emit(page, "survey.submitted", { "answer.value": 1 });
  await flush(page);
  await until(async () => (await reports(page)).length === 1);
  const got = await received(bucket);
  // Changed on purpose: a 3xx is no longer followed (it could carry the
  // Authorization header to another host, or turn a POST into a GET).
  assert.deepEqual(got.map((r) => [r.method, r.path, r.status]), [["POST", `/hook/${bucket}/old`, 307]]);
  const rep = await reports(page);
  assert.equal(rep.length, 1);
  assert.equal(rep[0].outcome, "dropped");
  assert.match(rep[0].error, /redirect/);
  const s = await stats(page);
  assert.equal(s.dropped, 1);
  assert.equal(s.sent, 1);
  assert.equal(s.queued, 0);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test("a destination that times out gets one request at a time", async () => {
  const bucket = "rt-timeout";
  await clear(bucket);
  // Answers after 1.5 s, past the 300 ms timeout: every attempt times out.
  const { context, page, errors } = await open(
    oneDestination(bucket, { url: `${R}/hook/${bucket}?delay=1500`, timeoutMs: 300, maxAttempts: 2, idempotencyHeader: true }, { properties: ["n"] }),
    { backoff: { baseMs: 50, maxMs: 50 } }
  );
  await page.evaluate(() => window.lab.emitRange("survey.submitted", "to", 0, 4));
  const got = await waitFor(bucket, 8, 15000);
  await flush(page);
  assert.equal(got.length, 8);
  // The first four leave together (the destination's limit is 8)...
  const first = got.slice(0, 4);
  assert.ok(first[3].at - first[0].at < 250, "first wave: " + first.map((r) => r.at - first[0].at).join(", "));
  // ...then, after a timeout, one request at a time: each retry only once
  // the one before it has timed out. (Changed on purpose: a destination that
  // stops answering no longer gets its full in-flight limit of requests
  // piling up; see "isolation" in src/core/engine.rs.)
  const retries = got.slice(4);
  const gaps = retries.slice(1).map((r, i) => r.at - retries[i].at);
  assert.ok(
    gaps.every((g) => g >= 250),
    "gaps between retries (ms): " + gaps.join(", ")
  );
  assert.deepEqual(new Set(retries.map((r) => r.headers["idempotency-key"])).size, 4, "each delivery retried once");
  const rep = await reports(page);
  assert.deepEqual(rep.map((r) => r.outcome).sort(), ["failed", "failed", "failed", "failed", "retry", "retry", "retry", "retry"]);
  assert.ok(rep.every((r) => /timed out/.test(r.error)), JSON.stringify(rep.map((r) => r.error)));
  const s = await stats(page);
  assert.equal(s.failed, 4);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

// ---- body formats, templates, batches, rates (new in settings v1) ------------------------

test("format form and format text in simple mode, without a preflight", async () => {
  const bucket = "rt-formats";
  await clear(bucket);
  const { context, page, errors } = await open({
    version: 1,
    destinations: [
      { id: "form", url: `${R}/hook/${bucket}/form`, mode: "simple", format: "form", body: { payload: "{{properties}}", user: "{{user.id}}" } },
      { id: "data", url: `${R}/hook/${bucket}/data`, mode: "simple", format: "form", body: ["{{properties}}"] },
      { id: "text", url: `${R}/hook/${bucket}/text`, mode: "simple", format: "text", body: "{{user.id}} answered {{answer.value}} on {{survey.name}}" },
    ],
    webhooks: [
      { id: "f", event: "survey.submitted", destination: "form", properties: ["survey.name", "answer.value"] },
      { id: "g", event: "survey.submitted", destination: "data", properties: ["survey.name", "answer.value"] },
      { id: "t", event: "survey.submitted", destination: "text" },
    ],
  });
  const matched = await page.evaluate(() => {
    window.lab.hooks.identify("u 7");
    return window.lab.hooks.emit("survey.submitted", { "survey.name": "NPS & more", "answer.value": 10 });
  });
  assert.equal(matched, 3);
  await flush(page);
  const got = await waitFor(bucket, 3);
  assert.equal(got.length, 3);
  const at = (p) => got.find((r) => r.path === `/hook/${bucket}/${p}`);
  const json = '{"survey.name":"NPS & more","answer.value":10}';
  const form = at("form");
  assert.equal(form.method, "POST");
  assert.equal(form.headers["content-type"], "application/x-www-form-urlencoded");
  assert.equal(form.body, "payload=%7B%22survey.name%22%3A%22NPS+%26+more%22%2C%22answer.value%22%3A10%7D&user=u+7");
  assert.equal(new URLSearchParams(form.body).get("payload"), json);
  const data = at("data");
  assert.equal(data.headers["content-type"], "application/x-www-form-urlencoded");
  assert.equal(data.body, "data=%5B%7B%22survey.name%22%3A%22NPS+%26+more%22%2C%22answer.value%22%3A10%7D%5D");
  assert.equal(new URLSearchParams(data.body).get("data"), `[${json}]`);
  const text = at("text");
  assert.equal(text.headers["content-type"], "text/plain;charset=UTF-8");
  assert.equal(text.body, "u 7 answered 10 on NPS & more");
  assert.deepEqual(await preflightsTo(bucket), [], "the receiver saw no OPTIONS request");
  await until(async () => (await stats(page)).delivered === 3, 3000);
  assert.equal((await stats(page)).delivered, 3, "simple mode reads the answers");
  assert.deepEqual(errors, []);
  await context.close();
});

test("template fallbacks and filters; anonymous.id is stable across a reload", async () => {
  const bucket = "rt-template";
  await clear(bucket);
  const { context, page, errors } = await open(
    oneDestination(
      bucket,
      {
        body: {
          who: "{{user.id || anonymous.id}}",
          label: '{{segment || plan || "none"}}',
          at: "{{event.timestamp|iso}}",
          secs: "{{event.timestamp|seconds}}",
          props: "{{properties|safe_keys|cut:5}}",
          score: "{{answer.value|number}}",
          missing: "{{nope}}",
          line: "{{survey.name|cut:9}}: {{nope}}{{answer.value}}",
        },
      },
      { properties: ["survey.name", "answer.value"] }
    )
  );
  const ts = 1764655930123;
  const event = { "event.timestamp": ts, "survey.name": "Quarterly NPS", "answer.value": "8" };
  await emit(page, "survey.submitted", event);
  await flush(page);
  const anon = await page.evaluate(() => localStorage.getItem("wmwh2-anon"));
  assert.match(anon, /^[A-Za-z0-9_-]{8,64}$/);
  const body = (who) =>
    JSON.stringify({
      who,
      label: "none",
      at: new Date(ts).toISOString(),
      secs: Math.floor(ts / 1000),
      props: { survey_name: "Quart", answer_value: "8" },
      score: 8,
      // Changed on purpose: a whole {{placeholder}} with no value ("missing")
      // leaves its key out instead of sending null.
      line: "Quarterly: 8",
    });
  let got = await waitFor(bucket, 1);
  assert.equal(got[0].body, body(anon));
  assert.equal(got[0].body, `{"who":"${anon}","label":"none","at":"2025-12-02T06:12:10.123Z","secs":1764655930,"props":{"survey_name":"Quart","answer_value":"8"},"score":8,"line":"Quarterly: 8"}`);
  // The first source with a value wins.
  await page.evaluate((e) => {
    window.lab.hooks.identify("u-9");
    window.lab.hooks.emit("survey.submitted", { ...e, plan: "pro" });
  }, event);
  await flush(page);
  got = await waitFor(bucket, 2);
  assert.equal(got[1].body, body("u-9").replace('"label":"none"', '"label":"pro"'));
  // A reload: a new page, a new module, the same visitor.
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.started === "true");
  await emit(page, "survey.submitted", event);
  await flush(page);
  got = await waitFor(bucket, 3);
  assert.equal(got[2].body, body(anon), "the same anonymous.id after a reload");
  assert.equal(await page.evaluate(() => localStorage.getItem("wmwh2-anon")), anon);
  assert.deepEqual(errors, []);
  await context.close();
});

test("batching: 7 events go as requests of 3, 3 and 1 (the last after maxWaitMs, or at flush)", async () => {
  const bucket = "rt-batch";
  await clear(bucket);
  const { context, page, errors } = await open(
    oneDestination(
      bucket,
      { idempotencyHeader: true, batch: { maxEvents: 3, maxWaitMs: 500, body: { events: "{{batch}}" } } },
      { properties: ["n"] }
    )
  );
  const bodies = (from) => [
    `{"events":[{"n":${from}},{"n":${from + 1}},{"n":${from + 2}}]}`,
    `{"events":[{"n":${from + 3}},{"n":${from + 4}},{"n":${from + 5}}]}`,
    `{"events":[{"n":${from + 6}}]}`,
  ];
  // The last one waits maxWaitMs for others to join it.
  assert.equal(await page.evaluate(() => window.lab.emitRange("survey.submitted", "b", 0, 7)), 7);
  let got = await waitFor(bucket, 3);
  assert.equal(got.length, 3);
  assert.deepEqual(got.map((r) => r.body), bodies(0));
  assert.deepEqual(got.map((r) => r.headers["idempotency-key"]), ["b-00000:w", "b-00003:w", "b-00006:w"]);
  assert.ok(got.every((r) => r.method === "POST" && r.headers["content-type"] === "application/json"));
  const waited = got[2].at - got[0].at;
  assert.ok(waited >= 450, `the partial batch waited ${waited} ms`);
  await flush(page);
  let s = await stats(page);
  assert.equal(s.sent, 3, "three requests");
  assert.equal(s.delivered, 7, "seven deliveries");
  // flush() sends the partial batch at once.
  await clear(bucket);
  const flushed = await page.evaluate(async () => {
    window.lab.emitRange("survey.submitted", "b", 7, 14);
    const t = performance.now();
    await window.lab.hooks.flush();
    return performance.now() - t;
  });
  got = await received(bucket);
  assert.deepEqual(got.map((r) => r.body), bodies(7));
  assert.ok(got[2].at - got[0].at < 400, `flush sent the partial batch after ${got[2].at - got[0].at} ms`);
  assert.ok(flushed < 450, `flush took ${flushed} ms`);
  s = await stats(page);
  assert.equal(s.sent, 6);
  assert.equal(s.delivered, 14);
  const rep = await reports(page);
  assert.equal(rep.length, 14);
  assert.ok(rep.every((r) => r.outcome === "delivered" && r.attempt === 1));
  assert.deepEqual(errors, []);
  await context.close();
});

test("rate limit: 2 requests per second, 6 events take 2 s and never more than 2 in any second", async () => {
  const bucket = "rt-rate";
  await clear(bucket);
  const { context, page, errors } = await open(oneDestination(bucket, { rate: { requests: 2, seconds: 1 } }, { properties: ["n"] }));
  const t0 = Date.now();
  await page.evaluate(() => window.lab.emitRange("survey.submitted", "r", 0, 6));
  const got = await waitFor(bucket, 6, 10000);
  assert.equal(got.length, 6);
  assert.deepEqual(got.map((r) => r.body).sort(), [0, 1, 2, 3, 4, 5].map((n) => `{"n":${n}}`));
  const times = got.map((r) => r.at).sort((a, b) => a - b);
  assert.ok(times[5] - t0 >= 1950, `all 6 arrived after ${times[5] - t0} ms`);
  assert.ok(times[5] - times[0] >= 1950, `from first to last: ${times[5] - times[0]} ms`);
  // Any three requests span at least a second. The receiver stamps a
  // request when its body has arrived, a little after the page sent it
  // (the first ones leave from the page while the sender worker starts):
  // allow 60 ms for that. The engine's own schedule is checked exactly in
  // tests/engine.rs.
  const spans = times.slice(2).map((t, i) => t - times[i]);
  assert.ok(spans.every((d) => d >= 940), "spans of three consecutive requests (ms): " + spans.join(", "));
  await flush(page);
  const s = await stats(page);
  assert.equal(s.sent, 6);
  assert.equal(s.delivered, 6);
  assert.deepEqual(errors, []);
  await context.close();
});

test("page.url leaves out the #fragment unless the settings say keepUrlFragment", async () => {
  const bucket = "rt-fragment";
  await clear(bucket);
  const base = server.url + "test/lab.html";
  const bodies = [];
  for (const keep of [false, true]) {
    const { context, page, errors } = await open({ ...oneDestination(bucket, {}, { properties: ["page.url", "page.path", "n"] }), keepUrlFragment: keep });
    await page.evaluate(() => (location.hash = "access_token=abc"));
    await emit(page, "survey.submitted", { n: keep ? 2 : 1 });
    await flush(page);
    bodies.push((await waitFor(bucket, bodies.length + 1)).at(-1).body);
    assert.deepEqual(errors, []);
    await context.close();
  }
  assert.deepEqual(bodies, [
    `{"page.url":"${base}","page.path":"/test/lab.html","n":1}`,
    `{"page.url":"${base}#access_token=abc","page.path":"/test/lab.html","n":2}`,
  ]);
});

// BUG: Engine::update (src/core/engine.rs) installs the new settings but does
// not rebuild the page's shared properties, where share() applies
// keepUrlFragment; they are rebuilt only on the next context change (a
// navigation, identify(), the player's user). Expected: after update() turns
// keepUrlFragment off, the next event's page.url has no fragment (it may
// hold a token). Actual: the fragment keeps being sent until something else
// changes the context (and turning it on has no effect either: after
// update({keepUrlFragment: true}) page.url stays without its fragment until
// identify() is called).
test(
  "update() turning keepUrlFragment off applies to the next event",
  async () => {
    const bucket = "rt-fragment-update";
    await clear(bucket);
    const settings = { ...oneDestination(bucket, {}, { properties: ["page.url", "n"] }), keepUrlFragment: true };
    const { context, page } = await open(settings);
    try {
      const base = server.url + "test/lab.html";
      await page.evaluate(() => (location.hash = "access_token=abc"));
      await emit(page, "survey.submitted", { n: 1 });
      await page.evaluate((s) => window.lab.hooks.update({ ...s, keepUrlFragment: false }), settings);
      await emit(page, "survey.submitted", { n: 2 });
      await flush(page);
      const got = await waitFor(bucket, 2, 3000);
      assert.deepEqual(got.map((r) => r.body).sort(), [`{"page.url":"${base}#access_token=abc","n":1}`, `{"page.url":"${base}","n":2}`].sort());
    } finally {
      await context.close();
    }
  }
);

test("the delivery history survives a reload, and a failed delivery is replayed by its key", async () => {
  const bucket = "rt-history";
  await clear(bucket);
  // The first attempt fails (one attempt allowed); the replay is answered 200.
  const settings = oneDestination(bucket, { maxAttempts: 1, url: `${R}/hook/${bucket}?fail=1&status=500` }, { properties: ["n"] });
  const { context, page, errors } = await open(settings);
  await emit(page, "survey.submitted", { "event.id": "h-1", n: 1 });
  await flush(page);
  assert.ok(await until(async () => (await stats(page)).failed === 1), "the failure");
  const keys = await page.evaluate(() => window.lab.hooks.replayable());
  assert.deepEqual(keys, ["h-1:w"]);
  // The history is kept across a reload.
  await page.reload();
  await page.waitForSelector("body[data-started=true]");
  const history = await page.evaluate(() => window.lab.hooks.history());
  const mine = history.filter((r) => r.key === "h-1:w");
  assert.deepEqual(mine.map((r) => r.outcome), ["failed"]);
  assert.equal(mine[0].status, 500);
  assert.ok(mine[0].at > 0);
  // Replay after the reload: sent again, delivered this time.
  assert.equal(await page.evaluate(() => window.lab.hooks.replay("h-1:w")), true);
  await flush(page);
  assert.ok(await until(async () => (await stats(page)).delivered === 1), "the replay delivered");
  const got = await waitFor(bucket, 2);
  assert.deepEqual(got.map((r) => r.body), ['{"n":1}', '{"n":1}']);
  assert.equal(await page.evaluate(() => window.lab.hooks.replay("h-1:w")), false, "not replayable twice");
  assert.deepEqual(await page.evaluate(() => window.lab.hooks.replayable()), []);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});
