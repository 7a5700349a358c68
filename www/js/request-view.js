// The request a webhook sends, as the editor module's preview() builds it
// (the same code the runtime sends with): method, URL, headers with secrets
// masked, and the body as it goes out. Shown live in the wizard and in
// "Send test", so what a person sees is what leaves the page.

import { h, pretty, codeBlock } from "./dom.js";
import { t } from "./i18n.js";

/** A form-encoded body as [[name, value]], or null when `body` is not one. */
function formFields(headers, body) {
  const type = (headers.find(([k]) => /^content-type$/i.test(k)) || [])[1] || "";
  if (!/x-www-form-urlencoded/i.test(type) || typeof body !== "string") return null;
  try {
    return [...new URLSearchParams(body)];
  } catch (_) {
    return null;
  }
}

/** Where the Authorization header of `destination` comes from when the preview cannot show it. */
function authNote(destination) {
  const a = (destination && destination.auth) || { type: "none" };
  if (a.type === "bearer" && a.tokenFrom) return t("preview.authSite", { path: a.tokenFrom });
  if (a.type === "bearer" && !a.token) return t("preview.authApp");
  if (a.type === "basic" && !a.password) return t("preview.authApp");
  if (a.type === "oauth2") return a.clientSecret ? t("preview.authOauth", { url: a.tokenUrl }) : t("preview.authApp");
  return null;
}

/** A headers table; `masked` values are shown as the module masked them. */
export function headersTable(list) {
  return h(
    "table",
    { class: "headers" },
    h(
      "tbody",
      null,
      list.map(([k, v]) => h("tr", null, h("th", { scope: "row" }, k), h("td", null, v)))
    )
  );
}

/**
 * The request block: `request` is preview().request, `destination` the
 * destination it goes to (for where its token comes from); `label` names
 * the code blocks for screen readers.
 */
export function requestBlock(request, destination, label) {
  const fields = formFields(request.headers, request.body);
  const note = authNote(destination);
  const hasAuth = request.headers.some(([k]) => /^authorization$/i.test(k));
  return h(
    "div",
    { class: "request-view", dataset: { mode: request.mode } },
    h(
      "p",
      { class: "reqline" },
      h("span", { class: "method" }, request.method),
      " ",
      h("code", { class: "preview-url" }, request.url),
      " ",
      h("span", { class: "chip-sm" }, t("test.mode", { mode: request.mode }))
    ),
    request.headers.length ? headersTable(request.headers) : h("p", { class: "muted small" }, t("preview.noHeaders")),
    note && !hasAuth ? h("p", { class: "muted small auth-note" }, note) : null,
    request.body == null || request.body === ""
      ? h("p", { class: "muted small" }, t("test.noBody"))
      : codeBlock(fields ? request.body : pretty(request.body), t("preview.bodyLabel", { what: label }), { class: "code req-preview-body" }),
    fields && fields.length
      ? h(
          "details",
          { class: "form-fields" },
          h("summary", null, t("preview.formFields", { n: fields.length })),
          headersTable(fields.map(([k, v]) => [k, pretty(v)]))
        )
      : null
  );
}

/** "Survey name is at most 6": a condition row in words. */
export function conditionText(c, propLabel) {
  const name = propLabel(c.property) || c.property || "?";
  const op = t("op." + c.operator);
  if (c.operator === "exists" || c.operator === "not_exists") return `${name} ${op}`;
  const v = Array.isArray(c.value) ? c.value.join(", ") : JSON.stringify(c.value ?? "");
  return `${name} ${op} ${v}`;
}

/** The value a sample event has for a property, as text ("(missing)" when it has none). */
export function sampleValue(properties, name) {
  if (!properties || !(name in properties)) return t("cond.missing");
  const v = properties[name];
  return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v);
}

/** A badge: "met" / "not met" for one condition row. */
export function conditionBadge(ok, properties, property) {
  return h(
    "span",
    { class: "cond-result " + (ok ? "met" : "unmet"), dataset: { met: String(ok) } },
    h("span", { "aria-hidden": "true" }, ok ? "✓ " : "✕ "),
    t(ok ? "cond.met" : "cond.unmet", { value: sampleValue(properties, property) })
  );
}
