// Never lose an event, in a real browser: offline, storage full, the page
// going away (keepalive), the next visit (resume), no unload listener and
// the back/forward cache.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, serve, watchErrors } from "./helpers.mjs";

let browser, server;
before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

const hook = (bucket, query = "") => `${server.url}hook/${bucket}${query}`;
const received = (bucket) => server.receiver.requests.filter((r) => r.bucket === bucket);
const keysOk = (bucket) => new Set(received(bucket).filter((r) => r.status === 200).map((r) => r.headers["idempotency-key"]));

function config(url, extra = {}) {
  return {
    settings: {
      version: 1,
      destinations: [{ id: "d", url, idempotencyHeader: true, ...extra }],
      webhooks: [{ id: "w", event: "survey.submitted", destination: "d", properties: ["n"] }],
    },
    options: { playerEvents: false, backoff: { baseMs: 200, maxMs: 1000 } },
  };
}

async function lab(context, cfg) {
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url + "test/lab.html");
  if (cfg) await page.evaluate((c) => window.lab.start(c), cfg);
  return { page, errors };
}

async function until(check, ms = 15000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

// The receiver has answered; the answers reach the module a moment later.
const deliveredBy = (page, n) => until(async () => (await page.evaluate(() => window.lab.stats())).delivered >= n, 5000);

const realErrors = (errors) => errors.filter((e) => !e.includes("Failed to load resource"));

test("offline: nothing is attempted, and everything goes once the browser is back online", async () => {
  const context = await browser.newContext();
  const { page, errors } = await lab(context, config(hook("r-offline")));
  await context.setOffline(true);
  await page.evaluate(() => window.lab.emitRange("survey.submitted", "off", 0, 5));
  // The poll that follows the emits (in the same task) stores them, and
  // would have sent them: once they are stored, nothing was attempted.
  assert.ok(await until(async () => (await page.evaluate(() => window.lab.stats())).stored === 5, 5000), "stored");
  let s = await page.evaluate(() => window.lab.stats());
  assert.equal(s.sent, 0, "no attempt burned while offline");
  assert.equal(s.queued, 5);
  assert.equal(s.stored, 5, "kept in storage meanwhile");
  assert.equal(received("r-offline").length, 0);
  await context.setOffline(false);
  assert.ok(await until(() => keysOk("r-offline").size === 5), "delivered once online");
  await deliveredBy(page, 5);
  s = await page.evaluate(() => window.lab.stats());
  assert.equal(s.sent, 5, "one attempt each");
  assert.equal(s.delivered, 5);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test("storage full (quota): the queue degrades to memory, nothing throws, everything is delivered", async () => {
  const context = await browser.newContext();
  const { page, errors } = await lab(context, config(hook("r-quota", "?delay=300")));
  const filled = await page.evaluate(() => {
    // Fill localStorage the way a host app could, up to the quota.
    const chunk = "x".repeat(256 * 1024);
    let i = 0;
    try {
      for (; i < 1000; i++) localStorage.setItem("host-" + i, chunk);
    } catch (_) {}
    let small = 0;
    try {
      for (; small < 100000; small++) localStorage.setItem("host-s" + small, "y".repeat(512));
    } catch (_) {}
    return i;
  });
  assert.ok(filled > 0);
  await page.evaluate(() => window.lab.emitRange("survey.submitted", "q", 0, 10));
  assert.ok(await until(() => keysOk("r-quota").size === 10), "all delivered from memory");
  await deliveredBy(page, 10);
  const s = await page.evaluate(() => window.lab.stats());
  assert.equal(s.storageDegraded, true);
  assert.equal(s.delivered, 10);
  assert.deepEqual(realErrors(errors), []);
  await page.evaluate(() => localStorage.clear());
  await context.close();
});

test("the page going away: waiting deliveries leave with keepalive and arrive", async () => {
  const context = await browser.newContext();
  // The destination answers slowly: 8 requests in flight, the rest wait.
  const { page } = await lab(context, config(hook("r-hide", "?delay=1500")));
  await page.evaluate(() => window.lab.emitRange("survey.submitted", "h", 0, 20));
  await until(async () => (await page.evaluate(() => window.lab.stats())).inFlight === 8, 5000);
  const s = await page.evaluate(() => window.lab.stats());
  assert.equal(s.inFlight, 8);
  assert.equal(s.queued, 20);
  await page.goto("about:blank"); // pagehide
  // The 12 that were waiting leave with keepalive as the page goes.
  const waiting = Array.from({ length: 12 }, (_, i) => `h-${String(i + 8).padStart(5, "0")}:w`);
  const arrived = () => new Set(received("r-hide").map((r) => r.headers["idempotency-key"]));
  assert.ok(await until(() => waiting.every((k) => arrived().has(k))), "waiting deliveries sent with keepalive");
  // Requests in flight when the page went away (some still queued in the
  // browser, never sent) stay stored: the next visit delivers them.
  const next = await lab(context, config(hook("r-hide", "?delay=1500")));
  assert.ok(await until(() => keysOk("r-hide").size === 20, 20000), "all 20 delivered");
  // Their records stay behind either way; the next visit takes them over
  // once the margin for a live owner has passed.
  await until(async () => (await next.page.evaluate(() => window.lab.stats())).resumed >= 1, 10000);
  await next.page.evaluate(() => window.lab.flush());
  const after = await next.page.evaluate(() => window.lab.stats());
  assert.equal(after.queued, 0);
  assert.ok(after.resumed >= 1);
  await context.close();
});

test("the next visit resumes what a closed tab could not deliver", async () => {
  const context = await browser.newContext();
  // The first 3 requests fail with 503: the deliveries wait for a retry...
  const cfg = config(hook("r-resume", "?fail=3"));
  cfg.options.backoff = { baseMs: 5000, maxMs: 5000 };
  const first = await lab(context, cfg);
  await first.page.evaluate(() => window.lab.emitRange("survey.submitted", "v", 0, 3));
  assert.ok(await until(() => received("r-resume").length === 3));
  await first.page.evaluate(() => window.lab.flush());
  const before = await first.page.evaluate(() => window.lab.stats());
  assert.equal(before.retrying, 3);
  assert.equal(before.stored, 3);
  // ...and the tab is closed before the retry.
  await first.page.close();
  const next = await lab(context, { ...cfg, options: { ...cfg.options, backoff: { baseMs: 100, maxMs: 200 } } });
  assert.ok(await until(() => keysOk("r-resume").size === 3, 20000), "delivered by the next visit");
  await deliveredBy(next.page, 3);
  const s = await next.page.evaluate(() => window.lab.stats());
  assert.equal(s.resumed, 3);
  assert.equal(s.delivered, 3);
  assert.equal(s.stored, 0);
  // Attempts go on counting across pages: the second attempt of each.
  const reports = await next.page.evaluate(() => window.lab.reports);
  assert.deepEqual(reports.map((r) => [r.outcome, r.attempt]), [["delivered", 2], ["delivered", 2], ["delivered", 2]]);
  await context.close();
});

test("no unload listener, and a page with nothing pending stays eligible for the back/forward cache", async () => {
  const bfBrowser = await launch({ bfcache: true });
  const context = await bfBrowser.newContext();
  const { page } = await lab(context, config(hook("r-bfcache")));
  const cdp = await context.newCDPSession(page);
  const { result } = await cdp.send("Runtime.evaluate", { expression: "window" });
  const { listeners } = await cdp.send("DOMDebugger.getEventListeners", { objectId: result.objectId });
  const types = listeners.map((l) => l.type);
  assert.ok(!types.includes("unload") && !types.includes("beforeunload"), types.join(","));
  assert.ok(types.includes("pagehide") && types.includes("visibilitychange"));
  await page.evaluate(() => window.lab.emitRange("survey.submitted", "bf", 0, 3));
  assert.ok(await until(() => keysOk("r-bfcache").size === 3));
  await page.evaluate(() => window.lab.flush());
  await page.evaluate(() => {
    window.__restored = null;
    addEventListener("pageshow", (e) => (window.__restored = e.persisted));
  });
  await page.goto(server.url + "test/lab.html?other");
  await page.goBack({ waitUntil: "commit" });
  await page.waitForFunction(() => window.__restored !== undefined && document.body.dataset.started === "true");
  const restored = await page.evaluate(() => window.__restored);
  const reasons = await page.evaluate(() => JSON.stringify(performance.getEntriesByType("navigation")[0]?.notRestoredReasons || null));
  assert.equal(restored, true, "restored from the back/forward cache; not restored reasons: " + reasons);
  // The restored page still delivers.
  await page.evaluate(() => window.lab.emitRange("survey.submitted", "bf2", 0, 2));
  assert.ok(await until(() => keysOk("r-bfcache").size === 5));
  await bfBrowser.close();
});

test("requests leave from a worker, off the main thread; without one, from the page", async () => {
  const context = await browser.newContext();
  const workers = [];
  for (const [useWorker, bucket] of [[true, "r-worker"], [false, "r-noworker"]]) {
    const page = await context.newPage();
    page.on("worker", (w) => workers.push([bucket, w.url()]));
    // Notes when the sender worker says it has started (its first message).
    await page.addInitScript(() => {
      const W = window.Worker;
      window.Worker = class extends W {
        constructor(...a) {
          super(...a);
          this.addEventListener("message", (e) => e.data === 0 && (window.__workerReady = true));
        }
      };
    });
    await page.goto(server.url + "test/lab.html");
    // Counts the requests made from the page itself.
    await page.evaluate(() => {
      const pageFetch = window.fetch;
      window.__pageFetches = 0;
      window.fetch = function () {
        window.__pageFetches++;
        return pageFetch.apply(this, arguments);
      };
    });
    const cfg = config(hook(bucket));
    cfg.options.worker = useWorker;
    await page.evaluate((c) => window.lab.start(c), cfg);
    // The first request leaves from the page while the worker starts.
    await page.evaluate(() => window.lab.emitRange("survey.submitted", "wk", 0, 1));
    assert.ok(await until(() => keysOk(bucket).size === 1), bucket);
    if (useWorker) assert.ok(await until(() => page.evaluate(() => window.__workerReady === true)), "the worker started");
    const before = await page.evaluate(() => window.__pageFetches);
    await page.evaluate(() => window.lab.emitRange("survey.submitted", "wk", 1, 6));
    assert.ok(await until(() => keysOk(bucket).size === 6), bucket);
    const fromPage = (await page.evaluate(() => window.__pageFetches)) - before;
    assert.equal(fromPage, useWorker ? 0 : 5, `${bucket}: requests made from the page`);
    await page.close();
  }
  assert.deepEqual(workers.map(([b, url]) => [b, url.startsWith("blob:")]), [["r-worker", true]]);
  await context.close();
});

test("a module whose start() result the page drops keeps running through garbage collection", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url + "test/lab.html");
  const bucket = "r-unreferenced";
  await page.evaluate(async (url) => {
    const m = await import("/pkg/index.js");
    await m.default();
    // Nothing keeps what start() returns; events come as walkme:event.
    m.start({ version: 1, destinations: [{ id: "d", url, mode: "simple" }], webhooks: [{ id: "w", event: "survey.submitted", destination: "d" }] });
  }, hook(bucket));
  // Garbage collection until an unreachable sentinel has been collected and
  // finalized: what nothing holds is gone by then.
  await page.evaluate(() => {
    window.__collected = false;
    const registry = new FinalizationRegistry(() => (window.__collected = true));
    window.__registry = registry;
    registry.register({ sentinel: true }, 0);
  });
  const cdp = await context.newCDPSession(page);
  assert.ok(
    await until(async () => {
      await cdp.send("HeapProfiler.collectGarbage");
      return page.evaluate(() => window.__collected);
    }, 10000),
    "a garbage collection ran"
  );
  await page.evaluate(() => {
    for (let i = 0; i < 20; i++) dispatchEvent(new CustomEvent("walkme:event", { detail: { type: "survey.submitted", properties: { "event.id": "gc-" + i } } }));
  });
  assert.ok(await until(() => server.receiver.requests.filter((r) => r.path === "/hook/" + bucket).length >= 20), "all 20 events after GC");
  await context.close();
});
