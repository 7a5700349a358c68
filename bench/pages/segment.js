// Benchmark page for Segment analytics-next (the npm package's browser
// bundle, window.AnalyticsNext), configured with inline CDN settings so it
// fetches nothing from Segment and sends its events to the loopback receiver.
const { AnalyticsBrowser } = window.AnalyticsNext;
delete window.analytics; // only the chunk base URL was needed from it

const b = {
  analytics: null,
  pending: [],
  // AnalyticsBrowser.load() until it resolves (plugins registered, ready).
  // deliver=false: the Segment.io destination is turned off (nothing sent).
  async load({ apiHost, deliver = true }) {
    const t0 = performance.now();
    const segment = { apiKey: "bench-write-key", apiHost, protocol: "http" };
    const [analytics] = await AnalyticsBrowser.load(
      {
        writeKey: "bench-write-key",
        cdnSettings: {
          integrations: deliver ? { "Segment.io": segment } : {},
          metrics: { sampleRate: 0 },
        },
      },
      { integrations: { "Segment.io": deliver ? { apiHost, protocol: "http" } : false } }
    );
    b.analytics = analytics;
    return performance.now() - t0;
  },
  // keep=false: the track() promises are only counted (b.done), not kept,
  // so that the heap holds only what analytics-next itself keeps.
  done: 0,
  loop(n, from = 0, keep = true) {
    const analytics = b.analytics;
    const pending = b.pending;
    const count = () => b.done++;
    const startedAt = Date.now();
    const t0 = performance.now();
    if (keep) {
      for (let i = from; i < from + n; i++) {
        pending.push(analytics.track("Survey Submitted", { "survey.name": "NPS", "answer.value": i % 11, n: i }));
      }
    } else {
      for (let i = from; i < from + n; i++) {
        analytics.track("Survey Submitted", { "survey.name": "NPS", "answer.value": i % 11, n: i }).then(count, count);
      }
    }
    const ms = performance.now() - t0;
    return { ms, startedAt, matched: n };
  },
  // Resolves when `n` counted track() calls have completed.
  async completed(n, timeoutMs) {
    const t0 = performance.now();
    while (b.done < n) {
      if (performance.now() - t0 > timeoutMs) return b.done;
      await new Promise((r) => setTimeout(r, 20));
    }
    return b.done;
  },
  // Resolves when every track() promise has (the event went through the
  // whole pipeline, delivery included).
  async settle() {
    const ctxs = await Promise.all(b.pending);
    b.pending = [];
    return { delivered: ctxs.filter((c) => !c.failedDelivery()).length, failed: ctxs.filter((c) => c.failedDelivery()).length, queued: b.analytics.queue.queue.length };
  },
  queued: () => b.analytics.queue.queue.length,
  ready: true,
};
window.bench = b;
document.body.dataset.ready = "true";
