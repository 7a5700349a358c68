// The webhook editor: Insights > Integrations > Webhooks (list, New/Edit
// wizard, test send), Destinations, Deliveries (the app's delivery
// history), Publish settings, Versions, Available events. State: the draft
// settings in localStorage; "Publish" hands them to the demo app (any open
// tab picks them up at once) and keeps a version.

import { ready, catalog, validate } from "./module.js";
import { h, mount, field, select, toast, confirmDialog, copyText, download, ago, clock, uid, guardClose, codeBlock, showModal } from "./dom.js";
import { t, lang, setLang, onLang, preferredLang, LANGS, eventName, groupName, eventDescription, typeLabel } from "./i18n.js";
import { askName, openWizard } from "./wizard.js";
import { openTestSend } from "./test-send.js";
import { FieldProblems } from "./problems.js";
import { renderDestinationForm, presetProblems } from "./destination-form.js";
import { historyView, readHistory, readReplayable, HISTORY_KEY, PARKED_KEY } from "./deliveries.js";
import { loadPublishedEtag, publish } from "./publish.js";
import { loadDraft, saveDraft, liveSettings, hasUnpublished, lastDeliveries, onDeliveries, onPublished, onDraft, resetAll, clone, versions } from "./store.js";
import { destinationModel, emptyDestination, modelDestination, authLabel, uniqueId, copyName } from "./model.js";

const main = document.getElementById("main");
const state = {
  draft: null,
  catalog: [],
  byId: new Map(),
  deliveries: {},
  filter: { q: "", event: "", destination: "", enabled: "" },
  undo: [], // [{ draft, label }], the last change last
};

const ctx = {
  get catalog() {
    return state.catalog;
  },
  get byId() {
    return state.byId;
  },
  origin: location.origin,
  draft: () => state.draft,
  commit(draft, info) {
    const name = info.webhook.name;
    const first = !liveSettings().publishedAt;
    change(draft, {
      label: t(info.isNew ? "undo.create" : "undo.edit", { name }),
      message: t("webhook.saved", { name }) + " " + t(first ? "webhook.savedFirst" : "webhook.savedAgain"),
      timeout: 8000,
    });
  },
};

// ---- changes and undo --------------------------------------------------------

/** Makes `next` the draft, keeps the one before for Undo, and says so in a toast. */
function change(next, { label, message, timeout = 6000 }) {
  state.undo.push({ draft: state.draft, label });
  if (state.undo.length > 50) state.undo.shift();
  state.draft = next;
  saveDraft(next);
  route();
  toast(message, {
    kind: "ok",
    timeout,
    actions: [
      { label: t("action.undo"), run: undo },
      { label: t("action.publish"), run: () => (location.hash = "#publish") },
    ],
  });
}

function undo() {
  const last = state.undo.pop();
  if (!last) {
    toast(t("undo.nothing"));
    return;
  }
  state.draft = last.draft;
  saveDraft(last.draft);
  route();
  toast(t("undo.done", { what: last.label }), { kind: "ok" });
}

// Ctrl+Z (Cmd+Z) outside text fields and dialogs undoes the last change.
function isTextField(el) {
  if (!el || !el.closest) return false;
  if (el.closest("textarea, select, [contenteditable]:not([contenteditable=false])")) return true;
  return el.localName === "input" && !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(el.type);
}
addEventListener("keydown", (e) => {
  if (e.key.toLowerCase() !== "z" || !(e.ctrlKey || e.metaKey) || e.shiftKey || e.altKey) return;
  if (!state.draft || document.querySelector("dialog[open]") || isTextField(e.target)) return;
  e.preventDefault();
  undo();
});

// ---- pages ------------------------------------------------------------------

function pageHead(eyebrow, title, lede, ...actions) {
  return h(
    "div",
    { class: "page-head" },
    h("div", null, h("p", { class: "eyebrow" }, eyebrow), h("h1", null, title), lede && h("p", { class: "lede" }, lede)),
    actions.length ? h("div", { class: "actions" }, actions) : null
  );
}

function unpublishedBanner() {
  if (!hasUnpublished(state.draft)) return null;
  return h(
    "div",
    { class: "banner", role: "status" },
    h("span", null, h("strong", null, t("banner.unpublished")), " ", t("banner.unpublishedText")),
    h("a", { class: "btn small primary", href: "#publish" }, t("action.publish"))
  );
}

function eventLabel(id) {
  const e = state.byId.get(id);
  return e ? eventName(e) : id;
}

function deliveryBadge(d) {
  if (!d) return h("span", { class: "muted" }, t("delivery.never"));
  const label = t("outcome." + d.outcome) + (d.status ? ` ${d.status}` : "");
  return h("span", { class: "last" }, h("span", { class: "badge " + d.outcome }, label), " ", h("span", { class: "muted", title: new Date(d.at).toLocaleString(lang()) }, ago(d.at)));
}

const nameOf = (w) => w.name || w.id;

function webhookSummary(w) {
  const conds = (w.conditions || []).length;
  const parts = [conds ? t("list.conditions", { n: conds }) : t("list.noConditions")];
  if ((w.static || []).length) parts.push(t("list.static", { n: w.static.length }));
  parts.push(w.properties ? t("list.properties", { n: w.properties.length }) : t("list.allProperties"));
  return parts.join(" · ");
}

/** True when webhook `w` passes the list's filters. */
function passes(w, f) {
  if (f.enabled === "on" && w.enabled === false) return false;
  if (f.enabled === "off" && w.enabled !== false) return false;
  if (f.event && w.event !== f.event) return false;
  if (f.destination && w.destination !== f.destination) return false;
  const q = f.q.trim().toLowerCase();
  if (!q) return true;
  const dest = state.draft.destinations.find((d) => d.id === w.destination);
  const e = state.byId.get(w.event);
  const text = [w.name, w.id, w.event, e && e.name, e && eventName(e), w.destination, dest && dest.platform].filter(Boolean).join(" ").toLowerCase();
  return text.includes(q);
}

function webhooksPage() {
  const { webhooks, destinations } = state.draft;
  const add = h("button", { type: "button", class: "btn primary", onclick: newWebhook }, t("webhooks.new"));
  const cell = (key, ...content) => h("td", { "data-label": t("webhooks.col." + key), class: { name: "name-cell", last: "last-delivery" }[key] || null }, h("div", { class: "cell" }, ...content));
  const rows = webhooks.map((w) => {
    const dest = destinations.find((d) => d.id === w.destination);
    const toggle = h("input", { type: "checkbox", role: "switch", class: "switch", checked: w.enabled !== false, "aria-label": t("webhooks.enabledLabel", { name: nameOf(w) }) });
    toggle.addEventListener("change", () => toggleWebhook(w.id, toggle.checked));
    return h(
      "tr",
      { dataset: { webhook: w.id } },
      cell("name", h("button", { type: "button", class: "link-btn name", onclick: () => openWizard(ctx, { webhookId: w.id }) }, nameOf(w)), h("span", { class: "sub" }, webhookSummary(w))),
      cell("event", eventLabel(w.event), h("code", { class: "sub nowrap" }, w.event)),
      cell("destination", dest ? dest.platform || dest.id : h("span", { class: "msg error" }, t("webhooks.missing")), dest && h("code", { class: "sub nowrap" }, dest.id)),
      cell("enabled", toggle),
      cell("last", deliveryBadge(state.deliveries[w.id])),
      h(
        "td",
        { class: "row-actions" },
        h(
          "div",
          { class: "row-buttons" },
          h("button", { type: "button", class: "btn small", onclick: () => testWebhook(w), "aria-label": t("webhooks.testLabel", { name: nameOf(w) }) }, t("webhooks.test")),
          h("button", { type: "button", class: "btn small ghost", onclick: () => openWizard(ctx, { webhookId: w.id }), "aria-label": t("webhooks.editLabel", { name: nameOf(w) }) }, t("action.edit")),
          h("button", { type: "button", class: "btn small ghost", onclick: () => duplicateWebhook(w.id), "aria-label": t("webhooks.duplicateLabel", { name: nameOf(w) }) }, t("action.duplicate")),
          h("button", { type: "button", class: "btn small ghost danger-text", onclick: () => deleteWebhook(w), "aria-label": t("webhooks.deleteLabel", { name: nameOf(w) }) }, t("action.delete"))
        )
      )
    );
  });
  const head = pageHead(t("webhooks.eyebrow"), t("webhooks.title"), t("webhooks.lede"), add);
  if (!webhooks.length) {
    return [head, unpublishedBanner(), h("div", { class: "empty card" }, h("h2", null, t("webhooks.emptyTitle")), h("p", null, t("webhooks.emptyText")), h("button", { type: "button", class: "btn primary", onclick: newWebhook }, t("webhooks.new")))];
  }

  // Search and filters: they show and hide rows, so typing keeps its focus.
  const f = state.filter;
  const count = h("p", { class: "count", id: "webhook-count", "aria-live": "polite" });
  const none = h("div", { class: "empty card", hidden: true }, h("h2", null, t("filter.noneTitle")), h("p", null, t("filter.noneText")));
  const table = h(
    "div",
    { class: "card flush" },
    h(
      "table",
      { class: "table responsive webhooks" },
      h("thead", null, h("tr", null, ["name", "event", "destination", "enabled", "last"].map((k) => h("th", { scope: "col" }, t("webhooks.col." + k))), h("th", { scope: "col" }, h("span", { class: "sr-only" }, t("webhooks.col.actions"))))),
      h("tbody", null, rows)
    )
  );
  const apply = () => {
    let shown = 0;
    webhooks.forEach((w, i) => {
      const ok = passes(w, f);
      rows[i].hidden = !ok;
      if (ok) shown++;
    });
    const filtered = f.q.trim() || f.event || f.destination || f.enabled;
    count.textContent = filtered ? t("filter.count", { shown, n: webhooks.length }) : t("filter.total", { n: webhooks.length });
    clear.hidden = !filtered;
    table.hidden = shown === 0;
    none.hidden = shown > 0;
  };
  const search = h("input", { type: "search", autocomplete: "off", spellcheck: "false", placeholder: t("filter.searchPlaceholder"), value: f.q });
  search.addEventListener("input", () => ((f.q = search.value), apply()));
  const used = (ids) => [...new Set(ids)];
  const eventSel = select([{ value: "", label: t("filter.allEvents") }, ...used(webhooks.map((w) => w.event)).map((id) => ({ value: id, label: eventLabel(id) }))], f.event);
  eventSel.addEventListener("change", () => ((f.event = eventSel.value), apply()));
  const destSel = select(
    [{ value: "", label: t("filter.allDestinations") }, ...used(webhooks.map((w) => w.destination)).map((id) => ({ value: id, label: destinations.find((d) => d.id === id)?.platform || id }))],
    f.destination
  );
  destSel.addEventListener("change", () => ((f.destination = destSel.value), apply()));
  const stateSel = select(
    [
      { value: "", label: t("filter.anyState") },
      { value: "on", label: t("filter.enabled") },
      { value: "off", label: t("filter.disabled") },
    ],
    f.enabled
  );
  stateSel.addEventListener("change", () => ((f.enabled = stateSel.value), apply()));
  const clear = h(
    "button",
    {
      type: "button",
      class: "btn ghost small",
      onclick: () => {
        Object.assign(f, { q: "", event: "", destination: "", enabled: "" });
        search.value = eventSel.value = destSel.value = stateSel.value = "";
        apply();
        search.focus();
      },
    },
    t("filter.clear")
  );
  const labelled = (label, input) => {
    input.id = uid("flt");
    return h("div", { class: "field" }, h("label", { for: input.id }, label), input);
  };
  const toolbar = h(
    "div",
    { class: "toolbar card filters", role: "search", "aria-label": t("filter.label") },
    labelled(t("filter.search"), search),
    labelled(t("filter.event"), eventSel),
    labelled(t("filter.destination"), destSel),
    labelled(t("filter.state"), stateSel),
    h("div", { class: "filter-status" }, count, clear)
  );
  apply();
  return [head, unpublishedBanner(), toolbar, table, none];
}

// "Send test" from the list; a fix it offers (a mode, a format) changes the draft's destination, with Undo.
function testWebhook(w) {
  openTestSend({
    draft: state.draft,
    webhook: w,
    byId: state.byId,
    fix(patch) {
      const next = clone(state.draft);
      const d = next.destinations.find((x) => x.id === w.destination);
      if (d) {
        Object.assign(d, patch);
        if (patch.mode && patch.mode !== "cors") {
          d.headers = [];
          delete d.idempotencyHeader;
        }
      }
      const name = (d && (d.platform || d.id)) || w.destination;
      change(next, { label: t("undo.editDestination", { name }), message: t("destination.saved", { name }) });
      return { draft: state.draft, webhook: state.draft.webhooks.find((x) => x.id === w.id) || w };
    },
  });
}

function newWebhook() {
  askName(state.draft, (name) => openWizard(ctx, { name }));
}

function toggleWebhook(id, on) {
  const next = clone(state.draft);
  const w = next.webhooks.find((x) => x.id === id);
  if (!w) return;
  w.enabled = on;
  change(next, { label: t(on ? "undo.enable" : "undo.disable", { name: nameOf(w) }), message: t(on ? "webhook.enabled" : "webhook.disabled", { name: nameOf(w) }) });
}

function duplicateWebhook(id) {
  const next = clone(state.draft);
  const i = next.webhooks.findIndex((x) => x.id === id);
  if (i < 0) return;
  const w = next.webhooks[i];
  const copy = clone(w);
  copy.id = uniqueId(w.id + "-copy", new Set(next.webhooks.map((x) => x.id)));
  copy.name = copyName(nameOf(w), next.webhooks, t("webhook.copySuffix"));
  copy.enabled = false;
  next.webhooks.splice(i + 1, 0, copy);
  change(next, { label: t("undo.duplicate", { name: nameOf(w) }), message: t("webhook.duplicated", { name: copy.name }) });
  main.querySelector(`tr[data-webhook="${CSS.escape(copy.id)}"] .link-btn`)?.focus();
}

async function deleteWebhook(w) {
  if (!(await confirmDialog({ title: t("webhook.deleteTitle"), text: t("webhook.deleteText", { name: nameOf(w) }), ok: t("action.delete") }))) return;
  const next = clone(state.draft);
  next.webhooks = next.webhooks.filter((x) => x.id !== w.id);
  change(next, { label: t("undo.delete", { name: nameOf(w) }), message: t("webhook.deleted", { name: nameOf(w) }) });
}

function destinationsPage() {
  const { webhooks, destinations } = state.draft;
  const add = h("button", { type: "button", class: "btn primary", onclick: () => openDestination(null) }, t("destinations.new"));
  const cards = destinations.map((d) => {
    const users = webhooks.filter((w) => w.destination === d.id);
    const fact = (key, ...content) => h("div", null, h("dt", null, t("destinations.fact." + key)), h("dd", null, ...content));
    return h(
      "article",
      { class: "card dest", dataset: { destination: d.id } },
      h(
        "div",
        { class: "dest-head" },
        h("div", null, h("h2", null, d.platform || d.id), h("code", { class: "sub" }, d.id)),
        h(
          "div",
          { class: "actions" },
          h("button", { type: "button", class: "btn small ghost", onclick: () => openDestination(d.id), "aria-label": t("destinations.editLabel", { id: d.id }) }, t("action.edit")),
          h("button", { type: "button", class: "btn small ghost danger-text", onclick: () => deleteDestination(d), "aria-label": t("destinations.deleteLabel", { id: d.id }) }, t("action.delete"))
        )
      ),
      h(
        "dl",
        { class: "facts" },
        fact("request", h("span", { class: "method" }, d.method || "POST"), " ", h("code", { class: "url" }, d.url)),
        fact("mode", (d.mode || "cors") + (d.format ? ` · ${d.format}` : "")),
        fact("auth", authLabel(d.auth)),
        fact("headers", (d.headers || []).length ? d.headers.map((x) => x.name).join(", ") : t("destinations.noHeaders")),
        fact("body", d.body === undefined ? t("destinations.defaultBody") : t("destinations.templateBody")),
        fact("usedBy", users.length ? users.map(nameOf).join(", ") : h("span", { class: "muted" }, t("destinations.unused")))
      )
    );
  });
  return [
    pageHead(t("crumb.integrations"), t("destinations.title"), t("destinations.lede"), add),
    unpublishedBanner(),
    destinations.length ? h("div", { class: "dest-grid" }, cards) : h("div", { class: "empty card" }, h("h2", null, t("destinations.emptyTitle")), h("p", null, t("destinations.emptyText"))),
  ];
}

function openDestination(id, focusKey) {
  const draft = state.draft;
  const existing = id ? draft.destinations.find((d) => d.id === id) : null;
  const m = existing ? destinationModel(existing) : emptyDestination();
  const taken = new Set(draft.destinations.map((d) => d.id).filter((x) => x !== id));
  if (!existing) m.id = uniqueId("destination", taken);
  const titleId = uid("t");
  const general = h("div", { class: "general-problems", role: "alert", hidden: true });
  const problems = new FieldProblems(general);
  const formRoot = h("div", { class: "dest-form" });
  const compose = () => {
    const d = clone(state.draft);
    const { destination, problems: client } = modelDestination(m);
    let di = existing ? d.destinations.findIndex((x) => x.id === id) : -1;
    if (di < 0) {
      di = d.destinations.length;
      d.destinations.push(destination);
    } else {
      d.destinations[di] = destination;
      if (destination.id !== id) for (const w of d.webhooks) if (w.destination === id) w.destination = destination.id;
    }
    return { d, di, client };
  };
  const check = () => {
    const { d, di, client } = compose();
    const v = validate(d);
    const pre = `destinations[${di}]`;
    const list = client.map((p) => ({ ...p, kind: "error" }));
    list.push(...presetProblems(m));
    const add = (p, kind) => {
      if (p.path === pre || p.path.startsWith(pre + ".") || p.path.startsWith(pre + "[")) list.push({ key: "destination" + p.path.slice(pre.length), message: p.message, kind, path: p.path, code: p.code });
    };
    v.errors.forEach((p) => add(p, "error"));
    (v.warnings || []).forEach((p) => add(p, "warn"));
    problems.show(list);
    return list.filter((p) => p.kind === "error");
  };
  problems.onTouch = () => changed();
  let scheduled = false;
  const changed = () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      check();
    });
  };
  const usedBy = existing ? draft.webhooks.filter((w) => w.destination === id).map(nameOf) : [];
  renderDestinationForm(formRoot, m, { problems, changed, origin: location.origin, takenIds: taken, usedBy });
  const snapshot = () => JSON.stringify(modelDestination(m).destination);
  const pristine = snapshot();
  const save = () => {
    problems.submitted = true;
    const errors = check();
    if (errors.length) {
      problems.focus(errors[0].key);
      toast(t("notSaved", { n: errors.length }), { kind: "error" });
      return;
    }
    const { d } = compose();
    dlg.close();
    change(d, { label: t(existing ? "undo.editDestination" : "undo.createDestination", { name: m.platform || m.id }), message: t("destination.saved", { name: m.platform || m.id }) });
  };
  const dlg = h("dialog", { class: "modal wizard", "aria-labelledby": titleId });
  const close = guardClose(dlg, () => snapshot() !== pristine);
  dlg.append(
    h(
      "div",
      { class: "modal-head" },
      h("h2", { id: titleId }, t(existing ? "destination.editTitle" : "destination.newTitle")),
      h("span", { class: "kbd", "aria-hidden": "true" }, "Esc"),
      h("button", { type: "button", class: "icon-btn", "aria-label": t("action.close"), onclick: close }, "×")
    ),
    h("div", { class: "modal-body" }, general, formRoot),
    h("div", { class: "modal-foot" }, h("button", { type: "button", class: "btn ghost", onclick: close }, t("action.cancel")), h("button", { type: "button", class: "btn primary", onclick: save }, t("action.save")))
  );
  dlg.addEventListener("close", () => dlg.remove());
  showModal(dlg);
  check();
  if (focusKey) {
    problems.submitted = true;
    check();
    problems.focus(focusKey);
  } else formRoot.querySelector("input")?.focus();
}

async function deleteDestination(d) {
  const users = state.draft.webhooks.filter((w) => w.destination === d.id);
  if (users.length) {
    toast(t("destination.inUse", { name: d.platform || d.id, users: users.map(nameOf).join(", ") }), { kind: "error", timeout: 8000 });
    return;
  }
  if (!(await confirmDialog({ title: t("destination.deleteTitle"), text: t("destination.deleteText", { name: d.platform || d.id, id: d.id }), ok: t("action.delete") }))) return;
  const next = clone(state.draft);
  next.destinations = next.destinations.filter((x) => x.id !== d.id);
  change(next, { label: t("undo.deleteDestination", { name: d.platform || d.id }), message: t("destination.deleted", { name: d.platform || d.id }) });
}

// Where a problem's path leads: the webhook wizard or destination dialog, at the field.
function goToProblem(path) {
  let m = path.match(/^webhooks\[(\d+)\](.*)$/);
  if (m) {
    const w = state.draft.webhooks[Number(m[1])];
    if (w) {
      let rest = m[2];
      const pm = rest.match(/^\.properties\[(\d+)\](.*)$/);
      if (pm) {
        const sel = (w.properties || [])[Number(pm[1])];
        const name = sel && (typeof sel === "string" ? sel : sel.name);
        const known = state.byId.get(w.event)?.properties.some((p) => p.name === name);
        rest = known ? `.prop:${name}${pm[2]}` : `.other[${pm[1]}]${pm[2]}`;
      }
      openWizard(ctx, { webhookId: w.id, focusKey: "webhook" + rest });
    }
    return;
  }
  m = path.match(/^destinations\[(\d+)\](.*)$/);
  if (m) {
    const d = state.draft.destinations[Number(m[1])];
    if (d) openDestination(d.id, "destination" + m[2]);
  }
}

function describePath(path) {
  const w = path.match(/^webhooks\[(\d+)\]/);
  if (w) {
    const x = state.draft.webhooks[Number(w[1])];
    return t("problem.webhook", { name: x ? nameOf(x) : "?" });
  }
  const d = path.match(/^destinations\[(\d+)\]/);
  if (d) {
    const x = state.draft.destinations[Number(d[1])];
    return t("problem.destination", { name: x ? x.platform || x.id : "?" });
  }
  return t("problem.settings");
}

function problemList(list, kind) {
  return h(
    "ul",
    { class: "problems " + kind },
    list.map((p) =>
      h(
        "li",
        { dataset: { path: p.path } },
        h("div", null, h("strong", null, describePath(p.path)), " ", h("code", null, p.path)),
        h("div", { class: "msg-line " + kind }, p.message),
        /^(webhooks|destinations)\[/.test(p.path) ? h("button", { type: "button", class: "btn small ghost", onclick: () => goToProblem(p.path) }, t("publish.goToField")) : null
      )
    )
  );
}

const activeCount = (settings) => settings.webhooks.filter((w) => w.enabled !== false).length;

function publishPage() {
  const draft = state.draft;
  const v = validate(clone(draft));
  const live = liveSettings();
  const json = JSON.stringify(draft, null, 2);
  const unpublished = hasUnpublished(draft);
  const publishBtn = h(
    "button",
    {
      type: "button",
      class: "btn primary",
      disabled: !v.ok,
      onclick: async () => {
        const again = validate(clone(state.draft));
        if (!again.ok) return route();
        publishBtn.disabled = true;
        try {
          const version = await publish(state.draft);
          toast(t("publish.done", { time: clock(version.publishedAt), n: activeCount(state.draft), version: version.number }), {
            kind: "ok",
            actions: [{ label: t("action.versions"), run: () => (location.hash = "#versions") }],
          });
        } catch (e) {
          toast(t("publish.failed", { error: e && e.message ? e.message : String(e) }), { kind: "error" });
        }
        route();
      },
    },
    t("publish.button")
  );
  // Destinations whose secret the app's code supplies (a token from the customer's site, tokenFrom, needs no code).
  const hostTokens = draft.destinations.filter((d) => d.auth && d.auth.type !== "none" && !(d.auth.token || d.auth.tokenFrom || d.auth.password || d.auth.clientSecret));
  const importBox = h("textarea", { rows: 8, class: "mono", spellcheck: "false", placeholder: '{ "version": 1, "destinations": [...], "webhooks": [...] }' });
  const fImport = field(t("publish.importLabel"), importBox, { wide: true });
  const importBtn = h(
    "button",
    {
      type: "button",
      class: "btn",
      onclick: () => {
        let doc;
        try {
          doc = JSON.parse(importBox.value);
        } catch (e) {
          fImport.msg.className = "msg error";
          fImport.msg.textContent = t("publish.notJson", { error: e.message });
          return;
        }
        const r = validate(doc);
        if (!r.ok) {
          fImport.msg.className = "msg error";
          fImport.msg.replaceChildren(...r.errors.map((p) => h("div", { class: "msg-line error" }, h("code", null, p.path), " ", p.message)));
          return;
        }
        change({ version: 1, captureInputValues: !!doc.captureInputValues, destinations: doc.destinations || [], webhooks: doc.webhooks || [] }, { label: t("undo.import"), message: t("publish.imported") });
      },
    },
    t("publish.import")
  );
  const capture = h("input", { type: "checkbox", checked: !!draft.captureInputValues, id: uid("cap") });
  capture.addEventListener("change", () => {
    const next = clone(state.draft);
    next.captureInputValues = capture.checked;
    change(next, { label: t("undo.capture"), message: t(capture.checked ? "publish.captureOn" : "publish.captureOff") });
  });
  const nErr = v.errors.length;
  const nWarn = (v.warnings || []).length;

  return [
    pageHead(t("crumb.integrations"), t("publish.title"), t("publish.lede")),
    h(
      "div",
      { class: "card status-card" },
      h(
        "div",
        { class: "status-grid" },
        h("div", null, h("span", { class: "k" }, t("publish.live")), h("span", { class: "v", id: "live-state" }, live.builtIn ? t("publish.builtIn") : t("publish.publishedAt", { ago: ago(live.publishedAt), time: clock(live.publishedAt) }))),
        h("div", null, h("span", { class: "k" }, t("publish.draft")), h("span", { class: "v" }, t("publish.draftCounts", { webhooks: t("count.webhooks", { n: draft.webhooks.length }), destinations: t("count.destinations", { n: draft.destinations.length }) }))),
        h(
          "div",
          null,
          h("span", { class: "k" }, t("publish.check")),
          h("span", { class: "v", id: "check-state" }, v.ok ? h("span", { class: "badge delivered" }, t("publish.valid")) : h("span", { class: "badge failed" }, t("count.errors", { n: nErr })), nWarn ? h("span", { class: "badge retry" }, t("count.warnings", { n: nWarn })) : null)
        ),
        h("div", null, h("span", { class: "k" }, t("publish.changes")), h("span", { class: "v" }, unpublished ? t("publish.unpublished") : t("publish.upToDate")))
      ),
      h(
        "div",
        { class: "actions" },
        publishBtn,
        h("button", { type: "button", class: "btn", onclick: () => download("walkme-webhook-settings.json", json + "\n") }, t("publish.download")),
        h("button", { type: "button", class: "btn", onclick: async () => toast((await copyText(json)) ? t("publish.copied") : t("publish.copyFailed"), { kind: "ok" }) }, t("publish.copy")),
        h("a", { class: "btn ghost", href: "#versions" }, t("publish.versionsLink"))
      ),
      h("label", { class: "checkline", for: capture.id }, capture, " ", t("publish.capture"))
    ),
    nErr ? h("section", { class: "card" }, h("h2", null, t("publish.errorsTitle")), problemList(v.errors, "error")) : null,
    nWarn ? h("section", { class: "card" }, h("h2", null, t("publish.warningsTitle")), problemList(v.warnings, "warn")) : null,
    hostTokens.length
      ? h(
          "section",
          { class: "card" },
          h("h2", null, t("publish.hostTokensTitle")),
          h("p", null, t("publish.hostTokensText")),
          codeBlock(
            hostTokens.map((d) => `hooks.setTokenProvider(${JSON.stringify(d.id)}, async () => {\n  const r = await fetch("/api/walkme/token?destination=${encodeURIComponent(d.id)}"); // your backend\n  return (await r.json()).token;\n});`).join("\n\n"),
            t("publish.hostTokensTitle")
          )
        )
      : null,
    h("section", { class: "card" }, h("h2", null, t("publish.jsonTitle")), codeBlock(json, t("publish.jsonTitle"), { class: "code json", id: "settings-json" })),
    h(
      "section",
      { class: "card" },
      h("h2", null, t("publish.installTitle")),
      h("p", null, t("publish.installText")),
      codeBlock(`window.walkmeWebhookSettings = /* the settings JSON above */;\nimport("/walkme-webhooks/loader.js"); // boots the module, replays early player events`, t("publish.installTitle"))
    ),
    h(
      "details",
      { class: "card" },
      h("summary", null, t("publish.importTitle")),
      fImport.wrap,
      h(
        "div",
        { class: "actions" },
        importBtn,
        h(
          "button",
          {
            type: "button",
            class: "btn ghost danger-text",
            onclick: async () => {
              if (!(await confirmDialog({ title: t("publish.resetTitle"), text: t("publish.resetText"), ok: t("publish.resetOk") }))) return;
              resetAll();
              state.draft = loadDraft();
              state.deliveries = {};
              state.undo = [];
              route();
            },
          },
          t("publish.reset")
        )
      )
    ),
  ];
}

// ---- versions -----------------------------------------------------------------

function changeLine(c) {
  if (c.kind === "captureInputValues") return t(c.op === "enabled" ? "versions.captureOn" : "versions.captureOff");
  return t(`versions.${c.kind}.${c.op}`, { name: c.name || c.id });
}

function versionsPage() {
  const list = versions().slice().reverse();
  const live = liveSettings();
  const draftJson = JSON.stringify(state.draft);
  const items = list.map((v) => {
    const isLive = !live.builtIn && v.publishedAt === live.publishedAt;
    const isDraft = JSON.stringify(v.settings) === draftJson;
    const restore = h(
      "button",
      { type: "button", class: "btn small", disabled: isDraft, "aria-label": t("versions.restoreLabel", { n: v.number }), onclick: () => restoreVersion(v) },
      t("versions.restore")
    );
    return h(
      "li",
      { class: "card version", dataset: { version: v.number } },
      h(
        "div",
        { class: "version-head" },
        h("h2", null, t("versions.name", { n: v.number })),
        isLive ? h("span", { class: "badge delivered" }, t("versions.live")) : null,
        isDraft ? h("span", { class: "badge sent" }, t("versions.isDraft")) : null,
        h("time", { class: "muted", datetime: new Date(v.publishedAt).toISOString(), title: new Date(v.publishedAt).toLocaleString(lang()) }, t("versions.publishedAt", { ago: ago(v.publishedAt), time: clock(v.publishedAt) })),
        h("div", { class: "actions" }, restore)
      ),
      h("p", { class: "muted small" }, t("versions.counts", { webhooks: t("count.webhooks", { n: v.settings.webhooks.length }), destinations: t("count.destinations", { n: v.settings.destinations.length }) }), v.sameAs ? " · " + t("versions.sameAs", { n: v.sameAs }) : ""),
      v.changes.length ? h("ul", { class: "changes" }, v.changes.map((c) => h("li", { dataset: { op: c.op } }, changeLine(c)))) : h("p", { class: "muted" }, t("versions.noChanges")),
      h("details", null, h("summary", null, t("versions.json")), codeBlock(JSON.stringify(v.settings, null, 2), t("versions.jsonLabel", { n: v.number }), { class: "code json" }))
    );
  });
  return [
    pageHead(t("crumb.integrations"), t("versions.title"), t("versions.lede")),
    unpublishedBanner(),
    list.length ? h("ol", { class: "versions", id: "versions" }, items) : h("div", { class: "empty card" }, h("h2", null, t("versions.emptyTitle")), h("p", null, t("versions.emptyText")), h("a", { class: "btn primary", href: "#publish" }, t("action.publish"))),
  ];
}

function restoreVersion(v) {
  change(clone(v.settings), { label: t("undo.restore", { n: v.number }), message: t("versions.restored", { n: v.number }), timeout: 8000 });
  location.hash = "#publish";
}

function eventsPage() {
  const groups = new Map();
  for (const e of state.catalog) {
    if (!groups.has(e.group)) groups.set(e.group, []);
    groups.get(e.group).push(e);
  }
  return [
    pageHead(t("crumb.webhooks"), t("events.title"), t("events.lede", { events: t("count.events", { n: state.catalog.length }), groups: t("count.groups", { n: groups.size }) })),
    h(
      "div",
      { class: "catalog", id: "catalog", dataset: { ready: "true" } },
      [...groups].map(([group, list]) =>
        h(
          "section",
          { class: "card group" },
          h("h2", null, groupName(group)),
          h(
            "ul",
            null,
            list.map((e) =>
              h(
                "li",
                { dataset: { event: e.id } },
                h("div", { class: "ev-head" }, h("strong", null, eventName(e)), h("code", null, e.id)),
                h("p", null, eventDescription(e)),
                h("details", null, h("summary", null, t("count.properties", { n: e.properties.length })), h("ul", { class: "props" }, e.properties.map((p) => h("li", null, h("code", null, p.name), " ", h("span", { class: "muted" }, typeLabel(p.type))))))
              )
            )
          )
        )
      )
    ),
  ];
}

// ---- deliveries -------------------------------------------------------------------
//
// The app's delivery history, read from the site's localStorage (the same
// origin as the app; the app's module writes it, the editor only reads).
// Replay needs a running module, so it happens in the app: a failed or
// dropped delivery the app can still replay links there.

let deliveriesView = null;

function describeDelivery(e) {
  const all = [...state.draft.webhooks, ...liveSettings().settings.webhooks];
  const w = e.webhookId ? all.find((x) => x.id === e.webhookId) : null;
  return { webhook: w ? nameOf(w) : e.webhookId || t("deliveries.module"), event: w ? eventLabel(w.event) : "" };
}

function deliveriesPage() {
  deliveriesView = historyView({ describe: describeDelivery, appLink: (key) => "index.html?deliveries=" + encodeURIComponent(key) });
  deliveriesView.update(readHistory(), readReplayable());
  return [
    pageHead(t("crumb.integrations"), t("deliveries.title"), t("deliveries.lede")),
    h(
      "div",
      { class: "callout info replay-note" },
      h("p", null, h("strong", null, t("deliveries.replayTitle")), " ", t("deliveries.replayText")),
      h("a", { class: "btn small", href: "index.html?deliveries=" }, t("deliveries.openApp"))
    ),
    deliveriesView.el,
  ];
}

// The app wrote more history (another tab): show it, keeping the filters.
addEventListener("storage", (e) => {
  if ((e.key === HISTORY_KEY || e.key === PARKED_KEY) && main.dataset.page === "deliveries" && deliveriesView) deliveriesView.update(readHistory(), readReplayable());
});

// ---- routing --------------------------------------------------------------------

const ROUTES = { webhooks: webhooksPage, destinations: destinationsPage, deliveries: deliveriesPage, publish: publishPage, versions: versionsPage, events: eventsPage };

function route() {
  const name = (location.hash || "#webhooks").slice(1);
  const page = ROUTES[name] ? name : "webhooks";
  for (const a of document.querySelectorAll("[data-route]")) {
    if (a.dataset.route === page) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const dot = document.getElementById("publish-dot");
  if (dot) dot.hidden = !hasUnpublished(state.draft);
  mount(main, ROUTES[page]());
  main.dataset.page = page;
  document.title = `${t("title." + page)} · ${t("title.suffix")}`;
}

// The page's own markup: data-i18n="key" sets the text, data-i18n-attr="attr:key" an attribute.
function translateStatic() {
  document.documentElement.lang = lang();
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(" ")) {
      const [attr, key] = pair.split(":");
      el.setAttribute(attr, t(key));
    }
  }
}

// The language switch (its label is in the page: data-i18n="lang.label").
function languageSwitch() {
  const sel = select(LANGS, lang(), { id: "lang", class: "lang-switch" });
  for (const o of sel.options) o.lang = o.value;
  sel.addEventListener("change", () => setLang(sel.value, { persist: true }));
  return sel;
}

setLang(preferredLang());
translateStatic();
document.getElementById("lang-slot")?.replaceWith(languageSwitch());
onLang(() => {
  translateStatic();
  if (state.draft) route();
});

try {
  await ready();
  await loadPublishedEtag();
  state.catalog = catalog();
  for (const e of state.catalog) state.byId.set(e.id, e);
  state.draft = loadDraft();
  state.deliveries = lastDeliveries();
  addEventListener("hashchange", () => {
    route();
    main.focus({ preventScroll: true });
  });
  onDeliveries((all) => {
    state.deliveries = all;
    if (main.dataset.page === "webhooks") for (const td of main.querySelectorAll("tr[data-webhook]")) td.querySelector(".last-delivery .cell")?.replaceChildren(deliveryBadge(all[td.dataset.webhook]));
  });
  onPublished(() => {
    if (!document.querySelector("dialog[open]")) route();
  });
  // Another editor tab saved: follow it (an open dialog keeps its own copy
  // until it saves). Undo would restore a draft from before that tab's change.
  onDraft((draft) => {
    state.draft = draft;
    state.undo = [];
    if (!document.querySelector("dialog[open]")) route();
  });
  route();
  main.dataset.ready = "true";
} catch (e) {
  mount(main, h("div", { class: "callout error" }, t("module.failed", { error: e && e.message ? e.message : e })));
  console.error(e);
}
