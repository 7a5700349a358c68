// Mixpanel, Amplitude, PostHog, Segment, GA4 stand-ins.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { start, post, preflight, preflightAllows, requests, reset, form, ORIGIN } from "./helpers.test-util.mjs";

let all;
let u;
before(async () => {
  all = await start(["mixpanel", "amplitude", "posthog", "segment", "ga4"]);
  u = all.urls;
});
after(() => all.close());

const now = () => Date.now();
const mpEvent = (extra = {}) => ({ event: "Survey Submitted", properties: { token: "tok123", distinct_id: "u-42", time: now(), $insert_id: "e-1", ...extra } });

test("mixpanel: the SDK's form body data=<JSON> answers {status:1} with verbose=1, mirroring the origin", async () => {
  await reset(u.mixpanel);
  const body = form({ data: mpEvent() });
  const r = await post(`${u.mixpanel}/track/?ip=1&verbose=1&_=123`, body, { type: "application/x-www-form-urlencoded" });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.text), { status: 1, error: null });
  assert.equal(r.headers.get("access-control-allow-origin"), ORIGIN);
  assert.equal(r.headers.get("access-control-allow-credentials"), "true");
  const [rec] = await requests(u.mixpanel);
  assert.equal(rec.body, body);
  assert.deepEqual(rec.query, { ip: "1", verbose: "1", _: "123" });
});

test("mixpanel: base64 data, arrays, plain 1/0 answers, and refusals", async () => {
  const b64 = Buffer.from(JSON.stringify([mpEvent(), mpEvent()])).toString("base64");
  assert.equal((await post(`${u.mixpanel}/track`, form({ data: b64 }), { type: "application/x-www-form-urlencoded" })).text, "1");
  // no token → 0 (verbose: the reason)
  const noTok = await post(`${u.mixpanel}/track?verbose=1`, form({ data: { event: "x", properties: { distinct_id: "a" } } }), { type: "application/x-www-form-urlencoded" });
  assert.equal(JSON.parse(noTok.text).status, 0);
  assert.match(JSON.parse(noTok.text).error, /token/);
  // older than 5 days → 0
  const old = await post(`${u.mixpanel}/track`, form({ data: mpEvent({ time: Math.floor(now() / 1000) - 6 * 86400 }) }), { type: "application/x-www-form-urlencoded" });
  assert.equal(old.text, "0");
  // text/plain is not a /track body
  assert.equal((await post(`${u.mixpanel}/track`, JSON.stringify(mpEvent()), { type: "text/plain" })).text, "0");
});

const ampBody = (events, extra = {}) => JSON.stringify({ api_key: "key123", events, options: { min_id_length: 1 }, ...extra });
const ampEvent = (i = 0) => ({ event_type: "Survey Submitted", device_id: "device-abc", user_id: "u-42", time: now(), insert_id: `i-${i}` });

test("amplitude: JSON answers code 200 with events_ingested; preflight allowed for any origin", async () => {
  await reset(u.amplitude);
  assert.ok(preflightAllows(await preflight(`${u.amplitude}/2/httpapi`)));
  const r = await post(`${u.amplitude}/2/httpapi`, ampBody([ampEvent()]), { type: "application/json" });
  assert.equal(r.status, 200);
  const b = JSON.parse(r.text);
  assert.equal(b.code, 200);
  assert.equal(b.events_ingested, 1);
  assert.equal(r.headers.get("access-control-allow-origin"), "*");
});

test("amplitude: refusals (content type, api_key, id length, size) and 30 events/s per device", async () => {
  await reset(u.amplitude);
  assert.equal((await post(`${u.amplitude}/2/httpapi`, ampBody([ampEvent()]), { type: "text/plain" })).status, 400);
  const noKey = await post(`${u.amplitude}/2/httpapi`, JSON.stringify({ events: [ampEvent()] }), { type: "application/json" });
  assert.equal(noKey.status, 400);
  assert.equal(JSON.parse(noKey.text).missing_field, "api_key");
  const short = await post(`${u.amplitude}/2/httpapi`, JSON.stringify({ api_key: "k", events: [{ event_type: "x", user_id: "u-1" }] }), { type: "application/json" });
  assert.equal(short.status, 400);
  assert.deepEqual(JSON.parse(short.text).events_with_invalid_id_lengths, { user_id: [0] });
  const many = Array.from({ length: 2001 }, (_, i) => ampEvent(i));
  assert.equal((await post(`${u.amplitude}/2/httpapi`, ampBody(many), { type: "application/json" })).status, 413);
  await reset(u.amplitude);
  const thirty = Array.from({ length: 30 }, (_, i) => ampEvent(i));
  assert.equal((await post(`${u.amplitude}/2/httpapi`, ampBody(thirty), { type: "application/json" })).status, 200);
  const over = await post(`${u.amplitude}/2/httpapi`, ampBody([ampEvent(99)]), { type: "application/json" });
  assert.equal(over.status, 429);
  assert.equal(JSON.parse(over.text).eps_threshold, 30);
  // the batch API takes 1000 events/s per device
  assert.equal((await post(`${u.amplitude}/batch`, ampBody(thirty), { type: "application/json" })).status, 200);
});

const phEvent = { api_key: "phc_abc123", event: "survey submitted", distinct_id: "u-42", properties: { score: 4 }, timestamp: new Date().toISOString() };

test("posthog: JSON as text/plain (a simple request) answers {status:1}; CORS mirrors origin and headers", async () => {
  await reset(u.posthog);
  const pre = await preflight(`${u.posthog}/i/v0/e/`, { headers: "content-type,x-custom" });
  assert.ok(preflightAllows(pre, "x-custom"));
  const r = await post(`${u.posthog}/i/v0/e/`, JSON.stringify(phEvent), { type: "text/plain;charset=UTF-8" });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.text), { status: 1 });
  assert.equal(r.headers.get("access-control-allow-origin"), ORIGIN);
});

test("posthog: form data=, gzip, /batch/, and the key and distinct_id checks", async () => {
  assert.equal((await post(`${u.posthog}/e/`, form({ data: phEvent }), { type: "application/x-www-form-urlencoded" })).status, 200);
  const gz = zlib.gzipSync(JSON.stringify(phEvent));
  const res = await fetch(`${u.posthog}/e/?compression=gzip-js`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: gz });
  assert.equal(res.status, 200);
  const batch = { api_key: "phc_abc123", batch: [{ event: "a", distinct_id: "u" }, { event: "b", distinct_id: "u" }] };
  assert.equal((await post(`${u.posthog}/batch/`, JSON.stringify(batch), { type: "application/json" })).status, 200);
  const noKey = await post(`${u.posthog}/capture/`, JSON.stringify({ event: "a", distinct_id: "u" }), { type: "application/json" });
  assert.deepEqual([noKey.status, noKey.text], [401, "event submitted without an api_key"]);
  const noId = await post(`${u.posthog}/capture/`, JSON.stringify({ api_key: "phc_x", event: "a" }), { type: "application/json" });
  assert.deepEqual([noId.status, noId.text], [400, "event submitted without a distinct_id"]);
  const big = "x".repeat(2 * 1024 * 1024 + 10);
  assert.equal((await post(`${u.posthog}/i/v0/e/`, big, { type: "text/plain" })).status, 413);
});

const segTrack = { writeKey: "wk123", type: "track", event: "Survey Submitted", userId: "u-42", anonymousId: "anon-1", properties: { score: 4 }, messageId: "m-1", timestamp: new Date().toISOString() };

test("segment: text/plain JSON with the writeKey in the body (the browser SDK's form) answers 200", async () => {
  await reset(u.segment);
  const r = await post(`${u.segment}/v1/track`, JSON.stringify(segTrack), { type: "text/plain" });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.text), { success: true });
  const [rec] = await requests(u.segment);
  assert.equal(rec.check.writeKey, "wk123");
  // Basic auth (the writeKey as user name) works too and needs a preflight, which is answered.
  assert.ok(preflightAllows(await preflight(`${u.segment}/v1/t`, { headers: "authorization,content-type" }), "authorization"));
  const { writeKey, ...noKey } = segTrack;
  const basic = await post(`${u.segment}/v1/t`, JSON.stringify(noKey), { type: "application/json", headers: { Authorization: `Basic ${Buffer.from("wk123:").toString("base64")}` } });
  assert.equal(basic.status, 200);
  assert.equal((await requests(u.segment)).at(-1).check.writeKey, "wk123");
});

test("segment: 32KB per call, 500KB per batch, JSON errors and no_user_anon_id answer 400", async () => {
  const big = { ...segTrack, properties: { blob: "x".repeat(33 * 1024) } };
  assert.equal((await post(`${u.segment}/v1/track`, JSON.stringify(big), { type: "application/json" })).status, 400);
  const batch = { writeKey: "wk", batch: Array.from({ length: 20 }, () => ({ ...segTrack, properties: { blob: "y".repeat(30 * 1024) } })) };
  assert.equal((await post(`${u.segment}/v1/batch`, JSON.stringify(batch), { type: "application/json" })).status, 400);
  assert.equal((await post(`${u.segment}/v1/track`, "{not json", { type: "application/json" })).status, 400);
  const anon = await post(`${u.segment}/v1/track`, JSON.stringify({ writeKey: "wk", event: "x" }), { type: "application/json" });
  assert.deepEqual([anon.status, JSON.parse(anon.text).error], [400, "no_user_anon_id"]);
  const ok = { writeKey: "wk", batch: [segTrack, { ...segTrack, messageId: "m-2" }] };
  assert.equal((await post(`${u.segment}/v1/b`, JSON.stringify(ok), { type: "text/plain" })).status, 200);
});

const MP = "/mp/collect?measurement_id=G-TEST123&api_secret=sec";
const ga = (events, extra = {}) => JSON.stringify({ client_id: "123.456", events, ...extra });
const codes = (r) => JSON.parse(r.text).validationMessages.map((m) => m.validationCode);

test("ga4: /mp/collect answers 204 whatever it gets and sends no CORS; the check is recorded", async () => {
  await reset(u.ga4);
  const good = await post(u.ga4 + MP, ga([{ name: "survey_submitted", params: { score: 4, session_id: "s1", engagement_time_msec: 1 } }]), { type: "text/plain;charset=UTF-8" });
  assert.equal(good.status, 204);
  assert.equal(good.headers.get("access-control-allow-origin"), null);
  const bad = await post(u.ga4 + MP, ga([{ name: "survey.submitted" }]));
  assert.equal(bad.status, 204);
  const recs = await requests(u.ga4);
  assert.deepEqual(recs[0].check.validationMessages, []);
  assert.equal(recs[1].check.validationMessages[0].validationCode, "NAME_INVALID");
  assert.equal((await preflight(u.ga4 + MP)).headers.get("access-control-allow-origin"), null);
});

test("ga4: /debug/mp/collect answers validationMessages for the documented rules", async () => {
  const D = "/debug" + MP;
  const ok = await post(u.ga4 + D, ga([{ name: "walkme_event", params: { a: "x" } }]));
  assert.deepEqual(JSON.parse(ok.text), { validationMessages: [] });
  const first = await post(u.ga4 + D, ga([{ name: "_badEventName", params: {} }]));
  assert.equal(JSON.parse(first.text).validationMessages[0].description, "Event at index: [0] has invalid name [_badEventName]. Names must start with an alphabetic character.");
  assert.ok(codes(await post(u.ga4 + D, ga([{ name: "session_start" }]))).includes("NAME_RESERVED"));
  assert.ok(codes(await post(u.ga4 + D, ga([{ name: "x".repeat(41) }]))).includes("VALUE_OUT_OF_BOUNDS"));
  const params = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`p${i}`, i]));
  assert.ok(codes(await post(u.ga4 + D, ga([{ name: "e", params }]))).includes("EXCEEDED_MAX_ENTITIES"));
  assert.ok(codes(await post(u.ga4 + D, ga([{ name: "e", params: { v: "y".repeat(101) } }]))).includes("VALUE_OUT_OF_BOUNDS"));
  assert.ok(codes(await post(u.ga4 + D, ga([{ name: "e", params: { "page.url": "x" } }]))).includes("NAME_INVALID"));
  assert.ok(codes(await post(u.ga4 + D, ga([{ name: "e", params: { ga_thing: "x" } }]))).includes("NAME_RESERVED"));
  assert.ok(codes(await post(u.ga4 + D, ga(Array.from({ length: 26 }, () => ({ name: "e" }))))).includes("EXCEEDED_MAX_ENTITIES"));
  assert.ok(codes(await post(u.ga4 + D, JSON.stringify({ events: [{ name: "e" }] }))).includes("VALUE_REQUIRED"));
  assert.ok(codes(await post(u.ga4 + D, ga([{ name: "e" }], { user_properties: { first_open_time: { value: 1 } } }))).includes("NAME_RESERVED"));
  assert.ok(codes(await post(u.ga4 + D, ga([{ name: "e" }], { timestamp_micros: (Date.now() - 80 * 3600 * 1000) * 1000 }))).includes("VALUE_OUT_OF_BOUNDS"));
});
