// One request with fetch, answered exactly once through
// reply(id, status, detail, kind); kind: 0 answer (detail: Retry-After),
// 1 opaque, 2 network error (detail: the error), 3 timeout, 4 redirect.
// Used by the page and, as source text, by the sender worker, so both send
// exactly the same request: it must not refer to anything outside itself.
//
// Redirects are not followed: a 307/308 to another origin would carry the
// request's headers there, and a 302/303 would turn a POST into a GET
// without its body. The destination's final URL belongs in the settings.
// (A no-cors request must follow, fetch allows nothing else; it carries no
// header of its own and its answer is opaque anyway.)
export function deliver(m, reply) {
  const [id, method, url, headers, body, mode, keepalive, timeoutMs] = m;
  const init = { method, mode, keepalive, credentials: "omit", redirect: mode === "no-cors" ? "follow" : "manual", referrerPolicy: "strict-origin-when-cross-origin" };
  if (headers.length) {
    const h = {};
    for (let i = 0; i < headers.length; i += 2) h[headers[i]] = headers[i + 1];
    init.headers = h;
  }
  if (body != null) init.body = body;
  let timer = 0;
  let done = 0;
  const finish = (status, detail, kind) => {
    if (done++) return;
    clearTimeout(timer);
    reply(id, status, detail, kind);
  };
  try {
    const controller = new AbortController();
    init.signal = controller.signal;
    timer = setTimeout(() => {
      controller.abort();
      finish(0, "", 3);
    }, timeoutMs);
    fetch(url, init).then(
      (res) => {
        const t = res.type;
        if (t === "opaqueredirect") return finish(0, "", 4);
        if (t === "opaque") return finish(0, "", 1);
        finish(res.status, res.headers.get("retry-after") || "", 0);
        // Drop the body so the connection can be reused.
        if (res.body) res.body.cancel().catch(() => {});
      },
      (err) => finish(0, String((err && err.message) || err), 2)
    );
  } catch (err) {
    // fetch throws synchronously on a malformed request or when the
    // keep-alive budget is exceeded: report it as a network error.
    Promise.resolve().then(() => finish(0, String((err && err.message) || err), 2));
  }
}
