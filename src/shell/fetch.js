// One request with fetch, answered exactly once through reply(id, status,
// retryAfter, kind, detail); kind: 0 answer, 1 opaque, 2 network error,
// 3 timeout. Used by the page and, as source text, by the sender worker
// (platform.js), so both send exactly the same request: it must not refer
// to anything outside itself.
export function deliver(m, reply) {
  const [id, method, url, headers, body, mode, keepalive, timeoutMs] = m;
  const init = { method, keepalive, credentials: "omit", redirect: "follow", referrerPolicy: "strict-origin-when-cross-origin" };
  init.mode = mode === "no-cors" ? "no-cors" : "cors";
  if (headers.length) {
    const h = {};
    for (let i = 0; i < headers.length; i += 2) h[headers[i]] = headers[i + 1];
    init.headers = h;
  }
  if (body !== undefined && body !== null) init.body = body;
  let timer = 0;
  let done = false;
  const finish = (status, retryAfter, kind, detail) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    reply(id, status, retryAfter, kind, detail);
  };
  try {
    const controller = typeof AbortController === "function" ? new AbortController() : null;
    if (controller) init.signal = controller.signal;
    timer = setTimeout(() => {
      if (controller) controller.abort();
      finish(0, null, 3, "");
    }, timeoutMs);
    fetch(url, init).then(
      (res) => {
        if (res.type === "opaque") return finish(0, null, 1, "");
        finish(res.status, res.headers.get("retry-after"), 0, "");
        // Drop the body so the connection can be reused.
        if (res.body && res.body.cancel) res.body.cancel().catch(() => {});
      },
      (err) => finish(0, null, 2, String((err && err.message) || err))
    );
  } catch (err) {
    // fetch throws synchronously on a malformed request or when the
    // keep-alive budget is exceeded: report it as a network error.
    Promise.resolve().then(() => finish(0, null, 2, String((err && err.message) || err)));
  }
}
