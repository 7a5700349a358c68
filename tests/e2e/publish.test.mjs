// Settings Publish, for real: the editor writes the settings file the
// snippet loads (/settings/walkme-webhooks.json, with ETags), two editors
// cannot overwrite each other, and the loader starts from the file, keeps
// it with its ETag, revalidates it on every load and keeps the last good
// settings when the file fails or holds settings the module refuses.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, serve, until, watchErrors } from "./helpers.mjs";

let browser, server;
before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

const FILE = "settings/walkme-webhooks.json";

function settings(bucket, extra = {}) {
  return {
    version: 1,
    destinations: [{ id: "d", url: server.url + "hook/" + bucket }],
    webhooks: [{ id: "w", event: "launcher.clicked", destination: "d", properties: ["item.name"], ...extra }],
  };
}

async function put(doc, headers) {
  const res = await fetch(server.url + FILE, { method: "PUT", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(doc) });
  return { status: res.status, etag: res.headers.get("ETag") };
}

const bodies = (bucket) => server.receiver.requests.filter((r) => r.bucket === bucket).map((r) => r.body);

async function clickLauncher(page, name) {
  await page.evaluate((n) => {
    window.walkmeWebhooks.emit("launcher.clicked", { "item.name": n });
    return window.walkmeWebhooks.flush();
  }, name);
}


test("the settings file: ETags, 304 on revalidation, 412 for a stale publish, 428 without a precondition", async () => {
  const first = await put(settings("pub-file"), { "If-None-Match": "*" });
  assert.equal(first.status, 201);
  assert.match(first.etag, /^"[0-9a-f]{32}"$/);
  const got = await fetch(server.url + FILE);
  assert.equal(got.headers.get("ETag"), first.etag);
  assert.equal(got.headers.get("Cache-Control"), "no-cache");
  assert.deepEqual(await got.json(), settings("pub-file"));
  assert.equal((await fetch(server.url + FILE, { headers: { "If-None-Match": first.etag } })).status, 304);
  assert.equal((await put(settings("x"), { "If-None-Match": "*" })).status, 412, "someone published already");
  assert.equal((await put(settings("x"), {})).status, 428);
  const second = await put(settings("pub-file-2"), { "If-Match": first.etag });
  assert.equal(second.status, 200);
  assert.notEqual(second.etag, first.etag);
  assert.equal((await put(settings("x"), { "If-Match": first.etag })).status, 412, "a publish from a stale version");
  assert.deepEqual(await (await fetch(server.url + FILE)).json(), settings("pub-file-2"));
});

test("the loader starts from the file, keeps it with its ETag, takes a new publish on the next load, and keeps the last good settings", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  const now = await (await fetch(server.url + FILE)).json().catch(() => null);
  const etag = (await fetch(server.url + FILE)).headers.get("ETag");
  const a = await put(settings("pub-a"), etag ? { "If-Match": etag } : { "If-None-Match": "*" });
  assert.ok(a.status === 200 || a.status === 201, JSON.stringify(now));

  // First visit: from the file.
  await page.goto(server.url + "test/loader-url.html");
  await page.waitForSelector("body[data-ready=true]");
  await clickLauncher(page, "one");
  assert.deepEqual(bodies("pub-a"), ['{"item.name":"one"}']);
  const cached = await page.evaluate(() => JSON.parse(localStorage.getItem("wmwh2-settings:/settings/walkme-webhooks.json")));
  assert.equal(cached.etag, a.etag);

  // Next visit: starts from the copy, asks whether it changed: 304.
  const before = { ...server.settings.stats };
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  await until(() => server.settings.stats.notModified === before.notModified + 1, "a revalidation answered 304");
  await clickLauncher(page, "two");
  assert.deepEqual(bodies("pub-a"), ['{"item.name":"one"}', '{"item.name":"two"}']);

  // A publish while the page is open: picked up on its next load.
  const b = await put(settings("pub-b"), { "If-Match": a.etag });
  assert.equal(b.status, 200);
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  await until(() => page.evaluate(() => JSON.parse(localStorage.getItem("wmwh2-settings:/settings/walkme-webhooks.json")).etag).then((e) => e === b.etag), "the new version kept");
  await clickLauncher(page, "three");
  assert.deepEqual(bodies("pub-b"), ['{"item.name":"three"}']);

  // The file holds settings the module refuses (an unknown event): the
  // last good ones stay, and so does the kept copy.
  const bad = await put({ ...settings("pub-bad"), webhooks: [{ id: "w", event: "launcher.clickd", destination: "d" }] }, { "If-Match": b.etag });
  assert.equal(bad.status, 200);
  const warnings = [];
  page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  await until(() => warnings.some((w) => w.includes("settings refused")), "the refusal reported");
  await clickLauncher(page, "four");
  assert.deepEqual(bodies("pub-b"), ['{"item.name":"three"}', '{"item.name":"four"}']);
  assert.deepEqual(bodies("pub-bad"), []);
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem("wmwh2-settings:/settings/walkme-webhooks.json")).etag), b.etag);

  // The file fails (an outage): the last good settings run.
  server.settings.fail = 503;
  try {
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    await clickLauncher(page, "five");
    assert.deepEqual(bodies("pub-b").at(-1), '{"item.name":"five"}');
  } finally {
    server.settings.fail = 0;
  }
  // Only the refused document and the outage were reported on the console.
  assert.deepEqual(errors.filter((e) => !/503|Service Unavailable/.test(e)), []);
  await context.close();
});

test("Publish in the editor writes the settings file; a second editor that loaded before is refused with a clear message", async () => {
  const start = await fetch(server.url + FILE);
  const etag = start.status === 200 ? start.headers.get("ETag") : null;
  const context = await browser.newContext();
  const one = await context.newPage();
  const two = await context.newPage();
  for (const p of [one, two]) {
    await p.goto(server.url + "editor.html#publish");
    await p.waitForSelector("#main[data-ready=true]");
  }
  const stats = { ...server.settings.stats };
  await one.getByRole("button", { name: /publish settings/i }).first().click();
  await until(() => server.settings.stats.puts === stats.puts + 1, "the first publish");
  const after = await fetch(server.url + FILE);
  assert.equal(after.status, 200);
  assert.notEqual(after.headers.get("ETag"), etag);
  const published = await after.json();
  assert.equal(published.version, 1);
  // The second editor loaded the file before that publish: refused.
  await two.getByRole("button", { name: /publish settings/i }).first().click();
  await until(() => server.settings.stats.conflicts === stats.conflicts + 1, "the second publish refused");
  const toast = two.locator(".toast").filter({ hasText: /someone else published/ });
  await toast.first().waitFor();
  assert.deepEqual(await (await fetch(server.url + FILE)).json(), published, "the first publish stands");
  await context.close();
});
