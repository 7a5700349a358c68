// What a marketer still met in a user test of the editor, one test per
// point: presets are data (the editor module's presets()), mode and format
// are chosen without a developer, tokens need no code, the request preview
// is the module's own, each condition row says whether it is met, and the
// delivery history (with replay) is there in the app and in the editor.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launch, serve, watchErrors, until, msgOf, receiverOf, openEditor, startNewWebhook, root } from "./helpers.mjs";

const PRESETS = JSON.parse(readFileSync(join(root, "presets/presets.json"), "utf8"));

let browser, server, receiver, other;
before(async () => {
  // A second origin for the receiver: a destination that is not this page's site.
  server = await serve({ receiverPorts: [0] });
  other = `http://127.0.0.1:${server.receiverPorts[0]}/`;
  browser = await launch();
  receiver = receiverOf(server);
});
after(async () => {
  await browser?.close();
  server?.close();
});

async function editor(hash = "") {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await openEditor(context, server, hash);
  return { context, page, errors };
}

const draftOf = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("wmwh-editor:draft") || "null")?.settings ?? null);
// What the browser itself reports about cross-origin requests that were refused or probed on purpose.
const unexpected = (list) => list.filter((e) => !/Failed to load resource|blocked by CORS policy|ERR_UNSAFE_PORT|ERR_CONNECTION_REFUSED/.test(e));
const fill = (v, values) => JSON.parse(JSON.stringify(v).replace(/\{\{field:([A-Za-z0-9_]+)\}\}/g, (_, k) => values[k] ?? ""));

async function newDestination(page) {
  await page.getByRole("link", { name: "Destinations" }).click();
  await page.getByRole("button", { name: "+ NEW DESTINATION" }).click();
  const dlg = page.locator("dialog[open]", { hasText: "New Destination" });
  await dlg.waitFor();
  return dlg;
}

test("1. presets come from the editor module: their fields, docs and checks; they build the destination; those that cannot work from a browser say why", async () => {
  const { context, page, errors } = await editor();
  assert.equal((await fetch(server.url + "js/presets.js")).status, 404, "the hand-made preset list is gone");

  // Every preset of presets.json, in its order, then Custom.
  const dlg = await newDestination(page);
  const chips = await dlg.locator(".chips.presets button").evaluateAll((bs) => bs.map((b) => ({ id: b.dataset.preset, name: b.textContent, disabled: b.getAttribute("aria-disabled") })));
  assert.deepEqual(
    chips.map((c) => c.id),
    [...PRESETS.map((p) => p.id), "custom"]
  );
  for (const p of PRESETS) {
    const c = chips.find((x) => x.id === p.id);
    assert.equal(c.name, p.name);
    assert.equal(c.disabled, p.browser.works ? null : "true", `${p.id}: listed, and chosen only when it works from a browser`);
  }

  // One that cannot work from a browser: it says why (and links the docs), and is not chosen.
  const teams = PRESETS.find((p) => p.id === "teams-workflows");
  await dlg.locator("[data-preset='teams-workflows']").click({ force: true });
  const why = dlg.locator(".preset-unavailable");
  assert.match(await why.textContent(), /Microsoft Teams \(Workflows webhook\) cannot be sent to from a browser\./);
  assert.ok((await why.textContent()).includes(teams.browser.why));
  assert.equal(await why.getByRole("link").getAttribute("href"), teams.docs);
  assert.equal(await dlg.locator(".preset-panel").count(), 0, "not chosen");
  assert.equal(await dlg.locator("[data-preset='custom']").getAttribute("aria-pressed"), "true");

  // Mixpanel: its fields with label, help, placeholder, required; a link to its docs; the API host at its default.
  const mix = PRESETS.find((p) => p.id === "mixpanel");
  await dlg.getByRole("button", { name: mix.name, exact: true }).click();
  const panel = dlg.locator(".preset-panel[data-preset='mixpanel']");
  assert.equal(await panel.getByRole("link", { name: /documentation/ }).getAttribute("href"), mix.docs);
  assert.ok((await panel.textContent()).includes(mix.browser.why));
  const tokenField = mix.fields.find((f) => f.key === "project_token");
  const token = panel.locator("[data-key='destination.preset.project_token']");
  assert.equal(await token.getAttribute("placeholder"), tokenField.placeholder);
  assert.equal(await token.getAttribute("aria-required"), "true");
  assert.match(await token.evaluate((el) => el.labels[0].textContent), /^Project token required public by design$/);
  assert.equal(await token.evaluate((el) => document.getElementById(el.getAttribute("aria-describedby").split(" ")[0]).textContent), tokenField.help);
  assert.equal(await panel.locator("[data-key='destination.preset.host']").inputValue(), "api-js.mixpanel.com");
  assert.equal(await dlg.getByLabel("Destination URL").count(), 0, "the preset makes the request");

  // Required fields are checked; a value of the wrong shape is flagged.
  await dlg.getByRole("button", { name: "SAVE" }).click();
  assert.equal(await msgOf(token), "Fill in Project token.");
  assert.equal(await token.getAttribute("aria-invalid"), "true");
  assert.equal(await dlg.isVisible(), true, "not saved");
  await token.fill("not a token");
  await until(async () => /does not look like a Project token/.test(await msgOf(token)), "the shape warning");
  const key = "0123456789abcdef0123456789abcdef";
  await token.fill(key);
  await dlg.getByRole("button", { name: "SAVE" }).click();
  await dlg.waitFor({ state: "detached" });

  // The destination is the preset's, with the fields filled in (the built-in settings already have a "mixpanel").
  const saved = (await draftOf(page)).destinations.at(-1);
  assert.equal(saved.id, "mixpanel-2");
  const values = { project_token: key, host: "api-js.mixpanel.com" };
  assert.equal(saved.platform, "Mixpanel");
  assert.equal(saved.url, "https://api-js.mixpanel.com/track/?ip=1&verbose=1");
  assert.equal(saved.mode, "simple");
  assert.equal(saved.format, "form");
  assert.deepEqual(saved.body, fill(mix.destination.body, values));

  // Reopened, it is the Mixpanel preset again, with its values.
  await page.getByRole("button", { name: "Edit destination mixpanel-2" }).click();
  const edit = page.locator("dialog[open]", { hasText: "Edit Destination" });
  assert.equal(await edit.locator("[data-preset='mixpanel']").first().getAttribute("aria-pressed"), "true");
  assert.equal(await edit.locator("[data-key='destination.preset.project_token']").inputValue(), key);
  await edit.getByRole("button", { name: "CANCEL" }).click();
  await edit.waitFor({ state: "detached" });

  // A preset with a batch and a rate: both come from presets.json, filled in.
  const amp = PRESETS.find((p) => p.id === "amplitude");
  const dlg2 = await newDestination(page);
  await dlg2.getByRole("button", { name: amp.name, exact: true }).click();
  await dlg2.locator("[data-key='destination.preset.api_key']").fill(key);
  await dlg2.getByRole("button", { name: "SAVE" }).click();
  await dlg2.waitFor({ state: "detached" });
  const a = (await draftOf(page)).destinations.at(-1);
  assert.equal(a.id, "amplitude");
  assert.deepEqual(a.batch, fill(amp.batch, { api_key: key }));
  assert.deepEqual(a.rate, amp.rate);
  assert.equal(a.url, "https://api2.amplitude.com/2/httpapi");

  // Slack: the URL is a secret, marked; the module's published_secret warning shows at that field.
  const dlg3 = await newDestination(page);
  await dlg3.getByRole("button", { name: "Slack (incoming webhook)", exact: true }).click();
  const slackUrl = dlg3.locator("[data-key='destination.preset.webhook_url']");
  assert.match(await slackUrl.evaluate((el) => el.labels[0].textContent), /secret: every visitor can read it/);
  await slackUrl.fill("https://hooks.slack.com/services/T0AB/B0CD/abcdef");
  await until(async () => /the Slack URL is itself the key: every visitor of the page can read it/.test(await msgOf(slackUrl)), "the published-secret warning");

  // Custom: any HTTP endpoint, with the demo's local receiver.
  await dlg3.getByRole("button", { name: "Custom", exact: true }).click();
  assert.equal(await dlg3.getByLabel("Destination URL").isVisible(), true);
  assert.equal(await dlg3.getByLabel("Send to the local receiver (demo)").isChecked(), true);
  assert.deepEqual(errors, []);
  await context.close();
});

test("2. mode and format are chosen for the person: by the preset, the known host (one click), a probe; a test that fails for CORS says why and fixes it", async () => {
  const { context, page, errors } = await editor();
  const dlg = await newDestination(page);
  const advice = dlg.locator(".mode-advice");
  const sentAs = () => advice.locator(".sent-as").textContent();

  // The known host: the module's host_limit warning names the fix; one click applies it.
  await dlg.getByRole("button", { name: "Custom", exact: true }).click();
  await dlg.getByLabel("Destination URL").fill("https://hooks.slack.com/services/T0AB/B0CD/abcdef");
  await advice.locator("[data-fix='mode:simple']").waitFor();
  assert.match(await sentAs(), /Sent in mode cors, body format json\./);
  assert.match(await advice.textContent(), /Slack does not take cors mode from a page; use mode simple or no-cors/);
  assert.equal(await dlg.getByLabel("Mode", { exact: true }).isVisible(), false, "mode and format sit under More options");
  await advice.locator("[data-fix='mode:simple']").click();
  await until(async () => /Sent in mode simple, body format text\./.test(await sentAs()), "mode simple");
  assert.equal(await advice.locator("[data-fix^='mode:']").count(), 0);

  // The preset the warning names is one click away too, and takes the URL typed.
  const url = "https://hooks.slack.com/services/T0AB/B0CD/abcdef";
  await dlg.locator("details.more > summary").click();
  await dlg.getByLabel("Mode", { exact: true }).selectOption("cors");
  await advice.locator("[data-fix='preset:slack']").click();
  assert.equal(await dlg.locator("[data-key='destination.preset.webhook_url']").inputValue(), url);
  await until(async () => /Sent in mode simple, body format form\. Chosen by the Slack \(incoming webhook\) preset\./.test(await sentAs()), "the preset's mode");

  // A preset decides: GA4 goes no-cors as text.
  await dlg.getByRole("button", { name: "Google Analytics 4 (Measurement Protocol)", exact: true }).click();
  await until(async () => /Sent in mode no-cors, body format text\./.test(await sentAs()), "GA4's mode");

  // A probe decides for any other address: same origin answers with CORS; the other port does not; port 9 is not there.
  await dlg.getByRole("button", { name: "Custom", exact: true }).click();
  const address = dlg.getByLabel("Destination URL");
  const probe = async (target, kind) => {
    await address.fill(target);
    await advice.getByRole("button", { name: "Choose the mode for me" }).click();
    await advice.locator(`.probe-result[data-probe=${kind}]`).waitFor();
    return advice.textContent();
  };
  assert.match(await probe(`${server.url}hook/probe/a`, "cors"), /answers pages with CORS: mode cors, format json is set/);
  assert.match(await probe(`${other}hook/probe/b`, "simple"), /can be reached but does not allow CORS: mode simple, format text is set/);
  assert.equal(await dlg.getByLabel("Mode", { exact: true }).inputValue(), "simple");
  assert.equal(await dlg.getByLabel("Body format").inputValue(), "text");
  assert.match(await probe("http://127.0.0.1:9/hook", "unreachable"), /127\.0\.0\.1:9 could not be reached from this page/);
  assert.equal(await dlg.getByLabel("Mode", { exact: true }).inputValue(), "simple", "left as it was");
  await dlg.getByRole("button", { name: "Close" }).click();
  await page.locator("dialog.confirm[open]").getByRole("button", { name: "Discard" }).click();

  // Send test to an address without CORS, in cors mode: the probe says so first; the failure says why; one click fixes it.
  await receiver.clear("cors-test");
  await page.getByRole("link", { name: "Webhooks", exact: true }).click();
  const wizard = await startNewWebhook(page, "No CORS here");
  await wizard.getByLabel("Event", { exact: true }).selectOption("launcher.clicked");
  await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
  await wizard.getByRole("button", { name: "Custom", exact: true }).click();
  await wizard.getByLabel("Destination URL").fill(`${other}hook/cors-test?cors=0`);
  await wizard.getByRole("button", { name: "Send test" }).click();
  const td = page.locator("dialog[open]", { hasText: "Send test event" });
  await td.locator(".probe-result[data-probe=simple]").waitFor();
  assert.match(await td.locator(".probe-box").textContent(), /does not allow CORS: only simple requests get through/);
  await td.getByRole("button", { name: "SEND TEST EVENT" }).click();
  const refused = td.locator(".cors-explained[data-cors=refused]");
  await refused.waitFor();
  assert.match(await refused.textContent(), /Nothing was sent: 127\.0\.0\.1:\d+ does not allow requests from this page \(CORS\)\./);
  assert.match(await refused.textContent(), /What fixes it: Use mode simple/);
  assert.equal((await receiver.requests("cors-test")).length, 0, "the preflight was refused: nothing arrived");
  await refused.getByRole("button", { name: "Use mode simple" }).click();
  await td.locator(".fixed").waitFor();
  await td.getByRole("button", { name: "SEND TEST EVENT" }).click();
  const hidden = td.locator(".cors-explained[data-cors=hidden]");
  await hidden.waitFor();
  assert.equal(await td.locator(".callout[data-outcome]").getAttribute("data-outcome"), "sent");
  assert.match(await hidden.textContent(), /got the request but hides its answer/);
  const got = await until(async () => (await receiver.requests("cors-test"))[0], "the simple request");
  assert.match(got.headers["content-type"], /^text\/plain/);
  await td.getByRole("button", { name: "CLOSE", exact: true }).click();

  // The fix is in the form as filled in.
  await wizard.locator("details.more > summary").click();
  assert.equal(await wizard.getByLabel("Mode", { exact: true }).inputValue(), "simple");
  assert.equal(await wizard.getByLabel("Body format").inputValue(), "text");
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test("3. a bearer token comes from the customer's site (tokenFrom), explained; a pasted one is flagged as published", async () => {
  await receiver.clear("tok");
  const { context, page, errors } = await editor();
  await context.addCookies([{ name: "session", value: "abc123", url: server.url }]);
  const wizard = await startNewWebhook(page, "Signed-in token");
  await wizard.getByLabel("Event", { exact: true }).selectOption("launcher.clicked");
  await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
  await wizard.getByRole("button", { name: "Custom", exact: true }).click();
  await wizard.getByLabel("Destination URL").fill(`${server.url}hook/tok/crm`);
  await wizard.getByLabel("Authentication Type").selectOption("bearer");

  // "Token comes from your site" first, with what the path must answer.
  assert.equal(await wizard.getByRole("radio", { name: /^Token comes from your site/ }).isChecked(), true);
  const contract = await wizard.locator(".token-contract").textContent();
  for (const part of ['{"token": "', '"expiresIn": 300}', "signed-in visitor", "same site as the app (same origin)", "cookies go with the request", "Nothing secret is published"]) {
    assert.ok(contract.includes(part), `explains: ${part}`);
  }
  const path = wizard.getByLabel("Token path on your site");
  await wizard.getByRole("button", { name: "SAVE" }).click();
  assert.match(await msgOf(path), /Enter the path on your site that answers the token/);
  await path.fill("https://elsewhere.example/token");
  await until(async () => /must be a path on the page's own site/.test(await msgOf(path)), "the module's refusal");
  await path.fill("/api/site-token");
  await until(async () => (await msgOf(path)) === "", "no problem");

  // The preview says where the token comes from; a test asks the site for it, with the visitor's cookies.
  assert.match(await wizard.locator(".preview-section .auth-note").textContent(), /the token \/api\/site-token answers for the signed-in visitor/);
  await wizard.getByRole("button", { name: "Send test" }).click();
  const td = page.locator("dialog[open]", { hasText: "Send test event" });
  await td.getByRole("button", { name: "SEND TEST EVENT" }).click();
  await td.locator(".callout[data-outcome=delivered]").waitFor();
  assert.match(await td.locator(".test-result").textContent(), /The token was asked from \/api\/site-token on this site, with your cookies/);
  const got = await until(async () => (await receiver.requests("tok"))[0], "the request");
  assert.equal(got.headers.authorization, "Bearer site-abc123");
  await td.getByRole("button", { name: "CLOSE", exact: true }).click();

  // Pasting a token: it is said to be published, and the module's warning shows at the field.
  await wizard.getByRole("radio", { name: /^Paste a token/ }).check();
  const pasted = wizard.getByLabel("Token", { exact: true });
  assert.match(await pasted.evaluate((el) => document.getElementById(el.getAttribute("aria-describedby").split(" ")[0]).textContent), /A pasted token is published with the settings: every visitor of the page can read it/);
  await pasted.fill("s3cr3t-token");
  await until(async () => /this token is published to every visitor of the page; leave it out and let the token come from your own site \(auth\.tokenFrom\)/.test(await msgOf(pasted)), "the published-secret warning");

  // Back to the site: saved without a published secret.
  await wizard.getByRole("radio", { name: /^Token comes from your site/ }).check();
  await wizard.getByRole("button", { name: "SAVE" }).click();
  await wizard.waitFor({ state: "detached" });
  const saved = (await draftOf(page)).destinations.find((d) => d.url === `${server.url}hook/tok/crm`);
  assert.deepEqual(saved.auth, { type: "bearer", tokenFrom: "/api/site-token" });
  await page.getByRole("link", { name: "Destinations" }).click();
  assert.match(await page.locator(`article.dest[data-destination='${saved.id}']`).textContent(), /Bearer Token \(from \/api\/site-token\)/);
  // Nothing for developers to add: the Publish page does not ask for a token provider for it.
  await page.getByRole("link", { name: "Publish settings" }).first().click();
  await page.waitForSelector("#main[data-page=publish]");
  assert.doesNotMatch(await page.locator("#main").textContent(), new RegExp(`setTokenProvider\\("${saved.id}"`));
  assert.deepEqual(errors, []);
  await context.close();
});

test("4. the request preview is the module's own, live, in Advanced, the destination step and Send test", async () => {
  await receiver.clear("pv");
  const { context, page, errors } = await editor();
  const wizard = await startNewWebhook(page, "Previewed");
  await wizard.getByLabel("Event", { exact: true }).selectOption("survey.submitted");
  await wizard.getByRole("button", { name: "Advanced ›" }).click();
  await wizard.getByLabel("answer.value", { exact: true }).check();
  await wizard.getByLabel("Send answer.value as").fill("score");
  await wizard.getByRole("button", { name: "+ ADD PROPERTY", exact: true }).click();
  await wizard.getByLabel("Static property 1 name").fill("source");
  await wizard.getByLabel("Static property 1 value").fill("e2e");

  // Advanced: the body for a sample event, as the module makes it (the destination is not chosen yet).
  const adv = wizard.locator(".advanced .request-preview");
  await until(async () => (await adv.locator("pre.code").count()) === 1 && JSON.parse(await adv.locator("pre.code").textContent()).source === "e2e", "the body");
  assert.deepEqual(JSON.parse(await adv.locator("pre.code").textContent()), { score: 4, source: "e2e" });
  assert.match(await adv.textContent(), /The whole request \(address, headers\) shows in step 2/);

  // The destination step: method, URL (placeholders filled), headers with secrets masked, body; live.
  await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
  await wizard.getByRole("button", { name: "Custom", exact: true }).click();
  await wizard.getByLabel("Destination URL").fill(`${server.url}hook/pv/{{survey.name}}`);
  await wizard.getByRole("button", { name: "+ ADD PROPERTY" }).click();
  await wizard.getByLabel("Header 1 name").fill("X-Api-Key");
  await wizard.getByLabel("Header 1 value").fill("k-secret-1");
  const step2 = wizard.locator(".preview-section");
  await until(async () => (await step2.locator(".preview-url").count()) && (await step2.locator(".preview-url").textContent()) === `${server.url}hook/pv/NPS`, "the URL");
  await until(async () => (await step2.locator("table.headers tr").count()) === 2, "the headers");
  const headers = await step2.locator("table.headers tr").evaluateAll((rs) => rs.map((r) => [r.cells[0].textContent, r.cells[1].textContent]));
  assert.deepEqual(headers, [
    ["Content-Type", "application/json"],
    ["X-Api-Key", "****"],
  ]);
  assert.equal(await step2.locator(".method").textContent(), "POST");
  await wizard.getByLabel("Body template (JSON, optional)").fill('{"text": "Score {{score}} from {{source}}"}');
  await until(async () => (await step2.locator("pre.code").textContent()).includes("Score 4 from e2e"), "the body to follow the template");

  // Send test: the same request before sending; what arrives is that request.
  await wizard.getByRole("button", { name: "Send test" }).click();
  const td = page.locator("dialog[open]", { hasText: "Send test event" });
  const before = td.locator(".request-preview");
  assert.equal(await before.locator(".preview-url").textContent(), `${server.url}hook/pv/NPS`);
  const previewed = JSON.parse(await before.locator("pre.code").textContent());
  assert.deepEqual(previewed, { text: "Score 4 from e2e" });
  await td.getByRole("button", { name: "SEND TEST EVENT" }).click();
  await td.locator(".callout[data-outcome=delivered]").waitFor();
  const got = await until(async () => (await receiver.requests("pv"))[0], "the request");
  assert.equal(got.path, "/hook/pv/NPS");
  assert.deepEqual(JSON.parse(got.body), previewed);
  assert.equal(got.headers["x-api-key"], "k-secret-1", "masked in the preview, sent as it is");

  // Editing the properties updates the preview at once.
  const props = td.getByLabel("Event properties");
  const v = JSON.parse(await props.inputValue());
  v["answer.value"] = 2;
  await props.fill(JSON.stringify(v));
  await until(async () => (await before.locator("pre.code").textContent()).includes("Score 2 from e2e"), "the preview to follow the properties");
  assert.deepEqual(errors, []);
  await context.close();
});

test("5. each condition row shows whether the sample event meets it, in the wizard and in Send test", async () => {
  const { context, page, errors } = await editor();
  const wizard = await startNewWebhook(page, "Which row failed");
  await wizard.getByLabel("Event", { exact: true }).selectOption("survey.question_answered");
  await wizard.getByRole("button", { name: "+ ADD CONDITION" }).click();
  await wizard.getByLabel("Condition 1 property").selectOption("survey.name");
  await wizard.getByLabel("Condition 1 value").fill("NPS");
  await wizard.getByRole("button", { name: "+ ADD CONDITION" }).click();
  await wizard.getByLabel("Condition 2 property").selectOption("question.type");
  await wizard.getByLabel("Condition 2 value").fill("csat");
  await wizard.getByLabel("Join condition 1 with the next one").selectOption("or");

  // The wizard: a result per row for the sample event (the first row holds, the second does not).
  const row = (i) => wizard.locator(`.cond-row[data-row='${i}'] .cond-result`);
  await until(async () => (await row(1).count()) === 1, "the results");
  assert.equal(await row(0).getAttribute("data-met"), "true");
  assert.equal(await row(0).textContent(), '✓ met (sample: "NPS")');
  assert.equal(await row(1).getAttribute("data-met"), "false");
  assert.equal(await row(1).textContent(), '✕ not met (sample: "nps")');

  // Send test: each row's result follows the properties as they are edited.
  await wizard.getByRole("button", { name: "CONTINUE ›" }).click();
  await wizard.getByRole("button", { name: "Custom", exact: true }).click();
  await wizard.getByRole("button", { name: "Send test" }).click();
  const td = page.locator("dialog[open]", { hasText: "Send test event" });
  const result = (i) => td.locator(`.cond-results li[data-row='${i}']`);
  assert.equal(await result(0).getAttribute("data-met"), "true");
  assert.equal(await result(1).getAttribute("data-met"), "false");
  assert.match(await result(0).textContent(), /^Survey name equal to "NPS" ✓ met \(sample: "NPS"\) Or$/);
  assert.match(await td.locator(".cond-summary").textContent(), /meet the conditions: the webhook sends/);
  const props = td.getByLabel("Event properties");
  const v = JSON.parse(await props.inputValue());
  v["survey.name"] = "CSAT";
  await props.fill(JSON.stringify(v, null, 2));
  await until(async () => (await result(0).getAttribute("data-met")) === "false", "row 1 to fail");
  assert.match(await td.locator(".cond-summary").textContent(), /do not meet the conditions: nothing would be sent/);

  // "Conditions not met" names the rows.
  await td.getByRole("button", { name: "SEND TEST EVENT" }).click();
  const none = td.locator(".callout[data-outcome=not-matched]");
  await none.waitFor();
  assert.deepEqual(await none.locator(".failed-rows li").allTextContents(), ['Condition 1 is not met: Survey name equal to "NPS".', 'Condition 2 is not met: Question type equal to "csat".']);
  assert.deepEqual(errors, []);
  await context.close();
});

test("6. delivery history: the app lists hooks.history(), searchable and filtered, and replays failed and dropped deliveries; the editor shows it read-only and leads to the app", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const demo = await context.newPage();
  const demoErrors = watchErrors(demo);
  // The app's settings are published before it first loads (so the built-in ones deliver nothing).
  await demo.goto(server.url + "receiver.html");
  const run = Date.now();
  await demo.evaluate(
    ({ url, run }) => {
      const settings = {
        version: 1,
        destinations: [
          { id: "flaky", platform: "Flaky CRM", url: `${url}hook/hist/flaky-${run}?fail=1`, maxAttempts: 1 },
          { id: "refuses", platform: "Strict CRM", url: `${url}hook/hist/refuses?status=400` },
          { id: "ok", platform: "CRM", url: `${url}hook/hist/ok` },
        ],
        webhooks: [
          { id: "wh-flaky", name: "Flaky CRM sync", event: "survey.submitted", destination: "flaky" },
          { id: "wh-refuses", name: "Refused by CRM", event: "survey.submitted", destination: "refuses" },
          { id: "wh-ok", name: "Launcher to CRM", event: "launcher.clicked", destination: "ok" },
        ],
      };
      localStorage.setItem("wmwh-demo:published", JSON.stringify({ settings, publishedAt: Date.now() }));
    },
    { url: server.url, run }
  );
  await demo.goto(server.url + "index.html");
  await demo.waitForSelector("#status[data-webhooks='3']");
  await demo.evaluate(async () => {
    const hooks = window.walkmeWebhooks;
    hooks.emit("survey.submitted", { "survey.name": "NPS", "answer.value": 3 });
    hooks.emit("launcher.clicked", { "item.name": "Guide me" });
    await hooks.flush();
  });

  // The app: every report, newest first, with its webhook, event, outcome, status, attempt, error and time.
  await demo.getByRole("button", { name: "Delivery history" }).click();
  const dlg = demo.locator("dialog.deliveries-dialog[open]");
  await until(async () => (await dlg.locator("tbody tr").count()) === 3, "three reports");
  assert.equal(await dlg.locator(".count").textContent(), "3 delivery reports");
  const failed = dlg.locator("tr[data-webhook=wh-flaky][data-outcome=failed]");
  assert.match(await failed.textContent(), /Flaky CRM sync/);
  assert.match(await failed.textContent(), /survey\.submitted/);
  assert.match(await failed.textContent(), /503/);
  assert.match(await failed.textContent(), /attempt 1/);
  assert.match(await failed.textContent(), /gave up after 1 attempt: HTTP 503/);
  assert.match(await failed.textContent(), /\d+ ms/);
  assert.match(await failed.locator("time").textContent(), /^\d\d:\d\d:\d\d$/);

  // Searched and filtered by webhook and outcome.
  await dlg.getByLabel("Outcome", { exact: true }).selectOption("dropped");
  assert.deepEqual(await dlg.locator("tbody tr").evaluateAll((rs) => rs.map((r) => r.dataset.webhook)), ["wh-refuses"]);
  await dlg.getByLabel("Outcome", { exact: true }).selectOption("");
  await dlg.getByLabel("Webhook", { exact: true }).selectOption("wh-ok");
  assert.deepEqual(await dlg.locator("tbody tr").evaluateAll((rs) => rs.map((r) => r.dataset.outcome)), ["delivered"]);
  assert.equal(await dlg.locator("tbody tr button").count(), 0, "nothing to replay for a delivered one");
  await dlg.getByRole("button", { name: "Clear filters" }).click();
  await dlg.getByRole("searchbox", { name: "Search" }).fill("HTTP 503");
  assert.deepEqual(await dlg.locator("tbody tr").evaluateAll((rs) => rs.map((r) => r.dataset.webhook)), ["wh-flaky"]);
  await dlg.getByRole("button", { name: "Clear filters" }).click();

  // Replay: only for failed and dropped deliveries the module can replay.
  const replayable = await demo.evaluate(() => window.walkmeWebhooks.replayable());
  assert.equal(replayable.length, 2);
  assert.equal(await dlg.getByRole("button", { name: /^Replay the delivery of / }).count(), 2);
  await failed.getByRole("button", { name: /^Replay the delivery of Flaky CRM sync/ }).click();
  await demo.locator(".toast", { hasText: "Sent “Flaky CRM sync” again" }).waitFor();
  await until(async () => (await dlg.locator("tbody tr").first().getAttribute("data-outcome")) === "delivered" && (await dlg.locator("tbody tr").first().getAttribute("data-webhook")) === "wh-flaky", "the replay, delivered");
  assert.equal(await failed.getByRole("button").count(), 0, "replayed: no longer offered");
  await dlg.getByRole("button", { name: "CLOSE", exact: true }).click();

  // Kept across reloads.
  await demo.reload();
  await demo.waitForSelector("#status[data-ready=true]");
  await demo.getByRole("button", { name: "Delivery history" }).click();
  await until(async () => (await demo.locator("dialog.deliveries-dialog[open] tbody tr").count()) === 4, "four reports after the reload");
  await demo.locator("dialog.deliveries-dialog[open]").getByRole("button", { name: "CLOSE", exact: true }).click();

  // The editor's Deliveries page: the same history, read from the site's storage and left as it is.
  const stored = await demo.evaluate(() => localStorage.getItem("wmwh2-history"));
  const editorPage = await context.newPage();
  const editorErrors = watchErrors(editorPage);
  await editorPage.goto(server.url + "editor.html#deliveries");
  await editorPage.waitForSelector("#main[data-page=deliveries]");
  const rows = editorPage.locator("table.deliveries tbody tr");
  assert.equal(await rows.count(), 4);
  assert.match(await editorPage.locator("tr[data-webhook=wh-refuses]").textContent(), /Refused by CRM.*Survey Submitted/);
  assert.match(await editorPage.locator(".replay-note").textContent(), /Replay happens in the app/);
  assert.equal(await editorPage.getByRole("button", { name: /^Replay/ }).count(), 0, "no replay without a running module");
  await editorPage.getByLabel("Outcome", { exact: true }).selectOption("dropped");
  const link = editorPage.getByRole("link", { name: /^Replay in the app: Refused by CRM/ });
  const key = await editorPage.locator("tr[data-webhook=wh-refuses]").getAttribute("data-key");
  assert.equal(await link.getAttribute("href"), "index.html?deliveries=" + encodeURIComponent(key));
  assert.equal(await editorPage.getByRole("link", { name: /^Replay in the app: Flaky/ }).count(), 0, "the flaky one was replayed already");
  await editorPage.getByRole("button", { name: "Clear filters" }).click();
  assert.equal(await demo.evaluate(() => localStorage.getItem("wmwh2-history")), stored, "read-only");

  // "Replay in the app" opens the app's history on that delivery; the editor follows what the app reports.
  const app = await context.newPage();
  const appErrors = watchErrors(app);
  await app.goto(server.url + (await link.getAttribute("href")));
  const opened = app.locator("dialog.deliveries-dialog[open]");
  await opened.waitFor();
  assert.equal(await opened.getByRole("searchbox", { name: "Search" }).inputValue(), key);
  const replay = opened.getByRole("button", { name: /^Replay the delivery of Refused by CRM/ });
  assert.equal(await replay.evaluate((el) => el === document.activeElement), true, "focus on its Replay");
  await replay.click();
  await app.locator(".toast", { hasText: "Sent “Refused by CRM” again" }).waitFor();
  await until(async () => (await opened.locator("tbody tr").count()) === 2, "the replay in the app's history");
  await until(async () => (await rows.count()) === 5, "the editor to show the replay", 5000);

  const allowed = (list) => list.filter((e) => !/Failed to load resource: the server responded with a status of (503|400)/.test(e));
  assert.deepEqual(allowed(demoErrors), []);
  assert.deepEqual(allowed(appErrors), []);
  assert.deepEqual(editorErrors, []);
  await context.close();
});
