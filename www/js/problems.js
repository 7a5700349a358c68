// Shows the module's validation problems next to the fields they belong to.
//
// Every input of a form registers under a key shaped like the settings path
// it edits ("webhook.conditions[1].value", "destination.auth.token"). A
// problem's path is translated to such a key and walked up
// (a.b[1].c -> a.b[1] -> a.b -> a) until a registered field is found;
// what finds none goes to the form's general box.
//
// Errors show once a field has been touched (or the form submitted), so
// nobody is scolded while typing a URL; name fields count as touched at
// the first keystroke, so whitespace is flagged at once. Warnings always show.

import { h } from "./dom.js";

export function parentKey(key) {
  const m = key.match(/^(.*?)(\.[^.[\]]*|\[\d+\])$/);
  return m ? m[1] : null;
}

export class FieldProblems {
  constructor(general) {
    this.general = general; // element for problems without a field
    this.fields = new Map(); // key -> { input, msg }
    this.touched = new Set();
    this.submitted = false;
    this.onTouch = null; // called when a field is touched for the first time
    this.hooks = new Map(); // name -> f(problems): parts of a form that show problems their own way
  }

  /** Forget every field (before a re-render); touched state is kept. */
  reset(prefix = "") {
    for (const k of [...this.fields.keys()]) if (k.startsWith(prefix)) this.fields.delete(k);
  }

  /** Registers an input; `touchOn` is "change" (default) or "input". */
  reg(key, input, msg, touchOn = "change") {
    this.fields.set(key, { input, msg });
    const touch = () => {
      const first = !this.touched.has(key);
      this.touched.add(key);
      if (first && this.onTouch) this.onTouch(key);
    };
    input.addEventListener(touchOn, touch);
    if (touchOn !== "change") input.addEventListener("change", touch);
    return input;
  }

  /** The registered key a problem key lands on, or null. */
  resolve(key) {
    for (let k = key; k; k = parentKey(k)) if (this.fields.has(k)) return k;
    return null;
  }

  /**
   * Shows problems: [{ key, message, kind: "error" | "warn" }].
   * Returns the problems that are errors (shown or not).
   */
  show(problems) {
    const byMsg = new Map();
    for (const { msg } of this.fields.values()) if (msg) byMsg.set(msg, []);
    for (const { input } of this.fields.values()) input.removeAttribute("aria-invalid");
    const general = [];
    for (const p of problems) {
      const k = this.resolve(p.key);
      const visible = p.kind !== "error" || this.submitted || (k && this.isTouched(k, p.key));
      if (!visible) continue;
      if (!k) {
        general.push(p);
        continue;
      }
      const f = this.fields.get(k);
      if (p.kind === "error") f.input.setAttribute("aria-invalid", "true");
      byMsg.get(f.msg)?.push(p);
    }
    for (const [msg, list] of byMsg) {
      const kind = list.some((p) => p.kind === "error") ? "error" : list.length ? "warn" : "";
      msg.className = "msg" + (kind ? " " + kind : "");
      msg.replaceChildren(...list.sort((a, b) => (a.kind === "error" ? -1 : 1) - (b.kind === "error" ? -1 : 1)).map((p) => h("div", { class: "msg-line " + p.kind }, p.message)));
    }
    for (const f of this.hooks.values()) f(problems);
    if (this.general) {
      this.general.hidden = general.length === 0;
      this.general.replaceChildren(...general.map((p) => h("div", { class: "msg-line " + p.kind }, h("code", null, p.path || p.key), " ", p.message)));
    }
    return problems.filter((p) => p.kind === "error");
  }

  // A field is touched when it or one of its parents/children was.
  isTouched(k, key) {
    if (this.touched.has(k) || this.touched.has(key)) return true;
    for (const t of this.touched) if (t.startsWith(k + ".") || t.startsWith(k + "[")) return true;
    return false;
  }

  /** Focuses the field a problem key lands on. */
  focus(key) {
    const k = this.resolve(key);
    const f = k && this.fields.get(k);
    if (!f) return false;
    f.input.scrollIntoView({ block: "center" });
    f.input.focus({ preventScroll: true });
    return true;
  }
}
