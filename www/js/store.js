// Where the editor and the demo app keep their state: localStorage of the
// origin they share. The editor's draft and the published settings are two
// different documents, as in the product: editing changes nothing in the app
// until "Publish settings", which also keeps a version of what it published.
// Another tab learns of a publish through the `storage` event. (The module
// keeps its own queue under "wmwh2:"; nothing here uses that prefix.)

import { defaultSettings } from "./default-settings.js";

export const KEYS = {
  draft: "wmwh-editor:draft",
  published: "wmwh-demo:published",
  versions: "wmwh-editor:versions",
  deliveries: "wmwh-demo:last-delivery",
};

/** How many published versions are kept (the oldest go first). */
export const MAX_VERSIONS = 50;

function read(key) {
  try {
    const raw = localStorage.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch (_) {
    return null;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch (_) {
    return false;
  }
}

/** A deep copy that is plain JSON (no undefined, no functions). */
export function clone(v) {
  return JSON.parse(JSON.stringify(v));
}

/** The settings the demo app runs: the published ones, else the built-in defaults. */
export function liveSettings() {
  const p = read(KEYS.published);
  return p && p.settings ? { settings: p.settings, publishedAt: p.publishedAt, builtIn: false } : { settings: defaultSettings(location.origin), publishedAt: null, builtIn: true };
}

/** The editor's draft; starts as a copy of what is live. */
export function loadDraft() {
  const d = read(KEYS.draft);
  if (d && d.settings && Array.isArray(d.settings.webhooks) && Array.isArray(d.settings.destinations)) return d.settings;
  return clone(liveSettings().settings);
}

export function saveDraft(settings) {
  write(KEYS.draft, { settings, savedAt: Date.now() });
}

/** Calls f(settings) when another editor tab changes the draft. */
export function onDraft(f) {
  addEventListener("storage", (e) => {
    if (e.key === KEYS.draft) f(loadDraft());
  });
}

/**
 * Records a publish (after the settings file was written, see publish.js):
 * open demo tabs pick the settings up at once, and a version is kept with
 * its time and what changed since the settings that were live. Returns the
 * version: { number, publishedAt, settings, changes: [{ op, kind, id, name }], sameAs }.
 */
export function recordPublish(settings) {
  const before = liveSettings();
  const list = versions();
  const json = JSON.stringify(settings);
  const same = list.slice().reverse().find((v) => JSON.stringify(v.settings) === json);
  const version = {
    number: (list.length ? list[list.length - 1].number : 0) + 1,
    publishedAt: Date.now(),
    settings: clone(settings),
    changes: settingsChanges(before.settings, settings),
    sameAs: same ? same.number : null,
  };
  if (!write(KEYS.published, { settings: version.settings, publishedAt: version.publishedAt, version: version.number })) throw new Error("the browser refused to store the settings");
  list.push(version);
  while (list.length > MAX_VERSIONS) list.shift();
  // Versions are a convenience: when storage is short, the oldest go first.
  while (!write(KEYS.versions, list) && list.length > 1) list.shift();
  return version;
}

/** The published versions, oldest first. */
export function versions() {
  const list = read(KEYS.versions);
  return Array.isArray(list) ? list : [];
}

/**
 * What changed from settings `a` to `b`, per webhook and destination:
 * [{ op: "added" | "removed" | "changed" | "enabled" | "disabled", kind: "webhook" | "destination" | "captureInputValues", id, name }].
 */
export function settingsChanges(a, b) {
  const out = [];
  const diff = (kind, from, to, nameOf) => {
    const old = new Map(from.map((x) => [x.id, x]));
    const now = new Map(to.map((x) => [x.id, x]));
    for (const [id, x] of now) {
      const y = old.get(id);
      if (!y) out.push({ op: "added", kind, id, name: nameOf(x) });
      else if (JSON.stringify(x) !== JSON.stringify(y)) {
        const rest = ({ enabled, ...r }) => JSON.stringify(r);
        const onlyEnabled = kind === "webhook" && rest(x) === rest(y);
        out.push({ op: onlyEnabled ? (x.enabled === false ? "disabled" : "enabled") : "changed", kind, id, name: nameOf(x) });
      }
    }
    for (const [id, y] of old) if (!now.has(id)) out.push({ op: "removed", kind, id, name: nameOf(y) });
  };
  diff("webhook", (a && a.webhooks) || [], b.webhooks || [], (w) => w.name || w.id);
  diff("destination", (a && a.destinations) || [], b.destinations || [], (d) => d.platform || d.id);
  if (!!(a && a.captureInputValues) !== !!b.captureInputValues) out.push({ op: b.captureInputValues ? "enabled" : "disabled", kind: "captureInputValues" });
  return out;
}

/** Drops the draft, the published settings and their versions: back to the built-in defaults. */
export function resetAll() {
  try {
    localStorage.removeItem(KEYS.draft);
    localStorage.removeItem(KEYS.published);
    localStorage.removeItem(KEYS.versions);
    localStorage.removeItem(KEYS.deliveries);
  } catch (_) {}
}

/** Calls f(entry) when another tab publishes settings. */
export function onPublished(f) {
  addEventListener("storage", (e) => {
    if (e.key !== KEYS.published) return;
    f(e.newValue ? JSON.parse(e.newValue) : null);
  });
}

/** True when the draft differs from what the app runs. */
export function hasUnpublished(draft) {
  return JSON.stringify(draft) !== JSON.stringify(liveSettings().settings);
}

// ---- last delivery per webhook (written by the demo, read by the editor) --

export function lastDeliveries() {
  return read(KEYS.deliveries) || {};
}

export function recordDelivery(report) {
  if (!report || !report.webhookId) return;
  const all = lastDeliveries();
  all[report.webhookId] = { outcome: report.outcome, status: report.status, error: report.error, attempt: report.attempt, ms: report.ms, at: Date.now() };
  write(KEYS.deliveries, all);
}

export function onDeliveries(f) {
  addEventListener("storage", (e) => {
    if (e.key === KEYS.deliveries) f(lastDeliveries());
  });
}
