// The dev server: serves www/ (demo app, editor) and the built package at
// /pkg/, with the local receiver on the same origin (and, optionally, on
// extra ports, to act as separate destinations).
//
//   node www/server.mjs [--port 8080] [--host 127.0.0.1] [--receiver-ports 8791,8792] [--data-dir DIR] [--quiet]
//
// Published settings are served at /settings/walkme-webhooks.json (see
// settings-store.mjs), kept in --data-dir (default .data/ of the checkout).

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, dirname, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { createReceiver } from "./receiver.mjs";
import { createSettingsStore } from "./settings-store.mjs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ts": "text/plain; charset=utf-8",
};

function arg(name, fallback) {
  const i = process.argv.indexOf("--" + name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

// Content Security Policy of the demo pages: the strict policy a customer
// page can keep with the module (see README, "Content Security Policy").
export function csp(extraConnect = []) {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self' " + ["http://127.0.0.1:*", "http://localhost:*", ...extraConnect].join(" "),
    "frame-ancestors 'self'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join("; ");
}

async function serveFile(res, file, connect, noWorker) {
  try {
    const s = await stat(file);
    if (s.isDirectory()) return serveFile(res, join(file, "index.html"), connect, noWorker);
    const body = await readFile(file);
    const type = TYPES[extname(file)] || "application/octet-stream";
    const headers = { "Content-Type": type, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" };
    if (type.startsWith("text/html")) {
      // Test pages may narrow connect-src to exact origins: ?connect=a,b
      let policy = connect ? csp([]).replace(/connect-src [^;]*/, "connect-src 'self' " + connect.join(" ")) : csp();
      // ?noworker=1: a policy that allows no blob: worker.
      if (noWorker) policy = policy.replace("worker-src 'self' blob:", "worker-src 'self'");
      headers["Content-Security-Policy"] = policy;
    }
    res.writeHead(200, headers);
    res.end(body);
  } catch {
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end("not found");
  }
}

export function startServer({ port = 8080, host = "127.0.0.1", receiverPorts = [], quiet = false, dataDir } = {}) {
  const receiver = createReceiver();
  // Published settings: the dev server keeps them in .data/ (not in git);
  // a test server (port 0) in a directory of its own.
  const settings = createSettingsStore(dataDir || (port === 0 ? mkdtempSync(join(tmpdir(), "walkme-webhooks-")) : join(root, ".data")));
  const handler = (req, res) => {
    if (receiver.handle(req, res)) return;
    if (settings.handle(req, res)) return;
    const url = new URL(req.url, "http://localhost");
    let path = decodeURIComponent(url.pathname);
    let base = join(here);
    if (path.startsWith("/pkg/")) {
      base = join(root, "pkg");
      path = path.slice(4);
    } else if (path.startsWith("/test/")) {
      // Pages the browser tests drive (the chaos lab, the CSP checks).
      base = join(root, "tests/e2e/pages");
      path = path.slice(5);
    }
    const file = normalize(join(base, path));
    if (!file.startsWith(base + sep) && file !== base) {
      res.writeHead(403);
      return res.end();
    }
    const connect = path.startsWith("/") && url.pathname.startsWith("/test/") && url.searchParams.get("connect");
    const noWorker = url.pathname.startsWith("/test/") && url.searchParams.get("noworker") === "1";
    serveFile(res, file, connect ? connect.split(",") : null, noWorker);
  };
  const servers = [];
  const listen = (p, onlyReceiver) =>
    new Promise((resolve, reject) => {
      const s = createServer(
        onlyReceiver
          ? (req, res) => {
              if (!receiver.handle(req, res)) {
                res.writeHead(404);
                res.end();
              }
            }
          : handler
      );
      s.keepAliveTimeout = 5000;
      s.on("error", reject);
      s.listen(p, host, () => resolve(s));
      servers.push(s);
    });
  const ready = (async () => {
    const main = await listen(port, false);
    const extra = [];
    for (const p of receiverPorts) extra.push((await listen(p, true)).address().port);
    const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${main.address().port}/`;
    if (!quiet) {
      console.log(`walkme-webhooks demo: ${url}`);
      console.log(`  editor:   ${url}editor.html`);
      console.log(`  receiver: ${url}receiver.html (requests to ${url}hook/...)`);
      if (extra.length) console.log(`  extra receivers on ports ${extra.join(", ")}`);
    }
    return { url, port: main.address().port, receiverPorts: extra };
  })();
  return {
    ready,
    receiver,
    settings,
    close: () => {
      receiver.close();
      for (const s of servers) {
        s.closeAllConnections?.();
        s.close();
      }
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = startServer({
    port: Number(arg("port", process.env.PORT || 8080)),
    host: arg("host", "127.0.0.1"),
    receiverPorts: (arg("receiver-ports", "") || "").split(",").filter(Boolean).map(Number),
    quiet: process.argv.includes("--quiet"),
    dataDir: arg("data-dir", undefined),
  });
  s.ready.catch((e) => {
    console.error(`walkme-webhooks demo: cannot listen: ${e.message}`);
    process.exit(1);
  });
  const stop = () => {
    s.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
