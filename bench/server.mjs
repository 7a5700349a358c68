// The benchmark's page server: bench/pages/ at /bench/, the built package at
// /pkg/ and Segment analytics-next's browser bundle (from node_modules, never
// a CDN) at /seg/analytics-next/bundles/. Pages are cross-origin isolated
// (COOP + COEP) so performance.now() has its fine resolution; the receiver is
// the dev server's, on another port (another origin, like a real destination).
// Responses are gzip-encoded (gzip -9, compressed once per file version and
// kept in memory) when the request accepts gzip, as a CDN would deliver them:
// what a page downloads, and how long that takes, are the encoded sizes.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { extname, join, normalize, sep, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const SEGMENT_DIST = join(root, "node_modules/@segment/analytics-next/dist/umd");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

const ROUTES = [
  ["/bench/", join(root, "bench/pages")],
  ["/pkg/", join(root, "pkg")],
  ["/seg/analytics-next/bundles/", SEGMENT_DIST],
];

// file -> { mtimeMs, size, body, gzip }: read and compressed once per version
// of the file (a rebuild of pkg/ is picked up).
const cache = new Map();
async function load(file) {
  const st = await stat(file);
  if (!st.isFile()) throw new Error("not a file");
  let c = cache.get(file);
  if (!c || c.mtimeMs !== st.mtimeMs || c.size !== st.size) {
    const body = await readFile(file);
    c = { mtimeMs: st.mtimeMs, size: st.size, body, gzip: gzipSync(body, { level: 9 }) };
    cache.set(file, c);
  }
  return c;
}

// Whether an Accept-Encoding header accepts gzip (listed, or "*", without q=0).
export function acceptsGzip(header) {
  let gzip = null;
  let star = null;
  for (const part of String(header || "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const qp = params.map((x) => x.trim()).find((x) => x.startsWith("q="));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (name === "gzip" || name === "x-gzip") gzip = q > 0;
    else if (name === "*") star = q > 0;
  }
  return gzip ?? star ?? false;
}

export function startBenchServer({ host = "127.0.0.1", port = 0 } = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
    const route = ROUTES.find(([prefix]) => path.startsWith(prefix));
    if (!route) {
      res.writeHead(404, { "Content-Type": "text/plain" });
      return res.end("not found");
    }
    const [prefix, base] = route;
    const file = normalize(join(base, path.slice(prefix.length)));
    if (!file.startsWith(base + sep)) {
      res.writeHead(403);
      return res.end();
    }
    let c;
    try {
      c = await load(file);
    } catch {
      res.writeHead(404, { "Content-Type": "text/plain" });
      return res.end("not found");
    }
    const gzip = acceptsGzip(req.headers["accept-encoding"]);
    const body = gzip ? c.gzip : c.body;
    res.writeHead(200, {
      "Content-Type": TYPES[extname(file)] || "application/octet-stream",
      "Content-Length": body.length,
      ...(gzip ? { "Content-Encoding": "gzip" } : {}),
      Vary: "Accept-Encoding",
      "Cache-Control": "no-cache",
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cross-Origin-Resource-Policy": "same-origin",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  server.keepAliveTimeout = 5000;
  const ready = new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(port, host, () => resolve(`http://${host}:${server.address().port}`));
  });
  return {
    ready,
    close: () => {
      server.closeAllConnections?.();
      server.close();
    },
  };
}
