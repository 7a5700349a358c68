// Screenshots of every page at 1280 and 390 pixels wide, saved into
// test-results/ (demo, editor, wizard, test send, destinations, publish,
// receiver), after real use so they show content. Each page must fit its
// width: no horizontal scrolling.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { launch, serve, watchErrors, screenshotPath } from "./helpers.mjs";

let browser, server;
before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

async function shoot(page, name, options = {}) {
  const path = screenshotPath(name);
  await page.waitForTimeout(150); // let transitions settle
  await page.screenshot({ path, ...options });
  assert.ok(statSync(path).size > 5000, name + " was written");
}

async function fits(page, what) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: innerWidth }));
  assert.ok(scroll <= width, `${what}: the page is ${scroll}px wide in a ${width}px viewport`);
}

for (const width of [1280, 390]) {
  test(`screenshots at ${width} px`, async () => {
    const context = await browser.newContext({ viewport: { width, height: width > 600 ? 860 : 844 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const btn = (name) => page.getByRole("button", { name, exact: true });

    // The demo: use the player so the log has deliveries, leave the NPS survey open.
    await page.goto(server.url + "index.html");
    await page.waitForSelector("#status[data-ready=true]");
    await btn("Show ShoutOut").click();
    await page.locator("dialog.wm-shoutout").getByRole("button", { name: "Take a look" }).click();
    await page.getByRole("link", { name: "Dashboard" }).click();
    await btn("Show NPS survey").click();
    await btn("Score 3").click();
    await btn("Submit").click();
    await page.locator(".log li.dl[data-webhook='wh-nps-detractors']").waitFor();
    await btn("Show NPS survey").click();
    await btn("Score 8").click();
    await page.evaluate(() => scrollTo(0, 0));
    await fits(page, "demo");
    await shoot(page, `demo-${width}.png`);
    if (width < 600) await shoot(page, `demo-${width}-full.png`, { fullPage: true });
    await btn("Close survey").click();

    // The demo with the WalkMe menu and a Smart Walk-Thru balloon.
    await btn("Open menu").click();
    await page.locator(".wm-menu").getByLabel("Search help").fill("report");
    await shoot(page, `demo-menu-${width}.png`);
    await btn("Close menu").click();
    await btn("Play Smart Walk-Thru").click();
    await page.locator(".wm-balloon").getByRole("button", { name: "Next" }).click();
    await shoot(page, `demo-walkthru-${width}.png`);
    await btn("Close Walk-Thru").click();

    // The editor: webhooks list (with the last deliveries), the wizard's two steps, a test send.
    await page.goto(server.url + "editor.html");
    await page.waitForSelector("#main[data-ready=true]");
    await fits(page, "editor");
    await shoot(page, `editor-${width}.png`);
    await page.getByRole("button", { name: "Edit NPS detractors to Slack" }).click();
    const wizard = page.locator("dialog.wizard[open]");
    await wizard.waitFor();
    await shoot(page, `wizard-event-${width}.png`);
    await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
    await shoot(page, `wizard-destination-${width}.png`);
    await wizard.getByRole("button", { name: "Close" }).click();
    await page.getByRole("button", { name: "Send test event: ShoutOut clicks" }).click();
    const testDialog = page.locator("dialog[open]", { hasText: "Send test event" });
    await testDialog.getByRole("button", { name: "SEND TEST EVENT" }).click();
    await testDialog.locator(".callout[data-outcome=delivered]").waitFor();
    await testDialog.locator(".exchange").scrollIntoViewIfNeeded();
    await shoot(page, `test-send-${width}.png`);
    await testDialog.getByRole("button", { name: "CLOSE", exact: true }).click();

    // Destinations and Publish.
    await page.getByRole("link", { name: "Destinations" }).click();
    await page.waitForSelector("#main[data-page=destinations]");
    await fits(page, "destinations");
    await shoot(page, `destinations-${width}.png`);
    await page.getByRole("link", { name: "Publish settings" }).click();
    await page.waitForSelector("#main[data-page=publish]");
    await fits(page, "publish");
    await shoot(page, `publish-${width}.png`);

    // The receiver: what arrived.
    await page.goto(server.url + "receiver.html");
    await page.waitForSelector("body[data-ready=true]");
    await page.locator(".req").first().waitFor();
    await fits(page, "receiver");
    await shoot(page, `receiver-${width}.png`);

    assert.deepEqual(errors, []);
    await context.close();
  });
}
