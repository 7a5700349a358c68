// The snippet loader: boots from window.walkmeWebhookSettings and keeps the
// player's events sent while the module loads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, serve, watchErrors } from "./helpers.mjs";

test("the loader boots from window.walkmeWebhookSettings and replays early player events", async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(server.url + "test/loader.html");
    await page.waitForSelector("body[data-ready=true]");
    assert.equal(await page.evaluate(() => window.earlyDispatched), true, "events were sent before the module was ready");
    await page.evaluate(() => window.walkmeWebhooks.flush());
    const bodies = server.receiver.requests.filter((r) => r.bucket === "loader").map((r) => r.body);
    assert.deepEqual(bodies, ['{"item.name":"Help"}', '{"item.name":"Search"}', '{"item.name":"Tour"}']);
    // Later events go straight through the module's own listener.
    await page.evaluate(() => dispatchEvent(new CustomEvent("walkme:event", { detail: { type: "launcher.clicked", properties: { "item.name": "Later" } } })));
    await page.evaluate(() => window.walkmeWebhooks.flush());
    assert.equal(server.receiver.requests.filter((r) => r.bucket === "loader").length, 4);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});

test("the demo page fetches the runtime's JS and wasm once each, alongside the page (preload used), and never the editor module", async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    const warnings = [];
    page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
    const fetched = [];
    page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(server.url + "index.html");
    await page.waitForSelector("#status[data-ready=true]");
    assert.equal(fetched.filter((p) => p === "/pkg/walkme_webhooks_bg.wasm").length, 1, fetched.join("\n"));
    assert.equal(fetched.filter((p) => p === "/pkg/index.js").length, 1, fetched.join("\n"));
    assert.deepEqual(fetched.filter((p) => /editor/.test(p) && p.startsWith("/pkg/")), []);
    // Chromium warns when a preloaded resource is not used within a few seconds.
    await page.waitForTimeout(3500);
    assert.deepEqual(warnings.filter((w) => /preload/i.test(w)), []);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
