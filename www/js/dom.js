// Small DOM helpers shared by the pages. Everything is built with
// createElement (no HTML strings, no inline styles or handlers), so the
// pages run under the strict Content Security Policy of the dev server.

import { t, lang } from "./i18n.js";

let seq = 0;

/** A page-unique id for label/aria wiring. */
export function uid(prefix = "f") {
  return `${prefix}-${++seq}`;
}

/**
 * h("button", { class: "btn", onclick: f }, "Save") -> element.
 * Props: class, dataset, on<event> listeners, value/checked/selected/
 * indeterminate as properties, everything else as attributes (true -> "").
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v == null || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (k === "value" || k === "checked" || k === "selected" || k === "indeterminate") el[k] = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * A labelled form field with a message line under it (errors, warnings).
 * Returns { wrap, input, msg }.
 */
export function field(label, input, { hint, wide, className } = {}) {
  if (!input.id) input.id = uid("in");
  const msg = h("div", { class: "msg", id: uid("msg"), "aria-live": "polite" });
  const described = [msg.id];
  let hintEl = null;
  if (hint) {
    hintEl = h("div", { class: "hint", id: uid("hint") }, hint);
    described.unshift(hintEl.id);
  }
  input.setAttribute("aria-describedby", described.join(" "));
  const wrap = h(
    "div",
    { class: ["field", wide && "wide", className].filter(Boolean).join(" ") },
    h("label", { for: input.id }, label),
    input,
    hintEl,
    msg
  );
  return { wrap, input, msg };
}

/** Sets (or clears) a message under a field: kind "error" | "warn" | "ok". */
export function setMsg(msg, input, kind, text) {
  if (!msg) return;
  msg.className = "msg" + (kind ? " " + kind : "");
  msg.textContent = text || "";
  if (input) {
    if (kind === "error") input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

/** <select> from [{value, label}] or [[group, [{value,label}]]] (optgroups). */
export function select(options, value, props = {}) {
  const el = h("select", props);
  for (const o of options) {
    if (Array.isArray(o)) {
      const g = h("optgroup", { label: o[0] });
      for (const x of o[1]) g.append(h("option", { value: x.value, selected: x.value === value }, x.label));
      el.append(g);
    } else {
      el.append(h("option", { value: o.value, selected: o.value === value, disabled: o.disabled }, o.label));
    }
  }
  if (value != null) el.value = value;
  return el;
}

/** "12:03:45" */
export function clock(ms) {
  const d = new Date(ms);
  return d.toLocaleTimeString("en-GB", { hour12: false });
}

/** "just now", "3 min ago", "2 h ago", or a date. */
export function ago(ms, now = Date.now()) {
  const s = Math.round((now - ms) / 1000);
  if (s < 10) return t("ago.now");
  if (s < 60) return t("ago.seconds", { n: s });
  if (s < 3600) return t("ago.minutes", { n: Math.round(s / 60) });
  if (s < 86400) return t("ago.hours", { n: Math.round(s / 3600) });
  return new Date(ms).toLocaleDateString(lang() === "de" ? "de-DE" : "en-GB");
}

// ---- toasts -------------------------------------------------------------------
//
// A modal <dialog> sits in the top layer and makes the rest of the page inert,
// so a toast region in the page would be hidden behind it and its buttons
// unreachable. The one region moves into the topmost open modal dialog while
// there is one, and back when it closes.

function topModal() {
  const open = [...document.querySelectorAll("dialog[open]")].filter((d) => d.matches(":modal"));
  return open[open.length - 1] || null;
}

function placeToasts() {
  const box = document.getElementById("toasts");
  if (!box) return;
  const host = topModal() || document.body;
  if (box.parentElement !== host) host.append(box);
}
// Capture: `close` does not bubble, and this runs before the dialog's own
// listeners (which remove it).
document.addEventListener("close", placeToasts, true);

/** Opens `dialog` as a modal (appending it to the page), with the toasts above it. */
export function showModal(dialog) {
  if (!dialog.isConnected) document.body.append(dialog);
  dialog.showModal();
  placeToasts();
}

/**
 * A short-lived message at the bottom of the page, above any open dialog.
 * actions: [{ label, run }] buttons (falsy entries are skipped); `action` is one of them.
 */
export function toast(text, { kind = "info", action, actions = [], timeout = 5000 } = {}) {
  let box = document.getElementById("toasts");
  if (!box) {
    box = h("div", { id: "toasts", class: "toasts", "aria-live": "polite", "data-walkme-ignore": "" });
    document.body.append(box);
  }
  const close = () => el.remove();
  const buttons = [action, ...actions].filter(Boolean).map((a) => h("button", { type: "button", class: "btn link", onclick: () => (close(), a.run()) }, a.label));
  const el = h(
    "div",
    { class: "toast " + kind, role: kind === "error" ? "alert" : "status" },
    h("span", null, text),
    buttons,
    h("button", { type: "button", class: "icon-btn", "aria-label": t("action.dismiss"), onclick: close }, "×")
  );
  box.append(el);
  placeToasts();
  if (timeout) setTimeout(close, timeout);
  return el;
}

// ---- dialogs ------------------------------------------------------------------

/** A modal <dialog>; resolves true when confirmed (Esc and `cancel` resolve false). */
export function confirmDialog({ title, text, ok = t("action.delete"), cancel = t("action.cancel"), danger = true }) {
  return new Promise((resolve) => {
    const titleId = uid("t");
    const textId = uid("d");
    const d = h(
      "dialog",
      { class: "modal small confirm", "aria-labelledby": titleId, "aria-describedby": textId },
      h("div", { class: "modal-head" }, h("h2", { id: titleId }, title)),
      h("div", { class: "modal-body" }, h("p", { id: textId }, text)),
      h(
        "div",
        { class: "modal-foot" },
        h("button", { type: "button", class: "btn ghost", onclick: () => d.close("cancel") }, cancel),
        h("button", { type: "button", class: "btn " + (danger ? "danger" : "primary"), onclick: () => d.close("ok") }, ok)
      )
    );
    d.addEventListener("close", () => {
      resolve(d.returnValue === "ok");
      d.remove();
    });
    showModal(d);
  });
}

/**
 * Guards a form dialog: Esc, and the returned close function (for × and
 * Cancel), ask before throwing away changes ("Keep editing" / "Discard");
 * nothing is asked when `isDirty()` is false. Saving calls dialog.close().
 */
export function guardClose(dialog, isDirty) {
  let asking = false;
  const request = async () => {
    if (asking || !dialog.open) return;
    if (isDirty()) {
      asking = true;
      const discard = await confirmDialog({ title: t("discard.title"), text: t("discard.text"), ok: t("discard.ok"), cancel: t("discard.keep") });
      asking = false;
      if (!discard) return;
    }
    dialog.close();
  };
  // Esc: the browser would close the dialog; it asks first instead. The
  // keydown is handled too, as a second Esc in a row may come with a
  // `cancel` event that cannot be refused.
  dialog.addEventListener("cancel", (e) => {
    e.preventDefault();
    request();
  });
  dialog.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.defaultPrevented) return;
    e.preventDefault();
    request();
  });
  return request;
}

/** A code block that scrolls: focusable, so it can be scrolled from the keyboard, and named. */
export function codeBlock(text, label, props = {}) {
  return h("pre", { class: "code", ...props, tabindex: "0", role: "region", "aria-label": label }, text);
}

/** Copies text; falls back to a selected textarea when the clipboard API is refused. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (_) {
    const ta = h("textarea", { class: "offscreen", "aria-hidden": "true" });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (_) {}
    ta.remove();
    return ok;
  }
}

/** Offers a file download of `text`. */
export function download(name, text, type = "application/json") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: name, class: "offscreen" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Pretty JSON when the text is JSON, else the text. */
export function pretty(text) {
  if (typeof text !== "string") return JSON.stringify(text, null, 2);
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch (_) {
    return text;
  }
}
