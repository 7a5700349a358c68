// The published settings file, as a CDN would serve it next to the snippet:
//
//   GET /settings/walkme-webhooks.json   the settings, with a strong ETag and
//                                        Cache-Control: no-cache (revalidate
//                                        every time); If-None-Match -> 304;
//                                        204 while nothing is published (the
//                                        loader then uses its inline settings;
//                                        it takes a CDN's 404 alike)
//   PUT /settings/walkme-webhooks.json   publish (the editor): needs
//                                        If-Match: <the ETag it loaded>, or
//                                        If-None-Match: * for the first
//                                        publish; a mismatch is 412 (someone
//                                        else published first), neither 428
//
// The file lives in a data directory (the dev server's own, or a temporary
// one per test server), never in the repository.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";

export const SETTINGS_PATH = "/settings/walkme-webhooks.json";
const MAX_BYTES = 1024 * 1024;

export function createSettingsStore(dir) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "walkme-webhooks.json");
  const current = () => {
    try {
      const text = readFileSync(file, "utf8");
      return { text, etag: '"' + createHash("sha256").update(text).digest("hex").slice(0, 32) + '"' };
    } catch (_) {
      return null;
    }
  };
  const send = (res, status, headers, body) => {
    res.writeHead(status, { "Cache-Control": "no-cache", ...headers });
    res.end(body);
  };
  const store = {
    file,
    // What it answered, for the tests.
    stats: { gets: 0, notModified: 0, puts: 0, conflicts: 0 },
    // Tests set an HTTP status here to make the file fail (a CDN outage).
    fail: 0,
    handle(req, res) {
      const path = new URL(req.url, "http://localhost").pathname;
      if (path !== SETTINGS_PATH) return false;
      if (store.fail) return send(res, store.fail, { "Content-Type": "text/plain" }, "unavailable"), true;
      const now = current();
      if (req.method === "GET" || req.method === "HEAD") {
        store.stats.gets++;
        if (!now) return send(res, 204, {}), true;
        if (req.headers["if-none-match"] === now.etag) {
          store.stats.notModified++;
          return send(res, 304, { ETag: now.etag }), true;
        }
        send(res, 200, { "Content-Type": "application/json", ETag: now.etag }, req.method === "HEAD" ? undefined : now.text);
        return true;
      }
      if (req.method !== "PUT") return send(res, 405, { Allow: "GET, HEAD, PUT" }), true;
      const ifMatch = req.headers["if-match"];
      const ifNone = req.headers["if-none-match"];
      if (!ifMatch && ifNone !== "*") return send(res, 428, { "Content-Type": "application/json" }, '{"error":"publish with If-Match: <the ETag you loaded>, or If-None-Match: * the first time"}'), true;
      store.stats.puts++;
      if ((ifMatch && (!now || ifMatch !== now.etag)) || (ifNone === "*" && now)) {
        store.stats.conflicts++;
        return send(res, 412, { "Content-Type": "application/json", ...(now ? { ETag: now.etag } : {}) }, '{"error":"someone else published since"}'), true;
      }
      const chunks = [];
      let size = 0;
      req.on("data", (c) => {
        size += c.length;
        if (size <= MAX_BYTES) chunks.push(c);
      });
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let doc;
        try {
          doc = JSON.parse(text);
        } catch (_) {}
        if (size > MAX_BYTES || !doc || doc.version !== 1) return send(res, 400, { "Content-Type": "application/json" }, '{"error":"not a settings v1 document"}');
        const tmp = file + ".tmp";
        writeFileSync(tmp, text);
        renameSync(tmp, file);
        const after = current();
        send(res, now ? 200 : 201, { "Content-Type": "application/json", ETag: after.etag }, JSON.stringify({ etag: after.etag }));
      });
      return true;
    },
  };
  return store;
}
