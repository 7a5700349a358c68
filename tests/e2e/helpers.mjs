// Shared by the end-to-end tests: the demo server on a free port and
// Debian's Chromium driven by playwright-core (no browser download).
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../../www/server.mjs";

export const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const artifacts = join(root, "test-results");

export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

// `bfcache: true` keeps the back/forward cache on (Playwright turns it off by default).
export async function launch({ bfcache = false } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    headless: true,
    ignoreDefaultArgs: bfcache ? ["--disable-back-forward-cache"] : [],
  });
}

export async function serve(options = {}) {
  const server = startServer({ port: 0, quiet: true, ...options });
  const info = await server.ready;
  return { ...server, ...info };
}

export function screenshotPath(name) {
  mkdirSync(artifacts, { recursive: true });
  return join(artifacts, name);
}

// Fails the test on any uncaught error or console error in the page.
export function watchErrors(page) {
  const errors = [];
  page.on("pageerror", (e) => errors.push("pageerror: " + e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push("console: " + m.text());
  });
  return errors;
}

// Polls f() until it returns something truthy (and returns it).
export async function until(f, what, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The message line under a field (the last id of its aria-describedby).
export function msgOf(locator) {
  return locator.evaluate((el) => {
    const ids = (el.getAttribute("aria-describedby") || "").split(" ");
    return document.getElementById(ids[ids.length - 1])?.textContent ?? null;
  });
}

// What the server's local receiver recorded, per bucket.
export function receiverOf(server) {
  return {
    requests: async (bucket) => (await fetch(`${server.url}api/requests?bucket=${bucket}`)).json(),
    clear: (bucket) => fetch(`${server.url}api/requests?bucket=${bucket}`, { method: "DELETE" }),
  };
}

// The editor in a new page of `context`, once the module is loaded.
export async function openEditor(context, server, hash = "") {
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url + "editor.html" + hash);
  await page.waitForSelector("#main[data-ready=true]");
  return { page, errors };
}

// "+ NEW WEBHOOK", a name, "CONTINUE ›": the wizard.
export async function startNewWebhook(page, name) {
  await page.getByRole("button", { name: "+ NEW WEBHOOK" }).click();
  await page.getByLabel("Webhook name").fill(name);
  await page.getByRole("button", { name: "CONTINUE ›" }).click();
  const wizard = page.locator("dialog.wizard[open]");
  await wizard.waitFor();
  return wizard;
}
