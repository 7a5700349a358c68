// The New / Edit Webhook wizard, as in the guide: a name (step 4), then
// "1 Select Event" (event, conditions, Advanced: properties, renames,
// static properties) and "2 Select Destination" (platform, request type,
// URL, authentication, headers), then Send test or Save. Every change is
// checked with the module's own validate(); each problem shows under the
// field it belongs to. The request the webhook sends for a sample event,
// and each condition row's result for it, come from the module's preview()
// (the code the runtime sends with) and follow every change. Closing with
// changes asks first.

import { validate, preview } from "./module.js";
import { h, mount, field, select, uid, toast, guardClose, showModal } from "./dom.js";
import { t, eventName, groupName, eventDescription, propLabel, typeLabel } from "./i18n.js";
import { FieldProblems } from "./problems.js";
import { renderDestinationForm, presetProblems } from "./destination-form.js";
import { openTestSend } from "./test-send.js";
import { previewProperties, COMMON } from "./samples.js";
import { requestBlock, conditionBadge } from "./request-view.js";
import { clone } from "./store.js";
import {
  NEW, operatorOptions, NO_VALUE, conditionRow, rowCondition, staticRow, rowStatic,
  destinationModel, emptyDestination, modelDestination, slug, uniqueId, shortUrl, nameTaken,
} from "./model.js";

const OTHER = "__other__";

/** Step 4 of the guide: the small "New Webhook" dialog asking for a name. */
export function askName(draft, onContinue) {
  const titleId = uid("t");
  const input = h("input", { type: "text", placeholder: t("wizard.newTitle"), autocomplete: "off", required: true });
  const f = field(t("wizard.name"), input, { hint: t("wizard.nameHint") });
  const refuse = (message) => {
    f.msg.className = "msg error";
    f.msg.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.focus();
  };
  const go = () => {
    const name = input.value.trim();
    if (!name) return refuse(t("wizard.nameMissing"));
    if (nameTaken(draft.webhooks, name)) return refuse(t("wizard.nameTaken", { name }));
    d.close();
    onContinue(name);
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      go();
    }
  });
  input.addEventListener("input", () => {
    if (input.getAttribute("aria-invalid") !== "true") return;
    const name = input.value.trim();
    const problem = name && nameTaken(draft.webhooks, name) ? t("wizard.nameTaken", { name }) : "";
    f.msg.className = "msg" + (problem ? " error" : "");
    f.msg.textContent = problem;
    if (!problem) input.removeAttribute("aria-invalid");
  });
  const d = h("dialog", { class: "modal small", "aria-labelledby": titleId });
  const close = guardClose(d, () => input.value.trim() !== "");
  d.append(
    h("div", { class: "modal-head" }, h("h2", { id: titleId }, t("wizard.newTitle")), h("button", { type: "button", class: "icon-btn", "aria-label": t("action.close"), onclick: close }, "×")),
    h("div", { class: "modal-body" }, f.wrap),
    h(
      "div",
      { class: "modal-foot" },
      h("button", { type: "button", class: "btn ghost", onclick: close }, t("action.cancel")),
      h("button", { type: "button", class: "btn primary", onclick: go }, t("action.continue"))
    )
  );
  d.addEventListener("close", () => d.remove());
  showModal(d);
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
  // A catalog property that is true or false, compared with one value.
  const booleanValue = (r) => !r.custom && typeOf(r.property) === "boolean" && (r.operator === "equals" || r.operator === "not_equals");

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
  const step1 = h("section", { class: "step", "aria-label": t("wizard.step1") });
  const step2 = h("section", { class: "step", "aria-label": t("wizard.step2"), hidden: true });
  const foot = h("div", { class: "modal-foot" });
  const stepBtn = (n, label) =>
    h("button", { type: "button", class: "step-btn", dataset: { step: n }, onclick: () => tryGo(n) }, h("span", { class: "num" }, String(n)), label);
  const stepper = h("ol", { class: "stepper" }, h("li", null, stepBtn(1, t("wizard.step1"))), h("li", null, stepBtn(2, t("wizard.step2"))));
  const dlg = h("dialog", { class: "modal wizard", "aria-labelledby": titleId, dataset: { webhook: m.id } });
  // What the form would save; the wizard asks before closing when it differs from the start.
  const snapshot = () => JSON.stringify([toWebhook(""), m.destChoice, modelDestination(m.dest).destination]);
  let pristine = null;
  const close = guardClose(dlg, () => pristine !== null && snapshot() !== pristine);
  dlg.append(
    h(
      "div",
      { class: "modal-head" },
      h("h2", { id: titleId }, t(existing ? "wizard.editTitle" : "wizard.newTitle")),
      h("span", { class: "kbd", "aria-hidden": "true" }, "Esc"),
      h("button", { type: "button", class: "icon-btn", "aria-label": t("action.close"), onclick: close }, "×")
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
    if (key === "webhook.event" && !m.event) message = t("wizard.eventMissing");
    return { key, message, kind, path: p.path, code: p.code };
  }

  function check() {
    const { d, wi, di, client } = compose();
    const v = validate(d);
    const list = [];
    if (!m.name.trim()) list.push({ key: "webhook.name", message: t("wizard.nameMissing"), kind: "error" });
    else if (nameTaken(ctx.draft().webhooks, m.name, m.originalId)) list.push({ key: "webhook.name", message: t("wizard.nameTaken", { name: m.name.trim() }), kind: "error" });
    for (const p of client) list.push({ ...p, kind: "error" });
    list.push(...presetProblems(m.dest));
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

  // The request preview (Advanced, and the destination step) and each
  // condition row's result, for a sample event, from the module.
  let previewEl = null;
  let preview2El = null;
  const condSlots = [];
  const STAND_IN = "https://destination.example/webhook";

  function samplePreview() {
    const ev = ctx.byId.get(m.event);
    if (!ev) return null;
    const { client, webhook, destination } = compose();
    const conditions = webhook.conditions;
    const properties = previewProperties(ev, conditions, ctx.origin);
    const run = (dest) => {
      const id = dest.id || "destination";
      return preview({ version: 1, destinations: [{ ...dest, id }], webhooks: [{ ...webhook, enabled: true, destination: id }] }, webhook.id, properties);
    };
    const destProblem = (pv) => pv.errors.some((e) => e.path.startsWith("destinations"));
    let pv = client.length ? { ok: false, errors: [{ path: "destinations[0]" }] } : run(destination);
    let whole = true;
    if (!pv.ok && destProblem(pv)) {
      // The destination is not filled in yet: the body it would get, from a stand-in address.
      whole = false;
      pv = run({ ...destination, url: STAND_IN, headers: [], auth: { type: "none" } });
      if (!pv.ok && destProblem(pv)) pv = run({ id: destination.id, url: STAND_IN, method: "POST" });
    }
    return { pv, whole, properties, destination };
  }

  function updatePreview() {
    const out = samplePreview();
    for (const [i, slot] of condSlots.entries()) {
      if (!slot) continue;
      const ok = out && out.pv.ok ? out.pv.conditions[i] : undefined;
      const r = m.conditions[i];
      slot.replaceChildren(ok === undefined || !r ? "" : conditionBadge(ok, out.properties, r.property.trim()));
    }
    for (const [el, step] of [
      [previewEl, 1],
      [preview2El, 2],
    ]) {
      if (!el) continue;
      if (!out) {
        el.replaceChildren(h("p", { class: "muted" }, t("wizard.previewEmpty")));
        continue;
      }
      const { pv, whole, destination } = out;
      if (!pv.ok || !pv.request) {
        el.replaceChildren(h("p", { class: "muted", dataset: { preview: "none" } }, t("wizard.previewFix")));
        continue;
      }
      const label = t("wizard.preview");
      const matched = pv.matched ? null : h("p", { class: "note" }, t("wizard.previewUnmatched"));
      if (whole) el.replaceChildren(matched || "", requestBlock(pv.request, destination, label));
      else {
        const block = requestBlock(pv.request, destination, label);
        const body = block.querySelector("pre.code") || block.querySelector(".muted:last-of-type");
        el.replaceChildren(matched || "", h("p", { class: "hint" }, t(step === 1 ? "wizard.previewBodyOnly" : "wizard.previewFix")), step === 1 && body ? body : "");
      }
    }
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
    const fName = field(t("wizard.name"), name);
    reg("webhook.name", name, fName.msg, "input");

    const groups = [];
    for (const e of ctx.catalog) {
      let g = groups.find((x) => x[2] === e.group);
      if (!g) groups.push((g = [groupName(e.group), [], e.group]));
      g[1].push({ value: e.id, label: eventName(e) });
    }
    const event = select([{ value: "", label: t("wizard.eventPlaceholder"), disabled: true }, ...groups], m.event);
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
    const fEvent = field(t("wizard.event"), event, { hint: ev ? `${eventDescription(ev)} (${ev.id})` : t("wizard.eventHint") });
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
      t("wizard.addCondition")
    );
    condSlots.length = 0;
    const condRows = m.conditions.map((r, i) => {
      const n = i + 1;
      const msg = h("div", { class: "msg", "aria-live": "polite" });
      let prop;
      if (r.custom) {
        // A property the catalog does not list (a user trait, a custom player property): free text.
        prop = h("input", { type: "text", autocomplete: "off", spellcheck: "false", placeholder: t("wizard.customProperty"), "aria-label": t("wizard.condProperty", { n }), value: r.property });
        prop.addEventListener("input", () => ((r.property = prop.value), changed()));
      } else {
        const opt = (p) => ({ value: p.name, label: propertyOption(p) });
        const opts = [
          { value: "", label: t("wizard.propertyPlaceholder"), disabled: true },
          [ev ? eventName(ev) : t("wizard.event"), props.filter((p) => !COMMON.has(p.name) || p.name === "user.id").map(opt)],
          [t("wizard.everyEvent"), props.filter((p) => COMMON.has(p.name) && p.name !== "user.id").map(opt)],
          { value: OTHER, label: t("wizard.otherProperty") },
        ];
        if (r.property && !props.some((p) => p.name === r.property)) opts.splice(1, 0, { value: r.property, label: r.property });
        prop = select(opts, r.property, { "aria-label": t("wizard.condProperty", { n }) });
        if (!r.property) prop.value = "";
        prop.addEventListener("change", () => {
          if (prop.value === OTHER) {
            r.custom = true;
            r.property = "";
            rerender(`[data-key='webhook.conditions[${i}].property']`);
            return;
          }
          const wasBoolean = booleanValue(r);
          r.property = prop.value;
          if (booleanValue(r) !== wasBoolean) rerender(`[data-key='webhook.conditions[${i}].property']`);
          else {
            value.placeholder = placeholderFor(r.operator, typeOf(r.property));
            changed();
          }
        });
      }
      prop.dataset.key = `webhook.conditions[${i}].property`;
      const op = select(operatorOptions(), r.operator, { "aria-label": t("wizard.condOperator", { n }) });
      op.dataset.key = `webhook.conditions[${i}].operator`;
      op.addEventListener("change", () => {
        const before = [NO_VALUE.has(r.operator), booleanValue(r)].join();
        r.operator = op.value;
        if (before !== [NO_VALUE.has(r.operator), booleanValue(r)].join()) rerender(`[data-key='webhook.conditions[${i}].operator']`);
        else {
          value.placeholder = placeholderFor(r.operator, typeOf(r.property));
          changed();
        }
      });
      const none = NO_VALUE.has(r.operator);
      let value;
      if (booleanValue(r)) {
        // A true/false property compared with one value: offer the two values.
        if (r.valueText !== "true" && r.valueText !== "false") r.valueText = "true";
        value = select(
          [
            { value: "true", label: t("value.true") },
            { value: "false", label: t("value.false") },
          ],
          r.valueText,
          { "aria-label": t("wizard.condValue", { n }), dataset: { key: `webhook.conditions[${i}].value` } }
        );
        value.addEventListener("change", () => ((r.valueText = value.value), changed()));
      } else {
        value = h("input", {
          type: "text",
          autocomplete: "off",
          spellcheck: "false",
          "aria-label": t("wizard.condValue", { n }),
          placeholder: none ? t("wizard.noValue") : placeholderFor(r.operator, typeOf(r.property)),
          inputmode: !none && typeOf(r.property) === "number" && r.operator !== "in" ? "decimal" : null,
          disabled: none,
          value: none ? "" : r.valueText,
          dataset: { key: `webhook.conditions[${i}].value` },
        });
        value.addEventListener("input", () => ((r.valueText = value.value), changed()));
      }
      const ic = h("input", { type: "checkbox", checked: r.ignoreCase, id: uid("ic") });
      ic.addEventListener("change", () => ((r.ignoreCase = ic.checked), changed()));
      const join = select(
        [
          { value: "and", label: t("wizard.and") },
          { value: "or", label: t("wizard.or") },
        ],
        r.join,
        { "aria-label": t("wizard.condJoin", { n }), class: "join" + (i === m.conditions.length - 1 ? " invisible" : "") }
      );
      join.addEventListener("change", () => ((r.join = join.value), changed()));
      const del = h(
        "button",
        { type: "button", class: "icon-btn", "aria-label": t("wizard.condRemove", { n }), onclick: () => (m.conditions.splice(i, 1), rerender(), addCond.focus()) },
        "×"
      );
      reg(`webhook.conditions[${i}].property`, prop, msg);
      reg(`webhook.conditions[${i}].operator`, op, msg);
      reg(`webhook.conditions[${i}].value`, value, msg);
      reg(`webhook.conditions[${i}]`, prop, msg);
      const slot = h("span", { class: "cond-slot", "aria-live": "polite" });
      condSlots[i] = slot;
      return h(
        "div",
        { class: "cond-row", dataset: { row: i } },
        prop,
        op,
        value,
        h("label", { class: "ic", for: ic.id }, ic, h("span", null, t("wizard.ignoreCase"))),
        join,
        del,
        slot,
        msg
      );
    });
    const condMsg = h("div", { class: "msg", "aria-live": "polite" });
    reg("webhook.conditions", addCond, condMsg);
    const conditions = h(
      "fieldset",
      { class: "conditions" },
      h("legend", null, t("wizard.conditions")),
      h("p", { class: "hint" }, m.conditions.length ? t("wizard.conditionsHint") + " " + t("wizard.conditionsSample") : t("wizard.conditionsEmpty")),
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
      t(m.advanced ? "wizard.advancedOpen" : "wizard.advanced")
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
      const as = h("input", { type: "text", autocomplete: "off", spellcheck: "false", placeholder: p.name, "aria-label": t("wizard.sendAs", { name: p.name }), disabled: !sel, value: sel ? sel.as : "" });
      as.addEventListener("input", () => {
        const s = m.selected[isSel(p.name)];
        if (s) s.as = as.value;
        changed();
      });
      const hash = h("input", { type: "checkbox", checked: !!(sel && sel.hash), disabled: !sel, "aria-label": t("wizard.hashLabel", { name: p.name }) });
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
        h("label", { class: "checkline", for: cb.id, title: propLabel(p.name) || null }, cb, h("code", null, p.name)),
        h("span", { class: "type" }, typeLabel(p.type)),
        as,
        h("label", { class: "hash", title: t("wizard.hashTitle") }, hash, h("span", null, t("wizard.hash"))),
        msg
      );
    };
    // The event's own properties first, then those every event carries.
    const own = props.filter((p) => !COMMON.has(p.name) || p.name === "user.id");
    const common = props.filter((p) => COMMON.has(p.name) && p.name !== "user.id");
    const rows = [
      ...own.map(row),
      common.length ? h("div", { class: "prop-sep", "aria-hidden": "true" }, t("wizard.carriedByEvery")) : null,
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
      t("wizard.addOther")
    );
    const others = m.selected
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => s.other || !props.some((p) => p.name === s.name))
      .map(({ s, i }) => {
        s.other = true;
        const msg = h("div", { class: "msg", "aria-live": "polite" });
        const name = h("input", { type: "text", autocomplete: "off", spellcheck: "false", placeholder: t("wizard.otherPlaceholder"), "aria-label": t("wizard.otherName"), value: s.name });
        name.addEventListener("input", () => ((s.name = name.value.trim()), changed()));
        const as = h("input", { type: "text", autocomplete: "off", spellcheck: "false", placeholder: t("wizard.sendAsPlaceholder"), "aria-label": t("wizard.sendAs", { name: s.name || t("wizard.property") }), value: s.as });
        as.addEventListener("input", () => ((s.as = as.value), changed()));
        const del = h("button", { type: "button", class: "icon-btn", "aria-label": t("wizard.remove", { name: s.name || t("wizard.property") }), onclick: () => (m.selected.splice(i, 1), rerender(), addOther.focus()) }, "×");
        reg(`webhook.other[${i}].name`, name, msg, "input");
        reg(`webhook.other[${i}].as`, as, msg, "input");
        return h("div", { class: "prop-row on other", dataset: { other: i } }, name, h("span", { class: "type" }, t("wizard.otherType")), as, del, msg);
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
      t("wizard.addStatic")
    );
    const staticRows = m.statics.map((s, i) => {
      const n = i + 1;
      const msg = h("div", { class: "msg", "aria-live": "polite" });
      const name = h("input", { type: "text", autocomplete: "off", spellcheck: "false", placeholder: t("wizard.staticPlaceholder"), "aria-label": t("wizard.staticName", { n }), value: s.name, dataset: { key: `webhook.static[${i}].name` } });
      name.addEventListener("input", () => ((s.name = name.value), changed()));
      const type = select(
        [
          { value: "text", label: t("type.text") },
          { value: "number", label: t("type.number") },
          { value: "boolean", label: t("type.boolean") },
        ],
        s.type,
        { "aria-label": t("wizard.staticType", { n }) }
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
            { value: "true", label: t("value.true") },
            { value: "false", label: t("value.false") },
          ],
          s.valueText,
          { "aria-label": t("wizard.staticValue", { n }) }
        );
        value.addEventListener("change", () => ((s.valueText = value.value), changed()));
      } else {
        value = h("input", { type: "text", autocomplete: "off", "aria-label": t("wizard.staticValue", { n }), inputmode: s.type === "number" ? "decimal" : null, value: s.valueText });
        value.addEventListener("input", () => {
          s.valueText = value.value;
          changed();
        });
      }
      const del = h("button", { type: "button", class: "icon-btn", "aria-label": t("wizard.staticRemove", { n }), onclick: () => (m.statics.splice(i, 1), rerender(), addStatic.focus()) }, "×");
      reg(`webhook.static[${i}].name`, name, msg, "input");
      reg(`webhook.static[${i}].value`, value, msg, "input");
      return h("div", { class: "static-row" }, name, type, value, del, msg);
    });
    const staticMsg = h("div", { class: "msg", "aria-live": "polite" });
    reg("webhook.static", addStatic, staticMsg);
    const propMsg = h("div", { class: "msg", "aria-live": "polite" });
    reg("webhook.properties", addOther, propMsg);

    previewEl = h("div", { class: "request-preview" });
    return h(
      "div",
      { class: "advanced" },
      h("h3", null, t("wizard.properties")),
      h("p", { class: "hint" }, t(m.selected.length ? "wizard.propertiesHint" : "wizard.propertiesAll")),
      h(
        "div",
        { class: "prop-list" },
        h("div", { class: "prop-head", "aria-hidden": "true" }, h("span", null, t("wizard.property")), h("span", null, t("wizard.type")), h("span", null, t("wizard.sendAsHead")), h("span", null, "")),
        rows,
        others
      ),
      propMsg,
      addOther,
      h("h3", null, t("wizard.static")),
      h("p", { class: "hint" }, t("wizard.staticHint")),
      staticRows.length ? h("div", { class: "static-list" }, staticRows) : null,
      staticMsg,
      addStatic,
      h("h3", null, t("wizard.preview")),
      h("p", { class: "hint" }, t("wizard.previewHint")),
      previewEl
    );
  }

  // ---- step 2: Select Destination ---------------------------------------------

  function renderStep2() {
    const draft = ctx.draft();
    const choice = select(
      [
        ...draft.destinations.map((d) => ({ value: d.id, label: `${d.platform || t("wizard.destination")} · ${d.id} (${shortUrl(d.url)})` })),
        { value: NEW, label: t("wizard.newDestination") },
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
    const fChoice = field(t("wizard.destination"), choice, { hint: t("wizard.destinationHint") });
    problems.reset("webhook.destination");
    problems.reg("webhook.destination", choice, fChoice.msg);
    const formRoot = h("div", { class: "dest-form" });
    preview2El = h("div", { class: "request-preview" });
    const taken = new Set(draft.destinations.map((d) => d.id).filter((id) => m.destChoice === NEW || id !== m.destChoice));
    if (m.destChoice === NEW && !m.dest.idEdited && !m.dest.id) m.dest.id = uniqueId(slug(m.dest.platform || "destination"), taken);
    const usedBy = m.destChoice === NEW ? [] : draft.webhooks.filter((x) => x.destination === m.destChoice && x.id !== m.originalId).map((x) => x.name || x.id);
    renderDestinationForm(formRoot, m.dest, { problems, changed, origin: ctx.origin, takenIds: taken, usedBy });
    step2.replaceChildren(
      fChoice.wrap,
      formRoot,
      h("section", { class: "preview-section", "aria-label": t("wizard.preview") }, h("h3", null, t("wizard.preview")), h("p", { class: "hint" }, t("wizard.previewHint")), preview2El)
    );
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
        h("button", { type: "button", class: "btn ghost", onclick: close }, t("action.cancel")),
        h("button", { type: "button", class: "btn primary", onclick: () => tryGo(2) }, t("action.continue"))
      );
    } else {
      foot.replaceChildren(
        h("button", { type: "button", class: "btn ghost", onclick: () => go(1) }, t("action.back")),
        h("button", { type: "button", class: "btn", onclick: sendTest }, t("wizard.sendTest")),
        h("button", { type: "button", class: "btn primary", onclick: save }, t("action.save"))
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

  // Problems block saving and testing alike: show them all and land on the first.
  function ready(what) {
    problems.submitted = true;
    const errors = check();
    if (!errors.length) return true;
    land(errors[0].key);
    toast(t(what, { n: errors.length }), { kind: "error" });
    return false;
  }

  function save() {
    if (!ready("notSaved")) return;
    const { d, webhook, destination } = compose();
    dlg.close();
    ctx.commit(d, { webhook, destination, isNew: !existing });
  }

  // "Send test" on the last step: the webhook and its destination as filled in, not saved.
  function sendTest() {
    if (!ready("wizard.notTested")) return;
    const { d, webhook } = compose();
    openTestSend({
      draft: d,
      webhook,
      byId: ctx.byId,
      unsaved: true,
      // A fix the test offers (a mode, a format) goes into the form as filled in.
      fix(patch) {
        Object.assign(m.dest, patch);
        if (patch.mode && patch.mode !== "cors") {
          m.dest.headers = [];
          m.dest.idempotencyHeader = false;
        }
        renderStep2();
        changed();
        const next = compose();
        return { draft: next.d, webhook: next.webhook };
      },
    });
  }

  renderStep1();
  renderStep2();
  go(1);
  pristine = snapshot();
  showModal(dlg);
  check();
  if (opts.focusKey) {
    problems.submitted = true;
    check();
    land(opts.focusKey);
  } else if (!m.event) step1.querySelector("select")?.focus();
  else step1.querySelector("input")?.focus();
  return dlg;
}

function placeholderFor(op, type) {
  if (op === "in") return t("placeholder.list");
  if (op === "matches") return t("placeholder.pattern");
  if (op === "gt" || op === "gte" || op === "lt" || op === "lte" || type === "number") return t("placeholder.number");
  return t("placeholder.value");
}

/** "Survey name (survey.name) · text": the friendly label when there is one, the key, the type. */
function propertyOption(p) {
  const label = propLabel(p.name);
  return `${label ? `${label} (${p.name})` : p.name} · ${typeLabel(p.type)}`;
}
