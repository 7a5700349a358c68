// Reads what the page hands in (event properties, identify traits) into
// plain data, treating it as hostile: a getter that throws, a Proxy (also a
// revoked one), a cycle, a huge or deep value. A value that cannot be read
// is left out and counted; the rest of the event goes on. The result is
// plain data, so JSON.stringify of it cannot throw or call page code.
//
// Caps, the same as the core's: 256 properties or items per level, 8
// levels, 8 KiB of text per value.

const ITEMS = 256;
const TEXT = 8192;
const DEPTH = 8;

// [json text, how many values were left out]
export function read(o) {
  let skipped = 0;
  const path = new Set();
  const val = (v, depth) => {
    switch (typeof v) {
      case "string":
        return v.length > TEXT ? v.slice(0, TEXT) : v;
      case "number":
        return isFinite(v) ? v : null;
      case "boolean":
        return v;
      case "bigint":
        return String(v);
      case "object":
        if (v === null) return null;
        break;
      default:
        return undefined; // functions, symbols, undefined: not data
    }
    if (depth >= DEPTH || path.has(v)) {
      skipped++;
      return null;
    }
    path.add(v);
    try {
      if (Array.isArray(v)) {
        const n = Math.min(v.length >>> 0, ITEMS);
        const out = [];
        for (let i = 0; i < n; i++) {
          let x = null;
          try {
            x = val(v[i], depth + 1);
          } catch (_) {
            skipped++;
          }
          out.push(x === undefined ? null : x);
        }
        return out;
      }
      if (v instanceof Date) {
        const t = v.getTime();
        return isFinite(t) ? new Date(t).toISOString() : null;
      }
      return object(v, depth);
    } catch (_) {
      skipped++;
      return undefined;
    } finally {
      path.delete(v);
    }
  };
  const object = (v, depth) => {
    const out = Object.create(null);
    let n = 0;
    for (const k of Object.keys(v)) {
      if (n >= ITEMS) break;
      let x;
      try {
        x = val(v[k], depth + 1);
      } catch (_) {
        skipped++;
        continue;
      }
      if (x !== undefined) {
        out[k] = x;
        n++;
      }
    }
    return out;
  };
  let top = null;
  try {
    if (o !== null && typeof o === "object" && !Array.isArray(o)) {
      path.add(o);
      top = object(o, 0);
    } else if (o != null) {
      skipped++;
    }
  } catch (_) {
    skipped++;
  }
  return [JSON.stringify(top || {}), skipped];
}

// A user id as text, or undefined when there is none or it cannot be read.
export function text(v) {
  if (v == null) return undefined;
  try {
    const s = typeof v === "string" ? v : String(v);
    return s.length > TEXT ? s.slice(0, TEXT) : s;
  } catch (_) {
    return null; // could not be read
  }
}
