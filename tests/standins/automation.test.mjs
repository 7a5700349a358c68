// Zapier, n8n, Make and Heap stand-ins.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, post, preflight, preflightAllows, requests, reset, form, ORIGIN } from "./helpers.test-util.mjs";

let all;
let u;
before(async () => {
  all = await start(["zapier", "n8n", "make", "heap"]);
  u = all.urls;
});
after(() => all.close());

test("zapier: form and JSON bodies answer the documented success JSON; no CORS anywhere", async () => {
  await reset(u.zapier);
  const url = `${u.zapier}/hooks/catch/123456/abcdef/`;
  const body = form({ event: "Survey Submitted", properties: { score: 4 } });
  const r = await post(url, body, { type: "application/x-www-form-urlencoded" });
  assert.equal(r.status, 200);
  const b = JSON.parse(r.text);
  assert.equal(b.status, "success");
  assert.ok(b.request_id && b.attempt && b.id);
  assert.equal(r.headers.get("access-control-allow-origin"), null);
  assert.equal(preflightAllows(await preflight(url)), false);
  const [rec] = await requests(u.zapier);
  assert.equal(rec.body, body);
  assert.deepEqual(rec.check.fields, { event: "Survey Submitted", properties: '{"score":4}' });
  assert.equal((await post(url, '{"a":1}', { type: "application/json" })).status, 200);
  assert.equal((await post(`${u.zapier}/hooks/other`, "x", { type: "text/plain" })).status, 404);
});

test("n8n: preflight allowed (Allowed Origins *), JSON answers 'Workflow was started'; unregistered paths 404", async () => {
  const url = `${u.n8n}/webhook/walkme`;
  assert.ok(preflightAllows(await preflight(url)));
  const r = await post(url, JSON.stringify({ a: 1 }), { type: "application/json" });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.text), { message: "Workflow was started" });
  assert.equal(r.headers.get("access-control-allow-origin"), "*");
  const nr = await post(`${u.n8n}/webhook/unregistered-x`, "{}", { type: "application/json" });
  assert.equal(nr.status, 404);
  assert.match(JSON.parse(nr.text).message, /not registered/);
  assert.equal((await post(`${u.n8n}/webhook-test/walkme`, "{}", { type: "application/json" })).status, 404);
  assert.equal((await post(`${u.n8n}/webhook-test/listening/walkme`, "{}", { type: "application/json" })).status, 200);
});

test("make: answers 200 Accepted, 410 for a deleted hook, no CORS", async () => {
  const url = `${u.make}/abcdefghijklmnopqrstuvwx12345678`;
  const r = await post(url, form({ event: "x" }), { type: "application/x-www-form-urlencoded" });
  assert.deepEqual([r.status, r.text], [200, "Accepted"]);
  assert.equal(r.headers.get("access-control-allow-origin"), null);
  assert.equal(preflightAllows(await preflight(url)), false);
  assert.equal((await post(`${u.make}/gone0000000000000000000000`, "{}", { type: "application/json" })).status, 410);
});

test("heap: JSON track answers 200; required fields; 30 per 30 s per identity; no CORS", async () => {
  await reset(u.heap);
  const ev = { app_id: "12345", identity: "u-42", event: "Survey Submitted", properties: { score: 4 } };
  const r = await post(`${u.heap}/api/track`, JSON.stringify(ev), { type: "application/json" });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("access-control-allow-origin"), null);
  assert.equal(preflightAllows(await preflight(`${u.heap}/api/track`)), false);
  assert.equal((await post(`${u.heap}/api/track`, JSON.stringify({ app_id: "1", event: "x" }), { type: "application/json" })).status, 400);
  assert.equal((await post(`${u.heap}/api/track`, JSON.stringify(ev), { type: "text/plain" })).status, 400);
  await reset(u.heap);
  let last;
  for (let i = 0; i < 31; i++) last = await post(`${u.heap}/api/track`, JSON.stringify(ev), { type: "application/json" });
  assert.equal(last.status, 429);
});

test("zapier: any catch URL answers success (even with no Zap behind it); Silent Mode answers an empty body", async () => {
  const r = await post(`${u.zapier}/hooks/catch/999/nozap/`, "a=1", { type: "application/x-www-form-urlencoded" });
  assert.equal(JSON.parse(r.text).status, "success");
  const s = await post(`${u.zapier}/hooks/catch/999/nozap/silent/`, "a=1", { type: "application/x-www-form-urlencoded" });
  assert.deepEqual([s.status, s.text], [200, ""]);
});
