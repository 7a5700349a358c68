// The local receiver view: every request the dev server's /hook/... endpoint
// recorded (GET /api/requests), then each new one as it arrives (Server-Sent
// Events from /api/stream).

import { h, mount, clock, pretty, codeBlock } from "./dom.js";

const list = document.getElementById("requests");
const empty = document.getElementById("empty");
const count = document.getElementById("count");
const bucketSel = document.getElementById("bucket");
const filter = document.getElementById("filter");
const live = document.getElementById("live");
const liveText = document.getElementById("live-text");
document.getElementById("endpoint").textContent = `${location.origin}/hook/<bucket>/…`;

const MAX = 300;
const all = new Map(); // id -> entry
const buckets = new Set();

function statusClass(s) {
  return typeof s === "number" ? "status s" + String(s)[0] : "status";
}

function header(entry, name) {
  return entry.headers && entry.headers[name];
}

function item(e, fresh) {
  const q = e.rawQuery || "";
  const headers = Object.entries(e.headers || {});
  const type = header(e, "content-type") || "no content-type";
  return h(
    "li",
    { class: "req card" + (fresh ? " fresh" : ""), dataset: { id: e.id, bucket: e.bucket } },
    h(
      "div",
      { class: "req-head" },
      h("span", { class: "method" }, e.method),
      h("code", { class: "path" }, e.path, q && h("span", { class: "q" }, q)),
      h("span", { class: "chip-sm" }, e.bucket || "(none)"),
      h("span", { class: statusClass(e.status), dataset: { status: e.status ?? "" } }, e.status != null ? String(e.status) : "…"),
      h("time", { datetime: new Date(e.at).toISOString() }, clock(e.at))
    ),
    h("p", { class: "req-meta" }, `#${e.id} · ${type} · ${new TextEncoder().encode(e.body || "").length} B`, header(e, "origin") ? ` · from ${header(e, "origin")}` : "", header(e, "authorization") ? " · Authorization: " + String(header(e, "authorization")).replace(/^(\w+\s+).+$/, "$1•••") : ""),
    e.body ? codeBlock(pretty(e.body), `Body of request #${e.id}`, { class: "code body" }) : h("p", { class: "muted" }, "(no body)"),
    h(
      "details",
      { class: "hdrs" },
      h("summary", null, `Headers (${headers.length})`),
      h("table", { class: "headers" }, h("tbody", null, headers.map(([k, v]) => h("tr", null, h("th", { scope: "row" }, k), h("td", null, String(v))))))
    ),
    h("details", { class: "raw" }, h("summary", null, "Raw body"), codeBlock(e.body || "", `Raw body of request #${e.id}`))
  );
}

function matches(e) {
  if (bucketSel.value && e.bucket !== bucketSel.value) return false;
  const f = filter.value.trim().toLowerCase();
  if (!f) return true;
  return (e.path + (e.rawQuery || "") + " " + JSON.stringify(e.headers) + " " + (e.body || "")).toLowerCase().includes(f);
}

function render() {
  const shown = [...all.values()].filter(matches).sort((a, b) => b.id - a.id).slice(0, MAX);
  mount(list, shown.map((e) => item(e, false)));
  updateCount();
}

function updateCount() {
  const n = [...all.values()].filter(matches).length;
  count.textContent = `${n} request${n === 1 ? "" : "s"}${n > MAX ? ` (newest ${MAX} shown)` : ""}`;
  empty.hidden = all.size > 0;
  list.hidden = all.size === 0;
}

function addBucket(b) {
  if (b == null || buckets.has(b)) return;
  buckets.add(b);
  bucketSel.append(h("option", { value: b }, b || "(none)"));
}

function add(e) {
  if (all.has(e.id)) return;
  all.set(e.id, e);
  addBucket(e.bucket);
  if (matches(e)) {
    list.prepend(item(e, true));
    while (list.children.length > MAX) list.lastElementChild.remove();
  }
  updateCount();
  refreshStatusSoon();
}

// The stream sends a request when it arrives, before it is answered: fetch
// the answers shortly after.
let statusTimer = 0;
function refreshStatusSoon() {
  clearTimeout(statusTimer);
  statusTimer = setTimeout(async () => {
    try {
      const res = await fetch("/api/requests", { cache: "no-store" });
      for (const e of await res.json()) {
        const known = all.get(e.id);
        if (!known || known.status === e.status) continue;
        known.status = e.status;
        const el = list.querySelector(`li[data-id="${e.id}"] .status`);
        if (el) {
          el.className = statusClass(e.status);
          el.dataset.status = e.status ?? "";
          el.textContent = e.status != null ? String(e.status) : "…";
        }
      }
    } catch (_) {}
  }, 400);
}

function setLive(state, text) {
  live.dataset.state = state;
  liveText.textContent = text;
}

async function load() {
  const res = await fetch("/api/requests", { cache: "no-store" });
  const entries = await res.json();
  for (const e of entries.slice(-5000)) {
    all.set(e.id, e);
    addBucket(e.bucket);
  }
  render();
}

function connect() {
  const es = new EventSource("/api/stream");
  es.onopen = () => setLive("on", "Live");
  es.onmessage = (m) => {
    try {
      add(JSON.parse(m.data));
    } catch (_) {}
  };
  es.onerror = () => setLive("off", "Reconnecting…");
}

bucketSel.addEventListener("change", render);
filter.addEventListener("input", render);
document.getElementById("clear").addEventListener("click", async () => {
  const b = bucketSel.value;
  await fetch("/api/requests" + (b ? "?bucket=" + encodeURIComponent(b) : ""), { method: "DELETE" });
  for (const [id, e] of all) if (!b || e.bucket === b) all.delete(id);
  render();
});

connect();
load().then(
  () => (document.body.dataset.ready = "true"),
  (e) => setLive("off", "Receiver unavailable: " + e.message)
);
