// Benchmark page for the floor: one bare fetch() POST per event, with a JSON
// body of the same shape as the module's default body (the event's
// properties plus the ones the module fills in), sent as a CORS "simple
// request" (text/plain, no preflight), like the module's `simple` mode.
const session = crypto.randomUUID();
const b = {
  url: null,
  pending: [],
  setup(url) {
    b.url = url;
    return 0;
  },
  loop(n, from = 0) {
    const url = b.url;
    const pending = b.pending;
    const startedAt = Date.now();
    const t0 = performance.now();
    for (let i = from; i < from + n; i++) {
      const body = {
        "event.id": crypto.randomUUID(),
        "event.type": "survey.submitted",
        "event.name": "Survey Submitted",
        "event.timestamp": Date.now(),
        "session.id": session,
        "page.url": location.href,
        "page.path": location.pathname,
        "page.title": document.title,
        "page.referrer": document.referrer,
        "env.language": navigator.language,
        "env.userAgent": navigator.userAgent,
        "survey.name": "NPS",
        "answer.value": i % 11,
        n: i,
      };
      pending.push(
        fetch(url, { method: "POST", headers: { "Content-Type": "text/plain" }, body: JSON.stringify(body) }).then(
          (r) => r.status,
          () => 0
        )
      );
    }
    const ms = performance.now() - t0;
    return { ms, startedAt, matched: n };
  },
  async settle() {
    const statuses = await Promise.all(b.pending);
    b.pending = [];
    return { delivered: statuses.filter((s) => s >= 200 && s < 300).length, failed: statuses.filter((s) => !(s >= 200 && s < 300)).length };
  },
  ready: true,
};
window.bench = b;
document.body.dataset.ready = "true";
