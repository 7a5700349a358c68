// Starts every stand-in on loopback, one port each, from a base port in a
// fixed order (so a test can compute the URLs):
//
//   node tests/standins/index.mjs [--port 9100] [--host 127.0.0.1] [--only slack,ga4] [--verbose]
//
// prints one JSON line { service: "http://127.0.0.1:PORT", … } once all
// listen, and keeps running until SIGINT/SIGTERM. `--port 0` picks free
// ports. Imported, `startAll(options)` does the same and resolves to
// { urls, servers, close() }.
import { pathToFileURL } from "node:url";
import { serve } from "./common.mjs";
import * as slack from "./slack.mjs";
import * as mixpanel from "./mixpanel.mjs";
import * as amplitude from "./amplitude.mjs";
import * as posthog from "./posthog.mjs";
import * as segment from "./segment.mjs";
import * as ga4 from "./ga4.mjs";
import * as zapier from "./zapier.mjs";
import * as n8n from "./n8n.mjs";
import * as make from "./make.mjs";
import * as teams from "./teams.mjs";
import * as googlechat from "./googlechat.mjs";
import * as heap from "./heap.mjs";
import * as discord from "./discord.mjs";

/** The stand-ins, in port order (base + index). Append only. */
export const SERVICES = [slack, mixpanel, amplitude, posthog, segment, ga4, zapier, n8n, make, teams, googlechat, heap, discord];

export async function startAll({ port = 9100, host = "127.0.0.1", only = null, quiet = true } = {}) {
  const servers = {};
  const urls = {};
  try {
    for (const [i, svc] of SERVICES.entries()) {
      if (only && !only.includes(svc.name)) continue;
      const s = await serve(svc, { port: port === 0 ? 0 : port + i, host, quiet });
      servers[svc.name] = s;
      urls[svc.name] = s.url;
    }
  } catch (e) {
    await Promise.all(Object.values(servers).map((s) => s.close()));
    throw e;
  }
  return { urls, servers, close: () => Promise.all(Object.values(servers).map((s) => s.close())) };
}

function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const only = arg("--only", null);
  const all = await startAll({
    port: Number(arg("--port", "9100")),
    host: arg("--host", "127.0.0.1"),
    only: only ? only.split(",") : null,
    quiet: !process.argv.includes("--verbose"),
  });
  console.log(JSON.stringify(all.urls));
  const stop = () => all.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
