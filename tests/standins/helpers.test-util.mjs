// Shared by the stand-in tests: start the stand-ins on free ports once per
// test file and give small request helpers.
import { startAll } from "./index.mjs";

export async function start(only) {
  const all = await startAll({ port: 0, only });
  return all;
}

export const ORIGIN = "https://app.example.com";

export async function post(url, body, { type, headers = {}, origin = ORIGIN } = {}) {
  const h = { ...headers };
  if (type) h["Content-Type"] = type;
  if (origin) h["Origin"] = origin;
  const res = await fetch(url, { method: "POST", headers: h, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export async function preflight(url, { method = "POST", headers = "content-type", origin = ORIGIN } = {}) {
  const res = await fetch(url, {
    method: "OPTIONS",
    headers: { Origin: origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers },
  });
  await res.arrayBuffer();
  return { status: res.status, headers: res.headers };
}

/** Would a browser accept this preflight for `header` from ORIGIN? */
export function preflightAllows(pre, header = "content-type", origin = ORIGIN) {
  const ao = pre.headers.get("access-control-allow-origin");
  if (!(pre.status >= 200 && pre.status < 300) || !(ao === "*" || ao === origin)) return false;
  const ah = (pre.headers.get("access-control-allow-headers") || "").toLowerCase().split(/\s*,\s*/);
  return ah.includes("*") || ah.includes(header.toLowerCase());
}

export async function requests(base) {
  return (await fetch(`${base}/__requests`)).json();
}

export async function reset(base) {
  await fetch(`${base}/__requests`, { method: "DELETE" });
}

export const form = (obj) => new URLSearchParams(Object.entries(obj).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])).toString();
