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

test("the served page loads the module and renders the catalog", async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url);
  await page.waitForSelector("#status[data-ready=true]");
  assert.equal(await page.locator("li[data-event]").count(), 32);
  assert.match(await page.textContent("#status"), /32 events in 11 groups/);
  assert.equal(await page.textContent("li[data-event='survey.submitted'] strong"), "Survey Submitted");
  assert.deepEqual(errors, []);
  await page.close();
});
