// Between the settings JSON (what is published) and the editor's form state
// (what a person types: text in inputs). The form keeps text; the settings
// get typed values (numbers for numeric properties and comparisons, lists
// for "in").

import { t } from "./i18n.js";

export const NEW = "__new__";

const OPERATOR_VALUES = ["equals", "not_equals", "contains", "not_contains", "starts_with", "ends_with", "matches", "gt", "gte", "lt", "lte", "exists", "not_exists", "in"];

/** The condition operators as <select> options, in the editor's language. */
export function operatorOptions() {
  return OPERATOR_VALUES.map((value) => ({ value, label: t("op." + value) }));
}

export const NO_VALUE = new Set(["exists", "not_exists"]);
const NUMERIC_OPS = new Set(["gt", "gte", "lt", "lte"]);

const AUTH_VALUES = ["none", "bearer", "basic", "oauth2"];
const MODE_VALUES = ["cors", "simple", "no-cors"];
const FORMAT_VALUES = ["json", "form", "text"];

export function authOptions() {
  return AUTH_VALUES.map((value) => ({ value, label: t("auth." + value) }));
}

export function modeOptions() {
  return MODE_VALUES.map((value) => ({ value, label: t("mode." + value) }));
}

/** The body formats; "" is the mode's default (json in cors mode, text otherwise). */
export function formatOptions() {
  return [{ value: "", label: t("format.default") }, ...FORMAT_VALUES.map((value) => ({ value, label: t("format." + value) }))];
}

/** The format a destination sends in `mode` when `format` is left to the default. */
export function effectiveFormat(mode, format) {
  return format || (mode === "cors" ? "json" : "text");
}

export const METHODS = ["POST", "GET", "PUT", "PATCH", "DELETE"];

const isNumeric = (s) => /^\s*-?\d+(\.\d+)?(e[+-]?\d+)?\s*$/i.test(s);

function typed(text, type, numeric) {
  if ((numeric || type === "number") && isNumeric(text)) return Number(text);
  if (type === "boolean" && (text === "true" || text === "false")) return text === "true";
  return text;
}

function textOf(v) {
  if (v == null) return "";
  if (typeof v === "string") return v;
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

// ---- conditions -------------------------------------------------------------

export function conditionRow(c, known) {
  const value = Array.isArray(c.value) ? c.value.map(textOf).join(", ") : textOf(c.value);
  return {
    property: c.property || "",
    custom: !!c.property && !known(c.property),
    operator: c.operator || "equals",
    valueText: value,
    ignoreCase: !!c.ignoreCase,
    join: c.join === "or" ? "or" : "and",
  };
}

export function rowCondition(row, typeOf) {
  const c = { property: row.property.trim(), operator: row.operator };
  const type = typeOf(c.property);
  if (row.operator === "in") {
    c.value = row.valueText
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "")
      .map((s) => typed(s, type, false));
  } else if (!NO_VALUE.has(row.operator)) {
    c.value = typed(row.valueText, type, NUMERIC_OPS.has(row.operator));
  }
  if (row.ignoreCase) c.ignoreCase = true;
  c.join = row.join;
  return c;
}

// ---- static properties ------------------------------------------------------

export function staticRow(s) {
  const v = s.value;
  const type = typeof v === "number" ? "number" : typeof v === "boolean" ? "boolean" : "text";
  return { name: s.name || "", type, valueText: textOf(v) };
}

export function rowStatic(row) {
  let value = row.valueText;
  if (row.type === "number" && isNumeric(value)) value = Number(value);
  if (row.type === "boolean") value = value === "true";
  return { name: row.name, value };
}

// ---- destinations -----------------------------------------------------------

export function slug(s) {
  return (
    String(s || "")
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40) || "destination"
  );
}

export function uniqueId(base, taken) {
  let id = base;
  for (let i = 2; taken.has(id); i++) id = `${base}-${i}`;
  return id;
}

// The fields of a destination the form edits; anything else (batch, rate,
// fields of later versions) is kept as it is.
const FORM_FIELDS = new Set(["id", "platform", "method", "url", "auth", "headers", "mode", "format", "body", "timeoutMs", "maxAttempts", "idempotencyHeader"]);

/** Where a bearer token comes from: "site" (auth.tokenFrom), "paste" (published) or "app" (hooks.setTokenProvider). */
function tokenSource(a) {
  if (a.type !== "bearer") return "site";
  if (a.tokenFrom) return "site";
  return a.token ? "paste" : "app";
}

export function destinationModel(d) {
  const a = d.auth || { type: "none" };
  const secret = a.type === "bearer" ? a.token || a.tokenFrom : a.type === "basic" ? a.password : a.type === "oauth2" ? a.clientSecret : "";
  return {
    id: d.id || "",
    idEdited: true,
    platform: d.platform || "",
    method: d.method || "POST",
    url: d.url || "",
    mode: d.mode || "cors",
    format: d.format || "",
    authType: a.type || "none",
    token: a.token || "",
    tokenFrom: a.tokenFrom || "",
    tokenSource: tokenSource(a),
    username: a.username || "",
    password: a.password || "",
    tokenUrl: a.tokenUrl || "",
    clientId: a.clientId || "",
    clientSecret: a.clientSecret || "",
    scope: a.scope || "",
    hostToken: a.type !== "none" && !secret,
    headers: (d.headers || []).map((x) => ({ name: x.name || "", value: x.value || "" })),
    bodyText: d.body === undefined || d.body === null ? "" : JSON.stringify(d.body, null, 2),
    extras: Object.fromEntries(Object.entries(d).filter(([k]) => !FORM_FIELDS.has(k))),
    timeoutMs: d.timeoutMs != null ? String(d.timeoutMs) : "",
    maxAttempts: d.maxAttempts != null ? String(d.maxAttempts) : "",
    idempotencyHeader: !!d.idempotencyHeader,
    // The preset it was made from ({ id, values }), set by the form.
    preset: null,
  };
}

export function emptyDestination() {
  return { ...destinationModel({}), idEdited: false, tokenSource: "site" };
}

/** The settings destination and client-side problems ({ key, message }). */
export function modelDestination(m) {
  const problems = [];
  const d = { id: m.id, platform: m.platform.trim() || undefined, method: m.method, url: m.url.trim() };
  switch (m.authType) {
    case "bearer":
      if (m.tokenSource === "site") {
        d.auth = { type: "bearer", tokenFrom: m.tokenFrom.trim() };
        if (!d.auth.tokenFrom) problems.push({ key: "destination.auth.tokenFrom", message: t("dest.tokenFromMissing") });
      } else if (m.tokenSource === "paste") {
        d.auth = { type: "bearer", token: m.token };
        if (!m.token) problems.push({ key: "destination.auth.token", message: t("dest.tokenMissing") });
      } else d.auth = { type: "bearer" };
      break;
    case "basic":
      d.auth = { type: "basic", username: m.username };
      if (!m.hostToken && m.password) d.auth.password = m.password;
      break;
    case "oauth2":
      d.auth = { type: "oauth2", tokenUrl: m.tokenUrl.trim(), clientId: m.clientId };
      if (!m.hostToken && m.clientSecret) d.auth.clientSecret = m.clientSecret;
      if (m.scope.trim()) d.auth.scope = m.scope.trim();
      break;
    default:
      d.auth = { type: "none" };
  }
  d.headers = m.headers.map((x) => ({ name: x.name.trim(), value: x.value }));
  d.mode = m.mode;
  if (m.format) d.format = m.format;
  if (m.bodyText.trim()) {
    try {
      d.body = JSON.parse(m.bodyText);
    } catch (e) {
      problems.push({ key: "destination.body", message: "is not valid JSON: " + e.message });
    }
  }
  Object.assign(d, m.extras || {});
  for (const k of ["timeoutMs", "maxAttempts"]) {
    const t = m[k].trim();
    if (!t) continue;
    if (isNumeric(t)) d[k] = Number(t);
    else problems.push({ key: "destination." + k, message: "must be a number" });
  }
  if (m.idempotencyHeader) d.idempotencyHeader = true;
  if (!d.platform) delete d.platform;
  return { destination: d, problems };
}

/** "POST 127.0.0.1:8080/hook/demo" */
export function shortUrl(url) {
  try {
    const u = new URL(url.replace(/\{\{[^}]*\}\}/g, "x"));
    return u.host + u.pathname + (u.search ? "?…" : "");
  } catch (_) {
    return url;
  }
}

export function authLabel(auth) {
  const type = (auth && auth.type) || "none";
  const l = AUTH_VALUES.includes(type) ? t("auth." + type) : type;
  if (type === "none") return l;
  if (type === "bearer" && auth.tokenFrom) return t("auth.siteToken", { auth: l, path: auth.tokenFrom });
  const secret = type === "bearer" ? auth.token : type === "basic" ? auth.password : auth.clientSecret;
  return secret ? l : t("auth.hostToken", { auth: l });
}

// ---- webhook names ------------------------------------------------------------

const nameKey = (name) => String(name || "").trim().toLowerCase();

/** The webhook (other than `exceptId`) already called `name`, ignoring case and outer spaces. */
export function nameTaken(webhooks, name, exceptId = null) {
  const k = nameKey(name);
  return k ? webhooks.find((w) => w.id !== exceptId && nameKey(w.name) === k) || null : null;
}

/** "<name> (copy)", or "(copy 2)", ... when that is taken. */
export function copyName(name, webhooks, suffix = "copy") {
  let candidate = `${name} (${suffix})`;
  for (let i = 2; nameTaken(webhooks, candidate); i++) candidate = `${name} (${suffix} ${i})`;
  return candidate;
}
