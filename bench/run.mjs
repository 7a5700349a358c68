// npm run bench: walkme-webhooks against Segment analytics-next and a bare
// fetch() per event, in one headless Chromium, with one page server (gzip
// responses) and one loopback receiver: what a visitor's page downloads and
// how soon from navigation start it can take events (desktop and mobile
// profiles), then the same events for all three; three rounds, medians.
// Prints the table and writes it to BENCHMARKS.md, with the section on what
// each package costs, from bench/packages.json (node bench/packages.mjs).
//
//   node bench/run.mjs [--rounds 3] [--no-write]
//
// One Node process: the dev server (www/server.mjs, which hosts the receiver,
// /hook/<bucket>) on a free port, the bench page server (bench/server.mjs,
// another port, so every destination is cross-origin as in real life) and
// Debian's Chromium through playwright-core (tests/e2e/helpers.mjs).
// Every measurement runs in a fresh browser context and page.
import { readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import os from "node:os";
import { launch, serve } from "../tests/e2e/helpers.mjs";
import { startBenchServer, root } from "./server.mjs";
import { downloadSize } from "../scripts/package.mjs";
import { packagesSectionOfFile } from "./packages-report.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf("--" + name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ROUNDS = Number(arg("rounds", 3));
const WRITE = !process.argv.includes("--no-write");
const EVENTS = 1000; // events per delivery run
const HEAP_EVENTS = 100_000; // events before the heap is read
const SEGMENT_HEAP_EVENTS = 10_000; // the same for Segment: 100,000 take it minutes (see the notes)
const STEADY_BATCHES = 4; // further batches of EVENTS calls, for emit() in a page that has run a while
const WAIT_MS = 60_000; // longest wait for the receiver to have a run's events
const SETTLE_MS = 250; // idle time after the last answer, inside the task-time window

const READY_LOADS = 3; // cold page loads per subject, profile and round for "ready from navigation start"
// Issue targets, in bytes (1 KB = 1,024 B).
const SEGMENT_BYTES = 30_012; // analytics-next 1.84.3, gzipped: the size to beat
const AIM_BYTES = 20 * 1024;
const CAPTURE_BYTES = 32 * 1024;

// Page-load profiles for "ready from navigation start". Mobile: CDP network
// emulation (latency added to every request, throughput caps) and 4× CPU.
const PROFILES = {
  desktop: { label: "desktop (no throttling)" },
  mobile: {
    label: "mobile (4× CPU, 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up)",
    network: { offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 93_750 },
    cpu: 4,
  },
};
// What loads, from navigation start: our runtime with default options and
// with autoCapture, and analytics-next.
const READY_SUBJECTS = ["ours", "oursCapture", "segment"];
const READY_NAMES = { ours: "walkme-webhooks", oursCapture: "walkme-webhooks, autoCapture", segment: "Segment analytics-next" };

const SUBJECTS = ["ours", "segment", "fetch"];
const NAMES = { ours: "walkme-webhooks", segment: "Segment analytics-next", fetch: "bare fetch()" };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const T0 = Date.now();
const log = (m) => console.log(process.env.BENCH_TIMES ? `[${((Date.now() - T0) / 1000).toFixed(1)} s] ${m}` : m);

// ---- what runs ---------------------------------------------------------------

const cleanups = [];
async function cleanup() {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch (_) {}
  }
}
let aborting = false;
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, async () => {
    if (aborting) return;
    aborting = true;
    console.error(`bench: ${sig}, closing the browser and the servers`);
    await cleanup();
    process.exit(130);
  });
}
// The whole run is bounded: it stops by itself.
const watchdog = setTimeout(async () => {
  console.error("bench: FAILED: still running after 30 minutes; giving up");
  await cleanup();
  process.exit(1);
}, 30 * 60_000);
watchdog.unref();

const dev = await serve();
cleanups.push(() => dev.close());
const receiver = dev.receiver;
const recvOrigin = dev.url.replace(/\/$/, "");
const recvHost = new URL(dev.url).host;
const benchServer = startBenchServer();
const origin = await benchServer.ready;
cleanups.push(() => benchServer.close());
const browser = await launch();
cleanups.push(() => browser.close());
const chromiumVersion = browser.version();

// ---- helpers ---------------------------------------------------------------

function mib(b) {
  return (b / 1048576).toFixed(2) + " MiB";
}
const fmtInt = (x) => Math.round(x).toLocaleString("en-US");
const fmtUs = (x) => (x < 100 ? x.toFixed(1) : fmtInt(x)) + " µs";
const fmtMs = (x) => x.toFixed(2) + " ms";
const fmtS = (x) => (x / 1000).toFixed(2) + " s";
const fmtB = (x) => fmtInt(x) + " B";
const fmtHeap = (after, before) => `${mib(after)} (+${mib(after - before)})`;


const offLoopback = new Set();

// A fresh browser context and page on bench/pages/<name>.html, with a CDP session.
// The page's errors (returned, filled as they come) and any request that
// leaves loopback (into offLoopback).
function watch(page) {
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (!/^(data|blob):$/.test(u.protocol) && !["127.0.0.1", "localhost", "[::1]"].includes(u.hostname)) offLoopback.add(r.url());
  });
  return problems;
}

async function openPage(name) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(`${origin}/bench/${name}.html`);
  await page.waitForFunction(() => window.bench && window.bench.ready, null, { timeout: 20_000 });
  const isolated = await page.evaluate(() => self.crossOriginIsolated);
  if (!isolated) throw new Error(`bench: ${name}.html is not cross-origin isolated (performance.now() would be coarse)`);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable", { timeDomain: "timeTicks" });
  return {
    page,
    cdp,
    check(label) {
      if (problems.length) throw new Error(`bench: ${label}: errors in the page:\n  ${problems.join("\n  ")}`);
      if (offLoopback.size) throw new Error(`bench: ${label}: a request left loopback: ${[...offLoopback].join(", ")}`);
    },
    close: () => context.close(),
  };
}

async function taskSeconds(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  const m = metrics.find((x) => x.name === "TaskDuration");
  if (!m) throw new Error("bench: the DevTools protocol reports no TaskDuration metric");
  return m.value;
}

// JS heap in use after a forced garbage collection.
async function heapAfterGc(cdp) {
  for (let i = 0; i < 3; i++) await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  return usedSize;
}

// Waits until the receiver has `n` distinct events in `bucket`; returns when
// the set was complete (the receiver's clock), and how many copies came twice.
async function received(bucket, n, eventNumber, label) {
  const t0 = Date.now();
  for (;;) {
    const got = receiver.requests.filter((r) => r.bucket === bucket && r.method === "POST");
    if (got.length >= n) {
      const seen = new Set();
      let completeAt = null;
      let duplicates = 0;
      let unreadable = 0;
      for (const r of got) {
        let k;
        try {
          k = eventNumber(JSON.parse(r.body));
        } catch (_) {}
        if (typeof k !== "number") {
          unreadable++;
          continue;
        }
        if (seen.has(k)) duplicates++;
        else {
          seen.add(k);
          if (seen.size === n) completeAt = r.at;
        }
      }
      if (completeAt !== null) return { completeAt, duplicates, unreadable, requests: got.length };
    }
    if (Date.now() - t0 > WAIT_MS) {
      const distinct = new Set(got.map((r) => r.body)).size;
      throw new Error(
        `bench: ${label}: the receiver has ${got.length} requests (${distinct} distinct bodies) of the ${n} events in /hook/${bucket} after ${WAIT_MS / 1000} s` +
          (got[0] ? `; first body: ${got[0].body.slice(0, 200)}` : "; nothing arrived")
      );
    }
    await sleep(5);
  }
}

function forget(bucket) {
  const r = receiver.requests;
  for (let i = r.length - 1; i >= 0; i--) if (r[i].bucket === bucket) r.splice(i, 1);
}

const EVENT_NUMBER = {
  ours: (b) => b.n,
  fetch: (b) => b.n,
  segment: (b) => b.properties && b.properties.n,
};

// Settings with `count` webhooks, all on the emitted event: the first matches
// (survey.name equals "NPS") and goes to `url`; the others carry a condition
// that does not match, so every emit() evaluates all of them and sends one
// request. Up to 10 destinations.
function oursSettings(count, url, { match = true } = {}) {
  const others = Math.min(9, count - 1);
  const destinations = [{ id: "recv", platform: "Custom", method: "POST", url, mode: "simple" }];
  for (let d = 1; d <= others; d++) {
    destinations.push({ id: "other-" + d, platform: "Custom", method: "POST", url: `${recvOrigin}/hook/unused-${d}`, mode: "simple" });
  }
  const webhooks = [];
  for (let i = 0; i < count; i++) {
    webhooks.push({
      id: "wh-" + i,
      name: "Webhook " + i,
      event: "survey.submitted",
      conditions: [{ property: "survey.name", operator: "equals", value: i === 0 && match ? "NPS" : "Survey " + i }],
      destination: i === 0 ? "recv" : "other-" + (1 + ((i - 1) % others)),
    });
  }
  return { version: 1, destinations, webhooks };
}

// ---- the runs ----------------------------------------------------------------

// One subject, 1000 events in a tight loop: the synchronous cost per call,
// main-thread task time per delivered event, time until the receiver has all.
async function deliveryRun(subject, label, { webhooks = 1, steadyBatches = 0 } = {}) {
  const bucket = `${label}`;
  const url = `${recvOrigin}/hook/${bucket}`;
  const p = await openPage(subject);
  try {
    const out = {};
    if (subject === "ours") {
      out.initMs = await p.page.evaluate(() => window.bench.init());
      out.startMs = await p.page.evaluate((s) => window.bench.start(s), oursSettings(webhooks, url));
      out.readyMs = out.initMs + out.startMs;
    } else if (subject === "segment") {
      out.readyMs = await p.page.evaluate((o) => window.bench.load(o), { apiHost: `${recvHost}/hook/${bucket}` });
    } else {
      await p.page.evaluate((u) => window.bench.setup(u), url);
    }
    p.check(label);
    out.heapBefore = await heapAfterGc(p.cdp);
    const t0 = await taskSeconds(p.cdp);
    const loop = await p.page.evaluate((n) => window.bench.loop(n), EVENTS);
    if (loop.matched !== EVENTS) throw new Error(`bench: ${label}: ${loop.matched} of ${EVENTS} events matched a webhook`);
    const got = await received(bucket, EVENTS, EVENT_NUMBER[subject], label);
    out.settled = await p.page.evaluate(() => window.bench.settle());
    await sleep(SETTLE_MS);
    const t1 = await taskSeconds(p.cdp);
    out.heap1000 = await heapAfterGc(p.cdp);
    p.check(label);
    if (subject === "ours" && out.settled.delivered < EVENTS) {
      throw new Error(`bench: ${label}: the module reports ${out.settled.delivered} of ${EVENTS} delivered: ${JSON.stringify(out.settled)}`);
    }
    out.callUs = (loop.ms * 1000) / EVENTS;
    out.taskUs = ((t1 - t0) * 1e6) / EVENTS;
    // A page that has run a while: further batches of the same events,
    // each once the one before was delivered; the last one's cost per call.
    for (let batch = 1; batch <= steadyBatches; batch++) {
      const more = await p.page.evaluate(([n, from]) => window.bench.loop(n, from), [EVENTS, batch * EVENTS]);
      await received(bucket, (batch + 1) * EVENTS, EVENT_NUMBER[subject], label);
      out.steadyCallUs = (more.ms * 1000) / EVENTS;
    }
    out.allMs = got.completeAt - loop.startedAt;
    out.duplicates = got.duplicates;
    forget(bucket);
    return out;
  } finally {
    await p.close();
  }
}

// start(settings) with `count` webhooks, in a fresh page after init().
async function startRun(count) {
  const p = await openPage("ours");
  try {
    await p.page.evaluate(() => window.bench.init());
    const ms = await p.page.evaluate((s) => window.bench.start(s), oursSettings(count, `${recvOrigin}/hook/unused-start`));
    p.check(`start with ${count} webhooks`);
    return ms;
  } finally {
    await p.close();
  }
}

// Ready from navigation start: a fresh context (cold cache) loads
// bench/pages/ready-<ours|segment>.html, which starts loading the library with
// the document and records performance.now() (navigation start is 0) once it
// can take events. In the mobile profile, network and CPU are throttled
// through CDP before the navigation. Then, once the network is idle (and, with
// autoCapture, the capture chunk has arrived), what the page downloaded: the
// encoded (gzip) body of each file of the library, from Resource Timing (the
// page's clock, so "before ready" can be told apart) and the bytes on the wire
// with response headers, from CDP Network.loadingFinished.encodedDataLength.
async function readyRun(subject, profileName, label) {
  const profile = PROFILES[profileName];
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems = watch(page);
    const cdp = await context.newCDPSession(page);
    const wire = new Map(); // requestId -> { url, bytes }
    cdp.on("Network.requestWillBeSent", (e) => wire.set(e.requestId, { url: e.request.url, bytes: null }));
    cdp.on("Network.loadingFinished", (e) => {
      const w = wire.get(e.requestId);
      if (w) w.bytes = e.encodedDataLength;
    });
    await cdp.send("Network.enable");
    if (profile.network) await cdp.send("Network.emulateNetworkConditions", profile.network);
    if (profile.cpu) await cdp.send("Emulation.setCPUThrottlingRate", { rate: profile.cpu });
    const bucket = label;
    let url;
    if (subject === "segment") {
      url = `${origin}/bench/ready-segment.html?apiHost=${encodeURIComponent(`${recvHost}/hook/${bucket}`)}`;
    } else {
      url = `${origin}/bench/ready-ours.html?settings=${encodeURIComponent(JSON.stringify(oursSettings(1, `${recvOrigin}/hook/${bucket}`)))}`;
      if (subject === "oursCapture") url += "&autoCapture=1";
    }
    await page.goto(url, { waitUntil: "commit" });
    const fail = (m) => new Error(`bench: ${label}: ${m}${problems.length ? `\n  ${problems.join("\n  ")}` : ""}`);
    try {
      await page.waitForFunction(() => typeof window.readyAt === "number", null, { timeout: 60_000, polling: 20 });
    } catch (_) {
      throw fail("the page did not get ready within 60 s");
    }
    const readyMs = await page.evaluate(() => window.readyAt);
    const isolated = await page.evaluate(() => self.crossOriginIsolated);
    if (!isolated) throw fail("the page is not cross-origin isolated (performance.now() would be coarse)");
    if (subject === "oursCapture") {
      await page
        .waitForFunction(() => performance.getEntriesByType("resource").some((e) => /\/pkg\/capture-[^/]*\.js$/.test(new URL(e.name).pathname) && e.responseEnd > 0), null, { timeout: 30_000, polling: 50 })
        .catch(() => {
          throw fail("autoCapture: the capture chunk did not load within 30 s");
        });
    }
    await page.waitForLoadState("networkidle", { timeout: 30_000 }).catch(() => {});
    const entries = await page.evaluate(() =>
      performance.getEntriesByType("resource").map((e) => ({ name: e.name, encoded: e.encodedBodySize, decoded: e.decodedBodySize, end: e.responseEnd }))
    );
    const prefix = subject === "segment" ? "/seg/" : "/pkg/";
    const files = entries
      .filter((e) => new URL(e.name).origin === origin && new URL(e.name).pathname.startsWith(prefix))
      .map((e) => {
        const path = new URL(e.name).pathname;
        const w = [...wire.values()].find((x) => x.url === e.name && x.bytes !== null);
        return { path, encoded: e.encoded, decoded: e.decoded, end: e.end, wire: w ? w.bytes : null };
      });
    if (!files.length) throw fail(`the page downloaded nothing under ${prefix}`);
    for (const f of files) {
      if (!(f.encoded > 0 && f.encoded < f.decoded)) throw fail(`${f.path} was not downloaded gzip-encoded (${f.encoded} B encoded, ${f.decoded} B decoded)`);
    }
    if (subject !== "segment") {
      const unwanted = files.filter((f) => /editor/.test(f.path) || (subject === "ours" && /\/capture-/.test(f.path)));
      if (unwanted.length) throw fail(`a visitor's page downloaded ${unwanted.map((f) => f.path).join(", ")}`);
      // The page can take events: one that matches the webhook.
      const matched = await page.evaluate(() => window.hooks.emit("survey.submitted", { "survey.name": "NPS", "answer.value": 10, n: 0 }));
      if (matched !== 1) throw fail(`emit() after ready matched ${matched} webhooks; expected 1`);
    } else {
      const ok = await page.evaluate(() => !!(window.segment && typeof window.segment.track === "function"));
      if (!ok) throw fail("AnalyticsBrowser.load() resolved without an analytics instance");
    }
    if (problems.length) throw fail("errors in the page");
    if (offLoopback.size) throw fail(`a request left loopback: ${[...offLoopback].join(", ")}`);
    const sum = (fs, k) => fs.reduce((a, f) => a + f[k], 0);
    const before = files.filter((f) => f.end <= readyMs);
    forget(bucket);
    return {
      readyMs,
      bytes: sum(files, "encoded"),
      bytesBeforeReady: sum(before, "encoded"),
      wireBytes: files.every((f) => f.wire !== null) ? sum(files, "wire") : null,
      files,
    };
  } finally {
    await context.close();
  }
}

// The JS heap after many events of which none is sent, after a forced GC:
// ours after SEGMENT_HEAP_EVENTS and after HEAP_EVENTS (the same page),
// Segment after SEGMENT_HEAP_EVENTS.
async function heapRun(subject, label) {
  const p = await openPage(subject);
  try {
    const out = {};
    if (subject === "ours") {
      // One webhook on the event whose condition never matches: every event
      // goes through the module, none is sent.
      await p.page.evaluate(() => window.bench.init());
      await p.page.evaluate((s) => window.bench.start(s), oursSettings(1, `${recvOrigin}/hook/${label}`, { match: false }));
      out.before = await heapAfterGc(p.cdp);
      let ms = 0;
      for (const [from, to] of [[0, SEGMENT_HEAP_EVENTS], [SEGMENT_HEAP_EVENTS, HEAP_EVENTS]]) {
        const loop = await p.page.evaluate(([n, f]) => window.bench.loop(n, f), [to - from, from]);
        if (loop.matched !== 0) throw new Error(`bench: ${label}: ${loop.matched} events matched; expected none`);
        ms += loop.ms;
        out[to] = await heapAfterGc(p.cdp);
      }
      out.callUs = (ms * 1000) / HEAP_EVENTS;
    } else {
      // The Segment.io destination off: every track() goes through the
      // pipeline, nothing is sent. The heap is read once every track()
      // promise has resolved (counted, not kept).
      await p.page.evaluate((o) => window.bench.load(o), { apiHost: `${recvHost}/hook/${label}`, deliver: false });
      out.before = await heapAfterGc(p.cdp);
      const t0 = Date.now();
      const loop = await p.page.evaluate((n) => window.bench.loop(n, 0, false), SEGMENT_HEAP_EVENTS);
      out.callUs = (loop.ms * 1000) / SEGMENT_HEAP_EVENTS;
      const done = await p.page.evaluate(([n, ms]) => window.bench.completed(n, ms), [SEGMENT_HEAP_EVENTS, WAIT_MS]);
      if (done < SEGMENT_HEAP_EVENTS) throw new Error(`bench: ${label}: only ${done} of ${SEGMENT_HEAP_EVENTS} track() calls completed after ${WAIT_MS / 1000} s`);
      out.drainMs = Date.now() - t0;
      out[SEGMENT_HEAP_EVENTS] = await heapAfterGc(p.cdp);
    }
    p.check(label);
    return out;
  } finally {
    await p.close();
  }
}

// ---- main --------------------------------------------------------------------

const rounds = [];
const preflights = {};
let failed = null;
const loadStart = os.loadavg()[0];
try {
  for (let r = 1; r <= ROUNDS; r++) {
    const round = { delivery: {}, heap: {}, ready: {} };
    // Ready from navigation start, both profiles: READY_LOADS cold loads each,
    // the subjects interleaved; the round's median.
    for (const prof of Object.keys(PROFILES)) {
      const runs = Object.fromEntries(READY_SUBJECTS.map((x) => [x, []]));
      for (let i = 0; i < READY_LOADS; i++) {
        const rot = READY_SUBJECTS.map((_, j) => READY_SUBJECTS[(j + i + r - 1) % READY_SUBJECTS.length]);
        for (const x of rot) runs[x].push(await readyRun(x, prof, `ready-${x}-${prof}-r${r}-${i}`));
      }
      round.ready[prof] = Object.fromEntries(
        READY_SUBJECTS.map((x) => {
          const bytes = new Set(runs[x].map((v) => v.bytes));
          if (bytes.size > 1) throw new Error(`bench: ready, ${x}, ${prof}: the page downloaded different sizes in its loads: ${[...bytes].join(", ")} B`);
          return [x, { ...runs[x][0], readyMs: median(runs[x].map((v) => v.readyMs)), loads: runs[x].map((v) => v.readyMs) }];
        })
      );
      const rr = round.ready[prof];
      log(`round ${r}: ready from navigation start, ${prof}: ` + READY_SUBJECTS.map((x) => `${READY_NAMES[x]} ${rr[x].readyMs.toFixed(0)} ms (${fmtInt(rr[x].bytes)} B)`).join(", "));
    }
    // Rotate the order so no subject always goes first.
    const order = SUBJECTS.map((_, i) => SUBJECTS[(i + r - 1) % SUBJECTS.length]);
    for (const s of order) {
      round.delivery[s] = await deliveryRun(s, `${s}-r${r}`);
      const d = round.delivery[s];
      log(
        `round ${r}: ${NAMES[s].padEnd(22)} ${d.callUs.toFixed(1).padStart(7)} µs/call  ${d.taskUs.toFixed(0).padStart(5)} µs task/event  all ${EVENTS} in ${(d.allMs / 1000).toFixed(2)} s` +
          (d.readyMs !== undefined ? `  ready ${d.readyMs.toFixed(1)} ms` : "")
      );
    }
    for (const n of [10, 100]) {
      round.delivery[`ours${n}`] = await deliveryRun("ours", `ours${n}-r${r}`, { webhooks: n, steadyBatches: STEADY_BATCHES });
      round[`start${n}`] = await startRun(n);
      log(`round ${r}: ${n} webhooks: start() ${round[`start${n}`].toFixed(2)} ms, emit() ${round.delivery[`ours${n}`].callUs.toFixed(1)} µs/event, ${round.delivery[`ours${n}`].steadyCallUs.toFixed(1)} µs/event after ${fmtInt(STEADY_BATCHES * EVENTS)} more`);
    }
    round.heap.ours = await heapRun("ours", `heap-ours-r${r}`);
    round.heap.segment = await heapRun("segment", `heap-seg-r${r}`);
    const h = round.heap;
    log(
      `round ${r}: heap, nothing sent: ours ${mib(h.ours[SEGMENT_HEAP_EVENTS])} after ${fmtInt(SEGMENT_HEAP_EVENTS)}, ${mib(h.ours[HEAP_EVENTS])} after ${fmtInt(HEAP_EVENTS)} events (${h.ours.callUs.toFixed(2)} µs/emit); ` +
        `Segment ${mib(h.segment[SEGMENT_HEAP_EVENTS])} after ${fmtInt(SEGMENT_HEAP_EVENTS)} (${(h.segment.drainMs / 1000).toFixed(1)} s until all done)`
    );
    round.load = os.loadavg()[0];
    rounds.push(round);
  }
  // CORS preflights the receiver answered, per subject (all rounds).
  const { preflightPaths } = await (await fetch(`${recvOrigin}/api/stats`)).json();
  for (const x of SUBJECTS) preflights[x] = preflightPaths.filter((p) => p.startsWith(`/hook/${x}-`)).length;
} catch (e) {
  failed = e;
} finally {
  await cleanup();
}
if (failed) {
  console.error(failed.stack || String(failed));
  console.error("bench: FAILED");
  process.exit(1);
}

// ---- the report --------------------------------------------------------------


const med = (f) => median(rounds.map(f).filter((x) => x !== undefined && x !== null));
const size = downloadSize();
// What each page downloaded (the same in every load, checked per round).
const dl = Object.fromEntries(READY_SUBJECTS.map((x) => [x, rounds[0].ready.desktop[x]]));
for (const r of rounds) {
  for (const prof of Object.keys(PROFILES)) {
    for (const x of READY_SUBJECTS) {
      if (r.ready[prof][x].bytes !== dl[x].bytes) throw new Error(`bench: ready, ${x}: ${r.ready[prof][x].bytes} B downloaded in ${prof}, ${dl[x].bytes} B in desktop round 1`);
    }
  }
}
// The size budget of `npm test`.
const budgetSrc = readFileSync(join(root, "scripts/size-budget.mjs"), "utf8");
const budget = Number(((/WMWH_SIZE_BUDGET\s*\|\|\s*([\d_]+)/.exec(budgetSrc) || [])[1] || "NaN").replace(/_/g, ""));

const M = {
  bytes: { ours: dl.ours.bytesBeforeReady, capture: dl.oursCapture.bytes, segment: dl.segment.bytesBeforeReady },
  nav: Object.fromEntries(Object.keys(PROFILES).map((prof) => [prof, Object.fromEntries(READY_SUBJECTS.map((x) => [x, med((r) => r.ready[prof][x].readyMs)]))])),
  start10: med((r) => r.start10),
  start100: med((r) => r.start100),
  ready: { ours: med((r) => r.delivery.ours.readyMs), segment: med((r) => r.delivery.segment.readyMs) },
  call1: Object.fromEntries(SUBJECTS.map((s) => [s, med((r) => r.delivery[s].callUs)])),
  call10: med((r) => r.delivery.ours10.callUs),
  steady10: med((r) => r.delivery.ours10.steadyCallUs),
  steady100: med((r) => r.delivery.ours100.steadyCallUs),
  call100: med((r) => r.delivery.ours100.callUs),
  task: Object.fromEntries(SUBJECTS.map((s) => [s, med((r) => r.delivery[s].taskUs)])),
  all: Object.fromEntries(SUBJECTS.map((s) => [s, med((r) => r.delivery[s].allMs)])),
  all10: med((r) => r.delivery.ours10.allMs),
  all100: med((r) => r.delivery.ours100.allMs),
  heap1000: Object.fromEntries(SUBJECTS.map((s) => [s, { after: med((r) => r.delivery[s].heap1000), before: med((r) => r.delivery[s].heapBefore) }])),
  heapOurs: {
    before: med((r) => r.heap.ours.before),
    small: med((r) => r.heap.ours[SEGMENT_HEAP_EVENTS]),
    big: med((r) => r.heap.ours[HEAP_EVENTS]),
    callUs: med((r) => r.heap.ours.callUs),
  },
  heapSeg: {
    before: med((r) => r.heap.segment.before),
    small: med((r) => r.heap.segment[SEGMENT_HEAP_EVENTS]),
    drainMs: med((r) => r.heap.segment.drainMs),
    callUs: med((r) => r.heap.segment.callUs),
  },
};
// analytics-next's main-thread time per track() with nothing sent, from the
// heap run: how long 100,000 would take it.
const segPerEventMs = M.heapSeg.drainMs / SEGMENT_HEAP_EVENTS;
const yes = (ok) => (ok ? "yes" : "**no**");
const rows = [
  [
    "Downloaded before it can take events, default options (gzip-encoded bodies)",
    fmtB(M.bytes.ours),
    fmtB(M.bytes.segment),
    "0 B",
    `≤ ${fmtB(SEGMENT_BYTES)} (Segment); aim 20 KB (${fmtB(AIM_BYTES)})`,
    `${yes(M.bytes.ours <= SEGMENT_BYTES)}; aim: ${yes(M.bytes.ours <= AIM_BYTES)}`,
  ],
  ["Downloaded with `autoCapture: true` (runtime + capture chunk)", fmtB(M.bytes.capture), "—", "—", `≤ 32 KB (${fmtB(CAPTURE_BYTES)})`, yes(M.bytes.capture <= CAPTURE_BYTES)],
  ...Object.entries(PROFILES).map(([prof, P]) => [
    `Ready from navigation start, ${P.label}, cold cache`,
    fmtMs(M.nav[prof].ours),
    fmtMs(M.nav[prof].segment),
    "—",
    `≤ Segment's (${fmtMs(M.nav[prof].segment)})`,
    yes(M.nav[prof].ours <= M.nav[prof].segment),
  ]),
  [
    "Ready from navigation start with `autoCapture: true`, desktop / mobile",
    Object.keys(PROFILES).map((prof) => fmtMs(M.nav[prof].oursCapture)).join(" / "),
    "—",
    "—",
    "",
    "",
  ],
  [
    "Size budget of `npm test` (scripts/size-budget.mjs)",
    `${fmtB(budget)} (package: ${fmtB(size.total)})`,
    "—",
    "—",
    `lowered to the new size (≤ ${fmtB(SEGMENT_BYTES)}, the package within it)`,
    yes(budget <= SEGMENT_BYTES && size.total <= budget),
  ],
  ["`start(settings)` with 10 webhooks (after `init()`)", fmtMs(M.start10), "—", "—", "", ""],
  ["`start(settings)` with 100 webhooks (after `init()`)", fmtMs(M.start100), "—", "—", "≤ 5 ms", yes(M.start100 <= 5)],
  ["Ready in a loaded page: `init()` + `start()` / `AnalyticsBrowser.load()` (its bundle already run)", fmtMs(M.ready.ours), fmtMs(M.ready.segment), "—", "", ""],
  ["Synchronous cost per call, 1 webhook (`emit` / `track` / `fetch`)", fmtUs(M.call1.ours), fmtUs(M.call1.segment), fmtUs(M.call1.fetch), "", ""],
  ["`emit()` per event, 10 webhooks (fresh page)", fmtUs(M.call10), "—", "—", "≤ 10 µs", yes(M.call10 <= 10)],
  ["`emit()` per event, 100 webhooks", fmtUs(M.call100), "—", "—", "", ""],
  [`\`emit()\` per event, 10 webhooks, in a page that already made ${fmtInt(STEADY_BATCHES * EVENTS)} calls`, fmtUs(M.steady10), "—", "—", "", ""],
  [`\`emit()\` per event, 100 webhooks, in a page that already made ${fmtInt(STEADY_BATCHES * EVENTS)} calls`, fmtUs(M.steady100), "—", "—", "", ""],
  ["Main-thread task time per delivered event", fmtUs(M.task.ours), fmtUs(M.task.segment), fmtUs(M.task.fetch), "", ""],
  [`Time until the receiver has all ${fmtInt(EVENTS)} events`, fmtS(M.all.ours), fmtS(M.all.segment), fmtS(M.all.fetch), `≤ 1.1 × bare fetch (${fmtS(1.1 * M.all.fetch)})`, yes(M.all.ours <= 1.1 * M.all.fetch)],
  [
    `JS heap after ${fmtInt(EVENTS)} delivered events (after GC; growth)`,
    ...SUBJECTS.map((x) => fmtHeap(M.heap1000[x].after, M.heap1000[x].before)),
    "",
    "",
  ],
  [`JS heap after ${fmtInt(SEGMENT_HEAP_EVENTS)} events, nothing sent (after GC; growth)`, fmtHeap(M.heapOurs.small, M.heapOurs.before), fmtHeap(M.heapSeg.small, M.heapSeg.before), "—", "", ""],
  [`JS heap after ${fmtInt(HEAP_EVENTS)} events, nothing sent (after GC; growth)`, fmtHeap(M.heapOurs.big, M.heapOurs.before), "not measured ¹", "—", "", ""],
];
const header = ["Metric", NAMES.ours, NAMES.segment, NAMES.fetch, "Target", "Met?"];
const table = [
  "| " + header.join(" | ") + " |",
  "|" + header.map((_, i) => (i === 0 ? "---" : "---:")).join("|") + "|",
  ...rows.map((r) => "| " + r.join(" | ") + " |"),
].join("\n");

// The machine.
const cpuModel = (/^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8")) || [])[1] || os.cpus()[0]?.model || "unknown";
let nproc = String(os.availableParallelism?.() ?? os.cpus().length);
try {
  nproc = execFileSync("nproc", { encoding: "utf8" }).trim();
} catch (_) {}
let osName = `${os.type()} ${os.release()}`;
try {
  osName = (/^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync("/etc/os-release", "utf8")) || [])[1] + ` (kernel ${os.release()})`;
} catch (_) {}
let commit = "unknown";
try {
  commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
  const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock", "scripts"], { cwd: root, encoding: "utf8" }).trim();
  if (dirty) commit += " + uncommitted changes";
} catch (_) {}
const segVersion = JSON.parse(readFileSync(join(root, "node_modules/@segment/analytics-next/package.json"), "utf8")).version;
const ourVersion = (/^version = "([^"]+)"/m.exec(readFileSync(join(root, "Cargo.toml"), "utf8")) || [])[1];
const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
const seconds = Math.round((Date.now() - T0) / 1000);

const machine = [
  `- Machine: ${nproc} cores (nproc), ${cpuModel}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${osName}`,
  `- Browser: Chromium ${chromiumVersion} headless (/usr/bin/chromium, driven by playwright-core; flags of tests/e2e/helpers.mjs)`,
  `- Node ${process.version}; walkme-webhooks ${ourVersion} (commit ${commit}); @segment/analytics-next ${segVersion}`,
  `- Date: ${date}; ${ROUNDS} rounds, medians; whole run ${seconds} s; load average (1 min) ${loadStart.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end (the benchmark's own browser, page server and receiver)`,
  "- Command: `npm run bench` (= `bash scripts/build.sh && node bench/run.mjs`)",
  ...(loadStart > Number(nproc) * 0.75
    ? [`- **Note:** other work kept the machine busy when this run started (load average above ${Number(nproc) * 0.75} on ${nproc} cores): absolute times are inflated and noisy; compare the columns of one run, and the per-round figures below.`]
    : []),
].join("\n");

const fileList = (d) => d.files.map((f) => `${f.path} ${fmtInt(f.encoded)} B`).join(", ");
const wireOf = (d) => (d.wireBytes === null ? "not reported" : fmtB(d.wireBytes));
const raw = (label, f, fmt) => `| ${label} | ${rounds.map((r) => fmt(f(r))).join(" | ")} |`;
const rawTable = [
  "| per round | " + rounds.map((_, i) => `round ${i + 1}`).join(" | ") + " |",
  "|---|" + rounds.map(() => "---:").join("|") + "|",
  ...SUBJECTS.flatMap((s) => [
    raw(`${NAMES[s]}: µs per call`, (r) => r.delivery[s].callUs, fmtUs),
    raw(`${NAMES[s]}: task µs per delivered event`, (r) => r.delivery[s].taskUs, fmtUs),
    raw(`${NAMES[s]}: all ${fmtInt(EVENTS)} received`, (r) => r.delivery[s].allMs, fmtS),
  ]),
];
for (const prof of Object.keys(PROFILES)) {
  for (const x of READY_SUBJECTS) {
    rawTable.push(`| ${READY_NAMES[x]}: ready from navigation start, ${prof} (${READY_LOADS} loads) | ${rounds.map((r) => r.ready[prof][x].loads.map((v) => v.toFixed(0)).join(", ") + " ms").join(" | ")} |`);
  }
}
rawTable.push(`| load average (1 min) at the end of the round | ${rounds.map((r) => r.load.toFixed(2)).join(" | ")} |`);
rawTable.push(`| walkme-webhooks: start() with 10 webhooks | ${rounds.map((r) => fmtMs(r.start10)).join(" | ")} |`);
rawTable.push(`| walkme-webhooks: start() with 100 webhooks | ${rounds.map((r) => fmtMs(r.start100)).join(" | ")} |`);
rawTable.push(`| walkme-webhooks: emit() 10 webhooks | ${rounds.map((r) => fmtUs(r.delivery.ours10.callUs)).join(" | ")} |`);
rawTable.push(`| walkme-webhooks: emit() 100 webhooks | ${rounds.map((r) => fmtUs(r.delivery.ours100.callUs)).join(" | ")} |`);
rawTable.push(`| walkme-webhooks: emit() 10 / 100 webhooks, after ${fmtInt(STEADY_BATCHES * EVENTS)} calls | ${rounds.map((r) => `${fmtUs(r.delivery.ours10.steadyCallUs)} / ${fmtUs(r.delivery.ours100.steadyCallUs)}`).join(" | ")} |`);
rawTable.push(`| walkme-webhooks: all ${fmtInt(EVENTS)} received, 10 / 100 webhooks | ${rounds.map((r) => fmtS(r.delivery.ours10.allMs) + " / " + fmtS(r.delivery.ours100.allMs)).join(" | ")} |`);
rawTable.push(`| walkme-webhooks: heap after ${fmtInt(HEAP_EVENTS)} events, nothing sent | ${rounds.map((r) => mib(r.heap.ours[HEAP_EVENTS])).join(" | ")} |`);
rawTable.push(`| Segment analytics-next: heap after ${fmtInt(SEGMENT_HEAP_EVENTS)} events, nothing sent | ${rounds.map((r) => mib(r.heap.segment[SEGMENT_HEAP_EVENTS])).join(" | ")} |`);

const notes = [
  `- Every measurement runs in a fresh browser context and page (cold: no warm-up), served from a page server on one loopback port; every request goes to the loopback receiver of \`www/server.mjs\` on another port (cross-origin, like a real destination). No request left loopback.`,
  `- The same ${fmtInt(EVENTS)} events for all three: \`emit("survey.submitted", {"survey.name": "NPS", "answer.value": i % 11, n: i})\`; \`analytics.track("Survey Submitted", {...same properties})\`; \`fetch(url, {method: "POST", headers: {"Content-Type": "text/plain"}, body})\` with a JSON body of the same shape as the module's (the event's properties plus the ones the module fills in). The module's destination is in \`simple\` mode (text/plain, no preflight), like the bare fetch; Segment sends its own requests (text/plain with an \`Authorization\` header, so CORS preflights). Preflights answered in all rounds: ours ${preflights.ours}, Segment ${preflights.segment}, bare fetch ${preflights.fetch}.`,
  `- Settings with N webhooks: all N on the emitted event, each with one condition; only the first one matches (one request per event), the others are evaluated and do not match; up to 10 destinations.`,
  `- Responses: the page server sends every file gzip-encoded (\`Content-Encoding: gzip\`, gzip -9, compressed once and kept in memory) when the request accepts gzip, ours and Segment's alike, as a CDN would; the run fails if a library file arrives uncompressed.`,
  `- Downloaded: the encoded (gzip) body sizes of the library's files in the page's Resource Timing (\`encodedBodySize\`), in the ready-from-navigation-start pages below, once the network was idle; "before it can take events" counts the files whose response ended before the page was ready (for Segment and for ours with default options, all of them). Default options: ${fileList(dl.ours)}. With autoCapture (the capture chunk is imported by \`start()\`, after ready): ${fileList(dl.oursCapture)}. Segment: ${fileList(dl.segment)}. On the wire with response headers (CDP \`Network.loadingFinished.encodedDataLength\`): ours ${wireOf(dl.ours)}, with autoCapture ${wireOf(dl.oursCapture)}, Segment ${wireOf(dl.segment)}. A visitor's page never downloads the editor module; with default options it does not download the capture chunk (both checked). \`downloadSize()\` of \`scripts/package.mjs\` (gzip -9 of pkg/walkme_webhooks_bg.wasm and pkg/index.js, what \`npm test\` checks against its budget) says ${fmtB(size.total)}; with the capture chunk ${fmtB(size.withCapture)}.`,
  `- Ready from navigation start: a fresh browser context (cold cache, new connections) per load; the page (\`bench/pages/ready-ours.html\`, \`ready-segment.html\`) starts loading the library with the document and records \`performance.now()\` (0 is navigation start) when it can take events: ours when \`start(settings)\` (1 webhook, inline settings) has returned after \`await init()\` (a module script importing /pkg/index.js, which fetches and instantiates the wasm); Segment when \`AnalyticsBrowser.load()\` with inline CDN settings has resolved (its bundle in a classic script before it, nothing fetched from Segment). ${READY_LOADS} loads per subject, profile and round (subjects interleaved), median of all. Desktop: no throttling. Mobile: CDP \`Network.emulateNetworkConditions\` (latency 150 ms added to each request, download 200,000 B/s ≈ 1.6 Mbit/s, upload 93,750 B/s = 750 kbit/s) and \`Emulation.setCPUThrottlingRate\` 4, set before the navigation. After ready, one \`emit()\` checks that the page takes events (1 webhook matched).`,
  `- Synchronous cost: a tight loop of ${fmtInt(EVENTS)} calls timed with \`performance.now()\` (cross-origin-isolated page), divided by ${fmtInt(EVENTS)}: the first ${fmtInt(EVENTS)} calls of a fresh page, which include the engine's optimising of the code. \"In a page that already made N calls\": the same page then makes ${STEADY_BATCHES} more batches of ${fmtInt(EVENTS)} (each once the one before was delivered), and the last batch is timed.`,
  `- Main-thread task time: CDP \`Performance.getMetrics\` TaskDuration from just before the loop until the receiver has every event, the page's own completion (\`hooks.flush()\`, every \`track()\` promise, every \`fetch()\` promise) and ${SETTLE_MS} ms more, divided by ${fmtInt(EVENTS)}.`,
  `- Time until received: from the page's clock at the first call to the receiver's timestamp of the request that completed the set of ${fmtInt(EVENTS)} distinct events (same machine clock).`,
  `- Start: \`start(settings)\` alone, after \`init()\` resolved, in a fresh page. Ready in a loaded page: \`init()\` (fetch, compile and instantiate the wasm) plus \`start()\` with 1 webhook, called once the page has loaded, against \`AnalyticsBrowser.load()\` with inline CDN settings until it resolves (its bundle was already downloaded and run with the page).`,
  `- Heap: CDP \`HeapProfiler.collectGarbage\` (3×) then \`Runtime.getHeapUsage\` usedSize; growth is against the same page right before the events (after start/load, after GC). Delivered: the ${fmtInt(EVENTS)}-event runs above, after every answer. Nothing sent: ours with one webhook whose condition never matches (${fmtUs(M.heapOurs.callUs)} per emit()), ${fmtInt(SEGMENT_HEAP_EVENTS)} then ${fmtInt(HEAP_EVENTS)} events in the same page; Segment with the Segment.io destination turned off (${fmtUs(M.heapSeg.callUs)} per track() call), read once every track() promise had resolved (counted, not kept).`,
  `- ¹ analytics-next needs ~${segPerEventMs.toFixed(1)} ms of wall time per track() even with nothing to send (each event goes through its plugin chain with timer turns in between; ${fmtInt(SEGMENT_HEAP_EVENTS)} took ${fmtS(M.heapSeg.drainMs)}), so ${fmtInt(HEAP_EVENTS)} would take ~${Math.round((segPerEventMs * HEAP_EVENTS) / 1000)} s per round: it is measured at ${fmtInt(SEGMENT_HEAP_EVENTS)} events, and ours at both. Reading its heap right after ${fmtInt(HEAP_EVENTS)} calls, with the work still pending, would measure its backlog, not what it keeps. ${fmtInt(HEAP_EVENTS)} *delivered* events are one request each and take minutes for every subject at the rates above, so deliveries are measured at ${fmtInt(EVENTS)} events.`,
].join("\n");

const report = `# Benchmarks

walkme-webhooks against [Segment analytics-next](https://www.npmjs.com/package/@segment/analytics-next) and a bare \`fetch()\` per event (the floor when requests are sent from the main thread): what a visitor's page downloads and how soon it can take events (desktop and mobile profiles), then ${fmtInt(EVENTS)} events to a loopback receiver, in headless Chromium. Produced by \`npm run bench\` (bench/run.mjs); medians of ${ROUNDS} rounds.

${machine}

${table}

## How it is measured

${notes}

## Per round

${rawTable.join("\n")}

${packagesSectionOfFile()}`;

console.log("\n" + machine + "\n\n" + table + "\n");
if (WRITE) {
  writeFileSync(join(root, "BENCHMARKS.md"), report);
  console.log("bench: wrote BENCHMARKS.md");
}
process.exit(0);
