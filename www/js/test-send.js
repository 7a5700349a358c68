// "Send test event": runs one sample event through the real module, with
// the webhook under test and the draft's destinations, and shows the request
// it sent and the answer it got. The module sends with fetch; a thin wrapper
// around window.fetch records what went out and what came back, for the
// time of the test only.
//
// Before sending, the dialog shows (live, as the properties are edited) the
// exact request from the editor module's preview() and each condition row's
// result. A destination that is not a preset's is probed (probeCors): what
// its address allows from a page decides the mode it should use. A test that
// fails because of CORS says so in plain words, with the fix one click away.

import { startRuntime, runtimeReady, preview, probeCors, presets } from "./module.js";
import { h, uid, field, pretty, clock, showModal, codeBlock } from "./dom.js";
import { t, eventName, deliveryError, propLabel } from "./i18n.js";
import { sampleProperties, withContext } from "./samples.js";
import { clone } from "./store.js";
import { requestBlock, conditionText, conditionBadge, headersTable } from "./request-view.js";
import { presetOf } from "./preset-fields.js";
import { corsTrouble, probeAdvice, hostOf } from "./cors-advice.js";

/**
 * Opens the test dialog for `webhook` of settings `draft` (saved or, with
 * `unsaved`, as filled in so far); byId: the catalog by event id.
 * fix(patch): applies { mode, format } to the webhook's destination and
 * resolves the { draft, webhook } to test next (none: no fix is offered).
 */
export function openTestSend({ draft, webhook, byId, unsaved = false, fix = null }) {
  let cur = { draft, webhook };
  const event = byId.get(webhook.event);
  const destinationOf = () => cur.draft.destinations.find((d) => d.id === cur.webhook.destination);
  const titleId = uid("t");
  const props = h("textarea", { rows: 10, class: "mono", spellcheck: "false" });
  props.value = JSON.stringify(event ? sampleProperties(event, webhook.conditions || []) : {}, null, 2);
  const fProps = field(t("test.properties"), props, { wide: true, hint: t("test.propertiesHint") });
  const condBox = h("div", { class: "test-conditions", "aria-live": "polite" });
  const previewBox = h("div", { class: "request-preview" });
  const probeBox = h("div", { class: "probe-box", "aria-live": "polite" });
  const result = h("div", { class: "test-result", "aria-live": "polite" });
  const sendBtn = h("button", { type: "button", class: "btn primary", onclick: () => run() }, t("test.send"));
  const lede = h("p", { class: "lede" });
  const d = h(
    "dialog",
    { class: "modal wide test-send", "aria-labelledby": titleId },
    h(
      "div",
      { class: "modal-head" },
      h("h2", { id: titleId }, t("test.title")),
      h("button", { type: "button", class: "icon-btn", "aria-label": t("action.close"), onclick: () => d.close() }, "×")
    ),
    h(
      "div",
      { class: "modal-body" },
      lede,
      unsaved ? h("p", { class: "note" }, t("test.unsaved")) : null,
      webhook.enabled === false ? h("p", { class: "note" }, t("test.disabled")) : null,
      fProps.wrap,
      (webhook.conditions || []).length ? h("section", { class: "test-section", "aria-label": t("test.conditions") }, h("h3", null, t("test.conditions")), condBox) : null,
      h("section", { class: "test-section", "aria-label": t("test.willSend") }, h("h3", null, t("test.willSend")), h("p", { class: "hint" }, t("test.willSendHint")), previewBox),
      probeBox,
      result
    ),
    h("div", { class: "modal-foot" }, h("button", { type: "button", class: "btn ghost", onclick: () => d.close() }, t("test.close")), sendBtn)
  );
  d.addEventListener("close", () => d.remove());

  const renderLede = () => {
    const destination = destinationOf();
    lede.replaceChildren(
      h("strong", null, webhook.name || webhook.id),
      ": ",
      event ? `${eventName(event)} (${event.id})` : webhook.event,
      " → ",
      destination ? `${destination.platform || destination.id} · ${destination.method || "POST"} ${destination.url}` : t("test.noDestination")
    );
  };

  // ---- live: the request and the conditions, for the properties as typed ----------

  let last = null; // { pv, properties }
  const parse = () => {
    try {
      const v = JSON.parse(props.value);
      if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error(t("test.notObject"));
      return { properties: v };
    } catch (e) {
      return { error: e.message };
    }
  };
  function refresh() {
    const { properties, error } = parse();
    if (error) {
      previewBox.replaceChildren(h("p", { class: "muted" }, t("test.previewInvalid")));
      return;
    }
    const destination = destinationOf();
    const settings = { version: 1, destinations: destination ? [destination] : [], webhooks: [{ ...cur.webhook, enabled: true }] };
    const pv = preview(settings, cur.webhook.id, withContext(properties));
    last = { pv, properties };
    const conds = cur.webhook.conditions || [];
    if (conds.length) {
      condBox.replaceChildren(
        pv.ok
          ? h(
              "ol",
              { class: "cond-results" },
              conds.map((c, i) => h("li", { dataset: { row: i, met: String(!!pv.conditions[i]) } }, h("span", { class: "cond-text" }, conditionText(c, propLabel)), " ", conditionBadge(!!pv.conditions[i], properties, c.property), i < conds.length - 1 ? h("span", { class: "muted join" }, " " + t(c.join === "or" ? "wizard.or" : "wizard.and")) : null))
            )
          : h("p", { class: "muted" }, t("test.previewInvalid")),
        pv.ok ? h("p", { class: "cond-summary " + (pv.matched ? "met" : "unmet") }, t(pv.matched ? "test.willMatch" : "test.wontMatch")) : null
      );
    }
    if (!pv.ok || !pv.request) {
      previewBox.replaceChildren(h("p", { class: "msg error" }, pv.error || (pv.errors[0] ? `${pv.errors[0].path}: ${pv.errors[0].message}` : t("test.previewInvalid"))));
      return;
    }
    previewBox.replaceChildren(requestBlock(pv.request, destination, t("test.willSend")));
  }
  let timer = 0;
  props.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });

  // ---- the probe: what the destination's address allows from this page ---------------

  let probing = null; // the running probe, so a send never overlaps it
  let probe = null; // { url, reachable, cors }
  function isPreset(destination) {
    return !!presetOf(destination, presets());
  }
  function startProbe() {
    const destination = destinationOf();
    probeBox.replaceChildren();
    if (!destination || isPreset(destination) || !/^https?:\/\//i.test(destination.url || "")) return;
    const url = destination.url.replace(/\{\{[^}]*\}\}/g, "x");
    const host = hostOf(url);
    probeBox.replaceChildren(h("p", { class: "muted small" }, t("probe.checking", { host })));
    probing = probeCors(url).then((r) => {
      probe = { url, ...r };
      probing = null;
      showProbe();
    });
  }
  function showProbe() {
    const destination = destinationOf();
    if (!probe || !destination) return;
    const a = probeAdvice(probe);
    const mode = destination.mode || "cors";
    const host = hostOf(probe.url);
    const fits = a.mode === null || a.mode === mode || (a.kind === "simple" && mode === "no-cors");
    const buttons = [];
    if (!fits && fix) buttons.push(fixButton({ mode: a.mode, format: a.format }, t("fix.mode", { mode: a.mode })));
    probeBox.replaceChildren(
      h(
        "div",
        { class: "callout " + (fits ? "info" : "warn") + " probe-result", dataset: { probe: a.kind } },
        h("p", null, t("probe.test." + a.kind, { host, mode })),
        !fits && a.mode ? h("p", null, t("probe.test.suggest", { mode: a.mode, format: a.format })) : null,
        buttons.length ? h("div", { class: "actions" }, buttons) : null
      )
    );
  }

  // ---- fixes ------------------------------------------------------------------------

  function fixButton(patch, label) {
    return h(
      "button",
      {
        type: "button",
        class: "btn small primary fix",
        dataset: { fix: "mode:" + patch.mode },
        onclick: async () => {
          cur = await fix(patch);
          renderLede();
          refresh();
          showProbe();
          result.replaceChildren(h("p", { class: "callout ok fixed" }, t("fix.applied", { mode: patch.mode, format: patch.format }), " ", t("fix.sendAgain")));
          sendBtn.focus();
        },
      },
      label
    );
  }

  renderLede();
  showModal(d);
  refresh();
  startProbe();
  sendBtn.focus();

  async function run() {
    const { properties, error } = parse();
    if (error) {
      fProps.msg.className = "msg error";
      fProps.msg.textContent = t("test.invalid", { error });
      props.setAttribute("aria-invalid", "true");
      props.focus();
      return;
    }
    fProps.msg.className = "msg";
    fProps.msg.textContent = "";
    props.removeAttribute("aria-invalid");
    sendBtn.disabled = true;
    result.replaceChildren(h("p", { class: "muted" }, t("test.sending")));
    try {
      if (probing) await probing;
      const out = await sendTest(cur.draft, cur.webhook, properties);
      const trouble = out.matched ? corsTrouble(out.reports[out.reports.length - 1]) : null;
      const destination = destinationOf();
      if (trouble === "network" && destination) {
        const url = destination.url.replace(/\{\{[^}]*\}\}/g, "x");
        if (!probe || probe.url !== url) probe = { url, ...(await probeCors(url)) };
      }
      result.replaceChildren(render(out, { trouble, probe, destination, fixButton: fix ? fixButton : null, failedRows: failedRows(properties) }));
      result.scrollIntoView({ block: "start" });
    } catch (e) {
      result.replaceChildren(h("p", { class: "msg error" }, String(e && e.message ? e.message : e)));
    } finally {
      sendBtn.disabled = false;
    }
  }

  // The condition rows the properties do not meet: [{ n, text, value }].
  function failedRows(properties) {
    const conds = cur.webhook.conditions || [];
    const settings = { version: 1, destinations: cur.draft.destinations.filter((x) => x.id === cur.webhook.destination), webhooks: [{ ...cur.webhook, enabled: true }] };
    const pv = preview(settings, cur.webhook.id, withContext(properties));
    if (!pv.ok) return [];
    return conds.map((c, i) => ({ n: i + 1, c, ok: pv.conditions[i] })).filter((r) => !r.ok);
  }
}

/** Runs the test; resolves { matched, calls: [{ method, url, headers, body, status, answer, ... }], reports }. */
export async function sendTest(draft, webhook, properties) {
  // Only the webhook under test (enabled), one attempt: a test never lingers in a retry queue.
  const settings = clone({
    version: 1,
    captureInputValues: !!draft.captureInputValues,
    destinations: draft.destinations.map((d) => (d.id === webhook.destination ? { ...d, maxAttempts: 1 } : d)),
    webhooks: [{ ...webhook, enabled: true }],
  });
  // Loaded first, so that loading the runtime is not taken for a test request.
  await runtimeReady();
  const calls = [];
  const reports = [];
  const realFetch = window.fetch;
  window.fetch = function (input, init = {}) {
    const call = {
      at: Date.now(),
      url: String(input && input.url ? input.url : input),
      method: init.method || "GET",
      mode: init.mode || "cors",
      headers: headerList(init.headers),
      body: typeof init.body === "string" ? init.body : init.body == null ? "" : String(init.body),
    };
    calls.push(call);
    const p = realFetch.call(window, input, init);
    call.done = p.then(
      (res) => {
        call.status = res.status;
        call.type = res.type;
        call.answerHeaders = [...res.headers];
        return res
          .clone()
          .text()
          .then(
            (t) => (call.answer = t),
            () => {}
          );
      },
      (err) => (call.error = String((err && err.message) || err))
    );
    return p;
  };
  let hooks;
  try {
    hooks = await startRuntime(settings, { playerEvents: false, autoCapture: false, worker: false }); // from the page, so the fetch wrapper sees the request
    const dest = settings.destinations.find((d) => d.id === webhook.destination);
    const auth = dest && dest.auth;
    const secret = auth && (auth.type === "bearer" ? auth.token || auth.tokenFrom : auth.type === "basic" ? auth.password : auth.type === "oauth2" ? auth.clientSecret : "x");
    let hostToken = false;
    if (auth && auth.type !== "none" && !secret) {
      hostToken = true;
      hooks.setTokenProvider(dest.id, () => "test-token-from-host-page");
    }
    const final = new Promise((resolve) => {
      hooks.onDelivery((r) => {
        if (r.webhookId && r.webhookId !== webhook.id) return;
        reports.push(r);
        if (r.outcome !== "retry") resolve();
      });
    });
    const matched = hooks.emit(webhook.event, properties);
    if (matched > 0) await Promise.race([final, new Promise((r) => setTimeout(r, 15000))]);
    await Promise.all(calls.map((c) => c.done));
    const tokenFrom = auth && auth.type === "bearer" && auth.tokenFrom ? new URL(auth.tokenFrom, location.origin).href : null;
    for (const c of calls) if (tokenFrom && c.url === tokenFrom) c.token = true;
    return { matched, calls, reports, hostToken, tokenFrom: auth && auth.tokenFrom };
  } finally {
    window.fetch = realFetch;
    if (hooks) hooks.stop();
  }
}

function headerList(headers) {
  if (!headers) return [];
  if (headers instanceof Headers) return [...headers];
  if (Array.isArray(headers)) return headers;
  return Object.entries(headers);
}

// What went wrong with CORS, in plain words, and what fixes it.
function corsExplanation(trouble, { probe, destination, fixButton }) {
  const host = hostOf(destination ? destination.url : "");
  const origin = location.origin;
  const mode = (destination && destination.mode) || "cors";
  let kind = trouble;
  if (trouble === "network") {
    if (!probe) return null;
    kind = probe.reachable ? "refused" : "unreachable";
  }
  const fixes = [];
  // A simple request needs no preflight (and carries no custom headers or authentication).
  if (kind === "refused" && fixButton && mode === "cors") fixes.push(fixButton({ mode: "simple", format: "text" }, t("fix.mode", { mode: "simple" })));
  return h(
    "div",
    { class: "callout " + (kind === "hidden" ? "info" : "warn") + " cors-explained", dataset: { cors: kind } },
    h("p", null, h("strong", null, t("cors." + kind + ".title", { host })), " ", t("cors." + kind + ".text", { host, origin })),
    h("p", null, h("strong", null, t("cors.fix")), " ", t("cors." + kind + ".fix", { host, origin })),
    fixes.length ? h("div", { class: "actions" }, fixes) : null
  );
}

function render({ matched, calls, reports, hostToken, tokenFrom }, { trouble, probe, destination, fixButton, failedRows }) {
  if (!matched) {
    return h(
      "div",
      { class: "callout warn", dataset: { outcome: "not-matched" } },
      h("p", null, h("strong", null, t("test.notMatched")), " ", t("test.notMatchedText")),
      failedRows.length
        ? h(
            "ul",
            { class: "failed-rows" },
            failedRows.map((r) => h("li", { dataset: { row: r.n - 1 } }, t("test.rowFailed", { n: r.n, condition: conditionText(r.c, propLabel) })))
          )
        : null
    );
  }
  const last = reports[reports.length - 1];
  const kind = last ? (last.outcome === "delivered" ? "ok" : last.outcome === "sent" ? "info" : "error") : "error";
  const out = [
    h(
      "div",
      { class: "callout " + kind, dataset: { outcome: last ? last.outcome : "none" } },
      h("span", { class: "badge " + (last ? last.outcome : "failed") }, last ? t("outcome." + last.outcome) : t("test.noAnswer")),
      " ",
      last ? t(last.outcome === "sent" && trouble === "hidden" ? "test.outcome.sentHidden" : "test.outcome." + last.outcome) : t("test.noAnswerText"),
      last && last.status ? ` HTTP ${last.status}.` : "",
      last && last.error ? ` ${deliveryError(last.error)}` : "",
      last ? ` ${Math.round(last.ms)} ms.` : ""
    ),
  ];
  if (trouble) {
    const explained = corsExplanation(trouble, { probe, destination, fixButton });
    if (explained) out.push(explained);
  }
  if (hostToken) out.push(h("p", { class: "note" }, t("test.hostToken")));
  if (tokenFrom) out.push(h("p", { class: "note" }, t("test.tokenFrom", { path: tokenFrom })));
  calls.forEach((c, i) => {
    const base = calls.length > 1 ? t("test.requestN", { n: i + 1, time: clock(c.at) }) : t("test.request", { time: clock(c.at) });
    const title = c.token ? t("test.tokenRequest", { title: base }) : base;
    out.push(
      h(
        "section",
        { class: "exchange", dataset: { call: i } },
        h("h3", null, title),
        h("p", { class: "reqline" }, h("span", { class: "method" }, c.method), " ", h("code", { class: "req-url" }, c.url), " ", h("span", { class: "chip-sm" }, t("test.mode", { mode: c.mode }))),
        c.headers.length ? headersTable(c.headers.map(([k, v]) => [k, /^authorization$/i.test(k) ? String(v).replace(/^(\w+\s+).+$/, "$1•••") : v])) : h("p", { class: "muted" }, t("test.noHeaders")),
        codeBlock(c.body ? pretty(c.body) : t("test.noBody"), t("test.bodyLabel", { title }), { class: "code req-body" }),
        h("h3", null, t("test.answer")),
        c.error
          ? h("p", { class: "msg error" }, c.error)
          : c.type === "opaque"
            ? h("p", { class: "muted" }, t("test.opaque"))
            : [h("p", { class: "answer-status" }, h("span", { class: "status s" + String(c.status)[0] }, String(c.status))), codeBlock(c.answer ? pretty(c.answer) : t("test.empty"), t("test.answerLabel", { title }), { class: "code answer-body" })]
      )
    );
  });
  return h("div", null, out);
}
