// Slack, Google Chat, Teams Workflows, Discord stand-ins.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, post, preflight, preflightAllows, requests, reset, form, ORIGIN } from "./helpers.test-util.mjs";

let all;
let u;
before(async () => {
  all = await start(["slack", "googlechat", "teams", "discord"]);
  u = all.urls;
});
after(() => all.close());

const SLACK = "/services/T0001/B0001/abcDEF123";

test("slack: JSON body answers 200 ok as text", async () => {
  const r = await post(u.slack + SLACK, JSON.stringify({ text: "hi" }), { type: "application/json" });
  assert.equal(r.status, 200);
  assert.equal(r.text, "ok");
  assert.equal(r.headers.get("access-control-allow-origin"), "*");
});

test("slack: the form-encoded payload= parameter is accepted (a simple request)", async () => {
  await reset(u.slack);
  const body = form({ payload: { text: "a & b" } });
  const r = await post(u.slack + SLACK, body, { type: "application/x-www-form-urlencoded" });
  assert.equal(r.status, 200);
  assert.equal(r.text, "ok");
  const [rec] = await requests(u.slack);
  assert.equal(rec.body, body, "raw body kept byte for byte");
  assert.equal(rec.contentType, "application/x-www-form-urlencoded");
  assert.deepEqual(rec.check.message, { text: "a & b" });
});

test("slack: a preflight for application/json is answered without Allow-Headers, so a browser refuses it", async () => {
  const pre = await preflight(u.slack + SLACK);
  assert.equal(pre.headers.get("access-control-allow-origin"), "*");
  assert.equal(pre.headers.get("access-control-allow-headers"), null);
  assert.equal(preflightAllows(pre), false);
});

test("slack: documented errors", async () => {
  assert.deepEqual(await post(u.slack + SLACK, "{nope", { type: "application/json" }).then((r) => [r.status, r.text]), [400, "invalid_payload"]);
  assert.deepEqual(await post(u.slack + SLACK, "{}", { type: "application/json" }).then((r) => [r.status, r.text]), [400, "no_text"]);
  assert.deepEqual(await post(u.slack + "/services/T1/B1/ARCHIVED", '{"text":"x"}', { type: "application/json" }).then((r) => [r.status, r.text]), [410, "channel_is_archived"]);
  assert.deepEqual(await post(u.slack + "/services/T1/B1/PROHIBITED", '{"text":"x"}', { type: "application/json" }).then((r) => [r.status, r.text]), [403, "action_prohibited"]);
  assert.deepEqual(await post(u.slack + "/hooks/nothing", '{"text":"x"}', { type: "application/json" }).then((r) => [r.status, r.text]), [404, "no_service"]);
});

test("slack: about one message per second per webhook, with a short burst, then 429 + Retry-After", async () => {
  await reset(u.slack);
  const url = u.slack + "/services/T9/B9/burst";
  const statuses = [];
  let retryAfter = null;
  for (let i = 0; i < 8; i++) {
    const r = await post(url, JSON.stringify({ text: `n${i}` }), { type: "application/json" });
    statuses.push(r.status);
    if (r.status === 429) retryAfter = r.headers.get("retry-after");
  }
  assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
  assert.ok(statuses.slice(5).every((s) => s === 429), statuses.join());
  assert.equal(retryAfter, "1");
  await fetch(`${u.slack}/__config`, { method: "POST", body: JSON.stringify({ rateLimits: false }) });
  assert.equal((await post(url, '{"text":"x"}', { type: "application/json" })).status, 200);
  await fetch(`${u.slack}/__config`, { method: "POST", body: JSON.stringify({ rateLimits: true }) });
});

const CHAT = "/v1/spaces/AAAA1234/messages?key=k-abc&token=t-xyz";

test("google chat: JSON message answers the created Message; CORS is answered", async () => {
  await reset(u.googlechat);
  const pre = await preflight(u.googlechat + CHAT);
  assert.ok(preflightAllows(pre));
  const r = await post(u.googlechat + CHAT, JSON.stringify({ text: "hello" }), { type: "application/json; charset=UTF-8" });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("access-control-allow-origin"), ORIGIN);
  const m = JSON.parse(r.text);
  assert.equal(m.text, "hello");
  assert.match(m.name, /^spaces\/AAAA1234\/messages\//);
});

test("google chat: no token, empty message, wrong type, 60 writes per 60 s per space", async () => {
  await reset(u.googlechat);
  assert.equal((await post(u.googlechat + "/v1/spaces/S/messages?key=k", '{"text":"x"}', { type: "application/json" })).status, 401);
  assert.equal((await post(u.googlechat + CHAT, "{}", { type: "application/json" })).status, 400);
  assert.equal((await post(u.googlechat + CHAT, "text=x", { type: "application/x-www-form-urlencoded" })).status, 400);
  await reset(u.googlechat);
  for (let i = 0; i < 60; i++) assert.equal((await post(u.googlechat + CHAT, `{"text":"${i}"}`, { type: "application/json" })).status, 200, `write ${i}`);
  const b = await post(u.googlechat + CHAT, '{"text":"61"}', { type: "application/json" });
  assert.equal(b.status, 429);
  // Another space has its own quota.
  assert.equal((await post(u.googlechat + CHAT.replace("AAAA1234", "BBBB5678"), '{"text":"x"}', { type: "application/json" })).status, 200);
  assert.equal(JSON.parse(b.text).error.status, "RESOURCE_EXHAUSTED");
});

const TEAMS = "/workflows/abc123/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SIG";
const CARD = {
  type: "message",
  attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: { type: "AdaptiveCard", version: "1.4", body: [{ type: "TextBlock", text: "hi" }] } }],
};

test("teams workflows: 202 for an Adaptive Card; no CORS on the preflight", async () => {
  await reset(u.teams);
  const pre = await preflight(u.teams + TEAMS);
  assert.equal(preflightAllows(pre), false);
  const r = await post(u.teams + TEAMS, JSON.stringify(CARD), { type: "application/json" });
  assert.equal(r.status, 202);
  assert.equal(r.headers.get("access-control-allow-origin"), null);
  const recs = await requests(u.teams);
  assert.equal(recs.at(-1).check.flow, "succeeded");
});

test("teams workflows: a text/plain body is accepted (202) but the flow fails; no sig is 401", async () => {
  await reset(u.teams);
  const r = await post(u.teams + TEAMS, JSON.stringify(CARD), { type: "text/plain;charset=UTF-8" });
  assert.equal(r.status, 202);
  assert.match((await requests(u.teams)).at(-1).check.flow, /^failed/);
  assert.equal((await post(u.teams + "/workflows/abc/triggers/manual/paths/invoke?api-version=1", "{}", { type: "application/json" })).status, 401);
});

test("discord: JSON and form bodies, 204, empty message refused, no CORS", async () => {
  const url = u.discord + "/api/webhooks/123456/tok-EN_1";
  const r = await post(url, JSON.stringify({ content: "hi" }), { type: "application/json" });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get("access-control-allow-origin"), null);
  assert.equal((await post(url, "content=hi", { type: "application/x-www-form-urlencoded" })).status, 204);
  const e = await post(url, "{}", { type: "application/json" });
  assert.equal(e.status, 400);
  assert.equal(JSON.parse(e.text).code, 50006);
});
