// Shared machinery of the stand-in servers: a loopback HTTP server per
// service that records every request it gets (method, path, query, headers,
// raw body) and answers through the service module's `handle` function.
//
// Control endpoints (not part of any real service; always CORS-open so a
// browser test page can read them):
//   GET    /__requests   every request received, oldest first (JSON)
//   DELETE /__requests   forget them (and reset rate-limit buckets)
//   POST   /__config     JSON { "rateLimits": false } turns the documented
//                        rate limits off (on by default)
//   GET    /__info       { name, docs, port }

import http from "node:http";
import zlib from "node:zlib";

/** A request as the stand-in saw it, kept byte for byte. */
function snapshot(req, raw, url) {
  const query = {};
  for (const [k, v] of url.searchParams) {
    if (k in query) query[k] = [].concat(query[k], v);
    else query[k] = v;
  }
  const headers = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  return {
    method: req.method,
    path: url.pathname,
    rawQuery: url.search.startsWith("?") ? url.search.slice(1) : url.search,
    query,
    headers,
    contentType: req.headers["content-type"] || null,
    body: raw.toString("utf8"),
    bodyBase64: raw.toString("base64"),
    bodyBytes: raw.length,
  };
}

const CONTROL_CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "content-type",
};

/**
 * The context a service's handler gets: the parsed request plus helpers.
 * A handler returns { status, headers?, body? } and may set `check` (a
 * record of what the stand-in found, e.g. GA4 validation messages) on the
 * returned object; it is stored with the request but never sent.
 */
export function makeContext(req, raw, url, state) {
  const ct = (req.headers["content-type"] || "").split(";")[0].trim().toLowerCase();
  return {
    method: req.method,
    path: url.pathname,
    url,
    query: url.searchParams,
    headers: req.headers,
    origin: req.headers.origin || null,
    contentType: ct,
    raw,
    text: () => raw.toString("utf8"),
    json: () => JSON.parse(raw.toString("utf8")),
    form: () => new URLSearchParams(raw.toString("utf8")),
    state,
    now: () => Date.now(),
  };
}

/** Fetch's CORS-safelisted request content types (a "simple" request). */
export const SIMPLE_TYPES = new Set(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]);

/** Gunzip a body when it is gzip (magic 1f 8b); otherwise the body as is. */
export function maybeGunzip(buf) {
  if (buf.length > 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      return zlib.gunzipSync(buf);
    } catch {
      return buf;
    }
  }
  return buf;
}

/**
 * A fixed-window-free token bucket: `capacity` requests at once, refilled at
 * `perSecond`. `take(key)` answers 0 when allowed, else the seconds to wait.
 */
export function bucket(capacity, perSecond) {
  const slots = new Map();
  return {
    take(key, now = Date.now()) {
      const s = slots.get(key) || { tokens: capacity, at: now };
      s.tokens = Math.min(capacity, s.tokens + ((now - s.at) / 1000) * perSecond);
      s.at = now;
      slots.set(key, s);
      if (s.tokens >= 1) {
        s.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - s.tokens) / perSecond));
    },
    reset() {
      slots.clear();
    },
  };
}

/**
 * A sliding-window counter: at most `max` hits per `windowMs` per key.
 * `take(key, n)` answers 0 when allowed, else the seconds to wait.
 */
export function windowLimit(max, windowMs) {
  const hits = new Map();
  return {
    take(key, n = 1, now = Date.now()) {
      const list = (hits.get(key) || []).filter((t) => now - t < windowMs);
      if (list.length + n > max) {
        hits.set(key, list);
        return Math.max(1, Math.ceil((windowMs - (now - list[0])) / 1000));
      }
      for (let i = 0; i < n; i++) list.push(now);
      hits.set(key, list);
      return 0;
    },
    reset() {
      hits.clear();
    },
  };
}

/** CORS answer headers that mirror the request's origin (and credentials). */
export function mirrorCors(ctx, { credentials = true } = {}) {
  const h = {};
  if (ctx.origin) {
    h["Access-Control-Allow-Origin"] = ctx.origin;
    h["Vary"] = "Origin";
    if (credentials) h["Access-Control-Allow-Credentials"] = "true";
  }
  return h;
}

/** A preflight answer that allows what the browser asks for. */
export function preflightAllowAll(ctx, { credentials = true, methods = "GET, POST, OPTIONS", maxAge = "600" } = {}) {
  const h = mirrorCors(ctx, { credentials });
  h["Access-Control-Allow-Methods"] = methods;
  const asked = ctx.headers["access-control-request-headers"];
  if (asked) h["Access-Control-Allow-Headers"] = asked;
  h["Access-Control-Max-Age"] = maxAge;
  return h;
}

export const json = (status, obj, headers = {}) => ({
  status,
  headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
  body: JSON.stringify(obj),
});
export const text = (status, str, headers = {}, type = "text/plain; charset=utf-8") => ({
  status,
  headers: { "Content-Type": type, ...headers },
  body: str,
});
export const empty = (status, headers = {}) => ({ status, headers, body: "" });

/**
 * Starts one stand-in. `service` is a module with `name`, `docs`,
 * `handle(ctx)`, optional `maxBodyBytes` (the server stops reading past it
 * and lets the handler answer `tooLarge(ctx)`), optional `init(state)`.
 * Resolves to { server, port, url, close }.
 */
export function serve(service, { port = 0, host = "127.0.0.1", quiet = true } = {}) {
  const state = { requests: [], seq: 0, rateLimits: true, limiters: [] };
  if (service.init) service.init(state);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, `http://${req.headers.host || host}`);
    const chunks = [];
    let size = 0;
    let truncated = false;
    const cap = service.maxBodyBytes || 64 * 1024 * 1024;
    req.on("data", (c) => {
      size += c.length;
      if (size > cap) {
        truncated = true;
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      // Control plane.
      if (url.pathname.startsWith("/__")) return control(req, res, url, raw, state, service, server);
      const ctx = makeContext(req, raw, url, state);
      ctx.bodyTooLarge = truncated;
      ctx.receivedBytes = size;
      let out;
      try {
        out = service.handle(ctx);
      } catch (e) {
        out = text(500, `stand-in error: ${e && e.message}`);
      }
      const rec = snapshot(req, raw, url);
      rec.seq = ++state.seq;
      rec.time = new Date().toISOString();
      rec.bodyBytes = size;
      if (truncated) rec.bodyTruncatedAt = cap;
      rec.response = { status: out.status, headers: out.headers || {}, body: out.body || "" };
      if (out.check !== undefined) rec.check = out.check;
      state.requests.push(rec);
      if (!quiet) console.log(`[${service.name}] ${req.method} ${url.pathname} -> ${out.status}`);
      res.writeHead(out.status, out.headers || {});
      res.end(out.body || "");
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const p = server.address().port;
      resolve({
        server,
        port: p,
        url: `http://${host}:${p}`,
        state,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

function control(req, res, url, raw, state, service, server) {
  const send = (status, obj) => {
    res.writeHead(status, { ...CONTROL_CORS, "Content-Type": "application/json; charset=utf-8" });
    res.end(obj === undefined ? "" : JSON.stringify(obj));
  };
  if (req.method === "OPTIONS") return send(204);
  if (url.pathname === "/__requests" && req.method === "GET") return send(200, state.requests);
  if (url.pathname === "/__requests" && req.method === "DELETE") {
    state.requests = [];
    for (const l of state.limiters) l.reset();
    return send(204);
  }
  if (url.pathname === "/__config" && req.method === "POST") {
    try {
      const cfg = JSON.parse(raw.toString("utf8") || "{}");
      if (typeof cfg.rateLimits === "boolean") state.rateLimits = cfg.rateLimits;
      return send(200, { rateLimits: state.rateLimits });
    } catch {
      return send(400, { error: "body must be JSON" });
    }
  }
  if (url.pathname === "/__info") return send(200, { name: service.name, docs: service.docs, port: server.address().port });
  return send(404, { error: "unknown control endpoint" });
}

/** Registers a limiter so DELETE /__requests resets it too. */
export function track(state, limiter) {
  state.limiters.push(limiter);
  return limiter;
}
