// Where the editor and the demo app keep their state: localStorage of the
// origin they share. The editor's draft and the published settings are two
// different documents, as in the product: editing changes nothing in the app
// until "Publish settings". Another tab learns of a publish through the
// `storage` event. (The module keeps its own queue under "wmwh2:"; nothing
// here uses that prefix.)

import { defaultSettings } from "./default-settings.js";

export const KEYS = {
  draft: "wmwh-editor:draft",
  published: "wmwh-demo:published",
  deliveries: "wmwh-demo:last-delivery",
};

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

/** Publishes: the demo app (in any tab) picks the settings up at once. */
export function publish(settings) {
  const entry = { settings: clone(settings), publishedAt: Date.now() };
  write(KEYS.published, entry);
  return entry;
}

/** Drops the draft and the published settings: back to the built-in defaults. */
export function resetAll() {
  try {
    localStorage.removeItem(KEYS.draft);
    localStorage.removeItem(KEYS.published);
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
