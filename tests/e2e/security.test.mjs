// The module inside a customer's page: an internal failure never breaks the
// page, and everything works under a strict Content Security Policy.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, serve } from "./helpers.mjs";

let browser, server;
before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

const received = (bucket) => server.receiver.requests.filter((r) => r.bucket === bucket);

async function until(check, ms = 15000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

test("an internal failure is reported once, the module turns itself off, and the host page goes on", async () => {
  const page = await browser.newPage();
  const pageErrors = [];
  const consoleErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  await page.goto(server.url + "test/lab.html");
  await page.evaluate(
    (url) =>
      window.lab.start({
        settings: { version: 1, destinations: [{ id: "d", url }], webhooks: [{ id: "w", event: "survey.submitted", destination: "d" }] },
        options: { autoCapture: true },
      }),
    `${server.url}hook/s-guard`
  );
  const result = await page.evaluate(async () => {
    const host = { sawEvent: 0, afterwards: false, clicks: 0 };
    // The host page's own listener on the same channel, registered after the module's.
    addEventListener("walkme:event", () => host.sawEvent++);
    const reports = [];
    window.lab.hooks.onDelivery((r) => reports.push(r));
    window.lab.hooks.selfTestFailure();
    // The failure happens inside the module's listener for this event.
    dispatchEvent(new CustomEvent("walkme:event", { detail: { type: "survey.submitted", properties: {} } }));
    // The page's own scripts go on.
    await new Promise((r) => setTimeout(r, 50));
    host.afterwards = true;
    const b = document.createElement("button");
    b.onclick = () => host.clicks++;
    document.body.append(b);
    b.click();
    dispatchEvent(new CustomEvent("walkme:event", { detail: { type: "survey.submitted", properties: {} } }));
    const matched = window.lab.hooks.emit("survey.submitted", {});
    const stats = window.lab.hooks.stats();
    window.lab.hooks.identify("u", {});
    window.lab.hooks.update({ version: 1, destinations: [], webhooks: [] });
    await window.lab.hooks.flush();
    return { host, matched, stats, reports };
  });
  assert.deepEqual(pageErrors, [], "nothing thrown into the page");
  assert.equal(result.host.sawEvent, 2, "the host's own listeners still run");
  assert.equal(result.host.afterwards, true);
  assert.equal(result.host.clicks, 1, "host clicks still work (DXA capture is off, not broken)");
  assert.equal(result.matched, 0);
  assert.equal(result.stats.disabled, true);
  const ours = consoleErrors.filter((e) => e.includes("[walkme-webhooks] disabled"));
  assert.equal(ours.length, 1, "reported once: " + consoleErrors.join(" | "));
  assert.equal(result.reports.length, 1);
  assert.match(result.reports[0].error, /module disabled after an internal error/);
  assert.equal(received("s-guard").length, 0);
  await page.close();
});

test("strict CSP: script-src 'self' 'wasm-unsafe-eval' and a narrow connect-src, also for the sender worker", async () => {
  const allowed = server.url.replace(/\/$/, ""); // http://127.0.0.1:<port>
  const refused = allowed.replace("127.0.0.1", "localhost"); // another origin, not in connect-src
  const page = await browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  const resp = await page.goto(`${server.url}test/lab.html?connect=${allowed}`);
  const csp = resp.headers()["content-security-policy"];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, new RegExp(`connect-src 'self' ${allowed.replace(/[.]/g, "\\.")}(;|$)`));
  await page.evaluate(() => {
    window.__violations = [];
    addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.effectiveDirective + " " + e.blockedURI));
  });
  const reports = await page.evaluate(
    async ([ok, no]) => {
      await window.lab.start({
        settings: {
          version: 1,
          destinations: [
            { id: "ok", url: ok + "/hook/s-csp", maxAttempts: 2 },
            { id: "no", url: no + "/hook/s-csp-refused", maxAttempts: 2 },
          ],
          webhooks: [
            { id: "w1", event: "survey.submitted", destination: "ok", properties: ["n"] },
            { id: "w2", event: "survey.submitted", destination: "no", properties: ["n"] },
          ],
        },
        options: { backoff: { baseMs: 50, maxMs: 100 } },
      });
      window.lab.hooks.emit("survey.submitted", { n: 1 });
      // Until both destinations are done: delivered, and failed after its retry.
      const done = () => window.lab.reports.some((r) => r.destinationId === "no" && r.outcome === "failed") && window.lab.reports.some((r) => r.destinationId === "ok");
      for (const end = Date.now() + 10000; !done() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
      await window.lab.hooks.flush();
      return window.lab.reports;
    },
    [allowed, refused]
  );
  assert.ok(await until(() => received("s-csp").length === 1), "the allowed destination got it");
  assert.equal(received("s-csp-refused").length, 0, "CSP kept the other one from leaving");
  const refusedReports = reports.filter((r) => r.destinationId === "no");
  assert.deepEqual(refusedReports.map((r) => r.outcome), ["retry", "failed"]);
  assert.match(refusedReports[1].error, /network error/);
  // Nothing but connect-src was refused (no script, style or worker
  // violation); the refused requests themselves are made from the page
  // (while the sender worker starts) and from the worker, which inherits
  // the page's policy and reports there.
  const violations = await page.evaluate(() => window.__violations);
  assert.ok(violations.every((v) => v.startsWith("connect-src")), violations.join(", "));
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test("debug logs mask secrets, and no secret is written to browser storage", async () => {
  const page = await browser.newPage();
  const logs = [];
  page.on("console", (m) => logs.push(m.text()));
  await page.goto(server.url + "test/lab.html");
  await page.evaluate(
    async (base) => {
      await window.lab.start({
        settings: {
          version: 1,
          destinations: [
            { id: "b", url: base + "hook/s-mask/b?fail=1&api_key=KEY-IN-URL", auth: { type: "bearer", token: "TOKEN-SECRET" } },
            { id: "p", url: base + "hook/s-mask/p", auth: { type: "basic", username: "user", password: "PASSWORD-SECRET" } },
          ],
          webhooks: [
            { id: "wb", event: "survey.submitted", destination: "b", properties: ["n"] },
            { id: "wp", event: "survey.submitted", destination: "p", properties: ["n"] },
          ],
        },
        options: { debug: true, backoff: { baseMs: 5000, maxMs: 5000 } },
      });
      window.lab.hooks.emit("survey.submitted", { n: 1 });
      await window.lab.hooks.flush();
    },
    server.url
  );
  const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("wmwh2:")).map((k) => localStorage.getItem(k)).join("\n"));
  assert.ok(stored.length > 0, "the retrying delivery is stored");
  const ours = logs.filter((l) => l.startsWith("[walkme-webhooks]"));
  assert.ok(ours.some((l) => l.includes("Authorization: Bearer ****")), ours.join("\n"));
  assert.ok(ours.some((l) => l.includes("Authorization: Basic ****")), ours.join("\n"));
  assert.ok(ours.some((l) => l.includes("api_key=****")), ours.join("\n"));
  for (const secret of ["TOKEN-SECRET", "PASSWORD-SECRET", "KEY-IN-URL", btoa("user:PASSWORD-SECRET")]) {
    assert.ok(!ours.some((l) => l.includes(secret)), `${secret} in a log line`);
    assert.ok(!stored.includes(secret), `${secret} in storage`);
  }
  await page.close();
});

test("a CSP without blob: workers: requests are sent from the page, still under connect-src", async () => {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  let workers = 0;
  page.on("worker", () => workers++);
  // ?connect= also drops blob: from worker-src (see www/server.mjs csp()).
  await page.goto(`${server.url}test/lab.html?connect=${server.url.replace(/\/$/, "")}&noworker=1`);
  await page.evaluate(
    (base) =>
      window.lab.start({
        settings: { version: 1, destinations: [{ id: "d", url: base + "hook/s-csp-page" }], webhooks: [{ id: "w", event: "survey.submitted", destination: "d" }] },
      }),
    server.url
  );
  await page.evaluate(() => window.lab.emitRange("survey.submitted", "p", 0, 3));
  assert.ok(await until(() => received("s-csp-page").length === 3));
  assert.equal(workers, 0);
  assert.deepEqual(pageErrors, []);
  await page.close();
});
