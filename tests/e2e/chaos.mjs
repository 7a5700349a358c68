// The chaos run: a loopback receiver that answers ~30% of requests with 500,
// 503, 429 + Retry-After, a hang past the timeout or a dropped connection;
// events sent from two tabs, one of which reloads in the middle; five
// webhooks over three destinations (three ports). Used by chaos.test.mjs
// (short, in `npm test`) and scripts/chaos.mjs (`npm run chaos`, longer).
//
// What "pass" means:
// - lost = 0: every (event, webhook) pair reached its destination with a 2xx answer;
// - unexplained duplicates = 0: a delivery reached the receiver more than once
//   only as a retry of an attempt whose answer was lost. Checked from both
//   ends: the receiver never got more copies of a delivery than the module
//   made attempts for it, no attempt number was ever used twice for one
//   delivery (two tabs, or a resend after a reload that forgot an attempt),
//   and no delivery was reported delivered twice;
// - no uncaught error (or console error) in any page.
import { launch, serve } from "./helpers.mjs";

export const WEBHOOKS = 5;
export const DESTINATIONS = 3;

export function chaosConfig(ports, faultRate) {
  const dest = (i) => ({
    id: "d" + i,
    platform: "Custom",
    url: `http://127.0.0.1:${ports[i - 1]}/hook/chaos-d${i}?chaos=${faultRate}&hangMs=1500`,
    timeoutMs: 1000,
    maxAttempts: 25,
    idempotencyHeader: true,
    headers: [{ name: "X-Run", value: "chaos" }],
  });
  return {
    settings: {
      version: 1,
      destinations: [dest(1), dest(2), dest(3)],
      webhooks: [
        { id: "w1", event: "survey.submitted", destination: "d1", properties: [{ name: "n" }, { name: "answer.value", as: "score" }], static: [{ name: "app_id", value: "chaos" }] },
        { id: "w2", event: "survey.submitted", destination: "d1" },
        { id: "w3", event: "survey.submitted", destination: "d2", properties: ["n", "survey.name"] },
        { id: "w4", event: "survey.submitted", destination: "d2", conditions: [{ property: "n", operator: "gte", value: 0 }], properties: ["n"] },
        { id: "w5", event: "survey.submitted", destination: "d3", properties: ["n", "event.id"] },
      ],
    },
    options: { debug: true, playerEvents: false, backoff: { baseMs: 100, maxMs: 2000 } },
  };
}

// `rate`: events per second from both tabs together. A user does not make
// hundreds of WalkMe events a second; the rate keeps the backlog under the
// queue bound (2,000 deliveries per page), which is tested natively.
export async function runChaos({ events = 1000, faultRate = 0.3, reloads = 1, rate = 25, timeoutMs = 300_000, log = () => {} } = {}) {
  const server = await serve({ receiverPorts: [0, 0, 0] });
  const browser = await launch();
  const t0 = Date.now();
  const sends = new Map(); // key -> [attempt numbers]
  const sendLog = new Map(); // key -> [{ at, attempt, by, keepalive }], for the examples
  const loads = new Map(); // tab -> page loads
  const delivered = new Map(); // key -> delivered reports
  const errors = [];
  const stats = [];
  try {
    const context = await browser.newContext();
    const config = chaosConfig(server.receiverPorts, faultRate);
    const expected = new Set();

    const openTab = async (name) => {
      const page = await context.newPage();
      page.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
      page.on("load", () => loads.set(name, (loads.get(name) || 0) + 1));
      page.on("console", (m) => {
        const text = m.text();
        const s = /^\[walkme-webhooks\] send (\S+) #(\d+) /.exec(text);
        if (s) {
          if (!sends.has(s[1])) sends.set(s[1], []);
          sends.get(s[1]).push(Number(s[2]));
          if (!sendLog.has(s[1])) sendLog.set(s[1], []);
          sendLog.get(s[1]).push({ at: Date.now() - t0, attempt: Number(s[2]), by: `${name}/${loads.get(name) || 0}`, keepalive: text.endsWith("(keepalive)") });
        } else if (m.type() === "error" && !text.startsWith("Failed to load resource")) {
          // (The browser logs every failed request as "Failed to load resource";
          // those are the injected faults, not errors of the page.)
          errors.push(`${name} console: ${text}`);
        }
      });
      await page.exposeFunction("labReport", (json) => {
        const r = JSON.parse(json);
        if (r.outcome === "delivered") delivered.set(r.key, (delivered.get(r.key) || 0) + 1);
      });
      await page.goto(server.url + "test/lab.html");
      await page.evaluate((c) => window.lab.start(c), config);
      return page;
    };

    // Emits [from, to) from a tab in small batches, spread over time (each
    // tab emits at its share of `rate`).
    const emit = async (page, prefix, from, to, share) => {
      const batch = 5;
      for (let i = from; i < to; i += batch) {
        const end = Math.min(i + batch, to);
        const started = Date.now();
        await page.evaluate(([p, a, b]) => window.lab.emitRange("survey.submitted", p, a, b, { "survey.name": "NPS", "answer.value": 7 }), [prefix, i, end]);
        for (let k = i; k < end; k++) for (let w = 1; w <= WEBHOOKS; w++) expected.add(`${prefix}-${String(k).padStart(5, "0")}:w${w}`);
        const wait = (batch / (rate * share)) * 1000 - (Date.now() - started);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    };

    const a = await openTab("tab A");
    const b = await openTab("tab B");
    const aEvents = Math.ceil(events * 0.6);
    const bEvents = events - aEvents;
    const parts = reloads + 1;
    const tabB = emit(b, "B", 0, bEvents, bEvents / events);
    for (let part = 0; part < parts; part++) {
      const from = Math.floor((aEvents * part) / parts);
      const to = Math.floor((aEvents * (part + 1)) / parts);
      await emit(a, "A", from, to, aEvents / events);
      if (part < reloads) {
        log(`chaos: reloading tab A after ${to} of its events, with deliveries in flight`);
        await a.reload();
        await a.waitForSelector("body[data-started=true]");
      }
    }
    await tabB;
    log(`chaos: ${events} events emitted from 2 tabs; waiting for the receiver`);

    const okKeys = () => {
      const ok = new Map();
      for (const r of server.receiver.requests) {
        const key = r.headers["idempotency-key"];
        if (!key || !r.path.startsWith("/hook/chaos-")) continue;
        if (r.status === 200) ok.set(key, (ok.get(key) || 0) + 1);
      }
      return ok;
    };
    while (Date.now() - t0 < timeoutMs) {
      const ok = okKeys();
      let missing = 0;
      for (const k of expected) if (!ok.has(k)) missing++;
      if (missing === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const seconds = (Date.now() - t0) / 1000;
    // Let stragglers (late retries, duplicates) arrive before counting.
    await new Promise((r) => setTimeout(r, 2500));
    for (const page of [a, b]) stats.push(await page.evaluate(() => window.lab.stats()));

    const ok = okKeys();
    const received = new Map();
    const droppedBy = new Map();
    for (const r of server.receiver.requests) {
      const key = r.headers["idempotency-key"];
      if (!key || !r.path.startsWith("/hook/chaos-")) continue;
      received.set(key, (received.get(key) || 0) + 1);
      // Answers that were lost (a dropped connection, or one that closed
      // before the answer left) may be retried by the browser itself, once,
      // with the same attempt. A hang counts only when the receiver closed
      // it before the client gave up (a keepalive request sent while a page
      // went away outlives the page's timeout).
      if (r.status === "dropped" || r.hangDropped || (r.answerLost && r.status !== "hang")) droppedBy.set(key, (droppedBy.get(key) || 0) + 1);
    }
    let lost = 0;
    let duplicates = 0;
    let moreThanSent = 0;
    const examples = [];
    let reusedAttempt = 0;
    let deliveredTwice = 0;
    for (const k of expected) {
      if (!ok.has(k)) lost++;
      else duplicates += ok.get(k) - 1;
      // Attempt numbers run 1, 2, 3... per delivery, across pages (a stored
      // record counts the attempt in flight), so the highest one logged is the
      // number of attempts made, even when a page that went away could not
      // log its last sends.
      const attempts = sends.get(k) || [];
      if ((received.get(k) || 0) > Math.max(0, ...attempts) + (droppedBy.get(k) || 0)) {
        moreThanSent++;
        if (examples.length < 5) {
          const rs = server.receiver.requests.filter((r) => r.headers["idempotency-key"] === k);
          examples.push({ key: k, attempts, sends: sendLog.get(k) || [], received: rs.map((r) => ({ at: r.at - t0, status: r.status, lost: !!r.answerLost, hangDropped: !!r.hangDropped, path: r.path })) });
        }
      }
      if (new Set(attempts).size !== attempts.length) reusedAttempt++;
      if ((delivered.get(k) || 0) > 1) deliveredTwice++;
    }
    const unexpected = [...ok.keys()].filter((k) => !expected.has(k)).length;
    const f = server.receiver.faults;
    return {
      events,
      webhooks: WEBHOOKS,
      destinations: DESTINATIONS,
      tabs: 2,
      reloads,
      deliveries: expected.size,
      requests: [...received.values()].reduce((x, y) => x + y, 0),
      faults: { total: f.total, http500: f.status500, http503: f.status503, http429: f.status429, hang: f.hang, dropped: f.drop },
      delivered: expected.size - lost,
      lost,
      duplicates,
      unexplainedDuplicates: moreThanSent + reusedAttempt + deliveredTwice + unexpected,
      detail: { moreThanSent, reusedAttempt, deliveredTwice, unexpected, examples },
      resumed: stats.reduce((x, s) => x + (s?.resumed || 0), 0),
      queuedAtEnd: stats.reduce((x, s) => x + (s?.queued || 0), 0),
      pageErrors: errors,
      tabStats: stats,
      seconds: Math.round(seconds * 10) / 10,
    };
  } finally {
    await browser.close();
    server.close();
  }
}
