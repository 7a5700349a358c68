// The New / Edit Webhook wizard, as in the guide: a name (step 4), then
// "1 Select Event" (event, conditions, Advanced: properties, renames,
// static properties) and "2 Select Destination" (platform, request type,
// URL, authentication, headers), then Save. Every change is checked with the
// module's own validate(); each problem shows under the field it belongs to.

import { validate } from "/pkg/editor.js";
import { h, mount, field, select, uid, toast } from "./dom.js";
import { FieldProblems } from "./problems.js";
import { renderDestinationForm } from "./destination-form.js";
import { sampleProperties, COMMON } from "./samples.js";
import { clone } from "./store.js";
import {
  NEW, OPERATORS, NO_VALUE, conditionRow, rowCondition, staticRow, rowStatic,
  destinationModel, emptyDestination, modelDestination, slug, uniqueId, shortUrl,
} from "./model.js";

const OTHER = "__other__";

/** Step 4 of the guide: the small "New Webhook" dialog asking for a name. */
export function askName(onContinue) {
  const titleId = uid("t");
  const input = h("input", { type: "text", placeholder: "New Webhook", autocomplete: "off", required: true });
  const f = field("Webhook name", input, { hint: "What it does, e.g. \"NPS detractors to Slack\"." });
  const go = () => {
    const name = input.value.trim();
    if (!name) {
      f.msg.className = "msg error";
      f.msg.textContent = "Give the webhook a name.";
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    d.close();
    onContinue(name);
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      go();
    }
  });
  const d = h(
    "dialog",
    { class: "modal small", "aria-labelledby": titleId },
    h(
      "div",
      { class: "modal-head" },
      h("h2", { id: titleId }, "New Webhook"),
      h("button", { type: "button", class: "icon-btn", "aria-label": "Close", onclick: () => d.close() }, "×")
    ),
    h("div", { class: "modal-body" }, f.wrap),
    h(
      "div",
      { class: "modal-foot" },
      h("button", { type: "button", class: "btn ghost", onclick: () => d.close() }, "CANCEL"),
      h("button", { type: "button", class: "btn primary", onclick: go }, "CONTINUE ›")
    )
  );
  d.addEventListener("close", () => d.remove());
  document.body.append(d);
  d.showModal();
  input.focus();
}

/**
 * Opens the wizard.
 * ctx: { catalog, byId, draft(), commit(draft, info), origin }
 * opts: { webhookId } to edit, or { name } for a new one; { focusKey } to land on a problem.
 */
export function openWizard(ctx, opts = {}) {
  const draft0 = ctx.draft();
  const existing = opts.webhookId ? draft0.webhooks.find((w) => w.id === opts.webhookId) : null;
  const w = existing || {
    id: uniqueId("wh-" + slug(opts.name), new Set(draft0.webhooks.map((x) => x.id))),
    name: opts.name || "",
    enabled: true,
    event: "",
    conditions: [],
    static: [],
    destination: "",
  };
  const eventProps = (id) => (ctx.byId.get(id) || { properties: [] }).properties;
  const known = (name) => eventProps(m.event).some((p) => p.name === name);
  const typeOf = (name) => eventProps(m.event).find((p) => p.name === name)?.type || "string";

  const m = {
    originalId: existing ? existing.id : null,
    id: w.id,
    name: w.name || "",
    enabled: w.enabled !== false,
    event: w.event || "",
    conditions: [],
    selected: (w.properties || []).map((p) => (typeof p === "string" ? { name: p, as: "", hash: false } : { name: p.name, as: p.as || "", hash: !!p.hash })),
    statics: (w.static || []).map(staticRow),
    destChoice: existing && draft0.destinations.some((d) => d.id === w.destination) ? w.destination : NEW,
    dest: null,
    step: 1,
    advanced: false,
  };
  m.conditions = (w.conditions || []).map((c) => conditionRow(c, known));
  for (const s of m.selected) s.other = !known(s.name);
  m.advanced = !!(m.selected.length || m.statics.length);
  m.dest = m.destChoice === NEW ? emptyDestination() : destinationModel(draft0.destinations.find((d) => d.id === m.destChoice));

  const titleId = uid("t");
  const general = h("div", { class: "general-problems", role: "alert", hidden: true });
  const problems = new FieldProblems(general);
  problems.onTouch = () => changed();
  const step1 = h("section", { class: "step", "aria-label": "Select Event" });
  const step2 = h("section", { class: "step", "aria-label": "Select Destination", hidden: true });
  const foot = h("div", { class: "modal-foot" });
  const stepBtn = (n, label) =>
    h("button", { type: "button", class: "step-btn", dataset: { step: n }, onclick: () => tryGo(n) }, h("span", { class: "num" }, String(n)), label);
  const stepper = h("ol", { class: "stepper" }, h("li", null, stepBtn(1, "Select Event")), h("li", null, stepBtn(2, "Select Destination")));
  const dlg = h(
    "dialog",
    { class: "modal wizard", "aria-labelledby": titleId, dataset: { webhook: m.id } },
    h(
      "div",
      { class: "modal-head" },
      h("h2", { id: titleId }, existing ? "Edit Webhook" : "New Webhook"),
      h("span", { class: "kbd", "aria-hidden": "true" }, "Esc"),
      h("button", { type: "button", class: "icon-btn", "aria-label": "Close", onclick: () => dlg.close() }, "×")
    ),
    stepper,
    h("div", { class: "modal-body" }, general, step1, step2),
    foot
  );
  dlg.addEventListener("close", () => dlg.remove());

  // ---- validation -----------------------------------------------------------

  function toWebhook(destinationId) {
    const out = { id: m.id, name: m.name.trim(), enabled: m.enabled, event: m.event };
    out.conditions = m.conditions.map((r) => rowCondition(r, typeOf));
    if (out.conditions.length) delete out.conditions[out.conditions.length - 1].join;
    if (m.selected.length) {
      out.properties = m.selected.map((p) => {
        const o = { name: p.name.trim() };
        if (p.as) o.as = p.as;
        if (p.hash) o.hash = true;
        return o;
      });
    }
    out.static = m.statics.map(rowStatic);
    out.destination = destinationId;
    return out;
  }

  function compose() {
    const d = clone(ctx.draft());
    const { destination, problems: client } = modelDestination(m.dest);
    let di;
    if (m.destChoice === NEW) {
      di = d.destinations.length;
      d.destinations.push(destination);
    } else {
      di = d.destinations.findIndex((x) => x.id === m.destChoice);
      d.destinations[di] = destination;
      if (destination.id !== m.destChoice) for (const x of d.webhooks) if (x.destination === m.destChoice) x.destination = destination.id;
    }
    const webhook = toWebhook(destination.id);
    let wi = m.originalId ? d.webhooks.findIndex((x) => x.id === m.originalId) : -1;
    if (wi < 0) {
      wi = d.webhooks.length;
      d.webhooks.push(webhook);
    } else d.webhooks[wi] = webhook;
    return { d, wi, di, client, webhook, destination };
  }

  function translate(p, kind, wi, di) {
    const wp = `webhooks[${wi}]`;
    const dp = `destinations[${di}]`;
    let key;
    if (p.path === wp || p.path.startsWith(wp + ".") || p.path.startsWith(wp + "[")) key = "webhook" + p.path.slice(wp.length);
    else if (p.path === dp || p.path.startsWith(dp + ".") || p.path.startsWith(dp + "[")) key = "destination" + p.path.slice(dp.length);
    else return null;
    key = key.replace(/^webhook\.properties\[(\d+)\]/, (_, k) => {
      const s = m.selected[k];
      if (!s) return "webhook.properties";
      return s.other ? `webhook.other[${k}]` : "webhook.prop:" + s.name;
    });
    let message = p.message;
    if (key === "webhook.event" && !m.event) message = "Select an event.";
    return { key, message, kind, path: p.path };
  }

  function check() {
    const { d, wi, di, client } = compose();
    const v = validate(d);
    const list = [];
    if (!m.name.trim()) list.push({ key: "webhook.name", message: "Give the webhook a name.", kind: "error" });
    for (const p of client) list.push({ ...p, kind: "error" });
    for (const p of v.errors) {
      const t = translate(p, "error", wi, di);
      if (t) list.push(t);
    }
    for (const p of v.warnings || []) {
      const t = translate(p, "warn", wi, di);
      if (t) list.push(t);
    }
    problems.show(list);
    updatePreview();
    return list.filter((p) => p.kind === "error");
  }

  let scheduled = false;
  function changed() {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      check();
    });
  }

  const stepOf = (key) => (key.startsWith("destination") || key === "webhook.destination" ? 2 : 1);
  const isAdvanced = (key) => key.startsWith("webhook.prop:") || key.startsWith("webhook.other") || key.startsWith("webhook.properties") || key.startsWith("webhook.static");

  function land(key) {
    if (stepOf(key) === 1 && isAdvanced(key) && !m.advanced) {
      m.advanced = true;
      renderStep1();
      check();
    }
    go(stepOf(key));
    problems.focus(key);
  }

  // ---- step 1: Select Event -------------------------------------------------

  let previewEl = null;
  function updatePreview() {
    if (!previewEl) return;
    const ev = ctx.byId.get(m.event);
    if (!ev) {
      previewEl.textContent = "Select an event to see the body.";
      return;
    }
    const sample = {
      "event.id": "3f1c9e2a-demo",
      "event.type": ev.id,
      "event.name": ev.name,
      "event.timestamp": 1718000000000,
      "session.id": "s-7f3a",
      "page.url": ctx.origin + "/index.html",
      "page.path": "/index.html",
      "page.title": "Acme CRM",
      "page.referrer": "",
      "env.language": navigator.language,
      "env.userAgent": "Mozilla/5.0 (…)",
      ...sampleProperties(ev, m.conditions.map((r) => rowCondition(r, typeOf))),
    };
    const body = {};
    if (!m.selected.length) Object.assign(body, sample);
    for (const p of m.selected) if (p.name in sample) body[p.as || p.name] = p.hash ? "(SHA-256 of the value)" : sample[p.name];
    for (const s of m.statics) if (s.name) body[s.name] = rowStatic(s).value;
    previewEl.textContent = JSON.stringify(body, null, 2);
  }

  function renderStep1(focusSel) {
    problems.reset("webhook.");
    const reg = (k, input, msg, on) => problems.reg(k, input, msg, on);
    const rerender = (sel) => {
      renderStep1(sel);
      changed();
    };

    const name = h("input", { type: "text", autocomplete: "off", value: m.name });
    name.addEventListener("input", () => ((m.name = name.value), changed()));
    const fName = field("Webhook name", name);
    reg("webhook.name", name, fName.msg, "input");

    const groups = [];
    for (const e of ctx.catalog) {
      let g = groups.find((x) => x[0] === e.group);
      if (!g) groups.push((g = [e.group, []]));
      g[1].push({ value: e.id, label: e.name });
    }
    const event = select([{ value: "", label: "Select an event…", disabled: true }, ...groups], m.event);
    if (!m.event) event.value = "";
    event.addEventListener("change", () => {
      const old = new Set(eventProps(m.event).map((p) => p.name));
      m.event = event.value;
      const now = new Set(eventProps(m.event).map((p) => p.name));
      m.selected = m.selected.filter((p) => !old.has(p.name) || now.has(p.name));
      for (const s of m.selected) s.other = !now.has(s.name);
      for (const r of m.conditions) if (!r.custom && r.property && !now.has(r.property)) r.property = "";
      rerender("[data-key='webhook.event']");
    });
    event.dataset.key = "webhook.event";
    const ev = ctx.byId.get(m.event);
    const fEvent = field("Event", event, { hint: ev ? `${ev.description} (${ev.id})` : "The WalkMe event that triggers the webhook." });
    reg("webhook.event", event, fEvent.msg);

    // Conditions.
    const props = eventProps(m.event);
    const addCond = h(
      "button",
      {
        type: "button",
        class: "btn add",
        disabled: !m.event,
        onclick: () => {
          m.conditions.push({ property: "", custom: false, operator: "equals", valueText: "", ignoreCase: false, join: "and" });
          rerender(`[data-key='webhook.conditions[${m.conditions.length - 1}].property']`);
        },
      },
      "+ ADD CONDITION"
    );
    const condRows = m.conditions.map((r, i) => {
      const n = i + 1;
      const msg = h("div", { class: "msg", "aria-live": "polite" });
      let prop;
      if (r.custom) {
        prop = h("input", { type: "text", autocomplete: "off", spellcheck: "false", placeholder: "property name", "aria-label": `Condition ${n} property`, value: r.property });
        prop.addEventListener("input", () => ((r.property = prop.value), changed()));
      } else {
        const opt = (p) => ({ value: p.name, label: p.name });
        const opts = [
          { value: "", label: "Property…", disabled: true },
          [ev ? ev.name : "Event", props.filter((p) => !COMMON.has(p.name) || p.name === "user.id").map(opt)],
          ["Every event", props.filter((p) => COMMON.has(p.name) && p.name !== "user.id").map(opt)],
          { value: OTHER, label: "Other property…" },
        ];
        if (r.property && !props.some((p) => p.name === r.property)) opts.splice(1, 0, { value: r.property, label: r.property });
        prop = select(opts, r.property, { "aria-label": `Condition ${n} property` });
        if (!r.property) prop.value = "";
        prop.addEventListener("change", () => {
          if (prop.value === OTHER) {
            r.custom = true;
            r.property = "";
            rerender(`[data-key='webhook.conditions[${i}].property']`);
            return;
          }
          r.property = prop.value;
          changed();
        });
      }
      prop.dataset.key = `webhook.conditions[${i}].property`;
      const op = select(OPERATORS, r.operator, { "aria-label": `Condition ${n} operator` });
      op.addEventListener("change", () => {
        const wasNone = NO_VALUE.has(r.operator);
        r.operator = op.value;
        if (wasNone !== NO_VALUE.has(r.operator)) rerender(`[data-key='webhook.conditions[${i}].operator']`);
        else {
          value.placeholder = placeholderFor(r.operator);
          changed();
        }
      });
      const none = NO_VALUE.has(r.operator);
      const value = h("input", {
        type: "text",
        autocomplete: "off",
        spellcheck: "false",
        "aria-label": `Condition ${n} value`,
        placeholder: none ? "no value needed" : placeholderFor(r.operator),
        disabled: none,
        value: none ? "" : r.valueText,
        dataset: { key: `webhook.conditions[${i}].value` },
      });
      value.addEventListener("input", () => ((r.valueText = value.value), changed()));
      const ic = h("input", { type: "checkbox", checked: r.ignoreCase, id: uid("ic") });
      ic.addEventListener("change", () => ((r.ignoreCase = ic.checked), changed()));
      const join = select(
        [
          { value: "and", label: "And" },
          { value: "or", label: "Or" },
        ],
        r.join,
        { "aria-label": `Join condition ${n} with the next one`, class: "join" + (i === m.conditions.length - 1 ? " invisible" : "") }
      );
      join.addEventListener("change", () => ((r.join = join.value), changed()));
      const del = h(
        "button",
        { type: "button", class: "icon-btn", "aria-label": `Remove condition ${n}`, onclick: () => (m.conditions.splice(i, 1), rerender(), addCond.focus()) },
        "×"
      );
      reg(`webhook.conditions[${i}].property`, prop, msg);
      reg(`webhook.conditions[${i}].operator`, op, msg);
      reg(`webhook.conditions[${i}].value`, value, msg);
      reg(`webhook.conditions[${i}]`, prop, msg);
      return h(
        "div",
        { class: "cond-row", dataset: { row: i } },
        prop,
        op,
        value,
        h("label", { class: "ic", for: ic.id, title: "Ignore case" }, ic, h("span", null, "Ignore case")),
        join,
        del,
        msg
      );
    });
    const condMsg = h("div", { class: "msg", "aria-live": "polite" });
    reg("webhook.conditions", addCond, condMsg);
    const conditions = h(
      "fieldset",
      { class: "conditions" },
      h("legend", null, "Conditions"),
      h("p", { class: "hint" }, m.conditions.length ? "Rows are read top to bottom; And binds tighter than Or." : "Optional: send only when the event's properties match."),
      h("div", { class: "cond-list" }, condRows),
      condMsg,
      addCond
    );

    // Advanced: properties, renames, static properties.
    const advBtn = h(
      "button",
      {
        type: "button",
        class: "btn link advanced-toggle",
        "aria-expanded": String(m.advanced),
        onclick: () => {
          m.advanced = !m.advanced;
          rerender(".advanced-toggle");
        },
      },
      m.advanced ? "Advanced ⌄" : "Advanced ›"
    );
    let advanced = null;
    if (m.advanced) advanced = renderAdvanced(reg, rerender, props);

    mount(step1, fName.wrap, fEvent.wrap, conditions, advBtn, advanced);
    if (focusSel) step1.querySelector(focusSel)?.focus();
  }

  function renderAdvanced(reg, rerender, props) {
    const isSel = (name) => m.selected.findIndex((p) => p.name === name);
    const row = (p) => {
      const i = isSel(p.name);
      const sel = i >= 0 ? m.selected[i] : null;
      const msg = h("div", { class: "msg", "aria-live": "polite" });
      const cb = h("input", { type: "checkbox", checked: !!sel, id: uid("p") });
      cb.addEventListener("change", () => {
        if (cb.checked) m.selected.push({ name: p.name, as: "", hash: false });
        else m.selected.splice(isSel(p.name), 1);
        rerender(`[data-prop='${p.name}'] input[type=checkbox]`);
      });
      const as = h("input", { type: "text", autocomplete: "off", spellcheck: "false", placeholder: p.name, "aria-label": `Send ${p.name} as`, disabled: !sel, value: sel ? sel.as : "" });
      as.addEventListener("input", () => {
        const s = m.selected[isSel(p.name)];
        if (s) s.as = as.value;
        changed();
      });
      const hash = h("input", { type: "checkbox", checked: !!(sel && sel.hash), disabled: !sel, "aria-label": `Hash ${p.name} (SHA-256)` });
      hash.addEventListener("change", () => {
        const s = m.selected[isSel(p.name)];
        if (s) s.hash = hash.checked;
        changed();
      });
      reg(`webhook.prop:${p.name}.name`, cb, msg);
      reg(`webhook.prop:${p.name}.as`, as, msg, "input");
      reg(`webhook.prop:${p.name}`, cb, msg);
      return h(
        "div",
        { class: "prop-row" + (sel ? " on" : ""), dataset: { prop: p.name } },
        h("label", { class: "checkline", for: cb.id }, cb, h("code", null, p.name)),
        h("span", { class: "type" }, p.type),
        as,
        h("label", { class: "hash", title: "Send the SHA-256 hex of the value instead" }, hash, h("span", null, "Hash")),
        msg
      );
    };
    // The event's own properties first, then those every event carries.
    const own = props.filter((p) => !COMMON.has(p.name) || p.name === "user.id");
    const common = props.filter((p) => COMMON.has(p.name) && p.name !== "user.id");
    const rows = [
      ...own.map(row),
      common.length ? h("div", { class: "prop-sep", "aria-hidden": "true" }, "Carried by every event") : null,
      ...common.map(row),
    ];
    // Selected properties the catalog does not list (e.g. user traits from identify()).
    const addOther = h(
      "button",
      {
        type: "button",
        class: "btn add",
        onclick: () => {
          m.selected.push({ name: "", as: "", hash: false, other: true });
          rerender(`[data-other='${m.selected.length - 1}'] input`);
        },
      },
      "+ ADD OTHER EVENT PROPERTY"
    );
    const others = m.selected
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => s.other || !props.some((p) => p.name === s.name))
      .map(({ s, i }) => {
        s.other = true;
        const msg = h("div", { class: "msg", "aria-live": "polite" });
        const name = h("input", { type: "text", autocomplete: "off", spellcheck: "false", placeholder: "e.g. user.plan", "aria-label": "Other event property name", value: s.name });
        name.addEventListener("input", () => ((s.name = name.value.trim()), changed()));
        const as = h("input", { type: "text", autocomplete: "off", spellcheck: "false", placeholder: "send as", "aria-label": `Send ${s.name || "property"} as`, value: s.as });
        as.addEventListener("input", () => ((s.as = as.value), changed()));
        const del = h("button", { type: "button", class: "icon-btn", "aria-label": `Remove ${s.name || "property"}`, onclick: () => (m.selected.splice(i, 1), rerender(), addOther.focus()) }, "×");
        reg(`webhook.other[${i}].name`, name, msg, "input");
        reg(`webhook.other[${i}].as`, as, msg, "input");
        return h("div", { class: "prop-row on other", dataset: { other: i } }, name, h("span", { class: "type" }, "other"), as, del, msg);
      });

    const addStatic = h(
      "button",
      {
        type: "button",
        class: "btn add",
        onclick: () => {
          m.statics.push({ name: "", type: "text", valueText: "" });
          rerender(`[data-key='webhook.static[${m.statics.length - 1}].name']`);
        },
      },
      "+ ADD PROPERTY"
    );
    const staticRows = m.statics.map((s, i) => {
      const n = i + 1;
      const msg = h("div", { class: "msg", "aria-live": "polite" });
      const name = h("input", { type: "text", autocomplete: "off", spellcheck: "false", placeholder: "name, e.g. app_id", "aria-label": `Static property ${n} name`, value: s.name, dataset: { key: `webhook.static[${i}].name` } });
      name.addEventListener("input", () => ((s.name = name.value), changed()));
      const type = select(
        [
          { value: "text", label: "Text" },
          { value: "number", label: "Number" },
          { value: "boolean", label: "True/False" },
        ],
        s.type,
        { "aria-label": `Static property ${n} type` }
      );
      type.addEventListener("change", () => {
        s.type = type.value;
        if (s.type === "boolean" && s.valueText !== "true" && s.valueText !== "false") s.valueText = "true";
        rerender(`[data-key='webhook.static[${i}].type']`);
      });
      type.dataset.key = `webhook.static[${i}].type`;
      let value;
      if (s.type === "boolean") {
        value = select(
          [
            { value: "true", label: "true" },
            { value: "false", label: "false" },
          ],
          s.valueText,
          { "aria-label": `Static property ${n} value` }
        );
        value.addEventListener("change", () => ((s.valueText = value.value), changed()));
      } else {
        value = h("input", { type: "text", autocomplete: "off", "aria-label": `Static property ${n} value`, inputmode: s.type === "number" ? "decimal" : null, value: s.valueText });
        value.addEventListener("input", () => {
          s.valueText = value.value;
          changed();
        });
      }
      const del = h("button", { type: "button", class: "icon-btn", "aria-label": `Remove static property ${n}`, onclick: () => (m.statics.splice(i, 1), rerender(), addStatic.focus()) }, "×");
      reg(`webhook.static[${i}].name`, name, msg, "input");
      reg(`webhook.static[${i}].value`, value, msg, "input");
      return h("div", { class: "static-row" }, name, type, value, del, msg);
    });
    const staticMsg = h("div", { class: "msg", "aria-live": "polite" });
    reg("webhook.static", addStatic, staticMsg);
    const propMsg = h("div", { class: "msg", "aria-live": "polite" });
    reg("webhook.properties", addOther, propMsg);

    previewEl = h("pre", { class: "code", "aria-live": "off" });
    return h(
      "div",
      { class: "advanced" },
      h("h3", null, "Properties"),
      h(
        "p",
        { class: "hint" },
        m.selected.length
          ? "Only the checked properties are sent, under the name in \"Send as\" when you give one (to match what the destination expects)."
          : "None checked: every property of the event is sent. Check the ones you want to send only those, and rename them to match the destination."
      ),
      h(
        "div",
        { class: "prop-list" },
        h("div", { class: "prop-head", "aria-hidden": "true" }, h("span", null, "Property"), h("span", null, "Type"), h("span", null, "Send as"), h("span", null, "")),
        rows,
        others
      ),
      propMsg,
      addOther,
      h("h3", null, "Static properties"),
      h("p", { class: "hint" }, "Sent with every call, next to the event's properties. No spaces in names: separate words with _ or use camelCase."),
      staticRows.length ? h("div", { class: "static-list" }, staticRows) : null,
      staticMsg,
      addStatic,
      h("h3", null, "Body preview"),
      h("p", { class: "hint" }, "The default body with sample values; the destination's body template can reshape it."),
      previewEl
    );
  }

  // ---- step 2: Select Destination ---------------------------------------------

  function renderStep2() {
    const draft = ctx.draft();
    const choice = select(
      [
        ...draft.destinations.map((d) => ({ value: d.id, label: `${d.platform || "Destination"} · ${d.id} (${shortUrl(d.url)})` })),
        { value: NEW, label: "+ New destination" },
      ],
      m.destChoice
    );
    choice.addEventListener("change", () => {
      m.destChoice = choice.value;
      m.dest = m.destChoice === NEW ? emptyDestination() : destinationModel(draft.destinations.find((d) => d.id === m.destChoice));
      renderStep2();
      changed();
      step2.querySelector("select")?.focus();
    });
    const fChoice = field("Destination", choice, { hint: "Reuse a destination of the Destinations page, or define a new one." });
    problems.reset("webhook.destination");
    problems.reg("webhook.destination", choice, fChoice.msg);
    const formRoot = h("div", { class: "dest-form" });
    const taken = new Set(draft.destinations.map((d) => d.id).filter((id) => m.destChoice === NEW || id !== m.destChoice));
    if (m.destChoice === NEW && !m.dest.idEdited && !m.dest.id) m.dest.id = uniqueId(slug(m.dest.platform || "destination"), taken);
    const usedBy = m.destChoice === NEW ? [] : draft.webhooks.filter((x) => x.destination === m.destChoice && x.id !== m.originalId).map((x) => x.name || x.id);
    renderDestinationForm(formRoot, m.dest, { problems, changed, origin: ctx.origin, takenIds: taken, usedBy });
    step2.replaceChildren(fChoice.wrap, formRoot);
  }

  // ---- navigation -------------------------------------------------------------

  function go(n) {
    m.step = n;
    step1.hidden = n !== 1;
    step2.hidden = n !== 2;
    for (const b of stepper.querySelectorAll(".step-btn")) {
      const on = Number(b.dataset.step) === n;
      b.classList.toggle("on", on);
      if (on) b.setAttribute("aria-current", "step");
      else b.removeAttribute("aria-current");
    }
    if (n === 1) {
      foot.replaceChildren(
        h("button", { type: "button", class: "btn ghost", onclick: () => dlg.close() }, "CANCEL"),
        h("button", { type: "button", class: "btn primary", onclick: () => tryGo(2) }, "CONTINUE ›")
      );
    } else {
      foot.replaceChildren(
        h("button", { type: "button", class: "btn ghost", onclick: () => go(1) }, "‹ BACK"),
        h("button", { type: "button", class: "btn primary", onclick: save }, "SAVE")
      );
    }
    dlg.querySelector(".modal-body").scrollTop = 0;
  }

  function tryGo(n) {
    if (n === 2 && m.step === 1) {
      for (const k of problems.fields.keys()) if (k.startsWith("webhook.") && k !== "webhook.destination") problems.touched.add(k);
      const errors = check().filter((p) => stepOf(p.key) === 1);
      if (errors.length) {
        land(errors[0].key);
        return;
      }
    }
    go(n);
    (n === 2 ? step2 : step1).querySelector("input, select")?.focus();
  }

  function save() {
    problems.submitted = true;
    const errors = check();
    if (errors.length) {
      land(errors[0].key);
      toast(`Not saved: ${errors.length} problem${errors.length > 1 ? "s" : ""} to fix (shown at the fields).`, { kind: "error" });
      return;
    }
    const { d, webhook, destination } = compose();
    ctx.commit(d, { webhook, destination, isNew: !existing });
    dlg.close();
  }

  renderStep1();
  renderStep2();
  go(1);
  document.body.append(dlg);
  dlg.showModal();
  check();
  if (opts.focusKey) {
    problems.submitted = true;
    check();
    land(opts.focusKey);
  } else if (!m.event) step1.querySelector("select")?.focus();
  else step1.querySelector("input")?.focus();
  return dlg;
}

function placeholderFor(op) {
  if (op === "in") return "a, b, c";
  if (op === "matches") return "regular expression";
  if (op === "gt" || op === "gte" || op === "lt" || op === "lte") return "number";
  return "value";
}
