// Delivery history, as Segment, Svix and Zapier users know it: every
// attempt and drop the module reported (its hooks.history(): the last 200
// reports of the site, kept across reloads), newest first, searchable and
// filtered by webhook and outcome. "Replay" sends a failed or dropped
// delivery again (hooks.replay(key), for the keys of hooks.replayable()).
//
// Two places show it: the demo app, where the module runs and replay is
// one click (mountDeliveries, below), and the editor's Deliveries page,
// which reads the site's history from localStorage (read-only: the app's
// module owns it) and sends people to the app to replay.

import { h, clock, ago, select, uid, showModal, toast } from "./dom.js";
import { t, lang, deliveryError } from "./i18n.js";
import { liveSettings } from "./store.js";

/** Where the runtime keeps the site's delivery history (localStorage, same origin as the app). */
export const HISTORY_KEY = "wmwh2-history";
/** Where it keeps the records of failed and dropped deliveries it can replay: [[key, record]]. */
export const PARKED_KEY = "wmwh2-parked";

const OUTCOMES = ["delivered", "sent", "retry", "failed", "dropped", "skipped"];

function readList(key) {
  try {
    const v = JSON.parse(localStorage.getItem(key) || "[]");
    return Array.isArray(v) ? v : [];
  } catch (_) {
    return [];
  }
}

/** The site's delivery history as the app's module left it (oldest first); read-only. */
export function readHistory() {
  return readList(HISTORY_KEY).filter((e) => e && typeof e === "object");
}

/** The keys the app's module can replay; read-only. */
export function readReplayable() {
  return new Set(readList(PARKED_KEY).map((p) => (Array.isArray(p) ? p[0] : null)).filter(Boolean));
}

/**
 * The history table with its search and filters.
 * opts: {
 *   describe(entry) -> { webhook, event }: names for a row;
 *   replay: { run(key) -> boolean } to offer "Replay" (the app), or
 *   appLink(key) -> href to offer "Replay in the app" (the editor);
 *   query: initial search text;
 * }
 * Returns { el, update(entries, replayableKeys) }.
 */
export function historyView(opts) {
  const f = { q: opts.query || "", webhook: "", outcome: "" };
  let entries = [];
  let replayable = new Set();
  const count = h("p", { class: "count", "aria-live": "polite" });
  const tbody = h("tbody");
  const table = h(
    "div",
    { class: "card flush" },
    h(
      "table",
      { class: "table responsive deliveries" },
      h("caption", { class: "sr-only" }, t("deliveries.caption")),
      h("thead", null, h("tr", null, ["when", "webhook", "outcome", "attempt", "error"].map((k) => h("th", { scope: "col" }, t("deliveries.col." + k))), h("th", { scope: "col" }, h("span", { class: "sr-only" }, t("deliveries.col.actions"))))),
      tbody
    )
  );
  const none = h("div", { class: "empty card", hidden: true }, h("h2", null, t("deliveries.noneTitle")), h("p", null, t("deliveries.noneText")));
  const empty = h("div", { class: "empty card", hidden: true }, h("h2", null, t("deliveries.emptyTitle")), h("p", null, t("deliveries.emptyText")));

  const search = h("input", { type: "search", autocomplete: "off", spellcheck: "false", placeholder: t("deliveries.searchPlaceholder"), value: f.q });
  search.addEventListener("input", () => ((f.q = search.value), rows()));
  const webhookSel = select([{ value: "", label: t("deliveries.allWebhooks") }], "");
  webhookSel.addEventListener("change", () => ((f.webhook = webhookSel.value), rows()));
  const outcomeSel = select([{ value: "", label: t("deliveries.allOutcomes") }, ...OUTCOMES.map((o) => ({ value: o, label: t("outcome." + o) }))], "");
  outcomeSel.addEventListener("change", () => ((f.outcome = outcomeSel.value), rows()));
  const clear = h(
    "button",
    {
      type: "button",
      class: "btn ghost small",
      onclick: () => {
        Object.assign(f, { q: "", webhook: "", outcome: "" });
        search.value = webhookSel.value = outcomeSel.value = "";
        rows();
        search.focus();
      },
    },
    t("filter.clear")
  );
  const labelled = (label, input) => {
    input.id = uid("dflt");
    return h("div", { class: "field" }, h("label", { for: input.id }, label), input);
  };
  const toolbar = h(
    "div",
    { class: "toolbar card filters", role: "search", "aria-label": t("deliveries.filterLabel") },
    labelled(t("filter.search"), search),
    labelled(t("deliveries.webhook"), webhookSel),
    labelled(t("deliveries.outcome"), outcomeSel),
    h("div", { class: "filter-status" }, count, clear)
  );

  const names = (e) => opts.describe(e);
  const text = (e) => {
    const n = names(e);
    return [n.webhook, n.event, e.webhookId, e.eventId, e.key, e.outcome, t("outcome." + e.outcome), e.status, e.error, e.destinationId].filter((x) => x != null && x !== "").join(" ").toLowerCase();
  };
  const passes = (e) => {
    if (f.webhook && (e.webhookId || "") !== f.webhook) return false;
    if (f.outcome && e.outcome !== f.outcome) return false;
    const q = f.q.trim().toLowerCase();
    return !q || text(e).includes(q);
  };

  function row(e, newestOfKey) {
    const n = names(e);
    const when = new Date(e.at);
    const cell = (key, ...content) => h("td", { "data-label": t("deliveries.col." + key) }, h("div", { class: "cell" }, ...content));
    let action = null;
    const canReplay = newestOfKey && (e.outcome === "failed" || e.outcome === "dropped") && e.key && replayable.has(e.key);
    if (canReplay && opts.replay) {
      action = h(
        "button",
        {
          type: "button",
          class: "btn small",
          "aria-label": t("deliveries.replayLabel", { webhook: n.webhook, time: clock(e.at) }),
          onclick: () => {
            const ok = opts.replay.run(e.key);
            toast(t(ok ? "deliveries.replayed" : "deliveries.replayRefused", { webhook: n.webhook }), { kind: ok ? "ok" : "error" });
            opts.replay.after?.();
          },
        },
        t("deliveries.replay")
      );
    } else if (canReplay && opts.appLink) {
      action = h("a", { class: "btn small ghost", href: opts.appLink(e.key), "aria-label": t("deliveries.replayInAppLabel", { webhook: n.webhook, time: clock(e.at) }) }, t("deliveries.replayInApp"));
    }
    const status = e.status != null ? h("span", { class: "status s" + String(e.status)[0] }, String(e.status)) : null;
    return h(
      "tr",
      { dataset: { key: e.key || "", outcome: e.outcome || "", webhook: e.webhookId || "" } },
      cell("when", h("time", { datetime: when.toISOString(), title: when.toLocaleString(lang()) }, clock(e.at)), h("span", { class: "sub" }, ago(e.at))),
      cell(
        "webhook",
        h("span", { class: "wh-name" }, n.webhook),
        h("span", { class: "sub" }, n.event || (e.webhookId && n.webhook !== e.webhookId ? e.webhookId : "")),
        e.eventId ? h("code", { class: "sub nowrap", title: e.eventId }, t("deliveries.eventId", { id: String(e.eventId).slice(0, 8) })) : null
      ),
      cell("outcome", h("span", { class: "outcome-line" }, h("span", { class: "badge " + e.outcome }, t("outcome." + e.outcome)), status ? " " : null, status)),
      cell("attempt", e.attempt ? t("deliveries.attemptN", { n: e.attempt }) : "—", e.ms != null ? h("span", { class: "sub" }, `${Math.round(e.ms)} ms`) : null),
      cell("error", e.error ? h("span", { class: "err" }, deliveryError(e.error)) : h("span", { class: "muted" }, "—")),
      h("td", { class: "row-actions" }, action ? h("div", { class: "row-buttons" }, action) : null)
    );
  }

  function rows() {
    const list = entries.slice().reverse(); // newest first
    const seen = new Set();
    const shown = [];
    for (const e of list) {
      const newest = e.key ? !seen.has(e.key) : false;
      if (e.key) seen.add(e.key);
      if (passes(e)) shown.push(row(e, newest));
    }
    tbody.replaceChildren(...shown);
    const filtered = f.q.trim() || f.webhook || f.outcome;
    count.textContent = filtered ? t("deliveries.count", { shown: shown.length, n: entries.length }) : t("deliveries.total", { n: entries.length });
    clear.hidden = !filtered;
    empty.hidden = entries.length > 0;
    toolbar.hidden = entries.length === 0;
    table.hidden = shown.length === 0;
    none.hidden = shown.length > 0 || entries.length === 0;
  }

  function update(next, keys) {
    entries = next;
    replayable = keys || new Set();
    // The webhook filter lists the webhooks that delivered something.
    const ids = [...new Set(entries.map((e) => e.webhookId).filter(Boolean))];
    const current = webhookSel.value;
    webhookSel.replaceChildren(
      h("option", { value: "" }, t("deliveries.allWebhooks")),
      ...ids.map((id) => h("option", { value: id }, opts.describe({ webhookId: id }).webhook))
    );
    webhookSel.value = ids.includes(current) ? current : "";
    f.webhook = webhookSel.value;
    rows();
  }

  return { el: h("div", { class: "deliveries-view" }, toolbar, table, none, empty), update, search };
}

/**
 * The demo app's Delivery history: a button next to its live log opens
 * it; "Replay" sends a failed or dropped delivery again through the running
 * module. `index.html?deliveries=<key>` opens it on that delivery (the
 * editor's "Replay in the app" leads there).
 * opts: { webhookName(id), eventOf(id) }
 */
export function mountDeliveries(hooks, opts = {}) {
  const name = (id) => (id ? (opts.webhookName ? opts.webhookName(id) : id) : t("deliveries.module"));
  const eventOf = opts.eventOf || ((id) => (liveSettings().settings.webhooks.find((w) => w.id === id) || {}).event || "");
  const describe = (e) => ({ webhook: name(e.webhookId), event: e.webhookId ? eventOf(e.webhookId) : "" });
  let view = null;
  const refresh = () => view && view.update(hooks.history(), new Set(hooks.replayable()));
  const open = (query = "") => {
    if (view) return;
    const titleId = uid("t");
    view = historyView({ describe, query, replay: { run: (key) => hooks.replay(key), after: () => setTimeout(refresh) } });
    const d = h(
      "dialog",
      { class: "modal wide deliveries-dialog", "aria-labelledby": titleId },
      h(
        "div",
        { class: "modal-head" },
        h("h2", { id: titleId }, t("deliveries.title")),
        h("button", { type: "button", class: "icon-btn", "aria-label": t("action.close"), onclick: () => d.close() }, "×")
      ),
      h("div", { class: "modal-body" }, h("p", { class: "lede" }, t("deliveries.appLede")), view.el),
      h("div", { class: "modal-foot" }, h("button", { type: "button", class: "btn ghost", onclick: () => d.close() }, t("test.close")))
    );
    d.addEventListener("close", () => {
      d.remove();
      view = null;
      button.focus();
    });
    refresh();
    showModal(d);
    ((query && d.querySelector("tbody button")) || view.search).focus();
  };
  const button = h("button", { type: "button", class: "btn small deliveries-open", "aria-haspopup": "dialog", onclick: () => open() }, t("deliveries.open"));
  const head = document.querySelector(".log-card .card-head");
  if (head) head.insertBefore(button, head.querySelector("a"));
  hooks.onDelivery(() => setTimeout(refresh));
  const wanted = new URLSearchParams(location.search).get("deliveries");
  if (wanted !== null) open(wanted);
  return { open };
}
