// The benchmark's page server: bench/pages/ at /bench/, the built package at
// /pkg/ and Segment analytics-next's browser bundle (from node_modules, never
// a CDN) at /seg/analytics-next/bundles/. Pages are cross-origin isolated
// (COOP + COEP) so performance.now() has its fine resolution; the receiver is
// the dev server's, on another port (another origin, like a real destination).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
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
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        "Content-Type": TYPES[extname(file)] || "application/octet-stream",
        "Cache-Control": "no-cache",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Embedder-Policy": "require-corp",
        "Cross-Origin-Resource-Policy": "same-origin",
      });
      res.end(body);
    } catch {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("not found");
    }
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
