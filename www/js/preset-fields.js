// Destination presets as data (presets/presets.json, read through the editor
// module): a preset's `destination` (and its `batch`, `rate`) hold
// {{field:KEY}} markers where what a person fills in goes. This builds the
// destination from the filled fields, and tells which preset (and which
// field values) a saved destination was made from, so reopening it shows the
// same fields again.

const MARKER = /\{\{field:([A-Za-z0-9_]+)\}\}/g;

/** The parts of a destination a preset decides. */
const DECIDED = ["method", "url", "auth", "mode", "format", "body", "batch", "rate"];

/** `v` with every {{field:KEY}} in its strings replaced by values[KEY] ("" when not filled). */
export function fill(v, values) {
  if (typeof v === "string") return v.replace(MARKER, (_, k) => String(values[k] ?? ""));
  if (Array.isArray(v)) return v.map((x) => fill(x, values));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, values)]));
  return v;
}

/** The destination fields preset `p` decides, as templates (markers unfilled). */
function template(p) {
  const d = p.destination || {};
  const t = {};
  for (const k of DECIDED) if (d[k] !== undefined) t[k] = d[k];
  if (p.batch) t.batch = p.batch;
  if (p.rate) t.rate = p.rate;
  return t;
}

/** What preset `p` makes of the filled `values`: the decided fields of a destination. */
export function build(p, values) {
  return fill(template(p), values);
}

/** The keys of the fields whose markers occur in `v`. */
export function markersIn(v) {
  const out = new Set();
  const walk = (x) => {
    if (typeof x === "string") for (const m of x.matchAll(MARKER)) out.add(m[1]);
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === "object") Object.values(x).forEach(walk);
  };
  walk(v);
  return out;
}

/** Where in the destination each field ends up: "url", "body", "batch", ... (the first place). */
export function fieldPlaces(p) {
  const t = template(p);
  const out = {};
  for (const [k, v] of Object.entries(t)) for (const key of markersIn(v)) if (!(key in out)) out[key] = k;
  return out;
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// Matches template `t` against value `v`, collecting marker values; false when they differ.
function match(t, v, values) {
  if (typeof t === "string") {
    if (typeof v !== "string") return false;
    const keys = [];
    const re = new RegExp(
      "^" +
        t
          .split(/(\{\{field:[A-Za-z0-9_]+\}\})/)
          .map((part) => {
            const m = /^\{\{field:([A-Za-z0-9_]+)\}\}$/.exec(part);
            if (!m) return escape(part);
            keys.push(m[1]);
            return "([\\s\\S]*?)";
          })
          .join("") +
        "$"
    );
    const found = re.exec(v);
    if (!found) return false;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] in values && values[keys[i]] !== found[i + 1]) return false;
      values[keys[i]] = found[i + 1];
    }
    return true;
  }
  if (Array.isArray(t)) return Array.isArray(v) && v.length === t.length && t.every((x, i) => match(x, v[i], values));
  if (t && typeof t === "object") {
    if (!v || typeof v !== "object" || Array.isArray(v)) return false;
    const tk = Object.keys(t);
    const vk = Object.keys(v);
    return tk.length === vk.length && tk.every((k) => k in v && match(t[k], v[k], values));
  }
  return t === v;
}

/**
 * The preset destination `d` was made from, with the values of its fields:
 * { preset, values }, or null when it is not (or no longer) a preset's.
 */
export function presetOf(d, list) {
  if (!d || (d.headers && d.headers.length)) return null;
  for (const p of list) {
    if (!p.browser.works || !p.destination) continue;
    const t = template(p);
    const values = {};
    const own = {};
    for (const k of DECIDED) if (d[k] !== undefined) own[k] = d[k];
    // What the settings leave out takes its default.
    if (own.auth === undefined && t.auth && t.auth.type === "none") own.auth = { type: "none" };
    if (own.method === undefined && t.method === "POST") own.method = "POST";
    if (match(t, own, values)) return { preset: p, values };
  }
  return null;
}
