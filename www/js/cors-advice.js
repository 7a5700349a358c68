// Mode and format without a developer: what a destination takes from a page,
// told from (1) its preset, (2) the module's table of known hosts (validate()
// warns with code host_limit and names the fix: "use mode simple or
// no-cors", "use format form or text", "the "slack" preset does this"), or
// (3) a probe of the address (probeCors: reachable, and whether it answers
// pages with CORS). Also: what a failed test send says about CORS, in plain
// words, and what fixes it.

/** The fixes a host_limit warning names: { modes: [...], formats: [...], preset: id | null }. */
export function fixesOf(message) {
  const list = (re) => {
    const m = re.exec(message || "");
    return m ? m[1].split(" or ").map((s) => s.trim()) : [];
  };
  const preset = /the "([A-Za-z0-9_-]+)" preset does this/.exec(message || "");
  return {
    modes: list(/use mode ((?:cors|simple|no-cors)(?: or (?:cors|simple|no-cors))*)/),
    formats: list(/use format ((?:json|form|text)(?: or (?:json|form|text))*)/),
    preset: preset ? preset[1] : null,
  };
}

/** The format that goes with `mode` when the current one cannot: json needs cors. */
export function formatFor(mode, format, preferred = []) {
  if (mode === "cors") return format;
  if (format === "json" || !format) return preferred.find((f) => f !== "json") || "text";
  return format;
}

/**
 * What a probe says to do: { mode, format, kind } with kind "cors"
 * (answers pages: cors and JSON), "simple" (reachable, no CORS: a simple
 * request as text, the answer cannot be read) or "unreachable".
 */
export function probeAdvice(probe) {
  if (!probe || !probe.reachable) return { kind: "unreachable", mode: null, format: null };
  if (probe.cors) return { kind: "cors", mode: "cors", format: "json" };
  return { kind: "simple", mode: "simple", format: "text" };
}

/** The host of a URL, for sentences ("hooks.example.com"); the URL itself when it does not parse. */
export function hostOf(url) {
  try {
    return new URL(String(url).replace(/\{\{[^}]*\}\}/g, "x")).host;
  } catch (_) {
    return String(url || "");
  }
}

const HIDDEN = /answer cannot be read|without CORS headers/i;
const CORS = /\bCORS\b|preflight/i;
const NETWORK = /network error/i;

/**
 * What a test send's last report says about CORS:
 * "hidden" (the request left, the browser hid the answer), "refused" (the
 * preflight was refused: nothing was sent), "network" (a network error; the
 * probe decides), or null (nothing to do with CORS).
 */
export function corsTrouble(report) {
  if (!report) return null;
  const e = report.error || "";
  if (report.outcome === "sent" && HIDDEN.test(e)) return "hidden";
  if (CORS.test(e)) return "refused";
  if ((report.outcome === "failed" || report.outcome === "retry") && NETWORK.test(e)) return "network";
  return null;
}
