// The whole loop through the real UI: the editor makes a webhook (a
// condition, a rename, a static property), a test send goes through the real
// module, "Publish settings" reaches an open demo tab at once, the simulated
// player fires the event and the receiver gets exactly the mapped body.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, serve, watchErrors, until, msgOf, receiverOf, openEditor as openEditorPage, startNewWebhook } from "./helpers.mjs";

let browser, server;
before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

const requests = (bucket) => receiverOf(server).requests(bucket);
const clear = (bucket) => receiverOf(server).clear(bucket);
const openEditor = (context) => openEditorPage(context, server);

test("a webhook made in the editor is test-sent, published and delivered byte for byte from the demo", async () => {
  await clear("e2e");
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await openEditor(context);

  // The demo is already open in another tab: publishing must reach it without a reload.
  const demo = await context.newPage();
  const demoErrors = watchErrors(demo);
  await demo.goto(server.url + "index.html");
  await demo.waitForSelector("#status[data-ready=true]");
  assert.equal(await demo.getAttribute("#status", "data-webhooks"), "8");
  await page.bringToFront(); // a background tab gets throttled animation frames

  // Steps 3-4: + NEW WEBHOOK, a name, CONTINUE.
  const wizard = await startNewWebhook(page, "E2E NPS scores");
  assert.equal(await wizard.getByRole("heading", { level: 2 }).textContent(), "New Webhook");

  // Step 5: the event, grouped as in the catalog, and a condition. The
  // score is an answer to a survey question: the demo's player sends it with
  // survey.question_answered (changed on purpose: it now fires the real
  // player's events, and the real SurveySubmitted carries no answer.value).
  const event = wizard.getByLabel("Event", { exact: true });
  assert.equal(await event.locator("optgroup").count(), 11);
  await event.selectOption("survey.question_answered");
  await wizard.getByRole("button", { name: "+ ADD CONDITION" }).click();
  const prop = wizard.getByLabel("Condition 1 property");
  const offered = await prop.locator("option").evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
  assert.ok(offered.some(([value, label]) => value === "answer.value" && label === "Answer (answer.value) · text"), "the property dropdown lists the event's properties, with a friendly label and the type");
  await prop.selectOption("answer.value");
  await wizard.getByLabel("Condition 1 operator").selectOption("lte");
  await wizard.getByLabel("Condition 1 value").fill("6");

  // Advanced: select and rename properties, add a static property.
  await wizard.getByRole("button", { name: "Advanced ›" }).click();
  await wizard.getByLabel("answer.value", { exact: true }).check();
  await wizard.getByLabel("Send answer.value as").fill("score");
  await wizard.getByLabel("survey.name", { exact: true }).check();
  await wizard.getByRole("button", { name: "+ ADD PROPERTY", exact: true }).click();
  const staticName = wizard.getByLabel("Static property 1 name");
  await staticName.pressSequentially("e2e source");
  // Whitespace is flagged at once, while typing, under that row.
  const staticRow = wizard.locator(".static-row").first();
  await until(async () => /contains whitespace/.test(await staticRow.locator(".msg").textContent()), "the whitespace message");
  assert.equal(await staticName.getAttribute("aria-invalid"), "true");
  await staticName.fill("source");
  await until(async () => (await staticRow.locator(".msg").textContent()) === "", "the message to clear");
  await wizard.getByLabel("Static property 1 value").fill("e2e");
  const preview = JSON.parse(await wizard.locator(".advanced pre.code").textContent());
  assert.deepEqual(Object.keys(preview), ["score", "survey.name", "source"]);

  // Steps 6-7: the destination, from the Custom preset.
  await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
  assert.equal(await wizard.getByLabel("Destination", { exact: true }).inputValue(), "__new__");
  await wizard.getByRole("button", { name: "Custom", exact: true }).click();
  assert.equal(await wizard.getByLabel("Request Type").inputValue(), "POST");
  await wizard.getByLabel("Destination Platform Name").fill("E2E receiver");
  await wizard.getByLabel("Destination URL").fill(`${server.url}hook/e2e`);

  // Step 8: Save; the list shows the webhook; step 9 asks for a publish.
  await wizard.getByRole("button", { name: "SAVE" }).click();
  await wizard.waitFor({ state: "detached" });
  const row = page.locator("tr", { hasText: "E2E NPS scores" });
  await row.waitFor();
  assert.match(await row.textContent(), /Survey Question Answered/);
  assert.match(await row.textContent(), /E2E receiver/);
  assert.match(await page.locator(".toast").first().textContent(), /Publish/);
  const saved = await page.evaluate(() => JSON.parse(localStorage.getItem("wmwh-editor:draft")).settings.webhooks.find((w) => w.name === "E2E NPS scores"));
  assert.deepEqual(saved.conditions, [{ property: "answer.value", operator: "lte", value: 6 }]);
  assert.deepEqual(saved.properties, [{ name: "answer.value", as: "score" }, { name: "survey.name" }]);
  assert.deepEqual(saved.static, [{ name: "source", value: "e2e" }]);

  // Send test event: a sample event through the real module; the request and the answer are shown.
  await page.getByRole("button", { name: "Send test event: E2E NPS scores" }).click();
  const testDialog = page.locator("dialog[open]", { hasText: "Send test event" });
  await testDialog.getByRole("button", { name: "SEND TEST EVENT" }).click();
  await testDialog.locator(".callout[data-outcome=delivered]").waitFor();
  assert.deepEqual(JSON.parse(await testDialog.locator(".req-body").textContent()), { score: 6, "survey.name": "NPS", source: "e2e" });
  assert.equal(await testDialog.locator(".req-url").textContent(), `${server.url}hook/e2e`);
  assert.equal((await testDialog.locator(".answer-status").textContent()).trim(), "200");
  const tested = await until(async () => (await requests("e2e")).length === 1 && requests("e2e"), "the test request");
  assert.equal(tested[0].body, '{"score":6,"survey.name":"NPS","source":"e2e"}');
  await testDialog.getByRole("button", { name: "CLOSE", exact: true }).click();
  await clear("e2e");

  // Publish: validated, then picked up by the open demo at once.
  await page.getByRole("link", { name: "Publish settings" }).first().click();
  await page.waitForSelector("#main[data-page=publish]");
  assert.match(await page.textContent("#check-state"), /valid/);
  assert.match(await page.textContent("#settings-json"), /"name": "E2E NPS scores"/);
  await page.getByRole("button", { name: "PUBLISH SETTINGS", exact: true }).click();
  await demo.waitForSelector("#status[data-webhooks='9']");

  // The NPS survey is submitted twice: the answer 9 does not meet the condition, 3 does.
  await demo.bringToFront();
  await clear("demo");
  for (const score of [9, 3]) {
    await demo.getByRole("button", { name: "Show NPS survey" }).click();
    const survey = demo.locator(".wm-survey");
    await survey.getByRole("button", { name: `Score ${score}`, exact: true }).click();
    await survey.getByRole("button", { name: "Submit" }).click();
    await survey.getByText("Thanks for your feedback!").waitFor();
  }
  await demo.locator(`.log li.dl[data-webhook='${saved.id}'][data-outcome=delivered]`).waitFor();
  await demo.evaluate(() => window.walkmeWebhooks.flush());
  const got = await requests("e2e");
  assert.equal(got.length, 1, "exactly one request: the condition filtered the 9");
  assert.equal(got[0].method, "POST");
  assert.equal(got[0].path, "/hook/e2e");
  assert.equal(got[0].body, '{"score":3,"survey.name":"NPS","source":"e2e"}');
  assert.match(got[0].headers["content-type"], /^application\/json/);

  // The built-in "NPS detractors to Slack" webhook went out too, Slack-shaped, as a simple request.
  const slack = await until(async () => (await requests("demo")).find((r) => r.path === "/hook/demo/slack"), "the Slack-like request");
  assert.match(slack.headers["content-type"], /^text\/plain/);
  assert.equal(JSON.parse(slack.body).text, ':rotating_light: NPS 3 from u-1042 (pro plan): "How likely are you to recommend Acme CRM to a friend or colleague?"');

  // The editor's list shows the last delivery, reported by the demo tab.
  await page.bringToFront();
  await page.goto(server.url + "editor.html#webhooks");
  await page.waitForSelector("#main[data-ready=true]");
  assert.match(await page.locator("tr", { hasText: "E2E NPS scores" }).locator(".last-delivery").textContent(), /delivered 200/);

  assert.deepEqual(errors, []);
  assert.deepEqual(demoErrors, []);
  await context.close();
});

test("validation errors from the module are shown at the field they belong to", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await openEditor(context);
  const wizard = await startNewWebhook(page, "Broken on purpose");
  await wizard.getByLabel("Event", { exact: true }).selectOption("menu.searched");

  // A pattern that does not compile: the module's message, under that row's value.
  await wizard.getByRole("button", { name: "+ ADD CONDITION" }).click();
  await wizard.getByRole("button", { name: "+ ADD CONDITION" }).click();
  await wizard.getByLabel("Condition 1 property").selectOption("menu.results");
  await wizard.getByLabel("Condition 1 operator").selectOption("gt");
  await wizard.getByLabel("Condition 1 value").fill("0");
  await wizard.getByLabel("Condition 2 property").selectOption("menu.query");
  await wizard.getByLabel("Condition 2 operator").selectOption("matches");
  const value = wizard.getByLabel("Condition 2 value");
  await value.fill("([a-z");
  await value.press("Tab");
  const row2 = wizard.locator(".cond-row[data-row='1']");
  await until(async () => /the pattern does not compile/.test(await row2.locator(".msg").textContent()), "the pattern error");
  assert.equal(await value.getAttribute("aria-invalid"), "true");
  assert.equal(await wizard.locator(".cond-row[data-row='0'] .msg").textContent(), "", "the first row has no problem");

  // CONTINUE is refused and focus lands on the field.
  await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
  assert.equal(await wizard.locator("section[aria-label='Select Event']").isVisible(), true);
  assert.equal(await value.evaluate((el) => el === document.activeElement), true);
  await value.fill("^pric");
  await until(async () => (await row2.locator(".msg").textContent()) === "", "the pattern error to clear");

  // A plain-http URL that is not localhost: refused on SAVE, shown under the URL.
  await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
  await wizard.getByRole("button", { name: "Custom", exact: true }).click();
  const url = wizard.getByLabel("Destination URL");
  await url.fill("http://example.com/hook");
  await wizard.getByRole("button", { name: "SAVE" }).click();
  await until(async () => /must use https:\/\//.test(await msgOf(url)), "the URL error");
  assert.equal(await url.evaluate((el) => el === document.activeElement), true);
  assert.equal(await wizard.isVisible(), true, "not saved");

  // Warnings: a published secret, with the host-token alternative; a destination without CORS.
  await url.fill("https://hooks.slack.com/services/T0/B0/XXXX");
  const mode = wizard.getByLabel("Mode", { exact: true });
  await until(async () => /use mode simple/.test(await msgOf(mode)), "the CORS warning");
  await wizard.getByLabel("Authentication Type").selectOption("bearer");
  await wizard.getByRole("radio", { name: /^Paste a token/ }).check();
  await wizard.getByLabel("Token", { exact: true }).fill("xoxb-secret");
  const token = wizard.getByLabel("Token", { exact: true });
  await until(async () => /published to every visitor/.test(await msgOf(token)), "the secret warning");
  assert.match(await msgOf(token), /hooks\.setTokenProvider/);
  await wizard.getByLabel(/Supply the token from the host page/).check();
  assert.equal(await wizard.getByLabel("Token", { exact: true }).count(), 0);
  assert.match(await wizard.locator("pre.code.small").textContent(), /hooks\.setTokenProvider\("custom"/);

  // The publish page lists problems of the draft and leads to the field.
  await wizard.locator("details.more > summary").click();
  await mode.selectOption("cors");
  await wizard.getByRole("button", { name: "SAVE" }).click();
  await wizard.waitFor({ state: "detached" });
  await page.evaluate(() => {
    const d = JSON.parse(localStorage.getItem("wmwh-editor:draft"));
    d.settings.webhooks.find((w) => w.name === "Broken on purpose").static = [{ name: "app id", value: "1" }];
    localStorage.setItem("wmwh-editor:draft", JSON.stringify(d));
  });
  await page.goto(server.url + "editor.html#publish");
  await page.reload();
  await page.waitForSelector("#main[data-page=publish]");
  assert.equal(await page.getByRole("button", { name: "PUBLISH SETTINGS", exact: true }).isDisabled(), true);
  const problem = page.locator("ul.problems.error li", { hasText: "contains whitespace" });
  assert.match(await problem.textContent(), /webhooks\[8\]\.static\[0\]\.name/);
  await problem.getByRole("button", { name: "Go to field" }).click();
  const fix = page.locator("dialog.wizard[open]").getByLabel("Static property 1 name");
  await until(async () => fix.evaluate((el) => el === document.activeElement), "focus on the static name");
  assert.match(await page.locator("dialog.wizard[open] .static-row .msg").textContent(), /"app id" contains whitespace; use app_id/);

  assert.deepEqual(errors, []);
  await context.close();
});

test("destinations are managed on their own page and reused across webhooks; webhooks are edited and deleted", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await openEditor(context);

  // A new destination on the Destinations page. Heap's Track API cannot be
  // sent to from a page: its preset is listed, says why, and cannot be chosen.
  await page.getByRole("link", { name: "Destinations" }).click();
  await page.waitForSelector("#main[data-page=destinations]");
  const before = await page.locator("article.dest").count();
  await page.getByRole("button", { name: "+ NEW DESTINATION" }).click();
  const dlg = page.locator("dialog[open]", { hasText: "New Destination" });
  const heap = dlg.getByRole("button", { name: "Heap (server-side Track API)", exact: true });
  assert.equal(await heap.getAttribute("aria-disabled"), "true");
  await heap.click({ force: true });
  assert.match(await dlg.locator(".preset-unavailable").textContent(), /cannot be sent to from a browser\. A server-side API/);
  assert.equal(await dlg.locator(".preset-panel").count(), 0, "not chosen");
  await dlg.getByRole("button", { name: "Custom", exact: true }).click();
  await dlg.getByLabel("Destination Platform Name").fill("Heap (staging)");
  await dlg.getByLabel("Destination URL").fill(`${server.url}hook/heap`);
  await dlg.getByRole("button", { name: "SAVE" }).click();
  await dlg.waitFor({ state: "detached" });
  assert.equal(await page.locator("article.dest").count(), before + 1);
  const card = page.locator("article.dest", { hasText: "Heap (staging)" });
  const id = await card.getAttribute("data-destination");
  assert.equal(id, "heap-staging");
  assert.match(await card.textContent(), /no webhook/);

  // Two webhooks reuse it (picked in step 2 as an existing destination).
  for (const [name, event] of [
    ["Launcher clicks to Heap", "launcher.clicked"],
    ["Course completions to Heap", "teachme.course_completed"],
  ]) {
    await page.getByRole("link", { name: "Webhooks", exact: true }).click();
    const wizard = await startNewWebhook(page, name);
    await wizard.getByLabel("Event", { exact: true }).selectOption(event);
    await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
    await wizard.getByLabel("Destination", { exact: true }).selectOption(id);
    assert.equal(await wizard.getByLabel("Destination Platform Name").inputValue(), "Heap (staging)");
    await wizard.getByRole("button", { name: "SAVE" }).click();
    await wizard.waitFor({ state: "detached" });
  }
  await page.getByRole("link", { name: "Destinations" }).click();
  assert.match(await card.textContent(), /Launcher clicks to Heap, Course completions to Heap/);

  // A destination in use cannot be deleted.
  await card.getByRole("button", { name: `Delete destination ${id}` }).click();
  await until(async () => /is used by Launcher clicks to Heap/.test(await page.locator(".toast").last().textContent()), "the refusal");
  assert.equal(await page.locator("article.dest").count(), before + 1);

  // Editing a shared destination says who else uses it.
  await page.getByRole("link", { name: "Webhooks", exact: true }).click();
  await page.getByRole("button", { name: "Edit Launcher clicks to Heap" }).click();
  const wizard = page.locator("dialog.wizard[open]");
  await wizard.getByLabel("Webhook name").fill("Launcher clicks (Heap)");
  await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
  assert.match(await wizard.locator(".note").textContent(), /Shared by 1 other webhook \(Course completions to Heap\)/);
  await wizard.getByRole("button", { name: "SAVE" }).click();
  await wizard.waitFor({ state: "detached" });
  await page.locator("tr", { hasText: "Launcher clicks (Heap)" }).waitFor();

  // Disable, then delete.
  const toggle = page.getByRole("switch", { name: "Enabled: Launcher clicks (Heap)" });
  await toggle.uncheck();
  let draft = await page.evaluate(() => JSON.parse(localStorage.getItem("wmwh-editor:draft")).settings);
  assert.equal(draft.webhooks.find((w) => w.name === "Launcher clicks (Heap)").enabled, false);
  await page.getByRole("button", { name: "Delete Launcher clicks (Heap)" }).click();
  await page.locator("dialog[open]").getByRole("button", { name: "Delete", exact: true }).click();
  await page.locator("tr", { hasText: "Launcher clicks (Heap)" }).waitFor({ state: "detached" });
  draft = await page.evaluate(() => JSON.parse(localStorage.getItem("wmwh-editor:draft")).settings);
  assert.equal(draft.webhooks.some((w) => w.name === "Launcher clicks (Heap)"), false);
  assert.ok(await page.locator(".banner", { hasText: "Unpublished changes" }).isVisible());

  assert.deepEqual(errors, []);
  await context.close();
});
