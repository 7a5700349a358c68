// DXA auto-capture: clicks and taps, input changes and page views on the
// host page, turned into `dxa.*` events for the Rust shell.
//
// Privacy: typed values are never read unless the settings say
// `captureInputValues`, and never from password fields; nothing inside an
// element marked `data-walkme-ignore` is captured; link addresses are sent
// without their query string and fragment.

// Loaded by the runtime only when `autoCapture` is on.

function listen(type, f) {
  const g = (e) => {
    try {
      f(e);
    } catch (_) {}
  };
  const opts = { capture: true, passive: true };
  addEventListener(type, g, opts);
  return () => removeEventListener(type, g, opts);
}

const TEXT_MAX = 100;
const ACTIONABLE = "a,button,input,select,textarea,label,summary,[role=button],[role=link],[role=menuitem],[role=tab],[onclick]";

function ignored(el) {
  return !!(el && el.closest && el.closest("[data-walkme-ignore]"));
}

function isPassword(el) {
  return el && el.localName === "input" && String(el.type).toLowerCase() === "password";
}

function esc(s) {
  return globalThis.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/[^\w-]/g, "\\$&");
}

// A CSS path short enough to read, precise enough to find the element again.
function css_path(el) {
  const parts = [];
  while (el && el.nodeType === 1 && parts.length < 8) {
    let s = el.localName;
    if (el.id) {
      parts.unshift(s + "#" + esc(el.id));
      break;
    }
    const cls = Array.from(el.classList || []).slice(0, 2);
    if (cls.length) s += "." + cls.map(esc).join(".");
    const parent = el.parentElement;
    if (parent) {
      const same = Array.from(parent.children).filter((c) => c.localName === el.localName);
      if (same.length > 1) s += ":nth-of-type(" + (same.indexOf(el) + 1) + ")";
    }
    parts.unshift(s);
    el = parent;
  }
  return parts.join(" > ");
}

function text(el) {
  let t = "";
  if (el.localName === "input") {
    const type = String(el.type).toLowerCase();
    t = type === "button" || type === "submit" || type === "reset" ? el.value : "";
  } else if (el.localName !== "textarea" && el.localName !== "select") {
    t = el.innerText !== undefined ? el.innerText : el.textContent || "";
  }
  t = String(t || el.getAttribute("aria-label") || el.getAttribute("title") || "").replace(/\s+/g, " ").trim();
  return t.length > TEXT_MAX ? t.slice(0, TEXT_MAX) : t;
}

function base(el) {
  return {
    "element.tag": el.localName,
    "element.id": el.id || "",
    "element.path": css_path(el),
  };
}

function clickProps(e) {
  const target = e.target && e.target.nodeType === 1 ? e.target : e.target && e.target.parentElement;
  if (!target || ignored(target)) return null;
  const el = (target.closest && target.closest(ACTIONABLE)) || target;
  if (isPassword(el)) return null;
  const p = base(el);
  p["element.classes"] = Array.from(el.classList || []);
  p["element.text"] = text(el);
  if (el.localName === "a" && el.href) p["element.href"] = String(el.href).split(/[?#]/)[0];
  p["pointer.type"] = e.pointerType || (e.type === "touchend" ? "touch" : "mouse");
  return p;
}

function inputProps(e, captureValues) {
  const el = e.target;
  if (!el || el.nodeType !== 1 || ignored(el)) return null;
  const tag = el.localName;
  if (tag !== "input" && tag !== "select" && tag !== "textarea" && !el.isContentEditable) return null;
  const type = tag === "input" ? String(el.type || "text").toLowerCase() : tag;
  const p = base(el);
  p["input.name"] = el.name || el.getAttribute("name") || "";
  p["input.type"] = type;
  const checkable = type === "checkbox" || type === "radio";
  const value = checkable ? !!el.checked : el.isContentEditable ? el.textContent : el.value;
  p["input.empty"] = checkable ? !el.checked : !value;
  if (captureValues() && type !== "password" && type !== "hidden") {
    p["input.value"] = typeof value === "string" && value.length > 1000 ? value.slice(0, 1000) : value;
  }
  return p;
}

// Starts capturing; emit(type, props). Returns a function that stops.
export function capture(emit, captureValues) {
  const offs = [];
  offs.push(
    listen("click", (e) => {
      const p = clickProps(e);
      if (p) emit("dxa.click", p);
    })
  );
  offs.push(
    listen("change", (e) => {
      const p = inputProps(e, captureValues);
      if (p) emit("dxa.input", p);
    })
  );

  let last = String(location.href);
  const view = (how) => {
    const now = String(location.href);
    if (how !== "load" && now === last) return;
    last = now;
    emit("dxa.page_view", { "navigation.type": how });
  };
  offs.push(listen("popstate", () => view("popstate")));
  offs.push(listen("hashchange", () => view("hashchange")));

  // Single-page apps navigate with the History API: wrap it (and unwrap on
  // stop if nobody wrapped it after us).
  const h = globalThis.history;
  for (const name of ["pushState", "replaceState"]) {
    const original = h && h[name];
    if (typeof original !== "function") continue;
    const wrapped = function () {
      const r = original.apply(this, arguments);
      view(name);
      return r;
    };
    h[name] = wrapped;
    offs.push(() => {
      if (h[name] === wrapped) h[name] = original;
    });
  }
  if (document.readyState === "loading") {
    const off = listen("DOMContentLoaded", () => view("load"));
    offs.push(off);
  } else {
    Promise.resolve().then(() => view("load"));
  }
  return () => offs.forEach((off) => off());
}
