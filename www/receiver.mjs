// The local receiver: a webhook endpoint on loopback that records every
// request it gets (method, path, query, headers, body) and can be told, per
// URL, how to answer. The demo shows what arrived; the tests assert on it.
//
// Endpoints (any method):
//   /hook/<bucket>[/...]   record and answer. Query parameters steer the answer:
//       status=<code>        answer with this status (default 200)
//       fail=<n>             the first n requests to this path answer `status` (default 503), then 200
//       retryAfter=<s>       add Retry-After to failures
//       delay=<ms>           answer after a delay
//       chaos=<p>            with probability p a random fault: 500, 503, 429 + Retry-After,
//                            a hang past any timeout, or a dropped connection
//       auth=oauth           401 unless Authorization is "Bearer <the latest token of /oauth/token>"
//       redirect=<url>       answer 307 with this Location (a destination that moved)
//       redirectStatus=<code> the status of that redirect instead (301, 302, 303, 308)
//       cors=0               no CORS headers (a destination that does not allow CORS)
//   /oauth/token           OAuth 2.0 client credentials: answers {access_token, expires_in}
//   /api/requests?bucket=  GET the recorded requests (JSON), DELETE to clear
//   /api/stream            Server-Sent Events of every recorded request
//   /api/oauth             GET token endpoint stats; POST ?revoke=1 makes the current token invalid
//   /api/site-token        the page's own site handing out a token (auth.tokenFrom): GET answers
//                          {token: "site-<session cookie>", expiresIn: 300}, 401 without a `session`
//                          cookie; DELETE clears its stats (hits, the Cookie header of each request)
//   /api/stats             counts per bucket, faults injected, preflights

import { randomInt } from "node:crypto";

export function createReceiver({ log = false } = {}) {
  let seq = 0;
  const requests = [];
  const counters = new Map(); // path -> count, for fail=<n>
  const faults = { total: 0, status500: 0, status503: 0, status429: 0, hang: 0, drop: 0 };
  const oauth = { hits: 0, issued: [], valid: null, lastBody: null };
  const siteToken = { hits: 0, cookies: [] };
  const streams = new Set();
  let preflights = 0;
  const preflightPaths = [];
  const hanging = new Set();

  function cors(req, res, url) {
    // Lets no-cors answers through on pages with COEP require-corp.
    res.setHeader("Cross-Origin-Resource-Policy", "cross-origin");
    if (url.searchParams.get("cors") === "0") return;
    res.setHeader("Access-Control-Allow-Origin", req.headers.origin || "*");
    res.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
    res.setHeader("Access-Control-Allow-Headers", req.headers["access-control-request-headers"] || "*");
    res.setHeader("Access-Control-Expose-Headers", "Retry-After");
    res.setHeader("Access-Control-Max-Age", "600");
    res.setHeader("Vary", "Origin");
  }

  function json(res, status, body) {
    res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" });
    res.end(JSON.stringify(body));
  }

  function record(req, url, body) {
    const entry = {
      id: ++seq,
      at: Date.now(),
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      rawQuery: url.search,
      bucket: url.pathname.split("/")[2] || "",
      headers: req.headers,
      body,
    };
    requests.push(entry);
    if (requests.length > 50000) requests.splice(0, requests.length - 50000);
    const line = "data: " + JSON.stringify(entry) + "\n\n";
    for (const s of streams) s.write(line);
    if (log) console.log(`receiver: ${req.method} ${url.pathname}${url.search} ${body.length} B`);
    return entry;
  }

  function handleHook(req, res, url, body) {
    cors(req, res, url);
    const q = url.searchParams;
    const entry = record(req, url, body);
    // An answer that never left (the connection closed first) is a lost answer.
    res.on("close", () => {
      if (!res.writableFinished) entry.answerLost = true;
    });
    const count = (counters.get(url.pathname) || 0) + 1;
    counters.set(url.pathname, count);
    const answer = (status, headers = {}) => {
      entry.status = status;
      res.writeHead(status, { "Content-Type": "application/json", ...headers });
      res.end(JSON.stringify({ ok: status < 300, id: entry.id }));
    };
    if (q.get("redirect")) return answer(Number(q.get("redirectStatus") || 307), { Location: q.get("redirect") });
    if (q.get("auth") === "oauth") {
      const want = oauth.valid && "Bearer " + oauth.valid;
      if (!want || req.headers.authorization !== want) return answer(401);
    }
    const chaos = Number(q.get("chaos") || 0);
    if (chaos > 0 && Math.random() < chaos) {
      faults.total++;
      entry.fault = true;
      switch (randomInt(5)) {
        case 0:
          faults.status500++;
          return answer(500);
        case 1:
          faults.status503++;
          return answer(503);
        case 2:
          faults.status429++;
          return answer(429, { "Retry-After": "1" });
        case 3:
          // Hang past the client's timeout: the request arrived, its answer
          // is lost (the connection is closed without one).
          faults.hang++;
          entry.status = "hang";
          hanging.add(res);
          setTimeout(() => {
            hanging.delete(res);
            // Still open: the client did not give up (a keepalive request
            // of a page that went away has no timeout any more). Closing it
            // now is a dropped connection, which the browser may retry.
            if (!req.socket.destroyed) entry.hangDropped = true;
            req.socket.destroy();
          }, Number(q.get("hangMs") || 20000));
          return;
        default:
          faults.drop++;
          entry.status = "dropped";
          return req.socket.destroy();
      }
    }
    const fail = Number(q.get("fail") || 0);
    const status = Number(q.get("status") || (fail ? 503 : 200));
    const failing = fail ? count <= fail : status >= 300;
    const headers = failing && q.get("retryAfter") ? { "Retry-After": q.get("retryAfter") } : {};
    const reply = () => answer(failing ? status : 200, headers);
    const delay = Number(q.get("delay") || 0);
    if (delay > 0) setTimeout(reply, delay);
    else reply();
  }

  function handleToken(req, res, url, body) {
    cors(req, res, url);
    oauth.hits++;
    oauth.lastBody = body;
    const form = new URLSearchParams(body);
    if (form.get("grant_type") !== "client_credentials" || !form.get("client_id")) {
      return json(res, 400, { error: "invalid_request" });
    }
    const secret = url.searchParams.get("secret");
    if (secret && form.get("client_secret") !== secret) return json(res, 401, { error: "invalid_client" });
    const token = "tok-" + (oauth.issued.length + 1);
    oauth.issued.push(token);
    oauth.valid = token;
    json(res, 200, { access_token: token, token_type: "Bearer", expires_in: Number(url.searchParams.get("expires") || 3600) });
  }

  function handleApi(req, res, url) {
    cors(req, res, url);
    const bucket = url.searchParams.get("bucket");
    switch (url.pathname) {
      case "/api/requests":
        if (req.method === "DELETE") {
          if (bucket === null) requests.length = 0;
          else for (let i = requests.length - 1; i >= 0; i--) if (requests[i].bucket === bucket) requests.splice(i, 1);
          counters.clear();
          return json(res, 200, { ok: true });
        }
        return json(res, 200, bucket === null ? requests : requests.filter((r) => r.bucket === bucket));
      case "/api/stream":
        res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-store", Connection: "keep-alive" });
        res.write(": connected\n\n");
        streams.add(res);
        req.on("close", () => streams.delete(res));
        return;
      case "/api/oauth":
        if (req.method === "POST" && url.searchParams.get("revoke")) oauth.valid = null;
        if (req.method === "DELETE") Object.assign(oauth, { hits: 0, issued: [], valid: null, lastBody: null });
        return json(res, 200, oauth);
      case "/api/site-token": {
        if (req.method === "DELETE") {
          Object.assign(siteToken, { hits: 0, cookies: [] });
          return json(res, 200, siteToken);
        }
        siteToken.hits++;
        siteToken.cookies.push(req.headers.cookie ?? null);
        const session = /(?:^|;\s*)session=([^;]*)/.exec(req.headers.cookie || "");
        if (!session) return json(res, 401, { error: "not signed in" });
        return json(res, 200, { token: "site-" + session[1], expiresIn: 300 });
      }
      case "/api/stats": {
        const perBucket = {};
        for (const r of requests) perBucket[r.bucket] = (perBucket[r.bucket] || 0) + 1;
        return json(res, 200, { requests: requests.length, perBucket, faults, preflights, preflightPaths, siteToken });
      }
      default:
        return json(res, 404, { error: "unknown api" });
    }
  }

  // Returns true when it handled the request.
  function handle(req, res) {
    const url = new URL(req.url, "http://localhost");
    const p = url.pathname;
    if (!p.startsWith("/hook/") && p !== "/oauth/token" && !p.startsWith("/api/")) return false;
    if (req.method === "OPTIONS") {
      preflights++;
      preflightPaths.push(p);
      if (preflightPaths.length > 10000) preflightPaths.splice(0, 5000);
      cors(req, res, url);
      res.writeHead(204);
      res.end();
      return true;
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      try {
        if (p.startsWith("/hook/")) handleHook(req, res, url, body);
        else if (p === "/oauth/token") handleToken(req, res, url, body);
        else handleApi(req, res, url);
      } catch (e) {
        if (!res.headersSent) json(res, 500, { error: String(e) });
      }
    });
    req.on("error", () => {});
    return true;
  }

  function close() {
    for (const s of streams) s.end();
    for (const r of hanging) r.destroy();
  }

  return { handle, requests, oauth, faults, close };
}
