// What a marketer met in a user test of the editor and the demo, one test
// per point: unsaved changes are not thrown away without asking, names are
// unique, toasts show above dialogs with counts spelled right, webhooks can
// be duplicated, found, undone and rolled back to a published version, the
// editor speaks German, conditions offer the catalog's properties by name,
// the local receiver is one click away, and a webhook can be tested before
// it is saved.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, serve, watchErrors, until, msgOf, receiverOf, openEditor, startNewWebhook } from "./helpers.mjs";

let browser, server, receiver;
before(async () => {
  server = await serve();
  browser = await launch();
  receiver = receiverOf(server);
});
after(async () => {
  await browser?.close();
  server?.close();
});

async function editor(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const { page, errors } = await openEditor(context, server);
  return { context, page, errors };
}

const draftOf = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("wmwh-editor:draft") || "null")?.settings ?? null);
const confirm = (page) => page.locator("dialog.confirm[open]");

test("1. Esc, × and Cancel ask before throwing away changes, and close at once when nothing changed", async () => {
  const { context, page, errors } = await editor();

  // Nothing changed: Esc closes the wizard without a question.
  await page.getByRole("button", { name: "Edit ShoutOut clicks" }).click();
  const wizard = page.locator("dialog.wizard[open]");
  await wizard.waitFor();
  await page.keyboard.press("Escape");
  await wizard.waitFor({ state: "detached" });
  assert.equal(await confirm(page).count(), 0);

  // A half-filled new webhook: Esc asks; "Keep editing" keeps every field.
  const fresh = await startNewWebhook(page, "Half-filled");
  await fresh.getByLabel("Event", { exact: true }).selectOption("survey.submitted");
  await fresh.getByRole("button", { name: "+ ADD CONDITION" }).click();
  await fresh.getByLabel("Condition 1 property").selectOption("survey.name");
  await fresh.getByLabel("Condition 1 value").fill("NPS");
  await page.keyboard.press("Escape");
  await confirm(page).waitFor();
  assert.match(await confirm(page).textContent(), /Discard your changes\?/);
  assert.equal(await confirm(page).getByRole("button", { name: "Keep editing" }).isVisible(), true);
  await confirm(page).getByRole("button", { name: "Keep editing" }).click();
  await confirm(page).waitFor({ state: "detached" });
  assert.equal(await fresh.getByLabel("Condition 1 value").inputValue(), "NPS");

  // Esc twice in a row (the second one on the question itself) still never closes the wizard unasked.
  await page.keyboard.press("Escape");
  await confirm(page).waitFor();
  await page.keyboard.press("Escape");
  await confirm(page).waitFor({ state: "detached" });
  await page.keyboard.press("Escape");
  await confirm(page).waitFor();
  await confirm(page).getByRole("button", { name: "Keep editing" }).click();
  assert.equal(await fresh.isVisible(), true);

  // × asks too; "Discard" closes and saves nothing.
  await fresh.getByRole("button", { name: "Close", exact: true }).click();
  await confirm(page).getByRole("button", { name: "Discard" }).click();
  await fresh.waitFor({ state: "detached" });
  assert.equal((await draftOf(page))?.webhooks.some((w) => w.name === "Half-filled") ?? false, false);

  // CANCEL on an edited webhook asks; so does the destination dialog.
  await page.getByRole("button", { name: "Edit Page views" }).click();
  await wizard.getByLabel("Webhook name").fill("Page views (all)");
  await wizard.getByRole("button", { name: "CANCEL" }).click();
  await confirm(page).getByRole("button", { name: "Discard" }).click();
  await wizard.waitFor({ state: "detached" });
  assert.equal(await page.locator("tr", { hasText: "Page views (all)" }).count(), 0);

  await page.getByRole("link", { name: "Destinations" }).click();
  await page.getByRole("button", { name: "+ NEW DESTINATION" }).click();
  const dest = page.locator("dialog[open]", { hasText: "New Destination" });
  await dest.getByRole("button", { name: "CANCEL" }).click();
  await dest.waitFor({ state: "detached" }); // untouched: no question
  await page.getByRole("button", { name: "+ NEW DESTINATION" }).click();
  await dest.getByLabel("Destination Platform Name").fill("Segment");
  await dest.getByRole("button", { name: "CANCEL" }).click();
  await confirm(page).getByRole("button", { name: "Keep editing" }).click();
  assert.equal(await dest.getByLabel("Destination Platform Name").inputValue(), "Segment");

  assert.deepEqual(errors, []);
  await context.close();
});

test("2. a webhook name already in use is refused, whatever its case and outer spaces", async () => {
  const { context, page, errors } = await editor();

  // The name dialog refuses it under the field and stays open.
  await page.getByRole("button", { name: "+ NEW WEBHOOK" }).click();
  const ask = page.locator("dialog.small[open]", { hasText: "New Webhook" });
  const name = ask.getByLabel("Webhook name");
  await name.fill("  nps DETRACTORS to slack ");
  await ask.getByRole("button", { name: "CONTINUE ›" }).click();
  assert.match(await msgOf(name), /A webhook called “nps DETRACTORS to slack” already exists/);
  assert.equal(await name.getAttribute("aria-invalid"), "true");
  assert.equal(await ask.isVisible(), true);
  await name.fill("NPS detractors to Slack, EMEA");
  await until(async () => (await msgOf(name)) === "", "the message to clear");
  await ask.getByRole("button", { name: "CONTINUE ›" }).click();
  const wizard = page.locator("dialog.wizard[open]");
  await wizard.waitFor();

  // Renaming in the wizard: flagged at the name while typing, and SAVE refuses it.
  const wizardName = wizard.getByLabel("Webhook name");
  await wizardName.fill("shoutout CLICKS");
  await until(async () => /A webhook called “shoutout CLICKS” already exists/.test(await msgOf(wizardName)), "the duplicate-name message");
  await wizard.getByLabel("Event", { exact: true }).selectOption("survey.submitted");
  await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
  assert.equal(await wizardName.evaluate((el) => el === document.activeElement), true, "CONTINUE lands on the name");
  await wizardName.fill("NPS detractors to Slack, EMEA");
  await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
  await wizard.getByRole("button", { name: "Custom", exact: true }).click();
  await wizard.getByRole("button", { name: "SAVE" }).click();
  await wizard.waitFor({ state: "detached" });

  // A webhook keeps its own name when edited.
  await page.getByRole("button", { name: "Edit ShoutOut clicks" }).click();
  await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
  await wizard.getByRole("button", { name: "SAVE" }).click();
  await wizard.waitFor({ state: "detached" });

  const names = (await draftOf(page)).webhooks.map((w) => w.name.trim().toLowerCase());
  assert.equal(new Set(names).size, names.length, "no two webhooks share a name");
  assert.deepEqual(errors, []);
  await context.close();
});

test("3. toasts show above an open dialog, and attempts are counted right (1 attempt, 2 attempts)", async () => {
  const { context, page, errors } = await editor();

  // SAVE with problems: the "Not saved" toast is on top of the wizard, and its buttons work.
  const wizard = await startNewWebhook(page, "Toast on top");
  await wizard.getByLabel("Event", { exact: true }).selectOption("launcher.clicked");
  await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
  await wizard.getByRole("button", { name: "SAVE" }).click();
  const toast = page.locator(".toast", { hasText: "Not saved" });
  await toast.waitFor();
  const onTop = await toast.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return el.contains(hit);
  });
  assert.equal(onTop, true, "the toast is the topmost thing where it is drawn");
  assert.equal(await toast.evaluate((el) => !!el.closest("dialog.wizard")), true, "its region sits in the open dialog, so it is not inert");
  await toast.getByRole("button", { name: "Dismiss" }).click();
  await toast.waitFor({ state: "detached" });

  // Closing the dialog takes the toast region back to the page.
  await wizard.getByRole("button", { name: "Custom", exact: true }).click();
  await wizard.getByLabel("Destination URL").fill(`${server.url}hook/failing?status=500`);
  await wizard.getByRole("button", { name: "SAVE" }).click();
  await wizard.waitFor({ state: "detached" });
  const saved = page.locator(".toast", { hasText: "Saved “Toast on top”" });
  await saved.waitFor();
  assert.equal(await saved.evaluate((el) => el.closest("dialog") === null), true);

  // A test send makes one attempt: "gave up after 1 attempt", never "1 attempts".
  await page.getByRole("button", { name: "Send test event: Toast on top" }).click();
  const testDialog = page.locator("dialog[open]", { hasText: "Send test event" });
  await testDialog.getByRole("button", { name: "SEND TEST EVENT" }).click();
  const callout = testDialog.locator(".callout[data-outcome=failed]");
  await callout.waitFor();
  assert.match(await callout.textContent(), /gave up after 1 attempt: HTTP 500/);
  assert.doesNotMatch(await callout.textContent(), /1 attempts/);
  await testDialog.getByRole("button", { name: "CLOSE", exact: true }).click();

  // The demo's log: a destination with two attempts says "2 attempts".
  const demo = await context.newPage();
  const demoErrors = watchErrors(demo);
  await demo.goto(server.url + "index.html");
  await demo.waitForSelector("#status[data-ready=true]");
  await demo.evaluate((url) => {
    const settings = {
      version: 1,
      destinations: [{ id: "flaky", url: url + "hook/failing2?status=503", maxAttempts: 2, mode: "cors" }],
      webhooks: [{ id: "wh-flaky", name: "Flaky", event: "launcher.clicked", destination: "flaky" }],
    };
    localStorage.setItem("wmwh-demo:published", JSON.stringify({ settings, publishedAt: Date.now() }));
  }, server.url);
  await demo.reload();
  await demo.waitForSelector("#status[data-webhooks='1']");
  assert.match(await demo.textContent("#status"), /Module running · 1 webhook ·/);
  await demo.evaluate(() => window.walkmeWebhooks.emit("launcher.clicked", { "item.name": "Guide me" }));
  const failed = demo.locator(".log li.dl[data-outcome=failed]");
  await failed.waitFor({ timeout: 15000 });
  assert.match(await failed.textContent(), /gave up after 2 attempts: HTTP 503/);

  // The browser reports each failed request itself; nothing else went wrong.
  const unexpected = (list) => list.filter((e) => !/Failed to load resource: the server responded with a status of 50[03]/.test(e));
  assert.deepEqual(unexpected(errors), []);
  assert.deepEqual(unexpected(demoErrors), []);
  await context.close();
});

test("5a. Duplicate makes “<name> (copy)”, disabled, and Undo takes it back", async () => {
  const { context, page, errors } = await editor();
  await page.getByRole("button", { name: "Duplicate ShoutOut clicks" }).click();
  const copy = page.getByRole("button", { name: "Edit ShoutOut clicks (copy)" });
  await copy.waitFor();
  let draft = await draftOf(page);
  const i = draft.webhooks.findIndex((w) => w.name === "ShoutOut clicks");
  const made = draft.webhooks[i + 1];
  assert.equal(made.name, "ShoutOut clicks (copy)", "placed right after the original");
  assert.equal(made.enabled, false);
  assert.notEqual(made.id, draft.webhooks[i].id);
  const { id, name, enabled, ...rest } = made;
  const { id: id0, name: name0, enabled: enabled0, ...rest0 } = draft.webhooks[i];
  assert.deepEqual(rest, rest0, "the same event, conditions, properties and destination");
  assert.equal(await page.getByRole("switch", { name: "Enabled: ShoutOut clicks (copy)" }).isChecked(), false);

  // A second copy gets a name of its own.
  await page.getByRole("button", { name: "Duplicate ShoutOut clicks", exact: true }).click();
  await page.getByRole("button", { name: "Edit ShoutOut clicks (copy 2)" }).waitFor();

  // Undo, from the toast.
  await page.locator(".toast", { hasText: "(copy 2)" }).getByRole("button", { name: "Undo" }).click();
  await page.getByRole("button", { name: "Edit ShoutOut clicks (copy 2)" }).waitFor({ state: "detached" });
  draft = await draftOf(page);
  assert.deepEqual(
    draft.webhooks.filter((w) => w.name.startsWith("ShoutOut clicks")).map((w) => w.name),
    ["ShoutOut clicks", "ShoutOut clicks (copy)"]
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test("5b. the webhook list is searched and filtered by name, event, destination and state", async () => {
  const { context, page, errors } = await editor();
  const visible = async () => page.locator("tr[data-webhook]:visible .link-btn").allTextContents();
  const count = page.locator("#webhook-count");
  assert.equal(await count.textContent(), "8 webhooks");

  const search = page.getByRole("searchbox", { name: "Search" });
  await search.fill("slack");
  assert.deepEqual(await visible(), ["NPS detractors to Slack"], "by destination platform");
  assert.equal(await count.textContent(), "1 of 8 webhooks");
  await search.fill("QUIZ");
  assert.deepEqual(await visible(), ["Quiz results"], "by name, any case");
  await search.fill("page view");
  assert.deepEqual(await visible(), ["Page views"], "by event name");
  await search.fill("");

  await page.getByLabel("Destination", { exact: true }).selectOption("product-analytics");
  assert.deepEqual(await visible(), ["ShoutOut clicks", "Onboarding progress", "Menu searches without results", "Pricing guide opened"]);
  await page.getByLabel("Event", { exact: true }).selectOption("menu.searched");
  assert.deepEqual(await visible(), ["Menu searches without results"]);
  await page.getByRole("button", { name: "Clear filters" }).click();
  assert.equal((await visible()).length, 8);

  // By state; the filter stays while the list changes under it.
  await page.getByRole("switch", { name: "Enabled: Quiz results" }).uncheck();
  await page.getByRole("switch", { name: "Enabled: Page views" }).uncheck();
  await page.getByLabel("Status").selectOption("off");
  assert.deepEqual(await visible(), ["Page views", "Quiz results"]);
  await page.getByRole("switch", { name: "Enabled: Quiz results" }).click(); // enabled now, so filtered out
  assert.deepEqual(await visible(), ["Page views"]);
  assert.equal(await page.getByLabel("Status").inputValue(), "off");
  await page.getByLabel("Status").selectOption("on");
  assert.equal((await visible()).length, 7);
  await page.getByLabel("Status").selectOption("");

  // Nothing matches: said so, with the way out.
  await search.fill("no such webhook");
  assert.equal(await page.getByRole("heading", { name: "No webhook matches" }).isVisible(), true);
  await page.getByRole("button", { name: "Clear filters" }).click();
  assert.equal((await visible()).length, 8);
  assert.deepEqual(errors, []);
  await context.close();
});

test("5c. Undo after save, delete, duplicate and toggle, from the toast or with Ctrl+Z outside fields", async () => {
  const { context, page, errors } = await editor();
  const names = async () => (await draftOf(page))?.webhooks.map((w) => `${w.name}${w.enabled === false ? " (off)" : ""}`);

  // Toggle, then Undo in the toast.
  await page.getByRole("switch", { name: "Enabled: Page views" }).uncheck();
  await page.locator(".toast", { hasText: "Disabled “Page views”" }).getByRole("button", { name: "Undo" }).click();
  assert.equal(await page.getByRole("switch", { name: "Enabled: Page views" }).isChecked(), true);
  assert.ok((await names()).includes("Page views"));

  // Delete, then Ctrl+Z with the focus on the page.
  await page.getByRole("button", { name: "Delete Quiz results" }).click();
  await page.locator("dialog[open]").getByRole("button", { name: "Delete", exact: true }).click();
  await page.locator("tr", { hasText: "Quiz results" }).waitFor({ state: "detached" });
  await page.locator("h1").click();
  await page.keyboard.press("Control+z");
  await page.locator("tr", { hasText: "Quiz results" }).waitFor();
  assert.match(await page.locator(".toast").last().textContent(), /Undone: deleting “Quiz results”/);

  // Save an edit, then undo it.
  await page.getByRole("button", { name: "Edit Onboarding progress" }).click();
  const wizard = page.locator("dialog.wizard[open]");
  await wizard.getByLabel("Webhook name").fill("Onboarding steps");
  await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
  await wizard.getByRole("button", { name: "SAVE" }).click();
  await page.locator("tr", { hasText: "Onboarding steps" }).waitFor();
  await page.keyboard.press("Control+z");
  await page.locator("tr", { hasText: "Onboarding progress" }).waitFor();

  // Ctrl+Z in a text field is the field's own undo, not the list's.
  await page.getByRole("button", { name: "Duplicate Page views" }).click();
  await page.locator("tr", { hasText: "Page views (copy)" }).waitFor();
  const search = page.getByRole("searchbox", { name: "Search" });
  await search.fill("x");
  await search.press("Control+z");
  assert.equal(await page.locator("tr", { hasText: "Page views (copy)" }).count(), 1, "still there");
  await search.fill("");
  await page.locator("h1").click();
  await page.keyboard.press("Control+z");
  await page.locator("tr", { hasText: "Page views (copy)" }).waitFor({ state: "detached" });

  assert.deepEqual(await names(), ["NPS detractors to Slack", "ShoutOut clicks", "Page views", "Quiz results", "Onboarding progress", "Walk-Thru failures to Teams", "Menu searches without results", "Pricing guide opened"]);
  assert.deepEqual(errors, []);
  await context.close();
});

test("5d. every publish keeps a version with its time and changes; Restore makes one the draft, ready to publish", async () => {
  const { context, page, errors } = await editor();
  const publishNow = async () => {
    await page.goto(server.url + "editor.html#publish");
    await page.waitForSelector("#main[data-page=publish]");
    await page.getByRole("button", { name: "PUBLISH SETTINGS", exact: true }).click();
    await page.locator(".toast", { hasText: "Published version" }).last().waitFor();
  };

  await page.getByRole("link", { name: "Versions" }).first().click();
  await page.getByRole("heading", { name: "Nothing published yet" }).waitFor();

  // Version 1: a webhook disabled. Version 2: a webhook deleted, one duplicated.
  await page.getByRole("link", { name: "Webhooks", exact: true }).click();
  await page.getByRole("switch", { name: "Enabled: Page views" }).uncheck();
  await publishNow();
  await page.getByRole("link", { name: "Webhooks", exact: true }).click();
  await page.getByRole("button", { name: "Delete Quiz results" }).click();
  await page.locator("dialog[open]").getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("button", { name: "Duplicate ShoutOut clicks" }).click();
  await publishNow();

  await page.getByRole("link", { name: "Versions" }).first().click();
  await page.waitForSelector("#main[data-page=versions]");
  const v1 = page.locator("li[data-version='1']");
  const v2 = page.locator("li[data-version='2']");
  assert.deepEqual(await page.locator("li[data-version]").evaluateAll((els) => els.map((e) => e.dataset.version)), ["2", "1"], "newest first");
  assert.deepEqual(await v1.locator(".changes li").allTextContents(), ["Disabled webhook “Page views”"]);
  assert.deepEqual((await v2.locator(".changes li").allTextContents()).sort(), ["Added webhook “ShoutOut clicks (copy)”", "Removed webhook “Quiz results”"]);
  assert.match(await v2.textContent(), /live/);
  assert.match(await v2.locator("time").textContent(), /published just now \(\d\d:\d\d:\d\d\)/);
  assert.ok(await v2.locator("time").getAttribute("datetime"));

  // Restore version 1: it becomes the draft, and the publish page has it ready.
  await page.getByRole("button", { name: "Restore version 1" }).click();
  await page.waitForSelector("#main[data-page=publish]");
  assert.match(await page.locator(".toast", { hasText: "Version 1 is now the draft" }).textContent(), /Publish/);
  const draft = await draftOf(page);
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("wmwh-editor:versions")));
  assert.deepEqual(draft, stored[0].settings);
  assert.match(await page.textContent("#check-state"), /valid/);
  await page.getByRole("button", { name: "PUBLISH SETTINGS", exact: true }).click();
  await page.locator(".toast", { hasText: "Published version 3" }).waitFor();
  await page.getByRole("link", { name: "Versions" }).first().click();
  const v3 = page.locator("li[data-version='3']");
  assert.match(await v3.textContent(), /same settings as version 1/);
  assert.deepEqual((await v3.locator(".changes li").allTextContents()).sort(), ["Added webhook “Quiz results”", "Removed webhook “ShoutOut clicks (copy)”"]);
  assert.equal(await page.getByRole("button", { name: "Restore version 3" }).isDisabled(), true, "the draft already is version 3");

  // The demo app runs what was published last.
  const demo = await context.newPage();
  await demo.goto(server.url + "index.html");
  await demo.waitForSelector("#status[data-ready=true]");
  assert.equal(await demo.getAttribute("#status", "data-webhooks"), "7");
  assert.deepEqual(errors, []);
  await context.close();
});

test("6. the editor speaks English and German: a persisted switch, German by default for German browsers", async () => {
  const { context, page, errors } = await editor({ locale: "en-US" });
  const lang = page.getByRole("combobox", { name: "Language" });
  assert.equal(await lang.inputValue(), "en");
  await lang.selectOption("de");
  await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();
  assert.equal(await page.getAttribute("html", "lang"), "de");
  assert.equal(await page.getByRole("button", { name: "+ NEUER WEBHOOK" }).first().isVisible(), true);

  // The wizard's event list: German names and groups, as in the guide.
  await page.getByRole("button", { name: "+ NEUER WEBHOOK" }).first().click();
  await page.getByLabel("Name des Webhooks").fill("Umfragen");
  await page.getByRole("button", { name: "WEITER ›" }).click();
  const wizard = page.locator("dialog.wizard[open]");
  const event = wizard.getByLabel("Ereignis", { exact: true });
  const groups = await event.locator("optgroup").evaluateAll((gs) => gs.map((g) => g.label));
  assert.ok(groups.includes("Menü") && groups.includes("Digital Experience-Analyse (DXA)"), groups.join(", "));
  const survey = await event.locator("optgroup[label='Survey'] option").allTextContents();
  assert.deepEqual(survey, ["Survey-Frage beantwortet", "Survey verworfen", "Survey übermittelt"]);
  assert.equal(await event.locator("option[value='teachme.course_completed']").textContent(), "TeachMe-Kursabschluss");
  await event.selectOption("survey.submitted");
  await wizard.getByRole("button", { name: "+ BEDINGUNG HINZUFÜGEN" }).click();
  assert.match(await wizard.getByLabel("Bedingung 1: Eigenschaft").locator("option[value='survey.name']").textContent(), /^Survey-Name \(survey\.name\) · Text$/);
  await wizard.getByRole("button", { name: "Schließen" }).click();
  await confirm(page).getByRole("button", { name: "Verwerfen" }).click();

  // The choice is kept.
  await page.reload();
  await page.waitForSelector("#main[data-ready=true]");
  assert.equal(await page.getAttribute("html", "lang"), "de");
  // The built-in NPS webhook listens to the answer itself (changed on purpose: the demo's
  // player fires the real player's events, and only the answer carries the score).
  assert.match(await page.locator("tr", { hasText: "NPS detractors to Slack" }).textContent(), /Survey-Frage beantwortet/);
  await page.getByRole("link", { name: "Verfügbare Ereignisse" }).click();
  assert.match(await page.textContent("#main .lede"), /32 Ereignisse in 11 Gruppen/);

  // Back to English: the English names again.
  await page.getByRole("combobox", { name: "Sprache" }).selectOption("en");
  assert.equal(await page.textContent("li[data-event='survey.submitted'] strong"), "Survey Submitted");
  await page.getByRole("link", { name: "Webhooks", exact: true }).click();
  const wizard2 = await startNewWebhook(page, "Surveys");
  const survey2 = await wizard2.getByLabel("Event", { exact: true }).locator("optgroup[label='Survey'] option").allTextContents();
  assert.deepEqual(survey2, ["Survey Question Answered", "Survey Dismissed", "Survey Submitted"]);
  assert.deepEqual(errors, []);
  await context.close();

  // A German browser gets German without choosing.
  const german = await editor({ locale: "de-DE" });
  assert.equal(await german.page.getAttribute("html", "lang"), "de");
  assert.equal(await german.page.getByRole("combobox", { name: "Sprache" }).inputValue(), "de");
  assert.deepEqual(german.errors, []);
  await german.context.close();
});

test("6. every English string has a German one", async () => {
  const { TABLES } = await import("../../www/js/i18n.js");
  const missing = Object.keys(TABLES.en).filter((k) => !(k in TABLES.de));
  assert.deepEqual(missing, []);
});

test("7. conditions offer the event's properties by friendly name and type; true/false for booleans; free text for others", async () => {
  const { context, page, errors } = await editor();
  const wizard = await startNewWebhook(page, "Empty inputs");
  await wizard.getByLabel("Event", { exact: true }).selectOption("dxa.input");
  await wizard.getByRole("button", { name: "+ ADD CONDITION" }).click();
  const prop = wizard.getByLabel("Condition 1 property");
  const labels = await prop.locator("option").evaluateAll((os) => Object.fromEntries(os.map((o) => [o.value, o.textContent])));
  assert.equal(labels["input.empty"], "Field is empty (input.empty) · true/false");
  assert.equal(labels["input.name"], "Field name (input.name) · text");
  assert.equal(labels["event.timestamp"], "Event time (event.timestamp) · number");

  // A boolean property: the value is a choice of true or false.
  await prop.selectOption("input.empty");
  const value = wizard.getByLabel("Condition 1 value");
  assert.equal(await value.evaluate((el) => el.localName), "select");
  assert.deepEqual(await value.locator("option").allTextContents(), ["true", "false"]);
  await value.selectOption("false");

  // A property the catalog does not list: typed freely.
  await wizard.getByRole("button", { name: "+ ADD CONDITION" }).click();
  await wizard.getByLabel("Condition 2 property").selectOption("__other__");
  const custom = wizard.getByLabel("Condition 2 property");
  assert.equal(await custom.evaluate((el) => el.localName), "input");
  await custom.fill("user.plan");
  await wizard.getByLabel("Condition 2 value").fill("pro");

  await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
  await wizard.getByRole("button", { name: "Custom", exact: true }).click();
  await wizard.getByRole("button", { name: "SAVE" }).click();
  await wizard.waitFor({ state: "detached" });
  const saved = (await draftOf(page)).webhooks.find((w) => w.name === "Empty inputs");
  assert.deepEqual(saved.conditions, [
    { property: "input.empty", operator: "equals", value: false, join: "and" },
    { property: "user.plan", operator: "equals", value: "pro" },
  ]);

  // Reopened: the rows come back as they were.
  await page.getByRole("button", { name: "Edit Empty inputs" }).click();
  assert.equal(await wizard.getByLabel("Condition 1 value").inputValue(), "false");
  assert.equal(await wizard.getByLabel("Condition 2 property").inputValue(), "user.plan");
  assert.deepEqual(errors, []);
  await context.close();
});

test("8. “Send to the local receiver (demo)” fills the receiver URL, and the local token endpoint for OAuth 2.0", async () => {
  await receiver.clear("demo");
  await fetch(server.url + "api/oauth", { method: "DELETE" });
  const { context, page, errors } = await editor();
  await page.getByRole("link", { name: "Destinations" }).click();
  await page.getByRole("button", { name: "+ NEW DESTINATION" }).click();
  const dlg = page.locator("dialog[open]", { hasText: "New Destination" });
  await dlg.getByLabel("Destination Platform Name").fill("CRM sandbox");
  const url = dlg.getByLabel("Destination URL");
  await url.fill("https://api.example.com/events");
  const local = dlg.getByLabel("Send to the local receiver (demo)");
  assert.match(await msgOf(local), new RegExp(`${server.url}hook/demo/`.replace(/[./]/g, "\\$&")), "the hint names the receiver's URL");
  await local.check();
  assert.equal(await url.inputValue(), `${server.url}hook/demo/crm-sandbox`);

  // OAuth 2.0: the local token endpoint and a client id are filled in.
  await dlg.getByLabel("Authentication Type").selectOption("oauth2");
  assert.equal(await dlg.getByLabel("Token URL").inputValue(), `${server.url}oauth/token`);
  assert.equal(await dlg.getByLabel("Client ID").inputValue(), "acme-demo-app");

  // Unchecked: the URL typed before comes back.
  await local.uncheck();
  assert.equal(await url.inputValue(), "https://api.example.com/events");
  assert.equal(await dlg.getByLabel("Token URL").inputValue(), "");
  await local.check();
  await dlg.getByLabel(/Supply the client secret from the host page/).check();
  await dlg.getByRole("button", { name: "SAVE" }).click();
  await dlg.waitFor({ state: "detached" });

  // A webhook to it: the test send fetches a token from the local endpoint and reaches the receiver.
  await page.getByRole("link", { name: "Webhooks", exact: true }).click();
  const wizard = await startNewWebhook(page, "Launcher clicks to the CRM sandbox");
  await wizard.getByLabel("Event", { exact: true }).selectOption("launcher.clicked");
  await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
  await wizard.getByLabel("Destination", { exact: true }).selectOption("crm-sandbox");
  assert.equal(await wizard.getByLabel("Send to the local receiver (demo)").isChecked(), true);
  await wizard.getByRole("button", { name: "SAVE" }).click();
  await wizard.waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Send test event: Launcher clicks to the CRM sandbox" }).click();
  const testDialog = page.locator("dialog[open]", { hasText: "Send test event" });
  await testDialog.getByRole("button", { name: "SEND TEST EVENT" }).click();
  await testDialog.locator(".callout[data-outcome=delivered]").waitFor();
  const got = await until(async () => (await receiver.requests("demo")).find((r) => r.path === "/hook/demo/crm-sandbox"), "the request at the receiver");
  assert.equal(got.method, "POST");
  assert.deepEqual(errors, []);
  await context.close();
});

test("9. Send test on the wizard's last step sends the webhook as filled in, before it is saved", async () => {
  await receiver.clear("unsaved");
  const { context, page, errors } = await editor();
  const wizard = await startNewWebhook(page, "Tested before saving");
  await wizard.getByLabel("Event", { exact: true }).selectOption("survey.submitted");
  await wizard.getByRole("button", { name: "Advanced ›" }).click();
  await wizard.getByLabel("answer.value", { exact: true }).check();
  await wizard.getByLabel("Send answer.value as").fill("score");
  await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
  assert.equal(await wizard.getByRole("button", { name: "Send test" }).isVisible(), true);

  // With a problem, the test is refused at the field.
  await wizard.getByRole("button", { name: "Custom", exact: true }).click();
  const url = wizard.getByLabel("Destination URL");
  await url.fill("http://example.com/hook");
  await wizard.getByRole("button", { name: "Send test" }).click();
  await page.locator(".toast", { hasText: "Not sent: 1 problem to fix first" }).waitFor();
  assert.equal(await url.evaluate((el) => el === document.activeElement), true);

  // As filled in: the unsaved webhook and destination.
  await url.fill(`${server.url}hook/unsaved/survey`);
  await wizard.getByRole("button", { name: "Send test" }).click();
  const testDialog = page.locator("dialog[open]", { hasText: "Send test event" });
  assert.match(await testDialog.textContent(), /Not saved yet/);
  await testDialog.getByRole("button", { name: "SEND TEST EVENT" }).click();
  await testDialog.locator(".callout[data-outcome=delivered]").waitFor();
  const got = await until(async () => (await receiver.requests("unsaved"))[0], "the test request");
  assert.equal(got.path, "/hook/unsaved/survey");
  assert.deepEqual(JSON.parse(got.body), { score: 4 });
  await testDialog.getByRole("button", { name: "CLOSE", exact: true }).click();

  // Back in the wizard, nothing saved; SAVE still works.
  assert.equal(await wizard.isVisible(), true);
  assert.equal(((await draftOf(page))?.webhooks ?? []).some((w) => w.name === "Tested before saving"), false);
  await wizard.getByRole("button", { name: "SAVE" }).click();
  await wizard.waitFor({ state: "detached" });
  assert.ok((await draftOf(page)).webhooks.some((w) => w.name === "Tested before saving"));
  assert.deepEqual(errors, []);
  await context.close();
});
