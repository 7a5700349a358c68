// Accessibility: axe-core on every screen of the editor (each page, the
// wizard at each step with its request preview and condition results, the
// destination form with a preset, an unavailable preset, a host fix, a
// probe and each token source, the test send with a CORS failure explained,
// the Deliveries page, the dialogs, in English and German), the demo app
// (each view, the player's overlays, the delivery history) and the
// receiver, at 1280 and 390 pixels wide. Any violation of impact serious or
// critical fails, and so do the rules the user test tripped over whatever
// their impact. A screenshot of each screen goes to test-results/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launch, serve, watchErrors, screenshotPath, root, until, startNewWebhook } from "./helpers.mjs";

const AXE = readFileSync(join(root, "node_modules/axe-core/axe.min.js"), "utf8");
// Found in the user test: a duplicate banner is "moderate", a name that lacks
// the visible text is an experimental rule; both count here.
const ALWAYS = new Set(["color-contrast", "label-content-name-mismatch", "landmark-no-duplicate-banner", "link-name", "scrollable-region-focusable"]);

let browser, server, other;
before(async () => {
  // A receiver on a second origin: a destination that is not this page's site.
  server = await serve({ receiverPorts: [0] });
  other = `http://127.0.0.1:${server.receiverPorts[0]}/`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

/** Runs axe on what the page shows now; returns the violations that count, as lines. */
async function audit(page, screen, width) {
  await page.mouse.move(1, 1); // no hover state: the same screen every run
  await page.waitForTimeout(120); // transitions settle, so colours are final
  await page.screenshot({ path: screenshotPath(`a11y-${screen}-${width}.png`) });
  // Evaluated through the driver, so the page's Content Security Policy stays as it is.
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"], rules: { "label-content-name-mismatch": { enabled: true } } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(" ")} (${n.failureSummary.split("\n").slice(1).join(" ").trim()})`) }));
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical" || ALWAYS.has(v.id))
    .map((v) => `${screen} @${width}: ${v.id} [${v.impact}] ${v.help}\n    ${v.nodes.slice(0, 4).join("\n    ")}`);
}

for (const width of [1280, 390]) {
  test(`axe finds nothing serious on any screen at ${width} px`, async () => {
    const context = await browser.newContext({ viewport: { width, height: width > 600 ? 860 : 844 }, locale: "en-US" });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const found = [];
    const check = async (screen) => found.push(...(await audit(page, screen, width)));
    const btn = (name) => page.getByRole("button", { name, exact: true });

    // ---- the demo app: each view and the player's overlays ----------------------
    await page.goto(server.url + "index.html");
    await page.waitForSelector("#status[data-ready=true]");
    await check("demo-dashboard");
    for (const view of ["contacts", "reports", "billing"]) {
      await page.goto(server.url + "index.html#/" + view);
      await page.waitForSelector(`section[data-view=${view}]:not([hidden])`);
      await check("demo-" + view);
    }
    await page.goto(server.url + "index.html#/dashboard");
    await btn("Show ShoutOut").click();
    await page.locator("dialog.wm-shoutout").waitFor();
    await check("demo-shoutout");
    await btn("Close ShoutOut").click();
    await btn("Show NPS survey").click();
    await btn("Score 3").click();
    await check("demo-survey");
    await btn("Close survey").click();
    await btn("Open menu").click();
    await page.locator(".wm-menu").getByLabel("Search help").fill("report");
    await check("demo-menu");
    for (const tab of ["Tasks", "Courses"]) {
      await page.locator(".wm-menu").getByRole("tab", { name: tab }).click();
      await check("demo-menu-" + tab.toLowerCase());
    }
    await btn("Close menu").click();
    await btn("Play Smart Walk-Thru").click();
    await page.locator(".wm-balloon").waitFor();
    await check("demo-walkthru");
    await btn("Close Walk-Thru").click();

    // The app's delivery history, with a dropped delivery it can replay.
    await page.evaluate(async (url) => {
      const hooks = window.walkmeWebhooks;
      hooks.update({ version: 1, destinations: [{ id: "strict", url: url + "hook/a11y/strict?status=400" }], webhooks: [{ id: "wh-strict", name: "Strict", event: "launcher.clicked", destination: "strict" }] });
      hooks.emit("launcher.clicked", { "item.name": "Guide me" });
      await hooks.flush();
    }, server.url);
    await btn("Delivery history").click();
    await page.locator("dialog.deliveries-dialog[open] tbody tr button").first().waitFor();
    await check("demo-deliveries");
    await page.locator("dialog.deliveries-dialog[open]").getByRole("button", { name: "CLOSE", exact: true }).click();

    // ---- the editor: every page ---------------------------------------------------
    await page.goto(server.url + "editor.html");
    await page.waitForSelector("#main[data-ready=true]");
    await check("editor-webhooks");
    await page.getByRole("searchbox", { name: "Search" }).fill("no such webhook");
    await check("editor-webhooks-no-match");
    await page.getByRole("button", { name: "Clear filters" }).click();
    for (const route of ["destinations", "deliveries", "publish", "versions", "events"]) {
      await page.goto(server.url + "editor.html#" + route);
      await page.waitForSelector(`#main[data-page=${route}]`);
      if (route === "events") await page.locator("li[data-event] details").first().evaluate((d) => (d.open = true));
      await check("editor-" + route);
    }

    // The dialogs of the list: name (with its error), delete.
    await page.goto(server.url + "editor.html#webhooks");
    await page.waitForSelector("#main[data-page=webhooks]");
    await btn("+ NEW WEBHOOK").click();
    const ask = page.locator("dialog[open]");
    await ask.getByLabel("Webhook name").fill("NPS detractors to Slack");
    await ask.getByRole("button", { name: "CONTINUE ›" }).click();
    await check("editor-name-dialog");
    await ask.getByRole("button", { name: "CANCEL" }).click();
    await page.locator("dialog.confirm[open]").getByRole("button", { name: "Discard" }).click();
    await page.getByRole("button", { name: "Delete Page views" }).click();
    await check("editor-delete-dialog");
    await page.locator("dialog[open]").getByRole("button", { name: "CANCEL" }).click();

    // The wizard at each step: a webhook with conditions and Advanced open, then its destination.
    await page.getByRole("button", { name: "Edit NPS detractors to Slack" }).click();
    const wizard = page.locator("dialog.wizard[open]");
    await wizard.waitFor();
    await check("editor-wizard-event");
    await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
    await check("editor-wizard-destination");
    await wizard.getByRole("button", { name: "Close" }).click();

    // A new webhook: errors at the fields, a true/false condition, a new destination with OAuth 2.0 on the local receiver.
    const fresh = await startNewWebhook(page, "Empty inputs");
    await fresh.getByLabel("Event", { exact: true }).selectOption("dxa.input");
    await fresh.getByRole("button", { name: "+ ADD CONDITION" }).click();
    await fresh.getByLabel("Condition 1 property").selectOption("input.empty");
    await fresh.getByRole("button", { name: "+ ADD CONDITION" }).click();
    await fresh.getByRole("button", { name: "Advanced ›" }).click();
    await fresh.getByRole("button", { name: "+ ADD PROPERTY" }).click();
    await fresh.getByLabel("Static property 1 name").fill("app id");
    await fresh.getByRole("button", { name: "CONTINUE ›" }).click();
    await check("editor-wizard-event-errors");
    await fresh.getByLabel("Condition 2 property").selectOption("input.name");
    await fresh.getByLabel("Condition 2 value").fill("company");
    await fresh.getByLabel("Static property 1 name").fill("app_id");
    await fresh.locator(".advanced .request-preview pre.code").waitFor();
    await check("editor-wizard-event-preview");
    await fresh.getByRole("button", { name: "CONTINUE ›" }).click();
    await fresh.getByRole("button", { name: "Slack (incoming webhook)", exact: true }).click();
    await fresh.locator("[data-key='destination.preset.webhook_url']").fill("https://hooks.slack.com/services/T0AB/B0CD/abcdef");
    await fresh.locator(".preview-section .request-view").waitFor();
    await check("editor-wizard-destination-preset");
    await fresh.getByRole("button", { name: "Discord (webhook)", exact: true }).click({ force: true });
    await fresh.locator(".preset-unavailable").waitFor();
    await check("editor-wizard-destination-unavailable");
    await fresh.getByRole("button", { name: "Custom", exact: true }).click();
    await fresh.getByLabel("Send to the local receiver (demo)").check();
    await fresh.getByLabel("Authentication Type").selectOption("oauth2");
    await fresh.locator("details.more").evaluate((d) => (d.open = true));
    await fresh.getByRole("button", { name: "+ ADD PROPERTY" }).click();
    await check("editor-wizard-destination-oauth");
    await fresh.getByRole("button", { name: "SAVE" }).click();
    await page.locator(".toast", { hasText: "Not saved" }).waitFor();
    await check("editor-wizard-toast");
    await fresh.getByLabel("Header 1 name").fill("X-Team");
    await fresh.getByLabel(/Supply the client secret from the host page/).check();

    // Send test from the wizard: the test dialog with a result.
    await fresh.getByRole("button", { name: "Send test" }).click();
    const testDialog = page.locator("dialog[open]", { hasText: "Send test event" });
    await testDialog.getByRole("button", { name: "SEND TEST EVENT" }).click();
    await testDialog.locator(".callout[data-outcome]").waitFor();
    await testDialog.locator(".cond-results").waitFor();
    await check("editor-test-send");
    await testDialog.getByRole("button", { name: "CLOSE", exact: true }).click();
    await page.keyboard.press("Escape");
    await page.locator("dialog.confirm[open]").waitFor();
    await check("editor-discard-dialog");
    await page.locator("dialog.confirm[open]").getByRole("button", { name: "Discard" }).click();

    // A test send to an address that does not allow CORS: the probe, the failure explained, the fix.
    const cors = await startNewWebhook(page, "No CORS here");
    await cors.getByLabel("Event", { exact: true }).selectOption("launcher.clicked");
    await cors.getByRole("button", { name: "CONTINUE ›" }).click();
    await cors.getByRole("button", { name: "Custom", exact: true }).click();
    await cors.getByLabel("Destination URL").fill(`${other}hook/a11y-cors?cors=0`);
    await cors.getByRole("button", { name: "Send test" }).click();
    const corsTest = page.locator("dialog[open]", { hasText: "Send test event" });
    await corsTest.locator(".probe-result").waitFor();
    await corsTest.getByRole("button", { name: "SEND TEST EVENT" }).click();
    await corsTest.locator(".cors-explained").waitFor();
    await check("editor-test-send-cors");
    await corsTest.getByRole("button", { name: "CLOSE", exact: true }).click();
    await cors.getByRole("button", { name: "Close", exact: true }).click();
    await page.locator("dialog.confirm[open]").getByRole("button", { name: "Discard" }).click();

    // The destination dialog of the Destinations page: a preset with its fields, a host fix, a probe, each token source.
    await page.getByRole("link", { name: "Destinations" }).click();
    await page.getByRole("button", { name: "+ NEW DESTINATION" }).click();
    const dest = page.locator("dialog[open]", { hasText: "New Destination" });
    await dest.getByRole("button", { name: "Mixpanel (track)", exact: true }).click();
    await dest.getByRole("button", { name: "SAVE" }).click();
    await dest.locator(".preset-panel .msg.error").waitFor();
    await check("editor-destination-preset");
    await dest.getByRole("button", { name: "Custom", exact: true }).click();
    await dest.getByLabel("Destination URL").fill("https://hooks.slack.com/services/T0AB/B0CD/abcdef");
    await dest.locator("[data-fix='mode:simple']").waitFor();
    await check("editor-destination-host-fix");
    await dest.getByLabel("Destination URL").fill(`${other}hook/a11y-probe`);
    await dest.getByRole("button", { name: "Choose the mode for me" }).click();
    await dest.locator(".probe-result").waitFor();
    await check("editor-destination-probe");
    await dest.getByLabel("Authentication Type").selectOption("bearer");
    await check("editor-destination-token-site");
    await dest.getByRole("radio", { name: /^Paste a token/ }).check();
    await dest.getByLabel("Token", { exact: true }).fill("s3cr3t");
    await check("editor-destination-token-paste");
    await dest.getByRole("radio", { name: /^Supply the token from the host page/ }).check();
    await check("editor-destination-token-app");
    await dest.getByLabel("Authentication Type").selectOption("basic");
    await check("editor-destination-dialog");
    await dest.getByRole("button", { name: "Close" }).click();
    await page.locator("dialog.confirm[open]").getByRole("button", { name: "Discard" }).click();

    // Publish, then the Versions page with a version and the publish toast.
    await page.getByRole("link", { name: "Publish settings" }).first().click();
    await btn("PUBLISH SETTINGS").click();
    await page.locator(".toast", { hasText: "Published version 1" }).waitFor();
    await check("editor-published");
    await page.getByRole("link", { name: "Versions" }).first().click();
    await page.locator("li[data-version='1'] details").evaluate((d) => (d.open = true));
    await check("editor-versions-list");

    // German: the list and the wizard.
    await page.getByRole("combobox", { name: "Language" }).selectOption("de");
    await page.getByRole("link", { name: "Webhooks", exact: true }).click();
    await page.waitForSelector("#main[data-page=webhooks]");
    await check("editor-de-webhooks");
    await page.getByRole("button", { name: "NPS detractors to Slack bearbeiten" }).click();
    await check("editor-de-wizard");
    await page.locator("dialog.wizard[open]").getByRole("button", { name: "Schließen" }).click();
    await page.getByRole("link", { name: "Zustellungen" }).click();
    await page.waitForSelector("#main[data-page=deliveries]");
    await check("editor-de-deliveries");
    await page.getByRole("combobox", { name: "Sprache" }).selectOption("en");

    // ---- the receiver: what arrived (code blocks that scroll) ---------------------------
    await page.goto(server.url + "receiver.html");
    await page.waitForSelector("body[data-ready=true]");
    await until(async () => (await page.locator(".req").count()) > 0, "a request in the receiver");
    await page.locator(".req details").first().evaluate((d) => (d.open = true));
    await check("receiver");

    assert.deepEqual(found, [], "\n" + found.join("\n"));
    // The browser reports failed and refused requests itself (the receiver's errors, CORS on purpose).
    assert.deepEqual(errors.filter((e) => !/Failed to load resource|blocked by CORS policy/.test(e)), []);
    await context.close();
  });
}

test("the named problems of the user test are gone", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(server.url + "index.html");
  await page.waitForSelector("#status[data-ready=true]");
  // One banner landmark; the Help button is named by its visible text.
  assert.equal(await page.getByRole("banner").count(), 1);
  assert.equal(await page.getByRole("button", { name: "Help", exact: true }).count(), 1);
  // The logo link keeps its name when its text is hidden on a narrow screen.
  assert.equal(await page.getByRole("link", { name: "WalkMe webhooks" }).isVisible(), true);
  // Primary buttons: white on green, at least 4.5:1.
  const ratio = await page.locator(".btn.primary").first().evaluate((el) => {
    const rgb = (c) => c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
    const lum = (c) => {
      const [r, g, b] = rgb(c).map((v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const s = getComputedStyle(el);
    const [a, b] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  });
  assert.ok(ratio >= 4.5, `primary button contrast ${ratio.toFixed(2)}:1`);
  // The receiver's code blocks can be reached and scrolled from the keyboard.
  await fetch(server.url + "hook/a11y", { method: "POST", body: JSON.stringify({ long: "x".repeat(400) }) });
  await page.goto(server.url + "receiver.html");
  await page.locator(".req pre.code").first().waitFor();
  const pre = page.locator(".req pre.code").first();
  assert.equal(await pre.getAttribute("tabindex"), "0");
  assert.equal(await pre.getAttribute("role"), "region");
  assert.match(await pre.getAttribute("aria-label"), /Body of request #\d+/);
  await context.close();
});
