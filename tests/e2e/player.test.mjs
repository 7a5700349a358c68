// The demo's simulated WalkMe player fires every event of the catalog
// through its UI (plus DXA auto-capture on the host page), and each one
// reaches the receiver through the real module. The player fires the real
// player's events (WalkMeAPI.events.on, the older page callbacks), so an
// event carries the catalog properties the player's payload has
// (docs/player-mapping.json), not always all the catalog lists.
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

// Catalog properties the real player's payload does not carry, per event
// (docs/player-mapping.json). Changed on purpose: the demo used to fire
// catalog events with every property as a "walkme:event" CustomEvent; it now
// fires the player's own events, and what their payloads lack is not sent.
const NOT_CARRIED = {
  "swt.step_played": ["step.name", "step.index"], // SwtStepShown: swtId, swtName, flowId, stepId, balloonId
  "swt.started": ["play.source"], // SwtStarted: swtId, swtName, flowId
  "swt.goal_reached": ["item.name"], // GoalCompleted: id, name (the goal's), relatedObjectId
  "shoutout.goal_reached": ["item.name"],
  "shuttle.goal_reached": ["item.name", "shuttle.url"],
  "resource.goal_reached": ["item.name"],
  "launcher.clicked": ["item.name"], // LauncherClicked: id
  "onboarding.task_completed": ["item.name", "task.index"], // TaskCompleted: id
  "shoutout.action_clicked": ["action.text"], // ShoutOutEngagement: id, name, actionType
  "survey.submitted": ["question.id", "question.text", "answer.value"], // SurveySubmitted: id, name, status, answers
  "menu.opened": ["menu.trigger"], // AfterMenuOpen: nothing
  "menu.item_selected": ["item.name", "menu.query", "menu.position"], // ActivateFromMenu: id, objectType
};

// Properties the module fills itself (or that depend on the page).
const COMMON = new Set(["event.id", "event.type", "event.name", "event.timestamp", "session.id", "user.id", "page.url", "page.path", "page.title", "page.referrer", "env.language", "env.userAgent"]);

test("every catalog event can be fired from the demo's UI and reaches the receiver", async () => {
  await fetch(`${server.url}api/requests?bucket=all`, { method: "DELETE" });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Nothing goes through the "walkme:event" channel any more: the player's own hooks carry it all.
  await context.addInitScript(() => {
    window.__customEvents = 0;
    addEventListener("walkme:event", () => window.__customEvents++);
  });
  const p = await context.newPage();
  const errors = watchErrors(p);
  await p.goto(server.url + "index.html");
  await p.waitForSelector("#status[data-ready=true]");

  // Publish one webhook per catalog event, all to one receiver bucket, sending every property.
  const events = await p.evaluate(async (url) => {
    const { default: initEditor, catalog } = await import("/pkg/editor.js");
    await initEditor();
    const events = catalog();
    const settings = {
      version: 1,
      destinations: [{ id: "all", platform: "Custom", method: "POST", url: url + "hook/all", auth: { type: "none" }, headers: [], mode: "cors" }],
      webhooks: events.map((e, i) => ({ id: "wh-" + i, name: e.name, event: e.id, destination: "all" })),
    };
    localStorage.setItem("wmwh-demo:published", JSON.stringify({ settings, publishedAt: Date.now() }));
    return events;
  }, server.url);
  await p.reload();
  await p.waitForSelector("#status[data-webhooks='32']");

  const btn = (name) => p.getByRole("button", { name, exact: true });
  const menu = p.locator(".wm-menu");

  // ShoutOut: shown, action (and its goal: visiting Reports), dismissed by the close button and by Escape via the Launcher.
  await btn("Show ShoutOut").click();
  await p.locator("dialog.wm-shoutout").getByRole("button", { name: "Take a look" }).click();
  await p.waitForSelector("section[data-view=reports]:not([hidden])");
  await btn("Show ShoutOut").click();
  await btn("Close ShoutOut").click();
  await p.getByRole("button", { name: "What's new" }).click();
  await p.locator("dialog.wm-shoutout").waitFor();
  await p.keyboard.press("Escape");
  await p.locator("dialog.wm-shoutout").waitFor({ state: "detached" });

  // NPS survey: answered, submitted; then opened again and dismissed.
  await btn("Show NPS survey").click();
  await btn("Score 4").click();
  await p.getByLabel("What is the main reason for your score?").fill("Reports could load faster");
  await btn("Submit").click();
  await btn("Show NPS survey").click();
  await btn("Close survey").click();

  // Smart Walk-Thru: started, steps played, SmartTip shown and its validation rule, goal reached (and an onboarding task).
  await btn("Play Smart Walk-Thru").click();
  for (let i = 0; i < 3; i++) await p.locator(".wm-balloon").getByRole("button", { name: "Next" }).click();
  await p.getByLabel("Full name").fill("Dana Test");
  await p.getByLabel("Work e-mail", { exact: true }).click();
  await p.locator(".wm-tip:not([hidden])").waitFor();
  await p.getByLabel("Work e-mail", { exact: true }).fill("dana@");
  await p.getByLabel("Work e-mail", { exact: true }).press("Tab");
  await p.locator(".wm-tip.error").waitFor();
  await p.getByLabel("Work e-mail", { exact: true }).fill("dana@northwind.com");
  await p.getByLabel("Company").fill("Northwind");
  await btn("Save contact").click();
  await p.locator("#contacts-table tbody tr.fresh").waitFor();

  // A Walk-Thru whose element is missing fails.
  await btn("Play broken Walk-Thru").click();

  // Menu: opened, searched, an item selected; a Resource (clicked, goal) and a Shuttle.
  await btn("Open menu").click();
  const search = menu.getByLabel("Search help");
  await search.fill("pricing");
  await search.press("Enter");
  await menu.getByRole("button", { name: /Pricing guide/ }).click();
  await p.locator("dialog.wm-resource").getByRole("button", { name: "Got it" }).click();
  await search.fill("");
  await menu.getByRole("button", { name: /Go to billing settings/ }).click();
  await p.waitForSelector("section[data-view=billing]:not([hidden])");

  // Onboarding tasks.
  await btn("Onboarding tasks").click();
  await menu.getByRole("button", { name: "Mark “Complete your profile” as done" }).click();
  await menu.getByText("2 of 4 done").waitFor();

  // TeachMe: visible, course started, steps, quiz played, submitted, passed, course completed; then a failed try.
  await menu.getByRole("tab", { name: "Courses" }).click();
  await menu.getByRole("button", { name: "Start course" }).click();
  for (let i = 0; i < 3; i++) await menu.getByRole("button", { name: "Next" }).click();
  await menu.getByLabel("Contacts", { exact: true }).check();
  await menu.getByLabel("CSV", { exact: true }).check();
  await menu.getByLabel("Every hour", { exact: true }).check();
  await menu.getByRole("button", { name: "Submit quiz" }).click();
  await menu.getByText("Passed with 100%").waitFor();
  await menu.getByRole("button", { name: "Back to courses" }).click();
  await menu.getByRole("button", { name: "Take again" }).click();
  for (let i = 0; i < 3; i++) await menu.getByRole("button", { name: "Next" }).click();
  await menu.getByLabel("PDF", { exact: true }).check();
  await menu.getByRole("button", { name: "Submit quiz" }).click();
  await menu.getByText("not quite").waitFor();
  await btn("Close menu").click();

  // DXA on the host page itself: a click, an input, page views.
  await p.getByRole("link", { name: "Dashboard" }).click();
  await btn("Export").click();
  await p.getByLabel("Search contacts").fill("north");
  await p.getByLabel("Search contacts").press("Tab");

  await p.evaluate(() => window.walkmeWebhooks.flush());
  const got = await (await fetch(`${server.url}api/requests?bucket=all`)).json();
  const bodies = got.map((r) => JSON.parse(r.body));
  const seen = new Set(bodies.map((b) => b["event.type"]));
  const missing = events.map((e) => e.id).filter((id) => !seen.has(id));
  assert.deepEqual(missing, [], "every catalog event reached the receiver");

  // Each player event carries the catalog properties its player payload has, and the user the app identified.
  for (const e of events.filter((e) => !e.group.startsWith("DXA"))) {
    const body = bodies.find((b) => b["event.type"] === e.id);
    const absent = e.properties.map((x) => x.name).filter((n) => !COMMON.has(n) && !(n in body));
    assert.deepEqual(absent, NOT_CARRIED[e.id] || [], `${e.id} carries the catalog properties of its player payload`);
    assert.equal(body["user.id"], "u-1042");
  }
  assert.equal(await p.evaluate(() => window.__customEvents), 0, "no walkme:event was dispatched");
  // The score comes with survey.question_answered; survey.submitted has the answers.
  const answered = bodies.filter((b) => b["event.type"] === "survey.question_answered");
  assert.deepEqual(
    answered.map((b) => [b["survey.name"], b["question.id"], b["answer.value"]]).sort(),
    [
      ["NPS", "q1", 4],
      ["NPS", "q2", "Reports could load faster"],
    ]
  );
  const submitted = bodies.find((b) => b["event.type"] === "survey.submitted");
  assert.equal(submitted["survey.name"], "NPS");
  assert.equal(submitted["answers.count"], 2);
  assert.equal(submitted["survey.answers"].length, 2);
  // The ShoutOut's goal, the Shuttle's and the Resource's are told apart by the item that started.
  assert.equal(bodies.find((b) => b["event.type"] === "shuttle.goal_reached")["item.id"], "shuttle-billing");
  assert.equal(bodies.find((b) => b["event.type"] === "shoutout.goal_reached")["item.id"], "so-reports-2");
  assert.equal(bodies.find((b) => b["event.type"] === "menu.item_selected")["item.type"], "Resource");
  const failed = bodies.find((b) => b["event.type"] === "teachme.quiz_failed");
  assert.equal(failed["quiz.score"], 0);
  const click = bodies.find((b) => b["event.type"] === "dxa.click" && b["element.id"] === "export");
  assert.ok(click, "the Export click was captured");
  assert.ok(!bodies.some((b) => b["event.type"] === "dxa.click" && /wm-|player/.test(String(b["element.path"]))), "the player's own UI is not captured");

  assert.deepEqual(errors, []);
  await context.close();
});
