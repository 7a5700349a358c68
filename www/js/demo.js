// The demo host app ("Acme CRM"): the snippet's loader starts the module
// from the published settings file (or the built-in defaults) with DXA
// auto-capture; the app identifies the signed-in user, supplies tokens for
// destinations that publish none, follows new publishes at once and shows
// every event and delivery. The simulated WalkMe player
// (js/walkme-player.js, loaded by index.html) reaches the module through
// the player's own hooks, as the real one would.

import init, { SettingsError } from "/pkg/index.js";
import { h, clock, toast } from "./dom.js";
import { t, deliveryError } from "./i18n.js";
import { liveSettings, onPublished, recordDelivery } from "./store.js";
import { defaultSettings, localTokenUrl, LOCAL_CLIENT_ID } from "./default-settings.js";
import { createPlayer, onFire } from "./player.js";
import { mountDeliveries } from "./deliveries.js";

const SETTINGS_URL = "/settings/walkme-webhooks.json";

const status = document.getElementById("status");
const logEl = document.getElementById("log");
const logEmpty = document.getElementById("log-empty");
const statsEl = document.getElementById("stats");
const VIEWS = ["dashboard", "contacts", "reports", "billing"];

let settings = null;
let source = null; // "built-in" | publishedAt
let hooks = null;

// ---- the host app -------------------------------------------------------------

const app = {
  view: () => currentView(),
  navigate(view) {
    if (location.hash === "#/" + view) return;
    location.hash = "#/" + view;
    showView(); // at once: the player's next step looks for elements of that view
  },
  el: (sel) => {
    const el = document.querySelector(sel);
    return el && el.offsetParent !== null ? el : null;
  },
};

function currentView() {
  const v = location.hash.replace(/^#\/?/, "");
  return VIEWS.includes(v) ? v : "dashboard";
}

let shown = null;
function showView() {
  const view = currentView();
  if (view === shown) return;
  shown = view;
  for (const s of document.querySelectorAll("[data-view]")) s.hidden = s.dataset.view !== view;
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.title = `${view[0].toUpperCase() + view.slice(1)} · Acme CRM`;
  player.viewChanged(view);
}

// Bars of the dashboard chart: heights are data, set through the CSSOM.
const bars = document.getElementById("bars");
for (const [m, n] of [
  ["Jan", 12],
  ["Feb", 15],
  ["Mar", 14],
  ["Apr", 21],
  ["May", 26],
  ["Jun", 31],
]) {
  const bar = h("span", { class: "bar" }, h("span", { class: "n" }, String(n)));
  bar.style.height = `${(n / 31) * 100}%`;
  bars.append(h("div", { class: "col" }, bar, h("span", { class: "m" }, m)));
}

const player = createPlayer(app, document.getElementById("wm-layer"));

// Launchers sit in the host page, next to what they explain.
document.getElementById("launcher-whats-new").append(player.launcher("launcher-whats-new", "What's new", () => player.showShoutOut()));
document.getElementById("launcher-guide-me").append(player.launcher("launcher-guide-me", "Guide me", () => player.playWalkThru("launcher")));
document.querySelector(".wm-widget").addEventListener("click", () => player.openMenu("help", "widget"));

const emailTip = player.attachSmartTip(document.getElementById("contact-email"), document.getElementById("tip-host"));

const form = document.getElementById("contact-form");
form.addEventListener("submit", (e) => {
  e.preventDefault();
  const msg = document.getElementById("contact-msg");
  const name = form.elements.name.value.trim();
  if (!name) {
    msg.className = "msg error";
    msg.textContent = "Enter the contact's name.";
    form.elements.name.setAttribute("aria-invalid", "true");
    form.elements.name.focus();
    return;
  }
  form.elements.name.removeAttribute("aria-invalid");
  if (!emailTip.validate()) {
    msg.className = "msg error";
    msg.textContent = "Check the e-mail address.";
    return;
  }
  const company = form.elements.company.value.trim() || "—";
  document.querySelector("#contacts-table tbody").prepend(
    h("tr", { class: "fresh" }, h("td", null, name, h("div", { class: "sub" }, form.elements.email.value.trim())), h("td", null, company), h("td", null, h("span", { class: "chip-sm" }, form.elements.stage.value)))
  );
  msg.className = "msg ok";
  msg.textContent = `Saved ${name}.`;
  form.reset();
  player.contactSaved();
});

const playerButtons = [
  ["Show ShoutOut", () => player.showShoutOut()],
  ["Show NPS survey", () => player.showSurvey()],
  ["Play Smart Walk-Thru", () => player.playWalkThru("player")],
  ["Play broken Walk-Thru", () => player.playBrokenWalkThru("player")],
  ["Open menu", () => player.openMenu("help", "player")],
  ["Onboarding tasks", () => player.openMenu("tasks", "player")],
  ["TeachMe course", () => player.openMenu("courses", "player")],
];
document.getElementById("player-buttons").append(...playerButtons.map(([label, run]) => h("button", { type: "button", class: "btn small", onclick: run }, label)));

addEventListener("hashchange", showView);
showView();

// ---- the log --------------------------------------------------------------------

const ICON = { delivered: "✓", sent: "↗", retry: "↻", failed: "✕", dropped: "⊘" };

function addLog(entry) {
  logEmpty.hidden = true;
  logEl.prepend(entry);
  while (logEl.children.length > 120) logEl.lastElementChild.remove();
}

// What the player did: the catalog event it stands for, and the player's own
// event the module hears it as (events that stand for none are left out).
onFire(({ name, type, properties: p }) => {
  if (!type) return;
  const what = p["item.name"] || p["course.name"] || p["menu.query"] || p["menu.trigger"] || "";
  addLog(
    h(
      "li",
      { class: "ev", dataset: { type, player: name } },
      h("span", { class: "ico", "aria-hidden": "true" }, "▶"),
      h("span", { class: "t" }, h("code", null, type), what && h("span", { class: "muted" }, " · " + what), h("span", { class: "via" }, "player event " + name)),
      h("time", null, clock(Date.now()))
    )
  );
});

function webhookName(id) {
  const w = settings && settings.webhooks.find((x) => x.id === id);
  return w ? w.name || w.id : id || "module";
}

function onDelivery(r) {
  recordDelivery(r);
  addLog(
    h(
      "li",
      { class: "dl " + r.outcome, dataset: { webhook: r.webhookId || "", outcome: r.outcome } },
      h("span", { class: "ico", "aria-hidden": "true" }, ICON[r.outcome] || "•"),
      h(
        "span",
        { class: "t" },
        h("b", null, webhookName(r.webhookId)),
        h("span", { class: "badge " + r.outcome }, r.outcome + (r.status ? " " + r.status : "")),
        h("span", { class: "muted" }, ` ${Math.round(r.ms || 0)} ms${r.attempt > 1 ? ` · attempt ${r.attempt}` : ""}`),
        r.error && h("span", { class: "err" }, deliveryError(r.error))
      ),
      h("time", null, clock(Date.now()))
    )
  );
  renderStats();
}

function renderStats() {
  if (!hooks) return;
  const s = hooks.stats();
  statsEl.replaceChildren(
    ...[
      ["matched", s.matched],
      ["delivered", s.delivered],
      ["sent", s.opaque],
      ["retrying", s.retrying],
      ["failed", s.failed + s.dropped],
    ].map(([k, v]) => h("div", { dataset: { stat: k } }, h("dt", null, k), h("dd", null, String(v))))
  );
}

// ---- the module -------------------------------------------------------------------

// Destinations that publish no secret get their token from "the app's
// backend" (here the dev server's OAuth endpoint), never from the settings.
function provideTokens() {
  for (const d of settings.destinations) {
    const a = d.auth || { type: "none" };
    // A token from the app's own site (tokenFrom) needs no provider.
    const secret = a.type === "bearer" ? a.token || a.tokenFrom : a.type === "basic" ? a.password : a.type === "oauth2" ? a.clientSecret : "x";
    if (a.type !== "none" && !secret) {
      hooks.setTokenProvider(d.id, async () => {
        const res = await fetch(localTokenUrl(location.origin), {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: "grant_type=client_credentials&client_id=" + LOCAL_CLIENT_ID,
        });
        const j = await res.json();
        return { token: j.access_token, expiresIn: j.expires_in };
      });
    }
  }
}

function showStatus() {
  const n = settings.webhooks.filter((w) => w.enabled !== false).length;
  status.replaceChildren(
    h("span", { class: "pulse", "aria-hidden": "true" }),
    `Module running · ${t("count.webhooks", { n })} · `,
    source === "built-in" ? "built-in settings" : `published ${clock(source)}`
  );
  status.dataset.ready = "true";
  status.dataset.webhooks = String(n);
  status.dataset.source = source === "built-in" ? "built-in" : String(source);
}

function apply(entry) {
  const next = entry && entry.settings ? entry.settings : defaultSettings(location.origin);
  try {
    hooks.update(next);
  } catch (e) {
    const errors = e instanceof SettingsError ? e.errors : [{ path: "$", message: String(e) }];
    toast(`Published settings refused (${errors.length} problem${errors.length > 1 ? "s" : ""}); the app keeps the ones it had. ${errors[0].path}: ${errors[0].message}`, { kind: "error", timeout: 10000 });
    return;
  }
  settings = next;
  source = entry && entry.settings ? entry.publishedAt : "built-in";
  provideTokens();
  showStatus();
  toast(`New settings published: ${t("count.webhooks", { n: settings.webhooks.filter((w) => w.enabled !== false).length })} active.`, { kind: "ok" });
  addLog(h("li", { class: "sys" }, h("span", { class: "ico", "aria-hidden": "true" }, "⟳"), h("span", { class: "t" }, "Settings published and applied"), h("time", null, clock(Date.now()))));
}

try {
  // The snippet's way in: the loader starts the module from the published
  // settings file (kept with its ETag, revalidated on every load), with the
  // last settings published in this browser, or the built-in ones, while
  // nothing is published there.
  const live = liveSettings();
  settings = live.settings;
  source = live.builtIn ? "built-in" : live.publishedAt;
  window.walkmeWebhookSettingsUrl = SETTINGS_URL;
  window.walkmeWebhookSettings = settings;
  window.walkmeWebhookOptions = { autoCapture: true };
  hooks = await new Promise((resolve, reject) => {
    addEventListener("walkme:webhooks-ready", (e) => resolve(e.detail), { once: true });
    import("/pkg/loader.js").catch(reject);
  });
  await init(); // the loader's instance: already loaded
  window.walkmeWebhooks = hooks;
  hooks.identify("u-1042", { plan: "pro", role: "admin", company: "Northwind" });
  provideTokens();
  hooks.onDelivery(onDelivery);
  mountDeliveries(hooks, { webhookName });
  onPublished(apply);
  showStatus();
  renderStats();
  setInterval(renderStats, 2000);
} catch (e) {
  status.textContent = "The module did not load: " + (e && e.message ? e.message : e);
  console.error(e);
}
