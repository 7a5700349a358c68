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

test("the editor's Available events page renders the module's catalog", async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url + "editor.html#events");
  await page.waitForSelector("#catalog[data-ready=true]");
  assert.equal(await page.locator("li[data-event]").count(), 32);
  assert.match(await page.textContent("#main .lede"), /32 events in 11 groups/);
  assert.equal(await page.textContent("li[data-event='survey.submitted'] strong"), "Survey Submitted");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the demo app starts the module with the built-in settings", async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url);
  await page.waitForSelector("#status[data-ready=true]");
  assert.equal(await page.getAttribute("#status", "data-source"), "built-in");
  assert.match(await page.textContent("#status"), /Module running · 8 webhooks · built-in settings/);
  assert.deepEqual(errors, []);
  await page.close();
});
