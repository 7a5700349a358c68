// The webhook editor: Insights > Integrations > Webhooks (list, New/Edit
// wizard, test send), Destinations, Publish settings, Available events.
// State: the draft settings in localStorage; "Publish" hands them to the
// demo app (any open tab picks them up at once).

import init, { catalog, validate } from "/pkg/editor.js";
import { h, mount, field, toast, confirmDialog, copyText, download, ago, clock, uid } from "./dom.js";
import { askName, openWizard } from "./wizard.js";
import { openTestSend } from "./test-send.js";
import { FieldProblems } from "./problems.js";
import { renderDestinationForm } from "./destination-form.js";
import { loadDraft, saveDraft, publish, liveSettings, hasUnpublished, lastDeliveries, onDeliveries, onPublished, onDraft, resetAll, clone } from "./store.js";
import { destinationModel, emptyDestination, modelDestination, shortUrl, authLabel, uniqueId } from "./model.js";

const main = document.getElementById("main");
const state = { draft: null, catalog: [], byId: new Map(), deliveries: {} };

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
    state.draft = draft;
    saveDraft(draft);
    route();
    if (info && info.webhook) {
      const first = !liveSettings().publishedAt;
      toast(`Saved “${info.webhook.name}”. ${first ? "Publish the settings to make it live in the app." : "Publish to make the change live."}`, {
        kind: "ok",
        action: { label: "Publish settings", run: () => (location.hash = "#publish") },
        timeout: 8000,
      });
    }
  },
};

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
    h("span", null, h("strong", null, "Unpublished changes. "), "The demo app runs the last published settings until you publish."),
    h("a", { class: "btn small primary", href: "#publish" }, "Publish settings")
  );
}

function eventLabel(id) {
  const e = state.byId.get(id);
  return e ? e.name : id;
}

function deliveryBadge(d) {
  if (!d) return h("span", { class: "muted" }, "never");
  const label = d.outcome + (d.status ? ` ${d.status}` : "");
  return h("span", { class: "last" }, h("span", { class: "badge " + d.outcome }, label), " ", h("span", { class: "muted", title: new Date(d.at).toLocaleString() }, ago(d.at)));
}

function webhooksPage() {
  const { webhooks, destinations } = state.draft;
  const add = h("button", { type: "button", class: "btn primary", onclick: newWebhook }, "+ NEW WEBHOOK");
  const rows = webhooks.map((w) => {
    const dest = destinations.find((d) => d.id === w.destination);
    const toggle = h("input", { type: "checkbox", role: "switch", class: "switch", checked: w.enabled !== false, "aria-label": `Enabled: ${w.name || w.id}` });
    toggle.addEventListener("change", () => {
      w.enabled = toggle.checked;
      saveDraft(state.draft);
      route();
    });
    const conds = (w.conditions || []).length;
    const cell = (label, ...content) => h("td", { "data-label": label, class: label === "Last delivery" ? "last-delivery" : null }, h("div", { class: "cell" }, ...content));
    return h(
      "tr",
      { dataset: { webhook: w.id } },
      cell(
        "Name",
        h("button", { type: "button", class: "link-btn name", onclick: () => openWizard(ctx, { webhookId: w.id }) }, w.name || w.id),
        h("span", { class: "sub" }, conds ? `${conds} condition${conds > 1 ? "s" : ""}` : "no conditions", (w.static || []).length ? ` · ${w.static.length} static` : "", w.properties ? ` · ${w.properties.length} properties` : " · all properties")
      ),
      cell("Event", eventLabel(w.event), h("code", { class: "sub nowrap" }, w.event)),
      cell("Destination", dest ? dest.platform || dest.id : h("span", { class: "msg error" }, "missing"), dest && h("code", { class: "sub nowrap" }, dest.id)),
      cell("Enabled", toggle),
      cell("Last delivery", deliveryBadge(state.deliveries[w.id])),
      h(
        "td",
        { class: "row-actions" },
        h("button", { type: "button", class: "btn small", onclick: () => openTestSend(ctx, w.id), "aria-label": `Send test event: ${w.name || w.id}` }, "Send test"),
        h("button", { type: "button", class: "btn small ghost", onclick: () => openWizard(ctx, { webhookId: w.id }), "aria-label": `Edit ${w.name || w.id}` }, "Edit"),
        h("button", { type: "button", class: "btn small ghost danger-text", onclick: () => deleteWebhook(w), "aria-label": `Delete ${w.name || w.id}` }, "Delete")
      )
    );
  });
  return [
    pageHead("Insights › Integrations › Real-Time Integrations", "Webhooks", "Send WalkMe events to the system of your choice the moment they happen.", add),
    unpublishedBanner(),
    webhooks.length
      ? h(
          "div",
          { class: "card flush" },
          h(
            "table",
            { class: "table responsive webhooks" },
            h("thead", null, h("tr", null, ["Name", "Event", "Destination", "Enabled", "Last delivery"].map((t) => h("th", { scope: "col" }, t)), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Actions")))),
            h("tbody", null, rows)
          )
        )
      : h("div", { class: "empty card" }, h("h2", null, "No webhooks yet"), h("p", null, "Create one: pick a WalkMe event, optional conditions, and where it should go."), h("button", { type: "button", class: "btn primary", onclick: newWebhook }, "+ NEW WEBHOOK")),
  ];
}

function newWebhook() {
  askName((name) => openWizard(ctx, { name }));
}

async function deleteWebhook(w) {
  if (!(await confirmDialog({ title: "Delete webhook?", text: `“${w.name || w.id}” will stop sending once you publish.`, ok: "Delete" }))) return;
  state.draft.webhooks = state.draft.webhooks.filter((x) => x.id !== w.id);
  saveDraft(state.draft);
  route();
  toast(`Deleted “${w.name || w.id}”.`, { action: { label: "Publish settings", run: () => (location.hash = "#publish") } });
}

function destinationsPage() {
  const { webhooks, destinations } = state.draft;
  const add = h("button", { type: "button", class: "btn primary", onclick: () => openDestination(null) }, "+ NEW DESTINATION");
  const cards = destinations.map((d) => {
    const users = webhooks.filter((w) => w.destination === d.id);
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
          h("button", { type: "button", class: "btn small ghost", onclick: () => openDestination(d.id), "aria-label": `Edit destination ${d.id}` }, "Edit"),
          h("button", { type: "button", class: "btn small ghost danger-text", onclick: () => deleteDestination(d), "aria-label": `Delete destination ${d.id}` }, "Delete")
        )
      ),
      h(
        "dl",
        { class: "facts" },
        h("div", null, h("dt", null, "Request"), h("dd", null, h("span", { class: "method" }, d.method || "POST"), " ", h("code", { class: "url" }, d.url))),
        h("div", null, h("dt", null, "Mode"), h("dd", null, d.mode || "cors")),
        h("div", null, h("dt", null, "Authentication"), h("dd", null, authLabel(d.auth))),
        h("div", null, h("dt", null, "Headers"), h("dd", null, (d.headers || []).length ? d.headers.map((x) => x.name).join(", ") : "none")),
        h("div", null, h("dt", null, "Body"), h("dd", null, d.body === undefined ? "default (flat JSON)" : "template")),
        h("div", null, h("dt", null, "Used by"), h("dd", null, users.length ? users.map((w) => w.name || w.id).join(", ") : h("span", { class: "muted" }, "no webhook")))
      )
    );
  });
  return [
    pageHead("Insights › Integrations", "Destinations", "Where webhooks send their events. Define a destination once and reuse it across webhooks.", add),
    unpublishedBanner(),
    destinations.length ? h("div", { class: "dest-grid" }, cards) : h("div", { class: "empty card" }, h("h2", null, "No destinations yet"), h("p", null, "Add one here or while creating a webhook.")),
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
    const add = (p, kind) => {
      if (p.path === pre || p.path.startsWith(pre + ".") || p.path.startsWith(pre + "[")) list.push({ key: "destination" + p.path.slice(pre.length), message: p.message, kind, path: p.path });
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
  const usedBy = existing ? draft.webhooks.filter((w) => w.destination === id).map((w) => w.name || w.id) : [];
  renderDestinationForm(formRoot, m, { problems, changed, origin: location.origin, takenIds: taken, usedBy });
  const save = () => {
    problems.submitted = true;
    const errors = check();
    if (errors.length) {
      problems.focus(errors[0].key);
      return;
    }
    const { d } = compose();
    state.draft = d;
    saveDraft(d);
    dlg.close();
    route();
    toast(`Saved destination “${m.platform || m.id}”.`, { kind: "ok", action: { label: "Publish settings", run: () => (location.hash = "#publish") } });
  };
  const dlg = h(
    "dialog",
    { class: "modal wizard", "aria-labelledby": titleId },
    h(
      "div",
      { class: "modal-head" },
      h("h2", { id: titleId }, existing ? "Edit Destination" : "New Destination"),
      h("span", { class: "kbd", "aria-hidden": "true" }, "Esc"),
      h("button", { type: "button", class: "icon-btn", "aria-label": "Close", onclick: () => dlg.close() }, "×")
    ),
    h("div", { class: "modal-body" }, general, formRoot),
    h("div", { class: "modal-foot" }, h("button", { type: "button", class: "btn ghost", onclick: () => dlg.close() }, "CANCEL"), h("button", { type: "button", class: "btn primary", onclick: save }, "SAVE"))
  );
  dlg.addEventListener("close", () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
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
    toast(`“${d.platform || d.id}” is used by ${users.map((w) => w.name || w.id).join(", ")}. Point those webhooks elsewhere first.`, { kind: "error", timeout: 8000 });
    return;
  }
  if (!(await confirmDialog({ title: "Delete destination?", text: `“${d.platform || d.id}” (${d.id}) will be removed from the settings.`, ok: "Delete" }))) return;
  state.draft.destinations = state.draft.destinations.filter((x) => x.id !== d.id);
  saveDraft(state.draft);
  route();
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
    return `Webhook “${x ? x.name || x.id : "?"}”`;
  }
  const d = path.match(/^destinations\[(\d+)\]/);
  if (d) {
    const x = state.draft.destinations[Number(d[1])];
    return `Destination “${x ? x.platform || x.id : "?"}”`;
  }
  return "Settings";
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
        /^(webhooks|destinations)\[/.test(p.path) ? h("button", { type: "button", class: "btn small ghost", onclick: () => goToProblem(p.path) }, "Go to field") : null
      )
    )
  );
}

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
      onclick: () => {
        const again = validate(clone(state.draft));
        if (!again.ok) return route();
        const entry = publish(state.draft);
        toast(`Published at ${clock(entry.publishedAt)}: the demo app runs ${state.draft.webhooks.filter((w) => w.enabled !== false).length} webhooks now.`, { kind: "ok" });
        route();
      },
    },
    "PUBLISH SETTINGS"
  );
  const hostTokens = draft.destinations.filter((d) => d.auth && d.auth.type !== "none" && !(d.auth.token || d.auth.password || d.auth.clientSecret));
  const importBox = h("textarea", { rows: 8, class: "mono", spellcheck: "false", placeholder: '{ "version": 1, "destinations": [...], "webhooks": [...] }' });
  const fImport = field("Settings JSON", importBox, { wide: true });
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
          fImport.msg.textContent = "Not JSON: " + e.message;
          return;
        }
        const r = validate(doc);
        if (!r.ok) {
          fImport.msg.className = "msg error";
          fImport.msg.replaceChildren(...r.errors.map((p) => h("div", { class: "msg-line error" }, h("code", null, p.path), " ", p.message)));
          return;
        }
        state.draft = { version: 1, captureInputValues: !!doc.captureInputValues, destinations: doc.destinations || [], webhooks: doc.webhooks || [] };
        saveDraft(state.draft);
        toast("Imported into the draft. Review and publish.", { kind: "ok" });
        route();
      },
    },
    "Import into draft"
  );
  const capture = h("input", { type: "checkbox", checked: !!draft.captureInputValues, id: uid("cap") });
  capture.addEventListener("change", () => {
    state.draft.captureInputValues = capture.checked;
    saveDraft(state.draft);
    route();
  });

  return [
    pageHead("Insights › Integrations", "Publish settings", "Checks the draft with the module's own validation and hands it to the app. The app picks it up at once, no reload."),
    h(
      "div",
      { class: "card status-card" },
      h(
        "div",
        { class: "status-grid" },
        h("div", null, h("span", { class: "k" }, "Live in the app"), h("span", { class: "v", id: "live-state" }, live.builtIn ? "Built-in default settings" : `Published ${ago(live.publishedAt)} (${clock(live.publishedAt)})`)),
        h("div", null, h("span", { class: "k" }, "Draft"), h("span", { class: "v" }, `${draft.webhooks.length} webhooks, ${draft.destinations.length} destinations`)),
        h(
          "div",
          null,
          h("span", { class: "k" }, "Check"),
          h("span", { class: "v", id: "check-state" }, v.ok ? h("span", { class: "badge delivered" }, "valid") : h("span", { class: "badge failed" }, `${v.errors.length} error${v.errors.length > 1 ? "s" : ""}`), (v.warnings || []).length ? h("span", { class: "badge retry" }, `${v.warnings.length} warning${v.warnings.length > 1 ? "s" : ""}`) : null)
        ),
        h("div", null, h("span", { class: "k" }, "Changes"), h("span", { class: "v" }, unpublished ? "unpublished changes" : "none: the app runs this draft"))
      ),
      h(
        "div",
        { class: "actions" },
        publishBtn,
        h("button", { type: "button", class: "btn", onclick: () => download("walkme-webhook-settings.json", json + "\n") }, "Download JSON"),
        h("button", { type: "button", class: "btn", onclick: async () => toast((await copyText(json)) ? "Settings JSON copied." : "Copy failed; select the JSON below.", { kind: "ok" }) }, "Copy JSON")
      ),
      h("label", { class: "checkline", for: capture.id }, capture, " Capture typed values in DXA User Input events (captureInputValues; never for password fields)")
    ),
    v.errors.length ? h("section", { class: "card" }, h("h2", null, "Errors: fix these to publish"), problemList(v.errors, "error")) : null,
    (v.warnings || []).length ? h("section", { class: "card" }, h("h2", null, "Warnings"), problemList(v.warnings, "warn")) : null,
    hostTokens.length
      ? h(
          "section",
          { class: "card" },
          h("h2", null, "Tokens from the host page"),
          h("p", null, "These destinations publish no secret. The app supplies their tokens after start():"),
          h("pre", { class: "code" }, hostTokens.map((d) => `hooks.setTokenProvider(${JSON.stringify(d.id)}, async () => {\n  const r = await fetch("/api/walkme/token?destination=${encodeURIComponent(d.id)}"); // your backend\n  return (await r.json()).token;\n});`).join("\n\n"))
        )
      : null,
    h("section", { class: "card" }, h("h2", null, "Settings JSON"), h("pre", { class: "code json", id: "settings-json", tabindex: "0" }, json)),
    h(
      "section",
      { class: "card" },
      h("h2", null, "Install on a page"),
      h("p", null, "The WalkMe snippet sets the published settings and loads the module next to the player:"),
      h("pre", { class: "code" }, `window.walkmeWebhookSettings = /* the settings JSON above */;\nimport("/walkme-webhooks/loader.js"); // boots the module, replays early player events`)
    ),
    h(
      "details",
      { class: "card" },
      h("summary", null, "Import settings JSON, or start over"),
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
              if (!(await confirmDialog({ title: "Reset to the built-in settings?", text: "The draft and the published settings are dropped; the app goes back to the built-in defaults.", ok: "Reset" }))) return;
              resetAll();
              state.draft = loadDraft();
              state.deliveries = {};
              route();
            },
          },
          "Reset to built-in defaults"
        )
      )
    ),
  ];
}

function eventsPage() {
  const groups = new Map();
  for (const e of state.catalog) {
    if (!groups.has(e.group)) groups.set(e.group, []);
    groups.get(e.group).push(e);
  }
  return [
    pageHead("Insights › Integrations › Webhooks", "Available events", `Every event a webhook can be created for: ${state.catalog.length} events in ${groups.size} groups.`),
    h(
      "div",
      { class: "catalog", id: "catalog", dataset: { ready: "true" } },
      [...groups].map(([group, list]) =>
        h(
          "section",
          { class: "card group" },
          h("h2", null, group),
          h(
            "ul",
            null,
            list.map((e) =>
              h(
                "li",
                { dataset: { event: e.id } },
                h("div", { class: "ev-head" }, h("strong", null, e.name), h("code", null, e.id)),
                h("p", null, e.description),
                h("details", null, h("summary", null, `${e.properties.length} properties`), h("ul", { class: "props" }, e.properties.map((p) => h("li", null, h("code", null, p.name), " ", h("span", { class: "muted" }, p.type)))))
              )
            )
          )
        )
      )
    ),
  ];
}

// ---- routing --------------------------------------------------------------------

const ROUTES = { webhooks: webhooksPage, destinations: destinationsPage, publish: publishPage, events: eventsPage };

function route() {
  const name = (location.hash || "#webhooks").slice(1);
  const page = ROUTES[name] || webhooksPage;
  for (const a of document.querySelectorAll("[data-route]")) {
    if (a.dataset.route === name || (!ROUTES[name] && a.dataset.route === "webhooks")) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const dot = document.getElementById("publish-dot");
  if (dot) dot.hidden = !hasUnpublished(state.draft);
  mount(main, page());
  main.dataset.page = ROUTES[name] ? name : "webhooks";
  document.title = `${{ webhooks: "Webhooks", destinations: "Destinations", publish: "Publish settings", events: "Available events" }[main.dataset.page]} · WalkMe Integrations`;
}

try {
  await init();
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
  // Another editor tab saved: follow it (an open dialog keeps its own copy until it saves).
  onDraft((draft) => {
    state.draft = draft;
    if (!document.querySelector("dialog[open]")) route();
  });
  route();
  main.dataset.ready = "true";
} catch (e) {
  mount(main, h("div", { class: "callout error" }, "The module did not load: " + (e && e.message ? e.message : e)));
  console.error(e);
}
